# The secure counterpart of ecs_insecure. Resources meant to pass are named good_*.
#
# Note: aws_ecs_task_definition.good_app takes its secret's ARN by reference, so
# its whole container_definitions string is unknown at plan time (Terraform
# cannot jsonencode a partly-unknown value). good_worker has fully known
# container definitions with the same hardening, so checks can see the values.

locals {
  account_id      = "123456789012"
  region          = "us-east-1"
  private_subnets = ["subnet-0a1b2c3d4e5f70001", "subnet-0a1b2c3d4e5f70002"]
  public_subnets  = ["subnet-0a1b2c3d4e5f80001", "subnet-0a1b2c3d4e5f80002"]
  image           = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
}

# ---------------------------------------------------------------- KMS

resource "aws_kms_key" "good" {
  description         = "CMK for ECR, logs, secrets and the trail"
  enable_key_rotation = true
}

# ---------------------------------------------------------------- network

resource "aws_vpc" "good" {
  cidr_block           = "10.1.0.0/16"
  enable_dns_support   = true
  enable_dns_hostnames = true
}

resource "aws_cloudwatch_log_group" "good_flow_logs" {
  name              = "/vpc/good/flow-logs"
  retention_in_days = 365
  kms_key_id        = aws_kms_key.good.arn
}

resource "aws_iam_role" "good_flow_logs" {
  name = "good-vpc-flow-logs"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "vpc-flow-logs.amazonaws.com" }
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    }]
  })
}

resource "aws_iam_role_policy" "good_flow_logs" {
  name = "write-flow-logs"
  role = aws_iam_role.good_flow_logs.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
      Resource = "${aws_cloudwatch_log_group.good_flow_logs.arn}:*"
    }]
  })
}

resource "aws_flow_log" "good" {
  vpc_id          = aws_vpc.good.id
  traffic_type    = "ALL"
  log_destination = aws_cloudwatch_log_group.good_flow_logs.arn
  iam_role_arn    = aws_iam_role.good_flow_logs.arn
}

# Internet-facing load balancer: HTTPS (and HTTP only to redirect) from anywhere.
resource "aws_security_group" "good_lb" {
  name        = "good-alb"
  description = "Public HTTPS into the load balancer"
  vpc_id      = aws_vpc.good.id

  ingress {
    description = "https"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    description = "http, redirected to https"
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    description = "to the service inside the VPC"
    from_port   = 8080
    to_port     = 8080
    protocol    = "tcp"
    cidr_blocks = [aws_vpc.good.cidr_block]
  }
}

# The service only admits the load balancer's security group.
resource "aws_security_group" "good_service" {
  name        = "good-ecs-service"
  description = "Only the ALB may reach the tasks"
  vpc_id      = aws_vpc.good.id

  ingress {
    description     = "app port from the ALB"
    from_port       = 8080
    to_port         = 8080
    protocol        = "tcp"
    security_groups = [aws_security_group.good_lb.id]
  }

  egress {
    description = "https to VPC endpoints"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = [aws_vpc.good.cidr_block]
  }
}

resource "aws_security_group" "good_endpoints" {
  name        = "good-vpc-endpoints"
  description = "HTTPS from inside the VPC to interface endpoints"
  vpc_id      = aws_vpc.good.id

  ingress {
    description = "https from the VPC"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = [aws_vpc.good.cidr_block]
  }
}

resource "aws_vpc_endpoint" "good" {
  for_each = toset(["ecr.api", "ecr.dkr", "logs", "secretsmanager"])

  vpc_id              = aws_vpc.good.id
  service_name        = "com.amazonaws.${local.region}.${each.key}"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = local.private_subnets
  security_group_ids  = [aws_security_group.good_endpoints.id]
}

# ---------------------------------------------------------------- load balancer

resource "aws_lb" "good" {
  name                       = "good-alb"
  load_balancer_type         = "application"
  internal                   = false
  subnets                    = local.public_subnets
  security_groups            = [aws_security_group.good_lb.id]
  drop_invalid_header_fields = true
  enable_deletion_protection = true

  access_logs {
    bucket  = "tfecs-example-alb-logs"
    enabled = true
  }
}

resource "aws_lb_target_group" "good" {
  name        = "good-app"
  port        = 8080
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = aws_vpc.good.id

  health_check {
    path = "/healthz"
  }
}

resource "aws_lb_listener" "good_http_redirect" {
  load_balancer_arn = aws_lb.good.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_lb_listener" "good_https" {
  load_balancer_arn = aws_lb.good.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.good.arn
  }
}

# ---------------------------------------------------------------- ECR

resource "aws_ecr_repository" "good_app" {
  name                 = "app"
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }

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
      description  = "expire untagged images after 14 days"
      selection = {
        tagStatus   = "untagged"
        countType   = "sinceImagePushed"
        countUnit   = "days"
        countNumber = 14
      }
      action = { type = "expire" }
    }]
  })
}

# ---------------------------------------------------------------- secrets

resource "aws_secretsmanager_secret" "good_db" {
  name       = "good/db-password"
  kms_key_id = aws_kms_key.good.arn
}

resource "aws_secretsmanager_secret_rotation" "good_db" {
  secret_id           = aws_secretsmanager_secret.good_db.id
  rotation_lambda_arn = "arn:aws:lambda:us-east-1:123456789012:function:rotate-db-secret"

  rotation_rules {
    automatically_after_days = 30
  }
}

