// Package spf parses, checks, merges and renders SPF records as RFC 7208
// defines them.
//
// The parser is strict where a lenient one would let a record that receivers
// reject (permerror) reach DNS: an unknown mechanism, a bad IP network or CIDR
// length, a domain without a dot-separated top label, a second redirect.
package spf

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// Version is the version section every SPF record begins with.
const Version = "v=spf1"

// Qualifiers of a mechanism (RFC 7208 section 4.6.2). A Term whose qualifier
// was not written has Qualifier 0, which means the same as Pass.
const (
	Pass     byte = '+'
	Fail     byte = '-'
	SoftFail byte = '~'
	Neutral  byte = '?'
)

// Mechanism and modifier names as Term.Name holds them.
const (
	All      = "all"
	Include  = "include"
	A        = "a"
	MX       = "mx"
	PTR      = "ptr"
	IP4      = "ip4"
	IP6      = "ip6"
	Exists   = "exists"
	Redirect = "redirect"
	Exp      = "exp"
)

// Record is a parsed SPF record: its terms in the order they were written.
type Record struct {
	Terms []Term
}

// Term is one mechanism or modifier of a record.
type Term struct {
	// Qualifier is '+', '-', '~' or '?', or 0 when none was written.
	// Modifiers never have one.
	Qualifier byte
	// Name is the lower-case mechanism name (all include a mx ptr ip4 ip6
	// exists) or modifier name (redirect exp, or an unknown modifier's).
	Name string
	// Value is what follows ':' or '=' as written; a CIDR length stays in
	// it ("192.0.2.0/24"). For a and mx without a domain it is the CIDR
	// suffix alone ("/24"), or empty.
	Value string
	// Modifier is true for name=value terms.
	Modifier bool
	// Raw is the term as written.
	Raw string
	// Pos is the 0-based byte offset of Raw in the parsed text.
	Pos int
}

// SyntaxError is a reason a text is not a valid SPF record.
type SyntaxError struct {
	Pos int    // 0-based byte offset of the fault in the text
	Msg string // what is wrong, in a sentence without a trailing period
}

// Error reports the position 1-based, as people count characters.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("SPF syntax error at character %d: %s", e.Pos+1, e.Msg)
}

// IsSPF reports whether txt is an SPF record: "v=spf1", in any case, followed
// by a space or the end of the text. "v=spf10" is not.
func IsSPF(txt string) bool {
	if len(txt) < len(Version) || !strings.EqualFold(txt[:len(Version)], Version) {
		return false
	}
	return len(txt) == len(Version) || txt[len(Version)] == ' '
}

// Parse parses an SPF record. Errors are *SyntaxError.
func Parse(txt string) (*Record, error) {
	if !IsSPF(txt) {
		return nil, notSPF(txt)
	}
	r := &Record{}
	seen := map[string]bool{}
	for i := len(Version); i < len(txt); {
		if txt[i] == ' ' {
			i++
			continue
		}
		j := i
		for j < len(txt) && txt[j] != ' ' {
			j++
		}
		t, err := parseTerm(txt[i:j], i)
		if err != nil {
			return nil, err
		}
		if t.Modifier && (t.Name == Redirect || t.Name == Exp) {
			if seen[t.Name] {
				return nil, &SyntaxError{Pos: i, Msg: fmt.Sprintf("%q appears more than once; a record may have at most one %s= modifier", t.Raw, t.Name)}
			}
			seen[t.Name] = true
		}
		r.Terms = append(r.Terms, t)
		i = j
	}
	return r, nil
}

func notSPF(txt string) *SyntaxError {
	trimmed := strings.Trim(txt, " \t\"'")
	switch {
	case txt == "":
		return &SyntaxError{Pos: 0, Msg: "the text is empty; an SPF record begins with " + Version}
	case IsSPF(trimmed):
		return &SyntaxError{Pos: 0, Msg: "the record is wrapped in quotes or spaces; give the TXT value itself, beginning with " + Version + " (DNS tools show quotes that are not part of the value)"}
	case len(txt) > len(Version) && strings.EqualFold(txt[:len(Version)], Version):
		return &SyntaxError{Pos: len(Version), Msg: fmt.Sprintf("%q must be followed by a space", Version)}
	default:
		return &SyntaxError{Pos: 0, Msg: "not an SPF record: it must begin with " + Version}
	}
}

