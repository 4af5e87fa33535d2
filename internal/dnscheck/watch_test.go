package dnscheck

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"

	"github.com/vastal/terraform-provider-vastal/internal/dnstest"
)

// questions counts what a server of acme.test was asked, by name and type,
// for every question a check may send (the DKIM names also for CNAME, which
// a check never asks: the TXT answer carries the CNAME).
type questionCounts struct{ MX, TXT, TXT1, TXT2, CNAME1, CNAME2, SOA int }

func questions(servers ...*dnstest.Server) questionCounts {
	var n questionCounts
	for _, s := range servers {
		n.MX += s.Queries("acme.test", dns.TypeMX)
		n.TXT += s.Queries("acme.test", dns.TypeTXT)
		n.TXT1 += s.Queries("vsm1._domainkey.acme.test", dns.TypeTXT)
		n.TXT2 += s.Queries("vsm2._domainkey.acme.test", dns.TypeTXT)
		n.CNAME1 += s.Queries("vsm1._domainkey.acme.test", dns.TypeCNAME)
		n.CNAME2 += s.Queries("vsm2._domainkey.acme.test", dns.TypeCNAME)
		n.SOA += s.Queries("acme.test", dns.TypeSOA)
	}
	return n
}

// oneFullRound is what one server is asked in a full round.
var oneFullRound = questionCounts{MX: 1, TXT: 1, TXT1: 1, TXT2: 1}

func (n questionCounts) minus(m questionCounts) questionCounts {
	return questionCounts{n.MX - m.MX, n.TXT - m.TXT, n.TXT1 - m.TXT1, n.TXT2 - m.TXT2, n.CNAME1 - m.CNAME1, n.CNAME2 - m.CNAME2, n.SOA - m.SOA}
}

