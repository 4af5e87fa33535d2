package spf

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const vastal = "_spf.vastal.com"

func mustParse(t testing.TB, txt string) *Record {
	t.Helper()
	r, err := Parse(txt)
	if err != nil {
		t.Fatalf("Parse(%q): %v", txt, err)
	}
	return r
}

func TestMerge(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"bare record gets include": {
			"v=spf1", "v=spf1 include:_spf.vastal.com"},
		"inserted before all": {
			"v=spf1 include:other.example ~all", "v=spf1 include:other.example include:_spf.vastal.com ~all"},
		"owner's -all kept": {
			"v=spf1 -all", "v=spf1 include:_spf.vastal.com -all"},
		"owner's ?all kept": {
			"v=spf1 mx ?all", "v=spf1 mx include:_spf.vastal.com ?all"},
		"owner's +all kept, never added": {
			"v=spf1 a +all", "v=spf1 a include:_spf.vastal.com +all"},
		"bare all kept bare": {
			"v=spf1 ip4:192.0.2.0/24 all", "v=spf1 ip4:192.0.2.0/24 include:_spf.vastal.com all"},
		"already present unqualified": {
			"v=spf1 include:_spf.vastal.com ~all", "v=spf1 include:_spf.vastal.com ~all"},
		"already present with + stays +": {
			"v=spf1 mx +include:_spf.vastal.com -all", "v=spf1 mx +include:_spf.vastal.com -all"},
		"already present in another case and with a dot": {
			"v=spf1 INCLUDE:_SPF.Vastal.COM. ~all", "v=spf1 include:_SPF.Vastal.COM. ~all"},
		"softfail qualifier corrected in place": {
			"v=spf1 ~include:_spf.vastal.com mx -all", "v=spf1 include:_spf.vastal.com mx -all"},
		"fail qualifier corrected": {
			"v=spf1 a -include:_spf.vastal.com ~all", "v=spf1 a include:_spf.vastal.com ~all"},
		"neutral qualifier corrected": {
			"v=spf1 ?include:_spf.vastal.com", "v=spf1 include:_spf.vastal.com"},
		"after all moved before it": {
			"v=spf1 mx ~all include:_spf.vastal.com", "v=spf1 mx include:_spf.vastal.com ~all"},
		"qualified after all moved and corrected": {
			"v=spf1 -all ~include:_spf.vastal.com a", "v=spf1 include:_spf.vastal.com -all a"},
		"before the first of two alls": {
			"v=spf1 a ~all -all", "v=spf1 a include:_spf.vastal.com ~all -all"},
		"no all: after last mechanism, before modifiers": {
			"v=spf1 exp=explain.example a mx redirect=_spf.other.example", "v=spf1 exp=explain.example a mx include:_spf.vastal.com redirect=_spf.other.example"},
		"only modifiers": {
			"v=spf1 redirect=_spf.other.example", "v=spf1 include:_spf.vastal.com redirect=_spf.other.example"},
		"all before modifiers": {
			"v=spf1 a ~all exp=explain.example", "v=spf1 a include:_spf.vastal.com ~all exp=explain.example"},
		"other occurrences removed": {
			"v=spf1 ?include:_spf.vastal.com include:_spf.vastal.com ~all include:_spf.vastal.com", "v=spf1 include:_spf.vastal.com ~all"},
		"a lookalike domain is another domain": {
			"v=spf1 include:_spf.vastal.com.evil.example ~all", "v=spf1 include:_spf.vastal.com.evil.example include:_spf.vastal.com ~all"},
		"include= modifier is not the mechanism": {
			"v=spf1 include=_spf.vastal.com ~all", "v=spf1 include=_spf.vastal.com include:_spf.vastal.com ~all"},
		"exact duplicates removed, order kept": {
			"v=spf1 mx a MX ip4:192.0.2.1 a ip4:192.0.2.1 ~all ~all", "v=spf1 mx a ip4:192.0.2.1 include:_spf.vastal.com ~all"},
		"different qualifiers are not duplicates": {
			"v=spf1 a -a ~all", "v=spf1 a -a include:_spf.vastal.com ~all"},
		"values kept as written": {
			"v=spf1 exists:%{I}.%{D} ~all", "v=spf1 exists:%{I}.%{D} include:_spf.vastal.com ~all"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := Merge(mustParse(t, tc.in), vastal)
			if err != nil {
				t.Fatalf("Merge(%q): %v", tc.in, err)
			}
			if got.String() != tc.want {
				t.Errorf("Merge(%q)\n got %q\nwant %q", tc.in, got.String(), tc.want)
			}
			again, err := Merge(got, vastal)
			if err != nil || again.String() != got.String() {
				t.Errorf("merging twice gives %q (%v), want %q", again, err, got)
			}
			if i, q, after := got.IncludePosition(vastal); i < 0 || (q != 0 && q != Pass) || after {
				t.Errorf("IncludePosition after Merge = %d %q %v", i, q, after)
			}
			assertSelfDescribing(t, got)
		})
	}
}

