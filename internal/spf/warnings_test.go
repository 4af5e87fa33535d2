package spf

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRecord_Warnings(t *testing.T) {
	type w struct {
		Code string
		Pos  int
		Term string
	}
	tests := map[string]struct {
		txt  string
		want []w
	}{
		"clean":                 {"v=spf1 include:_spf.vastal.com ~all", nil},
		"clean with redirect":   {"v=spf1 mx redirect=_spf.example.com", nil},
		"ptr":                   {"v=spf1 ptr -all", []w{{WarnPTR, 7, "ptr"}}},
		"ptr with domain":       {"v=spf1 ?ptr:example.com -all", []w{{WarnPTR, 7, "?ptr:example.com"}}},
		"+all":                  {"v=spf1 mx +all", []w{{WarnPassAll, 10, "+all"}}},
		"bare all is +all":      {"v=spf1 mx all", []w{{WarnPassAll, 10, "all"}}},
		"dead terms after all":  {"v=spf1 -all include:_spf.vastal.com exp=x.example ~all", []w{{WarnDeadTerm, 12, "include:_spf.vastal.com"}, {WarnDeadTerm, 50, "~all"}}},
		"redirect beside all":   {"v=spf1 redirect=x.example ~all", []w{{WarnRedirectIgnored, 7, "redirect=x.example"}}},
		"quote in a modifier":   {`v=spf1 a foo="bar" -all`, []w{{WarnQuote, 13, `foo="bar"`}}},
		"quote inside a domain": {`v=spf1 include:x".example.com -all`, []w{{WarnQuote, 16, `include:x".example.com`}}},
		"mechanism as modifier": {"v=spf1 include=_spf.vastal.com ~all", []w{{WarnModifierLooksLikeMechanism, 7, "include=_spf.vastal.com"}}},
		"exactly ten lookups": {
			"v=spf1 a mx ptr:x.example exists:x.example include:a.example include:b.example include:c.example include:d.example include:e.example redirect=f.example",
			[]w{{WarnPTR, 12, "ptr:x.example"}}},
		"eleven lookups": {
			"v=spf1 a mx exists:x.example include:a.example include:b.example include:c.example include:d.example include:e.example include:f.example include:g.example redirect=h.example",
			[]w{{WarnTooManyLookups, 155, "redirect=h.example"}}},
		"ip4 ip6 all and dead terms do not count": {
			"v=spf1 ip4:192.0.2.1 ip6:2001:db8::1 a a:b.example a:c.example a:d.example a:e.example a:f.example a:g.example a:h.example a:i.example mx -all a:j.example a:k.example",
			[]w{{WarnDeadTerm, 143, "a:j.example"}, {WarnDeadTerm, 155, "a:k.example"}}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var got []w
			for _, x := range mustParse(t, tc.txt).Warnings() {
				got = append(got, w{x.Code, x.Pos, x.Term})
				if x.Msg == "" || strings.HasSuffix(x.Msg, ".") {
					t.Errorf("warning %v: message %q", x.Code, x.Msg)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Warnings(%q) (-want +got):\n%s", tc.txt, diff)
			}
		})
	}
}

func TestRecord_Warnings_tooManyLookupsCount(t *testing.T) {
	txt := "v=spf1" + strings.Repeat(" mx", 1) + strings.Repeat(" include:x.example include:y.example", 6) + " ~all"
	ws := mustParse(t, txt).Warnings()
	if len(ws) != 1 || ws[0].Code != WarnTooManyLookups || !strings.Contains(ws[0].Msg, "13 terms") {
		t.Errorf("Warnings() = %+v, want one too_many_lookups counting 13 terms", ws)
	}
}

func TestWarning_String(t *testing.T) {
	w := Warning{Code: WarnPTR, Pos: 7, Term: "ptr", Msg: "avoid it"}
	if got, want := w.String(), "character 8 (ptr): avoid it"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
