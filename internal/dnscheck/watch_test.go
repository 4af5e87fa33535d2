package dnscheck

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"
)

func TestWatch_asksOnlyWhatIsNotConfirmed(t *testing.T) {
	z := zoneWith(t, "acme.test", goodRecords[0]) // only the MX so far
	s1, s2 := startServer(t, z), startServer(t, z)
	c := newChecker(t, Config{Nameservers: nameservers(s1, s2)})
	w := c.Watch("acme.test")
	ctx := context.Background()
	type counts struct{ MX, TXT, CNAME1, TXT1, CNAME2, SOA int }
	asked := func() counts {
		var n counts
		for _, s := range []interface {
			Queries(string, uint16) int
		}{s1, s2} {
			n.MX += s.Queries("acme.test", dns.TypeMX)
			n.TXT += s.Queries("acme.test", dns.TypeTXT)
			n.CNAME1 += s.Queries("vsm1._domainkey.acme.test", dns.TypeCNAME)
			n.TXT1 += s.Queries("vsm1._domainkey.acme.test", dns.TypeTXT)
			n.CNAME2 += s.Queries("vsm2._domainkey.acme.test", dns.TypeCNAME)
			n.SOA += s.Queries("acme.test", dns.TypeSOA)
		}
		return n
	}
	round := func() *Result {
		t.Helper()
		res, err := w.Round(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}

	res := round()
	if !res.MXVerified() || res.SPFVerified() {
		t.Fatalf("round 1: MX %v SPF %v", res.MXVerified(), res.SPFVerified())
	}
	if diff := cmp.Diff(counts{MX: 2, TXT: 2, CNAME1: 2, TXT1: 2, CNAME2: 2}, asked()); diff != "" {
		t.Fatalf("round 1 queries (-want +got):\n%s", diff)
	}

	// Round 2: the confirmed MX is not asked again, nor the DKIM names for
	// TXT (only the first and every txtEvery-th round ask): one question per
	// record and server.
	z.MustAdd(goodRecords[1])
	res = round()
	if !res.MXVerified() || !res.SPFVerified() || res.DKIMVerified() {
		t.Fatalf("round 2: %q", res.Issues())
	}
	if diff := cmp.Diff(counts{MX: 2, TXT: 4, CNAME1: 4, TXT1: 2, CNAME2: 4}, asked()); diff != "" {
		t.Fatalf("round 2 queries (-want +got):\n%s", diff)
	}

	// Round 3: the DKIM records arrive; every record looks verified, so a
	// full confirmation round follows in the same call.
	z.MustAdd(goodRecords[2], goodRecords[3])
	res = round()
	if !res.AllVerified() {
		t.Fatalf("round 3: %q", res.Issues())
	}
	if diff := cmp.Diff(counts{MX: 4, TXT: 6, CNAME1: 8, TXT1: 2, CNAME2: 8}, asked()); diff != "" {
		t.Fatalf("round 3 queries (-want +got):\n%s", diff)
	}

	// A record removed after confirmation is caught: the full round repeats
	// on every call that would report AllVerified.
	z.Remove("vsm2._domainkey", dns.TypeCNAME)
	res = round()
	if res.AllVerified() || res.Record(KeyDKIM2).Issue != "DKIM CNAME vsm2._domainkey not found" {
		t.Fatalf("round 4: verified %v, issues %q", res.AllVerified(), res.Issues())
	}
}

func TestWatch_confirmsOnceWhenAllVerifiedAtOnce(t *testing.T) {
	z := zoneWith(t, "acme.test", goodRecords...)
	s := startServer(t, z)
	c := newChecker(t, Config{Nameservers: nameservers(s)})
	w := c.Watch("acme.test")
	res, err := w.Round(context.Background())
	if err != nil || !res.AllVerified() {
		t.Fatalf("res %v, err %v", res, err)
	}
	// The first round was already full: no second one.
	if got := s.Queries("acme.test", dns.TypeMX); got != 1 {
		t.Errorf("MX asked %d times, want 1", got)
	}
	if st := c.Stats(); st.Queries != 4 || st.UDP != 4 {
		t.Errorf("stats %+v, want 4 UDP queries", st)
	}
}

// A DKIM name published as TXT keeps its diagnosis in the rounds that do not
// ask for TXT, and the TXT is asked again every txtEvery rounds.
func TestWatch_dkimAsTXTBetweenTXTRounds(t *testing.T) {
	z := zoneWith(t, "acme.test", goodRecords[0], goodRecords[1], goodRecords[3], `vsm1._domainkey TXT "v=DKIM1; k=rsa; p=MIGf"`)
	s := startServer(t, z)
	c := newChecker(t, Config{Nameservers: nameservers(s)})
	w := c.Watch("acme.test")
	want := "DKIM vsm1._domainkey.acme.test is published as a TXT record; it must be a CNAME to vsm1.dkim.vastal.com " +
		"(DKIM uses CNAME records, not TXT)"
	for n := 1; n <= txtEvery+1; n++ {
		res, err := w.Round(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Record(KeyDKIM1).Issue; got != want {
			t.Fatalf("round %d: issue %q", n, got)
		}
		if got := res.Record(KeyDKIM1).Found; !cmp.Equal(got, []string{"TXT v=DKIM1; k=rsa; p=MIGf"}) {
			t.Fatalf("round %d: found %q", n, got)
		}
		wantTXT := 1
		if n > txtEvery {
			wantTXT = 2
		}
		if got := s.Queries("vsm1._domainkey.acme.test", dns.TypeTXT); got != wantTXT {
			t.Fatalf("after round %d: TXT asked %d times, want %d", n, got, wantTXT)
		}
		if got := s.Queries("vsm1._domainkey.acme.test", dns.TypeCNAME); got != n {
			t.Fatalf("after round %d: CNAME asked %d times, want %d", n, got, n)
		}
	}
}
