# A Vastal sending domain whose records live in Google Cloud DNS, in one apply:
#
#   vastal_domain -> google_dns_record_set (one per key) -> vastal_domain_verification -> addresses

terraform {
  required_version = ">= 1.5"

  required_providers {
    vastal = {
      source = "vastal/vastal"
    }
    google = {
      source  = "hashicorp/google"
      version = ">= 5.0"
    }
  }
}

variable "domain" {
  description = "The domain to send from."
  type        = string
}

variable "project" {
  description = "Google Cloud project of the managed zone."
  type        = string
}

variable "managed_zone" {
  description = "Name of the Cloud DNS managed zone that holds the domain."
  type        = string
}

variable "addresses" {
  description = "Local parts of the addresses to create, and whether each is the primary."
  type        = map(bool)
  default     = { hello = true }
}

# VASTAL_API_KEY holds the organization's key.
provider "vastal" {}

provider "google" {
  project = var.project
}

resource "vastal_domain" "this" {
  domain = var.domain
}

# The keys (mx, spf, dkim1, dkim2), names and types are known at plan time, so
# for_each works in the same apply that adds the domain. Cloud DNS wants
# absolute names and targets (a trailing dot) and quoted TXT data.
resource "google_dns_record_set" "vastal" {
  for_each = vastal_domain.this.dns_records

  managed_zone = var.managed_zone
  name         = "${each.value.name}."
  type         = each.value.type
  ttl          = 3600
  rrdatas = [
    each.value.type == "MX" ? "${each.value.priority} ${each.value.value}." :
    each.value.type == "TXT" ? "\"${each.value.value}\"" : "${each.value.value}."
  ]
}

# Referencing the records makes Terraform write them before it waits; the
# trailing dot of the names is ignored.
resource "vastal_domain_verification" "this" {
  domain_id    = vastal_domain.this.id
  record_fqdns = [for r in google_dns_record_set.vastal : r.name]

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
