# A dynamic ingress block whose for_each is known only after apply: plan JSON shows the
# ingress list as unknown and leaves the dynamic block out of its configuration.
resource "aws_ssm_parameter" "cidrs" {
  name  = "/net/admin_cidrs"
  type  = "StringList"
  value = "0.0.0.0/0"
}

resource "aws_security_group" "unknown_dynamic" {
  name = "dynamic"

  dynamic "ingress" {
    for_each = split(",", aws_ssm_parameter.cidrs.version)
    content {
      from_port   = 22
      to_port     = 22
      protocol    = "tcp"
      cidr_blocks = [ingress.value]
    }
  }
}
