resource "aws_ecr_repository" "demo" {
  name = "demo"
}
