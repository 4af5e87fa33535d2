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

// The active filter is covered with a verified domain in
// TestAccEmailAddressesDataSource_activeDomain.
func TestAccDomainsDataSource_pendingAndEmpty(t *testing.T) {
	for _, tr := range acctest.Transports(t) {
		t.Run(tr.Name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
				Steps: []resource.TestStep{
					// An organization without domains: an empty list, not null.
					{
						Config: tr.Config(`data "vastal_domains" "all" {}` + "\n"),
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue("data.vastal_domains.all", tfjsonpath.New("domains"), knownvalue.ListExact([]knownvalue.Check{})),
							statecheck.ExpectKnownValue("data.vastal_domains.all", tfjsonpath.New("status"), knownvalue.Null()),
						},
					},
					{
						Config: tr.Config(`
resource "vastal_domain" "b" {
  domain = "b.test"
}

resource "vastal_domain" "a" {
  domain     = "A.test"
  depends_on = [vastal_domain.b]
}

data "vastal_domains" "all" {
  depends_on = [vastal_domain.a]
}

data "vastal_domains" "pending" {
  status     = "pending"
  depends_on = [vastal_domain.a]
}

data "vastal_domains" "active" {
  status     = "active"
  depends_on = [vastal_domain.a]
}
`),
						ConfigStateChecks: []statecheck.StateCheck{
							// Oldest first, canonical names.
							statecheck.ExpectKnownValue("data.vastal_domains.all", tfjsonpath.New("domains"), knownvalue.ListExact([]knownvalue.Check{
								knownvalue.ObjectPartial(map[string]knownvalue.Check{"domain": knownvalue.StringExact("b.test"), "status": knownvalue.StringExact("pending")}),
								knownvalue.ObjectPartial(map[string]knownvalue.Check{"domain": knownvalue.StringExact("a.test"), "verified_at": knownvalue.Null()}),
							})),
							statecheck.CompareValuePairs("vastal_domain.b", tfjsonpath.New("id"),
								"data.vastal_domains.all", tfjsonpath.New("domains").AtSliceIndex(0).AtMapKey("id"), compareSame),
							statecheck.CompareValuePairs("vastal_domain.a", tfjsonpath.New("created_at"),
								"data.vastal_domains.all", tfjsonpath.New("domains").AtSliceIndex(1).AtMapKey("created_at"), compareSame),
							statecheck.ExpectKnownValue("data.vastal_domains.pending", tfjsonpath.New("domains"), knownvalue.ListSizeExact(2)),
							statecheck.ExpectKnownValue("data.vastal_domains.active", tfjsonpath.New("domains"), knownvalue.ListExact([]knownvalue.Check{})),
						},
					},
				},
			})
		})
	}
}

func TestAccDomainsDataSource_invalidStatus(t *testing.T) {
	tr := acctest.Transports(t)[0]
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      tr.Config(`data "vastal_domains" "test" { status = "Active" }` + "\n"),
			ExpectError: regexp.MustCompile(`Invalid Attribute Value Match[\s\S]*"pending"[\s\S]*"active"[\s\S]*"failed"`),
		}},
	})
}
