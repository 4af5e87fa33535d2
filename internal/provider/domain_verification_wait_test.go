package provider

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vastal/terraform-provider-vastal/internal/backend"
	"github.com/vastal/terraform-provider-vastal/internal/dnscheck"
	"github.com/vastal/terraform-provider-vastal/internal/dnstest"
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

// pastDeadline is a context whose deadline has passed but whose timer has
// not yet fired: the moment in which a round's queries, bounded by the
// deadline, have already failed as unreachable.
type pastDeadline struct{ context.Context }

func (pastDeadline) Deadline() (time.Time, bool) { return time.Now().Add(-time.Millisecond), true }

func TestCutShort(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	live, stop := context.WithTimeout(context.Background(), time.Hour)
	defer stop()
	cases := map[string]struct {
		ctx  context.Context
		want bool
	}{
		"live":                    {live, false},
		"no deadline":             {context.Background(), false},
		"cancelled":               {cancelled, true},
		"deadline passed, no Err": {pastDeadline{context.Background()}, true},
	}
	for name, tc := range cases {
		if got := cutShort(tc.ctx); got != tc.want {
			t.Errorf("%s: cutShort = %t, want %t", name, got, tc.want)
		}
	}
}

// A timeout that lands in the middle of a DNS round reports the last whole
// round (here the API's verdict from the first), never the cut one.
func TestVerificationWaiter_timeoutMidRoundReportsLastWholeRound(t *testing.T) {
	z := dnstest.NewZone("slow.test")
	if err := z.Add("slow.test. 60 IN MX 10 mx.vastal.com."); err != nil {
		t.Fatal(err)
	}
	// The provider's own rounds ask a server whose every answer takes a
	// second, so a round takes a second and the 2 s timeout falls half-way
	// through the second round; the API's verify asks a quick one.
	srv, quick := startDNS(t, z), startDNS(t, z)
	srv.SetFaults(dnstest.Faults{Delay: time.Second})
	checker, err := dnscheck.New(dnscheck.Config{Nameservers: []string{srv.Addr}, Timeout: 5 * time.Second, PerServer: 4})
	if err != nil {
		t.Fatal(err)
	}
	apiChecker, err := dnscheck.New(dnscheck.Config{Nameservers: []string{quick.Addr}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := backend.Open(filepath.Join(t.TempDir(), "x.db"), backend.Options{Checker: apiChecker})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := b.Close(); err != nil {
			t.Error(err)
		}
	}()
	client, err := vastal.New(vastal.Config{BaseURL: "http://127.0.0.1", Transport: backend.Transport(b)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	d, err := client.CreateDomain(ctx, "slow.test")
	if err != nil {
		t.Fatal(err)
	}

	w := &verificationWaiter{client: client, domain: d, timeout: 2 * time.Second, watch: checker.Watch(d.Domain)}
	err = w.wait(ctx)
	var fail *verificationFailure
	if !errors.As(err, &fail) || fail.failed {
		t.Fatalf("wait = %v, want a timeout", err)
	}
	detail := fail.detail()
	if strings.Contains(detail, dnscheck.StateUnreachable) {
		t.Errorf("the diagnosis reports the round the timeout cut short:\n%s", detail)
	}
	for _, want := range []string{"[ok] MX slow.test", "SPF record not found", "DKIM CNAME vsm1._domainkey not found"} {
		if !strings.Contains(detail, want) {
			t.Errorf("the diagnosis lacks %q:\n%s", want, detail)
		}
	}
}

func startDNS(t *testing.T, z *dnstest.Zone) *dnstest.Server {
	t.Helper()
	s, err := dnstest.NewServer(z)
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
