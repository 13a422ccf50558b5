resource "aws_ecr_repository" "tools" {
  name                 = "tools"
  image_tag_mutability = "MUTABLE"
}
