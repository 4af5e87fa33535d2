package spf

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestIsSPF(t *testing.T) {
	tests := map[string]bool{
		"v=spf1":                        true,
		"v=spf1 -all":                   true,
		"V=SPF1 include:a.example ~all": true,
		"v=Spf1 ":                       true,
		"v=spf10":                       false,
		"v=spf10 -all":                  false,
		"v=spf1\t-all":                  false,
		" v=spf1 -all":                  false,
		`"v=spf1 -all"`:                 false,
		"v=spf":                         false,
		"":                              false,
		"spf2.0/pra -all":               false,
		"google-site-verification=abc":  false,
	}
	for txt, want := range tests {
		if got := IsSPF(txt); got != want {
			t.Errorf("IsSPF(%q) = %v, want %v", txt, got, want)
		}
	}
}

func TestParse_valid(t *testing.T) {
	tests := map[string]struct {
		txt  string
		want []Term
	}{
		"version only": {txt: "v=spf1", want: nil},
		"trailing and repeated spaces": {txt: "v=spf1  -all  ", want: []Term{
			{Qualifier: '-', Name: "all", Raw: "-all", Pos: 8},
		}},
		"every mechanism (RFC 7208 appendix A)": {
			txt: "v=spf1 +all -include:_spf.example.com ~a ?a:mail.example.com/24//64 mx mx:%{d}/30 ptr ptr:example.org ip4:192.0.2.0/24 ip4:192.0.2.1 ip6:2001:db8::/32 ip6:::ffff:192.0.2.1 exists:%{ir}.%{l1r+-}._spf.%{d}",
			want: []Term{
				{Qualifier: '+', Name: "all", Raw: "+all", Pos: 7},
				{Qualifier: '-', Name: "include", Value: "_spf.example.com", Raw: "-include:_spf.example.com", Pos: 12},
				{Qualifier: '~', Name: "a", Raw: "~a", Pos: 38},
				{Qualifier: '?', Name: "a", Value: "mail.example.com/24//64", Raw: "?a:mail.example.com/24//64", Pos: 41},
				{Name: "mx", Raw: "mx", Pos: 68},
				{Name: "mx", Value: "%{d}/30", Raw: "mx:%{d}/30", Pos: 71},
				{Name: "ptr", Raw: "ptr", Pos: 82},
				{Name: "ptr", Value: "example.org", Raw: "ptr:example.org", Pos: 86},
				{Name: "ip4", Value: "192.0.2.0/24", Raw: "ip4:192.0.2.0/24", Pos: 102},
				{Name: "ip4", Value: "192.0.2.1", Raw: "ip4:192.0.2.1", Pos: 119},
				{Name: "ip6", Value: "2001:db8::/32", Raw: "ip6:2001:db8::/32", Pos: 133},
				{Name: "ip6", Value: "::ffff:192.0.2.1", Raw: "ip6:::ffff:192.0.2.1", Pos: 151},
				{Name: "exists", Value: "%{ir}.%{l1r+-}._spf.%{d}", Raw: "exists:%{ir}.%{l1r+-}._spf.%{d}", Pos: 172},
			},
		},
		"case-insensitive names, values kept": {txt: "V=SPF1 INCLUDE:Example.COM A/24 MX//64 Redirect=Other.Example.", want: []Term{
			{Name: "include", Value: "Example.COM", Raw: "INCLUDE:Example.COM", Pos: 7},
			{Name: "a", Value: "/24", Raw: "A/24", Pos: 27},
			{Name: "mx", Value: "//64", Raw: "MX//64", Pos: 32},
			{Name: "redirect", Value: "Other.Example.", Modifier: true, Raw: "Redirect=Other.Example.", Pos: 39},
		}},
		"modifiers, unknown kept verbatim": {txt: "v=spf1 exp=explain._spf.%{d} moo.cow-far_out=%{l}%% foo= -all", want: []Term{
			{Name: "exp", Value: "explain._spf.%{d}", Modifier: true, Raw: "exp=explain._spf.%{d}", Pos: 7},
			{Name: "moo.cow-far_out", Value: "%{l}%%", Modifier: true, Raw: "moo.cow-far_out=%{l}%%", Pos: 29},
			{Name: "foo", Modifier: true, Raw: "foo=", Pos: 52},
			{Qualifier: '-', Name: "all", Raw: "-all", Pos: 57},
		}},
		"macro expansions": {txt: "v=spf1 exists:%{i}.%{s}.%{o}.%{d}.%{p}.%{v}.%{h}.%{L2r.}._%{D} include:%_%-%%.example.com", want: []Term{
			{Name: "exists", Value: "%{i}.%{s}.%{o}.%{d}.%{p}.%{v}.%{h}.%{L2r.}._%{D}", Raw: "exists:%{i}.%{s}.%{o}.%{d}.%{p}.%{v}.%{h}.%{L2r.}._%{D}", Pos: 7},
			{Name: "include", Value: "%_%-%%.example.com", Raw: "include:%_%-%%.example.com", Pos: 63},
		}},
		"trailing dot and hyphenated top label": {txt: "v=spf1 include:example.com. a:host.xn--p1ai a:x.1-2", want: []Term{
			{Name: "include", Value: "example.com.", Raw: "include:example.com.", Pos: 7},
			{Name: "a", Value: "host.xn--p1ai", Raw: "a:host.xn--p1ai", Pos: 28},
			{Name: "a", Value: "x.1-2", Raw: "a:x.1-2", Pos: 44},
		}},
		"modifier named like a mechanism": {txt: "v=spf1 include=_spf.example.com", want: []Term{
			{Name: "include", Value: "_spf.example.com", Modifier: true, Raw: "include=_spf.example.com", Pos: 7},
		}},
		"cidr bounds": {txt: "v=spf1 ip4:0.0.0.0/0 ip6:::/0 ip6:::1/128 a/32//128", want: []Term{
			{Name: "ip4", Value: "0.0.0.0/0", Raw: "ip4:0.0.0.0/0", Pos: 7},
			{Name: "ip6", Value: "::/0", Raw: "ip6:::/0", Pos: 21},
			{Name: "ip6", Value: "::1/128", Raw: "ip6:::1/128", Pos: 30},
			{Name: "a", Value: "/32//128", Raw: "a/32//128", Pos: 42},
		}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r, err := Parse(tc.txt)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.txt, err)
			}
			if diff := cmp.Diff(tc.want, r.Terms); diff != "" {
				t.Errorf("Parse(%q) terms (-want +got):\n%s", tc.txt, diff)
			}
			for _, term := range r.Terms {
				if tc.txt[term.Pos:term.Pos+len(term.Raw)] != term.Raw {
					t.Errorf("term %q: Pos %d does not point at it", term.Raw, term.Pos)
				}
			}
		})
	}
}

