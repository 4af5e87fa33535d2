package dnscheck

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/miekg/dns"

	"github.com/vastal/terraform-provider-vastal/internal/names"
	"github.com/vastal/terraform-provider-vastal/internal/spf"
)

// MX is one MX record as the judge reads it.
type MX struct {
	Preference uint16
	Host       string // lower case, no trailing dot
}

// String is the presentation form used in Found: "10 mx.vastal.com".
func (m MX) String() string { return strconv.Itoa(int(m.Preference)) + " " + m.Host }

// JudgeMX judges the MX records found at domain's apex by one server. It
// returns "" when they pass: an MX for mx.vastal.com that no other host
// out-ranks (a lower preference number); equal preferences share the mail.
func JudgeMX(domain string, found []MX) string {
	if len(found) == 0 {
		return "MX record not found"
	}
	ours := -1
	var others []MX
	for _, m := range found {
		if names.Equal(m.Host, MXHost) {
			if ours < 0 || int(m.Preference) < ours {
				ours = int(m.Preference)
			}
			continue
		}
		others = append(others, m)
	}
	slices.SortFunc(others, func(a, b MX) int {
		return cmp.Or(cmp.Compare(a.Preference, b.Preference), cmp.Compare(a.Host, b.Host))
	})
	if ours < 0 {
		blocking := 0
		for _, m := range others {
			if m.Preference <= MXPriority {
				blocking++
			}
		}
		advice := ""
		if blocking > 0 {
			advice = pick(len(others), " and remove the other one or give it a preference number", " and remove the others or give them preference numbers") +
				fmt.Sprintf(" above %d", MXPriority)
		}
		return fmt.Sprintf("MX at %s points to %s, not to %s; add the MX record \"%d %s\"%s",
			domain, listMX(others), MXHost, MXPriority, MXHost, advice)
	}
	var above []MX
	for _, m := range others {
		if int(m.Preference) < ours {
			above = append(above, m)
		}
	}
	switch len(above) {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf("MX host %s takes precedence over %s (preference %d) at %s; remove it or give it a preference number above %d",
			listMX(above), MXHost, ours, domain, ours)
	default:
		return fmt.Sprintf("MX hosts %s take precedence over %s (preference %d) at %s; remove them or give them preference numbers above %d",
			listMX(above), MXHost, ours, domain, ours)
	}
}

func listMX(ms []MX) string {
	s := make([]string, len(ms))
	for i, m := range ms {
		s[i] = fmt.Sprintf("%s (preference %d)", m.Host, m.Preference)
	}
	return joinAnd(s)
}

// JudgeSPF judges the TXT records found at domain's apex by one server, each
// already joined and unescaped. It returns "" when exactly one is an SPF
// record and it has include:_spf.vastal.com, without a qualifier or with
// "+", before any "all".
func JudgeSPF(domain string, txts []string) string {
	var records []string
	for _, t := range txts {
		if spf.IsSPF(t) {
			records = append(records, t)
		}
	}
	switch len(records) {
	case 0:
		return "SPF record not found"
	case 1:
	default:
		issue := fmt.Sprintf("Found %d SPF records at %s (%s); only one is allowed: merge them into one",
			len(records), domain, joinAnd(quoteAll(records)))
		if m := MergeSPF(records); m != "" {
			issue += fmt.Sprintf(", e.g. %q", m)
		}
		return issue
	}
	txt := records[0]
	rec, err := spf.Parse(txt)
	if err != nil {
		return fmt.Sprintf("The SPF record at %s (%q) is not valid: %s; fix it, e.g. %q", domain, txt, spfErr(err), SPFRecord)
	}
	include := "include:" + SPFInclude
	i, q, afterAll := rec.IncludePosition(SPFInclude)
	switch {
	case i < 0:
		return fmt.Sprintf("The SPF record at %s (%q) does not include %s; add %q to it, e.g. %q",
			domain, txt, SPFInclude, include, withInclude(rec))
	case q != 0 && q != '+':
		return fmt.Sprintf("The SPF record at %s (%q) has %q: the %q qualifier gives mail from Vastal's servers a %s instead of a pass; write it as %q, e.g. %q",
			domain, txt, rec.Terms[i].Raw, string(q), qualifierResult(q), include, withInclude(rec))
	case afterAll:
		all := rec.Terms[rec.AllIndex()].Raw
		return fmt.Sprintf("The SPF record at %s (%q) has %s after %q, where it is never reached; move it before %q, e.g. %q",
			domain, txt, include, all, all, withInclude(rec))
	}
	return ""
}

func spfErr(err error) string {
	var se *spf.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("at character %d, %s", se.Pos+1, se.Msg)
	}
	return err.Error()
}

func qualifierResult(q byte) string {
	switch q {
	case '-':
		return "fail"
	case '~':
		return "softfail"
	default:
		return "neutral result"
	}
}

