output "domain_id" {
  description = "ID of the domain."
  value       = vastal_domain.this.id
}

output "canonical_domain" {
  description = "The domain as DNS names use it: A-labels, lower case, no trailing dot. Known at plan time."
  value       = vastal_domain.this.canonical_domain
}

output "dns_records" {
  description = "The records to write, by key (mx, spf, dkim1, dkim2): type, name, host, value, priority. Keys, types, names and hosts are known at plan time, so a DNS writer can for_each over them."
  value       = vastal_domain.this.dns_records
}

output "status" {
  description = "The domain's status once verified: active."
  value       = vastal_domain_verification.this.status
}

output "addresses" {
  description = "The addresses created, by local part."
  value       = { for k, a in vastal_email_address.this : k => a.address }
}

output "primary_address" {
  description = "The primary address, or null."
  value       = one([for a in vastal_email_address.this : a.address if a.is_primary])
}
