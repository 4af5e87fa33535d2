// Package dnstest provides DNS fixtures on loopback for tests and demos:
// authoritative servers whose zones change while they run (also through
// RFC 2136 UPDATE), fault knobs to make them misbehave, and a caching
// recursive resolver that keeps negative answers as real resolvers do.
package dnstest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/miekg/dns"
)

// ErrOutOfZone is wrapped by Zone.Add when a record's owner is not inside the zone.
var ErrOutOfZone = errors.New("record is outside the zone")

// Defaults of a new zone's SOA. The negative TTL is an hour, as many real
// zones have it, so that a resolver's cached NXDOMAIN/NODATA outlives a test.
const (
	DefaultSerial      = 2024010100
	DefaultNegativeTTL = 3600
	DefaultTTL         = 300
)

// Zone is a mutable authoritative zone: an origin, its records, and an SOA
// whose serial is bumped on every change. It is safe for concurrent use; one
// Zone may be served by several servers (a primary and its secondaries in
// sync) or each server may get its own Zone (a secondary lagging behind).
type Zone struct {
	mu     sync.RWMutex
	origin string // FQDN, lower case, with the trailing dot
	soa    *dns.SOA
	rrs    []dns.RR // everything but the SOA
}

// NewZone returns a zone for origin with an SOA (serial DefaultSerial,
// negative TTL DefaultNegativeTTL), an NS record ns1.<origin> and its A record
// 127.0.0.1.
func NewZone(origin string) *Zone {
	o := dns.CanonicalName(origin)
	z := &Zone{origin: o}
	z.soa = &dns.SOA{
		Hdr:     dns.RR_Header{Name: o, Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: DefaultNegativeTTL},
		Ns:      "ns1." + o,
		Mbox:    "hostmaster." + o,
		Serial:  DefaultSerial,
		Refresh: 3600,
		Retry:   600,
		Expire:  86400,
		Minttl:  DefaultNegativeTTL,
	}
	z.rrs = []dns.RR{
		&dns.NS{Hdr: dns.RR_Header{Name: o, Rrtype: dns.TypeNS, Class: dns.ClassINET, Ttl: DefaultTTL}, Ns: "ns1." + o},
		&dns.A{Hdr: dns.RR_Header{Name: "ns1." + o, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: DefaultTTL}, A: []byte{127, 0, 0, 1}},
	}
	return z
}

// Origin returns the zone's origin as an FQDN in lower case.
func (z *Zone) Origin() string { return z.origin }

// Serial returns the SOA serial.
func (z *Zone) Serial() uint32 {
	z.mu.RLock()
	defer z.mu.RUnlock()
	return z.soa.Serial
}

// SetSerial sets the SOA serial, e.g. to give a lagging secondary an older one.
func (z *Zone) SetSerial(serial uint32) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.soa.Serial = serial
}

// SetNegativeTTL sets the SOA minimum, which resolvers use as the TTL of
// negative answers (RFC 2308).
func (z *Zone) SetNegativeTTL(ttl uint32) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.soa.Minttl = ttl
	z.soa.Serial++
}

// Add parses records in presentation format and adds them, bumping the serial
// once. Relative owner names are relative to the origin, and a missing TTL
// is DefaultTTL: "acme.test. 60 IN MX 10 mx.vastal.com." or "@ MX 10 mx.vastal.com.".
// An SOA replaces the zone's SOA. Exact duplicates are ignored.
func (z *Zone) Add(rrs ...string) error {
	var parsed []dns.RR
	for _, s := range rrs {
		zp := dns.NewZoneParser(strings.NewReader(s+"\n"), z.origin, "")
		zp.SetDefaultTTL(DefaultTTL)
		n := 0
		for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
			n++
			if !dns.IsSubDomain(z.origin, dns.CanonicalName(rr.Header().Name)) {
				return fmt.Errorf("%w: %q is not under %s", ErrOutOfZone, s, z.origin)
			}
			parsed = append(parsed, rr)
		}
		if err := zp.Err(); err != nil {
			return fmt.Errorf("parse %q: %w", s, err)
		}
		if n == 0 {
			return fmt.Errorf("parse %q: no record", s)
		}
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	for _, rr := range parsed {
		z.addLocked(rr)
	}
	z.soa.Serial++
	return nil
}

