variable "untyped" {
  default = "10.0.0.0/8"
}

variable "cidrs" {
  type    = list(string)
  default = ["10.0.0.0/8"]
}

variable "port" {
  type    = number
  default = 443
}

resource "aws_security_group" "typed" {
  name = "typed"
  ingress {
    from_port   = var.port
    to_port     = var.port
    protocol    = "tcp"
    cidr_blocks = var.cidrs
  }
}

resource "aws_security_group" "untyped" {
  name = "untyped"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.untyped]
  }
}
