# Everything the module can be told to do wrong.
module "ecs" {
  source = "../../"

  name = "complete"
  containers = {
    app = {
      image = "public.ecr.aws/nginx/nginx:1.25"
      port  = 80
    }
    sidecar = {
      image                    = "busybox:latest"
      privileged               = true
      readonly_root_filesystem = false
      mount_points             = [{ sourceVolume = "docker", containerPath = "/var/run/docker.sock", readOnly = false }]
    }
  }
  volumes = {
    docker = { host_path = "/var/run/docker.sock" }
    data   = { efs = { file_system_id = "fs-0123456789abcdef0", transit_encryption = "DISABLED" } }
  }
  ingress_cidrs    = ["0.0.0.0/0"]
  assign_public_ip = true
  subnet_ids       = ["subnet-0a1b2c3d4e5f60001"]
}

# A registry module that is not downloaded here (no `terraform init`): not scanned.
module "labels" {
  source  = "cloudposse/label/null"
  version = "0.25.0"

  name = "complete"
}
