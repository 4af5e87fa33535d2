package spf

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNoRecords is returned by MergeAll when it is given no record.
var ErrNoRecords = errors.New("spf: no SPF record to merge")

// ErrPassAll is returned by MergeAll when the caller chooses "+all", which
// would let anyone on the internet send mail as the domain.
var ErrPassAll = errors.New("spf: +all would authorize every host on the internet; choose -all, ~all or ?all")

// ConflictError is returned by MergeAll when the records cannot be merged
// into one without changing what one of them means.
type ConflictError struct {
	// Name is the term in conflict: "all" or "redirect".
	Name string
	// Records are the 0-based indexes of the records involved, in order.
	Records []int
	// Terms are the conflicting terms, one per entry of Records.
	Terms []string
	// Msg says what the caller can do about it.
	Msg string
}

// Error reports the records 1-based, as people count them.
func (e *ConflictError) Error() string {
	parts := make([]string, len(e.Records))
	for i, r := range e.Records {
		parts[i] = fmt.Sprintf("record %d has %q", r+1, e.Terms[i])
	}
	return fmt.Sprintf("spf: cannot merge: %s; %s", strings.Join(parts, ", "), e.Msg)
}

// Merge returns a copy of r in which include:domain is evaluated, with a pass
// result, before the first all mechanism (RFC 7208 sections 5.1 and 5.2):
//
//   - present with '+' or no qualifier before the first all: left as it is;
//   - present with '-', '~' or '?' before the first all: the qualifier is
//     removed, in place;
//   - present only after the first all, where receivers never reach it:
//     moved to just before that all;
//   - absent: inserted just before the first all or, when there is no all,
//     after the last mechanism and before the modifiers.
//
// Other occurrences of include:domain are removed, so it appears exactly once.
// The owner's all is kept as it is (Merge never adds one), and of terms that
// render identically only the first is kept; the order of everything else is
// unchanged. The copy's Raw and Pos describe its own String rendering.
// Merging twice gives the same record as merging once.
func Merge(r *Record, domain string) (*Record, error) {
	inc, err := parseTerm(Include+":"+domain, 0)
	if err != nil {
		return nil, fmt.Errorf("spf: cannot include %q: %w", domain, err)
	}
	idx, q, afterAll := r.IncludePosition(domain)
	at := idx
	switch {
	case idx >= 0 && !afterAll:
		inc = r.Terms[idx]
		if q != Pass {
			inc.Qualifier = 0
		}
	case r.AllIndex() >= 0:
		at = r.AllIndex()
	default:
		at = 0
		for i, t := range r.Terms {
			if !t.Modifier {
				at = i + 1
			}
		}
	}
	terms := make([]Term, 0, len(r.Terms)+1)
	for i, t := range r.Terms {
		if i == at {
			terms = append(terms, inc)
		}
		if t.IsMechanism(Include) && sameDomain(t.Value, domain) {
			continue
		}
		terms = append(terms, t)
	}
	if at == len(r.Terms) {
		terms = append(terms, inc)
	}
	return newRecord(terms), nil
}

