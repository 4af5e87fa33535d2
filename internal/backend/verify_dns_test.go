package backend_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"

	"github.com/vastal/terraform-provider-vastal/internal/backend"
	"github.com/vastal/terraform-provider-vastal/internal/dnscheck"
	"github.com/vastal/terraform-provider-vastal/internal/dnstest"
	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

// TestVerify_realDNSBehindPoisonedResolver is issue 3's "done when": the
// backend verifies, in one round, a domain whose records sit on loopback
// authoritative servers while the resolver in front still caches the
// NXDOMAIN/NODATA it saw before they were added.
func TestVerify_realDNSBehindPoisonedResolver(t *testing.T) {
	start := func(zones ...*dnstest.Zone) *dnstest.Server {
		s, err := dnstest.NewServer(zones...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Error(err)
			}
		})
		return s
	}
	parentZone := dnstest.NewZone("test").MustAdd(
		"acme.test. NS ns1.acme.test.", "acme.test. NS ns2.acme.test.",
		"ns1.acme.test. A 127.0.0.1", "ns2.acme.test. A 127.0.0.1")
	child := dnstest.NewZone("acme.test").MustAdd("@ NS ns2.acme.test.", "ns2 A 127.0.0.1")
	parent, ns1, ns2 := start(parentZone), start(child), start(child)
	resolver, err := dnstest.NewResolver(parent, ns1, ns2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := resolver.Close(); err != nil {
			t.Error(err)
		}
	})

	checked := []struct {
		name  string
		qtype uint16
	}{
		{"acme.test", dns.TypeMX}, {"acme.test", dns.TypeTXT},
		{"vsm1._domainkey.acme.test", dns.TypeCNAME}, {"vsm2._domainkey.acme.test", dns.TypeCNAME},
		{"vsm1._domainkey.acme.test", dns.TypeTXT}, {"vsm2._domainkey.acme.test", dns.TypeTXT}, // what the checker asks there
	}
	askResolver := func(name string, qtype uint16) int {
		q := new(dns.Msg)
		q.SetQuestion(dns.Fqdn(name), qtype)
		in, _, err := (&dns.Client{Timeout: time.Second}).Exchange(q, resolver.Addr)
		if err != nil {
			t.Fatal(err)
		}
		return len(in.Answer)
	}
	for _, q := range checked { // poison: negative answers cached for an hour
		askResolver(q.name, q.qtype)
	}
	child.MustAdd(
		"@ MX 10 mx.vastal.com.",
		`@ TXT "v=spf1 include:_spf.vastal.com ~all"`,
		"vsm1._domainkey CNAME vsm1.dkim.vastal.com.",
		"vsm2._domainkey CNAME vsm2.dkim.vastal.com.",
	)
	if n := askResolver("acme.test", dns.TypeMX); n != 0 {
		t.Fatalf("resolver not poisoned: %d MX", n)
	}
	asked := func() int {
		n := 0
		for _, q := range checked {
			n += resolver.Queries(q.name, q.qtype)
		}
		return n
	}
	before := asked()

	ports := map[string]string{"ns1.test": parent.Addr, "ns1.acme.test": ns1.Addr, "ns2.acme.test": ns2.Addr}
	checker, err := dnscheck.New(dnscheck.Config{
		Resolvers:    []string{resolver.Addr},
		Timeout:      500 * time.Millisecond,
		AddrOverride: func(host string) string { return ports[host] },
	})
	if err != nil {
		t.Fatal(err)
	}
	be, err := backend.Open(filepath.Join(t.TempDir(), "vastal.db"), backend.Options{Checker: checker})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := be.Close(); err != nil {
			t.Error(err)
		}
	})
	client := &http.Client{Transport: backend.Transport(be)}
	call := func(method, path string, body any, out any) {
		t.Helper()
		var rd bytes.Buffer
		if body != nil {
			if err := json.NewEncoder(&rd).Encode(body); err != nil {
				t.Fatal(err)
			}
		}
		req, err := http.NewRequest(method, "http://vastal.invalid"+path, &rd)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := resp.Body.Close(); err != nil {
				t.Error(err)
			}
		}()
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s: HTTP %d", method, path, resp.StatusCode)
		}
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}

	var created vastal.Envelope[vastal.Domain]
	call(http.MethodPost, "/domains", vastal.CreateDomainRequest{Domain: "acme.test"}, &created)
	if created.Data.Status != vastal.StatusPending {
		t.Fatalf("new domain status %q", created.Data.Status)
	}

	var verified vastal.Envelope[vastal.Verification]
	call(http.MethodGet, "/domains/"+created.Data.ID+"/verify", nil, &verified)
	v := verified.Data
	if !v.AllVerified || v.Status != vastal.StatusActive || len(v.Issues) != 0 || len(v.Warnings) != 0 {
		t.Fatalf("verification: %+v", v)
	}
	var found [][]string
	for _, c := range v.Checks {
		if !c.Verified || len(c.Servers) != 2 {
			t.Errorf("check %+v", c)
		}
		found = append(found, c.Found)
	}
	want := [][]string{{"10 mx.vastal.com"}, {"v=spf1 include:_spf.vastal.com ~all"}, {"vsm1.dkim.vastal.com"}, {"vsm2.dkim.vastal.com"}}
	if diff := cmp.Diff(want, found); diff != "" {
		t.Errorf("found (-want +got):\n%s", diff)
	}
	if got := asked() - before; got != 0 {
		t.Errorf("the checker asked the resolver %d times about the names it checks", got)
	}

	var d vastal.Envelope[vastal.Domain]
	call(http.MethodGet, "/domains/"+created.Data.ID, nil, &d)
	if !d.Data.DNSConfigured || !d.Data.MXVerified || !d.Data.SPFVerified || !d.Data.DKIMVerified ||
		d.Data.Status != vastal.StatusActive || d.Data.VerifiedAt == nil {
		t.Errorf("domain after verify: %+v", d.Data)
	}
}