// withInclude renders rec fixed by spf.Merge: include:_spf.vastal.com
// evaluated, with a pass, before the first all.
func withInclude(rec *spf.Record) string {
	m, err := spf.Merge(rec, SPFInclude)
	if err != nil {
		return SPFRecord
	}
	return m.String()
}

// MergeSPF suggests one SPF record in place of several published at one
// name, with include:_spf.vastal.com in it (spf.MergeAll, then spf.Merge).
// When the records' all mechanisms disagree it proposes "~all"; it returns
// "" when no record parses or the records cannot be merged mechanically
// (conflicting redirects).
func MergeSPF(records []string) string {
	var recs []*spf.Record
	for _, txt := range records {
		if r, err := spf.Parse(txt); err == nil {
			recs = append(recs, r)
		}
	}
	if len(recs) == 0 {
		return ""
	}
	merged, err := spf.MergeAll(recs, 0)
	if err != nil {
		if merged, err = spf.MergeAll(recs, '~'); err != nil {
			return ""
		}
	}
	return withInclude(merged)
}

// JudgeDKIM judges what one server has at a DKIM name (vsm1._domainkey.<domain>):
// the CNAME target, if any, and otherwise the TXT records there. host is
// DKIM1Host or DKIM2Host and target the CNAME target it must have.
func JudgeDKIM(domain, host, target, cname string, txts []string) string {
	fqdn := host + "." + domain
	switch {
	case cname != "" && names.Equal(cname, target):
		return ""
	case cname != "":
		return fmt.Sprintf("DKIM %s is a CNAME to %s; it must point to %s: change its target", fqdn, strings.ToLower(trimDot(cname)), target)
	case len(txts) > 0:
		return fmt.Sprintf("DKIM %s is published as a TXT record; it must be a CNAME to %s (DKIM uses CNAME records, not TXT)", fqdn, target)
	}
	return "DKIM CNAME " + host + " not found"
}

// laggingIssue says that some servers serve a different version of a record
// than others, naming them and their SOA serials.
func laggingIssue(what, zone string, behind, ahead []ServerAnswer) string {
	newer := true
	for _, b := range behind {
		for _, a := range ahead {
			if b.Serial == 0 || a.Serial == 0 || b.Serial <= a.Serial {
				newer = false
			}
		}
	}
	if newer {
		return fmt.Sprintf("The name servers of %s disagree on the %s: %s no longer %s the record that %s still %s; publish it again on the primary",
			zone, what, withSerials(behind), pick(len(behind), "serves", "serve"), withSerials(ahead), pick(len(ahead), "serves", "serve"))
	}
	return fmt.Sprintf("The name servers of %s disagree on the %s: %s %s not yet got the record that %s %s; wait for the zone to reach every name server, or check its zone transfers",
		zone, what, withSerials(behind), pick(len(behind), "has", "have"), withSerials(ahead), pick(len(ahead), "serves", "serve"))
}

func withSerials(sa []ServerAnswer) string {
	s := make([]string, len(sa))
	for i, a := range sa {
		if a.Serial == 0 {
			s[i] = a.Server + " (serial unknown)"
		} else {
			s[i] = fmt.Sprintf("%s (serial %d)", a.Server, a.Serial)
		}
	}
	return joinAnd(s)
}

// quorumIssue says that too few servers answered authoritatively.
func quorumIssue(what, domain string, answered, asked, need int) string {
	if answered == 0 {
		return fmt.Sprintf("Could not check the %s of %s: none of its %d name %s answered authoritatively; see the warnings",
			what, domain, asked, pick(asked, "server", "servers"))
	}
	return fmt.Sprintf("Could not check the %s of %s: only %d of its %d name servers answered authoritatively and at least %d must; see the warnings",
		what, domain, answered, asked, need)
}

// recordWhat names a requirement in sentences: "MX record", "SPF record",
// "DKIM CNAME vsm1._domainkey".
func recordWhat(req Requirement) string {
	switch req.Key {
	case KeyMX:
		return "MX record"
	case KeySPF:
		return "SPF record"
	}
	return "DKIM CNAME " + req.Host
}

func pick(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = strconv.Quote(x)
	}
	return out
}

// joinAnd joins "a", "a and b", "a, b and c".
func joinAnd(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// TXTString joins the character-strings of a TXT record and undoes miekg/dns's
// presentation escapes (\" \\ \DDD), giving the text as published.
func TXTString(t *dns.TXT) string {
	var b strings.Builder
	for _, s := range t.Txt {
		for i := 0; i < len(s); i++ {
			if s[i] != '\\' || i+1 >= len(s) {
				b.WriteByte(s[i])
				continue
			}
			if i+3 < len(s) && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) {
				n, _ := strconv.Atoi(s[i+1 : i+4])
				b.WriteByte(byte(n))
				i += 3
				continue
			}
			b.WriteByte(s[i+1])
			i++
		}
	}
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
