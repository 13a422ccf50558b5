# What provider 5 can express and 3.39 could not, written insecurely.
# bad_* resources are meant to be flagged.

resource "aws_vpc" "main" {
  cidr_block = "10.40.0.0/16"
}

resource "aws_security_group" "web" {
  name   = "v5-bad-web"
  vpc_id = aws_vpc.main.id
}

# ip_protocol = "-1": every protocol and port, from anywhere.
resource "aws_vpc_security_group_ingress_rule" "bad_all_traffic" {
  security_group_id = aws_security_group.web.id
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

# SSH from every IPv6 address.
resource "aws_vpc_security_group_ingress_rule" "bad_ssh_ipv6" {
  security_group_id = aws_security_group.web.id
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv6         = "::/0"
}

# ECS Exec without logging, in the cluster's `configuration` block.
resource "aws_ecs_cluster" "bad" {
  name = "v5-bad"

  configuration {
    execute_command_configuration {
      logging = "NONE"
    }
  }

  setting {
    name  = "containerInsights"
    value = "disabled"
  }
}

# An ARM64 Linux task running as root with a mutable tag.
resource "aws_ecs_task_definition" "bad_arm" {
  family                   = "v5-bad-arm"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = 256
  memory                   = 512

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "ARM64"
  }

  container_definitions = jsonencode([
    {
      name      = "app"
      image     = "nginx:latest"
      essential = true
      user      = "root"
    },
  ])
}

# A Windows task on Fargate: ContainerAdministrator is the Windows root.
resource "aws_ecs_task_definition" "bad_windows" {
  family                   = "v5-bad-windows"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = 1024
  memory                   = 2048

  runtime_platform {
    operating_system_family = "WINDOWS_SERVER_2022_CORE"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([
    {
      name      = "iis"
      image     = "mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2022"
      essential = true
      user      = "ContainerAdministrator"
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = "/ecs/v5-bad-windows"
          awslogs-region        = "us-east-1"
          awslogs-stream-prefix = "iis"
        }
      }
    },
  ])
}

resource "aws_ecs_service" "external" {
  name    = "v5-bad-external"
  cluster = aws_ecs_cluster.bad.id

  deployment_controller {
    type = "EXTERNAL"
  }
}

# A task set (EXTERNAL deployment controller) with a public IP.
resource "aws_ecs_task_set" "bad_public" {
  service         = aws_ecs_service.external.id
  cluster         = aws_ecs_cluster.bad.id
  task_definition = aws_ecs_task_definition.bad_arm.arn
  launch_type     = "FARGATE"

  network_configuration {
    subnets          = ["subnet-0123456789abcdef0"]
    security_groups  = [aws_security_group.web.id]
    assign_public_ip = true
  }
}

# GuardDuty on, but ECS runtime monitoring explicitly off.
resource "aws_guardduty_detector" "bad" {
  enable = true
}

resource "aws_guardduty_detector_feature" "bad_runtime_off" {
  detector_id = aws_guardduty_detector.bad.id
  name        = "RUNTIME_MONITORING"
  status      = "DISABLED"
}

# Registry scanning that does not scan on push: it covers no repository, so bad_app
# (no scan_on_push of its own) is flagged.
resource "aws_ecr_registry_scanning_configuration" "manual_only" {
  scan_type = "BASIC"
}

resource "aws_ecr_repository" "bad_app" {
  name                 = "v5-bad-app"
  image_tag_mutability = "MUTABLE"
}
