// Package dnscheck decides whether a domain's required DNS records are in
// place by asking the zone's authoritative servers directly, and explains
// exactly what is wrong when they are not.
package dnscheck

import "strings"

import "github.com/miekg/dns"

// Fixed values of the records Vastal requires.
const (
	MXHost      = "mx.vastal.com"
	MXPriority  = 10
	SPFInclude  = "_spf.vastal.com"
	SPFRecord   = "v=spf1 include:_spf.vastal.com ~all"
	DKIM1Target = "vsm1.dkim.vastal.com"
	DKIM2Target = "vsm2.dkim.vastal.com"
	DKIM1Host   = "vsm1._domainkey"
	DKIM2Host   = "vsm2._domainkey"
)

// Record keys, in the order the API lists the records.
const (
	KeyMX    = "mx"
	KeySPF   = "spf"
	KeyDKIM1 = "dkim1"
	KeyDKIM2 = "dkim2"
)

// Keys lists the record keys in the API's order.
var Keys = []string{KeyMX, KeySPF, KeyDKIM1, KeyDKIM2}

// Requirement is one record a domain must publish.
type Requirement struct {
	Key      string // mx, spf, dkim1, dkim2
	Type     string // MX, TXT, CNAME
	Name     string // FQDN, lower case, no trailing dot
	Host     string // "@" or the part left of the domain
	Value    string // what to publish
	Priority int    // MX only
}

// Qtype is the type of the one question a check asks at Name: TXT at a
// DKIM name, MX or TXT at the apex. By RFC 1034 section 4.3.2 an
// authoritative server answers a TXT question at a name that owns a CNAME
// with the CNAME (the target, outside the zone, is not chased), and
// otherwise with the TXT records there or NXDOMAIN/NODATA: one answer tells
// the right CNAME, a wrong one, a TXT published instead, and nothing apart.
func (r Requirement) Qtype() uint16 {
	if r.Type == "CNAME" {
		return dns.TypeTXT
	}
	return dns.StringToType[r.Type]
}

// SplitServers splits a comma-separated list of DNS servers (host:port), as
// the VASTAL_DNS_* variables and the serve flags give them, dropping blanks.
func SplitServers(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Required returns the four records a canonical domain needs, in the API's order.
func Required(domain string) []Requirement {
	return []Requirement{
		{Key: KeyMX, Type: "MX", Name: domain, Host: "@", Value: MXHost, Priority: MXPriority},
		{Key: KeySPF, Type: "TXT", Name: domain, Host: "@", Value: SPFRecord},
		{Key: KeyDKIM1, Type: "CNAME", Name: DKIM1Host + "." + domain, Host: DKIM1Host, Value: DKIM1Target},
		{Key: KeyDKIM2, Type: "CNAME", Name: DKIM2Host + "." + domain, Host: DKIM2Host, Value: DKIM2Target},
	}
}
