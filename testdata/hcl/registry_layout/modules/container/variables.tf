variable "name" {
  type = string
}

variable "image" {
  type = string
}

variable "privileged" {
  type    = bool
  default = false
}

variable "readonly_root_filesystem" {
  type    = bool
  default = true
}

variable "port" {
  type    = number
  default = null
}

variable "mount_points" {
  type = list(object({
    sourceVolume  = string
    containerPath = string
    readOnly      = optional(bool, true)
  }))
  default = []
}

variable "log_group" {
  type = string
}
