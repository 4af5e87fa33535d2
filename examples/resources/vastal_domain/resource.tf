resource "vastal_domain" "this" {
  domain = "example.com"
}

# The record keys (mx, spf, dkim1, dkim2), types and names are known at plan
# time, so for_each works in the same apply that adds the domain.
resource "aws_route53_record" "vastal" {
  for_each = vastal_domain.this.dns_records

  zone_id = var.zone_id
  name    = each.value.name
  type    = each.value.type
  ttl     = 3600
  records = each.value.type == "MX" ? ["${each.value.priority} ${each.value.value}."] : [each.value.value]
}

variable "zone_id" {
  type = string
}
