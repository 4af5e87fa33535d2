data "vastal_domain" "acme" {
  domain = "acme.com"
}

# The addresses of the domain, oldest first, and its primary address.
data "vastal_email_addresses" "acme" {
  domain_id = data.vastal_domain.acme.id
}

output "addresses" {
  value = data.vastal_email_addresses.acme.addresses[*].address
}

output "primary" {
  value = try(data.vastal_email_addresses.acme.primary.address, null)
}
