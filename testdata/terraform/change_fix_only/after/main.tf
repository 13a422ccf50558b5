# The change under review, planned against the state of ../before/main.tf. It
# only fixes things; nothing it touches becomes less secure:
#   aws_ecs_cluster.main                update   (Container Insights turned on)
#   aws_security_group.web              update   (SSH from the world removed)
#   aws_ecs_service.app                 update   (ECS Exec turned off)
#   aws_ecr_repository.app              update   (IMMUTABLE tags, scan on push)
#   aws_ecs_task_definition.worker      replace  delete-then-create (privileged and root removed)
#   aws_iam_policy.bad_legacy_admin     delete
#   everything else                     no-op    (aws_ecr_repository.bad_legacy and
#                                                 aws_security_group.bad_legacy_rdp stay insecure)

locals {
  subnets = ["subnet-0a1b2c3d4e5f90001", "subnet-0a1b2c3d4e5f90002"]
  image   = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
  logs = {
    logDriver = "awslogs"
    options = {
      awslogs-group         = "/ecs/fix-only"
      awslogs-region        = "us-east-1"
      awslogs-stream-prefix = "app"
    }
  }
  trust = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Condition = { StringEquals = { "aws:SourceAccount" = "123456789012" } }
    }]
  })
}

# Container Insights is turned on.
resource "aws_ecs_cluster" "main" {
  name = "fix-only"

  setting {
    name  = "containerInsights"
    value = "enabled" # was disabled
  }
}

resource "aws_iam_role" "app_task" {
  name               = "fix-only-app-task"
  assume_role_policy = local.trust
}

resource "aws_iam_role" "app_execution" {
  name               = "fix-only-app-execution"
  assume_role_policy = local.trust
}

# Only HTTPS from the world: the SSH ingress is removed.
resource "aws_security_group" "web" {
  name        = "fix-only-web"
  description = "web tier"
  vpc_id      = "vpc-0123456789abcdef0"

  ingress {
    description = "https"
    from_port   = 443
    to_port     = 443
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

# Hardened; the change leaves it alone.
resource "aws_ecs_task_definition" "app" {
  family                   = "fix-only-app"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "256"
  memory                   = "512"
  task_role_arn            = aws_iam_role.app_task.arn
  execution_role_arn       = aws_iam_role.app_execution.arn

  container_definitions = jsonencode([
    {
      name                   = "app"
      image                  = local.image
      essential              = true
      user                   = "1000:1000"
      readonlyRootFilesystem = true
      linuxParameters        = { capabilities = { drop = ["ALL"] } }
      logConfiguration       = local.logs
      portMappings           = [{ containerPort = 443, protocol = "tcp" }]
    },
  ])
}

# ECS Exec is turned off.
resource "aws_ecs_service" "app" {
  name                   = "fix-only-app"
  cluster                = aws_ecs_cluster.main.id
  task_definition        = aws_ecs_task_definition.app.arn
  desired_count          = 1
  launch_type            = "FARGATE"
  platform_version       = "LATEST"
  enable_execute_command = false # was true

  network_configuration {
    subnets          = local.subnets
    security_groups  = [aws_security_group.web.id]
    assign_public_ip = false
  }
}

# No longer privileged nor root: container_definitions changed, so the task
# definition is replaced.
resource "aws_ecs_task_definition" "worker" {
  family                   = "fix-only-worker"
  network_mode             = "awsvpc"
  requires_compatibilities = ["EC2"]
  task_role_arn            = aws_iam_role.app_task.arn

  container_definitions = jsonencode([
    {
      name                   = "worker"
      image                  = local.image
      essential              = true
      memory                 = 256
      user                   = "1000:1000"
      readonlyRootFilesystem = true
      linuxParameters        = { capabilities = { drop = ["ALL"] } }
      logConfiguration       = local.logs
    },
  ])
}

# Tags made IMMUTABLE and scan on push turned on, in place. Still no lifecycle
# policy: the change does not add one.
resource "aws_ecr_repository" "app" {
  name                 = "fix-only-app"
  image_tag_mutability = "IMMUTABLE" # was MUTABLE

  image_scanning_configuration {
    scan_on_push = true # was false
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = "arn:aws:kms:us-east-1:123456789012:key/0b9a8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d"
  }
}

# aws_iam_policy.bad_legacy_admin has been removed from the configuration (delete).

# Insecure and untouched by the change: pre-existing debt, no-ops in the plan.
resource "aws_ecr_repository" "bad_legacy" {
  name                 = "fix-only-legacy"
  image_tag_mutability = "MUTABLE"

  image_scanning_configuration {
    scan_on_push = false
  }
}

resource "aws_security_group" "bad_legacy_rdp" {
  name        = "fix-only-legacy-rdp"
  description = "legacy bastion"
  vpc_id      = "vpc-0123456789abcdef0"

  ingress {
    description = "rdp"
    from_port   = 3389
    to_port     = 3389
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
