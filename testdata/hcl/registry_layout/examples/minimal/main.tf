module "ecs" {
  source = "../../"

  name       = "minimal"
  containers = { app = { image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1.0.0" } }
}
