# A symbolic link inside the directory that points outside it is still outside.
resource "aws_iam_policy" "app" {
  name   = "app"
  policy = templatefile("${path.module}/link/policy.json.tftpl", {})
}