func TestParse_invalid(t *testing.T) {
	tests := map[string]struct {
		txt  string
		pos  int
		want string // part of the message
	}{
		"empty":                  {"", 0, "empty"},
		"not spf":                {"hello", 0, "must begin with v=spf1"},
		"spf10":                  {"v=spf10 -all", 6, "followed by a space"},
		"quoted":                 {`"v=spf1 -all"`, 0, "quotes"},
		"leading space":          {" v=spf1 -all", 0, "quotes or spaces"},
		"tab":                    {"v=spf1 a\t-all", 8, "tab"},
		"non-ascii":              {"v=spf1 a:bücher.example", 10, "non-ASCII"},
		"unknown mechanism":      {"v=spf1 a foo:bar.example", 9, `unknown mechanism "foo"`},
		"unknown bare word":      {"v=spf1 mx spf", 10, `unknown mechanism "spf"`},
		"lone qualifier":         {"v=spf1 ~ all", 7, "stands alone"},
		"double qualifier":       {"v=spf1 +-all", 8, "two qualifiers"},
		"all with argument":      {"v=spf1 all:example.com", 10, "takes no argument"},
		"include without domain": {"v=spf1 include", 7, "needs a domain"},
		"include empty domain":   {"v=spf1 include:", 7, "needs a domain"},
		"include with cidr":      {"v=spf1 include/24", 7, "needs a domain"},
		"exists without domain":  {"v=spf1 exists", 7, "needs a domain"},
		"include single label":   {"v=spf1 include:localhost", 15, "not a fully qualified domain"},
		"include numeric tld":    {"v=spf1 a:192.0.2.1", 17, "valid top label"},
		"include quoted":         {`v=spf1 include:"other.example"`, 22, "double quote"},
		"a empty domain":         {"v=spf1 a:/24", 9, "domain must follow"},
		"a bad cidr":             {"v=spf1 a/33", 9, "0 to 32"},
		"a leading zero cidr":    {"v=spf1 mx:example.com/024", 22, "leading zeros"},
		"a bad ip6 cidr":         {"v=spf1 a//129", 10, "0 to 128"},
		"a garbage after slash":  {"v=spf1 a/x", 8, "expected a CIDR length"},
		"ptr cidr":               {"v=spf1 ptr/24", 10, "no CIDR"},
		"ip4 missing":            {"v=spf1 ip4", 7, "needs a network"},
		"ip4 short":              {"v=spf1 ip4:192.0.2", 11, "not an IPv4 address"},
		"ip4 leading zero":       {"v=spf1 ip4:192.0.2.01", 11, "not an IPv4 address"},
		"ip4 given ip6":          {"v=spf1 ip4:2001:db8::1", 11, "not an IPv4 address"},
		"ip6 given ip4":          {"v=spf1 ip6:192.0.2.1", 11, "not an IPv6 address"},
		"ip6 zone":               {"v=spf1 ip6:fe80::1%eth0", 11, "not an IPv6 address"},
		"ip4 cidr 33":            {"v=spf1 ip4:192.0.2.0/33", 21, "0 to 32"},
		"ip4 dual cidr":          {"v=spf1 ip4:192.0.2.0//64", 21, "0 to 32"},
		"ip6 cidr 129":           {"v=spf1 ip6:::/129", 14, "0 to 128"},
		"redirect twice":         {"v=spf1 redirect=a.example redirect=b.example", 26, "more than once"},
		"exp twice":              {"v=spf1 exp=a.example EXP=b.example", 21, "more than once"},
		"qualified modifier":     {"v=spf1 -redirect=a.example", 7, "cannot have a qualifier"},
		"modifier no name":       {"v=spf1 =x", 7, "no modifier name"},
		"modifier digit name":    {"v=spf1 1x=y", 7, "must begin with a letter"},
		"redirect no domain":     {"v=spf1 redirect=", 16, "domain is empty"},
		"bad percent":            {"v=spf1 include:%x.example.com", 15, "not a macro"},
		"percent at end":         {"v=spf1 foo=bar%", 14, "at the end"},
		"unclosed macro":         {"v=spf1 exists:%{d.example.com", 14, "no closing"},
		"unknown macro letter":   {"v=spf1 exists:%{z}.example.com", 14, "unknown macro letter"},
		"exp-only macro letter":  {"v=spf1 exists:%{c}.example.com", 14, "only in explanation"},
		"empty macro":            {"v=spf1 exists:%{}.example.com", 14, "no macro letter"},
		"bad delimiter":          {"v=spf1 exists:%{d2r*}.example.com", 14, "delimiter"},
		"unexpected character":   {"v=spf1 a!b", 8, "unexpected"},
		"domain ends with dots":  {"v=spf1 a:example.com..", 21, "valid top label"},
		"top label hyphen end":   {"v=spf1 a:example.com-", 17, "valid top label"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r, err := Parse(tc.txt)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want an error", tc.txt, r)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %T is not a *SyntaxError", tc.txt, err)
			}
			if se.Pos != tc.pos || !strings.Contains(se.Msg, tc.want) {
				t.Errorf("Parse(%q) = %d %q, want position %d and a message containing %q", tc.txt, se.Pos, se.Msg, tc.pos, tc.want)
			}
		})
	}
}

