package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vastal/terraform-provider-vastal/internal/acctest"
)

func chainConfig(tr acctest.Transport, server, helloPrimary, salesPrimary string, salesLocal string) string {
	return tr.Config(fmt.Sprintf(`
resource "vastal_domain" "test" {
  domain = "chain.test"
}
%s
resource "vastal_domain_verification" "test" {
  domain_id    = vastal_domain.test.id
  record_fqdns = [for r in dnstest_record.r : r.fqdn]
}

resource "vastal_email_address" "hello" {
  domain_id  = vastal_domain_verification.test.domain_id
  local_part = "hello"
  is_primary = %s
}

resource "vastal_email_address" "sales" {
  domain_id  = vastal_domain_verification.test.domain_id
  local_part = %q
  is_primary = %s
}
`, acctest.RecordsConfig("test", server, "chain.test"), helloPrimary, salesLocal, salesPrimary))
}

// The job the provider is hired for: domain, records, verification and
// addresses in one apply, then a second plan that is empty.
func TestAccChain_oneApply(t *testing.T) {
	for _, tr0 := range []string{"embedded", "http"} {
		t.Run(tr0, func(t *testing.T) {
			srv, _ := acctest.DNSZone(t, "chain.test")
			var tr acctest.Transport
			for _, x := range acctest.Transports(t, srv.Addr) {
				if x.Name == tr0 {
					tr = x
				}
			}
			// Without for_each, so that terraform-plugin-testing can end the case.
			final := tr.Config(`
resource "vastal_domain" "test" {
  domain = "chain.test"
}

resource "vastal_domain_verification" "test" {
  domain_id    = vastal_domain.test.id
  record_fqdns = ["chain.test", "vsm1._domainkey.chain.test", "vsm2._domainkey.chain.test"]
}

resource "vastal_email_address" "hello" {
  domain_id  = vastal_domain_verification.test.domain_id
  local_part = "hello"
  is_primary = false
}

resource "vastal_email_address" "sales" {
  domain_id  = vastal_domain_verification.test.domain_id
  local_part = "SALES"
  is_primary = true
}
`)
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
				Steps: []resource.TestStep{
					{
						Config: chainConfig(tr, srv.Addr, "true", "false", "sales"),
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{
								plancheck.ExpectResourceAction("vastal_domain.test", plancheck.ResourceActionCreate),
								plancheck.ExpectResourceAction(`dnstest_record.r["mx"]`, plancheck.ResourceActionCreate),
								plancheck.ExpectResourceAction(`dnstest_record.r["spf"]`, plancheck.ResourceActionCreate),
								plancheck.ExpectResourceAction(`dnstest_record.r["dkim1"]`, plancheck.ResourceActionCreate),
								plancheck.ExpectResourceAction(`dnstest_record.r["dkim2"]`, plancheck.ResourceActionCreate),
								plancheck.ExpectResourceAction("vastal_domain_verification.test", plancheck.ResourceActionCreate),
								plancheck.ExpectResourceAction("vastal_email_address.hello", plancheck.ResourceActionCreate),
								plancheck.ExpectResourceAction("vastal_email_address.sales", plancheck.ResourceActionCreate),
							},
						},
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue("vastal_domain_verification.test", tfjsonpath.New("status"), knownvalue.StringExact("active")),
							statecheck.ExpectKnownValue("vastal_domain_verification.test", tfjsonpath.New("verified_at"), knownvalue.NotNull()),
							statecheck.ExpectKnownValue("vastal_domain_verification.test", tfjsonpath.New("dkim_verified"), knownvalue.Bool(true)),
							statecheck.ExpectKnownValue("vastal_email_address.hello", tfjsonpath.New("address"), knownvalue.StringExact("hello@chain.test")),
							statecheck.ExpectKnownValue("vastal_email_address.hello", tfjsonpath.New("is_primary"), knownvalue.Bool(true)),
							statecheck.ExpectKnownValue("vastal_email_address.sales", tfjsonpath.New("is_primary"), knownvalue.Bool(false)),
						},
					},
					// The domain resource sees the verification on refresh.
					{
						Config: chainConfig(tr, srv.Addr, "true", "false", "sales"),
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue("vastal_domain.test", tfjsonpath.New("status"), knownvalue.StringExact("active")),
						},
					},
					// Switching the primary converges in one apply; a change of
					// case only is no change.
					{
						Config: final,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{
								plancheck.ExpectResourceAction("vastal_email_address.hello", plancheck.ResourceActionUpdate),
								plancheck.ExpectResourceAction("vastal_email_address.sales", plancheck.ResourceActionUpdate),
								plancheck.ExpectResourceAction("vastal_domain_verification.test", plancheck.ResourceActionNoop),
							},
						},
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue("vastal_email_address.hello", tfjsonpath.New("is_primary"), knownvalue.Bool(false)),
							statecheck.ExpectKnownValue("vastal_email_address.sales", tfjsonpath.New("is_primary"), knownvalue.Bool(true)),
							statecheck.ExpectKnownValue("vastal_email_address.sales", tfjsonpath.New("address"), knownvalue.StringExact("sales@chain.test")),
						},
					},
					{
						ResourceName:            "vastal_domain_verification.test",
						ImportState:             true,
						ImportStateVerify:       true,
						ImportStateVerifyIgnore: []string{"record_fqdns"}, // what the user's DNS provider wrote is not in the API
					},
					{
						ResourceName:      "vastal_domain_verification.test",
						ImportState:       true,
						ImportStateVerify: true,
						ImportStateIdFunc: func(*terraform.State) (string, error) { return "Chain.Test", nil },
						// record_fqdns: see above.
						ImportStateVerifyIgnore: []string{"record_fqdns"},
					},
					{
						ResourceName:      "vastal_email_address.hello",
						ImportState:       true,
						ImportStateVerify: true,
						ImportStateIdFunc: func(*terraform.State) (string, error) { return "hello@chain.test", nil },
					},
					{
						ResourceName:      "vastal_email_address.hello",
						ImportState:       true,
						ImportStateVerify: true,
						ImportStateIdFunc: func(s *terraform.State) (string, error) {
							rs := s.RootModule().Resources["vastal_email_address.hello"]
							return rs.Primary.Attributes["domain_id"] + "/" + rs.Primary.ID, nil
						},
					},
				},
			})
		})
	}
}

