package dnstest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

func newServer(t *testing.T, zones ...*Zone) *Server {
	t.Helper()
	s, err := NewServer(zones...)
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

func ask(t *testing.T, addr, network, name string, qtype uint16) (*dns.Msg, error) {
	t.Helper()
	q := new(dns.Msg)
	q.SetQuestion(dns.Fqdn(name), qtype)
	q.SetEdns0(1232, false)
	c := &dns.Client{Net: network, Timeout: 500 * time.Millisecond}
	in, _, err := c.Exchange(q, addr)
	return in, err
}

func mustAsk(t *testing.T, addr, network, name string, qtype uint16) *dns.Msg {
	t.Helper()
	in, err := ask(t, addr, network, name, qtype)
	if err != nil {
		t.Fatalf("%s %s over %s: %v", name, dns.TypeToString[qtype], network, err)
	}
	return in
}

func TestServer_answers(t *testing.T) {
	z := NewZone("Acme.Test.")
	if err := z.Add("@ 60 IN MX 10 mx.vastal.com.", "vsm1._domainkey CNAME vsm1.dkim.vastal.com.", "a.b.acme.test. A 127.0.0.2"); err != nil {
		t.Fatal(err)
	}
	s := newServer(t, z)

	tests := map[string]struct {
		name    string
		qtype   uint16
		rcode   int
		answers int
		soa     bool
	}{
		"data":              {"acme.test", dns.TypeMX, dns.RcodeSuccess, 1, false},
		"upper case":        {"ACME.test", dns.TypeMX, dns.RcodeSuccess, 1, false},
		"nodata":            {"acme.test", dns.TypeTXT, dns.RcodeSuccess, 0, true},
		"nxdomain":          {"nope.acme.test", dns.TypeTXT, dns.RcodeNameError, 0, true},
		"empty non-term":    {"b.acme.test", dns.TypeA, dns.RcodeSuccess, 0, true},
		"cname for txt":     {"vsm1._domainkey.acme.test", dns.TypeTXT, dns.RcodeSuccess, 1, false},
		"soa":               {"acme.test", dns.TypeSOA, dns.RcodeSuccess, 1, false},
		"not our zone":      {"other.test", dns.TypeMX, dns.RcodeRefused, 0, false},
		"ns1 address":       {"ns1.acme.test", dns.TypeA, dns.RcodeSuccess, 1, false},
		"cname name itself": {"vsm1._domainkey.acme.test", dns.TypeCNAME, dns.RcodeSuccess, 1, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			in := mustAsk(t, s.Addr, "udp", tc.name, tc.qtype)
			if in.Rcode != tc.rcode || len(in.Answer) != tc.answers {
				t.Fatalf("rcode %s, %d answers; want %s, %d:\n%v", dns.RcodeToString[in.Rcode], len(in.Answer), dns.RcodeToString[tc.rcode], tc.answers, in)
			}
			if tc.rcode != dns.RcodeRefused && !in.Authoritative {
				t.Errorf("AA not set")
			}
			gotSOA := len(in.Ns) == 1 && in.Ns[0].Header().Rrtype == dns.TypeSOA
			if gotSOA != tc.soa {
				t.Errorf("SOA in authority = %v, want %v", gotSOA, tc.soa)
			}
		})
	}
	if got := s.Queries("acme.test.", dns.TypeMX); got != 2 {
		t.Errorf("Queries(acme.test, MX) = %d, want 2", got)
	}
}

