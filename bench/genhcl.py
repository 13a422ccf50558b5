"""Generate a large Terraform source directory (a few hundred .tf files) for benchmarking
tfecs's HCL mode: one file per service in the root module (task definition with
`jsonencode`d containers, task and execution roles with `jsonencode`d policies, a
security group with inline and count-indexed rules, a log group, an ECS service), plus a
local module instantiated with `for_each`, variables, locals and a shared cluster/VPC.

    python bench/genhcl.py 300 -o /tmp/hcl-300

Deterministic for a given size and seed.
"""

from __future__ import annotations

import argparse
import json
import os
import random

GENERATOR_VERSION = 1

WORDS = (
    "billing checkout catalog search orders payments ledger invoices users auth profile "
    "inventory shipping pricing quotes reports audit notify email sms gateway api web"
).split()

SHARED = """\
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.0" }
  }
}

variable "environment" {
  type    = string
  default = "prod"
}

variable "image_tag" {
  type    = string
  default = "v1.4.2"
}

locals {
  account_id  = "123456789012"
  region      = "eu-west-1"
  registry    = "${local.account_id}.dkr.ecr.${local.region}.amazonaws.com"
  common_tags = { Environment = var.environment, ManagedBy = "terraform" }
  subnets     = ["subnet-0a1", "subnet-0b2", "subnet-0c3"]
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
  tags       = local.common_tags
}

resource "aws_ecs_cluster" "main" {
  name = "prod"
  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}
"""

MODULE = """\
variable "name" { type = string }
variable "image" { type = string }
variable "cluster_arn" { type = string }
variable "subnets" { type = list(string) }
variable "vpc_id" { type = string }
variable "ports" {
  type    = list(number)
  default = [8080]
}

resource "aws_iam_role" "task" {
  name = "${var.name}-task"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_security_group" "this" {
  name   = var.name
  vpc_id = var.vpc_id
}

resource "aws_security_group_rule" "ingress" {
  count             = length(var.ports)
  type              = "ingress"
  security_group_id = aws_security_group.this.id
  from_port         = var.ports[count.index]
  to_port           = var.ports[count.index]
  protocol          = "tcp"
  cidr_blocks       = ["10.0.0.0/16"]
}

resource "aws_ecs_task_definition" "this" {
  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  task_role_arn            = aws_iam_role.task.arn
  container_definitions = jsonencode([{
    name      = "app"
    image     = var.image
    essential = true
    user      = "1000"
    readonlyRootFilesystem = true
    portMappings = [for p in var.ports : { containerPort = p, protocol = "tcp" }]
    logConfiguration = {
      logDriver = "awslogs"
      options   = { "awslogs-group" = "/ecs/${var.name}", "awslogs-region" = "eu-west-1" }
    }
  }])
}

resource "aws_ecs_service" "this" {
  name            = var.name
  cluster         = var.cluster_arn
  task_definition = aws_ecs_task_definition.this.arn
  launch_type     = "FARGATE"
  network_configuration {
    subnets          = var.subnets
    security_groups  = [aws_security_group.this.id]
    assign_public_ip = false
  }
}
"""