func parseTerm(raw string, pos int) (Term, error) {
	for k := 0; k < len(raw); k++ {
		if c := raw[k]; c < 0x21 || c > 0x7e {
			return Term{}, &SyntaxError{Pos: pos + k, Msg: badChar(c)}
		}
	}
	t := Term{Raw: raw, Pos: pos}
	rest, off := raw, 0
	switch raw[0] {
	case Pass, Fail, SoftFail, Neutral:
		t.Qualifier = raw[0]
		rest, off = raw[1:], 1
	}
	if t.Qualifier != 0 && rest != "" && strings.IndexByte("+-~?", rest[0]) >= 0 {
		return t, &SyntaxError{Pos: pos + 1, Msg: fmt.Sprintf("%q has two qualifiers; a mechanism takes at most one", raw)}
	}
	k := 0
	for k < len(rest) && isNameChar(rest[k]) {
		k++
	}
	name := rest[:k]
	t.Name = strings.ToLower(name)
	if k < len(rest) && rest[k] == '=' {
		return parseModifier(t, name, rest[k+1:], pos+off, pos+off+k+1)
	}
	if name == "" {
		if t.Qualifier != 0 && rest == "" {
			return t, &SyntaxError{Pos: pos, Msg: fmt.Sprintf("qualifier %q stands alone; it must be written directly before a mechanism, as in %call", raw, raw[0])}
		}
		return t, &SyntaxError{Pos: pos + off, Msg: fmt.Sprintf("%q does not begin with a mechanism or modifier name", raw)}
	}
	var sep byte
	if k < len(rest) {
		sep = rest[k]
		if sep != ':' && sep != '/' {
			return t, &SyntaxError{Pos: pos + off + k, Msg: fmt.Sprintf("unexpected %q after %q in %q", sep, name, raw)}
		}
	}
	vpos := pos + off + k + 1
	switch sep {
	case ':':
		t.Value = rest[k+1:]
	case '/':
		t.Value = rest[k:]
		vpos--
	}
	return t, checkMechanism(t, sep, vpos)
}

func badChar(c byte) string {
	switch {
	case c == '\t':
		return "a tab is not allowed; terms are separated by spaces"
	case c >= 0x80:
		return "a non-ASCII character is not allowed; write internationalized domains in their xn-- form"
	default:
		return fmt.Sprintf("the control character %#02x is not allowed", c)
	}
}

