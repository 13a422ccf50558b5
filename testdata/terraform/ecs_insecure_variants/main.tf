# The same kinds of insecure settings as ecs_insecure, written the other ways real
# configurations write them: container definitions as a heredoc, from file() and from
# templatefile(); values through variables, locals and a local module; security group
# rules as separate resources; policy documents from data sources; the aws_alb alias.
# Every resource meant to be flagged is named bad_*.

variable "tag_mutability" {
  type    = string
  default = "MUTABLE"
}

variable "public_ip" {
  type    = bool
  default = true
}

# Marked sensitive, so the plan hides the whole container_definitions it ends up in.
variable "worker_opts" {
  type      = string
  sensitive = true
  default   = "opaque-value-1"
}

locals {
  subnets = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
  vpc_id  = "vpc-0123456789abcdef0"

  # One role for both task_role_arn and execution_role_arn.
  shared_role_arn = aws_iam_role.bad_shared.arn

  # A private key pasted into a label (not a real key).
  tls_key = "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\nKUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQ==\n-----END RSA PRIVATE KEY-----\n"
}

# ---------------------------------------------------------------- network

# Open on IPv4 and IPv6 in the same inline ingress block.
resource "aws_security_group" "bad_dual_stack" {
  name        = "bad-dual-stack"
  description = "admin port open on both stacks"
  vpc_id      = local.vpc_id

  ingress {
    description      = "admin console"
    from_port        = 8443
    to_port          = 8443
    protocol         = "tcp"
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }
}

resource "aws_security_group" "bad_rules" {
  name        = "bad-rules"
  description = "ingress declared through separate rule resources"
  vpc_id      = local.vpc_id
}

# Every protocol from anywhere (protocol -1 means every port, whatever from/to say).
resource "aws_security_group_rule" "bad_all_protocols" {
  type              = "ingress"
  security_group_id = aws_security_group.bad_rules.id
  from_port         = 0
  to_port           = 0
  protocol          = "-1"
  cidr_blocks       = ["0.0.0.0/0"]
}

# Every TCP port, spelled as a range.
resource "aws_security_group_rule" "bad_all_tcp" {
  type              = "ingress"
  security_group_id = aws_security_group.bad_rules.id
  from_port         = 0
  to_port           = 65535
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
}

# RDP from any IPv6 address.
resource "aws_security_group_rule" "bad_rdp_ipv6" {
  type              = "ingress"
  security_group_id = aws_security_group.bad_rules.id
  from_port         = 3389
  to_port           = 3389
  protocol          = "tcp"
  ipv6_cidr_blocks  = ["::/0"]
}

# ---------------------------------------------------------------- load balancer

# The old aws_alb alias; drop_invalid_header_fields left at false.
resource "aws_alb" "bad" {
  name            = "bad-alb-alias"
  internal        = false
  subnets         = local.subnets
  security_groups = [aws_security_group.bad_dual_stack.id]
}

# Plain HTTP answering itself instead of redirecting to HTTPS.
resource "aws_alb_listener" "bad_http_fixed" {
  load_balancer_arn = aws_alb.bad.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "fixed-response"

    fixed_response {
      content_type = "text/plain"
      message_body = "ok"
      status_code  = "200"
    }
  }
}

# HTTPS that still accepts TLS 1.1.
resource "aws_lb_listener" "bad_tls11" {
  load_balancer_arn = aws_alb.bad.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS-1-1-2017-01"
  certificate_arn   = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"

  default_action {
    type = "fixed-response"

    fixed_response {
      content_type = "text/plain"
      status_code  = "404"
    }
  }
}

# ---------------------------------------------------------------- IAM

# Trusts ecs-tasks.amazonaws.com with no aws:SourceAccount / aws:SourceArn condition.
data "aws_iam_policy_document" "bad_ecs_trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

# Any AWS principal, written through a policy document data source.
data "aws_iam_policy_document" "bad_any_trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}

# Task role and execution role at once (see local.shared_role_arn), with
# AdministratorAccess through managed_policy_arns.
resource "aws_iam_role" "bad_shared" {
  name                = "bad-shared"
  assume_role_policy  = data.aws_iam_policy_document.bad_ecs_trust.json
  managed_policy_arns = ["arn:aws:iam::aws:policy/AdministratorAccess"]
}

resource "aws_iam_role" "bad_any_principal" {
  name               = "bad-any-principal-doc"
  assume_role_policy = data.aws_iam_policy_document.bad_any_trust.json
}

resource "aws_iam_role" "bad_app_task" {
  name               = "bad-app-task"
  assume_role_policy = data.aws_iam_policy_document.bad_ecs_trust.json
}

# Everything except IAM on every resource: near-admin.
resource "aws_iam_policy" "bad_not_action" {
  name = "bad-not-action"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      NotAction = ["iam:*", "organizations:*"]
      Resource  = "*"
    }]
  })
}

# aws_iam_policy_attachment (exclusive) rather than aws_iam_role_policy_attachment.
resource "aws_iam_policy_attachment" "bad_not_action" {
  name       = "bad-not-action"
  roles      = [aws_iam_role.bad_app_task.name]
  policy_arn = aws_iam_policy.bad_not_action.arn
}