resource "aws_ssm_parameter" "good_api_token" {
  name   = "/app/api_token"
  type   = "SecureString"
  key_id = aws_kms_key.good.arn
  value  = "placeholder-rotated-out-of-band"
}

# ---------------------------------------------------------------- IAM

# Execution role: pull from the one repository, write to the one log group,
# read the one secret. Trust is limited to this account.
resource "aws_iam_role" "good_execution" {
  name = "good-ecs-execution"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Condition = {
        StringEquals = { "aws:SourceAccount" = local.account_id }
        ArnLike      = { "aws:SourceArn" = "arn:aws:ecs:${local.region}:${local.account_id}:*" }
      }
    }]
  })
}

data "aws_iam_policy_document" "good_execution" {
  statement {
    sid       = "EcrAuth"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # this action does not support resource-level permissions
  }

  statement {
    sid       = "PullAppImage"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
    resources = [aws_ecr_repository.good_app.arn]
  }

  statement {
    sid       = "WriteLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.good_app.arn}:*"]
  }

  statement {
    sid       = "ReadSecrets"
    actions   = ["secretsmanager:GetSecretValue", "ssm:GetParameters", "kms:Decrypt"]
    resources = [aws_secretsmanager_secret.good_db.arn, aws_ssm_parameter.good_api_token.arn, aws_kms_key.good.arn]
  }
}

resource "aws_iam_role_policy" "good_execution" {
  name   = "ecs-execution"
  role   = aws_iam_role.good_execution.id
  policy = data.aws_iam_policy_document.good_execution.json
}

# Task role: what the application itself may do.
resource "aws_iam_role" "good_task" {
  name = "good-ecs-task"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Condition = {
        StringEquals = { "aws:SourceAccount" = local.account_id }
      }
    }]
  })
}

resource "aws_iam_role_policy" "good_task" {
  name = "read-app-bucket"
  role = aws_iam_role.good_task.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = "arn:aws:s3:::tfecs-example-app-assets/*"
    }]
  })
}

# ---------------------------------------------------------------- ECS

resource "aws_ecs_cluster" "good" {
  name = "good-cluster"

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_cloudwatch_log_group" "good_app" {
  name              = "/ecs/good-app"
  retention_in_days = 365
  kms_key_id        = aws_kms_key.good.arn
}

resource "aws_ecs_task_definition" "good_app" {
  family                   = "good-app"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "256"
  memory                   = "512"
  execution_role_arn       = aws_iam_role.good_execution.arn
  task_role_arn            = aws_iam_role.good_task.arn

  container_definitions = jsonencode([
    {
      name                   = "app"
      image                  = local.image
      essential              = true
      user                   = "1000:1000"
      privileged             = false
      readonlyRootFilesystem = true
      linuxParameters = {
        capabilities       = { drop = ["ALL"] }
        initProcessEnabled = true
      }
      portMappings = [{ containerPort = 8080, protocol = "tcp" }]
      secrets = [
        { name = "DB_PASSWORD", valueFrom = aws_secretsmanager_secret.good_db.arn },
      ]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.good_app.name
          awslogs-region        = local.region
          awslogs-stream-prefix = "app"
        }
      }
    },
  ])
}

# Same hardening, but every value is known at plan time (the secret is an
# existing one, referenced by its literal ARN; the SSM parameter ARN is built
# from the parameter's known name).
resource "aws_ecs_task_definition" "good_worker" {
  family                   = "good-worker"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "256"
  memory                   = "512"
  execution_role_arn       = aws_iam_role.good_execution.arn
  task_role_arn            = aws_iam_role.good_task.arn

  container_definitions = jsonencode([
    {
      name                   = "worker"
      image                  = local.image
      essential              = true
      user                   = "1000:1000"
      privileged             = false
      readonlyRootFilesystem = true
      linuxParameters = {
        capabilities       = { drop = ["ALL"] }
        initProcessEnabled = true
      }
      secrets = [
        { name = "DB_PASSWORD", valueFrom = "arn:aws:secretsmanager:us-east-1:123456789012:secret:good/worker-db-AbCdEf" },
        { name = "API_TOKEN", valueFrom = "arn:aws:ssm:${local.region}:${local.account_id}:parameter${aws_ssm_parameter.good_api_token.name}" },
      ]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.good_app.name
          awslogs-region        = local.region
          awslogs-stream-prefix = "worker"
        }
      }
    },
  ])
}

resource "aws_ecs_service" "good" {
  name                   = "good-app"
  cluster                = aws_ecs_cluster.good.id
  task_definition        = aws_ecs_task_definition.good_app.arn
  desired_count          = 2
  launch_type            = "FARGATE"
  platform_version       = "LATEST"
  enable_execute_command = false
  propagate_tags         = "SERVICE"

  network_configuration {
    subnets          = local.private_subnets
    security_groups  = [aws_security_group.good_service.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.good.arn
    container_name   = "app"
    container_port   = 8080
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }
}

# ---------------------------------------------------------------- audit

resource "aws_cloudtrail" "good" {
  name                          = "good-trail"
  s3_bucket_name                = "tfecs-example-trail-logs"
  is_multi_region_trail         = true
  include_global_service_events = true
  enable_log_file_validation    = true
  kms_key_id                    = aws_kms_key.good.arn
}
