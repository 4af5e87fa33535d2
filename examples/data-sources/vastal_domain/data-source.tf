# A domain by name, in any spelling...
data "vastal_domain" "acme" {
  domain = "acme.com"
}

# ...or by ID.
data "vastal_domain" "by_id" {
  id = "dom_xyz789"
}

output "acme_ready" {
  value = data.vastal_domain.acme.status == "active"
}
