# terraform test for the email-domain module, on the embedded backend and a
# loopback DNS server. run-tests.sh (make examples-check) starts the server,
# builds the provider and passes dns_server, nsupdate and embedded_path as
# TF_VAR_ variables; the provider reads VASTAL_EMBEDDED_PATH and
# VASTAL_DNS_NAMESERVERS for the runs of the module itself.

variables {
  domain    = "Example.Test."
  addresses = { hello = true, support = false }
}

# A plan already knows every record's key, type and name, and the module alone
# plans without any DNS writer.
run "plan_shows_the_records" {
  command = plan

  variables {
    record_fqdns = ["example.test", "vsm1._domainkey.example.test", "vsm2._domainkey.example.test"]
  }

  assert {
    condition     = vastal_domain.this.canonical_domain == "example.test"
    error_message = "The canonical domain should be example.test, got ${vastal_domain.this.canonical_domain}."
  }

  assert {
    condition     = toset(keys(vastal_domain.this.dns_records)) == toset(["mx", "spf", "dkim1", "dkim2"])
    error_message = "The planned dns_records should have the keys mx, spf, dkim1 and dkim2."
  }

  assert {
    condition = (vastal_domain.this.dns_records["mx"].type == "MX" && vastal_domain.this.dns_records["mx"].name == "example.test" &&
      vastal_domain.this.dns_records["spf"].type == "TXT" && vastal_domain.this.dns_records["spf"].name == "example.test" &&
      vastal_domain.this.dns_records["dkim1"].type == "CNAME" && vastal_domain.this.dns_records["dkim1"].name == "vsm1._domainkey.example.test" &&
    vastal_domain.this.dns_records["dkim2"].type == "CNAME" && vastal_domain.this.dns_records["dkim2"].name == "vsm2._domainkey.example.test")
    error_message = "The planned dns_records should name the MX, SPF and DKIM records of example.test."
  }

  assert {
    condition     = toset(keys(vastal_email_address.this)) == toset(["hello", "support"])
    error_message = "Both addresses should be planned."
  }
}

run "two_primaries_are_rejected" {
  command = plan

  variables {
    addresses = { hello = true, sales = true }
  }

  expect_failures = [var.addresses]
}

# The whole chain in one apply: domain, records written through RFC 2136,
# verification against the loopback server, addresses.
run "chain_applies" {
  module {
    source = "./tests/chain"
  }

  assert {
    condition     = output.status == "active"
    error_message = "The domain should be verified (active), got ${output.status}."
  }

  assert {
    condition     = length(output.record_fqdns) == 4
    error_message = "The records module should report the four names it wrote."
  }

  assert {
    condition     = output.addresses == { hello = "hello@example.test", support = "support@example.test" }
    error_message = "The addresses should be hello@example.test and support@example.test."
  }

  assert {
    condition     = output.primary_address == "hello@example.test"
    error_message = "hello@example.test should be the primary address."
  }
}

# Moving the primary is an in-place change on the verified domain.
run "primary_moves" {
  module {
    source = "./tests/chain"
  }

  variables {
    addresses = { hello = false, support = true }
  }

  assert {
    condition     = output.primary_address == "support@example.test"
    error_message = "support@example.test should now be the primary address."
  }

  assert {
    condition     = output.status == "active"
    error_message = "The domain should still be active."
  }
}
