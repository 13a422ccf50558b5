# A second secure ECS stack, hardened in other ways than ecs_hardened: nothing
# here may be flagged. Every resource is named good_*.
#
# - services on a FARGATE/FARGATE_SPOT capacity provider strategy (no
#   platform_version), on EC2 with awsvpc, and a Windows task on EC2 (provider
#   3.39 has no runtime_platform: Windows is chosen by the placement constraint
#   `attribute:ecs.os-type == windows`, the way 3.x users pinned Windows tasks);
# - several containers per task: an init container with dependsOn, a FireLens
#   log router (`awsfirelens` log driver for the others);
# - images from public.ecr.aws by digest and from private ECR by tag + digest;
# - secrets from SSM SecureString parameters (KMS) and Secrets Manager JSON keys;
#   environment variables whose names sound secret but whose values are not;
# - security group rules as aws_security_group_rule, ingress only from the load
#   balancer's group, egress-only 443 to the world;
# - public ALB on 80/443 with a redirect and a TLS 1.3 policy; internal NLB with
#   a TLS listener;
# - IAM from data.aws_iam_policy_document with conditions; a trust policy with
#   only aws:SourceArn; ecr:GetAuthorizationToken on "*"; AWS-managed
#   execution policy attached;
# - ECR lifecycle policy by repository name and by id, repository policy for an
#   organisation; Secrets Manager rotation by ARN; multi-region trail; VPC with a
#   flow log to S3 and the interface endpoints.

locals {
  account_id = "123456789012"
  region     = "us-east-1"
  cluster    = "good-variants"

  app_image     = "123456789012.dkr.ecr.us-east-1.amazonaws.com/variants/app:1.4.2@sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
  migrate_image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/variants/app:1.4.2-migrate@sha256:fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9"
  fluentbit     = "public.ecr.aws/aws-observability/aws-for-fluent-bit@sha256:b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c"
  windows_image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/variants/win-app:2.0.0@sha256:7d865e959b2466918c9863afca942d0fb89d7c9ac0c99bafc3749504ded97730"

  cluster_arn = "arn:aws:ecs:${local.region}:${local.account_id}:cluster/${local.cluster}"

  # Secrets that already exist, referenced by literal ARN (Secrets Manager JSON key).
  api_key_secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:good/variants/api-AbCdEf:api_key::"
}

# ---------------------------------------------------------------- KMS

resource "aws_kms_key" "good_variants" {
  description             = "CMK for the variants stack"
  enable_key_rotation     = true
  deletion_window_in_days = 30
}

resource "aws_kms_alias" "good_variants" {
  name          = "alias/good-variants"
  target_key_id = aws_kms_key.good_variants.key_id
}

# ---------------------------------------------------------------- network

resource "aws_vpc" "good_variants" {
  cidr_block           = "10.20.0.0/16"
  enable_dns_support   = true
  enable_dns_hostnames = true
}

resource "aws_subnet" "good_private_a" {
  vpc_id            = aws_vpc.good_variants.id
  cidr_block        = "10.20.1.0/24"
  availability_zone = "us-east-1a"
}

resource "aws_subnet" "good_private_b" {
  vpc_id            = aws_vpc.good_variants.id
  cidr_block        = "10.20.2.0/24"
  availability_zone = "us-east-1b"
}

resource "aws_subnet" "good_public_a" {
  vpc_id            = aws_vpc.good_variants.id
  cidr_block        = "10.20.101.0/24"
  availability_zone = "us-east-1a"
}

resource "aws_subnet" "good_public_b" {
  vpc_id            = aws_vpc.good_variants.id
  cidr_block        = "10.20.102.0/24"
  availability_zone = "us-east-1b"
}

# Flow logs straight to S3: no IAM role needed.
resource "aws_flow_log" "good_variants" {
  vpc_id               = aws_vpc.good_variants.id
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::tfecs-example-flow-logs/variants/"
}

# Load balancer group: only rule resources, no inline blocks.
resource "aws_security_group" "good_alb" {
  name        = "good-variants-alb"
  description = "Public web traffic into the ALB"
  vpc_id      = aws_vpc.good_variants.id
}

resource "aws_security_group_rule" "good_alb_https" {
  type              = "ingress"
  description       = "https from anywhere"
  security_group_id = aws_security_group.good_alb.id
  protocol          = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_blocks       = ["0.0.0.0/0"]
  ipv6_cidr_blocks  = ["::/0"]
}

