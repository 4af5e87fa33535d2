package dnscheck

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// errNoMatchingReply is wrapped when only replies with a wrong ID or
// question came back: they may be spoofed or stale, so they are not used.
var errNoMatchingReply = errors.New("no reply matched the query")

type mismatchError struct{ what string }

func (e *mismatchError) Error() string { return "only replies with " + e.what }
func (e *mismatchError) Unwrap() error { return errNoMatchingReply }

// exchangeOnce sends q over network and waits up to one timeout for the
// reply with the same ID and question. Cancelling ctx unblocks it at once.
func (c *Checker) exchangeOnce(ctx context.Context, network, addr string, q *dns.Msg) (*dns.Msg, error) {
	deadline := time.Now().Add(c.cfg.Timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	dctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	var d net.Dialer
	nc, err := d.DialContext(dctx, network, addr)
	if err != nil {
		return nil, err
	}
	defer func() { _ = nc.Close() }() // the exchange is over; a failed close changes nothing
	stop := context.AfterFunc(ctx, func() { _ = nc.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if err := nc.SetDeadline(deadline); err != nil {
		return nil, err
	}
	co := &dns.Conn{Conn: nc, UDPSize: dns.MaxMsgSize}
	if err := co.WriteMsg(q); err != nil {
		return nil, err
	}
	var mismatch string
	for {
		r, err := co.ReadMsg()
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if mismatch != "" && isTimeout(err) {
				return nil, &mismatchError{what: mismatch}
			}
			return nil, err
		}
		switch {
		case r.Id != q.Id:
			mismatch = "a wrong message ID"
		case len(r.Question) != 1 || !strings.EqualFold(r.Question[0].Name, q.Question[0].Name) ||
			r.Question[0].Qtype != q.Question[0].Qtype || r.Question[0].Qclass != q.Question[0].Qclass:
			mismatch = "a wrong question"
		default:
			return r, nil
		}
		if network == "tcp" {
			// A stream carries only our exchange; a wrong reply will not be followed by a right one.
			return nil, &mismatchError{what: mismatch}
		}
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// exchange asks one authoritative server: UDP with EDNS0, TCP at once when
// the reply is truncated, and TCP after two UDP attempts without a reply.
func (c *Checker) exchange(ctx context.Context, addr, name string, qtype uint16) (*dns.Msg, error) {
	release, err := c.acquire(ctx, addr)
	if err != nil {
		return nil, err
	}
	defer release()
	return c.exchangeHeld(ctx, addr, name, qtype)
}

// exchangeHeld is exchange for a caller that holds one of the server's slots.
func (c *Checker) exchangeHeld(ctx context.Context, addr, name string, qtype uint16) (*dns.Msg, error) {
	q := new(dns.Msg)
	q.SetQuestion(dns.Fqdn(name), qtype)
	q.RecursionDesired = false
	q.SetEdns0(EDNSBufferSize, false)
	var udpErr error
	for range 2 {
		q.Id = dns.Id()
		c.queries.Add(1)
		c.udp.Add(1)
		r, err := c.exchangeOnce(ctx, "udp", addr, q)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err == nil {
			if !r.Truncated {
				return r, nil
			}
			udpErr = nil
			break // truncated: TCP at once
		}
		udpErr = err
		if !isTimeout(err) && !errors.Is(err, errNoMatchingReply) {
			break // refused or unreachable: no use asking UDP again
		}
		c.timeouts.Add(1)
	}
	q.Id = dns.Id()
	c.queries.Add(1)
	c.tcp.Add(1)
	r, err := c.exchangeOnce(ctx, "tcp", addr, q)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if isTimeout(err) {
			c.timeouts.Add(1)
		}
		return nil, &unreachableError{udp: udpErr, tcp: err, timeout: c.cfg.Timeout}
	}
	return r, nil
}

// unreachableError says what happened over UDP and over TCP.
type unreachableError struct {
	udp, tcp error
	timeout  time.Duration
}

func (e *unreachableError) Error() string {
	describe := func(err error) string {
		switch {
		case err == nil:
			return "a truncated reply"
		case errors.Is(err, errNoMatchingReply):
			return err.Error()
		case isTimeout(err):
			return "no reply within " + e.timeout.String()
		case errors.Is(err, net.ErrClosed):
			return "connection closed"
		}
		var oe *net.OpError
		if errors.As(err, &oe) && oe.Err != nil {
			return oe.Err.Error()
		}
		return err.Error()
	}
	u, t := describe(e.udp), describe(e.tcp)
	if u == t {
		return u + " over UDP and TCP"
	}
	return u + " over UDP, " + t + " over TCP"
}

func (e *unreachableError) Unwrap() []error { return []error{e.udp, e.tcp} }

// answer is one server's classified answer to one question.
type answer struct {
	state  string
	detail string
	rrs    []dns.RR // records of the asked name and type
	serial uint32
	hasSOA bool
}

// classify reads a reply to name/qtype the way the issue wants: data,
// not-yet (authoritative NXDOMAIN or NODATA), or lame.
func classify(r *dns.Msg, name string, qtype uint16) answer {
	var a answer
	for _, rr := range r.Ns {
		if soa, ok := rr.(*dns.SOA); ok {
			a.serial, a.hasSOA = soa.Serial, true
		}
	}
	if r.Rcode != dns.RcodeSuccess && r.Rcode != dns.RcodeNameError {
		a.state, a.detail = StateLame, "it answered "+dns.RcodeToString[r.Rcode]
		return a
	}
	if !r.Authoritative {
		a.state = StateLame
		a.detail = "its answer was not authoritative (AA bit not set)"
		for _, rr := range r.Ns {
			if ns, ok := rr.(*dns.NS); ok {
				a.detail = fmt.Sprintf("it answered with a referral to %s instead of an authoritative answer", trimDot(ns.Ns))
				break
			}
		}
		return a
	}
	for _, rr := range r.Answer {
		h := rr.Header()
		if h.Rrtype == qtype && strings.EqualFold(trimDot(h.Name), trimDot(name)) {
			a.rrs = append(a.rrs, rr)
		}
	}
	if r.Rcode == dns.RcodeSuccess && len(a.rrs) > 0 {
		a.state = StateData
	} else {
		a.state = StateNotYet
	}
	return a
}

// classifyDKIM reads the reply to the TXT question at a DKIM name (see
// Requirement.Qtype): a CNAME of the name is data (in rrs), and so, when
// there is no CNAME, are TXT records of the name (in txt); records of other
// names, such as an in-zone target a server chased, are ignored. A CNAME
// counts even in an NXDOMAIN reply, which then speaks of the chased target
// (RFC 6604).
func classifyDKIM(r *dns.Msg, name string) recAnswer {
	a := recAnswer{answer: classify(r, name, dns.TypeCNAME)}
	switch {
	case len(a.rrs) > 0:
		if a.state == StateNotYet && r.Rcode == dns.RcodeNameError {
			a.state = StateData
		}
	case a.state == StateNotYet:
		if t := classify(r, name, dns.TypeTXT); t.state == StateData {
			a.state, a.txt = StateData, t.rrs
		}
	}
	return a
}

func trimDot(s string) string { return strings.TrimSuffix(s, ".") }
