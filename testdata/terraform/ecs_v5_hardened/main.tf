# The secure counterpart of ecs_v5_insecure, in provider 5 terms. good_* resources
# must give no fail.

resource "aws_vpc" "main" {
  cidr_block = "10.41.0.0/16"
}

resource "aws_flow_log" "main" {
  vpc_id               = aws_vpc.main.id
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::v5-flow-logs"
}

resource "aws_security_group" "good_alb" {
  name   = "v5-good-alb"
  vpc_id = aws_vpc.main.id
}

resource "aws_security_group" "good_app" {
  name   = "v5-good-app"
  vpc_id = aws_vpc.main.id
}

# HTTPS to the load balancer from anywhere is what a public ALB is for.
resource "aws_vpc_security_group_ingress_rule" "good_https" {
  security_group_id = aws_security_group.good_alb.id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

# The tasks take traffic only from the ALB's group.
resource "aws_vpc_security_group_ingress_rule" "good_from_alb" {
  security_group_id            = aws_security_group.good_app.id
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
  referenced_security_group_id = aws_security_group.good_alb.id
}

# All protocols, but only from inside the VPC.
resource "aws_vpc_security_group_ingress_rule" "good_internal_all" {
  security_group_id = aws_security_group.good_app.id
  ip_protocol       = "-1"
  cidr_ipv4         = "10.41.0.0/16"
}

resource "aws_kms_key" "good" {
  description         = "v5 hardened"
  enable_key_rotation = true
}

resource "aws_cloudwatch_log_group" "exec" {
  name              = "/ecs/v5-exec"
  retention_in_days = 90
  kms_key_id        = aws_kms_key.good.arn
}

resource "aws_ecs_cluster" "good" {
  name = "v5-good"

  configuration {
    execute_command_configuration {
      kms_key_id = aws_kms_key.good.arn
      logging    = "OVERRIDE"

      log_configuration {
        cloud_watch_encryption_enabled = true
        cloud_watch_log_group_name     = aws_cloudwatch_log_group.exec.name
      }
    }
  }

  setting {
    name  = "containerInsights"
    value = "enhanced"
  }
}

resource "aws_iam_role" "good_task" {
  name = "v5-good-task"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { ArnLike = { "aws:SourceArn" = "arn:aws:ecs:us-east-1:123456789012:*" } }
    }]
  })
}

resource "aws_iam_role" "good_execution" {
  name = "v5-good-execution"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = "123456789012" } }
    }]
  })
}

locals {
  logging = {
    logDriver = "awslogs"
    options = {
      awslogs-group         = "/ecs/v5-good"
      awslogs-region        = "us-east-1"
      awslogs-stream-prefix = "app"
    }
  }
}

# ARM64 Linux, non-root, read-only, digest-pinned ECR image.
resource "aws_ecs_task_definition" "good_arm" {
  family                   = "v5-good-arm"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = 256
  memory                   = 512
  task_role_arn            = aws_iam_role.good_task.arn
  execution_role_arn       = aws_iam_role.good_execution.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "ARM64"
  }

  container_definitions = jsonencode([
    {
      name                   = "app"
      image                  = "123456789012.dkr.ecr.us-east-1.amazonaws.com/v5-app@sha256:0d6a7a5c0ef5d1c6a1b3c4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6a7b8c9"
      essential              = true
      user                   = "10001:10001"
      readonlyRootFilesystem = true
      linuxParameters        = { capabilities = { drop = ["ALL"] } }
      logConfiguration       = local.logging
    },
  ])
}

# A Windows task: ContainerUser, on Fargate with runtime_platform.
resource "aws_ecs_task_definition" "good_windows" {
  family                   = "v5-good-windows"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = 1024
  memory                   = 2048
  task_role_arn            = aws_iam_role.good_task.arn
  execution_role_arn       = aws_iam_role.good_execution.arn

  runtime_platform {
    operating_system_family = "WINDOWS_SERVER_2022_CORE"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([
    {
      name             = "iis"
      image            = "123456789012.dkr.ecr.us-east-1.amazonaws.com/v5-iis:2022.1@sha256:9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0"
      essential        = true
      user             = "ContainerUser"
      logConfiguration = local.logging
    },
  ])
}

resource "aws_ecs_service" "good_external" {
  name    = "v5-good-external"
  cluster = aws_ecs_cluster.good.id

  deployment_controller {
    type = "EXTERNAL"
  }
}

resource "aws_ecs_task_set" "good_private" {
  service         = aws_ecs_service.good_external.id
  cluster         = aws_ecs_cluster.good.id
  task_definition = aws_ecs_task_definition.good_arm.arn
  launch_type     = "FARGATE"

  network_configuration {
    subnets          = ["subnet-0123456789abcdef0"]
    security_groups  = [aws_security_group.good_app.id]
    assign_public_ip = false
  }
}

resource "aws_guardduty_detector" "good" {
  enable = true
}

resource "aws_guardduty_detector_feature" "good_runtime" {
  detector_id = aws_guardduty_detector.good.id
  name        = "RUNTIME_MONITORING"
  status      = "ENABLED"

  additional_configuration {
    name   = "ECS_FARGATE_AGENT_MANAGEMENT"
    status = "ENABLED"
  }
}

# Enhanced scanning of every repository on push: covers repositories without
# their own image_scanning_configuration.
resource "aws_ecr_registry_scanning_configuration" "good" {
  scan_type = "ENHANCED"

  rule {
    scan_frequency = "SCAN_ON_PUSH"
    repository_filter {
      filter      = "*"
      filter_type = "WILDCARD"
    }
  }
}

resource "aws_ecr_repository" "good_app" {
  name                 = "v5-app"
  image_tag_mutability = "IMMUTABLE"

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = aws_kms_key.good.arn
  }
}

resource "aws_ecr_lifecycle_policy" "good_app" {
  repository = aws_ecr_repository.good_app.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "keep 50 images"
      selection    = { tagStatus = "any", countType = "imageCountMoreThan", countNumber = 50 }
      action       = { type = "expire" }
    }]
  })
}

resource "aws_vpc_endpoint" "ecr_api" {
  vpc_id            = aws_vpc.main.id
  service_name      = "com.amazonaws.us-east-1.ecr.api"
  vpc_endpoint_type = "Interface"
}

resource "aws_vpc_endpoint" "ecr_dkr" {
  vpc_id            = aws_vpc.main.id
  service_name      = "com.amazonaws.us-east-1.ecr.dkr"
  vpc_endpoint_type = "Interface"
}

resource "aws_vpc_endpoint" "logs" {
  vpc_id            = aws_vpc.main.id
  service_name      = "com.amazonaws.us-east-1.logs"
  vpc_endpoint_type = "Interface"
}

resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.main.id
  service_name      = "com.amazonaws.us-east-1.s3"
  vpc_endpoint_type = "Gateway"
}