resource "aws_security_group_rule" "good_alb_http" {
  type              = "ingress"
  description       = "http from anywhere, redirected to https"
  security_group_id = aws_security_group.good_alb.id
  protocol          = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_blocks       = ["0.0.0.0/0"]
}

resource "aws_security_group_rule" "good_alb_to_web" {
  type                     = "egress"
  description              = "to the web tasks"
  security_group_id        = aws_security_group.good_alb.id
  protocol                 = "tcp"
  from_port                = 8080
  to_port                  = 8080
  source_security_group_id = aws_security_group.good_web.id
}

# The web tasks admit only the ALB's group; they reach AWS APIs over 443.
resource "aws_security_group" "good_web" {
  name        = "good-variants-web"
  description = "Web tasks behind the ALB"
  vpc_id      = aws_vpc.good_variants.id
}

resource "aws_security_group_rule" "good_web_from_alb" {
  type                     = "ingress"
  description              = "app port from the ALB only"
  security_group_id        = aws_security_group.good_web.id
  protocol                 = "tcp"
  from_port                = 8080
  to_port                  = 8080
  source_security_group_id = aws_security_group.good_alb.id
}

resource "aws_security_group_rule" "good_web_egress_https" {
  type              = "egress"
  description       = "https out (AWS APIs, identity provider)"
  security_group_id = aws_security_group.good_web.id
  protocol          = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_blocks       = ["0.0.0.0/0"]
}

# Tasks behind the internal NLB: NLB targets see the VPC's addresses.
resource "aws_security_group" "good_ec2_tasks" {
  name        = "good-variants-ec2-tasks"
  description = "Tasks behind the internal NLB"
  vpc_id      = aws_vpc.good_variants.id

  ingress {
    description = "tls from inside the VPC (NLB)"
    from_port   = 8443
    to_port     = 8443
    protocol    = "tcp"
    cidr_blocks = [aws_vpc.good_variants.cidr_block]
  }

  ingress {
    description = "members of this group"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    self        = true
  }

  egress {
    description = "https out"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "good_endpoints" {
  name        = "good-variants-endpoints"
  description = "Interface endpoints"
  vpc_id      = aws_vpc.good_variants.id
}

resource "aws_security_group_rule" "good_endpoints_https" {
  type              = "ingress"
  description       = "https from the VPC"
  security_group_id = aws_security_group.good_endpoints.id
  protocol          = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_blocks       = [aws_vpc.good_variants.cidr_block]
}

resource "aws_vpc_endpoint" "good_ecr_api" {
  vpc_id              = aws_vpc.good_variants.id
  service_name        = "com.amazonaws.us-east-1.ecr.api"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = [aws_subnet.good_private_a.id, aws_subnet.good_private_b.id]
  security_group_ids  = [aws_security_group.good_endpoints.id]
}

resource "aws_vpc_endpoint" "good_ecr_dkr" {
  vpc_id              = aws_vpc.good_variants.id
  service_name        = "com.amazonaws.us-east-1.ecr.dkr"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = [aws_subnet.good_private_a.id, aws_subnet.good_private_b.id]
  security_group_ids  = [aws_security_group.good_endpoints.id]
}

resource "aws_vpc_endpoint" "good_logs" {
  vpc_id              = aws_vpc.good_variants.id
  service_name        = "com.amazonaws.${local.region}.logs"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = [aws_subnet.good_private_a.id, aws_subnet.good_private_b.id]
  security_group_ids  = [aws_security_group.good_endpoints.id]
}

resource "aws_vpc_endpoint" "good_secretsmanager" {
  vpc_id              = aws_vpc.good_variants.id
  service_name        = "com.amazonaws.${local.region}.secretsmanager"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = [aws_subnet.good_private_a.id, aws_subnet.good_private_b.id]
  security_group_ids  = [aws_security_group.good_endpoints.id]
}

resource "aws_vpc_endpoint" "good_ssm" {
  vpc_id              = aws_vpc.good_variants.id
  service_name        = "com.amazonaws.${local.region}.ssm"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = [aws_subnet.good_private_a.id, aws_subnet.good_private_b.id]
  security_group_ids  = [aws_security_group.good_endpoints.id]
}

resource "aws_vpc_endpoint" "good_s3" {
  vpc_id            = aws_vpc.good_variants.id
  service_name      = "com.amazonaws.${local.region}.s3"
  vpc_endpoint_type = "Gateway"
}

# ---------------------------------------------------------------- load balancers

resource "aws_lb" "good_public" {
  name                       = "good-variants-public"
  internal                   = false
  security_groups            = [aws_security_group.good_alb.id]
  subnets                    = [aws_subnet.good_public_a.id, aws_subnet.good_public_b.id]
  drop_invalid_header_fields = true
  ip_address_type            = "dualstack"
}

resource "aws_lb_target_group" "good_web" {
  name        = "good-variants-web"
  port        = 8080
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = aws_vpc.good_variants.id
}

resource "aws_alb_listener" "good_http" {
  load_balancer_arn = aws_lb.good_public.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      protocol    = "HTTPS"
      port        = "443"
      status_code = "HTTP_302"
    }
  }
}

