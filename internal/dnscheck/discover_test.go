package dnscheck

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"

	"github.com/vastal/terraform-provider-vastal/internal/dnstest"
)

// delegation is a parent zone "test." delegating acme.test to two servers,
// all on 127.0.0.1 with their own ports, and a resolver in front of them.
type delegation struct {
	parent, ns1, ns2 *dnstest.Server
	child            *dnstest.Zone
	resolver         *dnstest.Resolver
	ports            map[string]string // NS host → host:port
}

func newDelegation(t *testing.T, records ...string) *delegation {
	t.Helper()
	parentZone := zoneWith(t, "test",
		"acme.test. NS ns1.acme.test.", "acme.test. NS ns2.acme.test.",
		"ns1.acme.test. A 127.0.0.1", "ns2.acme.test. A 127.0.0.1")
	child := zoneWith(t, "acme.test", append([]string{"@ NS ns2.acme.test.", "ns2 A 127.0.0.1"}, records...)...)
	d := &delegation{child: child}
	d.parent = startServer(t, parentZone)
	d.ns1, d.ns2 = startServer(t, child), startServer(t, child)
	d.resolver = startResolver(t, d.parent, d.ns1)
	d.ports = map[string]string{"ns1.test": d.parent.Addr, "ns1.acme.test": d.ns1.Addr, "ns2.acme.test": d.ns2.Addr}
	return d
}

func (d *delegation) config() Config {
	return Config{
		Resolvers:    []string{d.resolver.Addr},
		AddrOverride: func(host string) string { return d.ports[host] },
	}
}

// seedNegativeCache asks the resolver for every checked name before any
// record exists, so that it holds NXDOMAIN/NODATA for an hour.
func (d *delegation) seedNegativeCache(t *testing.T, domain string) {
	t.Helper()
	for _, q := range []struct {
		name  string
		qtype uint16
	}{
		{domain, dns.TypeMX}, {domain, dns.TypeTXT},
		{"vsm1._domainkey." + domain, dns.TypeCNAME}, {"vsm2._domainkey." + domain, dns.TypeCNAME},
		{"vsm1._domainkey." + domain, dns.TypeTXT}, {"vsm2._domainkey." + domain, dns.TypeTXT},
	} {
		if got := resolverAnswers(t, d.resolver, q.name, q.qtype); got != 0 {
			t.Fatalf("seeding: %s %s already has %d answers", q.name, dns.TypeToString[q.qtype], got)
		}
	}
}

func resolverAnswers(t *testing.T, r *dnstest.Resolver, name string, qtype uint16) int {
	t.Helper()
	q := new(dns.Msg)
	q.SetQuestion(dns.Fqdn(name), qtype)
	in, _, err := (&dns.Client{Timeout: testTimeout * 4}).Exchange(q, r.Addr)
	if err != nil {
		t.Fatal(err)
	}
	return len(in.Answer)
}

func TestCheck_poisonedResolverDoesNotDelayVerification(t *testing.T) {
	d := newDelegation(t)
	d.seedNegativeCache(t, "acme.test")
	d.child.MustAdd(goodRecords...)

	// The resolver still says there is nothing...
	if got := resolverAnswers(t, d.resolver, "acme.test", dns.TypeMX); got != 0 {
		t.Fatalf("the resolver's negative cache is not poisoned: %d MX", got)
	}
	before := d.resolver.Queries("acme.test", dns.TypeMX) + d.resolver.Queries("acme.test", dns.TypeTXT) +
		d.resolver.Queries("vsm1._domainkey.acme.test", dns.TypeCNAME) + d.resolver.Queries("vsm2._domainkey.acme.test", dns.TypeCNAME) +
		d.resolver.Queries("vsm1._domainkey.acme.test", dns.TypeTXT) + d.resolver.Queries("vsm2._domainkey.acme.test", dns.TypeTXT)

	// ...yet one round verifies everything.
	c := newChecker(t, d.config())
	res := check(t, c, "acme.test")
	if diff := cmp.Diff(allVerified, verdicts(res)); diff != "" {
		t.Fatalf("verdicts (-want +got):\n%s", diff)
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings %q", res.Warnings)
	}
	if diff := cmp.Diff([]string{d.ns1.Addr, d.ns2.Addr}, res.Servers); diff != "" {
		t.Errorf("servers (-want +got):\n%s", diff)
	}
	if got := res.Record(KeyMX).Servers[0].Server; got != "ns1.acme.test" {
		t.Errorf("server named %q, want ns1.acme.test", got)
	}
	after := d.resolver.Queries("acme.test", dns.TypeMX) + d.resolver.Queries("acme.test", dns.TypeTXT) +
		d.resolver.Queries("vsm1._domainkey.acme.test", dns.TypeCNAME) + d.resolver.Queries("vsm2._domainkey.acme.test", dns.TypeCNAME) +
		d.resolver.Queries("vsm1._domainkey.acme.test", dns.TypeTXT) + d.resolver.Queries("vsm2._domainkey.acme.test", dns.TypeTXT)
	if after != before {
		t.Errorf("the checker asked the resolver %d times about the names it checks", after-before)
	}
	// Discovery asked the resolver only about the parent zone, and walked down.
	if got := d.resolver.Queries("test", dns.TypeNS); got != 1 {
		t.Errorf("resolver asked NS test. %d times, want 1", got)
	}
	if got := d.resolver.Queries("acme.test", dns.TypeNS); got != 0 {
		t.Errorf("resolver asked NS acme.test. %d times, want 0", got)
	}
	if got := d.parent.Queries("acme.test", dns.TypeNS); got != 1 {
		t.Errorf("parent asked NS acme.test. %d times, want 1 (the referral)", got)
	}
	if st := c.Stats(); st.ResolverQueries != 1 || st.Discoveries != 1 {
		t.Errorf("stats %+v", st)
	}

	// Discovery is cached.
	check(t, c, "acme.test")
	if st := c.Stats(); st.Discoveries != 1 {
		t.Errorf("discoveries %d after a second check, want 1", st.Discoveries)
	}
}