func TestSyntaxError_Error(t *testing.T) {
	err := &SyntaxError{Pos: 6, Msg: "boom"}
	if got, want := err.Error(), "SPF syntax error at character 7: boom"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestRecord_String(t *testing.T) {
	tests := map[string]string{
		"v=spf1": "v=spf1",
		"V=SPF1   +A  -MX:Example.com/24   Redirect=x.example ": "v=spf1 +a -mx:Example.com/24 redirect=x.example",
		"v=spf1 A:/.A include:/x.example mx:/y.example/24":      "v=spf1 a:/.A include:/x.example mx:/y.example/24",
		"v=spf1 a/24//64 mx//64 foo= ~ALL":                      "v=spf1 a/24//64 mx//64 foo= ~all",
	}
	for in, want := range tests {
		r, err := Parse(in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		if got := r.String(); got != want {
			t.Errorf("Parse(%q).String() = %q, want %q", in, got, want)
		}
	}
}

func TestRecord_IncludePosition(t *testing.T) {
	const d = "_spf.vastal.com"
	type pos struct {
		Index     int
		Qualifier byte
		AfterAll  bool
	}
	tests := map[string]pos{
		"v=spf1 include:_spf.vastal.com ~all":                     {0, 0, false},
		"v=spf1 mx +include:_SPF.Vastal.com. -all":                {1, '+', false},
		"v=spf1 mx ~include:_spf.vastal.com -all":                 {1, '~', false},
		"v=spf1 mx -all include:_spf.vastal.com":                  {2, 0, true},
		"v=spf1 mx -all":                                          {-1, 0, false},
		"v=spf1 include:_spf.vastal.com.evil.example -all":        {-1, 0, false},
		"v=spf1 include=_spf.vastal.com -all":                     {-1, 0, false},
		"v=spf1 a include:_spf.vastal.com":                        {1, 0, false},
		"v=spf1 ?include:_spf.vastal.com include:_spf.vastal.com": {0, '?', false},
		"v=spf1 -all -all include:_spf.vastal.com ~all":           {2, 0, true},
	}
	for txt, want := range tests {
		r, err := Parse(txt)
		if err != nil {
			t.Fatalf("Parse(%q): %v", txt, err)
		}
		var got pos
		got.Index, got.Qualifier, got.AfterAll = r.IncludePosition(d)
		if got != want {
			t.Errorf("IncludePosition in %q = %+v, want %+v", txt, got, want)
		}
	}
}