resource "aws_lb_listener" "good_https" {
  load_balancer_arn = aws_lb.good_public.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
  certificate_arn   = "arn:aws:acm:us-east-1:123456789012:certificate/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"

  default_action {
    type = "fixed-response"

    fixed_response {
      content_type = "text/plain"
      status_code  = "404"
    }
  }
}

resource "aws_lb_listener_rule" "good_web" {
  listener_arn = aws_lb_listener.good_https.arn
  priority     = 10

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.good_web.arn
  }

  condition {
    path_pattern {
      values = ["/*"]
    }
  }
}

# Internal NLB: no security groups in 3.39, no HTTP parsing (drop_invalid_header_fields
# does not apply).
resource "aws_lb" "good_internal_nlb" {
  name               = "good-variants-nlb"
  load_balancer_type = "network"
  internal           = true
  subnets            = [aws_subnet.good_private_a.id, aws_subnet.good_private_b.id]
}

resource "aws_lb_target_group" "good_ec2" {
  name        = "good-variants-ec2"
  port        = 8443
  protocol    = "TLS"
  target_type = "ip"
  vpc_id      = aws_vpc.good_variants.id
}

resource "aws_lb_listener" "good_nlb_tls" {
  load_balancer_arn = aws_lb.good_internal_nlb.arn
  port              = 443
  protocol          = "TLS"
  ssl_policy        = "ELBSecurityPolicy-FS-1-2-Res-2020-10"
  certificate_arn   = "arn:aws:acm:us-east-1:123456789012:certificate/aaaaaaaa-bbbb-cccc-dddd-ffffffffffff"
  alpn_policy       = "HTTP2Preferred"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.good_ec2.arn
  }
}

# Plain TCP for a non-HTTP protocol: no TLS policy, no redirect applies.
resource "aws_lb_listener" "good_nlb_tcp" {
  load_balancer_arn = aws_lb.good_internal_nlb.arn
  port              = 6379
  protocol          = "TCP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.good_ec2.arn
  }
}

# ---------------------------------------------------------------- ECR

resource "aws_ecr_repository" "good_app" {
  name                 = "variants/app"
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = aws_kms_key.good_variants.arn
  }
}

resource "aws_ecr_lifecycle_policy" "good_app" {
  repository = aws_ecr_repository.good_app.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "keep the last 50 release images"
      selection = {
        tagStatus     = "tagged"
        tagPrefixList = ["1."]
        countType     = "imageCountMoreThan"
        countNumber   = 50
      }
      action = { type = "expire" }
    }]
  })
}

resource "aws_ecr_repository" "good_win_app" {
  name                 = "variants/win-app"
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = aws_kms_alias.good_variants.target_key_arn
  }
}

# The repository's id is its name.
resource "aws_ecr_lifecycle_policy" "good_win_app" {
  repository = aws_ecr_repository.good_win_app.id
  policy     = file("${path.module}/lifecycle.json")
}

# Pull access for the whole organisation: Principal "*" narrowed by a condition.
resource "aws_ecr_repository_policy" "good_app_org_pull" {
  repository = aws_ecr_repository.good_app.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "OrgPull"
      Effect    = "Allow"
      Principal = "*"
      Action    = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
      Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-abcde12345" } }
    }]
  })
}

# ---------------------------------------------------------------- secrets

resource "aws_secretsmanager_secret" "good_db" {
  name        = "good/variants/db"
  description = "database credentials, rotated monthly"
  kms_key_id  = aws_kms_alias.good_variants.arn
}

