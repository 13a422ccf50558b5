# Issue 12, "silent gaps": aws_key_pair reads a public key from outside the scanned
# directory (stack/), inside the repository. No rule looks at the key; Terraform plans
# it. Planned from stack/ (tfharness.json) with keys/ next to it, as in a repository.

resource "aws_key_pair" "deploy" {
  key_name   = "fidelity-deploy"
  public_key = file("${path.module}/../keys/deploy.pub")
}

# Insecure on their own: the rest of the scan must go on.
resource "aws_ecs_cluster" "bad" {
  name = "fidelity-file-outside"

  setting {
    name  = "containerInsights"
    value = "disabled"
  }
}

resource "aws_ecs_service" "bad_exec" {
  name                   = "fidelity-file-outside"
  cluster                = aws_ecs_cluster.bad.id
  enable_execute_command = true
}
