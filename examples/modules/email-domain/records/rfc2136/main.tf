# Writes the records of module.email_domain.dns_records with RFC 2136 dynamic
# updates through the hashicorp/dns provider (configure it, with its TSIG key,
# in the calling module). The domain must be the apex of the zone.

terraform {
  required_version = ">= 1.5"

  required_providers {
    dns = {
      source  = "hashicorp/dns"
      version = ">= 3.4"
    }
  }
}

variable "records" {
  description = "The dns_records output of the email-domain module."
  type = map(object({
    type     = string
    name     = string
    host     = string
    value    = string
    priority = number
  }))
}

variable "zone" {
  description = "The zone, which is the domain, such as example.com (a trailing dot is added)."
  type        = string
}

variable "ttl" {
  description = "TTL of the records, in seconds."
  type        = number
  default     = 3600
}

locals {
  zone  = "${trimsuffix(var.zone, ".")}."
  mx    = { for k, r in var.records : k => r if r.type == "MX" }
  txt   = { for k, r in var.records : k => r if r.type == "TXT" }
  cname = { for k, r in var.records : k => r if r.type == "CNAME" }
}

# The record sets manage every MX and TXT record at the apex: if the domain
# already publishes an SPF record, merge it with provider::vastal::spf_merge.
resource "dns_mx_record_set" "this" {
  for_each = local.mx

  zone = local.zone
  ttl  = var.ttl

  mx {
    preference = each.value.priority
    exchange   = "${each.value.value}."
  }
}

resource "dns_txt_record_set" "this" {
  for_each = local.txt

  zone = local.zone
  txt  = [each.value.value]
  ttl  = var.ttl
}

resource "dns_cname_record" "this" {
  for_each = local.cname

  zone  = local.zone
  name  = each.value.host
  cname = "${each.value.value}."
  ttl   = var.ttl
}

output "fqdns" {
  description = "The names written, for the email-domain module's record_fqdns."
  value = concat(
    [for r in dns_mx_record_set.this : r.zone],
    [for r in dns_txt_record_set.this : r.zone],
    [for r in dns_cname_record.this : "${r.name}.${r.zone}"],
  )
}
