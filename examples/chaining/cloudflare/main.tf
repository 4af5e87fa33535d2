# A Vastal sending domain whose records live in Cloudflare DNS (provider v5),
# in one apply:
#
#   vastal_domain -> cloudflare_dns_record (one per key) -> vastal_domain_verification -> addresses

terraform {
  required_version = ">= 1.5"

  required_providers {
    vastal = {
      source = "vastal/vastal"
    }
    cloudflare = {
      source  = "cloudflare/cloudflare"
      version = ">= 5.0"
    }
  }
}

variable "domain" {
  description = "The domain to send from."
  type        = string
}

variable "cloudflare_zone_id" {
  description = "ID of the Cloudflare zone that holds the domain."
  type        = string
}

variable "addresses" {
  description = "Local parts of the addresses to create, and whether each is the primary."
  type        = map(bool)
  default     = { hello = true }
}

# VASTAL_API_KEY and CLOUDFLARE_API_TOKEN hold the keys.
provider "vastal" {}

provider "cloudflare" {}

resource "vastal_domain" "this" {
  domain = var.domain
}

# The keys (mx, spf, dkim1, dkim2), names and types are known at plan time, so
# for_each works in the same apply that adds the domain. The DKIM CNAMEs must
# not be proxied: receivers have to see Vastal's target.
resource "cloudflare_dns_record" "vastal" {
  for_each = vastal_domain.this.dns_records

  zone_id  = var.cloudflare_zone_id
  name     = each.value.name
  type     = each.value.type
  content  = each.value.type == "TXT" ? "\"${each.value.value}\"" : each.value.value
  priority = each.value.priority
  ttl      = 3600
  proxied  = false
}

# Referencing the records makes Terraform write them before it waits.
resource "vastal_domain_verification" "this" {
  domain_id    = vastal_domain.this.id
  record_fqdns = [for r in cloudflare_dns_record.vastal : r.name]

  timeouts {
    create = "30m"
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