resource "aws_secretsmanager_secret_rotation" "good_db" {
  secret_id           = aws_secretsmanager_secret.good_db.arn
  rotation_lambda_arn = "arn:aws:lambda:us-east-1:123456789012:function:rotate-variants-db"

  rotation_rules {
    automatically_after_days = 30
  }
}

resource "aws_ssm_parameter" "good_db_password" {
  name        = "/good/variants/db_password"
  description = "database password"
  type        = "SecureString"
  key_id      = aws_kms_key.good_variants.key_id
  value       = "placeholder-rotated-out-of-band"
}

# Plain-text configuration whose names mention passwords and tokens but hold numbers.
resource "aws_ssm_parameter" "good_password_min_length" {
  name        = "/good/variants/password_min_length"
  description = "minimum length of user passwords"
  type        = "String"
  value       = "12"
}

resource "aws_ssm_parameter" "good_token_ttl" {
  name  = "/good/variants/token_ttl_seconds"
  type  = "String"
  value = "3600"
}

# ---------------------------------------------------------------- IAM

data "aws_iam_policy_document" "good_ecs_tasks_trust" {
  statement {
    sid     = "EcsTasks"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    # aws:SourceArn alone binds the role to this account's tasks.
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:aws:ecs:${local.region}:${local.account_id}:*"]
    }
  }
}

resource "aws_iam_role" "good_execution" {
  name               = "good-variants-execution"
  assume_role_policy = data.aws_iam_policy_document.good_ecs_tasks_trust.json
}

# The AWS-managed execution policy (ECR pull, logs) plus what it lacks.
resource "aws_iam_role_policy_attachment" "good_execution_managed" {
  role       = aws_iam_role.good_execution.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

data "aws_iam_policy_document" "good_execution" {
  statement {
    sid       = "EcrAuth"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid = "PullImages"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:GetDownloadUrlForLayer",
      "ecr:BatchGetImage",
    ]
    resources = [aws_ecr_repository.good_app.arn, aws_ecr_repository.good_win_app.arn]
  }

  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.good_variants.arn}:log-stream:*"]
  }

  statement {
    sid       = "Parameters"
    actions   = ["ssm:GetParameters"]
    resources = ["arn:aws:ssm:${local.region}:${local.account_id}:parameter/good/variants/*"]
  }

  statement {
    sid       = "Secrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.good_db.arn, "arn:aws:secretsmanager:us-east-1:123456789012:secret:good/variants/api-*"]
  }

  statement {
    sid       = "DecryptThroughSsmAndSecretsManager"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.good_variants.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["ssm.${local.region}.amazonaws.com", "secretsmanager.${local.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_policy" "good_execution" {
  name   = "good-variants-execution"
  policy = data.aws_iam_policy_document.good_execution.json
}

resource "aws_iam_role_policy_attachment" "good_execution" {
  role       = aws_iam_role.good_execution.name
  policy_arn = aws_iam_policy.good_execution.arn
}

resource "aws_iam_role" "good_web_task" {
  name               = "good-variants-web-task"
  assume_role_policy = data.aws_iam_policy_document.good_ecs_tasks_trust.json
}

data "aws_iam_policy_document" "good_web_task" {
  statement {
    sid       = "ShipLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["${aws_cloudwatch_log_group.good_variants.arn}:*"]
  }

  statement {
    sid       = "StartBatchTasksInThisCluster"
    actions   = ["ecs:RunTask"]
    resources = ["arn:aws:ecs:${local.region}:${local.account_id}:task-definition/good-variants-ec2:*"]

    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [local.cluster_arn]
    }
  }

  statement {
    sid       = "PassTheBatchRoles"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.good_execution.arn, aws_iam_role.good_ec2_task.arn]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }

  statement {
    sid       = "DescribeTasks"
    actions   = ["ecs:DescribeTasks"]
    resources = ["arn:aws:ecs:${local.region}:${local.account_id}:task/${local.cluster}/*"]
  }
}

resource "aws_iam_role_policy" "good_web_task" {
  name   = "web-task"
  role   = aws_iam_role.good_web_task.id
  policy = data.aws_iam_policy_document.good_web_task.json
}

