variable "name" {
  type = string
}

variable "image" {
  type = string
}

resource "aws_ecs_task_definition" "bad_in_module" {
  count = 1

  family                = "mod"
  container_definitions = jsonencode([{ name = var.name, image = var.image, privileged = true }])
}
