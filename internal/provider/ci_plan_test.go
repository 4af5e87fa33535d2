package provider_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/miekg/dns"

	"github.com/vastal/terraform-provider-vastal/internal/acctest"
)

// ciPlanBody is a new domain, its records chained into the loopback server,
// its verification and an address: what a pull request adding a sending
// domain plans in CI.
func ciPlanBody(server string) string {
	return `
resource "vastal_domain" "ci" {
  domain = "CI-Plan.Test."
}
` + acctest.RecordsConfig("ci", server, "ci-plan.test") + `
resource "vastal_domain_verification" "ci" {
  domain_id    = vastal_domain.ci.id
  record_fqdns = [for r in dnstest_record.r : r.fqdn]
}

resource "vastal_email_address" "hello" {
  domain_id  = vastal_domain_verification.ci.domain_id
  local_part = "hello"
  is_primary = true
}
`
}

// ciPlanChecks: the plan creates everything, and already names each record
// the DNS provider will write.
func ciPlanChecks() []plancheck.PlanCheck {
	checks := []plancheck.PlanCheck{
		plancheck.ExpectResourceAction("vastal_domain.ci", plancheck.ResourceActionCreate),
		plancheck.ExpectResourceAction("vastal_domain_verification.ci", plancheck.ResourceActionCreate),
		plancheck.ExpectResourceAction("vastal_email_address.hello", plancheck.ResourceActionCreate),
	}
	for key, want := range map[string][2]string{
		"mx":    {"ci-plan.test", "MX"},
		"spf":   {"ci-plan.test", "TXT"},
		"dkim1": {"vsm1._domainkey.ci-plan.test", "CNAME"},
		"dkim2": {"vsm2._domainkey.ci-plan.test", "CNAME"},
	} {
		addr := fmt.Sprintf("dnstest_record.r[%q]", key)
		checks = append(checks,
			plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
			plancheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact(want[0])),
			plancheck.ExpectKnownValue(addr, tfjsonpath.New("type"), knownvalue.StringExact(want[1])),
		)
	}
	return checks
}

// A CI job's terraform plan of a new domain, its chained records and its
// verification sends no DNS query and writes nothing to the backend; with the
// embedded backend it does not even create the database file.
func TestAccCIPlan_noDNSNoWrites(t *testing.T) {
	t.Run("embedded", func(t *testing.T) {
		srv, _ := acctest.DNSZone(t, "ci-plan.test")
		dbPath := filepath.Join(t.TempDir(), "state", "embedded.db")
		config := fmt.Sprintf(`
terraform {
  required_providers {
    vastal = {
      source = "vastal/vastal"
    }
    dnstest = {
      source = "vastal/dnstest"
    }
  }
}

provider "vastal" {
  embedded = { path = %q }
  dns = {
    nameservers = [%q]
  }
}
`, dbPath, srv.Addr) + ciPlanBody(srv.Addr)
		resource.ParallelTest(t, resource.TestCase{
			PreCheck:                 func() { acctest.PreCheck(t) },
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
			Steps: []resource.TestStep{{
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks:   resource.ConfigPlanChecks{PostApplyPreRefresh: ciPlanChecks()},
			}},
		})
		if n := srv.TotalQueries(); n != 0 {
			t.Errorf("the plan sent %d DNS queries to the zone's server, want none", n)
		}
		if _, err := os.Stat(dbPath); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the plan created the embedded database %s (stat: %v); a plan of new resources must not open it", dbPath, err)
		}
		if _, err := os.Stat(filepath.Dir(dbPath)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the plan created the embedded database's folder (stat: %v)", err)
		}
		assertCountsQueries(t, srv.Addr, func() int { return srv.TotalQueries() })
	})

	t.Run("http", func(t *testing.T) {
		srv, _ := acctest.DNSZone(t, "ci-plan.test")
		var tr acctest.Transport
		for _, x := range acctest.Transports(t, srv.Addr) {
			if x.Name == "http" {
				tr = x
			}
		}
		resource.ParallelTest(t, resource.TestCase{
			PreCheck:                 func() { acctest.PreCheck(t) },
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
			Steps: []resource.TestStep{{
				Config:             tr.Config(ciPlanBody(srv.Addr)),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks:   resource.ConfigPlanChecks{PostApplyPreRefresh: ciPlanChecks()},
			}},
		})
		if n := srv.TotalQueries(); n != 0 {
			t.Errorf("the plan sent %d DNS queries to the zone's server, want none", n)
		}
		domains, err := tr.Client(t).ListDomains(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(domains) != 0 {
			t.Errorf("the plan wrote to the backend: it has %d domains (%v), want none", len(domains), domains)
		}
		assertCountsQueries(t, srv.Addr, func() int { return srv.TotalQueries() })
	})
}

// assertCountsQueries sends one query and checks that the counter saw it, so
// that a zero above means no query rather than a counter that never counts.
func assertCountsQueries(t *testing.T, addr string, total func() int) {
	t.Helper()
	before := total()
	m := new(dns.Msg)
	m.SetQuestion("ci-plan.test.", dns.TypeMX)
	if _, _, err := new(dns.Client).Exchange(m, addr); err != nil {
		t.Fatalf("control query to %s: %v", addr, err)
	}
	if got := total(); got != before+1 {
		t.Fatalf("the server counted %d queries after one control query, want %d", got, before+1)
	}
}
