# Issue 12: a value Terraform itself rejects. `terraform plan` fails (tfharness.json
# holds Terraform's words); a scan must not judge the resource as if Terraform had
# accepted it, and should say what Terraform says.

resource "aws_security_group" "rejected_string_cidrs" {
  name = "fidelity-rejected-string"

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = "0.0.0.0/0"
  }
}