// MustAdd is Add that panics on error, for fixtures written as literals.
func (z *Zone) MustAdd(rrs ...string) *Zone {
	if err := z.Add(rrs...); err != nil {
		panic(err)
	}
	return z
}

func (z *Zone) addLocked(rr dns.RR) {
	if soa, ok := rr.(*dns.SOA); ok {
		if dns.CanonicalName(soa.Hdr.Name) == z.origin {
			cp := *soa // a copy: SOA holds only values
			z.soa = &cp
		}
		return
	}
	for _, have := range z.rrs {
		if dns.IsDuplicate(have, rr) {
			return
		}
	}
	z.rrs = append(z.rrs, dns.Copy(rr))
}

// Remove deletes the RRset of name and type (every type when rrtype is
// dns.TypeANY), bumping the serial. The SOA is never removed. Relative names
// are relative to the origin.
func (z *Zone) Remove(name string, rrtype uint16) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.removeLocked(z.abs(name), rrtype, nil)
	z.soa.Serial++
}

// abs makes a name absolute and lower case.
func (z *Zone) abs(name string) string {
	if name == "@" || name == "" {
		return z.origin
	}
	if !dns.IsFqdn(name) {
		name = name + "." + z.origin
	}
	return dns.CanonicalName(name)
}

// removeLocked deletes the records of owner and type that match rr's data
// (all of them when rr is nil).
func (z *Zone) removeLocked(owner string, rrtype uint16, rr dns.RR) {
	z.rrs = slices.DeleteFunc(z.rrs, func(have dns.RR) bool {
		h := have.Header()
		if dns.CanonicalName(h.Name) != owner || (rrtype != dns.TypeANY && h.Rrtype != rrtype) {
			return false
		}
		if rr == nil {
			return true
		}
		c := dns.Copy(rr)
		c.Header().Class = h.Class
		return dns.IsDuplicate(have, c)
	})
}

// Records returns a copy of the zone's records, the SOA first.
func (z *Zone) Records() []dns.RR {
	z.mu.RLock()
	defer z.mu.RUnlock()
	out := []dns.RR{dns.Copy(z.soa)}
	for _, rr := range z.rrs {
		out = append(out, dns.Copy(rr))
	}
	return out
}

// answer is what a zone says about a question.
type answer struct {
	rcode         int
	authoritative bool
	ans, ns       []dns.RR
	extra         []dns.RR
}