func isNameChar(c byte) bool {
	return isAlpha(c) || isDigit(c) || c == '-' || c == '_' || c == '.'
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func parseModifier(t Term, name, value string, namePos, vpos int) (Term, error) {
	t.Modifier = true
	t.Value = value
	switch {
	case name == "":
		return t, &SyntaxError{Pos: namePos, Msg: fmt.Sprintf("%q has no modifier name before '='", t.Raw)}
	case !isAlpha(name[0]):
		return t, &SyntaxError{Pos: namePos, Msg: fmt.Sprintf("modifier name %q must begin with a letter", name)}
	case t.Qualifier != 0:
		return t, &SyntaxError{Pos: t.Pos, Msg: fmt.Sprintf("the modifier %s= cannot have a qualifier (%q)", t.Name, t.Qualifier)}
	}
	if t.Name == Redirect || t.Name == Exp {
		return t, checkDomainSpec(t, value, vpos)
	}
	return t, checkMacroString(t, value, vpos, true)
}

func checkMechanism(t Term, sep byte, vpos int) error {
	fail := func(p int, format string, args ...any) error {
		return &SyntaxError{Pos: p, Msg: fmt.Sprintf(format, args...)}
	}
	switch t.Name {
	case All:
		if sep != 0 {
			return fail(vpos-1, "%q: the all mechanism takes no argument", t.Raw)
		}
		return nil
	case Include, Exists:
		if sep != ':' || t.Value == "" {
			return fail(t.Pos, "%q needs a domain, as in %s:example.com", t.Raw, t.Name)
		}
		return checkDomainSpec(t, t.Value, vpos)
	case PTR:
		switch sep {
		case 0:
			return nil
		case '/':
			return fail(vpos, "%q: ptr takes no CIDR length", t.Raw)
		}
		if t.Value == "" {
			return fail(vpos, "%q: a domain must follow ':'", t.Raw)
		}
		return checkDomainSpec(t, t.Value, vpos)
	case A, MX:
		if sep == 0 {
			return nil
		}
		m := dualCIDR.FindStringSubmatchIndex(t.Value)
		spec := t.Value[:m[3]]
		if sep == ':' {
			if spec == "" {
				return fail(vpos, "%q: a domain must follow ':'", t.Raw)
			}
			if err := checkDomainSpec(t, spec, vpos); err != nil {
				return err
			}
		} else if spec != "" {
			return fail(vpos, "%q: expected a CIDR length such as /24 or //64", t.Raw)
		}
		if m[6] >= 0 {
			if err := checkCIDR(t, t.Value[m[6]:m[7]], 32, vpos+m[6]); err != nil {
				return err
			}
		}
		if m[10] >= 0 {
			return checkCIDR(t, t.Value[m[10]:m[11]], 128, vpos+m[10])
		}
		return nil
	case IP4, IP6:
		if sep != ':' || t.Value == "" {
			return fail(t.Pos, "%q needs a network, as in %s", t.Raw, map[string]string{IP4: "ip4:192.0.2.0/24", IP6: "ip6:2001:db8::/32"}[t.Name])
		}
		network, cidr, hasCIDR := strings.Cut(t.Value, "/")
		addr, err := netip.ParseAddr(network)
		if err != nil || addr.Zone() != "" || (t.Name == IP4) != addr.Is4() {
			kind := map[string]string{IP4: "IPv4", IP6: "IPv6"}[t.Name]
			return fail(vpos, "%q is not an %s address", network, kind)
		}
		if !hasCIDR {
			return nil
		}
		maxLen := 32
		if t.Name == IP6 {
			maxLen = 128
		}
		return checkCIDR(t, cidr, maxLen, vpos+len(network)+1)
	default:
		return fail(t.Pos, "unknown mechanism %q in %q", t.Name, t.Raw)
	}
}

// dualCIDR splits a value of a or mx into domain-spec and dual-cidr-length.
// The domain part is lazy so that the CIDR groups take what they can; a '/'
// that is not part of a CIDR length then stays in the domain and fails there.
var dualCIDR = regexp.MustCompile(`^(.*?)(/([0-9]+))?(//([0-9]+))?$`)

// cidrOnly matches a value of a or mx that has a CIDR length and no domain.
var cidrOnly = regexp.MustCompile(`^(/[0-9]+)?(//[0-9]+)?$`)

func checkCIDR(t Term, digits string, maxLen, pos int) error {
	n, err := strconv.Atoi(digits)
	if err != nil || digits == "" || (len(digits) > 1 && digits[0] == '0') || n > maxLen {
		return &SyntaxError{Pos: pos, Msg: fmt.Sprintf("%q: CIDR length /%s is not a number from 0 to %d without leading zeros", t.Raw, digits, maxLen)}
	}
	return nil
}

func checkDomainSpec(t Term, spec string, pos int) error {
	if spec == "" {
		return &SyntaxError{Pos: pos, Msg: fmt.Sprintf("%q: the domain is empty", t.Raw)}
	}
	if err := checkMacroString(t, spec, pos, false); err != nil {
		return err
	}
	start := lastLiteralRun(spec)
	tail := spec[start:]
	if tail == "" {
		return nil // ends with a macro expansion
	}
	tail = strings.TrimSuffix(tail, ".")
	dot := strings.LastIndexByte(tail, '.')
	hint := ""
	if strings.ContainsRune(spec, '"') {
		hint = "; it contains a double quote, so the record may have been copied with the quotes DNS tools show"
	}
	if dot < 0 {
		return &SyntaxError{Pos: pos, Msg: fmt.Sprintf("%q: %q is not a fully qualified domain (it needs a dot and a top label such as .com)%s", t.Raw, spec, hint)}
	}
	if !validTopLabel(tail[dot+1:]) {
		return &SyntaxError{Pos: pos + start + dot + 1, Msg: fmt.Sprintf("%q: %q does not end in a valid top label%s", t.Raw, spec, hint)}
	}
	return nil
}

// lastLiteralRun returns where the text after the last macro expansion of a
// valid macro-string begins.
func lastLiteralRun(s string) int {
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		if s[i+1] == '{' {
			i = i + strings.IndexByte(s[i:], '}')
		} else {
			i++
		}
		start = i + 1
	}
	return start
}