# EC2-launch task role written as JSON with both source conditions; inline policy block.
resource "aws_iam_role" "good_ec2_task" {
  name = "good-variants-ec2-task"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = ["ecs-tasks.amazonaws.com"] }
      Condition = {
        ArnLike      = { "aws:SourceArn" = "arn:aws:ecs:${local.region}:${local.account_id}:*" }
        StringEquals = { "aws:SourceAccount" = local.account_id }
      }
    }]
  })

  inline_policy {
    name = "queue"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Effect   = "Allow"
        Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
        Resource = "arn:aws:sqs:us-east-1:123456789012:good-variants-jobs"
      }]
    })
  }
}

resource "aws_iam_role" "good_windows_task" {
  name                = "good-variants-windows-task"
  assume_role_policy  = data.aws_iam_policy_document.good_ecs_tasks_trust.json
  managed_policy_arns = ["arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"]
}

resource "aws_efs_file_system" "good_variants" {
  encrypted  = true
  kms_key_id = aws_kms_key.good_variants.arn
}

resource "aws_efs_access_point" "good_variants" {
  file_system_id = aws_efs_file_system.good_variants.id

  posix_user {
    uid = 10001
    gid = 10001
  }
}

# Guard rails: a Deny with NotAction is not a grant.
data "aws_iam_policy_document" "good_region_guard" {
  statement {
    sid           = "DenyOutsideUsEast1"
    effect        = "Deny"
    not_actions   = ["iam:*", "sts:*", "cloudfront:*", "route53:*", "support:*"]
    resources     = ["*"]

    condition {
      test     = "StringNotEquals"
      variable = "aws:RequestedRegion"
      values   = [local.region]
    }
  }

  statement {
    sid       = "ReadOnlyDescribe"
    actions   = ["ecs:Describe*", "ecs:List*", "ecr:Describe*"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "good_region_guard" {
  name   = "good-variants-region-guard"
  policy = data.aws_iam_policy_document.good_region_guard.json
}

# Cross-account deploy role: a named account with an external id; a GitHub OIDC role.
resource "aws_iam_role" "good_deploy" {
  name = "good-variants-deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Action    = "sts:AssumeRole"
        Principal = { AWS = "arn:aws:iam::210987654321:root" }
        Condition = { StringEquals = { "sts:ExternalId" = "good-variants-deploy" } }
      },
      {
        Effect    = "Allow"
        Action    = "sts:AssumeRoleWithWebIdentity"
        Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
        Condition = {
          StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
          StringLike   = { "token.actions.githubusercontent.com:sub" = "repo:example/good-variants:ref:refs/heads/main" }
        }
      },
      {
        Effect    = "Allow"
        Action    = "sts:AssumeRole"
        Principal = { AWS = "*" }
        Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-abcde12345" } }
      },
    ]
  })
  managed_policy_arns = [aws_iam_policy.good_region_guard.arn]
}

