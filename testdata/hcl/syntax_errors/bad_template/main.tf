resource "aws_ecs_task_definition" "app" {
  family                = "app"
  container_definitions = <<EOT
[
  {"name": "app", "image": "app:1"%{ if }}
]
EOT
}
