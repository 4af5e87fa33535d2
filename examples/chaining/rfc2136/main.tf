# A Vastal sending domain whose records are written with RFC 2136 dynamic
# updates (BIND, Knot, PowerDNS, Windows DNS) by the hashicorp/dns provider,
# in one apply:
#
#   vastal_domain -> dns_mx_record_set, dns_txt_record_set, dns_cname_record
#                 -> vastal_domain_verification -> addresses
#
# hashicorp/dns has one resource type per record type, so the records are
# split by type; the domain must be the apex of the zone.

terraform {
  required_version = ">= 1.5"

  required_providers {
    vastal = {
      source = "vastal/vastal"
    }
    dns = {
      source  = "hashicorp/dns"
      version = ">= 3.4"
    }
  }
}

variable "domain" {
  description = "The domain to send from: the apex of a zone that accepts RFC 2136 updates."
  type        = string
}

variable "dns_server" {
  description = "The primary name server of the zone, which accepts the updates."
  type        = string
}

variable "tsig_key_secret" {
  description = "Base64 secret of the TSIG key allowed to update the zone."
  type        = string
  sensitive   = true
}

variable "addresses" {
  description = "Local parts of the addresses to create, and whether each is the primary."
  type        = map(bool)
  default     = { hello = true }
}

# VASTAL_API_KEY holds the organization's key.
provider "vastal" {}

provider "dns" {
  update {
    server        = var.dns_server
    key_name      = "terraform."
    key_algorithm = "hmac-sha256"
    key_secret    = var.tsig_key_secret
  }
}

resource "vastal_domain" "this" {
  domain = var.domain
}

locals {
  zone = "${vastal_domain.this.canonical_domain}."
  # Keys and types are known at plan time, so the records can be split by type
  # in the same apply that adds the domain.
  mx    = { for k, r in vastal_domain.this.dns_records : k => r if r.type == "MX" }
  txt   = { for k, r in vastal_domain.this.dns_records : k => r if r.type == "TXT" }
  cname = { for k, r in vastal_domain.this.dns_records : k => r if r.type == "CNAME" }
}

# dns_mx_record_set and dns_txt_record_set manage every record of their type at
# the name: if the apex already has an SPF record, merge it with
# provider::vastal::spf_merge instead (see the function's docs).
resource "dns_mx_record_set" "vastal" {
  for_each = local.mx

  zone = local.zone
  ttl  = 3600

  mx {
    preference = each.value.priority
    exchange   = "${each.value.value}."
  }
}

resource "dns_txt_record_set" "vastal" {
  for_each = local.txt

  zone = local.zone
  txt  = [each.value.value]
  ttl  = 3600
}

resource "dns_cname_record" "vastal" {
  for_each = local.cname

  zone  = local.zone
  name  = each.value.host
  cname = "${each.value.value}."
  ttl   = 3600
}

# The names come from the record resources, so Terraform writes the records
# before it waits.
resource "vastal_domain_verification" "this" {
  domain_id = vastal_domain.this.id
  record_fqdns = concat(
    [for r in dns_mx_record_set.vastal : r.zone],
    [for r in dns_txt_record_set.vastal : r.zone],
    [for r in dns_cname_record.vastal : "${r.name}.${r.zone}"],
  )

  timeouts {
    create = "10m"
  }
}

resource "vastal_email_address" "this" {
  for_each = var.addresses

  domain_id  = vastal_domain_verification.this.domain_id
  local_part = each.key
  is_primary = each.value
}

output "addresses" {
  value = [for a in vastal_email_address.this : a.address]
}