data "aws_iam_policy_document" "good_deploy" {
  statement {
    sid       = "RegisterTaskDefinitions"
    actions   = ["ecs:RegisterTaskDefinition", "ecs:DescribeTaskDefinition"]
    resources = ["*"] # neither action supports resource-level permissions
  }

  statement {
    sid       = "UpdateTheServices"
    actions   = ["ecs:UpdateService", "ecs:DescribeServices"]
    resources = [aws_ecs_service.good_web.id, aws_ecs_service.good_ec2.id]
  }

  statement {
    sid       = "PassTaskRoles"
    actions   = ["iam:PassRole"]
    resources = ["*"]

    condition {
      test     = "StringLike"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }

  statement {
    sid       = "PushImages"
    actions   = ["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:BatchCheckLayerAvailability"]
    resources = [aws_ecr_repository.good_app.arn]
  }
}

resource "aws_iam_role_policy" "good_deploy" {
  name   = "deploy"
  role   = aws_iam_role.good_deploy.name
  policy = data.aws_iam_policy_document.good_deploy.json
}

resource "aws_security_group_rule" "good_alb_https_numeric_protocol" {
  type              = "ingress"
  description       = "https over ipv6 (protocol number 6 is tcp)"
  security_group_id = aws_security_group.good_alb.id
  protocol          = "6"
  from_port         = 443
  to_port           = 443
  ipv6_cidr_blocks  = ["2001:db8::/32"]
}

resource "aws_security_group_rule" "good_ec2_tasks_from_prefix_list" {
  type              = "ingress"
  description       = "ops bastions by prefix list"
  security_group_id = aws_security_group.good_ec2_tasks.id
  protocol          = "tcp"
  from_port         = 8443
  to_port           = 8443
  prefix_list_ids   = ["pl-0123456789abcdef0"]
}

# ---------------------------------------------------------------- ECS

resource "aws_ecs_cluster" "good_variants" {
  name               = local.cluster
  capacity_providers = ["FARGATE", "FARGATE_SPOT"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
  }

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_cloudwatch_log_group" "good_variants" {
  name              = "/ecs/good-variants"
  retention_in_days = 400
  kms_key_id        = aws_kms_key.good_variants.arn
}

# Fargate web task: init container, app, FireLens log router.
resource "aws_ecs_task_definition" "good_web" {
  family                   = "good-variants-web"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "512"
  memory                   = "1024"
  execution_role_arn       = aws_iam_role.good_execution.arn
  task_role_arn            = aws_iam_role.good_web_task.arn

  volume {
    name = "fluent-bit-tmp"
  }

  volume {
    name = "app-tmp"
  }

  container_definitions = jsonencode([
    {
      name                   = "log_router"
      image                  = local.fluentbit
      essential              = true
      user                   = "1000:1000"
      readonlyRootFilesystem = true
      linuxParameters        = { capabilities = { drop = ["ALL"] } }
      firelensConfiguration = {
        type    = "fluentbit"
        options = { "enable-ecs-log-metadata" = "true" }
      }
      mountPoints = [{ sourceVolume = "fluent-bit-tmp", containerPath = "/tmp", readOnly = false }]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          "awslogs-group"         = aws_cloudwatch_log_group.good_variants.name
          "awslogs-region"        = local.region
          "awslogs-stream-prefix" = "firelens"
        }
      }
    },
    {
      name                   = "migrate"
      image                  = local.migrate_image
      essential              = false
      user                   = "app"
      readonlyRootFilesystem = true
      command                = ["migrate", "--to", "latest"]
      linuxParameters = {
        capabilities       = { drop = ["ALL"] }
        initProcessEnabled = true
      }
      dependsOn = [{ containerName = "log_router", condition = "START" }]
      secrets = [
        { name = "DB_PASSWORD", valueFrom = "arn:aws:ssm:${local.region}:${local.account_id}:parameter${aws_ssm_parameter.good_db_password.name}" },
      ]
      logConfiguration = {
        logDriver = "awsfirelens"
        options = {
          Name              = "cloudwatch_logs"
          region            = local.region
          log_group_name    = aws_cloudwatch_log_group.good_variants.name
          log_stream_prefix = "migrate/"
        }
      }
    },
    {
      name                   = "app"
      image                  = local.app_image
      essential              = true
      user                   = "10001"
      privileged             = false
      readonlyRootFilesystem = true
      linuxParameters = {
        capabilities       = { drop = ["all"], add = ["NET_BIND_SERVICE"] }
        initProcessEnabled = true
      }
      dependsOn = [
        { containerName = "migrate", condition = "SUCCESS" },
        { containerName = "log_router", condition = "START" },
      ]
      portMappings = [{ containerPort = 8080, protocol = "tcp" }]
      mountPoints  = [{ sourceVolume = "app-tmp", containerPath = "/tmp" }]
      environment = [
        { name = "AWS_REGION", value = local.region },
        { name = "LOG_LEVEL", value = "info" },
        { name = "PASSWORD_MIN_LENGTH", value = "12" },
        { name = "TOKEN_TTL_SECONDS", value = "3600" },
        { name = "SECRET_ARN", value = "arn:aws:secretsmanager:us-east-1:123456789012:secret:good/variants/api-AbCdEf" },
        { name = "DB_PASSWORD_SECRET_NAME", value = "good/variants/db" },
        { name = "DB_PASSWORD_PARAMETER", value = "/good/variants/db_password" },
        { name = "JWT_ISSUER", value = "https://auth.example.com/" },
        { name = "OAUTH_TOKEN_URL", value = "https://auth.example.com/oauth2/token" },
        { name = "SECRETS_CACHE_ENABLED", value = "true" },
        { name = "MAX_PASSWORD_AGE_DAYS", value = "90" },
        { name = "PRIVATE_KEY_PATH", value = "/run/secrets/tls.key" },
        { name = "CREDENTIALS_FILE", value = "/etc/app/credentials.json" },
        { name = "KMS_KEY_ARN", value = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" },
        { name = "JWKS_URL", value = "https://auth.example.com/.well-known/jwks.json" },
        { name = "DATABASE_URL", value = "postgres://app@db.good-variants.internal:5432/app?sslmode=verify-full" },
        { name = "TOKEN_REFRESH_ENABLED", value = "false" },
        { name = "APP_BUILD_SHA", value = "2c26b46b68ffc68ff99b453c1d30413413422d70" },
      ]
      secrets = [
        { name = "DB_PASSWORD", valueFrom = "arn:aws:ssm:${local.region}:${local.account_id}:parameter${aws_ssm_parameter.good_db_password.name}" },
        { name = "API_KEY", valueFrom = local.api_key_secret },
        { name = "SIGNING_KEY", valueFrom = "/good/variants/signing_key" },
      ]
      dockerLabels = {
        "com.example.team"         = "payments"
        "com.example.secret-store" = "ssm"
      }
      healthCheck = {
        command  = ["CMD-SHELL", "wget -q -O /dev/null http://localhost:8080/healthz || exit 1"]
        interval = 30
        retries  = 3
      }
      logConfiguration = {
        logDriver = "awsfirelens"
        options = {
          Name              = "cloudwatch_logs"
          region            = local.region
          log_group_name    = aws_cloudwatch_log_group.good_variants.name
          log_stream_prefix = "app/"
        }
      }
    },
  ])
}