# All of IAM, and PassRole through a wildcard prefix.
resource "aws_iam_policy" "bad_iam" {
  name = "bad-iam"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "AllIam"
        Effect   = "Allow"
        Action   = "iam:*"
        Resource = "*"
      },
      {
        Sid      = "PassAnything"
        Effect   = "Allow"
        Action   = ["iam:Pass*"]
        Resource = ["*"]
      },
    ]
  })
}

# Reads every parameter and decrypts with every key.
resource "aws_iam_role_policy" "bad_secrets_read" {
  name = "bad-secrets-read"
  role = aws_iam_role.bad_app_task.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["ssm:GetParameters"]
        Resource = "*"
      },
      {
        Effect   = "Allow"
        Action   = "kms:Decrypt"
        Resource = ["*"]
      },
    ]
  })
}

# ---------------------------------------------------------------- ECR

# MUTABLE through a variable default, no scan on push, KMS with the AWS-managed key,
# no lifecycle policy.
resource "aws_ecr_repository" "bad_app" {
  name                 = "bad-variants-app"
  image_tag_mutability = var.tag_mutability

  encryption_configuration {
    encryption_type = "KMS"
  }
}

resource "aws_ecr_repository_policy" "bad_any_aws" {
  repository = aws_ecr_repository.bad_app.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AnyAccountCanPull"
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = ["ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
    }]
  })
}

# ---------------------------------------------------------------- ECS

# Container Insights explicitly off.
resource "aws_ecs_cluster" "bad" {
  name = "bad-variants"

  setting {
    name  = "containerInsights"
    value = "disabled"
  }
}

# Container definitions as a heredoc JSON string; no network_mode (bridge).
resource "aws_ecs_task_definition" "bad_heredoc" {
  family                   = "bad-heredoc"
  requires_compatibilities = ["EC2"]
  task_role_arn            = local.shared_role_arn
  execution_role_arn       = local.shared_role_arn

  container_definitions = <<-EOF
    [
      {
        "name": "bad-heredoc",
        "image": "registry.example.com:5000/app",
        "essential": true,
        "memory": 512,
        "privileged": true,
        "user": "0:0",
        "readonlyRootFilesystem": false,
        "linuxParameters": {
          "capabilities": {
            "add": ["ALL"]
          }
        },
        "dockerSecurityOptions": ["label:disable"],
        "environment": [
          {"name": "AWS_ACCESS_KEY_ID", "value": "AKIAIOSFODNN7EXAMPLE"},
          {"name": "AWS_SECRET_ACCESS_KEY", "value": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
        ],
        "mountPoints": [
          {"sourceVolume": "docker-data", "containerPath": "/var/lib/docker"}
        ]
      }
    ]
  EOF

  volume {
    name      = "docker-data"
    host_path = "/var/lib/docker"
  }
}

# Container definitions read from a file next to this one.
resource "aws_ecs_task_definition" "bad_file" {
  family                   = "bad-file"
  network_mode             = "bridge"
  requires_compatibilities = ["EC2"]
  task_role_arn            = aws_iam_role.bad_app_task.arn
  container_definitions    = file("${path.module}/containers.json")

  volume {
    name      = "host-root"
    host_path = "/"
  }

  volume {
    name      = "host-proc"
    host_path = "/proc"
  }
}

# Container definitions rendered from a template; run by the module's public service.
resource "aws_ecs_task_definition" "bad_template" {
  family                   = "bad-template"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "256"
  memory                   = "512"
  task_role_arn            = aws_iam_role.bad_app_task.arn
  execution_role_arn       = aws_iam_role.bad_app_task.arn

  container_definitions = templatefile("${path.module}/containers.json.tftpl", {
    name          = "bad-template"
    image         = "ghcr.io/org/app:latest"
    user          = "0"
    port          = 8080
    caps          = ["sys_ptrace", "CAP_NET_ADMIN"]
    slack_webhook = "https://hooks.slack.com/services/T0123ABCD/B0456EFGH/aBcDeFgHiJkLmNoPqRsTuVwX"
    jdbc_url      = "jdbc:postgresql://db.example.com:5432/app?user=app&password=Tr0ub4dor-and-3"
    tls_key       = local.tls_key
  })
}

module "bad_service" {
  source = "./modules/bad_service"

  name            = "bad-variants"
  cluster_id      = aws_ecs_cluster.bad.id
  task_definition = aws_ecs_task_definition.bad_template.arn
  public_ip       = var.public_ip
  enable_exec     = true
  worker_opts     = var.worker_opts
}

# ---------------------------------------------------------------- secrets, audit

# API keys as a plain StringList.
resource "aws_ssm_parameter" "bad_api_keys" {
  name  = "/app/api_keys"
  type  = "StringList"
  value = "k1-placeholder,k2-placeholder"
}

# Explicitly single-region (log file validation is on).
resource "aws_cloudtrail" "bad_single_region" {
  name                       = "bad-single-region"
  s3_bucket_name             = "tfecs-example-trail-logs"
  is_multi_region_trail      = false
  enable_log_file_validation = true
}