// At a CNAME owner every other question is answered with the CNAME
// (RFC 1034 section 4.3.2 step 3a), authoritatively and without chasing an
// out-of-zone target; even a record wrongly published beside the CNAME does
// not change that.
func TestServer_cnameAnswersOtherTypes(t *testing.T) {
	z := NewZone("acme.test").MustAdd(
		"vsm1._domainkey CNAME VSM1.dkim.vastal.com.",
		"vsm2._domainkey CNAME vsm2.dkim.vastal.com.",
		`vsm2._domainkey TXT "v=DKIM1; p=x"`, // not allowed beside a CNAME
	)
	s := newServer(t, z)
	for _, tc := range []struct {
		name   string
		qtype  uint16
		target string
	}{
		{"vsm1._domainkey.acme.test", dns.TypeTXT, "VSM1.dkim.vastal.com."},
		{"VSM1._domainkey.Acme.Test.", dns.TypeMX, "VSM1.dkim.vastal.com."},
		{"vsm2._domainkey.acme.test", dns.TypeTXT, "vsm2.dkim.vastal.com."},
		{"vsm2._domainkey.acme.test", dns.TypeCNAME, "vsm2.dkim.vastal.com."},
	} {
		in := mustAsk(t, s.Addr, "udp", tc.name, tc.qtype)
		if in.Rcode != dns.RcodeSuccess || !in.Authoritative || len(in.Answer) != 1 || len(in.Ns) != 0 {
			t.Fatalf("%s %s: rcode %s, AA %t, %d answers, %d authority:\n%v", tc.name, dns.TypeToString[tc.qtype],
				dns.RcodeToString[in.Rcode], in.Authoritative, len(in.Answer), len(in.Ns), in)
		}
		c, ok := in.Answer[0].(*dns.CNAME)
		if !ok || c.Target != tc.target || dns.CanonicalName(c.Hdr.Name) != dns.CanonicalName(tc.name) {
			t.Errorf("%s %s: answer %v, want the CNAME to %s", tc.name, dns.TypeToString[tc.qtype], in.Answer[0], tc.target)
		}
	}
	// ANY still returns everything at the name.
	if in := mustAsk(t, s.Addr, "tcp", "vsm2._domainkey.acme.test", dns.TypeANY); len(in.Answer) != 2 {
		t.Errorf("ANY: %d answers, want 2", len(in.Answer))
	}
}

func TestZone_serialBumpsOnChange(t *testing.T) {
	z := NewZone("acme.test")
	s0 := z.Serial()
	z.MustAdd("@ TXT \"v=spf1 -all\"")
	z.Remove("@", dns.TypeTXT)
	if got := z.Serial(); got != s0+2 {
		t.Fatalf("serial %d, want %d", got, s0+2)
	}
	for _, rr := range z.Records() {
		if rr.Header().Rrtype == dns.TypeTXT {
			t.Fatalf("TXT left after Remove: %v", rr)
		}
	}
	if err := z.Add("other.test. A 127.0.0.1"); !errors.Is(err, ErrOutOfZone) {
		t.Fatalf("Add out of zone: %v, want ErrOutOfZone", err)
	}
	if err := z.Add("@ MX nonsense"); err == nil {
		t.Fatal("Add of a malformed record: no error")
	}
}

func TestServer_referral(t *testing.T) {
	parent := NewZone("test")
	parent.MustAdd("acme.test. NS ns1.acme.test.", "ns1.acme.test. A 127.0.0.1")
	s := newServer(t, parent)
	in := mustAsk(t, s.Addr, "udp", "www.acme.test", dns.TypeA)
	if in.Authoritative || in.Rcode != dns.RcodeSuccess || len(in.Ns) != 1 || len(in.Extra) < 1 {
		t.Fatalf("want a referral with glue, got\n%v", in)
	}
	if ns, ok := in.Ns[0].(*dns.NS); !ok || ns.Ns != "ns1.acme.test." {
		t.Fatalf("referral NS %v", in.Ns[0])
	}
}

func TestServer_faults(t *testing.T) {
	z := NewZone("acme.test").MustAdd("@ MX 10 mx.vastal.com.")
	s := newServer(t, z)
	check := func(f Faults, net string, want func(*dns.Msg, error) string) {
		t.Helper()
		s.SetFaults(f)
		in, err := ask(t, s.Addr, net, "acme.test", dns.TypeMX)
		if msg := want(in, err); msg != "" {
			t.Errorf("%+v over %s: %s (err %v, reply %v)", f, net, msg, err, in)
		}
	}
	rcode := func(rc int) func(*dns.Msg, error) string {
		return func(in *dns.Msg, err error) string {
			if err != nil || in.Rcode != rc {
				return "want " + dns.RcodeToString[rc]
			}
			return ""
		}
	}
	timeout := func(in *dns.Msg, err error) string {
		if err == nil {
			return "want a timeout"
		}
		return ""
	}
	check(Faults{Refuse: true}, "udp", rcode(dns.RcodeRefused))
	check(Faults{ServFail: true}, "tcp", rcode(dns.RcodeServerFailure))
	check(Faults{Drop: true}, "udp", timeout)
	check(Faults{Drop: true}, "tcp", timeout)
	// miekg's client drops replies with a wrong ID, so the query times out.
	check(Faults{WrongID: true}, "udp", timeout)
	check(Faults{Truncate: true}, "udp", func(in *dns.Msg, err error) string {
		if err != nil || !in.Truncated || len(in.Answer) != 0 {
			return "want TC and no answer"
		}
		return ""
	})
	check(Faults{Truncate: true}, "tcp", func(in *dns.Msg, err error) string {
		if err != nil || in.Truncated || len(in.Answer) != 1 {
			return "want the full answer over TCP"
		}
		return ""
	})
	check(Faults{NotAuth: true}, "udp", func(in *dns.Msg, err error) string {
		if err != nil || in.Authoritative || len(in.Answer) != 1 {
			return "want data with AA=0"
		}
		return ""
	})
	check(Faults{WrongQuestion: true}, "udp", func(in *dns.Msg, err error) string {
		if err != nil || len(in.Question) != 1 || in.Question[0].Name != "wrong.acme.test." {
			return "want another question"
		}
		return ""
	})
	check(Faults{Delay: 50 * time.Millisecond}, "udp", func(in *dns.Msg, err error) string {
		if err != nil || len(in.Answer) != 1 {
			return "want the answer after the delay"
		}
		return ""
	})
}