// MergeAll merges several SPF records published at one name (which makes
// receivers return permerror, RFC 7208 section 4.5) into one that authorizes
// what each of them did, in the order given:
//
//   - the mechanisms each record evaluates (those before its first all), in
//     record order;
//   - one all: the records' own when every record that has one agrees, or
//     all with qualifier all when it is not 0 (records without an all do not
//     take part in the vote); the records' all qualifiers disagreeing while
//     all is 0 is a *ConflictError;
//   - the mechanisms that followed an all, which stay unreachable after the
//     merged all;
//   - the modifiers: unknown ones, then redirect, then the first record's exp
//     (an exp of a later record only changes a rejection message, so it is
//     dropped).
//
// A redirect of a record that has an all is dropped, since receivers ignore
// it (RFC 7208 section 6.1). A redirect of a record without an all is kept
// when the merged record has no all and no other record redirects elsewhere;
// otherwise it is a *ConflictError, because merging would silently disable it.
// Of terms that render identically only the first is kept. The result's Raw
// and Pos describe its own String rendering. all must be 0, '-', '~' or '?':
// '+' is ErrPassAll. No records is ErrNoRecords.
func MergeAll(records []*Record, all byte) (*Record, error) {
	if len(records) == 0 {
		return nil, ErrNoRecords
	}
	switch all {
	case 0, Fail, SoftFail, Neutral:
	case Pass:
		return nil, ErrPassAll
	default:
		return nil, fmt.Errorf("spf: %q is not a qualifier; use '-', '~' or '?'", all)
	}
	var live, dead, mods, alls []Term
	var allFrom, redirectFrom []int
	var redirects []Term
	var exp *Term
	for i, r := range records {
		first := r.AllIndex()
		for j, t := range r.Terms {
			switch {
			case t.Modifier && t.Name == Redirect:
				if first < 0 {
					redirects = append(redirects, t)
					redirectFrom = append(redirectFrom, i)
				}
			case t.Modifier && t.Name == Exp:
				if exp == nil {
					exp = &t
				}
			case t.Modifier:
				mods = append(mods, t)
			case j == first:
				alls = append(alls, t)
				allFrom = append(allFrom, i)
			case first >= 0 && j > first:
				dead = append(dead, t)
			default:
				live = append(live, t)
			}
		}
	}
	var allTerm *Term
	if all != 0 {
		allTerm = &Term{Qualifier: all, Name: All}
	} else if len(alls) > 0 {
		allTerm = &alls[0]
		for k, t := range alls[1:] {
			if t.Result() != alls[0].Result() {
				return nil, &ConflictError{
					Name:    All,
					Records: []int{allFrom[0], allFrom[k+1]},
					Terms:   []string{alls[0].String(), t.String()},
					Msg:     "they disagree on what happens to mail from hosts they do not list; choose one all for the merged record",
				}
			}
		}
	}
	if len(redirects) > 0 {
		if allTerm != nil {
			e := &ConflictError{
				Name:    Redirect,
				Records: []int{redirectFrom[0]},
				Terms:   []string{redirects[0].String()},
				Msg:     fmt.Sprintf("receivers ignore redirect beside an all, so merging would disable it; replace redirect=%s with include:%s, or remove it", redirects[0].Value, redirects[0].Value),
			}
			if len(alls) > 0 {
				e.Records = append(e.Records, allFrom[0])
				e.Terms = append(e.Terms, alls[0].String())
			}
			return nil, e
		}
		for k, t := range redirects[1:] {
			if !sameDomain(t.Value, redirects[0].Value) {
				return nil, &ConflictError{
					Name:    Redirect,
					Records: []int{redirectFrom[0], redirectFrom[k+1]},
					Terms:   []string{redirects[0].String(), t.String()},
					Msg:     "a record can redirect to one domain only; replace the redirects with include mechanisms and add an all",
				}
			}
		}
	}
	terms := live
	if allTerm != nil {
		terms = append(terms, *allTerm)
	}
	terms = append(terms, dead...)
	terms = append(terms, mods...)
	if len(redirects) > 0 {
		terms = append(terms, redirects[0])
	}
	if exp != nil {
		terms = append(terms, *exp)
	}
	return newRecord(terms), nil
}

// newRecord returns a record of terms without later duplicates (by their
// rendering), each term's Raw and Pos set to where String puts it.
func newRecord(terms []Term) *Record {
	seen := make(map[string]bool, len(terms))
	r := &Record{Terms: make([]Term, 0, len(terms))}
	pos := len(Version)
	for _, t := range terms {
		s := t.String()
		if seen[s] {
			continue
		}
		seen[s] = true
		pos++ // the space before the term
		t.Raw, t.Pos = s, pos
		pos += len(s)
		r.Terms = append(r.Terms, t)
	}
	return r
}
