output "task_definition_arn" {
  value = try(aws_ecs_task_definition.this[0].arn, null)
}

output "container_definitions" {
  value = local.definitions
}
