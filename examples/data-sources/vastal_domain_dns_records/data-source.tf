# The records of a domain added elsewhere, by name (any spelling works).
data "vastal_domain_dns_records" "acme" {
  domain = "acme.com"
}

# Write them with any DNS provider, one resource per record key.
resource "aws_route53_record" "vastal" {
  for_each = data.vastal_domain_dns_records.acme.records

  zone_id = var.zone_id
  name    = each.value.name
  type    = each.value.type
  ttl     = 3600
  records = each.value.type == "MX" ? ["${each.value.priority} ${each.value.value}."] : [each.value.value]
}

# Or paste them into a BIND zone file.
output "zone_file" {
  value = data.vastal_domain_dns_records.acme.zone_file
}

variable "zone_id" {
  type = string
}
