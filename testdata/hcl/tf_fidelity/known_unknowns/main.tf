resource "aws_ecr_repository" "app" {
  name                 = "app"
  image_tag_mutability = "IMMUTABLE"
  image_scanning_configuration {
    scan_on_push = true
  }
}

locals {
  # An object with an unknown attribute is known not to be null.
  sidecar = {
    name       = "sidecar"
    image      = "${aws_ecr_repository.app.repository_url}@sha256:0123456789012345678901234567890123456789012345678901234567890123"
    privileged = true
  }
  containers = [for c in [local.sidecar] : c if c != null]
  # contains() finds a known element among unknown ones.
  runs_as_root = contains([aws_ecr_repository.app.arn, "0"], "0")
}

resource "aws_ecs_task_definition" "t" {
  family                = "t"
  network_mode          = "awsvpc"
  container_definitions = jsonencode([for c in local.containers : merge(c, { user = local.runs_as_root ? "0" : "1000" })])
}

resource "aws_iam_policy" "admin" {
  name   = "admin"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })
}

resource "aws_iam_role" "task" {
  name = "task"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ecs-tasks.amazonaws.com" } }]
  })
}

# The attachment's policy_arn comes through each.value: it still refers to the admin policy.
resource "aws_iam_role_policy_attachment" "task" {
  for_each   = { admin = aws_iam_policy.admin.arn }
  role       = aws_iam_role.task.name
  policy_arn = each.value
}

resource "aws_ecs_task_definition" "with_role" {
  family                = "with_role"
  network_mode          = "awsvpc"
  task_role_arn         = aws_iam_role.task.arn
  container_definitions = jsonencode([{ name = "a", image = "${aws_ecr_repository.app.repository_url}@sha256:0123456789012345678901234567890123456789012345678901234567890123" }])
}