func TestServer_closeDuringDelay(t *testing.T) {
	s, err := NewServer(NewZone("acme.test"))
	if err != nil {
		t.Fatal(err)
	}
	s.SetFaults(Faults{Delay: time.Hour})
	done := make(chan struct{})
	go func() {
		defer close(done)
		ask(t, s.Addr, "udp", "acme.test", dns.TypeSOA) //nolint:errcheck // times out
	}()
	for s.TotalQueries() == 0 {
		time.Sleep(time.Millisecond) // polling for the query to arrive, not hiding a race
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	<-done
}

func TestServer_largeAnswerTruncatedOverUDP(t *testing.T) {
	z := NewZone("acme.test")
	for i := range 60 {
		z.MustAdd(fmt.Sprintf("@ TXT \"record %02d %s\"", i, strings.Repeat("x", 40)))
	}
	s := newServer(t, z)
	if in := mustAsk(t, s.Addr, "udp", "acme.test", dns.TypeTXT); !in.Truncated {
		t.Fatalf("UDP answer of %d records not truncated", len(in.Answer))
	}
	if in := mustAsk(t, s.Addr, "tcp", "acme.test", dns.TypeTXT); in.Truncated || len(in.Answer) != 60 {
		t.Fatalf("TCP: TC=%v with %d records, want 60", in.Truncated, len(in.Answer))
	}
	if got := s.TCPQueries("acme.test", dns.TypeTXT); got != 1 {
		t.Errorf("TCPQueries = %d, want 1", got)
	}
}

func TestServer_update(t *testing.T) {
	z := NewZone("acme.test")
	s := newServer(t, z)
	send := func(build func(m *dns.Msg)) int {
		t.Helper()
		m := new(dns.Msg)
		m.SetUpdate("acme.test.")
		build(m)
		c := &dns.Client{Timeout: time.Second}
		in, _, err := c.Exchange(m, s.Addr)
		if err != nil {
			t.Fatal(err)
		}
		return in.Rcode
	}
	rr := func(s string) dns.RR {
		r, err := dns.NewRR(s)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	serial := z.Serial()
	if rc := send(func(m *dns.Msg) {
		m.Insert([]dns.RR{rr("acme.test. 60 IN MX 10 mx.vastal.com."), rr("acme.test. 60 IN MX 20 backup.test."), rr(`acme.test. 60 IN TXT "v=spf1 ~all"`)})
	}); rc != dns.RcodeSuccess {
		t.Fatalf("insert: %s", dns.RcodeToString[rc])
	}
	if got := len(mustAsk(t, s.Addr, "udp", "acme.test", dns.TypeMX).Answer); got != 2 {
		t.Fatalf("%d MX after insert, want 2", got)
	}
	if z.Serial() != serial+1 {
		t.Errorf("serial %d after one update, want %d", z.Serial(), serial+1)
	}
	send(func(m *dns.Msg) { m.Remove([]dns.RR{rr("acme.test. 0 IN MX 20 backup.test.")}) })
	if got := len(mustAsk(t, s.Addr, "udp", "acme.test", dns.TypeMX).Answer); got != 1 {
		t.Fatalf("%d MX after deleting one RR, want 1", got)
	}
	send(func(m *dns.Msg) { m.RemoveRRset([]dns.RR{rr("acme.test. 0 IN TXT \"\"")}) })
	if in := mustAsk(t, s.Addr, "udp", "acme.test", dns.TypeTXT); len(in.Answer) != 0 {
		t.Fatalf("TXT left after deleting the RRset: %v", in.Answer)
	}
	if rc := send(func(m *dns.Msg) { m.Insert([]dns.RR{rr("other.test. 60 IN A 127.0.0.1")}) }); rc != dns.RcodeNotZone {
		t.Fatalf("out-of-zone insert: %s, want NOTZONE", dns.RcodeToString[rc])
	}
	m := new(dns.Msg)
	m.SetUpdate("other.test.")
	in, _, err := (&dns.Client{Timeout: time.Second}).Exchange(m, s.Addr)
	if err != nil || in.Rcode != dns.RcodeNotAuth {
		t.Fatalf("update of a zone not served: %v %v, want NOTAUTH", in, err)
	}
}

func TestListenServer_refusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", "192.0.2.1:53", "[::]:0", "example.com:53"} {
		if _, err := ListenServer(addr); !errors.Is(err, ErrNotLoopback) {
			t.Errorf("ListenServer(%q) = %v, want ErrNotLoopback", addr, err)
		}
	}
}

