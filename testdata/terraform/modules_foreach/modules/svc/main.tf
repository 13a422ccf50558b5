# One ECS service's building blocks: task role, task definition, security group,
# and (nested module) its log group.

variable "name" {
  type = string
}

variable "image" {
  type = string
}

variable "vpc_id" {
  type = string
}

variable "privileged" {
  type    = bool
  default = false
}

variable "allow_ssh_from_world" {
  type    = bool
  default = false
}

module "logs" {
  source = "../log_group"
  name   = "/ecs/${var.name}"
}

resource "aws_iam_role" "this" {
  name = "${var.name}-task"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
    }]
  })
}

resource "aws_ecs_task_definition" "this" {
  family                   = var.name
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "256"
  memory                   = "512"
  task_role_arn            = aws_iam_role.this.arn
  execution_role_arn       = aws_iam_role.this.arn

  container_definitions = jsonencode([
    {
      name                   = var.name
      image                  = var.image
      essential              = true
      privileged             = var.privileged
      user                   = var.privileged ? "root" : "1000:1000"
      readonlyRootFilesystem = !var.privileged
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = module.logs.name
          awslogs-region        = "us-east-1"
          awslogs-stream-prefix = var.name
        }
      }
    },
  ])
}

resource "aws_security_group" "this" {
  name   = "${var.name}-tasks"
  vpc_id = var.vpc_id

  ingress {
    description = "app port from inside the VPC"
    from_port   = 8080
    to_port     = 8080
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/16"]
  }

  dynamic "ingress" {
    for_each = var.allow_ssh_from_world ? [1] : []
    content {
      description = "ssh from anywhere"
      from_port   = 22
      to_port     = 22
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}

output "task_definition_arn" {
  value = aws_ecs_task_definition.this.arn
}
