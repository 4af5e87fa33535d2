package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/vastal/terraform-provider-vastal/internal/acctest"
)

func domainConfig(tr acctest.Transport, domain string) string {
	return tr.Config(fmt.Sprintf(`
resource "vastal_domain" "test" {
  domain = %q
}
`, domain))
}

func recordCheck(key, typ, name, host string) statecheck.StateCheck {
	return statecheck.ExpectKnownValue("vastal_domain.test", tfjsonpath.New("dns_records").AtMapKey(key),
		knownvalue.ObjectPartial(map[string]knownvalue.Check{
			"type": knownvalue.StringExact(typ),
			"name": knownvalue.StringExact(name),
			"host": knownvalue.StringExact(host),
		}))
}

func TestAccDomainResource_basic(t *testing.T) {
	for _, tr := range acctest.Transports(t) {
		t.Run(tr.Name, func(t *testing.T) {
			sameID := statecheck.CompareValue(compareSame)
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
				Steps: []resource.TestStep{
					{
						Config: domainConfig(tr, "acme.test"),
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{
								plancheck.ExpectResourceAction("vastal_domain.test", plancheck.ResourceActionCreate),
								plancheck.ExpectKnownValue("vastal_domain.test", tfjsonpath.New("canonical_domain"), knownvalue.StringExact("acme.test")),
								plancheck.ExpectKnownValue("vastal_domain.test", tfjsonpath.New("dns_records").AtMapKey("dkim1").AtMapKey("name"),
									knownvalue.StringExact("vsm1._domainkey.acme.test")),
								plancheck.ExpectUnknownValue("vastal_domain.test", tfjsonpath.New("dns_records").AtMapKey("spf").AtMapKey("value")),
								plancheck.ExpectUnknownValue("vastal_domain.test", tfjsonpath.New("id")),
							},
						},
						ConfigStateChecks: []statecheck.StateCheck{
							sameID.AddStateValue("vastal_domain.test", tfjsonpath.New("id")),
							statecheck.ExpectKnownValue("vastal_domain.test", tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^dom_[a-z0-9]+$`))),
							statecheck.ExpectKnownValue("vastal_domain.test", tfjsonpath.New("status"), knownvalue.StringExact("pending")),
							statecheck.ExpectKnownValue("vastal_domain.test", tfjsonpath.New("type"), knownvalue.StringExact("imported")),
							statecheck.ExpectKnownValue("vastal_domain.test", tfjsonpath.New("verified_at"), knownvalue.Null()),
							statecheck.ExpectKnownValue("vastal_domain.test", tfjsonpath.New("dns_configured"), knownvalue.Bool(false)),
							recordCheck("mx", "MX", "acme.test", "@"),
							recordCheck("spf", "TXT", "acme.test", "@"),
							recordCheck("dkim1", "CNAME", "vsm1._domainkey.acme.test", "vsm1._domainkey"),
							recordCheck("dkim2", "CNAME", "vsm2._domainkey.acme.test", "vsm2._domainkey"),
							statecheck.ExpectKnownValue("vastal_domain.test", tfjsonpath.New("dns_records").AtMapKey("mx"),
								knownvalue.ObjectPartial(map[string]knownvalue.Check{
									"value": knownvalue.StringExact("mx.vastal.com"), "priority": knownvalue.Int64Exact(10),
								})),
							statecheck.ExpectKnownValue("vastal_domain.test", tfjsonpath.New("dns_records").AtMapKey("spf"),
								knownvalue.ObjectPartial(map[string]knownvalue.Check{
									"value": knownvalue.StringExact("v=spf1 include:_spf.vastal.com ~all"), "priority": knownvalue.Null(),
								})),
						},
					},
					// Another spelling of the same name is no change at all.
					{
						Config: domainConfig(tr, "ACME.Test."),
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
						ConfigStateChecks: []statecheck.StateCheck{
							sameID.AddStateValue("vastal_domain.test", tfjsonpath.New("id")),
						},
					},
					{
						ResourceName:      "vastal_domain.test",
						ImportState:       true,
						ImportStateVerify: true,
					},
					{
						ResourceName:      "vastal_domain.test",
						ImportState:       true,
						ImportStateVerify: true,
						ImportStateIdFunc: func(*terraform.State) (string, error) { return "acme.test", nil },
					},
					// A new canonical name replaces the domain.
					{
						Config: domainConfig(tr, "acme2.test"),
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{
								plancheck.ExpectResourceAction("vastal_domain.test", plancheck.ResourceActionDestroyBeforeCreate),
								plancheck.ExpectKnownValue("vastal_domain.test", tfjsonpath.New("dns_records").AtMapKey("dkim2").AtMapKey("name"),
									knownvalue.StringExact("vsm2._domainkey.acme2.test")),
							},
						},
					},
				},
			})
		})
	}
}

func TestAccDomainResource_unicodeSpelling(t *testing.T) {
	for _, tr := range acctest.Transports(t) {
		t.Run(tr.Name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
				Steps: []resource.TestStep{
					{
						Config: domainConfig(tr, "Bücher.Example."),
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue("vastal_domain.test", tfjsonpath.New("domain"), knownvalue.StringExact("Bücher.Example.")),
							statecheck.ExpectKnownValue("vastal_domain.test", tfjsonpath.New("canonical_domain"), knownvalue.StringExact("xn--bcher-kva.example")),
							recordCheck("dkim1", "CNAME", "vsm1._domainkey.xn--bcher-kva.example", "vsm1._domainkey"),
						},
					},
				},
			})
		})
	}
}

// An import block by the Unicode name adopts an existing domain with no
// change, whatever the configuration's spelling.
func TestAccDomainResource_importBlockBySpelling(t *testing.T) {
	for _, tr := range acctest.Transports(t) {
		t.Run(tr.Name, func(t *testing.T) {
			client := tr.Client(t)
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
				TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_5_0)},
				Steps: []resource.TestStep{
					{
						PreConfig: func() {
							if _, err := client.CreateDomain(context.Background(), "xn--bcher-kva.example"); err != nil {
								t.Fatal(err)
							}
						},
						Config: tr.Config(`
import {
  to = vastal_domain.test
  id = "Bücher.example"
}

resource "vastal_domain" "test" {
  domain = "BÜCHER.Example."
}
`),
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{
								plancheck.ExpectResourceAction("vastal_domain.test", plancheck.ResourceActionNoop),
							},
						},
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue("vastal_domain.test", tfjsonpath.New("domain"), knownvalue.StringExact("xn--bcher-kva.example")),
							statecheck.ExpectKnownValue("vastal_domain.test", tfjsonpath.New("canonical_domain"), knownvalue.StringExact("xn--bcher-kva.example")),
						},
					},
				},
			})
		})
	}
}

func TestAccDomainResource_forEachRecordsInSameApply(t *testing.T) {
	for _, tr := range acctest.Transports(t) {
		t.Run(tr.Name, func(t *testing.T) {
			withRecords := tr.Config(`
resource "vastal_domain" "test" {
  domain = "chain.test"
}

resource "terraform_data" "record" {
  for_each = vastal_domain.test.dns_records
  input    = "${each.value.type} ${each.value.host} ${each.value.value}"
}
`)
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
				Steps: []resource.TestStep{
					{
						Config: withRecords,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{
								plancheck.ExpectResourceAction("vastal_domain.test", plancheck.ResourceActionCreate),
								plancheck.ExpectResourceAction(`terraform_data.record["mx"]`, plancheck.ResourceActionCreate),
								plancheck.ExpectResourceAction(`terraform_data.record["spf"]`, plancheck.ResourceActionCreate),
								plancheck.ExpectResourceAction(`terraform_data.record["dkim1"]`, plancheck.ResourceActionCreate),
								plancheck.ExpectResourceAction(`terraform_data.record["dkim2"]`, plancheck.ResourceActionCreate),
							},
						},
					},
					// terraform-plugin-testing cannot end a case with for_each
					// instances in state.
					{Config: domainConfig(tr, "chain.test")},
				},
			})
		})
	}
}

func TestAccDomainResource_drift(t *testing.T) {
	for _, tr := range acctest.Transports(t) {
		t.Run(tr.Name, func(t *testing.T) {
			client := tr.Client(t)
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
				Steps: []resource.TestStep{
					{Config: domainConfig(tr, "drift.test")},
					{
						PreConfig: func() {
							d, err := client.FindDomain(context.Background(), "drift.test")
							if err != nil {
								t.Fatal(err)
							}
							if err := client.DeleteDomain(context.Background(), d.ID); err != nil {
								t.Fatal(err)
							}
						},
						Config:             domainConfig(tr, "drift.test"),
						PlanOnly:           true,
						ExpectNonEmptyPlan: true,
					},
					{
						Config: domainConfig(tr, "drift.test"),
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{
								plancheck.ExpectResourceAction("vastal_domain.test", plancheck.ResourceActionCreate),
							},
						},
					},
				},
			})
		})
	}
}

func TestAccDomainResource_invalidNames(t *testing.T) {
	tr := acctest.Transports(t)[0]
	cases := map[string]struct {
		domain string
		want   string
	}{
		"single label":   {"localhost", `single label`},
		"leading hyphen": {"-acme.test", `starts or ends with a hyphen`},
		"underscore":     {"ac_me.test", `character '_'`},
		"empty label":    {"acme..test", `empty label`},
		"long label":     {"a123456789012345678901234567890123456789012345678901234567890123.test", `at most 63`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
				Steps: []resource.TestStep{{
					Config:      domainConfig(tr, tc.domain),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(`Invalid Domain Name[\s\S]*` + strings.ReplaceAll(regexp.QuoteMeta(tc.want), " ", `\s+`)),
				}},
			})
		})
	}
}