func transport(t *testing.T, name string, nameservers ...string) acctest.Transport {
	t.Helper()
	for _, tr := range acctest.Transports(t, nameservers...) {
		if tr.Name == name {
			return tr
		}
	}
	t.Fatalf("no transport %q", name)
	return acctest.Transport{}
}

func TestAccDomainVerification_timeoutNamesEveryRecord(t *testing.T) {
	for _, name := range []string{"embedded", "http"} {
		t.Run(name, func(t *testing.T) {
			srv, zone := acctest.DNSZone(t, "late.test")
			// MX right, a second SPF record, DKIM as TXT, no vsm2 at all.
			if err := zone.Add(
				"late.test. 60 IN MX 10 mx.vastal.com.",
				`late.test. 60 IN TXT "v=spf1 include:_spf.vastal.com ~all"`,
				`late.test. 60 IN TXT "v=spf1 include:other.example -all"`,
				`vsm1._domainkey.late.test. 60 IN TXT "v=DKIM1; k=rsa; p=MIGf"`,
			); err != nil {
				t.Fatal(err)
			}
			tr := transport(t, name, srv.Addr)
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
				Steps: []resource.TestStep{{
					Config: tr.Config(`
resource "vastal_domain" "test" {
  domain = "late.test"
}

resource "vastal_domain_verification" "test" {
  domain_id = vastal_domain.test.id
  timeouts {
    create = "4s"
  }
}
`),
					ExpectError: regexp.MustCompile(`Domain Verification Timed Out[\s\S]*` +
						`\[ok\] MX late.test[\s\S]*` +
						`\[MISSING\] TXT late.test[\s\S]*merge[\s\S]*` +
						`\[MISSING\] CNAME vsm1._domainkey.late.test[\s\S]*TXT[\s\S]*` +
						`\[MISSING\] CNAME vsm2._domainkey.late.test[\s\S]*DKIM CNAME vsm2._domainkey not found`),
				}},
			})
		})
	}
}