def service_file(rng: random.Random, key: str) -> str:
    env = [{"name": f"APP_{w.upper()}", "value": f"{w}-{rng.randint(1, 99)}"} for w in rng.sample(WORDS, 6)]
    user = rng.choice(('"1000:1000"', '"root"', "null"))
    readonly = rng.choice(("true", "false"))
    privileged = "true" if rng.random() < 0.05 else "false"
    wildcard = rng.random() < 0.1
    open_port = rng.random() < 0.1
    actions = '["s3:*"]' if wildcard else '["s3:GetObject", "s3:ListBucket"]'
    ingress_cidr = '"0.0.0.0/0"' if open_port else '"10.0.0.0/16"'
    return f"""\
# Service {key}
locals {{
  {key}_env = {json.dumps(env)}
}}

resource "aws_cloudwatch_log_group" "{key}" {{
  name              = "/ecs/{key}"
  retention_in_days = 30
  tags              = local.common_tags
}}

resource "aws_iam_role" "{key}_task" {{
  name = "{key}-task"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Principal = {{ Service = "ecs-tasks.amazonaws.com" }}
      Action    = "sts:AssumeRole"
      Condition = {{ StringEquals = {{ "aws:SourceAccount" = local.account_id }} }}
    }}]
  }})
  tags = local.common_tags
}}

resource "aws_iam_role" "{key}_execution" {{
  name = "{key}-execution"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Principal = {{ Service = "ecs-tasks.amazonaws.com" }}
      Action    = "sts:AssumeRole"
    }}]
  }})
}}

resource "aws_iam_role_policy" "{key}_task" {{
  name = "{key}"
  role = aws_iam_role.{key}_task.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [
      {{
        Effect   = "Allow"
        Action   = {actions}
        Resource = ["arn:aws:s3:::acme-{key}", "arn:aws:s3:::acme-{key}/*"]
      }},
      {{
        Effect   = "Allow"
        Action   = ["sqs:SendMessage", "sqs:ReceiveMessage"]
        Resource = "arn:aws:sqs:${{local.region}}:${{local.account_id}}:{key}-jobs"
      }},
    ]
  }})
}}

resource "aws_iam_role_policy_attachment" "{key}_execution" {{
  role       = aws_iam_role.{key}_execution.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}}

resource "aws_security_group" "{key}" {{
  name        = "{key}-tasks"
  description = "{key} tasks"
  vpc_id      = aws_vpc.main.id

  ingress {{
    description = "app"
    from_port   = 8080
    to_port     = 8080
    protocol    = "tcp"
    cidr_blocks = [{ingress_cidr}]
  }}

  egress {{
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}

resource "aws_security_group_rule" "{key}_extra" {{
  count             = 3
  type              = "ingress"
  security_group_id = aws_security_group.{key}.id
  from_port         = 9000 + count.index
  to_port           = 9000 + count.index
  protocol          = "tcp"
  cidr_blocks       = ["10.${{count.index}}.0.0/16"]
}}

resource "aws_ecs_task_definition" "{key}" {{
  family                   = "{key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 512
  memory                   = 1024
  task_role_arn            = aws_iam_role.{key}_task.arn
  execution_role_arn       = aws_iam_role.{key}_execution.arn
  container_definitions = jsonencode([
    {{
      name                   = "app"
      image                  = "${{local.registry}}/{key}:${{var.image_tag}}"
      essential              = true
      user                   = {user}
      privileged             = {privileged}
      readonlyRootFilesystem = {readonly}
      environment            = local.{key}_env
      portMappings           = [{{ containerPort = 8080, protocol = "tcp" }}]
      logConfiguration = {{
        logDriver = "awslogs"
        options = {{
          "awslogs-group"         = aws_cloudwatch_log_group.{key}.name
          "awslogs-region"        = local.region
          "awslogs-stream-prefix" = "app"
        }}
      }}
      linuxParameters = {{ capabilities = {{ drop = ["ALL"] }} }}
    }},
    {{
      name      = "log-router"
      image     = "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable"
      essential = true
      firelensConfiguration = {{ type = "fluentbit" }}
    }},
  ])
  tags = local.common_tags
}}

resource "aws_ecs_service" "{key}" {{
  name                   = "{key}"
  cluster                = aws_ecs_cluster.main.arn
  task_definition        = aws_ecs_task_definition.{key}.arn
  desired_count          = {rng.randint(1, 6)}
  launch_type            = "FARGATE"
  enable_execute_command = {"true" if rng.random() < 0.1 else "false"}
  network_configuration {{
    subnets          = local.subnets
    security_groups  = [aws_security_group.{key}.id]
    assign_public_ip = false
  }}
}}

resource "aws_ecr_repository" "{key}" {{
  name                 = "{key}"
  image_tag_mutability = "{rng.choice(("MUTABLE", "IMMUTABLE"))}"
  image_scanning_configuration {{
    scan_on_push = true
  }}
}}
"""


def write(files: int, path: str, seed: int = 0, roots: int = 1) -> str:
    """A root module with `files` service files (and a local module used by for_each);
    with `roots` > 1, a monorepo: that many root modules under `stacks/`, the files
    shared out between them, all calling one module under `modules/`."""
    if roots > 1:
        os.makedirs(os.path.join(path, "modules", "service"), exist_ok=True)
        with open(os.path.join(path, "modules", "service", "main.tf"), "w") as fh:
            fh.write(MODULE)
        per = [files // roots + (1 if i < files % roots else 0) for i in range(roots)]
        for i, n in enumerate(per):
            _write_root(n, os.path.join(path, "stacks", f"stack-{i:03d}"), seed + i, "../../modules/service")
        return path
    os.makedirs(os.path.join(path, "modules", "service"), exist_ok=True)
    with open(os.path.join(path, "modules", "service", "main.tf"), "w") as fh:
        fh.write(MODULE)
    return _write_root(files, path, seed, "./modules/service")


def _write_root(files: int, path: str, seed: int, module_source: str) -> str:
    rng = random.Random(seed)
    os.makedirs(path, exist_ok=True)
    keys = [f"{WORDS[i % len(WORDS)]}_{i}" for i in range(files)]
    with open(os.path.join(path, "main.tf"), "w") as fh:
        fh.write(SHARED)
        fh.write(
            '\nmodule "svc" {\n'
            f'  source      = "{module_source}"\n'
            '  for_each    = toset(["mod-a", "mod-b", "mod-c", "mod-d"])\n'
            "  name        = each.key\n"
            '  image       = "${local.registry}/${each.key}:${var.image_tag}"\n'
            "  cluster_arn = aws_ecs_cluster.main.arn\n"
            "  subnets     = local.subnets\n"
            "  vpc_id      = aws_vpc.main.id\n"
            "  ports       = [8080, 9090]\n"
            "}\n"
        )
    for key in keys:
        with open(os.path.join(path, f"svc_{key}.tf"), "w") as fh:
            fh.write(service_file(rng, key))
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", type=int, help="service files in the root module")
    ap.add_argument("-o", "--output", required=True, help="directory to write (created)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--roots", type=int, default=1, help="root modules (a monorepo under stacks/) sharing the files out")
    args = ap.parse_args()
    write(args.files, args.output, args.seed, args.roots)


if __name__ == "__main__":
    main()
