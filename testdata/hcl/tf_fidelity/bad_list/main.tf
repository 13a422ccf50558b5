variable "allowed" {
  default = "203.0.113.0/24"
}

resource "aws_security_group" "sg" {
  name = "sg"
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = var.allowed
  }
}