// lookup answers qname/qtype from the zone: data, the CNAME when qname owns
// one and another type is asked, a referral below a delegation cut (with
// glue), or NXDOMAIN/NODATA with the SOA. Answers are authoritative (AA set)
// except referrals.
func (z *Zone) lookup(qname string, qtype uint16) answer {
	z.mu.RLock()
	defer z.mu.RUnlock()
	qname = dns.CanonicalName(qname)

	// A delegation cut between the origin and qname (inclusive) makes this a
	// referral, except for DS which the parent answers itself.
	if cut := z.cutLocked(qname); cut != "" && (cut != qname || qtype != dns.TypeDS) {
		a := answer{rcode: dns.RcodeSuccess}
		for _, rr := range z.rrs {
			if dns.CanonicalName(rr.Header().Name) == cut && rr.Header().Rrtype == dns.TypeNS {
				a.ns = append(a.ns, dns.Copy(rr))
				if ns, ok := rr.(*dns.NS); ok {
					a.extra = append(a.extra, z.addrsLocked(ns.Ns)...)
				}
			}
		}
		return a
	}

	a := answer{rcode: dns.RcodeSuccess, authoritative: true}
	exists := qname == z.origin
	var cname dns.RR
	for _, rr := range z.rrs {
		h := rr.Header()
		owner := dns.CanonicalName(h.Name)
		if owner != qname {
			if !exists && dns.IsSubDomain(qname, owner) {
				exists = true // an empty non-terminal
			}
			continue
		}
		exists = true
		switch {
		case h.Rrtype == qtype || qtype == dns.TypeANY:
			a.ans = append(a.ans, dns.Copy(rr))
		case h.Rrtype == dns.TypeCNAME:
			cname = rr
		}
	}
	if qname == z.origin && (qtype == dns.TypeSOA || qtype == dns.TypeANY) {
		a.ans = append([]dns.RR{dns.Copy(z.soa)}, a.ans...)
	}
	// RFC 1034 section 4.3.2 step 3a: at a CNAME owner, any other question
	// is answered with the CNAME (a name with a CNAME holds no other data).
	// The target is not chased; it is usually outside the zone anyway.
	if cname != nil {
		a.ans = []dns.RR{dns.Copy(cname)}
	}
	if len(a.ans) == 0 {
		if !exists {
			a.rcode = dns.RcodeNameError
		}
		soa := *z.soa // a copy: SOA holds only values
		soa.Hdr.Ttl = min(soa.Hdr.Ttl, soa.Minttl)
		a.ns = []dns.RR{&soa}
	}
	return a
}

// cutLocked returns the highest delegation point at or above qname and
// below the origin, or "".
func (z *Zone) cutLocked(qname string) string {
	cut := ""
	for _, rr := range z.rrs {
		h := rr.Header()
		if h.Rrtype != dns.TypeNS {
			continue
		}
		owner := dns.CanonicalName(h.Name)
		if owner == z.origin || !dns.IsSubDomain(owner, qname) {
			continue
		}
		if cut == "" || dns.CountLabel(owner) < dns.CountLabel(cut) {
			cut = owner
		}
	}
	return cut
}

// addrsLocked returns the A and AAAA records of host held in this zone (glue).
func (z *Zone) addrsLocked(host string) []dns.RR {
	host = dns.CanonicalName(host)
	var out []dns.RR
	for _, rr := range z.rrs {
		h := rr.Header()
		if dns.CanonicalName(h.Name) == host && (h.Rrtype == dns.TypeA || h.Rrtype == dns.TypeAAAA) {
			out = append(out, dns.Copy(rr))
		}
	}
	return out
}

// update applies the update section of an RFC 2136 message (section 3.4.2)
// and bumps the serial once. It returns an rcode.
func (z *Zone) update(upd []dns.RR) int {
	z.mu.Lock()
	defer z.mu.Unlock()
	// Prescan (RFC 2136 3.4.2.2): reject the whole message on any bad RR.
	for _, rr := range upd {
		h := rr.Header()
		if !dns.IsSubDomain(z.origin, dns.CanonicalName(h.Name)) {
			return dns.RcodeNotZone
		}
		switch h.Class {
		case dns.ClassINET:
			if h.Rrtype == dns.TypeANY {
				return dns.RcodeFormatError
			}
		case dns.ClassANY:
			if h.Ttl != 0 || h.Rdlength != 0 {
				return dns.RcodeFormatError
			}
		case dns.ClassNONE:
			if h.Ttl != 0 || h.Rrtype == dns.TypeANY {
				return dns.RcodeFormatError
			}
		default:
			return dns.RcodeFormatError
		}
	}
	for _, rr := range upd {
		h := rr.Header()
		owner := dns.CanonicalName(h.Name)
		switch h.Class {
		case dns.ClassINET:
			z.addLocked(rr)
		case dns.ClassANY:
			if h.Rrtype == dns.TypeSOA {
				continue
			}
			z.removeLocked(owner, h.Rrtype, nil)
		case dns.ClassNONE:
			if h.Rrtype == dns.TypeSOA {
				continue
			}
			z.removeLocked(owner, h.Rrtype, rr)
		}
	}
	z.soa.Serial++
	return dns.RcodeSuccess
}
