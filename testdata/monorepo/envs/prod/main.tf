module "api" {
  source = "../../modules/service"
  name   = "prod-api"
}