func TestWatch_asksOnlyWhatIsNotConfirmed(t *testing.T) {
	z := zoneWith(t, "acme.test", goodRecords[0]) // only the MX so far
	s1, s2 := startServer(t, z), startServer(t, z)
	c := newChecker(t, Config{Nameservers: nameservers(s1, s2)})
	w := c.Watch("acme.test")
	ctx := context.Background()
	round := func() *Result {
		t.Helper()
		res, err := w.Round(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}

	// Round 1 is full: four questions per server.
	res := round()
	if !res.MXVerified() || res.SPFVerified() {
		t.Fatalf("round 1: MX %v SPF %v", res.MXVerified(), res.SPFVerified())
	}
	if diff := cmp.Diff(questionCounts{MX: 2, TXT: 2, TXT1: 2, TXT2: 2}, questions(s1, s2)); diff != "" {
		t.Fatalf("round 1 queries (-want +got):\n%s", diff)
	}

	// Round 2: the confirmed MX is not asked again.
	z.MustAdd(goodRecords[1])
	res = round()
	if !res.MXVerified() || !res.SPFVerified() || res.DKIMVerified() {
		t.Fatalf("round 2: %q", res.Issues())
	}
	if diff := cmp.Diff(questionCounts{MX: 2, TXT: 4, TXT1: 4, TXT2: 4}, questions(s1, s2)); diff != "" {
		t.Fatalf("round 2 queries (-want +got):\n%s", diff)
	}

	// Round 3: the DKIM records arrive (asked once per server); every record
	// looks verified, so a full confirmation round follows in the same call.
	z.MustAdd(goodRecords[2], goodRecords[3])
	res = round()
	if !res.AllVerified() {
		t.Fatalf("round 3: %q", res.Issues())
	}
	if diff := cmp.Diff(questionCounts{MX: 4, TXT: 6, TXT1: 8, TXT2: 8}, questions(s1, s2)); diff != "" {
		t.Fatalf("round 3 queries (-want +got):\n%s", diff)
	}

	// A record removed after confirmation is caught: the full round repeats
	// on every call that would report AllVerified.
	z.Remove("vsm2._domainkey", dns.TypeCNAME)
	res = round()
	if res.AllVerified() || res.Record(KeyDKIM2).Issue != "DKIM CNAME vsm2._domainkey not found" {
		t.Fatalf("round 4: verified %v, issues %q", res.AllVerified(), res.Issues())
	}
	if diff := cmp.Diff(questionCounts{MX: 6, TXT: 8, TXT1: 10, TXT2: 10}, questions(s1, s2)); diff != "" {
		t.Fatalf("round 4 queries (-want +got):\n%s", diff)
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
	if diff := cmp.Diff(oneFullRound, questions(s)); diff != "" {
		t.Errorf("queries (-want +got):\n%s", diff)
	}
	if st := c.Stats(); st.Queries != 4 || st.UDP != 4 {
		t.Errorf("stats %+v, want 4 UDP queries", st)
	}
}

// Query economy (issue 7): in every round a server is asked at most one
// question per record, and only about the records not yet confirmed on it,
// including a DKIM name published as TXT, whose diagnosis stays the same
// round after round; only the final confirmation round asks everything again.
func TestWatch_atMostOneQueryPerRecordPerServerEachRound(t *testing.T) {
	z := zoneWith(t, "acme.test", goodRecords[0], goodRecords[1],
		`vsm1._domainkey TXT "v=DKIM1; k=rsa; p=MIGf"`,
		"VSM2._DomainKey CNAME VSM2.DKIM.Vastal.Com.") // case and the trailing dot do not matter
	servers := []*dnstest.Server{startServer(t, z), startServer(t, z), startServer(t, z)}
	c := newChecker(t, Config{Nameservers: nameservers(servers...)})
	w := c.Watch("acme.test")
	want := "DKIM vsm1._domainkey.acme.test is published as a TXT record; it must be a CNAME to vsm1.dkim.vastal.com " +
		"(DKIM uses CNAME records, not TXT)"

	before := make([]questionCounts, len(servers))
	totals := make([]int, len(servers))
	round := func() *Result {
		t.Helper()
		for i, s := range servers {
			before[i], totals[i] = questions(s), s.TotalQueries()
		}
		res, err := w.Round(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	// asked checks what each server was asked in the last call.
	asked := func(n int, want questionCounts) {
		t.Helper()
		for i, s := range servers {
			got := questions(s).minus(before[i])
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("round %d, server %d (-want +got):\n%s", n, i, diff)
			}
			if sum := want.MX + want.TXT + want.TXT1 + want.TXT2; s.TotalQueries()-totals[i] != sum {
				t.Fatalf("round %d, server %d: %d queries in all, want %d", n, i, s.TotalQueries()-totals[i], sum)
			}
		}
	}

	const rounds = 25
	for n := 1; n <= rounds; n++ {
		res := round()
		if got := res.Record(KeyDKIM1).Issue; got != want {
			t.Fatalf("round %d: issue %q", n, got)
		}
		if got := res.Record(KeyDKIM1).Found; !cmp.Equal(got, []string{"TXT v=DKIM1; k=rsa; p=MIGf"}) {
			t.Fatalf("round %d: found %q", n, got)
		}
		if !res.MXVerified() || !res.SPFVerified() || !res.Record(KeyDKIM2).Verified {
			t.Fatalf("round %d: issues %q", n, res.Issues())
		}
		if n == 1 {
			asked(n, oneFullRound)
		} else {
			asked(n, questionCounts{TXT1: 1}) // only the unconfirmed DKIM name
		}
	}

	// The fix arrives: the pending round asks vsm1 once, then the final
	// confirmation round asks every record once more.
	z.Remove("vsm1._domainkey", dns.TypeTXT)
	z.MustAdd("vsm1._domainkey CNAME vsm1.dkim.vastal.com.")
	res := round()
	if !res.AllVerified() {
		t.Fatalf("after the fix: %q", res.Issues())
	}
	asked(rounds+1, questionCounts{MX: 1, TXT: 1, TXT1: 2, TXT2: 1})
}

// A DKIM name is asked one question, TXT, whose answer tells every case
// apart; the classification keeps data, not yet and lame apart as before.
func TestClassifyDKIM(t *testing.T) {
	const name = "vsm1._domainkey.acme.test"
	rr := func(s string) dns.RR {
		r, err := dns.NewRR(s)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	cname := rr("VSM1._domainkey.Acme.Test. 300 IN CNAME vsm1.dkim.vastal.com.")
	txt := rr(`vsm1._domainkey.acme.test. 300 IN TXT "v=DKIM1; p=x"`)
	otherTXT := rr(`target.acme.test. 300 IN TXT "v=DKIM1; p=y"`)
	soa := rr("acme.test. 300 IN SOA ns.acme.test. host.acme.test. 7 3600 600 86400 60")
	reply := func(rcode int, aa bool, ans ...dns.RR) *dns.Msg {
		m := new(dns.Msg)
		m.SetQuestion(name+".", dns.TypeTXT)
		m.Response, m.Authoritative, m.Rcode, m.Answer = true, aa, rcode, ans
		if len(ans) == 0 {
			m.Ns = []dns.RR{soa}
		}
		return m
	}
	tests := map[string]struct {
		m          *dns.Msg
		state      string
		cname, txt int
		issue      string
	}{
		"CNAME":                      {reply(dns.RcodeSuccess, true, cname), StateData, 1, 0, ""},
		"CNAME, chased target's TXT": {reply(dns.RcodeSuccess, true, cname, otherTXT), StateData, 1, 0, ""},
		"CNAME, chased to NXDOMAIN":  {reply(dns.RcodeNameError, true, cname), StateData, 1, 0, ""},
		"TXT":                        {reply(dns.RcodeSuccess, true, txt), StateData, 0, 1, "DKIM vsm1._domainkey.acme.test is published as a TXT record; it must be a CNAME to vsm1.dkim.vastal.com (DKIM uses CNAME records, not TXT)"},
		"TXT of another name":        {reply(dns.RcodeSuccess, true, otherTXT), StateNotYet, 0, 0, "DKIM CNAME vsm1._domainkey not found"},
		"NODATA":                     {reply(dns.RcodeSuccess, true), StateNotYet, 0, 0, "DKIM CNAME vsm1._domainkey not found"},
		"NXDOMAIN":                   {reply(dns.RcodeNameError, true), StateNotYet, 0, 0, "DKIM CNAME vsm1._domainkey not found"},
		"not authoritative":          {reply(dns.RcodeSuccess, false, cname), StateLame, 0, 0, ""},
		"SERVFAIL":                   {reply(dns.RcodeServerFailure, true, cname), StateLame, 0, 0, ""},
	}
	req := Required("acme.test")[2]
	for desc, tc := range tests {
		a := classifyDKIM(tc.m, name)
		if a.state != tc.state || len(a.rrs) != tc.cname || len(a.txt) != tc.txt {
			t.Errorf("%s: state %s, %d CNAME, %d TXT; want %s, %d, %d", desc, a.state, len(a.rrs), len(a.txt), tc.state, tc.cname, tc.txt)
			continue
		}
		if authoritative(a.state) {
			if got := judgeAnswer("acme.test", req, a); got != tc.issue {
				t.Errorf("%s: issue %q, want %q", desc, got, tc.issue)
			}
		}
	}
}
