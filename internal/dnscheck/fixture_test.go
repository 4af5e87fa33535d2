package dnscheck

import (
	"context"
	"testing"
	"time"

	"github.com/vastal/terraform-provider-vastal/internal/dnstest"
)

// testTimeout keeps blackholed servers cheap: a dropped query costs
// 3 × testTimeout (UDP twice, then TCP).
const testTimeout = 150 * time.Millisecond

// goodRecords are the four required records of acme.test.
var goodRecords = []string{
	"@ MX 10 mx.vastal.com.",
	`@ TXT "v=spf1 include:_spf.vastal.com ~all"`,
	"vsm1._domainkey CNAME vsm1.dkim.vastal.com.",
	"vsm2._domainkey CNAME vsm2.dkim.vastal.com.",
}

func startServer(t *testing.T, zones ...*dnstest.Zone) *dnstest.Server {
	t.Helper()
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

func startResolver(t *testing.T, upstream ...*dnstest.Server) *dnstest.Resolver {
	t.Helper()
	r, err := dnstest.NewResolver(upstream...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Error(err)
		}
	})
	return r
}

func newChecker(t *testing.T, cfg Config) *Checker {
	t.Helper()
	if cfg.Timeout == 0 {
		cfg.Timeout = testTimeout
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// nameservers returns the servers' addresses for Config.Nameservers.
func nameservers(servers ...*dnstest.Server) []string {
	var out []string
	for _, s := range servers {
		out = append(out, s.Addr)
	}
	return out
}

func zoneWith(t *testing.T, origin string, records ...string) *dnstest.Zone {
	t.Helper()
	z := dnstest.NewZone(origin)
	if len(records) > 0 {
		if err := z.Add(records...); err != nil {
			t.Fatal(err)
		}
	}
	return z
}

func check(t *testing.T, c *Checker, domain string) *Result {
	t.Helper()
	res, err := c.Check(context.Background(), domain)
	if err != nil {
		t.Fatalf("Check(%s): %v", domain, err)
	}
	return res
}

// verdicts returns key → issue ("" when verified), for comparing whole results.
func verdicts(res *Result) map[string]string {
	out := map[string]string{}
	for _, r := range res.Records {
		if r.Verified {
			out[r.Key] = ""
			if r.Issue != "" {
				out[r.Key] = "verified, yet with issue " + r.Issue
			}
			continue
		}
		out[r.Key] = r.Issue
		if r.Issue == "" {
			out[r.Key] = "not verified, without an issue"
		}
	}
	return out
}
