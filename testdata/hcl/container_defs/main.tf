# Every way a task definition's container_definitions is written in practice, with the
# image coming from an ECR repository created in the same configuration: Terraform
# knows the repository URL only after apply, everything else before.
# Names: bad_* run a privileged container, good_* do not, unknown_* cannot be told.

variable "image_tag" {
  type    = string
  default = "1.4.2"
}

# No default and no .tfvars: unknown until someone passes --var memory=...
variable "memory" {
  type = number
}

locals {
  registry = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
  logging = {
    logDriver = "awslogs"
    options = {
      awslogs-group         = "/ecs/app"
      awslogs-region        = "us-east-1"
      awslogs-stream-prefix = "app"
    }
  }
}

resource "aws_ecr_repository" "app" {
  name                 = "app"
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }
}

# jsonencode of known values.
resource "aws_ecs_task_definition" "bad_jsonencode" {
  family = "bad-jsonencode"
  container_definitions = jsonencode([
    {
      name             = "app"
      image            = "${local.registry}/app:${var.image_tag}"
      essential        = true
      privileged       = true
      logConfiguration = local.logging
    },
  ])
}

# jsonencode with an unknown image: the plan knows nothing of this attribute, the
# source knows the container is privileged.
resource "aws_ecs_task_definition" "bad_unknown_image" {
  family = "bad-unknown-image"
  container_definitions = jsonencode([
    {
      name       = "app"
      image      = "${aws_ecr_repository.app.repository_url}:${var.image_tag}"
      essential  = true
      privileged = true
      memory     = var.memory
    },
  ])
}

# Heredoc JSON: an unknown inside a JSON string, and an unknown number outside one.
resource "aws_ecs_task_definition" "bad_heredoc" {
  family                = "bad-heredoc"
  container_definitions = <<-EOT
    [
      {
        "name": "app",
        "image": "${aws_ecr_repository.app.repository_url}:${var.image_tag}",
        "essential": true,
        "privileged": true,
        "memory": ${var.memory}
      }
    ]
  EOT
}

# A JSON file next to the configuration.
resource "aws_ecs_task_definition" "bad_file" {
  family                = "bad-file"
  container_definitions = file("${path.module}/containers/privileged.json")
}

# A template file, rendered with an unknown image.
resource "aws_ecs_task_definition" "bad_templatefile" {
  family = "bad-templatefile"
  container_definitions = templatefile("${path.module}/containers/app.json.tftpl", {
    image      = aws_ecr_repository.app.repository_url
    privileged = true
    env        = { LOG_LEVEL = "info", REGION = "us-east-1" }
  })
}

# Hardened but for the image: a repository URL alone names no tag (Docker pulls latest).
resource "aws_ecs_task_definition" "bad_untagged_image" {
  family = "bad-untagged-image"
  container_definitions = jsonencode([
    {
      name                   = "app"
      image                  = aws_ecr_repository.app.repository_url
      essential              = true
      privileged             = false
      user                   = "1000:1000"
      readonlyRootFilesystem = true
      logConfiguration       = local.logging
    },
  ])
}

data "aws_ssm_parameter" "flags" {
  name = "/app/flags"
}

# Whether the container is privileged is read from AWS during plan.
resource "aws_ecs_task_definition" "unknown_privileged" {
  family = "unknown-privileged"
  container_definitions = jsonencode([
    {
      name       = "app"
      image      = "${local.registry}/app:${var.image_tag}"
      essential  = true
      privileged = data.aws_ssm_parameter.flags.value == "privileged"
    },
  ])
}

# The whole list comes from AWS.
resource "aws_ecs_task_definition" "unknown_definitions" {
  family                = "unknown-definitions"
  container_definitions = data.aws_ssm_parameter.flags.insecure_value
}
