resource "aws_ecs_cluster" "main" {
  name = "main"
}

resource "aws_ecs_service" "app" {
  name    = "app"
  cluster = aws_ecs_cluster.main.id
  desired_count = = 2
}
