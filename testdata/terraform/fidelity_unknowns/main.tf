# Issue 12, "unknown where Terraform knows": each resource below has a value that
# Terraform evaluates at plan time (offline: aws_partition and aws_iam_policy_document
# are computed by the provider without calling AWS). bad_* must be flagged, good_* pass.

data "aws_partition" "current" {}

locals {
  registry = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
  digest   = "sha256:4b1f1a7c2e3d4c5b6a79880716253443526170819a8b7c6d5e4f3a2b1c0d9e8f"
  logging = {
    logDriver = "awslogs"
    options = {
      awslogs-group         = "/ecs/fidelity"
      awslogs-region        = "us-east-1"
      awslogs-stream-prefix = "app"
    }
  }
  # A hardened container for task definitions whose point is elsewhere.
  good_container = {
    name                   = "app"
    image                  = "${local.registry}/app:1.4.2@${local.digest}"
    essential              = true
    user                   = "1000:1000"
    readonlyRootFilesystem = true
    linuxParameters        = { capabilities = { drop = ["ALL"] } }
    logConfiguration       = local.logging
  }
  ecs_trust = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = "123456789012" } }
    }]
  })
}

# --- `x != null` on an object with an unknown attribute is known (true).
resource "aws_cloudwatch_log_group" "app" {
  name = "/ecs/fidelity"
}

locals {
  log_target = {
    group_arn = aws_cloudwatch_log_group.app.arn # known after apply
    region    = "us-east-1"
  }
}

resource "aws_ecs_task_definition" "bad_null_check" {
  family = "fidelity-null-check"
  container_definitions = jsonencode([
    {
      name       = "app"
      image      = "nginx:latest"
      essential  = true
      privileged = true
      user       = "0"
      logConfiguration = local.log_target != null ? {
        logDriver = "awslogs"
        options = {
          awslogs-group         = "/ecs/fidelity"
          awslogs-region        = local.log_target.region
          awslogs-stream-prefix = "app"
        }
      } : null
    },
  ])
}

# --- One container takes a value from a data source; its sibling is privileged. The
# definitions drop null attributes the way popular container-definition modules do.
locals {
  sibling_raw = [
    merge(local.good_container, {
      environment = [{ name = "AWS_DNS_SUFFIX", value = data.aws_partition.current.dns_suffix }]
      command     = null
    }),
    {
      name             = "debug"
      image            = "busybox:latest"
      essential        = false
      privileged       = true
      user             = null
      logConfiguration = local.logging
    },
  ]
  sibling_definitions = [for c in local.sibling_raw : { for k, v in c : k => v if v != null }]
}

resource "aws_ecs_task_definition" "bad_sibling" {
  family                = "fidelity-sibling"
  container_definitions = jsonencode(local.sibling_definitions)
}

# --- An admin policy attached through for_each / each.value.
resource "aws_iam_role" "foreach_task" {
  name               = "fidelity-foreach-task"
  assume_role_policy = local.ecs_trust
}

resource "aws_iam_role_policy_attachment" "foreach_task" {
  for_each = {
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
    logs  = "arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess"
  }
  role       = aws_iam_role.foreach_task.name
  policy_arn = each.value
}

resource "aws_ecs_task_definition" "bad_foreach_admin" {
  family                = "fidelity-foreach-admin"
  task_role_arn         = aws_iam_role.foreach_task.arn
  container_definitions = jsonencode([local.good_container])
}

# --- The repository URL is known after apply, the tag is a literal.
resource "aws_ecr_repository" "app" {
  name                 = "fidelity-app"
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }
}

resource "aws_ecs_task_definition" "bad_ecr_latest" {
  family = "fidelity-ecr-latest"
  container_definitions = jsonencode([
    merge(local.good_container, { image = "${aws_ecr_repository.app.repository_url}:latest" }),
  ])
}

# --- A trust principal with a known prefix can never be ecs-tasks.amazonaws.com.
resource "aws_iam_role" "good_codebuild" {
  name = "fidelity-codebuild"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "codebuild.${data.aws_partition.current.dns_suffix}" }
      Action    = "sts:AssumeRole"
    }]
  })
}

# --- Policy documents merged by the provider, from literal inputs.
data "aws_iam_policy_document" "merged" {
  source_policy_documents = [jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "Logs"
      Effect   = "Allow"
      Action   = "logs:CreateLogStream"
      Resource = "*"
    }]
  })]

  statement {
    sid       = "Read"
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::fidelity-assets/*"]
  }

  override_policy_documents = [jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "Read"
      Effect   = "Allow"
      Action   = "*"
      Resource = "*"
    }]
  })]
}

resource "aws_iam_policy" "bad_merged_admin" {
  name   = "fidelity-merged-admin"
  policy = data.aws_iam_policy_document.merged.json
}

# --- AdministratorAccess in whatever partition.
resource "aws_iam_role" "partition_task" {
  name               = "fidelity-partition-task"
  assume_role_policy = local.ecs_trust
}

resource "aws_iam_role_policy_attachment" "partition_admin" {
  role       = aws_iam_role.partition_task.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AdministratorAccess"
}

resource "aws_ecs_task_definition" "bad_partition_admin" {
  family                = "fidelity-partition-admin"
  task_role_arn         = aws_iam_role.partition_task.arn
  container_definitions = jsonencode([local.good_container])
}
