package spf

import (
	"errors"
	"strings"
	"testing"
)

// The seed corpus is in testdata/fuzz; these tests run it as ordinary tests,
// and `go test -fuzz FuzzParse` (or FuzzMerge) explores beyond it.

func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, txt string) {
		r, err := Parse(txt)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Pos < 0 || se.Pos > len(txt) || se.Msg == "" {
				t.Fatalf("Parse(%q) error %#v is not a *SyntaxError within the text", txt, err)
			}
			return
		}
		if !IsSPF(txt) {
			t.Fatalf("Parse accepted %q, which IsSPF rejects", txt)
		}
		for _, term := range r.Terms {
			if txt[term.Pos:term.Pos+len(term.Raw)] != term.Raw {
				t.Fatalf("term %q at %d is not in %q", term.Raw, term.Pos, txt)
			}
		}
		rendered := r.String()
		again, err := Parse(rendered)
		if err != nil {
			t.Fatalf("Parse(%q) ok but its rendering %q does not parse: %v", txt, rendered, err)
		}
		if again.String() != rendered {
			t.Fatalf("rendering is not stable: %q -> %q -> %q", txt, rendered, again.String())
		}
		if strings.Join(r.Chunks(), "") != rendered {
			t.Fatalf("Chunks of %q do not join back", rendered)
		}
		for _, w := range r.Warnings() {
			if w.Pos < 0 || w.Pos >= len(txt) || w.Code == "" || w.Msg == "" {
				t.Fatalf("warning %+v does not point into %q", w, txt)
			}
		}
	})
}

func FuzzMerge(f *testing.F) {
	f.Fuzz(func(t *testing.T, first, second string) {
		r, err := Parse(first)
		if err != nil {
			return
		}
		m := mergeStable(t, r)
		if i, q, after := m.IncludePosition(vastal); i < 0 || (q != 0 && q != Pass) || after {
			t.Fatalf("Merge(%q) = %q: include at %d qualifier %q after all %v", first, m, i, q, after)
		}
		if a, b := r.AllIndex() >= 0, m.AllIndex() >= 0; a != b {
			t.Fatalf("Merge(%q) = %q changed whether there is an all", first, m)
		}
		r2, err := Parse(second)
		if err != nil {
			return
		}
		all, err := MergeAll([]*Record{r, r2}, 0)
		if err != nil {
			var ce *ConflictError
			if !errors.As(err, &ce) {
				t.Fatalf("MergeAll(%q, %q): %v is not a *ConflictError", first, second, err)
			}
			return
		}
		if re, err := MergeAll([]*Record{all}, 0); err != nil || re.String() != all.String() {
			t.Fatalf("MergeAll is not idempotent: %q -> %q (%v)", all, re, err)
		}
		mergeStable(t, all)
	})
}

// mergeStable merges the Vastal include into r and checks that the result
// renders and parses back the same and that merging again changes nothing.
func mergeStable(t *testing.T, r *Record) *Record {
	t.Helper()
	m, err := Merge(r, vastal)
	if err != nil {
		t.Fatalf("Merge(%q): %v", r, err)
	}
	parsed, err := Parse(m.String())
	if err != nil {
		t.Fatalf("Merge(%q) = %q, which does not parse: %v", r, m, err)
	}
	m2, err := Merge(parsed, vastal)
	if err != nil || m2.String() != m.String() {
		t.Fatalf("Merge is not idempotent: %q -> %q -> %q (%v)", r, m, m2, err)
	}
	return m
}
