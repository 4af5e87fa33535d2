package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vastal/terraform-provider-vastal/internal/acctest"
)

// recordObject is one element of records_list; key is omitted for the map.
func recordObject(key, typ, name, host, value string, priority knownvalue.Check) knownvalue.Check {
	attrs := map[string]knownvalue.Check{
		"type":     knownvalue.StringExact(typ),
		"name":     knownvalue.StringExact(name),
		"host":     knownvalue.StringExact(host),
		"value":    knownvalue.StringExact(value),
		"priority": priority,
	}
	if key != "" {
		attrs["key"] = knownvalue.StringExact(key)
	}
	return knownvalue.ObjectExact(attrs)
}

func dnsRecordsChecks(addr, domain string) []statecheck.StateCheck {
	mx := func(key string) knownvalue.Check {
		return recordObject(key, "MX", domain, "@", "mx.vastal.com", knownvalue.Int64Exact(10))
	}
	spf := func(key string) knownvalue.Check {
		return recordObject(key, "TXT", domain, "@", "v=spf1 include:_spf.vastal.com ~all", knownvalue.Null())
	}
	dkim := func(key, n string) knownvalue.Check {
		return recordObject(key, "CNAME", "vsm"+n+"._domainkey."+domain, "vsm"+n+"._domainkey", "vsm"+n+".dkim.vastal.com", knownvalue.Null())
	}
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("domain_id"), knownvalue.StringRegexp(regexp.MustCompile(`^dom_[a-z0-9]+$`))),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("domain"), knownvalue.StringExact(domain)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("records"), knownvalue.MapExact(map[string]knownvalue.Check{
			"mx": mx(""), "spf": spf(""), "dkim1": dkim("", "1"), "dkim2": dkim("", "2"),
		})),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("records_list"), knownvalue.ListExact([]knownvalue.Check{
			mx("mx"), spf("spf"), dkim("dkim1", "1"), dkim("dkim2", "2"),
		})),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("zone_file"), knownvalue.StringExact(fmt.Sprintf(
			"%[1]s. 3600 IN MX 10 mx.vastal.com.\n"+
				"%[1]s. 3600 IN TXT \"v=spf1 include:_spf.vastal.com ~all\"\n"+
				"vsm1._domainkey.%[1]s. 3600 IN CNAME vsm1.dkim.vastal.com.\n"+
				"vsm2._domainkey.%[1]s. 3600 IN CNAME vsm2.dkim.vastal.com.\n", domain))),
	}
}

func TestAccDomainDNSRecordsDataSource_byDomainAndID(t *testing.T) {
	for _, tr := range acctest.Transports(t) {
		t.Run(tr.Name, func(t *testing.T) {
			const canonical = "xn--bcher-kva.example"
			id := statecheck.CompareValue(compareSame)
			checks := []statecheck.StateCheck{
				id.AddStateValue("vastal_domain.test", tfjsonpath.New("id")),
				id.AddStateValue("data.vastal_domain_dns_records.by_name", tfjsonpath.New("domain_id")),
				id.AddStateValue("data.vastal_domain_dns_records.by_id", tfjsonpath.New("domain_id")),
			}
			checks = append(checks, dnsRecordsChecks("data.vastal_domain_dns_records.by_name", canonical)...)
			checks = append(checks, dnsRecordsChecks("data.vastal_domain_dns_records.by_id", canonical)...)
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
				Steps: []resource.TestStep{{
					Config: tr.Config(`
resource "vastal_domain" "test" {
  domain = "bücher.example"
}

data "vastal_domain_dns_records" "by_name" {
  domain     = "Bücher.EXAMPLE."
  depends_on = [vastal_domain.test]
}

data "vastal_domain_dns_records" "by_id" {
  domain_id = vastal_domain.test.id
}
`),
					ConfigStateChecks: checks,
				}},
			})
		})
	}
}

func TestAccDomainDNSRecordsDataSource_errors(t *testing.T) {
	tr := acctest.Transports(t)[0]
	cases := map[string]struct {
		body string
		want string
	}{
		"neither":      {`{}`, `Missing Attribute Configuration[\s\S]*Exactly one of these attributes must be configured: \[domain_id,domain\]`},
		"both":         {"{\n  domain_id = \"dom_x\"\n  domain    = \"x.test\"\n}", `Invalid Attribute Combination[\s\S]*Exactly one of these attributes must be configured: \[domain_id,domain\]`},
		"invalid name": {`{ domain = "no_such" }`, `Invalid Domain Name`},
		"unknown ID":   {`{ domain_id = "dom_missing" }`, `Domain Not Found[\s\S]*dom_missing`},
		"unknown name": {`{ domain = "Nope.Test" }`, `Domain Not Found[\s\S]*nope\.test`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
				Steps: []resource.TestStep{{
					Config:      tr.Config(`data "vastal_domain_dns_records" "test" ` + tc.body + "\n"),
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}