func TestCheck_discoveryOfNameBelowZoneApex(t *testing.T) {
	d := newDelegation(t)
	d.child.MustAdd(
		"mail.acme.test. MX 10 mx.vastal.com.",
		`mail.acme.test. TXT "v=spf1 include:_spf.vastal.com ~all"`,
		"vsm1._domainkey.mail CNAME vsm1.dkim.vastal.com.",
		"vsm2._domainkey.mail CNAME vsm2.dkim.vastal.com.",
	)
	c := newChecker(t, d.config())
	res := check(t, c, "mail.acme.test")
	if diff := cmp.Diff(allVerified, verdicts(res)); diff != "" {
		t.Fatalf("verdicts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{d.ns1.Addr, d.ns2.Addr}, res.Servers); diff != "" {
		t.Errorf("servers (-want +got):\n%s", diff)
	}
}

func TestGlueIP(t *testing.T) {
	rr := func(s string) dns.RR {
		r, err := dns.NewRR(s)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	glue := []dns.RR{rr("NS1.acme.test. AAAA 2001:db8::1"), rr("ns1.acme.test. A 192.0.2.1"), rr("ns2.acme.test. AAAA 2001:db8::2")}
	for host, want := range map[string]string{"ns1.acme.test": "192.0.2.1", "ns2.acme.test": "2001:db8::2", "ns3.acme.test": ""} {
		if got := glueIP(glue, host); got != want {
			t.Errorf("glueIP(%s) = %q, want %q", host, got, want)
		}
	}
}

func TestCheck_discoveryFailsWhenNothingKnown(t *testing.T) {
	s := startServer(t, zoneWith(t, "other.test"))
	r := startResolver(t, s)
	c := newChecker(t, Config{Resolvers: []string{r.Addr}})
	_, err := c.Check(context.Background(), "acme.example")
	if !errors.Is(err, ErrDiscovery) {
		t.Fatalf("err = %v, want ErrDiscovery", err)
	}
}

func TestCheck_discoveryWithoutParent(t *testing.T) {
	// The resolver knows only the child zone: discovery starts there.
	child := zoneWith(t, "acme.test", goodRecords...)
	ns1 := startServer(t, child)
	r := startResolver(t, ns1)
	c := newChecker(t, Config{
		Resolvers:    []string{r.Addr},
		AddrOverride: func(host string) string { return map[string]string{"ns1.acme.test": ns1.Addr}[host] },
	})
	res := check(t, c, "acme.test")
	if !res.AllVerified() {
		t.Fatalf("issues %q", res.Issues())
	}
}

func TestNew_config(t *testing.T) {
	c, err := New(Config{Nameservers: []string{"192.0.2.1", "[2001:db8::1]:5353", "ns.example:53"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range c.nameservers {
		got = append(got, s.addr)
	}
	if diff := cmp.Diff([]string{"192.0.2.1:53", "[2001:db8::1]:5353", "ns.example:53"}, got); diff != "" {
		t.Errorf("nameservers (-want +got):\n%s", diff)
	}
	if c.cfg.Timeout != DefaultTimeout || c.cfg.PerServer != DefaultPerServer {
		t.Errorf("defaults not applied: %+v", c.cfg)
	}
	for name, cfg := range map[string]Config{
		"negative timeout": {Nameservers: []string{"192.0.2.1"}, Timeout: -1},
		"empty address":    {Resolvers: []string{""}},
		"empty port":       {Resolvers: []string{"192.0.2.1:"}},
	} {
		if _, err := New(cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: err = %v, want ErrConfig", name, err)
		}
	}
}

func TestAddresses_fromResolverOnce(t *testing.T) {
	z := zoneWith(t, "acme.test", "ns9.acme.test. A 127.0.0.9", "ns6.acme.test. AAAA ::1")
	r := startResolver(t, startServer(t, z))
	c := newChecker(t, Config{Resolvers: []string{r.Addr}})
	memo := map[string]string{}
	hosts := []string{"ns9.acme.test", "ns6.acme.test", "nowhere.acme.test"}
	for range 2 {
		got, warns := c.addresses(context.Background(), memo, hosts, nil)
		want := []server{{name: "ns6.acme.test", addr: "[::1]:53"}, {name: "ns9.acme.test", addr: "127.0.0.9:53"}}
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(server{})); diff != "" {
			t.Errorf("servers (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"Name server nowhere.acme.test has no address that the resolvers know; it was not asked"}, warns); diff != "" {
			t.Errorf("warnings (-want +got):\n%s", diff)
		}
	}
	if got := r.Queries("ns9.acme.test", dns.TypeA); got != 1 {
		t.Errorf("A ns9.acme.test asked %d times, want 1", got)
	}
}
