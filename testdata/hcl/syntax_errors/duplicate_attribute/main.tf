resource "aws_ecs_task_definition" "app" {
  family                = "app"
  container_definitions = "[]"
  family                = "again"
}
