variable "name" {
  type = string
}

variable "privileged" {
  type    = bool
  default = false
}

resource "aws_ecs_task_definition" "this" {
  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "256"
  memory                   = "512"
  container_definitions = jsonencode([{
    name       = var.name
    image      = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/${var.name}@sha256:0000000000000000000000000000000000000000000000000000000000000000"
    privileged = var.privileged
  }])
}
