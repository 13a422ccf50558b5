# Task definitions whose values Terraform only knows after apply.

resource "aws_ecr_repository" "app" {
  name                 = "unknown-defs-app"
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }
}

# The image comes from a repository created in the same plan, so the whole
# container_definitions string is unknown in the plan, privileged = true included.
resource "aws_ecs_task_definition" "bad_unknown_image" {
  family                   = "bad-unknown-image"
  network_mode             = "awsvpc"
  requires_compatibilities = ["EC2"]

  container_definitions = jsonencode([
    {
      name       = "app"
      image      = "${aws_ecr_repository.app.repository_url}:1.0"
      essential  = true
      memory     = 256
      privileged = true
    },
  ])
}

resource "aws_iam_role" "execution" {
  name = "unknown-defs-execution"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Condition = { StringEquals = { "aws:SourceAccount" = "123456789012" } }
    }]
  })
}

resource "aws_iam_role" "task" {
  name = "unknown-defs-task"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Condition = { StringEquals = { "aws:SourceAccount" = "123456789012" } }
    }]
  })
}

# Container definitions are fully known; only the role ARNs are unknown.
resource "aws_ecs_task_definition" "good_roles_from_plan" {
  family                   = "good-roles-from-plan"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "256"
  memory                   = "512"
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  container_definitions = jsonencode([
    {
      name                   = "app"
      image                  = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
      essential              = true
      user                   = "1000:1000"
      readonlyRootFilesystem = true
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = "/ecs/good-roles-from-plan"
          awslogs-region        = "us-east-1"
          awslogs-stream-prefix = "app"
        }
      }
    },
  ])
}
