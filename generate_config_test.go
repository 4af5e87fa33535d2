package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vastal/terraform-provider-vastal/internal/acctest"
	"github.com/vastal/terraform-provider-vastal/internal/backend"
	"github.com/vastal/terraform-provider-vastal/internal/dnscheck"
	"github.com/vastal/terraform-provider-vastal/internal/dnstest"
	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

// A domain, its verification and an address that exist already are brought
// under Terraform with import blocks and `plan -generate-config-out`; the
// generated configuration applies, and the plan after it is empty.
func TestAccGenerateConfig_everyResource(t *testing.T) {
	t.Parallel()
	w := newCLIWorkspace(t)
	// Terraform before 1.7 and OpenTofu 1.10 crash in configschema's Filter
	// generating configuration for a resource with computed nested
	// attributes such as vastal_domain.dns_records (seen with 1.5.7 and
	// 1.10.10; hashicorp/terraform#34463, opentofu/opentofu#3555).
	w.skipCLIBelow("Terraform", 1, 7, "plan -generate-config-out crashes on computed nested attributes (hashicorp/terraform#34463)")
	w.skipCLIBelow("OpenTofu", 1, 11, "plan -generate-config-out crashes on computed nested attributes (opentofu/opentofu#3555)")
	const domain = "generated.test"
	srv, zone := acctest.DNSZone(t, domain)
	db := filepath.Join(t.TempDir(), "embedded.db")
	client := testBackendClient(t, db, srv.Addr)
	ctx := context.Background()

	d, err := client.CreateDomain(ctx, domain)
	if err != nil {
		t.Fatal(err)
	}
	publish(t, zone, d.DNSRecords)
	v, err := client.VerifyDomain(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Status != vastal.StatusActive {
		t.Fatalf("verify: status %q, want active: %+v", v.Status, v)
	}
	if _, err := client.CreateEmailAddress(ctx, d.ID, vastal.CreateEmailAddressRequest{LocalPart: "hello", IsPrimary: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateEmailAddress(ctx, d.ID, vastal.CreateEmailAddressRequest{LocalPart: "sales"}); err != nil {
		t.Fatal(err)
	}

	// Each resource by a different kind of import ID.
	w.write("main.tf", fmt.Sprintf(`terraform {
  required_providers {
    vastal = {
      source = "vastal/vastal"
    }
  }
}

provider "vastal" {
  embedded = { path = %q }
  dns = {
    nameservers = [%q]
    timeout     = "500ms"
  }
}

import {
  to = vastal_domain.this
  id = "Generated.Test."
}

import {
  to = vastal_domain_verification.this
  id = %q
}

import {
  to = vastal_email_address.hello
  id = "hello@generated.test"
}

import {
  to = vastal_email_address.sales
  id = "%s/%s"
}
`, db, srv.Addr, d.ID, d.ID, salesID(t, client, d.ID)))

	_, out := w.run([]int{0}, "plan", "-input=false", "-no-color", "-generate-config-out=generated.tf", "-out=import.tfplan")
	if !strings.Contains(out, "4 to import, 0 to add, 0 to change, 0 to destroy") {
		t.Errorf("plan with import blocks: want 4 to import and nothing else\n%s", out)
	}
	gen, err := os.ReadFile(filepath.Join(w.dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`resource "vastal_domain" "this"`, `domain = "generated.test"`,
		`resource "vastal_domain_verification" "this"`, fmt.Sprintf("domain_id    = %q", d.ID),
		`resource "vastal_email_address" "hello"`, `local_part = "hello"`, `is_primary = true`,
		`resource "vastal_email_address" "sales"`, `local_part = "sales"`,
	} {
		if !strings.Contains(string(gen), want) {
			t.Errorf("generated.tf lacks %s:\n%s", want, gen)
		}
	}

	w.run([]int{0}, "apply", "-input=false", "-no-color", "import.tfplan")
	_, list := w.run([]int{0}, "state", "list")
	for _, want := range []string{"vastal_domain.this", "vastal_domain_verification.this", "vastal_email_address.hello", "vastal_email_address.sales"} {
		if !strings.Contains(list, want+"\n") {
			t.Errorf("state list lacks %s:\n%s", want, list)
		}
	}
	// -detailed-exitcode: 0 is an empty plan, 2 a plan with changes.
	if code, out := w.run([]int{0, 2}, "plan", "-input=false", "-no-color", "-detailed-exitcode"); code != 0 {
		t.Errorf("the plan after applying the generated configuration is not empty:\n%s", out)
	}
}

func testBackendClient(t *testing.T, db, nameserver string) *vastal.Client {
	t.Helper()
	checker, err := dnscheck.New(dnscheck.Config{Nameservers: []string{nameserver}, Timeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	b, err := backend.Open(db, backend.Options{Checker: checker})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	c, err := vastal.New(vastal.Config{BaseURL: "http://127.0.0.1", Transport: backend.Transport(b), BaseDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// publish writes a domain's required records into the zone, as its DNS host would.
func publish(t *testing.T, zone *dnstest.Zone, recs []vastal.DNSRecord) {
	t.Helper()
	for _, r := range recs {
		value := r.Value + "."
		switch r.Type {
		case "MX":
			value = strconv.Itoa(*r.Priority) + " " + value
		case "TXT":
			value = strconv.Quote(r.Value)
		}
		if err := zone.Add(fmt.Sprintf("%s. %s %s", r.Name, r.Type, value)); err != nil {
			t.Fatal(err)
		}
	}
}

func salesID(t *testing.T, c *vastal.Client, domainID string) string {
	t.Helper()
	list, err := c.ListEmailAddresses(context.Background(), domainID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range list {
		if strings.HasPrefix(a.Address, "sales@") {
			return a.ID
		}
	}
	t.Fatalf("no sales@ address in %+v", list)
	return ""
}
