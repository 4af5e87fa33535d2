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

const spfFunctionsProviders = `
terraform {
  required_providers {
    vastal = {
      source = "vastal/vastal"
    }
  }
}
`

// spfFunctionTest runs config (after the required_providers block) as a
// one-step test on Terraform 1.8 and later, where provider functions exist.
func spfFunctionTest(t *testing.T, step resource.TestStep) {
	t.Helper()
	acctest.PreCheck(t)
	step.Config = spfFunctionsProviders + step.Config
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{
			tfversion.SkipBelow(tfversion.Version1_8_0),
		},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps:                    []resource.TestStep{step},
	})
}

func TestAccSPFMergeFunction_merges(t *testing.T) {
	spfFunctionTest(t, resource.TestStep{
		Config: `
output "empty" {
  value = provider::vastal::spf_merge("")
}
output "other" {
  value = provider::vastal::spf_merge("v=spf1 include:other.example ~all")
}
output "corrected" {
  value = provider::vastal::spf_merge("v=spf1 mx ~include:_spf.vastal.com -all")
}
output "moved" {
  value = provider::vastal::spf_merge("v=spf1 mx -all include:_spf.vastal.com")
}
output "idempotent" {
  value = provider::vastal::spf_merge(provider::vastal::spf_merge("v=spf1 a ?all"))
}
`,
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("empty", knownvalue.StringExact("v=spf1 include:_spf.vastal.com ~all")),
			statecheck.ExpectKnownOutputValue("other", knownvalue.StringExact("v=spf1 include:other.example include:_spf.vastal.com ~all")),
			statecheck.ExpectKnownOutputValue("corrected", knownvalue.StringExact("v=spf1 mx include:_spf.vastal.com -all")),
			statecheck.ExpectKnownOutputValue("moved", knownvalue.StringExact("v=spf1 mx include:_spf.vastal.com -all")),
			statecheck.ExpectKnownOutputValue("idempotent", knownvalue.StringExact("v=spf1 a include:_spf.vastal.com ?all")),
		},
	})
}

func TestAccSPFMergeFunction_invalidRecord(t *testing.T) {
	spfFunctionTest(t, resource.TestStep{
		Config: `
output "r" {
  value = provider::vastal::spf_merge("v=spf1 a foo:bar.example ~all")
}
`,
		ExpectError: regexp.MustCompile(`(?s)Invalid SPF record:.*at character 10,\s+unknown\s+mechanism`),
	})
}

func TestAccSPFMergeFunction_mergeAll(t *testing.T) {
	spfFunctionTest(t, resource.TestStep{
		Config: `
output "none" {
  value = provider::vastal::spf_merge_all(["google-site-verification=abc"])
}
output "two" {
  value = provider::vastal::spf_merge_all([
    "v=spf1 include:_spf.google.com ~all",
    "google-site-verification=abc",
    "v=spf1 ip4:192.0.2.0/24 ~all",
  ])
}
`,
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("none", knownvalue.StringExact("v=spf1 include:_spf.vastal.com ~all")),
			statecheck.ExpectKnownOutputValue("two", knownvalue.StringExact(
				"v=spf1 include:_spf.google.com ip4:192.0.2.0/24 include:_spf.vastal.com ~all")),
		},
	})
}

func TestAccSPFMergeFunction_mergeAllConflict(t *testing.T) {
	spfFunctionTest(t, resource.TestStep{
		Config: `
output "r" {
  value = provider::vastal::spf_merge_all(["v=spf1 a ~all", "v=spf1 mx -all"])
}
`,
		ExpectError: regexp.MustCompile(`(?s)cannot\s+be\s+merged.*element\s+0\s+has\s+"~all"\s+and\s+element\s+1\s+has\s+"-all"`),
	})
}

// TestAccSPFMergeFunction_txtRecordSet evaluates the expressions of the
// spf_merge_all example: the TXT values to publish, and that reading them
// back and merging again changes nothing.
func TestAccSPFMergeFunction_txtRecordSet(t *testing.T) {
	spfFunctionTest(t, resource.TestStep{
		Config: `
locals {
  records = ["V=SPF1 a ~all", "v=spf10 keep-me", "google-site-verification=abc", "v=spf1 mx ~all"]
  others  = [for v in local.records : v if !can(regex("^(?i)v=spf1( |$)", v))]
  spf     = provider::vastal::spf_merge_all(local.records)
  txt     = concat([local.spf], local.others)
}
output "txt" {
  value = local.txt
}
output "again" {
  value = provider::vastal::spf_merge_all(local.txt)
}
`,
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("txt", knownvalue.ListExact([]knownvalue.Check{
				knownvalue.StringExact("v=spf1 a mx include:_spf.vastal.com ~all"),
				knownvalue.StringExact("v=spf10 keep-me"),
				knownvalue.StringExact("google-site-verification=abc"),
			})),
			statecheck.ExpectKnownOutputValue("again", knownvalue.StringExact("v=spf1 a mx include:_spf.vastal.com ~all")),
		},
	})
}
