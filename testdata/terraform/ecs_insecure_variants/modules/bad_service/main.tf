# A service with its own VPC, subnet and secret: public IP and ECS Exec come in as
# variables; its other task definition takes a sensitive variable.

variable "name" {
  type = string
}

variable "cluster_id" {
  type = string
}

variable "task_definition" {
  type = string
}

variable "public_ip" {
  type    = bool
  default = false
}

variable "enable_exec" {
  type    = bool
  default = false
}

variable "worker_opts" {
  type      = string
  sensitive = true
}

# No aws_flow_log for this VPC, and no interface endpoints for ECR or CloudWatch Logs.
resource "aws_vpc" "bad" {
  cidr_block = "10.42.0.0/16"
}

resource "aws_subnet" "bad" {
  vpc_id     = aws_vpc.bad.id
  cidr_block = "10.42.1.0/24"
}

# No aws_secretsmanager_secret_rotation.
resource "aws_secretsmanager_secret" "bad" {
  name = "${var.name}/api-credentials"
}

resource "aws_ecs_service" "bad" {
  name                   = var.name
  cluster                = var.cluster_id
  task_definition        = var.task_definition
  desired_count          = 1
  launch_type            = "FARGATE"
  enable_execute_command = var.enable_exec

  network_configuration {
    subnets          = [aws_subnet.bad.id]
    assign_public_ip = var.public_ip
  }
}

# EC2-compatible (requires_compatibilities unset) with no task role, an EFS volume with
# transit encryption left at its default, and an environment value from a sensitive
# variable.
resource "aws_ecs_task_definition" "bad_sensitive_env" {
  family = "${var.name}-opts-reader"

  container_definitions = jsonencode([
    {
      name                   = "opts-reader"
      image                  = "123456789012.dkr.ecr.us-east-1.amazonaws.com/worker:1.0.0"
      essential              = true
      memory                 = 256
      user                   = "1000"
      readonlyRootFilesystem = true
      linuxParameters        = { capabilities = { drop = ["ALL"] } }
      environment = [
        { name = "WORKER_OPTS", value = var.worker_opts },
      ]
      mountPoints = [
        { sourceVolume = "efs-data", containerPath = "/mnt/data", readOnly = true },
      ]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = "/ecs/opts-reader"
          awslogs-region        = "us-east-1"
          awslogs-stream-prefix = "opts-reader"
        }
      }
    },
  ])

  volume {
    name = "efs-data"

    efs_volume_configuration {
      file_system_id = "fs-0123456789abcdef0"
    }
  }
}