func checkMacroString(t Term, s string, pos int, expLetters bool) error {
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		if i+1 == len(s) {
			return &SyntaxError{Pos: pos + i, Msg: fmt.Sprintf("%q: '%%' at the end; write %%%% for a literal percent sign", t.Raw)}
		}
		switch s[i+1] {
		case '%', '_', '-':
			i++
			continue
		case '{':
		default:
			return &SyntaxError{Pos: pos + i, Msg: fmt.Sprintf("%q: %q is not a macro; write %%%% for a literal percent sign", t.Raw, s[i:i+2])}
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return &SyntaxError{Pos: pos + i, Msg: fmt.Sprintf("%q: the macro %q has no closing '}'", t.Raw, s[i:])}
		}
		if err := checkMacro(t, s[i:i+end+1], pos+i, expLetters); err != nil {
			return err
		}
		i += end
	}
	return nil
}

// checkMacro checks one "%{...}" expansion (RFC 7208 section 7.1).
func checkMacro(t Term, m string, pos int, expLetters bool) error {
	body := m[2 : len(m)-1]
	bad := func(why string) error {
		return &SyntaxError{Pos: pos, Msg: fmt.Sprintf("%q: the macro %q %s", t.Raw, m, why)}
	}
	if body == "" {
		return bad("has no macro letter")
	}
	letter := body[0] | 0x20
	switch {
	case strings.IndexByte("slodiphv", letter) >= 0:
	case strings.IndexByte("crt", letter) >= 0:
		if !expLetters {
			return bad("is allowed only in explanation text")
		}
	default:
		return bad("has an unknown macro letter")
	}
	k := 1
	for k < len(body) && isDigit(body[k]) {
		k++
	}
	if k < len(body) && body[k]|0x20 == 'r' {
		k++
	}
	for ; k < len(body); k++ {
		if strings.IndexByte(".-+,/_=", body[k]) < 0 {
			return bad(fmt.Sprintf("has %q where a delimiter (one of .-+,/_=) is expected", body[k]))
		}
	}
	return nil
}

func validTopLabel(s string) bool {
	if s == "" {
		return false
	}
	alpha, hyphen := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isAlpha(c):
			alpha = true
		case isDigit(c):
		case c == '-':
			hyphen = true
		default:
			return false
		}
	}
	if hyphen {
		return s[0] != '-' && s[len(s)-1] != '-'
	}
	return alpha
}

// String renders the term canonically: its qualifier when one was written,
// the lower-case name, then the value.
func (t Term) String() string {
	var b strings.Builder
	if t.Qualifier != 0 {
		b.WriteByte(t.Qualifier)
	}
	b.WriteString(t.Name)
	switch {
	case t.Modifier:
		b.WriteByte('=')
	case t.Value == "" || cidrOnly.MatchString(t.Value):
		// "a/24"; a domain that merely begins with '/' keeps its ':'.
	default:
		b.WriteByte(':')
	}
	b.WriteString(t.Value)
	return b.String()
}

// IsMechanism reports whether the term is a mechanism named name.
func (t Term) IsMechanism(name string) bool { return !t.Modifier && t.Name == name }

// Result returns the qualifier in effect: Pass when none was written.
func (t Term) Result() byte {
	if t.Qualifier == 0 {
		return Pass
	}
	return t.Qualifier
}

// String renders the record canonically: "v=spf1" and the terms, each as
// Term.String renders it, separated by single spaces.
func (r *Record) String() string {
	var b strings.Builder
	b.WriteString(Version)
	for _, t := range r.Terms {
		b.WriteByte(' ')
		b.WriteString(t.String())
	}
	return b.String()
}

// AllIndex returns the index of the first all mechanism, or -1.
func (r *Record) AllIndex() int {
	for i, t := range r.Terms {
		if t.IsMechanism(All) {
			return i
		}
	}
	return -1
}

// IncludePosition finds the first include mechanism of domain (compared
// without case and trailing dot). It returns its index in Terms (-1 when
// there is none), its qualifier as written, and whether it comes after the
// first all mechanism, where it is never evaluated.
func (r *Record) IncludePosition(domain string) (index int, qualifier byte, afterAll bool) {
	all := r.AllIndex()
	for i, t := range r.Terms {
		if t.IsMechanism(Include) && sameDomain(t.Value, domain) {
			return i, t.Qualifier, all >= 0 && i > all
		}
	}
	return -1, 0, false
}

func sameDomain(a, b string) bool {
	return strings.EqualFold(strings.TrimSuffix(a, "."), strings.TrimSuffix(b, "."))
}
