package dnscheck

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"

	"github.com/vastal/terraform-provider-vastal/internal/names"
)

// Errors a check returns when it cannot check at all; per-server failures
// are never errors but warnings in the Result.
var (
	// ErrConfig is wrapped by New for an unusable Config.
	ErrConfig = errors.New("invalid DNS check configuration")
	// ErrDiscovery is wrapped when the zone or its name servers cannot be found.
	ErrDiscovery = errors.New("cannot find the authoritative name servers")
)

// Defaults of Config.
const (
	DefaultTimeout   = 2 * time.Second
	DefaultPerServer = 3
	// MaxDiscoveryTTL caps how long discovered name servers are reused.
	MaxDiscoveryTTL = 5 * time.Minute
	// EDNSBufferSize is the UDP payload size advertised (the DNS flag day 2020 value).
	EDNSBufferSize = 1232
)

// Config configures a Checker.
type Config struct {
	// Resolvers are recursive resolvers (host:port; a bare host means port 53)
	// used only for discovery. Empty means the nameservers of /etc/resolv.conf.
	Resolvers []string
	// Nameservers, when set, are asked directly as the domain's authoritative
	// servers (host:port; a bare host means port 53) and discovery is skipped.
	Nameservers []string
	// Timeout is the timeout of one query; DefaultTimeout when zero.
	Timeout time.Duration
	// PerServer bounds the queries in flight per server at once;
	// DefaultPerServer when zero.
	PerServer int
	// AddrOverride, when set and returning non-empty, gives the host:port to
	// use for the name server named host (lower case, no trailing dot)
	// instead of its addresses on port 53. It exists for tests, whose servers
	// all listen on 127.0.0.1 with different ports.
	AddrOverride func(host string) string
}

// Stats counts what a Checker has sent. Every attempt counts once.
type Stats struct {
	Queries         int64 // queries sent to authoritative servers
	UDP             int64 // of which over UDP
	TCP             int64 // of which over TCP
	Timeouts        int64 // attempts that got no usable reply in time
	ResolverQueries int64 // queries sent to recursive resolvers (discovery only)
	Discoveries     int64 // discoveries run (not served from the cache)
}

// Checker checks domains' required records. It is safe for concurrent use.
type Checker struct {
	cfg         Config
	resolvers   []string
	nameservers []server

	mu    sync.Mutex
	sems  map[string]chan struct{}
	zones map[string]*zoneInfo

	queries, udp, tcp, timeouts, resolverQueries, discoveries atomic.Int64
}

// server is one authoritative server: what the user reads and where to ask.
type server struct {
	name string // NS host name without the trailing dot, or the address when configured
	addr string // host:port
}

// label names the server in warnings: "ns1.acme.com (192.0.2.1:53)".
func (s server) label() string {
	if s.name == s.addr {
		return s.addr
	}
	return s.name + " (" + s.addr + ")"
}

// New returns a Checker for cfg.
func New(cfg Config) (*Checker, error) {
	if cfg.Timeout < 0 || cfg.PerServer < 0 {
		return nil, fmt.Errorf("%w: timeout and per-server limit must not be negative", ErrConfig)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.PerServer == 0 {
		cfg.PerServer = DefaultPerServer
	}
	c := &Checker{cfg: cfg, sems: map[string]chan struct{}{}, zones: map[string]*zoneInfo{}}
	for _, a := range cfg.Nameservers {
		addr, err := hostPort(a)
		if err != nil {
			return nil, err
		}
		c.nameservers = append(c.nameservers, server{name: addr, addr: addr})
	}
	for _, a := range cfg.Resolvers {
		addr, err := hostPort(a)
		if err != nil {
			return nil, err
		}
		c.resolvers = append(c.resolvers, addr)
	}
	if len(c.nameservers) == 0 && len(c.resolvers) == 0 {
		rc, err := dns.ClientConfigFromFile("/etc/resolv.conf")
		if err != nil {
			return nil, fmt.Errorf("%w: no resolvers configured and /etc/resolv.conf is unusable: %w", ErrConfig, err)
		}
		for _, s := range rc.Servers {
			c.resolvers = append(c.resolvers, net.JoinHostPort(s, rc.Port))
		}
		if len(c.resolvers) == 0 {
			return nil, fmt.Errorf("%w: no resolvers configured and none in /etc/resolv.conf", ErrConfig)
		}
	}
	return c, nil
}

// hostPort accepts "host:port", "[v6]:port" or a bare host or IP (port 53).
func hostPort(s string) (string, error) {
	if h, p, err := net.SplitHostPort(s); err == nil {
		if h == "" || p == "" {
			return "", fmt.Errorf("%w: %q needs a host and a port", ErrConfig, s)
		}
		return s, nil
	}
	if s == "" {
		return "", fmt.Errorf("%w: empty server address", ErrConfig)
	}
	return net.JoinHostPort(s, "53"), nil
}

// Stats returns the counters so far.
func (c *Checker) Stats() Stats {
	return Stats{
		Queries:         c.queries.Load(),
		UDP:             c.udp.Load(),
		TCP:             c.tcp.Load(),
		Timeouts:        c.timeouts.Load(),
		ResolverQueries: c.resolverQueries.Load(),
		Discoveries:     c.discoveries.Load(),
	}
}

// Check runs one full round: it asks every authoritative server for all four
// required records of domain and judges them. It returns an error only when
// it cannot check at all (an invalid domain, no servers found, a cancelled
// context); servers that fail are warnings in the Result.
func (c *Checker) Check(ctx context.Context, domain string) (*Result, error) {
	return c.Watch(domain).Round(ctx)
}

// canonical returns domain in the API's canonical form.
func canonical(domain string) (string, error) {
	return names.Domain(domain)
}

// acquire takes one of the server's PerServer slots.
func (c *Checker) acquire(ctx context.Context, addr string) (release func(), err error) {
	c.mu.Lock()
	sem, ok := c.sems[addr]
	if !ok {
		sem = make(chan struct{}, c.cfg.PerServer)
		c.sems[addr] = sem
	}
	c.mu.Unlock()
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
