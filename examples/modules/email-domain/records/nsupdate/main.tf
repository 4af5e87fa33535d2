# Writes the records of module.email_domain.dns_records with an RFC 2136
# command-line client run by terraform_data, for DNS servers that accept
# unsigned updates (a test or lab server). The module's own tests use it with
# the repository's internal/demo/nsupdate client, because the hashicorp/dns
# provider cannot be downloaded where they run.

terraform {
  required_version = ">= 1.5"
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
  description = "The zone to update, such as example.test."
  type        = string
}

variable "server" {
  description = "host:port of the zone's primary server, which accepts the updates."
  type        = string
}

variable "nsupdate" {
  description = "Path of the client, called as: nsupdate -server S -zone Z add|delete NAME. TTL TYPE VALUE."
  type        = string
}

variable "ttl" {
  description = "TTL of the records, in seconds."
  type        = number
  default     = 60
}

resource "terraform_data" "record" {
  for_each = var.records

  input = {
    server = var.server
    zone   = var.zone
    tool   = var.nsupdate
    ttl    = var.ttl
    name   = each.value.name
    type   = each.value.type
    value = (each.value.type == "MX" ? "${each.value.priority} ${each.value.value}." :
    each.value.type == "TXT" ? jsonencode(each.value.value) : "${each.value.value}.")
  }

  provisioner "local-exec" {
    command = "${self.input.tool} -server ${self.input.server} -zone ${self.input.zone} add ${self.input.name}. ${self.input.ttl} ${self.input.type} '${self.input.value}'"
  }

  provisioner "local-exec" {
    when    = destroy
    command = "${self.input.tool} -server ${self.input.server} -zone ${self.input.zone} delete ${self.input.name}. ${self.input.ttl} ${self.input.type} '${self.input.value}'"
  }
}

output "fqdns" {
  description = "The names written, for the email-domain module's record_fqdns."
  value       = [for r in terraform_data.record : r.output.name]
}
