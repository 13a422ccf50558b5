# Builds one container definition object; creates nothing.
locals {
  definition = {
    name                   = var.name
    image                  = var.image
    essential              = true
    privileged             = var.privileged ? true : null
    readonlyRootFilesystem = var.readonly_root_filesystem
    user                   = "1000:1000"
    portMappings           = var.port != null ? [{ containerPort = var.port, protocol = "tcp" }] : null
    mountPoints            = length(var.mount_points) > 0 ? var.mount_points : null
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = var.log_group
        awslogs-region        = "us-east-1"
        awslogs-stream-prefix = var.name
      }
    }
  }
}
