# A root module that instantiates a local module with for_each and with count.
# Plan addresses look like module.svc["api"].aws_ecs_task_definition.this and
# module.batch[0].module.logs.aws_cloudwatch_log_group.this.

locals {
  vpc_id = "vpc-0123456789abcdef0"

  services = {
    # "api" is hardened; "worker" is the insecure one (privileged, SSH from anywhere).
    api = {
      image                = "123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1.4.2"
      privileged           = false
      allow_ssh_from_world = false
    }
    worker = {
      image                = "123456789012.dkr.ecr.us-east-1.amazonaws.com/worker:2.0.0"
      privileged           = true
      allow_ssh_from_world = true
    }
  }
}

module "svc" {
  source   = "./modules/svc"
  for_each = local.services

  name                 = each.key
  image                = each.value.image
  privileged           = each.value.privileged
  allow_ssh_from_world = each.value.allow_ssh_from_world
  vpc_id               = local.vpc_id
}

module "batch" {
  source = "./modules/svc"
  count  = 2

  name   = "batch-${count.index}"
  image  = "123456789012.dkr.ecr.us-east-1.amazonaws.com/batch:0.9.1"
  vpc_id = local.vpc_id
}