resource "aws_ecs_service" "good_web" {
  name            = "good-variants-web"
  cluster         = aws_ecs_cluster.good_variants.id
  task_definition = aws_ecs_task_definition.good_web.arn
  desired_count   = 3

  capacity_provider_strategy {
    capacity_provider = "FARGATE"
    base              = 1
    weight            = 1
  }

  capacity_provider_strategy {
    capacity_provider = "FARGATE_SPOT"
    weight            = 3
  }

  network_configuration {
    subnets         = [aws_subnet.good_private_a.id, aws_subnet.good_private_b.id]
    security_groups = [aws_security_group.good_web.id]
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.good_web.arn
    container_name   = "app"
    container_port   = 8080
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }
}

# EC2 launch type, awsvpc, its own task role; scratch space on a Docker volume.
resource "aws_ecs_task_definition" "good_ec2" {
  family                   = "good-variants-ec2"
  network_mode             = "awsvpc"
  requires_compatibilities = ["EC2"]
  memory                   = "512"
  execution_role_arn       = aws_iam_role.good_execution.arn
  task_role_arn            = aws_iam_role.good_ec2_task.arn

  volume {
    name = "shared"

    efs_volume_configuration {
      file_system_id     = aws_efs_file_system.good_variants.id
      root_directory     = "/"
      transit_encryption = "ENABLED"

      authorization_config {
        access_point_id = aws_efs_access_point.good_variants.id
        iam             = "ENABLED"
      }
    }
  }

  volume {
    name      = "model-cache"
    host_path = "/ecs/good-variants/model-cache"
  }

  volume {
    name = "scratch"

    docker_volume_configuration {
      scope  = "task"
      driver = "local"
    }
  }

  placement_constraints {
    type       = "memberOf"
    expression = "attribute:ecs.os-type == linux"
  }

  container_definitions = jsonencode([
    {
      name                   = "worker"
      image                  = local.app_image
      essential              = true
      user                   = "10001:10001"
      readonlyRootFilesystem = true
      linuxParameters = {
        capabilities = { drop = ["ALL"] }
      }
      portMappings = [{ containerPort = 8443, protocol = "tcp" }]
      mountPoints = [
        { sourceVolume = "scratch", containerPath = "/scratch" },
        { sourceVolume = "shared", containerPath = "/shared" },
        { sourceVolume = "model-cache", containerPath = "/models", readOnly = true },
      ]
      ulimits      = [{ name = "nofile", softLimit = 65536, hardLimit = 65536 }]
      secrets = [
        { name = "DB_CREDENTIALS", valueFrom = "arn:aws:secretsmanager:us-east-1:123456789012:secret:good/variants/db-AbCdEf" },
      ]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          "awslogs-group"         = aws_cloudwatch_log_group.good_variants.name
          "awslogs-region"        = local.region
          "awslogs-stream-prefix" = "ec2"
        }
      }
    },
  ])
}

