# Every domain of the organization, oldest first.
data "vastal_domains" "all" {}

# Only the domains still waiting for DNS verification.
data "vastal_domains" "pending" {
  status = "pending"
}

output "pending_domains" {
  value = [for d in data.vastal_domains.pending.domains : d.domain]
}