func TestResolver_negativeCache(t *testing.T) {
	z := NewZone("acme.test")
	s := newServer(t, z)
	r, err := NewResolver(s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Error(err)
		}
	})

	if in := mustAsk(t, r.Addr, "udp", "acme.test", dns.TypeMX); in.Rcode != dns.RcodeSuccess || len(in.Answer) != 0 || !in.RecursionAvailable {
		t.Fatalf("first answer: want NODATA with RA, got %v", in)
	}
	if in := mustAsk(t, r.Addr, "udp", "vsm1._domainkey.acme.test", dns.TypeCNAME); in.Rcode != dns.RcodeNameError {
		t.Fatalf("want NXDOMAIN, got %v", in)
	}
	z.MustAdd("@ MX 10 mx.vastal.com.", "vsm1._domainkey CNAME vsm1.dkim.vastal.com.")

	// Still negative: the resolver keeps it for the SOA minimum.
	if in := mustAsk(t, r.Addr, "udp", "acme.test", dns.TypeMX); len(in.Answer) != 0 {
		t.Fatalf("negative answer not cached: %v", in)
	}
	if in := mustAsk(t, r.Addr, "udp", "vsm1._domainkey.acme.test", dns.TypeCNAME); in.Rcode != dns.RcodeNameError {
		t.Fatalf("NXDOMAIN not cached: %v", in)
	}
	if got := s.Queries("acme.test", dns.TypeMX); got != 1 {
		t.Fatalf("upstream asked %d times, want 1", got)
	}
	r.Advance(DefaultNegativeTTL*time.Second - time.Second)
	if !r.Cached("acme.test", dns.TypeMX) {
		t.Fatal("negative entry expired before the SOA minimum")
	}
	r.Advance(2 * time.Second)
	if in := mustAsk(t, r.Addr, "udp", "acme.test", dns.TypeMX); len(in.Answer) != 1 {
		t.Fatalf("after the SOA minimum: want the MX, got %v", in)
	}
	if got := r.Queries("ACME.test.", dns.TypeMX); got != 3 {
		t.Errorf("resolver Queries = %d, want 3", got)
	}
}

func TestResolver_followsAuthoritativeServerOnly(t *testing.T) {
	parent := NewZone("test").MustAdd("acme.test. NS ns1.acme.test.", "ns1.acme.test. A 127.0.0.1")
	child := NewZone("acme.test").MustAdd("@ MX 10 mx.vastal.com.")
	ps, cs := newServer(t, parent), newServer(t, child)
	r, err := NewResolver(ps, cs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Error(err)
		}
	})
	if in := mustAsk(t, r.Addr, "udp", "acme.test", dns.TypeMX); len(in.Answer) != 1 {
		t.Fatalf("want the child's MX, got %v", in)
	}
	if in := mustAsk(t, r.Addr, "udp", "test", dns.TypeNS); len(in.Answer) != 1 {
		t.Fatalf("want the parent's NS, got %v", in)
	}
	if in := mustAsk(t, r.Addr, "udp", "nowhere.example", dns.TypeNS); in.Rcode != dns.RcodeServerFailure {
		t.Fatalf("unknown zone: want SERVFAIL, got %v", in)
	}
}
