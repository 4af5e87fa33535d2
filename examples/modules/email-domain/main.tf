# A Vastal sending domain, verified, with its addresses. The records are
# written by a DNS writer of your choice next to this module (see README.md):
#
#   module.email_domain.dns_records -> your DNS writer -> record_fqdns -> verification -> addresses

resource "vastal_domain" "this" {
  domain = var.domain
}

resource "vastal_domain_verification" "this" {
  domain_id    = vastal_domain.this.id
  record_fqdns = var.record_fqdns

  timeouts {
    create = var.verification_timeout
  }
}

resource "vastal_email_address" "this" {
  for_each = var.addresses

  domain_id  = vastal_domain_verification.this.domain_id
  local_part = each.key
  is_primary = each.value
}
