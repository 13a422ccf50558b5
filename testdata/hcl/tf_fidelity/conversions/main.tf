# Terraform converts numbers and bools to the strings the provider declares.
resource "aws_ssm_parameter" "token" {
  name  = "/app/api_token"
  type  = "String"
  value = 10
}

resource "aws_security_group" "sg" {
  name = "sg"
}

resource "aws_security_group_rule" "all" {
  type              = "ingress"
  security_group_id = aws_security_group.sg.id
  protocol          = -1
  from_port         = 0
  to_port           = 0
  cidr_blocks       = ["0.0.0.0/0"]
}

resource "aws_vpc_security_group_ingress_rule" "all" {
  security_group_id = aws_security_group.sg.id
  ip_protocol       = -1
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_ssm_parameter" "flag" {
  name  = "/app/db_password"
  type  = "String"
  value = true
}
