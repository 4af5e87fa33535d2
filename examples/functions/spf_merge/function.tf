# The domain already sends through another provider: publish one SPF record
# that allows both. Two SPF records at one name make receivers fail both.
locals {
  spf = provider::vastal::spf_merge("v=spf1 include:_spf.google.com ~all")
  # => "v=spf1 include:_spf.google.com include:_spf.vastal.com ~all"
}

# dns_txt_record_set manages every TXT record at the name, so list the
# other TXT values there beside the merged SPF record.
resource "dns_txt_record_set" "apex" {
  zone = "example.com."
  txt = [
    local.spf,
    "google-site-verification=abc123",
  ]
  ttl = 300
}

# A domain without an SPF record gets Vastal's own.
output "new_domain_spf" {
  value = provider::vastal::spf_merge("") # "v=spf1 include:_spf.vastal.com ~all"
}
