locals {
  family_prefix = "vars"
}

resource "aws_ecs_task_definition" "from_tfvars" {
  family       = "${local.family_prefix}-from-tfvars"
  network_mode = var.network_mode
  container_definitions = jsonencode([
    {
      name       = "app"
      image      = var.image
      privileged = var.privileged
      user       = "1000:1000"
      environment = [
        { name = "DB_PASSWORD", value = var.db_password },
      ]
    },
  ])
}

resource "aws_ecs_task_definition" "per_container" {
  for_each = var.containers

  family = "${local.family_prefix}-${each.key}"
  container_definitions = jsonencode([
    {
      name       = each.key
      image      = each.value.image
      privileged = each.value.privileged
      user       = each.value.user
    },
  ])
}
