# Issue 12, "Exit 2 on configurations Terraform accepts": numbers and bools where the
# provider's schema says string (and a string where it says bool). Terraform converts
# them; every resource here plans. bad_* must be flagged, the rest pass.

# value is a string attribute: Terraform stores "10".
resource "aws_ssm_parameter" "retries" {
  name  = "/fidelity/retries"
  type  = "String"
  value = 10
}

resource "aws_security_group" "web" {
  name = "fidelity-conversion-web"
}

# protocol = -1 (a number) is "-1": every protocol, from anywhere.
resource "aws_security_group_rule" "bad_number_protocol" {
  type              = "ingress"
  security_group_id = aws_security_group.web.id
  protocol          = -1
  from_port         = 0
  to_port           = 0
  cidr_blocks       = ["0.0.0.0/0"]
}

# The provider 5 rule resource, same thing.
resource "aws_vpc_security_group_ingress_rule" "bad_number_ip_protocol" {
  security_group_id = aws_security_group.web.id
  ip_protocol       = -1
  cidr_ipv4         = "0.0.0.0/0"
}

# A number port where the rule resource wants a number, a bool written as a string
# where the provider wants a bool: ECS Exec is on.
resource "aws_ecs_cluster" "main" {
  name = "fidelity-conversion"

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_ecs_service" "bad_string_bool" {
  name                   = "fidelity-string-bool"
  cluster                = aws_ecs_cluster.main.id
  enable_execute_command = "true"
}
