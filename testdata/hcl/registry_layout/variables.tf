variable "create" {
  description = "Whether to create anything"
  type        = bool
  default     = true
}

variable "name" {
  description = "Name of the service (required)"
  type        = string
}

variable "containers" {
  description = "Container settings by container name"
  type        = any
  default     = {}
}

variable "volumes" {
  description = "Task volumes by name: { host_path = ... } or { efs = { file_system_id, transit_encryption } }"
  type        = any
  default     = {}
}

variable "network_mode" {
  type    = string
  default = "awsvpc"
}

variable "subnet_ids" {
  type    = list(string)
  default = []
}

variable "ingress_cidrs" {
  description = "CIDR blocks allowed to reach the container port"
  type        = list(string)
  default     = []
}

variable "container_port" {
  type    = number
  default = 8080
}

variable "assign_public_ip" {
  type    = bool
  default = false
}

variable "tags" {
  type    = map(string)
  default = {}
}
