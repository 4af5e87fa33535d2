package provider_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vastal/terraform-provider-vastal/internal/acctest"
	"github.com/vastal/terraform-provider-vastal/internal/dnstest"
)

// requiredRecordsServer starts an authoritative DNS server on loopback whose
// zones hold the four records Vastal requires of each domain, so that they
// verify, and returns its address.
func requiredRecordsServer(t *testing.T, domains ...string) string {
	t.Helper()
	var zones []*dnstest.Zone
	for _, d := range domains {
		zones = append(zones, dnstest.NewZone(d).MustAdd(
			"@ MX 10 mx.vastal.com.",
			`@ TXT "v=spf1 include:_spf.vastal.com ~all"`,
			"vsm1._domainkey CNAME vsm1.dkim.vastal.com.",
			"vsm2._domainkey CNAME vsm2.dkim.vastal.com.",
		))
	}
	srv, err := dnstest.NewServer(zones...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv.Addr
}

func addressCheck(address string, primary bool) knownvalue.Check {
	local, _, _ := strings.Cut(address, "@")
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"id":         knownvalue.StringRegexp(regexp.MustCompile(`^email_[a-z0-9]+$`)),
		"address":    knownvalue.StringExact(address),
		"local_part": knownvalue.StringExact(local),
		"is_primary": knownvalue.Bool(primary),
		"created_at": knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)),
	})
}

// activeDomainConfig verifies mail.test against the DNS server, creates
// addresses on it oldest first (sales, hello, info) with the given primary,
// and reads them back with every data source.
func activeDomainConfig(tr acctest.Transport, primary string) string {
	return tr.Config(`
resource "vastal_domain" "mail" {
  domain = "mail.test"
}

resource "vastal_domain" "waiting" {
  domain = "waiting.test"
}

resource "vastal_domain_verification" "mail" {
  domain_id = vastal_domain.mail.id
}

resource "vastal_email_address" "sales" {
  domain_id  = vastal_domain_verification.mail.domain_id
  local_part = "Sales"
  is_primary = "sales" == "` + primary + `"
}

resource "vastal_email_address" "hello" {
  domain_id  = vastal_domain_verification.mail.domain_id
  local_part = "hello"
  is_primary = "hello" == "` + primary + `"
  depends_on = [vastal_email_address.sales]
}

resource "vastal_email_address" "info" {
  domain_id  = vastal_domain_verification.mail.domain_id
  local_part = "info"
  depends_on = [vastal_email_address.hello]
}

locals {
  all_addresses = [vastal_email_address.sales, vastal_email_address.hello, vastal_email_address.info, vastal_domain.waiting]
}

data "vastal_email_addresses" "mail" {
  domain_id  = vastal_domain_verification.mail.domain_id
  depends_on = [local.all_addresses]
}

data "vastal_email_addresses" "waiting" {
  domain_id = vastal_domain.waiting.id
}

data "vastal_domain" "mail" {
  domain     = "mail.test"
  depends_on = [vastal_domain_verification.mail]
}

data "vastal_domains" "all" {
  depends_on = [local.all_addresses]
}

data "vastal_domains" "active" {
  status     = "active"
  depends_on = [local.all_addresses]
}

data "vastal_domains" "pending" {
  status     = "pending"
  depends_on = [local.all_addresses]
}

data "vastal_domains" "failed" {
  status     = "failed"
  depends_on = [local.all_addresses]
}
`)
}

