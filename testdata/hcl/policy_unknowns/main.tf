# IAM and ECR policy documents written with jsonencode() that mix literals with values
# Terraform knows only after apply (ARNs of resources created in the same change, the
# caller's account id, variables without a value). The known parts are judged; an
# unknown part that decides a statement's meaning leaves that statement unknown.
# Names: bad_* must fail, good_* give no finding, unknown_* give only unknown findings
# (for the rule named in tests/test_policy_unknowns.py).

# No default and no .tfvars: unknown until someone passes --var.
variable "actions" {
  type = list(string)
}

variable "effect" {
  type = string
}

variable "role_arns" {
  type = list(string)
}

variable "extra_statement" {
  type = any
}

variable "statements" {
  type = any
}

variable "oidc_issuer" {
  type = string
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

resource "aws_s3_bucket" "assets" {
  bucket = "tfecs-policy-unknowns-assets"
}

resource "aws_cloudwatch_log_group" "app" {
  name = "/ecs/app"
}

resource "aws_iam_role" "deployer" {
  name = "deployer"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::111122223333:root" }
    }]
  })
}

# --------------------------------------------------------------------- permissions policies

# An admin statement next to one whose Resource is known only after apply.
resource "aws_iam_policy" "bad_admin_next_to_arn" {
  name = "bad-admin-next-to-arn"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["s3:GetObject"], Resource = [aws_s3_bucket.assets.arn] },
      { Effect = "Allow", Action = "*", Resource = "*" },
    ]
  })
}

# The wildcard is a literal beside a computed ARN in the same list.
resource "aws_iam_role_policy" "bad_passrole_star_and_arn" {
  name = "bad-passrole-star-and-arn"
  role = aws_iam_role.deployer.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:PassRole"
      Resource = ["*", aws_iam_role.deployer.arn]
    }]
  })
}

resource "aws_iam_policy" "good_scoped" {
  name = "good-scoped"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["s3:GetObject", "s3:ListBucket"], Resource = [aws_s3_bucket.assets.arn, "${aws_s3_bucket.assets.arn}/*"] },
      { Effect = "Allow", Action = "iam:PassRole", Resource = [aws_iam_role.deployer.arn] },
    ]
  })
}

# A single string built from a computed ARN (a template): one specific resource.
resource "aws_iam_role_policy" "good_template_resource" {
  name = "good-template-resource"
  role = aws_iam_role.deployer.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = "${aws_cloudwatch_log_group.app.arn}:*"
    }]
  })
}

# Whatever the actions turn out to be, a Deny grants nothing.
resource "aws_iam_policy" "good_deny_unknown_actions" {
  name = "good-deny-unknown-actions"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Deny", Action = var.actions, Resource = "*" }]
  })
}

resource "aws_iam_policy" "unknown_actions" {
  name = "unknown-actions"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = var.actions, Resource = "*" }]
  })
}

resource "aws_iam_policy" "unknown_effect" {
  name = "unknown-effect"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = var.effect, Action = "*", Resource = "*" }]
  })
}

# The first statement is judged; the second is a whole unknown statement.
resource "aws_iam_policy" "unknown_second_statement" {
  name = "unknown-second-statement"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = "s3:GetObject", Resource = "${aws_s3_bucket.assets.arn}/*" },
      var.extra_statement,
    ]
  })
}

resource "aws_iam_policy" "unknown_statements" {
  name      = "unknown-statements"
  policy    = jsonencode({ Version = "2012-10-17", Statement = var.statements })
}

# A whole Resource list known only after apply: it could hold a `*`.
resource "aws_iam_role_policy" "unknown_resource_list" {
  name = "unknown-resource-list"
  role = aws_iam_role.deployer.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = var.role_arns }]
  })
}

# Resources known only after apply, but no rule's actions: whatever they are, it cannot fail.
resource "aws_iam_role_policy" "good_reads_unknown_resources" {
  name = "good-reads-unknown-resources"
  role = aws_iam_role.deployer.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = var.role_arns }]
  })
}

