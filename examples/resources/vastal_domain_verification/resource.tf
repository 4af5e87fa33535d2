resource "vastal_domain" "this" {
  domain = "example.com"
}

resource "aws_route53_record" "vastal" {
  for_each = vastal_domain.this.dns_records

  zone_id = var.zone_id
  name    = each.value.name
  type    = each.value.type
  ttl     = 3600
  records = each.value.type == "MX" ? ["${each.value.priority} ${each.value.value}."] : [each.value.value]
}

# Waits until DNS serves the records and Vastal has verified the domain.
# record_fqdns makes Terraform write the records first, and fails at once if
# one of the four required names is missing.
resource "vastal_domain_verification" "this" {
  domain_id    = vastal_domain.this.id
  record_fqdns = [for r in aws_route53_record.vastal : r.fqdn]

  timeouts {
    create = "30m"
  }
}

variable "zone_id" {
  type = string
}
