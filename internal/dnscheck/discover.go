package dnscheck

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// zoneInfo is what discovery found: the zone holding a domain and its
// authoritative servers.
type zoneInfo struct {
	zone     string // no trailing dot
	servers  []server
	warnings []string
	expires  time.Time
}

// maxReferrals bounds the walk down the tree.
const maxReferrals = 16

// walkServers is how many servers of a zone on the way down are given
// addresses; the domain's own zone gets all of its servers.
const walkServers = 3

// zoneOf returns the zone and servers to ask about domain: the configured
// Nameservers, or the result of discovery, cached for at most its TTL.
func (c *Checker) zoneOf(ctx context.Context, domain string) (*zoneInfo, error) {
	if len(c.nameservers) > 0 {
		return &zoneInfo{zone: domain, servers: c.nameservers}, nil
	}
	c.mu.Lock()
	zi, ok := c.zones[domain]
	c.mu.Unlock()
	if ok && time.Now().Before(zi.expires) {
		return zi, nil
	}
	zi, err := c.discover(ctx, domain)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.zones[domain] = zi
	c.mu.Unlock()
	return zi, nil
}

// discover finds domain's zone and its authoritative servers. It asks the
// recursive resolvers only about names that exist before any record is
// added (the NS set of an ancestor, the servers' addresses) and walks down
// from there with RD=0, following referrals, until a server answers
// authoritatively for the domain: with its NS set, or with NXDOMAIN/NODATA
// whose SOA names the zone.
func (c *Checker) discover(ctx context.Context, domain string) (*zoneInfo, error) {
	c.discoveries.Add(1)
	zi := &zoneInfo{}
	memo := map[string]string{}
	ttl := uint32(MaxDiscoveryTTL / time.Second)
	fail := func(format string, args ...any) (*zoneInfo, error) {
		return nil, fmt.Errorf("%w for %s: %s", ErrDiscovery, domain, fmt.Sprintf(format, args...))
	}

	// 1. The highest ancestor (a TLD, usually) whose NS set the resolvers know.
	labels := dns.SplitDomainName(domain)
	var hosts []string
	var glue []dns.RR
	var lastErr error
	for i := len(labels) - 1; i >= 0 && len(hosts) == 0; i-- {
		name := strings.Join(labels[i:], ".")
		r, err := c.resolve(ctx, name, dns.TypeNS)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			lastErr = err
			continue
		}
		hosts, ttl = nsHosts(r.Answer, name, ttl)
		glue = r.Extra
		zi.zone = name
	}
	if len(hosts) == 0 {
		if lastErr != nil {
			return fail("no resolver knows the name servers of any of its parent zones (%v)", lastErr)
		}
		return fail("no resolver knows the name servers of any of its parent zones")
	}
	// Walking down needs only a few servers of each zone on the way; asking
	// the addresses of all thirteen of a TLD would be wasted queries.
	servers, _ := c.addresses(ctx, memo, hosts[:min(len(hosts), walkServers)], glue)

	// 2. Walk down without recursion.
	authNS := false
	for hop := 0; ; hop++ {
		if hop == maxReferrals {
			return fail("more than %d referrals", maxReferrals)
		}
		r, err := c.askAny(ctx, servers, domain, dns.TypeNS)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return fail("no name server of %s answered: %v", zi.zone, err)
		}
		if r.Authoritative {
			if hs, t := nsHosts(r.Answer, domain, ttl); len(hs) > 0 {
				zi.zone, hosts, ttl, authNS = domain, hs, t, true
				var warns []string
				servers, warns = c.addresses(ctx, memo, hosts, r.Extra)
				zi.warnings = append(zi.warnings, warns...)
				break
			}
			for _, rr := range r.Ns {
				if soa, ok := rr.(*dns.SOA); ok {
					zi.zone = strings.ToLower(trimDot(soa.Hdr.Name))
					ttl = min(ttl, soa.Hdr.Ttl)
				}
			}
			break
		}
		cut := ""
		for _, rr := range r.Ns {
			if ns, ok := rr.(*dns.NS); ok {
				cut = strings.ToLower(trimDot(ns.Hdr.Name))
				break
			}
		}
		if cut == "" || cut == zi.zone || !dns.IsSubDomain(cut, domain) || !dns.IsSubDomain(zi.zone, cut) {
			return fail("a name server of %s answered neither authoritatively nor with a referral towards it", zi.zone)
		}
		hs, t := nsHosts(r.Ns, cut, ttl)
		zi.zone, hosts, ttl = cut, hs, t
		servers, _ = c.addresses(ctx, memo, hosts, r.Extra)
		if len(servers) == 0 {
			return fail("none of the name servers of %s has an address", cut)
		}
	}

	// 3. The zone's own NS set, when the walk ended on a name below its apex.
	if !authNS {
		r, err := c.askAny(ctx, servers, zi.zone, dns.TypeNS)
		if err == nil && r.Authoritative {
			if hs, t := nsHosts(r.Answer, zi.zone, ttl); len(hs) > 0 {
				var warns []string
				ttl = t
				servers, warns = c.addresses(ctx, memo, hs, r.Extra)
				zi.warnings = append(zi.warnings, warns...)
			}
		}
	}
	if len(servers) == 0 {
		return fail("none of the name servers of %s has an address", zi.zone)
	}
	zi.servers = servers
	zi.expires = time.Now().Add(min(time.Duration(ttl)*time.Second, MaxDiscoveryTTL))
	return zi, nil
}

