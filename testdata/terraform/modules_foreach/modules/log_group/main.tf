variable "name" {
  type = string
}

resource "aws_cloudwatch_log_group" "this" {
  name              = var.name
  retention_in_days = 30
}

output "name" {
  value = aws_cloudwatch_log_group.this.name
}
