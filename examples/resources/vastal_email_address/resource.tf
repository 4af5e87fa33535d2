# Addresses need an active domain: take domain_id from the verification, so
# they are created once the domain is verified.
resource "vastal_email_address" "hello" {
  domain_id  = vastal_domain_verification.this.domain_id
  local_part = "hello"
  is_primary = true
}

# Several addresses from a map of local part => primary.
variable "addresses" {
  type    = map(bool)
  default = { sales = false, support = false }
}

resource "vastal_email_address" "team" {
  for_each = var.addresses

  domain_id  = vastal_domain_verification.this.domain_id
  local_part = each.key
  is_primary = each.value
}
