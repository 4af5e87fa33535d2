# Quickstart: the whole chain in one apply.
#
#   vastal_domain -> its records in DNS -> vastal_domain_verification -> addresses
#
# `make demo` runs this on the embedded backend against a DNS server it starts
# on loopback. No registry is reachable there, so `terraform_data` with a
# local-exec that sends an RFC 2136 update stands in for your DNS provider. With
# a real DNS provider the records block is one resource, for example:
#
#   Route 53:
#     resource "aws_route53_record" "vastal" {
#       for_each = vastal_domain.this.dns_records
#       zone_id  = aws_route53_zone.this.zone_id
#       name     = each.value.name
#       type     = each.value.type
#       ttl      = 300
#       records  = [each.value.type == "MX" ? "${each.value.priority} ${each.value.value}" : each.value.value]
#     }
#
#   Cloudflare:
#     resource "cloudflare_dns_record" "vastal" {
#       for_each = vastal_domain.this.dns_records
#       zone_id  = var.cloudflare_zone_id
#       name     = each.value.name
#       type     = each.value.type
#       content  = each.value.value
#       priority = each.value.priority
#       ttl      = 300
#     }
#
#   hashicorp/dns (RFC 2136): dns_mx_record_set, dns_txt_record_set and
#   dns_cname_record per key; see examples/chaining/rfc2136.
#
# Then list the names in record_fqdns, so that Terraform writes the records
# before the verification waits for them.

terraform {
  required_providers {
    vastal = {
      source = "vastal/vastal"
    }
  }
}

variable "domain" {
  description = "The domain to send from."
  type        = string
  default     = "example.test"
}

variable "dns_server" {
  description = "host:port of the authoritative DNS server of the domain (the demo's loopback server)."
  type        = string
}

variable "nsupdate" {
  description = "Path of the RFC 2136 client that writes records into dns_server."
  type        = string
}

variable "addresses" {
  description = "Local parts of the addresses to create, and whether each is the primary."
  type        = map(bool)
  default = {
    hello   = true
    support = false
  }
}

provider "vastal" {
  # The embedded backend keeps the organization's domains in a local SQLite
  # file (VASTAL_EMBEDDED_PATH, or .vastal/embedded.db by default).
  embedded = {}

  dns = {
    nameservers = [var.dns_server]
  }
}

resource "vastal_domain" "this" {
  domain = var.domain
}

# Keys (mx, spf, dkim1, dkim2) are known at plan time, so for_each works in
# the same apply that creates the domain.
resource "terraform_data" "record" {
  for_each = vastal_domain.this.dns_records

  input = {
    server = var.dns_server
    zone   = var.domain
    tool   = var.nsupdate
    name   = each.value.name
    type   = each.value.type
    value = (each.value.type == "MX" ? "${each.value.priority} ${each.value.value}." :
    each.value.type == "TXT" ? jsonencode(each.value.value) : "${each.value.value}.")
  }

  provisioner "local-exec" {
    command = "${self.input.tool} -server ${self.input.server} -zone ${self.input.zone} add ${self.input.name}. 60 ${self.input.type} '${self.input.value}'"
  }

  provisioner "local-exec" {
    when    = destroy
    command = "${self.input.tool} -server ${self.input.server} -zone ${self.input.zone} delete ${self.input.name}. 60 ${self.input.type} '${self.input.value}'"
  }
}

resource "vastal_domain_verification" "this" {
  domain_id    = vastal_domain.this.id
  record_fqdns = [for r in terraform_data.record : r.input.name]

  timeouts {
    create = "2m"
  }
}

resource "vastal_email_address" "this" {
  for_each = var.addresses

  domain_id  = vastal_domain_verification.this.domain_id
  local_part = each.key
  is_primary = each.value
}

output "domain" {
  value = vastal_domain.this.canonical_domain
}

output "status" {
  value = vastal_domain_verification.this.status
}

output "dns_records" {
  value = { for k, r in vastal_domain.this.dns_records : k => "${r.type} ${r.name} ${r.value}" }
}

output "addresses" {
  value = sort([for a in vastal_email_address.this : "${a.address}${a.is_primary ? " (primary)" : ""}"])
}
