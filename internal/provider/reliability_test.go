package provider_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/vastal/terraform-provider-vastal/internal/acctest"
	"github.com/vastal/terraform-provider-vastal/internal/backend"
	"github.com/vastal/terraform-provider-vastal/internal/dnscheck"
	"github.com/vastal/terraform-provider-vastal/internal/dnstest"
	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

const reliabilityKey = "vk_reliability_5ecret_0123456789"

// goodZones starts one loopback authoritative server for the given zones,
// each already holding the four records a domain needs.
func goodZones(t *testing.T, domains ...string) *dnstest.Server {
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
	return srv
}

// faultyAPI is the embedded backend behind the test-only fault layer and an
// HTTP server on loopback, as the hosted API behind a bad network.
type faultyAPI struct {
	backend *backend.Backend
	faults  *backend.FaultInjector
	url     string
	dns     string
}

func newFaultyAPI(t *testing.T, dnsServer string, cfg backend.FaultConfig) *faultyAPI {
	t.Helper()
	checker, err := dnscheck.New(dnscheck.Config{Nameservers: []string{dnsServer}, Timeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	b, err := backend.Open(filepath.Join(t.TempDir(), "api.db"), backend.Options{APIKey: reliabilityKey, Checker: checker})
	if err != nil {
		t.Fatal(err)
	}
	fi := backend.WithFaults(b, cfg)
	srv := httptest.NewServer(fi)
	t.Cleanup(func() { srv.Close(); _ = b.Close() })
	return &faultyAPI{backend: b, faults: fi, url: srv.URL, dns: dnsServer}
}

func (a *faultyAPI) config(body string) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    vastal = {
      source = "vastal/vastal"
    }
  }
}

provider "vastal" {
  endpoint = %q
  api_key  = %q
  dns = {
    nameservers = [%q]
    timeout     = "500ms"
  }
}
%s`, a.url, reliabilityKey, a.dns, body)
}

// direct is a client that reaches the backend without the fault layer.
func (a *faultyAPI) direct(t *testing.T) *vastal.Client {
	t.Helper()
	c, err := vastal.New(vastal.Config{BaseURL: "http://127.0.0.1", APIKey: reliabilityKey, Transport: backend.Transport(a.backend)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// inventory lists what the backend holds: domain names, and addresses.
func inventory(ctx context.Context, c *vastal.Client) (domains, addresses []string, err error) {
	list, err := c.ListDomains(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, d := range list {
		domains = append(domains, d.Domain)
		emails, err := c.ListEmailAddresses(ctx, d.ID)
		if err != nil {
			return nil, nil, err
		}
		for _, e := range emails {
			addresses = append(addresses, e.Address)
		}
	}
	sort.Strings(domains)
	sort.Strings(addresses)
	return domains, addresses, nil
}

// expectInventory checks that the backend holds exactly these objects, each
// once.
func expectInventory(c *vastal.Client, domains, addresses []string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		gotD, gotA, err := inventory(context.Background(), c)
		if err != nil {
			return err
		}
		sort.Strings(domains)
		sort.Strings(addresses)
		if strings.Join(gotD, " ") != strings.Join(domains, " ") {
			return fmt.Errorf("the backend holds the domains %v, want exactly %v", gotD, domains)
		}
		if strings.Join(gotA, " ") != strings.Join(addresses, " ") {
			return fmt.Errorf("the backend holds %d addresses %v, want exactly %d: %v", len(gotA), gotA, len(addresses), addresses)
		}
		return nil
	}
}

func reliabilityDomains(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d.test", prefix, i)
	}
	return out
}

// manyConfig is n domains, each verified, with perDomain addresses. It
// counts rather than using for_each, which terraform-plugin-testing's state
// checks do not support.
func manyConfig(domains []string, perDomain int) string {
	q := make([]string, len(domains))
	for i, d := range domains {
		q[i] = fmt.Sprintf("%q", d)
	}
	return fmt.Sprintf(`
locals {
  domains    = [%s]
  per_domain = %d
}

resource "vastal_domain" "d" {
  count  = length(local.domains)
  domain = local.domains[count.index]
}

resource "vastal_domain_verification" "d" {
  count     = length(local.domains)
  domain_id = vastal_domain.d[count.index].id
}

