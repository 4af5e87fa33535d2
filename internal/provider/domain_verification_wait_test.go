package provider

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

func TestDNSPause_backsOffWithJitter(t *testing.T) {
	cases := map[string]struct {
		elapsed time.Duration
		base    time.Duration
	}{
		"first minute":   {0, 500 * time.Millisecond},
		"after a minute": {90 * time.Second, time.Second},
		"after 5 min":    {10 * time.Minute, 2 * time.Second},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			for range 200 {
				got := dnsPause(tc.elapsed)
				if got < tc.base*9/10 || got > tc.base*11/10 {
					t.Fatalf("dnsPause(%s) = %s, want %s ±10%%", tc.elapsed, got, tc.base)
				}
			}
		})
	}
}

func TestAPIPause_schedule(t *testing.T) {
	var got []time.Duration
	for n := 1; n <= 6; n++ {
		got = append(got, apiPause(n))
	}
	want := []time.Duration{time.Second, 2 * time.Second, 3 * time.Second, 5 * time.Second, 5 * time.Second, 5 * time.Second}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("apiPause (-want +got):\n%s", diff)
	}
}

func TestMissingRecordNames(t *testing.T) {
	cases := map[string]struct {
		fqdns []string
		want  []string
	}{
		"all, any spelling": {
			fqdns: []string{"ACME.test.", "vsm1._domainkey.acme.test", "VSM2._DOMAINKEY.acme.test."},
		},
		"apex only": {
			fqdns: []string{"acme.test"},
			want:  []string{"vsm1._domainkey.acme.test", "vsm2._domainkey.acme.test"},
		},
		"none": {
			want: []string{"acme.test", "vsm1._domainkey.acme.test", "vsm2._domainkey.acme.test"},
		},
		"other names do not count": {
			fqdns: []string{"acme.test", "vsm1._domainkey.other.test", "vsm2._domainkey.acme.test"},
			want:  []string{"vsm1._domainkey.acme.test"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, missingRecordNames("acme.test", tc.fqdns)); diff != "" {
				t.Errorf("missing (-want +got):\n%s", diff)
			}
		})
	}
}

func TestVerificationFailure_detail(t *testing.T) {
	f := &verificationFailure{
		domain: "acme.test", timeout: 5 * time.Second, rounds: 7,
		v: &vastal.Verification{
			Checks: []vastal.Check{
				{Type: "MX", Name: "acme.test", Expected: "10 mx.vastal.com", Found: []string{"10 mx.vastal.com"}, Verified: true},
				{Type: "CNAME", Name: "vsm2._domainkey.acme.test", Expected: "vsm2.dkim.vastal.com", Issue: "DKIM CNAME vsm2._domainkey not found",
					Servers: []vastal.ServerAnswer{{Server: "ns1.acme.test", State: "not_yet"}, {Server: "ns2.acme.test", State: "data", Found: []string{"TXT v=DKIM1"}}}},
			},
			Warnings: []string{"ns3.acme.test did not answer"},
		},
	}
	if f.summary() != "Domain Verification Timed Out" {
		t.Errorf("summary = %q", f.summary())
	}
	want := `The domain acme.test was not verified within 5s (7 checks).
What the last check found, record by record:

  [ok] MX acme.test
      expected: 10 mx.vastal.com

  [MISSING] CNAME vsm2._domainkey.acme.test
      expected: vsm2.dkim.vastal.com
      found:    nothing
      on ns1.acme.test: not_yet
      on ns2.acme.test: data "TXT v=DKIM1"
      issue:    DKIM CNAME vsm2._domainkey not found
      fix:      DKIM uses CNAME records, not TXT: make vsm2._domainkey.acme.test a CNAME to vsm2.dkim.vastal.com (check the target for typos).

Note: ns3.acme.test did not answer

Fix the records above in your DNS provider, then apply again; the wait starts over. If your DNS provider is slow to publish, raise timeouts.create.`
	if diff := cmp.Diff(want, f.detail()); diff != "" {
		t.Errorf("detail (-want +got):\n%s", diff)
	}
	f.failed = true
	if f.summary() != "Domain Verification Failed" || !strings.Contains(f.detail(), `is now "failed"`) {
		t.Errorf("failed: %q / %q", f.summary(), f.detail())
	}
}