resource "aws_ecs_service" "good_ec2" {
  name            = "good-variants-ec2"
  cluster         = aws_ecs_cluster.good_variants.id
  task_definition = aws_ecs_task_definition.good_ec2.arn
  desired_count   = 2
  launch_type     = "EC2"

  network_configuration {
    subnets         = [aws_subnet.good_private_a.id, aws_subnet.good_private_b.id]
    security_groups = [aws_security_group.good_ec2_tasks.id]
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.good_ec2.arn
    container_name   = "worker"
    container_port   = 8443
  }

  ordered_placement_strategy {
    type  = "spread"
    field = "attribute:ecs.availability-zone"
  }
}

# The most common real shape: the image from the repository this configuration creates
# and the secret by reference. Both are known only after apply, so the whole
# container_definitions is unknown in the plan; the source settles everything but the
# image: its registry is repository_url (known after apply), and the evaluator does not
# hand the known ":1.4.2@sha256:..." tail of the template on, so ecs-image-mutable-tag
# and ecs-image-untrusted-registry stay unknown on container_definitions[0].image.
resource "aws_ecs_task_definition" "good_batch" {
  family                   = "good-variants-batch"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "256"
  memory                   = "512"
  execution_role_arn       = aws_iam_role.good_execution.arn
  task_role_arn            = aws_iam_role.good_ec2_task.arn

  container_definitions = jsonencode([
    {
      name                   = "batch"
      image                  = "${aws_ecr_repository.good_app.repository_url}:1.4.2@sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
      essential              = true
      user                   = "10001"
      readonlyRootFilesystem = true
      linuxParameters        = { capabilities = { drop = ["ALL"] } }
      secrets = [
        { name = "DB_CREDENTIALS", valueFrom = aws_secretsmanager_secret.good_db.arn },
        { name = "DB_PASSWORD", valueFrom = aws_ssm_parameter.good_db_password.arn },
      ]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          "awslogs-group"         = aws_cloudwatch_log_group.good_variants.name
          "awslogs-region"        = local.region
          "awslogs-stream-prefix" = "batch"
        }
      }
    },
  ])
}

# Windows on EC2. ContainerUser is Windows' unprivileged user; readonlyRootFilesystem
# and linuxParameters are not supported for Windows containers.
resource "aws_ecs_task_definition" "good_windows" {
  family                   = "good-variants-windows"
  network_mode             = "awsvpc"
  requires_compatibilities = ["EC2"]
  cpu                      = "1024"
  memory                   = "2048"
  execution_role_arn       = aws_iam_role.good_execution.arn
  task_role_arn            = aws_iam_role.good_windows_task.arn

  placement_constraints {
    type       = "memberOf"
    expression = "attribute:ecs.os-type == windows"
  }

  container_definitions = jsonencode([
    {
      name         = "win-app"
      image        = local.windows_image
      essential    = true
      user         = "ContainerUser"
      portMappings = [{ containerPort = 80, protocol = "tcp" }]
      environment = [
        { name = "ASPNETCORE_ENVIRONMENT", value = "Production" },
        { name = "TOKEN_TTL_SECONDS", value = "900" },
      ]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          "awslogs-group"         = aws_cloudwatch_log_group.good_variants.name
          "awslogs-region"        = local.region
          "awslogs-stream-prefix" = "windows"
        }
      }
    },
  ])
}

resource "aws_ecs_service" "good_windows" {
  name            = "good-variants-windows"
  cluster         = aws_ecs_cluster.good_variants.id
  task_definition = aws_ecs_task_definition.good_windows.arn
  desired_count   = 1
  launch_type     = "EC2"

  network_configuration {
    subnets         = [aws_subnet.good_private_a.id, aws_subnet.good_private_b.id]
    security_groups = [aws_security_group.good_ec2_tasks.id]
  }
}

# ---------------------------------------------------------------- audit

resource "aws_cloudtrail" "good_variants" {
  name                       = "good-variants-trail"
  s3_bucket_name             = "tfecs-example-trail-logs"
  s3_key_prefix              = "variants"
  is_multi_region_trail      = true
  enable_log_file_validation = true
  kms_key_id                 = aws_kms_alias.good_variants.arn

  event_selector {
    read_write_type           = "All"
    include_management_events = true
  }
}