resource "vastal_email_address" "a" {
  count      = length(local.domains) * local.per_domain
  domain_id  = vastal_domain_verification.d[floor(count.index / local.per_domain)].domain_id
  local_part = "u${count.index %% local.per_domain}"
  is_primary = count.index %% local.per_domain == 0
}
`, strings.Join(q, ", "), perDomain)
}

func manyAddresses(domains []string, perDomain int) []string {
	var out []string
	for _, d := range domains {
		for i := range perDomain {
			out = append(out, fmt.Sprintf("u%d@%s", i, d))
		}
	}
	return out
}

// 10 domains and 50 addresses in one apply (parallelism 10) while 30 % of
// requests fail in every way the fault layer knows: the apply succeeds, the
// backend holds exactly the planned objects, and the next plan is empty.
func TestAccReliability_faults(t *testing.T) {
	domains := reliabilityDomains("flaky", 10)
	api := newFaultyAPI(t, goodZones(t, domains...).Addr, backend.FaultConfig{
		Rate: 0.3, Seed: 8, RetryAfter: 1,
		// Fewer than the client's 6 retries: each call gets through, however unlucky the draw.
		MaxConsecutive: 4,
	})
	addresses := manyAddresses(domains, 5)
	direct := api.direct(t)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: api.config(manyConfig(domains, 5)),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: resource.ComposeTestCheckFunc(
				expectInventory(direct, domains, addresses),
				func(*terraform.State) error {
					counts := api.faults.Counts()
					for _, k := range backend.AllFaults {
						if counts[k] == 0 {
							return fmt.Errorf("no %s fault was injected (%v): the run proves nothing about it", k, counts)
						}
					}
					t.Logf("faults injected: %v", counts)
					return nil
				},
			),
		}},
	})
}

// Faults so heavy that the retries run out (every POST fails before the
// handler runs): the apply fails with an error that says what failed and
// that applying again is safe; once the faults stop, applying again
// converges with nothing duplicated.
func TestAccReliability_retriesRunOut(t *testing.T) {
	domains := reliabilityDomains("outage", 3)
	api := newFaultyAPI(t, goodZones(t, domains...).Addr, backend.FaultConfig{Decide: func(r *http.Request) backend.Fault {
		if r.Method == http.MethodPost && r.URL.Path == "/domains" {
			return backend.Fault503
		}
		return backend.FaultNone
	}})
	direct := api.direct(t)
	cfg := api.config(manyConfig(domains, 2))
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:      cfg,
				ExpectError: regexp.MustCompile(`Unable to Create Domain[\s\S]*outage\d\.test[\s\S]*idempotency\s+key[\s\S]*503`),
			},
			{
				PreConfig: func() {
					if got := api.faults.Counts()[backend.Fault503]; got < 7 {
						t.Errorf("only %d 503s were injected; the client should have tried 7 times", got)
					}
					api.faults.SetConfig(backend.FaultConfig{})
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: expectInventory(direct, domains, manyAddresses(domains, 2)),
			},
		},
	})
}

// loseCreate creates the object of post through the fault layer while
// every POST's response is lost, with a client that then gives up: what a
// provider process that died between the create and the state write leaves.
func loseCreate(t *testing.T, api *faultyAPI, post func(c *vastal.Client) error) {
	t.Helper()
	api.faults.SetConfig(backend.FaultConfig{Decide: func(r *http.Request) backend.Fault {
		if r.Method == http.MethodPost {
			return backend.FaultResetAfter
		}
		return backend.FaultNone
	}})
	defer api.faults.SetConfig(backend.FaultConfig{})
	c, err := vastal.New(vastal.Config{BaseURL: api.url, APIKey: reliabilityKey, MaxRetries: 2, BaseDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var reqErr *vastal.RequestError
	if err := post(c); !errors.As(err, &reqErr) {
		t.Fatalf("the create through lost responses = %v, want a transport failure", err)
	}
}

// The response of a create is lost and the process dies before the state
// is written. The next apply neither creates a second object nor silently
// adopts the existing one: it fails with an error that names the object and
// the terraform import command; after the import the plan is empty.
func TestAccReliability_lostCreateAcrossRuns(t *testing.T) {
	const name = "lost.test"
	api := newFaultyAPI(t, goodZones(t, name).Addr, backend.FaultConfig{})
	direct := api.direct(t)
	ctx := context.Background()

	loseCreate(t, api, func(c *vastal.Client) error { _, err := c.CreateDomain(ctx, name); return err })
	d, err := direct.FindDomain(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := direct.VerifyDomain(ctx, d.ID); err != nil || !v.AllVerified {
		t.Fatalf("verify %s = %+v, %v", name, v, err)
	}
	loseCreate(t, api, func(c *vastal.Client) error {
		_, err := c.CreateEmailAddress(ctx, d.ID, vastal.CreateEmailAddressRequest{LocalPart: "hello"})
		return err
	})
	emails, err := direct.ListEmailAddresses(ctx, d.ID)
	if err != nil || len(emails) != 1 {
		t.Fatalf("addresses = %+v, %v; want hello@%s once", emails, err, name)
	}

	words := func(s string) string { return strings.ReplaceAll(regexp.QuoteMeta(s), " ", `\s+`) }
	domainOnly := api.config(`
resource "vastal_domain" "d" {
  domain = "lost.test"
}
`)
	withAddress := domainOnly + `
resource "vastal_email_address" "hello" {
  domain_id  = vastal_domain.d.id
  local_part = "hello"
}
`
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: domainOnly,
				ExpectError: regexp.MustCompile(`Domain Already Exists[\s\S]*` + words("already has the domain lost.test") +
					`[\s\S]*` + words("Nothing was created.") + `[\s\S]*` + words("terraform import <resource address> "+d.ID)),
			},
			{
				Config:             domainOnly,
				ResourceName:       "vastal_domain.d",
				ImportState:        true,
				ImportStateId:      d.ID,
				ImportStatePersist: true,
			},
			{
				Config: withAddress,
				ExpectError: regexp.MustCompile(`Email Address Already Exists[\s\S]*` + words("The address hello@lost.test already exists") +
					`[\s\S]*` + words("terraform import <resource address> hello@lost.test") +
					`[\s\S]*` + words("terraform import <resource address> "+d.ID+"/"+emails[0].ID)),
			},
			{
				Config:             withAddress,
				ResourceName:       "vastal_email_address.hello",
				ImportState:        true,
				ImportStateId:      "hello@lost.test",
				ImportStatePersist: true,
			},
			{
				Config: withAddress,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: expectInventory(direct, []string{name}, []string{"hello@" + name}),
			},
		},
	})
}
