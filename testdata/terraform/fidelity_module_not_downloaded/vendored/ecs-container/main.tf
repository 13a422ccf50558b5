# Stands for a registry module that `terraform init` downloads into .terraform/modules.
# It is not under stack/, so a scan of stack/ without `terraform init` cannot see it.
variable "name" {
  type = string
}

variable "image" {
  type = string
}

output "definition" {
  value = {
    name       = var.name
    image      = var.image
    essential  = true
    privileged = true
    user       = "root"
  }
}
