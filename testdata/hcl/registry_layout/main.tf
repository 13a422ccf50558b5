locals {
  definitions = [for name in sort(keys(module.container)) : module.container[name].definition]
  tags        = merge({ Module = "registry-layout" }, var.tags)
}

module "container" {
  source   = "./modules/container"
  for_each = var.containers

  name                     = each.key
  image                    = each.value.image
  privileged               = try(each.value.privileged, false)
  readonly_root_filesystem = try(each.value.readonly_root_filesystem, true)
  port                     = lookup(each.value, "port", null)
  mount_points             = try(each.value.mount_points, [])
  log_group                = "/ecs/${var.name}"
}

resource "aws_iam_role" "task" {
  count = var.create ? 1 : 0

  name               = "${var.name}-task"
  assume_role_policy = file("${path.module}/policies/ecs-tasks-trust.json")
  tags               = local.tags
}

resource "aws_ecs_task_definition" "this" {
  count = var.create ? 1 : 0

  family                   = var.name
  network_mode             = var.network_mode
  requires_compatibilities = ["FARGATE"]
  cpu                      = 256
  memory                   = 512
  task_role_arn            = aws_iam_role.task[0].arn
  execution_role_arn       = aws_iam_role.task[0].arn
  container_definitions    = jsonencode(local.definitions)

  dynamic "volume" {
    for_each = var.volumes

    content {
      name      = volume.key
      host_path = lookup(volume.value, "host_path", null)

      dynamic "efs_volume_configuration" {
        for_each = lookup(volume.value, "efs", null) != null ? [volume.value.efs] : []
        iterator = efs

        content {
          file_system_id     = efs.value.file_system_id
          transit_encryption = try(efs.value.transit_encryption, "ENABLED")
        }
      }
    }
  }

  tags = local.tags
}

resource "aws_security_group" "this" {
  count = var.create ? 1 : 0

  name_prefix = "${var.name}-"
  description = "Tasks of ${var.name}"

  dynamic "ingress" {
    for_each = length(var.ingress_cidrs) > 0 ? [var.container_port] : []

    content {
      description = "container port"
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = var.ingress_cidrs
    }
  }
}

resource "aws_ecs_service" "this" {
  count = var.create ? 1 : 0

  name            = var.name
  task_definition = aws_ecs_task_definition.this[0].arn
  launch_type     = "FARGATE"
  desired_count   = 1

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [aws_security_group.this[0].id]
    assign_public_ip = var.assign_public_ip
  }
}
