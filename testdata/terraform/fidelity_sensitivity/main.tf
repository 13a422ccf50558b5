# Issue 12, "sensitivity too wide": one sensitive member in a local object. Terraform
# marks only what is derived from it (issensitive(local.settings.host_path) is false),
# so the plan prints container names, host paths and role names in clear; only the
# password is sensitive.

variable "db_password" {
  type      = string
  sensitive = true
  default   = "fidelity-not-a-real-password"
}

locals {
  settings = {
    app_name    = "web"
    host_path   = "/var/run/docker.sock"
    role_name   = "fidelity-sensitivity-task"
    db_password = var.db_password
  }
}

resource "aws_iam_role" "task" {
  name = local.settings.role_name
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

# Mounts the Docker socket and runs privileged: both findings must name the container
# and the host path.
resource "aws_ecs_task_definition" "bad_socket" {
  family        = "fidelity-sensitivity"
  network_mode  = "awsvpc"
  task_role_arn = aws_iam_role.task.arn

  volume {
    name      = "docker"
    host_path = local.settings.host_path
  }

  container_definitions = jsonencode([
    {
      name       = local.settings.app_name
      image      = "nginx:1.25"
      essential  = true
      privileged = true
      mountPoints = [
        { sourceVolume = "docker", containerPath = "/var/run/docker.sock" },
      ]
    },
  ])
}

# The secret itself goes to Secrets Manager: sensitive in the plan, never printed.
resource "aws_secretsmanager_secret" "db" {
  name = "fidelity/db"
}

resource "aws_secretsmanager_secret_version" "db" {
  secret_id     = aws_secretsmanager_secret.db.id
  secret_string = local.settings.db_password
}
