# A Vastal sending domain whose records live in Amazon Route 53, in one apply:
#
#   vastal_domain -> aws_route53_record (one per key) -> vastal_domain_verification -> addresses

terraform {
  required_version = ">= 1.5"

  required_providers {
    vastal = {
      source = "vastal/vastal"
    }
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

variable "domain" {
  description = "The domain to send from; its zone is hosted in Route 53."
  type        = string
}

variable "addresses" {
  description = "Local parts of the addresses to create, and whether each is the primary."
  type        = map(bool)
  default     = { hello = true }
}

# VASTAL_API_KEY holds the organization's key.
provider "vastal" {}

provider "aws" {}

data "aws_route53_zone" "this" {
  name = var.domain
}

resource "vastal_domain" "this" {
  domain = var.domain
}

# The keys (mx, spf, dkim1, dkim2), names and types are known at plan time, so
# for_each works in the same apply that adds the domain. Route 53 quotes TXT
# values itself.
resource "aws_route53_record" "vastal" {
  for_each = vastal_domain.this.dns_records

  zone_id = data.aws_route53_zone.this.zone_id
  name    = each.value.name
  type    = each.value.type
  ttl     = 3600
  records = [each.value.type == "MX" ? "${each.value.priority} ${each.value.value}." : each.value.value]
}

# Referencing the records' names makes Terraform write them before it waits.
resource "vastal_domain_verification" "this" {
  domain_id    = vastal_domain.this.id
  record_fqdns = [for r in aws_route53_record.vastal : r.fqdn]

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
