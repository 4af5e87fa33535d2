# A Vastal sending domain whose DNS host has no Terraform provider: Terraform
# writes the records as BIND zone-file lines, a command of yours publishes
# them (upload to the DNS host, include in a zone and reload, open a ticket),
# and the verification waits until the authoritative servers serve them.
#
#   vastal_domain -> zone_file -> your publish command -> vastal_domain_verification -> addresses

terraform {
  required_version = ">= 1.5"

  required_providers {
    vastal = {
      source = "vastal/vastal"
    }
    local = {
      source  = "hashicorp/local"
      version = ">= 2.4"
    }
  }
}

variable "domain" {
  description = "The domain to send from."
  type        = string
}

variable "publish_command" {
  description = "Command that publishes the zone-file lines in the file named by $ZONE_FILE, for example an upload script, or `cat $ZONE_FILE >> /etc/bind/db.example.com && rndc reload`."
  type        = string
}

variable "addresses" {
  description = "Local parts of the addresses to create, and whether each is the primary."
  type        = map(bool)
  default     = { hello = true }
}

# VASTAL_API_KEY holds the organization's key.
provider "vastal" {}

resource "vastal_domain" "this" {
  domain = var.domain
}

data "vastal_domain_dns_records" "this" {
  domain_id = vastal_domain.this.id
}

# Lines such as `example.com. 3600 IN MX 10 mx.vastal.com.`, TXT data quoted
# and split into 255-byte strings.
resource "local_file" "zone" {
  filename        = "${path.module}/vastal-${vastal_domain.this.canonical_domain}.zone"
  content         = data.vastal_domain_dns_records.this.zone_file
  file_permission = "0644"
}

resource "terraform_data" "publish" {
  triggers_replace = [local_file.zone.content]

  # Every record name, by key: the verification waits for these. Taking them
  # from here makes Terraform publish before it waits.
  input = { for k, r in vastal_domain.this.dns_records : k => r.name }

  provisioner "local-exec" {
    command = var.publish_command
    environment = {
      ZONE_FILE = local_file.zone.filename
    }
  }
}

resource "vastal_domain_verification" "this" {
  domain_id    = vastal_domain.this.id
  record_fqdns = values(terraform_data.publish.output)

  # A DNS host without an API may take a while to publish.
  timeouts {
    create = "2h"
  }
}

resource "vastal_email_address" "this" {
  for_each = var.addresses

  domain_id  = vastal_domain_verification.this.domain_id
  local_part = each.key
  is_primary = each.value
}

output "zone_file" {
  description = "The lines to publish, for a human to read or paste."
  value       = data.vastal_domain_dns_records.this.zone_file
}

output "addresses" {
  value = [for a in vastal_email_address.this : a.address]
}
