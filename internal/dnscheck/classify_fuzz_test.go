package dnscheck

import (
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// FuzzClassify: any bytes a server may send, once they parse as a DNS
// message, are classified without a panic, and only an authoritative
// NOERROR answer holding records of the asked name and type counts as data;
// records of another name or type never do.
func FuzzClassify(f *testing.F) {
	seed := func(build func(m *dns.Msg)) {
		m := new(dns.Msg)
		m.SetQuestion("acme.test.", dns.TypeMX)
		m.Response = true
		build(m)
		b, err := m.Pack()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "acme.test", dns.TypeMX)
	}
	mx, _ := dns.NewRR("acme.test. 300 IN MX 10 mx.vastal.com.")
	other, _ := dns.NewRR("evil.test. 300 IN MX 10 mx.vastal.com.")
	txt, _ := dns.NewRR(`acme.test. 300 IN TXT "v=spf1 include:_spf.vastal.com ~all"`)
	soa, _ := dns.NewRR("acme.test. 300 IN SOA ns.acme.test. host.acme.test. 7 3600 600 86400 60")
	ns, _ := dns.NewRR("acme.test. 300 IN NS ns.elsewhere.test.")
	seed(func(m *dns.Msg) { m.Authoritative = true; m.Answer = []dns.RR{mx} })
	seed(func(m *dns.Msg) { m.Answer = []dns.RR{mx} })
	seed(func(m *dns.Msg) { m.Authoritative = true; m.Answer = []dns.RR{other, txt} })
	seed(func(m *dns.Msg) { m.Authoritative = true; m.Rcode = dns.RcodeNameError; m.Ns = []dns.RR{soa} })
	seed(func(m *dns.Msg) { m.Authoritative = true; m.Rcode = dns.RcodeServerFailure; m.Answer = []dns.RR{mx} })
	seed(func(m *dns.Msg) { m.Ns = []dns.RR{ns} })
	seed(func(m *dns.Msg) { m.Authoritative = true; m.Truncated = true })
	f.Fuzz(func(t *testing.T, raw []byte, name string, qtype uint16) {
		m := new(dns.Msg)
		if err := m.Unpack(raw); err != nil {
			return
		}
		a := classify(m, name, qtype)
		switch a.state {
		case StateData:
			if m.Rcode != dns.RcodeSuccess || !m.Authoritative || len(a.rrs) == 0 {
				t.Fatalf("data from a reply with rcode %d, AA %t, %d records", m.Rcode, m.Authoritative, len(a.rrs))
			}
		case StateNotYet:
			if !m.Authoritative || len(a.rrs) > 0 && m.Rcode == dns.RcodeSuccess {
				t.Fatalf("not-yet from a reply with AA %t and %d matching records", m.Authoritative, len(a.rrs))
			}
		case StateLame:
			if a.detail == "" {
				t.Fatal("lame without a detail saying why")
			}
		default:
			t.Fatalf("unknown state %q", a.state)
		}
		for _, rr := range a.rrs {
			h := rr.Header()
			if h.Rrtype != qtype || !strings.EqualFold(strings.TrimSuffix(h.Name, "."), strings.TrimSuffix(name, ".")) {
				t.Fatalf("kept %s for the question %s/%d", rr, name, qtype)
			}
			if txt, ok := rr.(*dns.TXT); ok {
				_ = TXTString(txt)
			}
		}
	})
}
