output "definition" {
  description = "The container definition, without null attributes"
  value       = { for k, v in local.definition : k => v if v != null }
}
