"""Readers that turn Terraform plans and HCL into RawResources. They know Terraform, not AWS."""
