module "ecs" {
  source  = "terraform-aws-modules/ecs/aws"
  version = "5.12.0"
}

resource "aws_ecs_task_definition" "t" {
  family                = "t"
  container_definitions = file("${path.module}/../keys/containers.json")
}
