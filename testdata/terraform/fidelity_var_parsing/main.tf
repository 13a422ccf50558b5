# Issue 12, "--var parsed unlike Terraform". tfharness.json gives the plan these -var
# values, and the differential test gives the HCL scan the same strings with --var.
# Terraform 1.11 parses a -var value as HCL when the variable's type is complex or
# `any`, and takes it literally otherwise -- also when the variable has no type at all
# (the issue's `cg_whitelist` without a type constraint: Terraform keeps the string and
# then rejects it for cidr_blocks, "list of string required"):
#   -var 'cg_whitelist=["203.0.113.0/24"]'   type any: parsed, a list
#   -var 'admin_cidrs=["0.0.0.0/0"]'         list(string): parsed
#   -var 'office_cidr=0.0.0.0/0'             no type: literally
#   -var 'ssh_cidr=0.0.0.0/0'                string: literally
#   -var 'exec_enabled=true'                 bool: the string "true", converted

variable "cg_whitelist" {
  type = any
}

variable "office_cidr" {}

variable "admin_cidrs" {
  type = list(string)
}

variable "ssh_cidr" {
  type = string
}

variable "exec_enabled" {
  type = bool
}

# Only a documentation range: passes.
resource "aws_security_group" "good_whitelist" {
  name = "fidelity-whitelist"

  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = var.cg_whitelist
  }
}

resource "aws_security_group" "bad_admin" {
  name = "fidelity-admin"

  ingress {
    from_port   = 3389
    to_port     = 3389
    protocol    = "tcp"
    cidr_blocks = var.admin_cidrs
  }
}

resource "aws_security_group" "bad_office" {
  name = "fidelity-office"

  ingress {
    from_port   = 8443
    to_port     = 8443
    protocol    = "tcp"
    cidr_blocks = [var.office_cidr]
  }
}

resource "aws_security_group" "bad_ssh" {
  name = "fidelity-ssh"

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.ssh_cidr]
  }
}

resource "aws_ecs_cluster" "main" {
  name = "fidelity-var-parsing"

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_ecs_service" "bad_exec" {
  name                   = "fidelity-exec"
  cluster                = aws_ecs_cluster.main.id
  enable_execute_command = var.exec_enabled
}