resource "aws_iam_role" "bad_inline_admin" {
  name               = "bad-inline-admin"
  assume_role_policy = aws_iam_role.deployer.assume_role_policy
  inline_policy {
    name = "admin"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = "s3:GetObject", Resource = ["${aws_s3_bucket.assets.arn}/*"] },
        { Effect = "Allow", Action = "*", Resource = "*" },
      ]
    })
  }
}

# --------------------------------------------------------------------------- trust policies

resource "aws_iam_role" "bad_trust_anyone_next_to_arn" {
  name = "bad-trust-anyone-next-to-arn"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = [aws_iam_role.deployer.arn] } },
      { Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "*" } },
    ]
  })
}

# The source account is known only after apply; the condition is there whatever it holds.
resource "aws_iam_role" "good_task_source_account" {
  name = "good-task-source-account"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Condition = { StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id } }
    }]
  })
}

# An OIDC (IRSA) trust policy: the condition key is known only after apply, but the
# principal is a Federated one, neither `*` nor ecs-tasks.amazonaws.com.
resource "aws_iam_role" "good_federated_unknown_condition" {
  name = "good-federated-unknown-condition"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/${var.oidc_issuer}" }
      Condition = { StringEquals = { "${var.oidc_issuer}:sub" = "system:serviceaccount:kube-system:app" } }
    }]
  })
}

# The same unknown condition key on a statement open to anyone: it may be no restriction.
resource "aws_iam_role" "unknown_anyone_condition" {
  name = "unknown-anyone-condition"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "*" }
      Condition = { StringEquals = { "${var.oidc_issuer}:sub" = "x" } }
    }]
  })
}

# A service principal computed at apply may be ecs-tasks.amazonaws.com, with no condition.
resource "aws_iam_role" "unknown_task_service" {
  name = "unknown-task-service"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.${data.aws_partition.current.dns_suffix}" }
    }]
  })
}

# ------------------------------------------------------------------- ECR repository policies

resource "aws_ecr_repository" "app" {
  name                 = "app"
  image_tag_mutability = "IMMUTABLE"
}

resource "aws_ecr_repository_policy" "bad_public_next_to_arn" {
  repository = aws_ecr_repository.app.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Principal = { AWS = [aws_iam_role.deployer.arn] }, Action = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"] },
      { Effect = "Allow", Principal = "*", Action = ["ecr:BatchGetImage"] },
    ]
  })
}

resource "aws_ecr_repository_policy" "good_role_arn" {
  repository = aws_ecr_repository.app.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = [aws_iam_role.deployer.arn] }
      Action    = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    }]
  })
}

# ------------------------------------------------------------------------------ task roles

resource "aws_iam_role" "task" {
  name = "task"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Condition = { StringEquals = { "aws:SourceAccount" = "111122223333" } }
    }]
  })
}

resource "aws_iam_role_policy" "bad_task_admin" {
  name = "bad-task-admin"
  role = aws_iam_role.task.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = "s3:GetObject", Resource = "${aws_s3_bucket.assets.arn}/*" },
      { Effect = "Allow", Action = "*", Resource = "*" },
    ]
  })
}

resource "aws_ecs_task_definition" "bad_admin_task" {
  family                   = "bad-admin-task"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  task_role_arn            = aws_iam_role.task.arn
  execution_role_arn       = aws_iam_role.deployer.arn
  container_definitions = jsonencode([{
    name      = "app"
    image     = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:0000000000000000000000000000000000000000000000000000000000000000"
    essential = true
  }])
}

resource "aws_iam_role" "task_later" {
  name               = "task-later"
  assume_role_policy = aws_iam_role.task.assume_role_policy
}

resource "aws_iam_role_policy" "unknown_task_actions" {
  name = "unknown-task-actions"
  role = aws_iam_role.task_later.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = var.actions, Resource = "*" }]
  })
}

resource "aws_ecs_task_definition" "unknown_task_role" {
  family                   = "unknown-task-role"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  task_role_arn            = aws_iam_role.task_later.arn
  execution_role_arn       = aws_iam_role.deployer.arn
  container_definitions = jsonencode([{
    name      = "app"
    image     = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:0000000000000000000000000000000000000000000000000000000000000000"
    essential = true
  }])
}
