# The fixture of resources.json written as Terraform source: scanned in HCL mode it must
# give the same (address, status) findings as the plan fixture (tests/test_rules.py).

resource "aws_ecs_task_definition" "bad_privileged" {
  family       = "bad"
  network_mode = "awsvpc"
  container_definitions = jsonencode([
    { name = "web", image = "nginx:1.25" },
    { name = "agent", image = "agent:2", privileged = true },
  ])
}

resource "aws_ecs_task_definition" "bad_privileged_string" {
  family                = "bad2"
  container_definitions = jsonencode([{ name = "app", image = "app:1", privileged = "true" }])
}

module "svc" {
  source   = "./modules/svc"
  for_each = { api = "api:1" }

  name  = each.key
  image = each.value
}

resource "aws_ecs_task_definition" "good_unprivileged" {
  family = "good"
  container_definitions = jsonencode([
    { name = "web", image = "nginx:1.25", privileged = false },
    { name = "side", image = "side:1" },
  ])
}

# The whole list is read from AWS during apply.
data "aws_ssm_parameter" "definitions" {
  name = "/later/container-definitions"
}

resource "aws_ecs_task_definition" "unknown_definitions" {
  family                = "later"
  container_definitions = data.aws_ssm_parameter.definitions.value
}
