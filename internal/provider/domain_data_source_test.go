package provider_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vastal/terraform-provider-vastal/internal/acctest"
)

func TestAccDomainDataSource_byIDAndDomain(t *testing.T) {
	for _, tr := range acctest.Transports(t) {
		t.Run(tr.Name, func(t *testing.T) {
			// Every attribute the data source shares with the resource must agree with it.
			shared := []string{"id", "canonical_domain", "status", "type", "dns_configured", "mx_verified",
				"spf_verified", "dkim_verified", "verified_at", "created_at", "dns_records"}
			var checks []statecheck.StateCheck
			for _, attr := range shared {
				same := statecheck.CompareValue(compareSame)
				checks = append(checks,
					same.AddStateValue("vastal_domain.test", tfjsonpath.New(attr)),
					same.AddStateValue("data.vastal_domain.by_name", tfjsonpath.New(attr)),
					same.AddStateValue("data.vastal_domain.by_id", tfjsonpath.New(attr)),
				)
			}
			for _, addr := range []string{"data.vastal_domain.by_name", "data.vastal_domain.by_id"} {
				checks = append(checks,
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("canonical_domain"), knownvalue.StringExact("xn--bcher-kva.example")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact("pending")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("verified_at"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("dns_records").AtMapKey("dkim2").AtMapKey("name"),
						knownvalue.StringExact("vsm2._domainkey.xn--bcher-kva.example")),
				)
			}
			checks = append(checks,
				// The name is kept as written, as the resource keeps it.
				statecheck.ExpectKnownValue("data.vastal_domain.by_name", tfjsonpath.New("domain"), knownvalue.StringExact("BÜCHER.example.")),
				statecheck.ExpectKnownValue("data.vastal_domain.by_id", tfjsonpath.New("domain"), knownvalue.StringExact("xn--bcher-kva.example")),
			)
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
				Steps: []resource.TestStep{{
					Config: tr.Config(`
resource "vastal_domain" "test" {
  domain = "bücher.example"
}

data "vastal_domain" "by_name" {
  domain     = "BÜCHER.example."
  depends_on = [vastal_domain.test]
}

data "vastal_domain" "by_id" {
  id = vastal_domain.test.id
}
`),
					ConfigStateChecks: checks,
				}},
			})
		})
	}
}

func TestAccDomainDataSource_errors(t *testing.T) {
	tr := acctest.Transports(t)[0]
	cases := map[string]struct {
		body string
		want string
	}{
		"neither":      {`{}`, `Missing Attribute Configuration[\s\S]*Exactly one of these attributes must be configured: \[id,domain\]`},
		"both":         {"{\n  id     = \"dom_x\"\n  domain = \"x.test\"\n}", `Invalid Attribute Combination[\s\S]*Exactly one of these attributes must be configured: \[id,domain\]`},
		"invalid name": {`{ domain = "-x.test" }`, `Invalid Domain Name`},
		"unknown ID":   {`{ id = "dom_missing" }`, `Domain Not Found[\s\S]*dom_missing`},
		"unknown name": {`{ domain = "NOPE.test." }`, `Domain Not Found[\s\S]*nope\.test`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
				Steps: []resource.TestStep{{
					Config:      tr.Config(`data "vastal_domain" "test" ` + tc.body + "\n"),
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}
