package dnstest

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// ErrNotLoopback is wrapped by ListenServer when asked to listen anywhere but loopback.
var ErrNotLoopback = errors.New("not a loopback address")

// Faults make a server misbehave. The zero value is a well-behaved server.
type Faults struct {
	Drop          bool          // never answer (a blackhole), over UDP and TCP
	Refuse        bool          // answer REFUSED
	ServFail      bool          // answer SERVFAIL
	Truncate      bool          // set TC with an empty answer on every UDP reply
	Delay         time.Duration // wait this long before answering
	NotAuth       bool          // answer with the data but AA=0
	WrongID       bool          // answer with another message ID
	WrongQuestion bool          // answer with another question name
}

// Server is an authoritative DNS server on loopback serving zones over UDP
// and TCP on the same port.
type Server struct {
	// Addr is "127.0.0.1:port", the same port for UDP and TCP.
	Addr string

	udp, tcp *dns.Server
	done     chan struct{}
	closeOne sync.Once

	mu     sync.Mutex
	zones  []*Zone
	faults Faults
	counts map[queryKey]int
	tcpN   map[queryKey]int
	total  int
}

type queryKey struct {
	name  string
	qtype uint16
}

// NewServer starts a server for zones on 127.0.0.1 with a free port.
func NewServer(zones ...*Zone) (*Server, error) {
	return ListenServer("127.0.0.1:0", zones...)
}

// ListenServer starts a server for zones on addr, which must be a loopback
// address (port 0 picks a free port, the same for UDP and TCP).
func ListenServer(addr string, zones ...*Zone) (*Server, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("listen address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("listen address %q: %w", addr, ErrNotLoopback)
	}
	if host == "localhost" {
		host = "127.0.0.1"
	}
	s := &Server{
		zones:  zones,
		done:   make(chan struct{}),
		counts: map[queryKey]int{},
		tcpN:   map[queryKey]int{},
	}
	s.Addr, s.udp, s.tcp, err = serve(net.JoinHostPort(host, port), s.serveDNS)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// serve starts UDP and TCP DNS servers for h on the same loopback port.
func serve(addr string, h dns.HandlerFunc) (string, *dns.Server, *dns.Server, error) {
	var pc net.PacketConn
	var ln net.Listener
	var err error
	_, port, _ := net.SplitHostPort(addr)
	// A port free for TCP may be taken for UDP; try a few.
	for attempt := 0; ; attempt++ {
		ln, err = net.Listen("tcp", addr)
		if err != nil {
			return "", nil, nil, fmt.Errorf("listen tcp %s: %w", addr, err)
		}
		pc, err = net.ListenPacket("udp", ln.Addr().String())
		if err == nil {
			break
		}
		if cerr := ln.Close(); cerr != nil {
			return "", nil, nil, fmt.Errorf("close tcp %s: %w", ln.Addr(), cerr)
		}
		if port != "0" || attempt == 10 {
			return "", nil, nil, fmt.Errorf("listen udp %s: %w", addr, err)
		}
	}
	udp := &dns.Server{PacketConn: pc, Handler: h, MsgAcceptFunc: acceptQueriesAndUpdates, UDPSize: dns.MaxMsgSize}
	tcp := &dns.Server{Listener: ln, Handler: h, MsgAcceptFunc: acceptQueriesAndUpdates}
	for _, srv := range []*dns.Server{udp, tcp} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go srv.ActivateAndServe() //nolint:errcheck // ends with Shutdown
		<-started
	}
	return ln.Addr().String(), udp, tcp, nil
}

// acceptQueriesAndUpdates is miekg's default filter, but lets RFC 2136
// UPDATE messages through (their sections hold many records).
func acceptQueriesAndUpdates(dh dns.Header) dns.MsgAcceptAction {
	if dh.Bits&(1<<15) != 0 { // a response
		return dns.MsgIgnore
	}
	switch int(dh.Bits>>11) & 0xF {
	case dns.OpcodeUpdate:
		if dh.Qdcount != 1 {
			return dns.MsgReject
		}
		return dns.MsgAccept
	case dns.OpcodeQuery, dns.OpcodeNotify:
		return dns.DefaultMsgAcceptFunc(dh)
	}
	return dns.MsgRejectNotImplemented
}

