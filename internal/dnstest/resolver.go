package dnstest

import (
	"errors"
	"net"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Resolver is a caching recursive resolver on loopback. It answers a query by
// asking its upstream authoritative servers (the first authoritative answer
// wins) and caches the answer: positive ones for their smallest TTL, negative
// ones (NXDOMAIN, NODATA) for the SOA minimum capped by the SOA's TTL, as
// RFC 2308 says. That negative cache is what a verification must never be
// fooled by. Its clock can be moved forward with Advance.
type Resolver struct {
	// Addr is "127.0.0.1:port", the same port for UDP and TCP.
	Addr string

	udp, tcp *dns.Server
	upstream []*Server
	closeOne sync.Once

	mu     sync.Mutex
	offset time.Duration
	cache  map[queryKey]cached
	counts map[queryKey]int
	total  int
}

type cached struct {
	msg     *dns.Msg
	stored  time.Time
	expires time.Time
}

// NewResolver starts a resolver on 127.0.0.1 that asks the upstream servers.
func NewResolver(upstream ...*Server) (*Resolver, error) {
	r := &Resolver{upstream: upstream, cache: map[queryKey]cached{}, counts: map[queryKey]int{}}
	var err error
	r.Addr, r.udp, r.tcp, err = serve("127.0.0.1:0", r.serveDNS)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Close stops the resolver.
func (r *Resolver) Close() error {
	var err error
	r.closeOne.Do(func() { err = errors.Join(r.udp.Shutdown(), r.tcp.Shutdown()) })
	return err
}

// Advance moves the resolver's clock forward, expiring cache entries.
func (r *Resolver) Advance(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.offset += d
}

// Flush empties the cache.
func (r *Resolver) Flush() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cache = map[queryKey]cached{}
}

// Cached reports whether an unexpired answer for name and qtype is cached.
func (r *Resolver) Cached(name string, qtype uint16) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.cache[queryKey{dns.CanonicalName(name), qtype}]
	return ok && r.nowLocked().Before(c.expires)
}

// Queries returns how many queries for name and qtype clients sent.
func (r *Resolver) Queries(name string, qtype uint16) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.counts[queryKey{dns.CanonicalName(name), qtype}]
}

// TotalQueries returns how many queries clients sent.
func (r *Resolver) TotalQueries() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.total
}

func (r *Resolver) nowLocked() time.Time { return time.Now().Add(r.offset) }

func (r *Resolver) serveDNS(w dns.ResponseWriter, req *dns.Msg) {
	_, isTCP := w.RemoteAddr().(*net.TCPAddr)
	q := req.Question[0]
	key := queryKey{dns.CanonicalName(q.Name), q.Qtype}

	r.mu.Lock()
	r.counts[key]++
	r.total++
	c, hit := r.cache[key]
	now := r.nowLocked()
	r.mu.Unlock()

	var up *dns.Msg
	if hit && now.Before(c.expires) {
		up = c.msg.Copy()
		age := uint32(now.Sub(c.stored) / time.Second)
		for _, sec := range [][]dns.RR{up.Answer, up.Ns} {
			for _, rr := range sec {
				rr.Header().Ttl -= min(age, rr.Header().Ttl)
			}
		}
	} else {
		up = r.resolve(key)
		if ttl, ok := cacheTTL(up); ok {
			r.mu.Lock()
			r.cache[key] = cached{msg: up.Copy(), stored: now, expires: now.Add(time.Duration(ttl) * time.Second)}
			r.mu.Unlock()
		}
	}

	m := new(dns.Msg)
	m.SetReply(req)
	m.RecursionAvailable = true
	m.Rcode, m.Answer, m.Ns, m.Extra = up.Rcode, up.Answer, up.Ns, nil
	if opt := req.IsEdns0(); opt != nil {
		m.SetEdns0(opt.UDPSize(), false)
		if !isTCP {
			m.Truncate(int(opt.UDPSize()))
		}
	} else if !isTCP {
		m.Truncate(dns.MinMsgSize)
	}
	_ = w.WriteMsg(m)
}

// resolve asks the upstream servers in turn; SERVFAIL when none answers
// authoritatively.
func (r *Resolver) resolve(key queryKey) *dns.Msg {
	q := new(dns.Msg)
	q.SetQuestion(key.name, key.qtype)
	q.RecursionDesired = false
	q.SetEdns0(dns.DefaultMsgSize, false)
	for _, s := range r.upstream {
		c := &dns.Client{Net: "udp", Timeout: 2 * time.Second}
		in, _, err := c.Exchange(q, s.Addr)
		if err == nil && in.Truncated {
			c.Net = "tcp"
			in, _, err = c.Exchange(q, s.Addr)
		}
		if err != nil || !in.Authoritative || (in.Rcode != dns.RcodeSuccess && in.Rcode != dns.RcodeNameError) {
			continue
		}
		return in
	}
	m := new(dns.Msg)
	m.SetQuestion(key.name, key.qtype)
	m.Rcode = dns.RcodeServerFailure
	return m
}

// cacheTTL returns how long an answer may be cached (RFC 2308 for negative
// answers); false when it must not be cached.
func cacheTTL(m *dns.Msg) (uint32, bool) {
	switch {
	case m.Rcode == dns.RcodeSuccess && len(m.Answer) > 0:
		ttl := m.Answer[0].Header().Ttl
		for _, rr := range m.Answer {
			ttl = min(ttl, rr.Header().Ttl)
		}
		return ttl, true
	case m.Rcode == dns.RcodeSuccess || m.Rcode == dns.RcodeNameError:
		for _, rr := range m.Ns {
			if soa, ok := rr.(*dns.SOA); ok {
				return min(soa.Hdr.Ttl, soa.Minttl), true
			}
		}
	}
	return 0, false
}
