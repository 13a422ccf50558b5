# The change under review, planned against the state of ../before/main.tf:
#   aws_ecs_service.app                 update   (ECS Exec turned on)
#   aws_security_group.web              update   (SSH opened to the world)
#   aws_ecs_task_definition.worker      replace  delete-then-create (privileged removed)
#   aws_ecs_task_definition.batch       replace  create-then-delete (image bump)
#   aws_ecr_repository.bad_new          create   (MUTABLE, no scan on push)
#   aws_iam_policy.bad_legacy_admin     delete
#   everything else                     no-op    (aws_ecr_repository.bad_legacy stays insecure)

locals {
  subnets = ["subnet-0a1b2c3d4e5f90001", "subnet-0a1b2c3d4e5f90002"]
  image   = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
}

resource "aws_ecs_cluster" "main" {
  name = "change-gate"

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_iam_role" "app_task" {
  name = "change-gate-app-task"
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

# SSH from the world is added next to HTTPS.
resource "aws_security_group" "web" {
  name        = "change-gate-web"
  description = "web tier"
  vpc_id      = "vpc-0123456789abcdef0"

  ingress {
    description = "https"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_ecs_task_definition" "app" {
  family                   = "change-gate-app"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "256"
  memory                   = "512"
  task_role_arn            = aws_iam_role.app_task.arn
  execution_role_arn       = aws_iam_role.app_task.arn

  container_definitions = jsonencode([
    {
      name                   = "app"
      image                  = local.image
      essential              = true
      user                   = "1000:1000"
      readonlyRootFilesystem = true
      portMappings           = [{ containerPort = 443, protocol = "tcp" }]
    },
  ])
}

# ECS Exec is turned on.
resource "aws_ecs_service" "app" {
  name                   = "change-gate-app"
  cluster                = aws_ecs_cluster.main.id
  task_definition        = aws_ecs_task_definition.app.arn
  desired_count          = 1
  launch_type            = "FARGATE"
  platform_version       = "LATEST"
  enable_execute_command = true # was false

  network_configuration {
    subnets          = local.subnets
    security_groups  = [aws_security_group.web.id]
    assign_public_ip = false
  }
}

# No longer privileged: container_definitions changed, so the task definition is replaced.
resource "aws_ecs_task_definition" "worker" {
  family                   = "change-gate-worker"
  network_mode             = "awsvpc"
  requires_compatibilities = ["EC2"]

  container_definitions = jsonencode([
    {
      name       = "worker"
      image      = local.image
      essential  = true
      memory     = 256
      privileged = false
      user       = "1000:1000"
    },
  ])
}

# A harmless image bump under create_before_destroy: replaced as create-then-delete.
resource "aws_ecs_task_definition" "batch" {
  family                   = "change-gate-batch"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "256"
  memory                   = "512"

  container_definitions = jsonencode([
    {
      name                   = "batch"
      image                  = "123456789012.dkr.ecr.us-east-1.amazonaws.com/batch:1.1.0"
      essential              = true
      user                   = "1000:1000"
      readonlyRootFilesystem = true
    },
  ])

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_ecr_repository" "good_app" {
  name                 = "change-gate-app"
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }
}

# Insecure and untouched by the change: pre-existing debt, a no-op in the plan.
resource "aws_ecr_repository" "bad_legacy" {
  name                 = "change-gate-legacy"
  image_tag_mutability = "MUTABLE"

  image_scanning_configuration {
    scan_on_push = false
  }
}

# New, and insecure: MUTABLE tags, no scan on push.
resource "aws_ecr_repository" "bad_new" {
  name                 = "change-gate-new"
  image_tag_mutability = "MUTABLE"

  image_scanning_configuration {
    scan_on_push = false
  }
}

# aws_iam_policy.bad_legacy_admin has been removed from the configuration (delete).