func TestAccEmailAddressesDataSource_activeDomain(t *testing.T) {
	for _, tr := range acctest.Transports(t, requiredRecordsServer(t, "mail.test")) {
		t.Run(tr.Name, func(t *testing.T) {
			const ds = "data.vastal_email_addresses.mail"
			mailID := statecheck.CompareValue(compareSame)
			domainsEntry := func(name, status string, verified bool) knownvalue.Check {
				verifiedAt := knownvalue.Check(knownvalue.Null())
				if verified {
					verifiedAt = knownvalue.NotNull()
				}
				return knownvalue.ObjectExact(map[string]knownvalue.Check{
					"id":             knownvalue.StringRegexp(regexp.MustCompile(`^dom_[a-z0-9]+$`)),
					"domain":         knownvalue.StringExact(name),
					"status":         knownvalue.StringExact(status),
					"type":           knownvalue.StringExact("imported"),
					"dns_configured": knownvalue.Bool(verified),
					"mx_verified":    knownvalue.Bool(verified),
					"spf_verified":   knownvalue.Bool(verified),
					"dkim_verified":  knownvalue.Bool(verified),
					"verified_at":    verifiedAt,
					"created_at":     knownvalue.NotNull(),
				})
			}
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
				Steps: []resource.TestStep{
					{
						Config: activeDomainConfig(tr, "hello"),
						ConfigStateChecks: []statecheck.StateCheck{
							mailID.AddStateValue("vastal_domain.mail", tfjsonpath.New("id")),
							mailID.AddStateValue(ds, tfjsonpath.New("domain_id")),
							statecheck.ExpectKnownValue(ds, tfjsonpath.New("addresses"), knownvalue.ListExact([]knownvalue.Check{
								addressCheck("sales@mail.test", false),
								addressCheck("hello@mail.test", true),
								addressCheck("info@mail.test", false),
							})),
							statecheck.ExpectKnownValue(ds, tfjsonpath.New("primary"), addressCheck("hello@mail.test", true)),
							statecheck.CompareValuePairs("vastal_email_address.hello", tfjsonpath.New("id"),
								ds, tfjsonpath.New("primary").AtMapKey("id"), compareSame),
							// A domain without addresses has an empty list, not null, and no primary.
							statecheck.ExpectKnownValue("data.vastal_email_addresses.waiting", tfjsonpath.New("addresses"), knownvalue.ListExact([]knownvalue.Check{})),
							statecheck.ExpectKnownValue("data.vastal_email_addresses.waiting", tfjsonpath.New("primary"), knownvalue.Null()),

							statecheck.ExpectKnownValue("data.vastal_domain.mail", tfjsonpath.New("status"), knownvalue.StringExact("active")),
							statecheck.ExpectKnownValue("data.vastal_domain.mail", tfjsonpath.New("verified_at"), knownvalue.NotNull()),
							statecheck.ExpectKnownValue("data.vastal_domain.mail", tfjsonpath.New("mx_verified"), knownvalue.Bool(true)),

							statecheck.ExpectKnownValue("data.vastal_domains.all", tfjsonpath.New("domains"), knownvalue.ListSizeExact(2)),
							statecheck.ExpectKnownValue("data.vastal_domains.active", tfjsonpath.New("domains"), knownvalue.ListExact([]knownvalue.Check{
								domainsEntry("mail.test", "active", true),
							})),
							statecheck.ExpectKnownValue("data.vastal_domains.pending", tfjsonpath.New("domains"), knownvalue.ListExact([]knownvalue.Check{
								domainsEntry("waiting.test", "pending", false),
							})),
							statecheck.ExpectKnownValue("data.vastal_domains.failed", tfjsonpath.New("domains"), knownvalue.ListExact([]knownvalue.Check{})),
							mailID.AddStateValue("data.vastal_domains.active", tfjsonpath.New("domains").AtSliceIndex(0).AtMapKey("id")),
						},
					},
					// Another primary: the list keeps its order, the flags and primary follow.
					{
						Config: activeDomainConfig(tr, "sales"),
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue(ds, tfjsonpath.New("addresses"), knownvalue.ListExact([]knownvalue.Check{
								addressCheck("sales@mail.test", true),
								addressCheck("hello@mail.test", false),
								addressCheck("info@mail.test", false),
							})),
							statecheck.ExpectKnownValue(ds, tfjsonpath.New("primary"), addressCheck("sales@mail.test", true)),
						},
					},
				},
			})
		})
	}
}

func TestAccEmailAddressesDataSource_domainNotFound(t *testing.T) {
	tr := acctest.Transports(t)[1]
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: tr.Config(`
data "vastal_email_addresses" "test" {
  domain_id = "dom_gone"
}
`),
			ExpectError: regexp.MustCompile(`Domain Not Found[\s\S]*dom_gone`),
		}},
	})
}
