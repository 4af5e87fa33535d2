# Read every TXT value at the apex, merge whatever SPF records are among them
# (and Vastal's include) into one, and publish it with the other values.
data "dns_txt_record_set" "apex" {
  host = "example.com"
}

locals {
  # The SPF records are replaced by the merged one; everything else is kept.
  others = [for v in data.dns_txt_record_set.apex.records : v if !can(regex("^(?i)v=spf1( |$)", v))]
  spf    = provider::vastal::spf_merge_all(data.dns_txt_record_set.apex.records)
}

resource "dns_txt_record_set" "apex" {
  zone = "example.com."
  txt  = concat([local.spf], local.others)
  ttl  = 300
}

# Two SPF records published by mistake become one:
output "merged" {
  value = provider::vastal::spf_merge_all([
    "v=spf1 include:_spf.google.com ~all",
    "google-site-verification=abc123",
    "v=spf1 ip4:192.0.2.0/24 ~all",
  ])
  # => "v=spf1 include:_spf.google.com ip4:192.0.2.0/24 include:_spf.vastal.com ~all"
}
