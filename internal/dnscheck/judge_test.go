package dnscheck

import (
	"testing"

	"github.com/miekg/dns"

	"github.com/vastal/terraform-provider-vastal/internal/spf"
)

func spfErrOf(txt string) string {
	_, err := spf.Parse(txt)
	if err == nil {
		return "(parsed without error)"
	}
	return spfErr(err)
}

func TestSentences(t *testing.T) {
	ns := func(name string, serial uint32) ServerAnswer { return ServerAnswer{Server: name, Serial: serial} }
	tests := map[string]struct{ got, want string }{
		"lagging, one each": {
			laggingIssue("MX record", "acme.com", []ServerAnswer{ns("ns2", 2024010101)}, []ServerAnswer{ns("ns1", 2024010102)}),
			"The name servers of acme.com disagree on the MX record: ns2 (serial 2024010101) has not yet got the record that ns1 (serial 2024010102) serves; " +
				"wait for the zone to reach every name server, or check its zone transfers",
		},
		"lagging, two behind": {
			laggingIssue("SPF record", "acme.com", []ServerAnswer{ns("ns2", 7), ns("ns3", 0)}, []ServerAnswer{ns("ns1", 8)}),
			"The name servers of acme.com disagree on the SPF record: ns2 (serial 7) and ns3 (serial unknown) have not yet got the record that ns1 (serial 8) serves; " +
				"wait for the zone to reach every name server, or check its zone transfers",
		},
		"lagging, two ahead": {
			laggingIssue("SPF record", "acme.com", []ServerAnswer{ns("ns3", 7)}, []ServerAnswer{ns("ns1", 8), ns("ns2", 8)}),
			"The name servers of acme.com disagree on the SPF record: ns3 (serial 7) has not yet got the record that ns1 (serial 8) and ns2 (serial 8) serve; " +
				"wait for the zone to reach every name server, or check its zone transfers",
		},
		"removed on the primary": {
			laggingIssue("DKIM CNAME vsm1._domainkey", "acme.com", []ServerAnswer{ns("ns1", 9)}, []ServerAnswer{ns("ns2", 8), ns("ns3", 8)}),
			"The name servers of acme.com disagree on the DKIM CNAME vsm1._domainkey: ns1 (serial 9) no longer serves the record that ns2 (serial 8) and ns3 (serial 8) still serve; " +
				"publish it again on the primary",
		},
		"quorum, some": {
			quorumIssue("MX record", "acme.com", 1, 3, 2),
			"Could not check the MX record of acme.com: only 1 of its 3 name servers answered authoritatively and at least 2 must; see the warnings",
		},
		"quorum, none": {
			quorumIssue("SPF record", "acme.com", 0, 2, 2),
			"Could not check the SPF record of acme.com: none of its 2 name servers answered authoritatively; see the warnings",
		},
		"unreachable warning": {
			serverWarning(server{name: "ns1.acme.com", addr: "192.0.2.1:53"}, recAnswer{answer: answer{state: StateUnreachable, detail: "no reply within 2s over UDP and TCP"}}),
			"Name server ns1.acme.com (192.0.2.1:53) did not answer (no reply within 2s over UDP and TCP); it was left out of the verdict",
		},
		"lame warning": {
			serverWarning(server{name: "192.0.2.1:53", addr: "192.0.2.1:53"}, recAnswer{answer: answer{state: StateLame, detail: "it answered REFUSED"}}),
			"Name server 192.0.2.1:53 is lame: it answered REFUSED; it was left out of the verdict",
		},
		"MX not found":    {JudgeMX("acme.com", nil), "MX record not found"},
		"MX ours only":    {JudgeMX("acme.com", []MX{{10, "mx.vastal.com"}}), ""},
		"MX ours twice":   {JudgeMX("acme.com", []MX{{30, "mx.vastal.com"}, {5, "mx.vastal.com"}, {20, "backup.acme.com"}}), ""},
		"MX tie is fine":  {JudgeMX("acme.com", []MX{{10, "mx.vastal.com"}, {10, "mx2.acme.com"}}), ""},
		"MX upper case":   {JudgeMX("acme.com", []MX{{10, "MX.Vastal.Com."}}), ""},
		"SPF not found":   {JudgeSPF("acme.com", []string{"hello", "v=spf10 a"}), "SPF record not found"},
		"SPF upper case":  {JudgeSPF("acme.com", []string{"V=SPF1 Include:_SPF.Vastal.Com -ALL"}), ""},
		"SPF first":       {JudgeSPF("acme.com", []string{"v=spf1 include:_spf.vastal.com"}), ""},
		"SPF after mx ok": {JudgeSPF("acme.com", []string{"v=spf1 mx a include:_spf.vastal.com ~all"}), ""},
		"SPF invalid": {
			JudgeSPF("acme.com", []string{"v=spf1 include: ~all"}),
			`The SPF record at acme.com ("v=spf1 include: ~all") is not valid: ` + spfErrOf("v=spf1 include: ~all") + `; fix it, e.g. "v=spf1 include:_spf.vastal.com ~all"`,
		},
		"SPF merge that conflicts on all": {
			JudgeSPF("acme.com", []string{"v=spf1 include:a.test -all", "v=spf1 include:b.test ~all"}),
			`Found 2 SPF records at acme.com ("v=spf1 include:a.test -all" and "v=spf1 include:b.test ~all"); only one is allowed: merge them into one, ` +
				`e.g. "v=spf1 include:a.test include:b.test include:_spf.vastal.com ~all"`,
		},
		"SPF merge of unparsable records": {
			JudgeSPF("acme.com", []string{"v=spf1 include: -all", "v=spf1 ip4:300.0.0.1 ~all"}),
			`Found 2 SPF records at acme.com ("v=spf1 include: -all" and "v=spf1 ip4:300.0.0.1 ~all"); only one is allowed: merge them into one`,
		},
		"DKIM ok, other case": {JudgeDKIM("acme.com", DKIM1Host, DKIM1Target, "VSM1.DKIM.VASTAL.COM.", nil), ""},
		"DKIM wrong target, trailing dot": {
			JudgeDKIM("acme.com", DKIM2Host, DKIM2Target, "Other.Example.", nil),
			"DKIM vsm2._domainkey.acme.com is a CNAME to other.example; it must point to vsm2.dkim.vastal.com: change its target",
		},
		"DKIM TXT":       {JudgeDKIM("acme.com", DKIM1Host, DKIM1Target, "", []string{"v=DKIM1; p=x"}), "DKIM vsm1._domainkey.acme.com is published as a TXT record; it must be a CNAME to vsm1.dkim.vastal.com (DKIM uses CNAME records, not TXT)"},
		"DKIM not found": {JudgeDKIM("acme.com", DKIM2Host, DKIM2Target, "", nil), "DKIM CNAME vsm2._domainkey not found"},
	}
	for name, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", name, tc.got, tc.want)
		}
	}
}

func TestTXTString(t *testing.T) {
	tests := map[string]struct {
		rr   string
		want string
	}{
		"split":         {`x. TXT "v=spf1 include:_spf.vas" "tal.com ~all"`, "v=spf1 include:_spf.vastal.com ~all"},
		"quote":         {`x. TXT "say \"hi\""`, `say "hi"`},
		"backslash":     {`x. TXT "a\\b"`, `a\b`},
		"decimal":       {`x. TXT "a\009b\255"`, "a\tb\xff"},
		"empty strings": {`x. TXT "" "a" ""`, "a"},
	}
	for name, tc := range tests {
		rr, err := dns.NewRR(tc.rr)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// Through the wire, as a server's answer arrives.
		buf := make([]byte, 512)
		off, err := dns.PackRR(rr, buf, 0, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		back, _, err := dns.UnpackRR(buf[:off], 0)
		if err != nil {
			t.Fatal(err)
		}
		txt, ok := back.(*dns.TXT)
		if !ok {
			t.Fatalf("%s: unpacked a %T, want *dns.TXT", name, back)
		}
		if got := TXTString(txt); got != tc.want {
			t.Errorf("%s: got %q, want %q", name, got, tc.want)
		}
	}
}
