package dnscheck

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"

	"github.com/vastal/terraform-provider-vastal/internal/dnstest"
)

var allVerified = map[string]string{KeyMX: "", KeySPF: "", KeyDKIM1: "", KeyDKIM2: ""}

// with returns allVerified with some verdicts replaced.
func with(kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range allVerified {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// replace returns goodRecords with the record starting with prefix swapped
// for repl (dropped when repl is empty), plus extra.
func replace(prefix string, repl ...string) []string {
	var out []string
	for _, r := range goodRecords {
		if strings.HasPrefix(r, prefix) {
			out = append(out, repl...)
			repl = nil
			continue
		}
		out = append(out, r)
	}
	return append(out, repl...)
}

func TestCheck_misconfigurations(t *testing.T) {
	longSPF := `@ TXT "v=spf1 ip4:192.0.2.0/24 ip4:198.51.100.0/24 ip4:203.0.113.0/24 ip6:2001:db8::/32 ip6:2001:db8:1::/48 ip6:2001:db8:2::/48 ip6:2001:db8:3::/48 a:mail1.acme.test a:mail2.acme.test a:mail3.acme.test a:mail4.acme.test mx:acme.test" ` +
		`"include:spf.protection.outlook.com include:_spf.google.com include:_spf.vas" "tal.com ~all"`
	tests := map[string]struct {
		domain  string
		records []string
		want    map[string]string
		found   map[string][]string // key → Found, when asserted
	}{
		"all in place": {
			records: goodRecords,
			want:    allVerified,
			found: map[string][]string{
				KeyMX: {"10 mx.vastal.com"}, KeySPF: {"v=spf1 include:_spf.vastal.com ~all"},
				KeyDKIM1: {"vsm1.dkim.vastal.com"}, KeyDKIM2: {"vsm2.dkim.vastal.com"},
			},
		},
		"nothing published": {
			want: map[string]string{
				KeyMX:    "MX record not found",
				KeySPF:   "SPF record not found",
				KeyDKIM1: "DKIM CNAME vsm1._domainkey not found",
				KeyDKIM2: "DKIM CNAME vsm2._domainkey not found",
			},
			found: map[string][]string{KeyMX: {}, KeySPF: {}, KeyDKIM1: {}, KeyDKIM2: {}},
		},
		"TXT but no SPF": {
			records: replace("@ TXT", `@ TXT "google-site-verification=abc"`),
			want:    with(KeySPF, "SPF record not found"),
			found:   map[string][]string{KeySPF: {"google-site-verification=abc"}},
		},
		"two SPF records": {
			records: append(goodRecords, `@ TXT "v=spf1 include:other.provider.com ~all"`),
			want: with(KeySPF, `Found 2 SPF records at acme.test ("v=spf1 include:_spf.vastal.com ~all" and "v=spf1 include:other.provider.com ~all"); `+
				`only one is allowed: merge them into one, e.g. "v=spf1 include:_spf.vastal.com include:other.provider.com ~all"`),
		},
		"three SPF records": {
			records: replace("@ TXT", `@ TXT "v=spf1 mx -all"`, `@ TXT "v=spf1 include:a.test ~all"`, `@ TXT "v=spf1 ip4:192.0.2.1 mx ?all"`),
			want: with(KeySPF, `Found 3 SPF records at acme.test ("v=spf1 include:a.test ~all", "v=spf1 ip4:192.0.2.1 mx ?all" and "v=spf1 mx -all"); `+
				`only one is allowed: merge them into one, e.g. "v=spf1 include:a.test ip4:192.0.2.1 mx include:_spf.vastal.com ~all"`),
		},
		"SPF without the include": {
			records: replace("@ TXT", `@ TXT "v=spf1 include:other.provider.com -all"`),
			want: with(KeySPF, `The SPF record at acme.test ("v=spf1 include:other.provider.com -all") does not include _spf.vastal.com; `+
				`add "include:_spf.vastal.com" to it, e.g. "v=spf1 include:other.provider.com include:_spf.vastal.com -all"`),
		},
		"include after all": {
			records: replace("@ TXT", `@ TXT "v=spf1 mx ~all include:_spf.vastal.com"`),
			want: with(KeySPF, `The SPF record at acme.test ("v=spf1 mx ~all include:_spf.vastal.com") has include:_spf.vastal.com after "~all", `+
				`where it is never reached; move it before "~all", e.g. "v=spf1 mx include:_spf.vastal.com ~all"`),
		},
		"include with ~": {
			records: replace("@ TXT", `@ TXT "v=spf1 ~include:_spf.vastal.com -all"`),
			want: with(KeySPF, `The SPF record at acme.test ("v=spf1 ~include:_spf.vastal.com -all") has "~include:_spf.vastal.com": `+
				`the "~" qualifier gives mail from Vastal's servers a softfail instead of a pass; write it as "include:_spf.vastal.com", e.g. "v=spf1 include:_spf.vastal.com -all"`),
		},
		"include with -": {
			records: replace("@ TXT", `@ TXT "v=spf1 -include:_spf.vastal.com ~all"`),
			want: with(KeySPF, `The SPF record at acme.test ("v=spf1 -include:_spf.vastal.com ~all") has "-include:_spf.vastal.com": `+
				`the "-" qualifier gives mail from Vastal's servers a fail instead of a pass; write it as "include:_spf.vastal.com", e.g. "v=spf1 include:_spf.vastal.com ~all"`),
		},
		"include with ?": {
			records: replace("@ TXT", `@ TXT "v=spf1 ?include:_spf.vastal.com ~all"`),
			want: with(KeySPF, `The SPF record at acme.test ("v=spf1 ?include:_spf.vastal.com ~all") has "?include:_spf.vastal.com": `+
				`the "?" qualifier gives mail from Vastal's servers a neutral result instead of a pass; write it as "include:_spf.vastal.com", e.g. "v=spf1 include:_spf.vastal.com ~all"`),
		},
		"include with +": {
			records: replace("@ TXT", `@ TXT "v=spf1 +include:_spf.vastal.com ~all"`),
			want:    allVerified,
		},
		"long SPF split into several strings": {
			records: replace("@ TXT", longSPF),
			want:    allVerified,
			found: map[string][]string{KeySPF: {"v=spf1 ip4:192.0.2.0/24 ip4:198.51.100.0/24 ip4:203.0.113.0/24 ip6:2001:db8::/32 ip6:2001:db8:1::/48 ip6:2001:db8:2::/48 ip6:2001:db8:3::/48 a:mail1.acme.test a:mail2.acme.test a:mail3.acme.test a:mail4.acme.test mx:acme.test" +
				"include:spf.protection.outlook.com include:_spf.google.com include:_spf.vastal.com ~all"}},
		},
		"SPF with escaped characters": {
			records: replace("@ TXT", `@ TXT "v=spf1 include:_spf.vastal.com ~all" "\032exp=\"x\""`),
			want:    with(KeySPF, spfInvalid(`v=spf1 include:_spf.vastal.com ~all exp="x"`)),
			found:   map[string][]string{KeySPF: {`v=spf1 include:_spf.vastal.com ~all exp="x"`}},
		},
		"DKIM published as TXT": {
			records: replace("vsm1._domainkey", `vsm1._domainkey TXT "v=DKIM1; k=rsa; p=MIGf"`),
			want: with(KeyDKIM1, "DKIM vsm1._domainkey.acme.test is published as a TXT record; it must be a CNAME to vsm1.dkim.vastal.com "+
				"(DKIM uses CNAME records, not TXT)"),
			found: map[string][]string{KeyDKIM1: {"TXT v=DKIM1; k=rsa; p=MIGf"}},
		},
		"DKIM CNAME to the wrong target": {
			records: replace("vsm2._domainkey", "vsm2._domainkey CNAME vsm2.dkim.other.test."),
			want:    with(KeyDKIM2, "DKIM vsm2._domainkey.acme.test is a CNAME to vsm2.dkim.other.test; it must point to vsm2.dkim.vastal.com: change its target"),
			found:   map[string][]string{KeyDKIM2: {"vsm2.dkim.other.test"}},
		},
		"DKIM targets swapped": {
			records: replace("vsm1._domainkey", "vsm1._domainkey CNAME vsm2.dkim.vastal.com."),
			want:    with(KeyDKIM1, "DKIM vsm1._domainkey.acme.test is a CNAME to vsm2.dkim.vastal.com; it must point to vsm1.dkim.vastal.com: change its target"),
		},
		"MX out-ranked": {
			records: append(goodRecords, "@ MX 5 aspmx.l.google.com."),
			want: with(KeyMX, "MX host aspmx.l.google.com (preference 5) takes precedence over mx.vastal.com (preference 10) at acme.test; "+
				"remove it or give it a preference number above 10"),
			found: map[string][]string{KeyMX: {"5 aspmx.l.google.com", "10 mx.vastal.com"}},
		},
		"MX out-ranked twice": {
			records: append(goodRecords, "@ MX 5 aspmx.l.google.com.", "@ MX 1 mx.other.test."),
			want: with(KeyMX, "MX hosts mx.other.test (preference 1) and aspmx.l.google.com (preference 5) take precedence over mx.vastal.com (preference 10) at acme.test; "+
				"remove them or give them preference numbers above 10"),
		},
		"MX with a backup and an equal": {
			records: append(goodRecords, "@ MX 20 backup.other.test.", "@ MX 10 mx2.other.test."),
			want:    allVerified,
		},
		"MX elsewhere": {
			records: replace("@ MX", "@ MX 1 aspmx.l.google.com."),
			want: with(KeyMX, `MX at acme.test points to aspmx.l.google.com (preference 1), not to mx.vastal.com; add the MX record "10 mx.vastal.com" `+
				`and remove the other one or give it a preference number above 10`),
		},
		"MX elsewhere, only higher numbers": {
			records: replace("@ MX", "@ MX 20 backup.other.test.", "@ MX 30 backup2.other.test."),
			want: with(KeyMX, `MX at acme.test points to backup.other.test (preference 20) and backup2.other.test (preference 30), not to mx.vastal.com; `+
				`add the MX record "10 mx.vastal.com"`),
		},
		"case and trailing dots": {
			domain: "ACME.Test.",
			records: []string{
				"ACME.TEST. MX 10 MX.VASTAL.COM.",
				`acme.TEST. TXT "V=SPF1 INCLUDE:_SPF.VASTAL.COM ~ALL"`,
				"VSM1._DOMAINKEY CNAME VSM1.DKIM.Vastal.Com.",
				"vsm2._DomainKey CNAME vsm2.dkim.vastal.com.",
			},
			want: allVerified,
			found: map[string][]string{
				KeyMX: {"10 mx.vastal.com"}, KeySPF: {"V=SPF1 INCLUDE:_SPF.VASTAL.COM ~ALL"},
				KeyDKIM1: {"vsm1.dkim.vastal.com"}, KeyDKIM2: {"vsm2.dkim.vastal.com"},
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			z := zoneWith(t, "acme.test", tc.records...)
			s1, s2 := startServer(t, z), startServer(t, z)
			c := newChecker(t, Config{Nameservers: nameservers(s1, s2)})
			res := check(t, c, cmpOr(tc.domain, "acme.test"))
			if diff := cmp.Diff(tc.want, verdicts(res)); diff != "" {
				t.Errorf("verdicts (-want +got):\n%s", diff)
			}
			for key, want := range tc.found {
				if diff := cmp.Diff(want, res.Record(key).Found); diff != "" {
					t.Errorf("%s Found (-want +got):\n%s", key, diff)
				}
			}
			if len(res.Warnings) != 0 {
				t.Errorf("warnings: %q", res.Warnings)
			}
			var wantIssues []string
			for _, k := range Keys {
				if tc.want[k] != "" {
					wantIssues = append(wantIssues, tc.want[k])
				}
			}
			if diff := cmp.Diff(wantIssues, res.Issues()); diff != "" {
				t.Errorf("Issues (-want +got):\n%s", diff)
			}
			if res.Domain != "acme.test" {
				t.Errorf("Domain = %q", res.Domain)
			}
			// One full round: one question per record per server, whatever is wrong.
			for _, s := range []*dnstest.Server{s1, s2} {
				if diff := cmp.Diff(oneFullRound, questions(s)); diff != "" || s.TotalQueries() != 4 {
					t.Errorf("server %s: %d queries (-want +got):\n%s", s.Addr, s.TotalQueries(), diff)
				}
			}
		})
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// spfInvalid is the sentence for an SPF record the parser rejects; the
// parser's own message is part of it, so it is taken from the parser.
func spfInvalid(txt string) string {
	return fmt.Sprintf("The SPF record at acme.test (%q) is not valid: %s; fix it, e.g. %q", txt, spfErrOf(txt), SPFRecord)
}

func TestCheck_largeAnswerOverTCP(t *testing.T) {
	records := append([]string{}, goodRecords...)
	for i := range 40 {
		records = append(records, fmt.Sprintf(`@ TXT "site-verification-%02d=%s"`, i, strings.Repeat("k", 40)))
	}
	z := zoneWith(t, "acme.test", records...)
	s := startServer(t, z)
	c := newChecker(t, Config{Nameservers: nameservers(s)})
	res := check(t, c, "acme.test")
	if diff := cmp.Diff(allVerified, verdicts(res)); diff != "" {
		t.Fatalf("verdicts (-want +got):\n%s", diff)
	}
	if got := len(res.Record(KeySPF).Found); got != 41 {
		t.Errorf("%d TXT found, want 41", got)
	}
	if got := s.TCPQueries("acme.test", dns.TypeTXT); got != 1 {
		t.Errorf("TXT asked %d times over TCP, want 1", got)
	}
	if got := s.Queries("acme.test", dns.TypeTXT); got != 2 {
		t.Errorf("TXT asked %d times, want 2 (UDP truncated, then TCP)", got)
	}
}
