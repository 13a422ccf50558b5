# One member of a local map is sensitive: Terraform marks only what is derived from it.
variable "db_password" {
  type      = string
  sensitive = true
  default   = "Tq7-Example-Db-Passw0rd"
}

locals {
  services = {
    web = { name = "web", image = "web:1", user = "0" }
    db  = { name = "db", image = "db:1", user = "0", password = var.db_password }
  }
}

resource "aws_ecs_task_definition" "web" {
  family                = "web"
  network_mode          = "awsvpc"
  container_definitions = jsonencode([{ name = local.services.web.name, image = local.services.web.image, privileged = true }])
}

resource "aws_ecs_task_definition" "svc" {
  for_each              = local.services
  family                = each.key
  network_mode          = "awsvpc"
  container_definitions = jsonencode([{ name = each.value.name, image = each.value.image, user = each.value.user }])
}

resource "aws_ecs_task_definition" "db_env" {
  family                = "db-env"
  network_mode          = "awsvpc"
  container_definitions = jsonencode([{ name = "db", image = "db:1", environment = [{ name = "DB_PASSWORD", value = local.services.db.password }] }])
}