// Close stops the server and waits for its handlers to return.
func (s *Server) Close() error {
	var err error
	s.closeOne.Do(func() {
		close(s.done)
		err = errors.Join(s.udp.Shutdown(), s.tcp.Shutdown())
	})
	return err
}

// SetFaults replaces the server's fault knobs.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

// Faults returns the server's fault knobs.
func (s *Server) Faults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// AddZone starts serving another zone.
func (s *Server) AddZone(z *Zone) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.zones = append(s.zones, z)
}

// Queries returns how many queries for name and qtype the server received
// (over UDP and TCP; name case and trailing dot do not matter).
func (s *Server) Queries(name string, qtype uint16) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[queryKey{dns.CanonicalName(name), qtype}]
}

// TCPQueries returns how many queries for name and qtype came over TCP.
func (s *Server) TCPQueries(name string, qtype uint16) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tcpN[queryKey{dns.CanonicalName(name), qtype}]
}

// TotalQueries returns how many messages the server received.
func (s *Server) TotalQueries() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// zoneFor returns the zone with the longest origin holding name.
func (s *Server) zoneFor(name string) *Zone {
	var best *Zone
	for _, z := range s.zones {
		if dns.IsSubDomain(z.origin, name) && (best == nil || dns.CountLabel(z.origin) > dns.CountLabel(best.origin)) {
			best = z
		}
	}
	return best
}

func (s *Server) serveDNS(w dns.ResponseWriter, req *dns.Msg) {
	_, isTCP := w.RemoteAddr().(*net.TCPAddr)
	q := req.Question[0]
	qname := dns.CanonicalName(q.Name)

	s.mu.Lock()
	key := queryKey{qname, q.Qtype}
	s.counts[key]++
	if isTCP {
		s.tcpN[key]++
	}
	s.total++
	f := s.faults
	z := s.zoneFor(qname)
	s.mu.Unlock()

	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-s.done:
			t.Stop()
			return
		}
	}
	if f.Drop {
		return
	}

	m := new(dns.Msg)
	m.SetReply(req)
	switch {
	case f.Refuse:
		m.Rcode = dns.RcodeRefused
	case f.ServFail:
		m.Rcode = dns.RcodeServerFailure
	case req.Opcode == dns.OpcodeUpdate:
		s.update(m, req, z)
	case req.Opcode != dns.OpcodeQuery:
		m.Rcode = dns.RcodeNotImplemented
	case z == nil:
		m.Rcode = dns.RcodeRefused
	default:
		a := z.lookup(qname, q.Qtype)
		m.Rcode, m.Authoritative = a.rcode, a.authoritative
		m.Answer, m.Ns, m.Extra = a.ans, a.ns, a.extra
		if f.NotAuth {
			m.Authoritative = false
		}
	}
	if opt := req.IsEdns0(); opt != nil {
		m.SetEdns0(opt.UDPSize(), false)
	}
	if !isTCP {
		switch {
		case f.Truncate:
			m.Answer, m.Ns, m.Extra = nil, nil, nil
			m.Truncated = true
		case req.IsEdns0() != nil:
			m.Truncate(int(req.IsEdns0().UDPSize()))
		default:
			m.Truncate(dns.MinMsgSize)
		}
	}
	if f.WrongID {
		m.Id++
	}
	if f.WrongQuestion {
		m.Question[0].Name = "wrong." + m.Question[0].Name
	}
	_ = w.WriteMsg(m)
}

// update serves an RFC 2136 UPDATE: the zone section names the zone,
// prerequisites are not supported (NOTIMP), the update section is applied.
func (s *Server) update(m, req *dns.Msg, z *Zone) {
	zone := dns.CanonicalName(req.Question[0].Name)
	switch {
	case z == nil || z.origin != zone || req.Question[0].Qtype != dns.TypeSOA:
		m.Rcode = dns.RcodeNotAuth
	case len(req.Answer) > 0:
		m.Rcode = dns.RcodeNotImplemented
	default:
		m.Rcode = z.update(req.Ns)
	}
}

// String returns the server's address.
func (s *Server) String() string { return s.Addr }

// Port returns the server's port as a string.
func (s *Server) Port() string {
	_, p, _ := net.SplitHostPort(s.Addr)
	return p
}
