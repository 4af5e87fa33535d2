package spf

import (
	"fmt"
	"sort"
	"strings"
)

// MaxLookups is the number of DNS-querying terms a receiver evaluates before
// it returns permerror (RFC 7208 section 4.6.4).
const MaxLookups = 10

// Warning codes: what a Warning is about.
const (
	// WarnTooManyLookups: the record evaluates more than MaxLookups terms
	// that query DNS, counting only its own terms (each include adds those
	// of the included record, so the real count is higher still).
	WarnTooManyLookups = "too_many_lookups"
	// WarnPTR: a ptr mechanism, which RFC 7208 section 5.5 says not to use.
	WarnPTR = "ptr"
	// WarnPassAll: the record ends in +all, authorizing every host.
	WarnPassAll = "pass_all"
	// WarnDeadTerm: a mechanism after the first all, never evaluated.
	WarnDeadTerm = "dead_term"
	// WarnRedirectIgnored: redirect beside an all, which receivers ignore.
	WarnRedirectIgnored = "redirect_ignored"
	// WarnQuote: a double quote inside the record, usually the quotes a DNS
	// tool shows around each TXT string copied into the value.
	WarnQuote = "quote"
	// WarnModifierLooksLikeMechanism: an unknown modifier named like a
	// mechanism ("include=x"), which receivers ignore.
	WarnModifierLooksLikeMechanism = "modifier_looks_like_mechanism"
)

// Warning is something legal but probably wrong in a record.
type Warning struct {
	Code string // one of the Warn constants
	Pos  int    // 0-based byte offset of the term concerned
	Term string // the term concerned, as Raw holds it
	Msg  string // one sentence for a human, without a trailing period
}

// String renders the warning with its position counted 1-based.
func (w Warning) String() string {
	return fmt.Sprintf("character %d (%s): %s", w.Pos+1, w.Term, w.Msg)
}

// lookupMechanisms are the mechanisms that cost a DNS query when evaluated.
var lookupMechanisms = map[string]bool{Include: true, A: true, MX: true, PTR: true, Exists: true}

// Warnings returns what is legal but probably wrong in r, ordered by position.
func (r *Record) Warnings() []Warning {
	var ws []Warning
	add := func(code string, t Term, format string, args ...any) {
		ws = append(ws, Warning{Code: code, Pos: t.Pos, Term: t.Raw, Msg: fmt.Sprintf(format, args...)})
	}
	first := r.AllIndex()
	var lookups []Term
	for i, t := range r.Terms {
		live := first < 0 || i <= first
		if q := strings.IndexByte(t.Raw, '"'); q >= 0 {
			ws = append(ws, Warning{Code: WarnQuote, Pos: t.Pos + q, Term: t.Raw,
				Msg: "a double quote is part of the value; quotes that DNS tools show around TXT strings must not be copied into it"})
		}
		switch {
		case t.Modifier && t.Name == Redirect:
			if first >= 0 {
				add(WarnRedirectIgnored, t, "receivers ignore redirect because the record has an all mechanism (%s)", r.Terms[first].Raw)
			} else {
				lookups = append(lookups, t)
			}
		case t.Modifier && t.Name != Exp && (lookupMechanisms[t.Name] || t.Name == IP4 || t.Name == IP6 || t.Name == All):
			add(WarnModifierLooksLikeMechanism, t, "receivers ignore this unknown modifier; the %s mechanism is written with ':', not '='", t.Name)
		case t.Modifier:
		case !live:
			add(WarnDeadTerm, t, "it comes after %s and is never evaluated; move it before the all", r.Terms[first].Raw)
		default:
			if lookupMechanisms[t.Name] {
				lookups = append(lookups, t)
			}
			if t.Name == PTR {
				add(WarnPTR, t, "ptr is slow and unreliable and RFC 7208 says not to use it; list the senders with ip4, ip6, a or include")
			}
			if i == first && t.Result() == Pass {
				add(WarnPassAll, t, "+all lets every host on the internet send mail as this domain; use ~all or -all")
			}
		}
	}
	if len(lookups) > MaxLookups {
		add(WarnTooManyLookups, lookups[MaxLookups], "the record has %d terms that query DNS (include, a, mx, ptr, exists, redirect) and receivers return permerror from the %dth on, even before counting those of included records; flatten includes into ip4 and ip6 or drop unused ones", len(lookups), MaxLookups+1)
	}
	sort.SliceStable(ws, func(i, j int) bool { return ws[i].Pos < ws[j].Pos })
	return ws
}
