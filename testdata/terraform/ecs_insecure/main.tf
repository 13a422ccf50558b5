# One ECS stack with as many insecure settings as the AWS provider 3.39 can express.
# Every resource meant to be flagged is named bad_*.

locals {
  subnets = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
}

# ---------------------------------------------------------------- network

# No aws_flow_log for this VPC.
resource "aws_vpc" "bad" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_security_group" "bad" {
  name        = "bad-ecs-service"
  description = "SSH open to the world"
  vpc_id      = aws_vpc.bad.id

  ingress {
    description = "ssh from anywhere"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

# All protocols, all ports, from any IPv6 address.
resource "aws_security_group_rule" "bad_all_ipv6" {
  type              = "ingress"
  security_group_id = aws_security_group.bad.id
  from_port         = 0
  to_port           = 0
  protocol          = "-1"
  ipv6_cidr_blocks  = ["::/0"]
}

# ---------------------------------------------------------------- load balancer

# drop_invalid_header_fields left at its default (false).
resource "aws_lb" "bad" {
  name               = "bad-alb"
  load_balancer_type = "application"
  internal           = false
  subnets            = local.subnets
  security_groups    = [aws_security_group.bad.id]
}

resource "aws_lb_target_group" "bad" {
  name        = "bad-app"
  port        = 8080
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = aws_vpc.bad.id
}

# Plain HTTP that forwards instead of redirecting to HTTPS.
resource "aws_lb_listener" "bad_http" {
  load_balancer_arn = aws_lb.bad.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.bad.arn
  }
}

# HTTPS with an outdated TLS policy (allows TLS 1.0).
resource "aws_lb_listener" "bad_https" {
  load_balancer_arn = aws_lb.bad.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-2016-08"
  certificate_arn   = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.bad.arn
  }
}

# ---------------------------------------------------------------- IAM

# Trusts ecs-tasks.amazonaws.com with no aws:SourceAccount / aws:SourceArn condition.
resource "aws_iam_role" "bad_task" {
  name = "bad-ecs-task"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "bad_task_admin" {
  role       = aws_iam_role.bad_task.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_role_policy" "bad_passrole" {
  name = "bad-passrole"
  role = aws_iam_role.bad_task.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:PassRole"
      Resource = "*"
    }]
  })
}

resource "aws_iam_policy" "bad_star" {
  name = "bad-star"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "*"
      Resource = "*"
    }]
  })
}

data "aws_iam_policy_document" "bad_s3" {
  statement {
    effect    = "Allow"
    actions   = ["s3:*"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "bad_s3" {
  name   = "bad-s3-everything"
  policy = data.aws_iam_policy_document.bad_s3.json
}

# Any AWS principal anywhere may assume this role.
resource "aws_iam_role" "bad_any_principal" {
  name = "bad-any-principal"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "*" }
    }]
  })
}

# ---------------------------------------------------------------- ECR

# MUTABLE tags, no scan on push, AES256 instead of a KMS CMK, no lifecycle policy.
resource "aws_ecr_repository" "bad" {
  name                 = "bad-app"
  image_tag_mutability = "MUTABLE"

  image_scanning_configuration {
    scan_on_push = false
  }

  encryption_configuration {
    encryption_type = "AES256"
  }
}

resource "aws_ecr_repository_policy" "bad_public" {
  repository = aws_ecr_repository.bad.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AnyoneCanPull"
      Effect    = "Allow"
      Principal = "*"
      Action    = ["ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage", "ecr:BatchCheckLayerAvailability"]
    }]
  })
}

# ---------------------------------------------------------------- ECS

# No containerInsights setting.
resource "aws_ecs_cluster" "bad" {
  name = "bad-cluster"
}

# Host networking / PID / IPC, privileged container, docker.sock mount,
# plaintext secret in environment, :latest and untagged images, no logging,
# no readonlyRootFilesystem, EFS without transit encryption.
resource "aws_ecs_task_definition" "bad_host" {
  family                   = "bad-host"
  network_mode             = "host"
  pid_mode                 = "host"
  ipc_mode                 = "host"
  requires_compatibilities = ["EC2"]
  task_role_arn            = aws_iam_role.bad_task.arn
  execution_role_arn       = aws_iam_role.bad_task.arn

  container_definitions = jsonencode([
    {
      name       = "bad-privileged"
      image      = "nginx:latest"
      essential  = true
      memory     = 512
      privileged = true
      linuxParameters = {
        capabilities = {
          add = ["SYS_ADMIN"]
        }
      }
      dockerSecurityOptions = ["seccomp:unconfined"]
      environment = [
        { name = "DB_PASSWORD", value = "hunter2" },
      ]
      mountPoints = [
        { sourceVolume = "docker-sock", containerPath = "/var/run/docker.sock", readOnly = false },
      ]
    },
    {
      name      = "bad-root"
      image     = "busybox"
      essential = false
      memory    = 128
      user      = "root"
      command   = ["sh", "-c", "sleep 3600"]
      mountPoints = [
        { sourceVolume = "shared-efs", containerPath = "/mnt/shared" },
      ]
    },
  ])

  volume {
    name      = "docker-sock"
    host_path = "/var/run/docker.sock"
  }

  volume {
    name = "shared-efs"

    efs_volume_configuration {
      file_system_id     = "fs-0123456789abcdef0"
      root_directory     = "/"
      transit_encryption = "DISABLED"
    }
  }
}

# The task definition the Fargate service runs: awsvpc is required for Fargate,
# but it still runs as root with a writable root filesystem and no log driver.
resource "aws_ecs_task_definition" "bad_fargate" {
  family                   = "bad-fargate"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "256"
  memory                   = "512"
  task_role_arn            = aws_iam_role.bad_task.arn
  execution_role_arn       = aws_iam_role.bad_task.arn

  container_definitions = jsonencode([
    {
      name      = "bad-web"
      image     = "nginx:latest"
      essential = true
      user      = "0"
      portMappings = [
        { containerPort = 8080, protocol = "tcp" },
      ]
      environment = [
        { name = "API_TOKEN", value = "not-a-real-token" },
      ]
    },
  ])
}

# Public IP, ECS Exec enabled, pinned to an old Fargate platform version.
resource "aws_ecs_service" "bad" {
  name                   = "bad-web"
  cluster                = aws_ecs_cluster.bad.id
  task_definition        = aws_ecs_task_definition.bad_fargate.arn
  desired_count          = 2
  launch_type            = "FARGATE"
  platform_version       = "1.3.0"
  enable_execute_command = true

  network_configuration {
    subnets          = local.subnets
    security_groups  = [aws_security_group.bad.id]
    assign_public_ip = true
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.bad.arn
    container_name   = "bad-web"
    container_port   = 8080
  }
}

# ---------------------------------------------------------------- secrets, audit, detection

# No aws_secretsmanager_secret_rotation, no CMK.
resource "aws_secretsmanager_secret" "bad_db" {
  name = "bad/db-password"
}

# A password stored as a plain String parameter.
resource "aws_ssm_parameter" "bad_db_password" {
  name  = "/app/db_password"
  type  = "String"
  value = "hunter2"
}

# Single-region trail without log file validation or KMS.
resource "aws_cloudtrail" "bad" {
  name                       = "bad-trail"
  s3_bucket_name             = "tfecs-example-trail-logs"
  is_multi_region_trail      = false
  enable_log_file_validation = false
}

# Enabled, but provider 3.39 cannot express ECS runtime monitoring features.
resource "aws_guardduty_detector" "bad" {
  enable = true
}
