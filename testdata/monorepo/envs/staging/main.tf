module "api" {
  source     = "../../modules/service"
  name       = "staging-api"
  privileged = true
}