// assertSelfDescribing checks that a merged record's Raw and Pos describe its
// String rendering, so warnings point into the text users see.
func assertSelfDescribing(t *testing.T, r *Record) {
	t.Helper()
	s := r.String()
	for _, term := range r.Terms {
		if term.Pos+len(term.Raw) > len(s) || s[term.Pos:term.Pos+len(term.Raw)] != term.Raw {
			t.Errorf("term %q at %d is not where String() puts it in %q", term.Raw, term.Pos, s)
		}
	}
	if re, err := Parse(s); err != nil {
		t.Errorf("Parse(%q): %v", s, err)
	} else if diff := cmp.Diff(r.Terms, re.Terms); diff != "" {
		t.Errorf("Parse(String()) differs (-merged +parsed):\n%s", diff)
	}
}

func TestMerge_doesNotModifyInput(t *testing.T) {
	r := mustParse(t, "v=spf1 ~include:_spf.vastal.com -all")
	before := r.String()
	if _, err := Merge(r, vastal); err != nil {
		t.Fatal(err)
	}
	if r.String() != before {
		t.Errorf("input changed to %q", r.String())
	}
}

func TestMerge_invalidDomain(t *testing.T) {
	for _, d := range []string{"", "localhost", "a b.example", "%x.example.com", "example.123"} {
		_, err := Merge(mustParse(t, "v=spf1 -all"), d)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Merge(%q) error = %v, want one wrapping *SyntaxError", d, err)
		}
	}
}

func TestMergeAll(t *testing.T) {
	tests := map[string]struct {
		in   []string
		all  byte
		want string
	}{
		"one record": {
			in: []string{"v=spf1 mx ~all"}, want: "v=spf1 mx ~all"},
		"two agreeing records, in order": {
			in:   []string{"v=spf1 include:_spf.google.com ~all", "v=spf1 ip4:192.0.2.0/24 include:other.example ~all"},
			want: "v=spf1 include:_spf.google.com ip4:192.0.2.0/24 include:other.example ~all"},
		"a record without all does not vote": {
			in:   []string{"v=spf1 a", "v=spf1 mx -all"},
			want: "v=spf1 a mx -all"},
		"all and +all-free bare all agree with +": {
			in:   []string{"v=spf1 a all", "v=spf1 mx +all"},
			want: "v=spf1 a mx all"},
		"caller chooses between disagreeing alls": {
			in: []string{"v=spf1 a ~all", "v=spf1 mx -all"}, all: Fail,
			want: "v=spf1 a mx -all"},
		"caller's choice overrides agreeing alls": {
			in: []string{"v=spf1 a ?all", "v=spf1 mx ?all"}, all: SoftFail,
			want: "v=spf1 a mx ~all"},
		"dead terms stay after all": {
			in:   []string{"v=spf1 a ~all ip4:192.0.2.1", "v=spf1 mx ~all"},
			want: "v=spf1 a mx ~all ip4:192.0.2.1"},
		"duplicates across records removed": {
			in:   []string{"v=spf1 include:_spf.google.com mx ~all", "v=spf1 mx include:_spf.google.com ~all"},
			want: "v=spf1 include:_spf.google.com mx ~all"},
		"modifiers at the end, first exp kept": {
			in:   []string{"v=spf1 exp=one.example a ~all foo=bar", "v=spf1 exp=two.example mx ~all"},
			want: "v=spf1 a mx ~all foo=bar exp=one.example"},
		"redirect beside all dropped": {
			in:   []string{"v=spf1 a ~all redirect=gone.example", "v=spf1 mx ~all"},
			want: "v=spf1 a mx ~all"},
		"one live redirect kept when no all": {
			in:   []string{"v=spf1 a", "v=spf1 mx redirect=_spf.example.com"},
			want: "v=spf1 a mx redirect=_spf.example.com"},
		"same redirect twice": {
			in:   []string{"v=spf1 redirect=_spf.example.com", "v=spf1 mx redirect=_SPF.example.com"},
			want: "v=spf1 mx redirect=_spf.example.com"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var rs []*Record
			for _, s := range tc.in {
				rs = append(rs, mustParse(t, s))
			}
			got, err := MergeAll(rs, tc.all)
			if err != nil {
				t.Fatalf("MergeAll(%q): %v", tc.in, err)
			}
			if got.String() != tc.want {
				t.Errorf("MergeAll(%q)\n got %q\nwant %q", tc.in, got.String(), tc.want)
			}
			again, err := MergeAll([]*Record{got}, tc.all)
			if err != nil || again.String() != got.String() {
				t.Errorf("merging the result again gives %q (%v)", again, err)
			}
			assertSelfDescribing(t, got)
		})
	}
}