// nsHosts returns the NS targets at owner, sorted, and the smaller of ttl and their TTLs.
func nsHosts(rrs []dns.RR, owner string, ttl uint32) ([]string, uint32) {
	var hosts []string
	for _, rr := range rrs {
		if ns, ok := rr.(*dns.NS); ok && strings.EqualFold(trimDot(ns.Hdr.Name), trimDot(owner)) {
			h := strings.ToLower(trimDot(ns.Ns))
			if !slices.Contains(hosts, h) {
				hosts = append(hosts, h)
			}
			ttl = min(ttl, ns.Hdr.Ttl)
		}
	}
	slices.Sort(hosts)
	return hosts, ttl
}

// addresses finds where to ask each name server: AddrOverride, else glue,
// else its A (or, lacking one, AAAA) records from the resolvers, port 53.
// memo holds the addresses found so far in one discovery, so that a host
// met twice (in a referral, then in the zone's own NS set) is looked up once.
func (c *Checker) addresses(ctx context.Context, memo map[string]string, hosts []string, glue []dns.RR) ([]server, []string) {
	var out []server
	var warns []string
	for _, h := range hosts {
		if c.cfg.AddrOverride != nil {
			if a := c.cfg.AddrOverride(h); a != "" {
				out = append(out, server{name: h, addr: a})
				continue
			}
		}
		ip := glueIP(glue, h)
		if ip == "" {
			var ok bool
			if ip, ok = memo[h]; !ok {
				ip = c.resolveIP(ctx, h)
				memo[h] = ip
			}
		}
		if ip == "" {
			warns = append(warns, fmt.Sprintf("Name server %s has no address that the resolvers know; it was not asked", h))
			continue
		}
		out = append(out, server{name: h, addr: net.JoinHostPort(ip, "53")})
	}
	slices.SortFunc(out, func(a, b server) int { return cmp.Compare(a.name, b.name) })
	return out, warns
}

func glueIP(glue []dns.RR, host string) string {
	var v6 string
	for _, rr := range glue {
		if !strings.EqualFold(trimDot(rr.Header().Name), host) {
			continue
		}
		switch rr := rr.(type) {
		case *dns.A:
			return rr.A.String()
		case *dns.AAAA:
			if v6 == "" {
				v6 = rr.AAAA.String()
			}
		}
	}
	return v6
}

func (c *Checker) resolveIP(ctx context.Context, host string) string {
	for _, qt := range []uint16{dns.TypeA, dns.TypeAAAA} {
		r, err := c.resolve(ctx, host, qt)
		if err != nil {
			continue
		}
		for _, rr := range r.Answer {
			switch rr := rr.(type) {
			case *dns.A:
				return rr.A.String()
			case *dns.AAAA:
				return rr.AAAA.String()
			}
		}
	}
	return ""
}

// resolve asks the recursive resolvers in turn (RD=1) and returns the first
// positive answer. Only discovery calls it, and never for the names whose
// records are being checked.
func (c *Checker) resolve(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	var errs []error
	for _, addr := range c.resolvers {
		q := new(dns.Msg)
		q.SetQuestion(dns.Fqdn(name), qtype)
		q.SetEdns0(EDNSBufferSize, false)
		c.resolverQueries.Add(1)
		r, err := c.exchangeOnce(ctx, "udp", addr, q)
		if err == nil && r.Truncated {
			q.Id = dns.Id()
			c.resolverQueries.Add(1)
			r, err = c.exchangeOnce(ctx, "tcp", addr, q)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("resolver %s: %w", addr, err))
		case r.Rcode != dns.RcodeSuccess:
			errs = append(errs, fmt.Errorf("resolver %s: %s for %s %s", addr, dns.RcodeToString[r.Rcode], name, dns.TypeToString[qtype]))
		case len(r.Answer) == 0:
			errs = append(errs, fmt.Errorf("resolver %s: no %s record for %s", addr, dns.TypeToString[qtype], name))
		default:
			return r, nil
		}
	}
	return nil, errors.Join(errs...)
}

// askAny asks the servers in turn and returns the first usable reply
// (neither an error nor REFUSED/SERVFAIL).
func (c *Checker) askAny(ctx context.Context, servers []server, name string, qtype uint16) (*dns.Msg, error) {
	var errs []error
	for _, s := range servers {
		r, err := c.exchange(ctx, s.addr, name, qtype)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("%s: %w", s.label(), err))
		case r.Rcode != dns.RcodeSuccess && r.Rcode != dns.RcodeNameError:
			errs = append(errs, fmt.Errorf("%s: %s", s.label(), dns.RcodeToString[r.Rcode]))
		default:
			return r, nil
		}
	}
	if len(errs) == 0 {
		return nil, errors.New("no server to ask")
	}
	return nil, errors.Join(errs...)
}
