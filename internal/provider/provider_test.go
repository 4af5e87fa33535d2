package provider_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/vastal/terraform-provider-vastal/internal/acctest"
)

const requireVastal = `terraform {
  required_providers {
    vastal = {
      source = "vastal/vastal"
    }
  }
}
`

const bareProvider = requireVastal + `
provider "vastal" {}
`

// A provider with no backend chosen still serves its functions (OpenTofu
// configures the provider before calling one), and a resource then says
// how to choose.
func TestAccProvider_noBackendChosen(t *testing.T) {
	t.Setenv("VASTAL_API_KEY", "")
	t.Setenv("VASTAL_EMBEDDED_PATH", "")
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: bareProvider + `
resource "vastal_domain" "test" {
  domain = "acme.test"
}
`,
				ExpectError: regexp.MustCompile(`No Vastal Backend Chosen[\s\S]*VASTAL_API_KEY[\s\S]*embedded`),
			},
		},
	})
}

func TestAccProvider_functionsWithoutBackend(t *testing.T) {
	t.Setenv("VASTAL_API_KEY", "")
	t.Setenv("VASTAL_EMBEDDED_PATH", "")
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		Steps: []resource.TestStep{
			{
				Config: bareProvider + `
output "spf" {
  value = provider::vastal::spf_merge("v=spf1 include:other.example -all")
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("spf", knownvalue.StringExact("v=spf1 include:other.example include:_spf.vastal.com -all")),
				},
			},
		},
	})
}

func TestAccProvider_conflictingBackends(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: requireVastal + `
provider "vastal" {
  api_key  = "vk_test"
  embedded = {}
}

resource "vastal_domain" "test" {
  domain = "acme.test"
}
`,
				ExpectError: regexp.MustCompile(`Conflicting Vastal Backends`),
			},
		},
	})
}