func TestMergeAll_errors(t *testing.T) {
	tests := map[string]struct {
		in      []string
		all     byte
		target  error  // errors.Is target, or nil for a *ConflictError
		name    string // ConflictError.Name
		records []int
		msg     string
	}{
		"no records":          {in: nil, target: ErrNoRecords},
		"caller chooses +all": {in: []string{"v=spf1 -all"}, all: Pass, target: ErrPassAll},
		"not a qualifier":     {in: []string{"v=spf1 -all"}, all: 'x', msg: "not a qualifier"},
		"alls disagree": {
			in: []string{"v=spf1 a ~all", "v=spf1 mx", "v=spf1 ip4:192.0.2.1 -all"}, name: All, records: []int{0, 2},
			msg: `record 1 has "~all", record 3 has "-all"`},
		"bare all disagrees with ?all": {
			in: []string{"v=spf1 all", "v=spf1 ?all"}, name: All, records: []int{0, 1}},
		"live redirect would be ignored beside all": {
			in: []string{"v=spf1 redirect=_spf.example.com", "v=spf1 mx -all"}, name: Redirect, records: []int{0, 1},
			msg: "include:_spf.example.com"},
		"live redirect would be ignored beside the chosen all": {
			in: []string{"v=spf1 redirect=_spf.example.com"}, all: Fail, name: Redirect, records: []int{0}},
		"two redirects": {
			in: []string{"v=spf1 redirect=a.example", "v=spf1 redirect=b.example"}, name: Redirect, records: []int{0, 1}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var rs []*Record
			for _, s := range tc.in {
				rs = append(rs, mustParse(t, s))
			}
			got, err := MergeAll(rs, tc.all)
			if err == nil {
				t.Fatalf("MergeAll(%q) = %q, want an error", tc.in, got)
			}
			if tc.target != nil && !errors.Is(err, tc.target) {
				t.Errorf("error %v is not %v", err, tc.target)
			}
			if tc.name != "" {
				var ce *ConflictError
				if !errors.As(err, &ce) {
					t.Fatalf("error %v (%T) is not a *ConflictError", err, err)
				}
				if ce.Name != tc.name || !cmp.Equal(ce.Records, tc.records) || len(ce.Terms) != len(ce.Records) {
					t.Errorf("ConflictError = %+v, want name %q records %v", ce, tc.name, tc.records)
				}
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not contain %q", err, tc.msg)
			}
		})
	}
}

func TestSplitTXT(t *testing.T) {
	for _, n := range []int{0, 1, 254, 255, 256, 510, 511, 1000} {
		s := strings.Repeat("x", n)
		chunks := SplitTXT(s)
		if want := max(1, (n+254)/255); len(chunks) != want {
			t.Errorf("SplitTXT of %d bytes: %d chunks, want %d", n, len(chunks), want)
		}
		for i, c := range chunks {
			if len(c) > MaxStringLength || (i < len(chunks)-1 && len(c) != MaxStringLength) {
				t.Errorf("SplitTXT of %d bytes: chunk %d has %d bytes", n, i, len(c))
			}
		}
		if strings.Join(chunks, "") != s {
			t.Errorf("SplitTXT of %d bytes does not join back", n)
		}
	}
}

func TestRecord_Chunks(t *testing.T) {
	txt := "v=spf1"
	for i := 0; i < 30; i++ {
		txt += fmt.Sprintf(" ip4:192.0.2.%d", i+100)
	}
	r := mustParse(t, txt+" -all")
	chunks := r.Chunks()
	if len(chunks) != 2 || len(chunks[0]) != 255 || strings.Join(chunks, "") != r.String() {
		t.Errorf("Chunks() = %q", chunks)
	}
}
