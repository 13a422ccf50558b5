# Issue 12, "silent gaps": module.container comes from a registry and is not
# downloaded in the repository (no `terraform init` was run there). Planned from stack/
# (tfharness.json): the harness puts vendored/ecs-container where `terraform init`
# would have downloaded it, so Terraform sees the module's output.

module "container" {
  source  = "example-corp/ecs-container/aws"
  version = "1.2.0"

  name  = "app"
  image = "nginx:latest"
}

# Its container comes from the module: privileged, root, a mutable tag.
resource "aws_ecs_task_definition" "bad_from_module" {
  family                = "fidelity-from-module"
  container_definitions = jsonencode([module.container.definition])
}

# Insecure on its own, whatever the module says.
resource "aws_ecs_cluster" "bad" {
  name = "fidelity-module-not-downloaded"

  setting {
    name  = "containerInsights"
    value = "disabled"
  }
}
