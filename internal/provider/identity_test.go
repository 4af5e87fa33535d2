package provider_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/vastal/terraform-provider-vastal/internal/acctest"
)

// Resource identity needs Terraform 1.12 or later; older CLIs skip this test
// (and the rest of the suite proves identity does not disturb them).
func TestAccResourceIdentity_everyResource(t *testing.T) {
	for _, name := range []string{"embedded", "http"} {
		t.Run(name, func(t *testing.T) {
			srv, _ := acctest.DNSZone(t, "identity.test")
			var tr acctest.Transport
			for _, x := range acctest.Transports(t, srv.Addr) {
				if x.Name == name {
					tr = x
				}
			}
			config := tr.Config(`
resource "vastal_domain" "test" {
  domain = "Identity.Test"
}
` + acctest.RecordsConfig("test", srv.Addr, "identity.test") + `
resource "vastal_domain_verification" "test" {
  domain_id    = vastal_domain.test.id
  record_fqdns = [for r in dnstest_record.r : r.fqdn]
}

resource "vastal_email_address" "test" {
  domain_id  = vastal_domain_verification.test.domain_id
  local_part = "hello"
}
`)
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
				TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
				Steps: []resource.TestStep{
					{
						Config: config,
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectIdentity("vastal_domain.test", map[string]knownvalue.Check{
								"id": knownvalue.StringRegexp(regexp.MustCompile(`^dom_`)),
							}),
							statecheck.ExpectIdentityValueMatchesState("vastal_domain.test", tfjsonpath.New("id")),
							statecheck.ExpectIdentityValueMatchesState("vastal_domain_verification.test", tfjsonpath.New("domain_id")),
							statecheck.ExpectIdentityValueMatchesState("vastal_email_address.test", tfjsonpath.New("domain_id")),
							statecheck.ExpectIdentityValueMatchesState("vastal_email_address.test", tfjsonpath.New("id")),
						},
					},
					{
						ResourceName:    "vastal_domain.test",
						ImportState:     true,
						ImportStateKind: resource.ImportBlockWithResourceIdentity,
					},
					{
						ResourceName:    "vastal_domain_verification.test",
						ImportState:     true,
						ImportStateKind: resource.ImportBlockWithResourceIdentity,
					},
					{
						ResourceName:    "vastal_email_address.test",
						ImportState:     true,
						ImportStateKind: resource.ImportBlockWithResourceIdentity,
					},
				},
			})
		})
	}
}
