# Issue 12: a value Terraform itself rejects. `terraform plan` fails (tfharness.json
# holds Terraform's words); a scan must not judge the resource as if Terraform had
# accepted it, and should say what Terraform says.
#
# No type constraint: -var 'cg_whitelist=["203.0.113.0/24"]' is taken literally by
# Terraform 1.11 -- a string -- and a string is not a list of CIDR blocks.
variable "cg_whitelist" {}

resource "aws_security_group" "rejected_untyped_var" {
  name = "fidelity-rejected-var"

  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = var.cg_whitelist
  }
}
