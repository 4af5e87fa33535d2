variable "domain" {
  description = "The domain to send from, in any spelling (Unicode, upper case, a trailing dot)."
  type        = string
}

variable "record_fqdns" {
  description = "Names of the records your DNS writer wrote, such as the fqdns output of ./records/rfc2136. Referencing them makes Terraform write the records before the verification waits. Null waits without that ordering."
  type        = list(string)
  default     = null
}

variable "addresses" {
  description = "Addresses to create once the domain is verified: local part => whether it is the primary (at most one true)."
  type        = map(bool)
  default     = {}

  validation {
    condition     = length([for local, primary in var.addresses : local if primary]) <= 1
    error_message = "At most one address may be the primary; set is_primary to true for one local part only."
  }
}

variable "verification_timeout" {
  description = "How long to wait for the records to pass verification, as a duration such as \"30m\"."
  type        = string
  default     = "30m"
}
