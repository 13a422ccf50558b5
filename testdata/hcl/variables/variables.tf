variable "privileged" {
  description = "Set to \"true\" (a string) in terraform.tfvars: the bool type converts it."
  type        = bool
  default     = false
}

variable "network_mode" {
  type    = string
  default = "awsvpc"
}

# Containers by name; optional() attributes get their defaults.
variable "containers" {
  type = map(object({
    image      = string
    privileged = optional(bool, false)
    user       = optional(string, "1000:1000")
  }))
  default = {}
}

# No default: known only when given (--var image=...).
variable "image" {
  type = string
}

variable "db_password" {
  type      = string
  default   = "not-a-real-password"
  sensitive = true
}