func TestAccDomainVerification_recordFQDNsMustCoverEveryName(t *testing.T) {
	tr := transport(t, "embedded")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: tr.Config(`
resource "vastal_domain" "test" {
  domain = "partial.test"
}

resource "vastal_domain_verification" "test" {
  domain_id    = vastal_domain.test.id
  record_fqdns = ["PARTIAL.test.", "vsm1._domainkey.partial.test"]
}
`),
			ExpectError: regexp.MustCompile(`Required DNS Records Missing From record_fqdns[\s\S]*vsm2._domainkey.partial.test`),
		}},
	})
}

func TestAccEmailAddress_pendingDomain(t *testing.T) {
	tr := transport(t, "http")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: tr.Config(`
resource "vastal_domain" "test" {
  domain = "pending.test"
}

resource "vastal_email_address" "test" {
  domain_id  = vastal_domain.test.id
  local_part = "hello"
}
`),
			ExpectError: regexp.MustCompile(`Domain Not Verified[\s\S]*"pending"[\s\S]*vastal_domain_verification`),
		}},
	})
}

func TestAccEmailAddress_invalidLocalPart(t *testing.T) {
	tr := transport(t, "embedded")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: tr.Config(`
resource "vastal_email_address" "test" {
  domain_id  = "dom_x"
  local_part = "a..b"
}
`),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`Invalid Local Part[\s\S]*two dots`),
		}},
	})
}

// Deleted out of band: the address, then the whole domain. Each is planned
// for re-creation without an error, and the verification waits again.
func TestAccChain_drift(t *testing.T) {
	srv, _ := acctest.DNSZone(t, "chain.test")
	tr := transport(t, "http", srv.Addr)
	client := tr.Client(t)
	ctx := context.Background()
	cfg := chainConfig(tr, srv.Addr, "true", "false", "sales")
	sameHello := statecheck.CompareValue(compareSame)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					sameHello.AddStateValue("vastal_email_address.hello", tfjsonpath.New("id")),
				},
			},
			{
				PreConfig: func() {
					d, err := client.FindDomain(ctx, "chain.test")
					if err != nil {
						t.Fatal(err)
					}
					list, err := client.ListEmailAddresses(ctx, d.ID)
					if err != nil {
						t.Fatal(err)
					}
					for _, a := range list {
						if a.Address == "sales@chain.test" {
							if err := client.DeleteEmailAddress(ctx, d.ID, a.ID); err != nil {
								t.Fatal(err)
							}
						}
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("vastal_email_address.sales", plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction("vastal_email_address.hello", plancheck.ResourceActionNoop),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameHello.AddStateValue("vastal_email_address.hello", tfjsonpath.New("id")),
				},
			},
			{
				PreConfig: func() {
					d, err := client.FindDomain(ctx, "chain.test")
					if err != nil {
						t.Fatal(err)
					}
					if err := client.DeleteDomain(ctx, d.ID); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("vastal_domain.test", plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction("vastal_domain_verification.test", plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction("vastal_email_address.hello", plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction("vastal_email_address.sales", plancheck.ResourceActionCreate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("vastal_domain_verification.test", tfjsonpath.New("status"), knownvalue.StringExact("active")),
				},
			},
			{Config: domainConfig(tr, "chain.test")},
		},
	})
}
