package dnscheck

import (
	"testing"

	"github.com/vastal/terraform-provider-vastal/internal/dnstest"
)

// A server that holds every right record but misbehaves is never believed:
// the domain does not verify, and each record says it could not be checked.
func TestCheck_misbehavingServersNeverVerify(t *testing.T) {
	t.Parallel()
	tests := map[string]dnstest.Faults{
		"SERVFAIL":       {ServFail: true},
		"REFUSED":        {Refuse: true},
		"not AA":         {NotAuth: true},
		"wrong ID":       {WrongID: true},
		"wrong question": {WrongQuestion: true},
		"blackhole":      {Drop: true},
		"too slow":       {Delay: 4 * testTimeout},
	}
	for name, faults := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, zoneWith(t, "acme.test", goodRecords...))
			s.SetFaults(faults)
			res := check(t, newChecker(t, Config{Nameservers: nameservers(s)}), "acme.test")
			if res.AllVerified() {
				t.Fatalf("verified through a server with %s", name)
			}
			for _, rec := range res.Records {
				if rec.Verified || rec.Issue == "" {
					t.Errorf("%s: verified %t, issue %q", rec.Key, rec.Verified, rec.Issue)
				}
			}
		})
	}
}
