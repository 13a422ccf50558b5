# One container is read from an SSM parameter at apply: its sibling still gets verdicts.
data "aws_ssm_parameter" "sidecar" {
  name = "/app/sidecar"
}
resource "aws_ecs_task_definition" "t" {
  family                = "t"
  network_mode          = "awsvpc"
  container_definitions = jsonencode([
    { name = "app", image = "app:1", privileged = true },
    jsondecode(data.aws_ssm_parameter.sidecar.value),
  ])
}
