# The test's root module: the email-domain module with its records written by
# ./records/nsupdate into a loopback DNS server, on the embedded backend.

terraform {
  required_providers {
    vastal = {
      source = "vastal/vastal"
    }
  }
}

variable "domain" {
  type = string
}

variable "dns_server" {
  type = string
}

variable "nsupdate" {
  type = string
}

variable "embedded_path" {
  type = string
}

variable "addresses" {
  type = map(bool)
}

provider "vastal" {
  embedded = {
    path = var.embedded_path
  }

  dns = {
    nameservers = [var.dns_server]
  }
}

module "email_domain" {
  source = "../.."

  domain               = var.domain
  record_fqdns         = module.records.fqdns
  addresses            = var.addresses
  verification_timeout = "2m"
}

module "records" {
  source = "../../records/nsupdate"

  records  = module.email_domain.dns_records
  zone     = module.email_domain.canonical_domain
  server   = var.dns_server
  nsupdate = var.nsupdate
}

output "canonical_domain" {
  value = module.email_domain.canonical_domain
}

output "dns_records" {
  value = module.email_domain.dns_records
}

output "record_fqdns" {
  value = module.records.fqdns
}

output "status" {
  value = module.email_domain.status
}

output "addresses" {
  value = module.email_domain.addresses
}

output "primary_address" {
  value = module.email_domain.primary_address
}
