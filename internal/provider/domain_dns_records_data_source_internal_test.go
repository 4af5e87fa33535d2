package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"

	"github.com/vastal/terraform-provider-vastal/internal/dnscheck"
	"github.com/vastal/terraform-provider-vastal/internal/dnstest"
	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

// parseZone parses zone-file text the way BIND-compatible tools do.
func parseZone(t *testing.T, zone string) []dns.RR {
	t.Helper()
	zp := dns.NewZoneParser(strings.NewReader(zone), "", "")
	var rrs []dns.RR
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		rrs = append(rrs, rr)
	}
	if err := zp.Err(); err != nil {
		t.Fatalf("zone file does not parse: %v\n%s", err, zone)
	}
	return rrs
}

func TestZoneFile_requiredRecords(t *testing.T) {
	got := zoneFile(dnscheck.Required("acme.com"), 3600)
	want := `acme.com. 3600 IN MX 10 mx.vastal.com.
acme.com. 3600 IN TXT "v=spf1 include:_spf.vastal.com ~all"
vsm1._domainkey.acme.com. 3600 IN CNAME vsm1.dkim.vastal.com.
vsm2._domainkey.acme.com. 3600 IN CNAME vsm2.dkim.vastal.com.
`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("zone file (-want +got):\n%s", diff)
	}

	rrs := parseZone(t, got)
	if len(rrs) != 4 {
		t.Fatalf("parsed %d records, want 4:\n%s", len(rrs), got)
	}
	mx, ok := rrs[0].(*dns.MX)
	if !ok || mx.Hdr.Name != "acme.com." || mx.Preference != 10 || mx.Mx != "mx.vastal.com." || mx.Hdr.Ttl != 3600 {
		t.Errorf("record 1 = %v, want the MX 10 mx.vastal.com. at acme.com. with TTL 3600", rrs[0])
	}
	txt, ok := rrs[1].(*dns.TXT)
	if !ok || txt.Hdr.Name != "acme.com." || strings.Join(txt.Txt, "") != dnscheck.SPFRecord {
		t.Errorf("record 2 = %v, want the SPF TXT at acme.com.", rrs[1])
	}
	for i, want := range []struct{ name, target string }{
		{"vsm1._domainkey.acme.com.", "vsm1.dkim.vastal.com."},
		{"vsm2._domainkey.acme.com.", "vsm2.dkim.vastal.com."},
	} {
		c, ok := rrs[2+i].(*dns.CNAME)
		if !ok || c.Hdr.Name != want.name || c.Target != want.target {
			t.Errorf("record %d = %v, want CNAME %s -> %s", 3+i, rrs[2+i], want.name, want.target)
		}
	}
}

func TestZoneFile_TXT(t *testing.T) {
	long := "v=spf1 " + strings.Repeat("include:_spf.example.com ", 24) + "~all" // 611 bytes
	cases := map[string]struct {
		value   string
		strings int    // character-strings in the line
		line    string // the whole line, when checked exactly
	}{
		"empty":           {value: "", strings: 1, line: `a.test. 60 IN TXT ""`},
		"exactly 255":     {value: strings.Repeat("x", 255), strings: 1},
		"256 splits":      {value: strings.Repeat("x", 256), strings: 2, line: `a.test. 60 IN TXT "` + strings.Repeat("x", 255) + `" "x"`},
		"long SPF":        {value: long, strings: 3},
		"quote backslash": {value: `say "hi" \o/`, strings: 1, line: `a.test. 60 IN TXT "say \"hi\" \\o/"`},
		"semicolon":       {value: "v=DKIM1; k=rsa; p=MIGf", strings: 1, line: `a.test. 60 IN TXT "v=DKIM1; k=rsa; p=MIGf"`},
		"non-ASCII":       {value: "caf\u00e9\ttab", strings: 1, line: `a.test. 60 IN TXT "caf\195\169\009tab"`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := zoneFile([]dnscheck.Requirement{{Type: "TXT", Name: "a.test", Value: tc.value}}, 60)
			if tc.line != "" && got != tc.line+"\n" {
				t.Errorf("line:\n got %s\nwant %s", got, tc.line)
			}
			rrs := parseZone(t, got)
			if len(rrs) != 1 {
				t.Fatalf("parsed %d records, want 1", len(rrs))
			}
			txt, ok := rrs[0].(*dns.TXT)
			if !ok {
				t.Fatalf("parsed a %T, want *dns.TXT", rrs[0])
			}
			if len(txt.Txt) != tc.strings {
				t.Errorf("%d character-strings, want %d", len(txt.Txt), tc.strings)
			}
			wire := wireStrings(t, txt.Txt)
			for i, s := range wire {
				if len(s) > 255 {
					t.Errorf("string %d is %d bytes, more than 255", i, len(s))
				}
			}
			if joined := strings.Join(wire, ""); joined != tc.value {
				t.Errorf("round trip: got %q, want %q", joined, tc.value)
			}
		})
	}
}

// wireStrings packs TXT strings as a DNS server would serve them and reads
// back the character-strings of the RDATA: miekg/dns keeps the zone file's
// escapes (\" and \DDD) in its TXT strings, the wire has the bytes.
func wireStrings(t *testing.T, txt []string) []string {
	t.Helper()
	rr := &dns.TXT{Hdr: dns.RR_Header{Name: "a.", Rrtype: dns.TypeTXT, Class: dns.ClassINET}, Txt: txt}
	buf := make([]byte, 4096)
	end, err := dns.PackRR(rr, buf, 0, nil, false)
	if err != nil {
		t.Fatalf("pack %q: %v", txt, err)
	}
	// Owner "a." (3 bytes), type, class, TTL and RDLENGTH (10 bytes), then
	// the RDATA: length-prefixed strings.
	var out []string
	for off := 13; off < end; {
		n := int(buf[off])
		out = append(out, string(buf[off+1:off+1+n]))
		off += 1 + n
	}
	return out
}

func TestZoneFile_otherTypesAndAbsoluteNames(t *testing.T) {
	got := zoneFile([]dnscheck.Requirement{
		{Type: "mx", Name: "b.test.", Value: "mx.b.test.", Priority: 5},
		{Type: "CNAME", Name: "c.b.test", Value: "target.example"},
	}, 300)
	want := "b.test. 300 IN MX 5 mx.b.test.\nc.b.test. 300 IN CNAME target.example.\n"
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	parseZone(t, got)
}

func priorityOf(i int) *int { return &i }

func TestRecordsFromMap_stableOrder(t *testing.T) {
	// The API's order is not relied upon: the records come back keyed and
	// in the order mx, spf, dkim1, dkim2 whatever order the API lists them.
	api := []vastal.DNSRecord{
		{Type: "CNAME", Name: "vsm2._domainkey.acme.com", Value: "vsm2.dkim.vastal.com"},
		{Type: "TXT", Name: "acme.com", Value: "v=spf1 include:_spf.vastal.com ~all"},
		{Type: "CNAME", Name: "vsm1._domainkey.acme.com", Value: "vsm1.dkim.vastal.com"},
		{Type: "MX", Name: "acme.com", Value: "mx.vastal.com", Priority: priorityOf(10)},
	}
	m, diags := dnsRecordsValue("acme.com", api)
	if diags.HasError() {
		t.Fatal(diags)
	}
	got := recordsFromMap(m)
	if diff := cmp.Diff(dnscheck.Required("acme.com"), got); diff != "" {
		t.Fatalf("records (-want +got):\n%s", diff)
	}
	list, diags := dnsRecordsListValue(got)
	if diags.HasError() {
		t.Fatal(diags)
	}
	var keys []string
	for _, e := range list.Elements() {
		keys = append(keys, e.String())
	}
	if len(keys) != 4 || !strings.Contains(keys[0], `"key":"mx"`) || !strings.Contains(keys[3], `"key":"dkim2"`) ||
		!strings.Contains(keys[0], `"priority":10`) || !strings.Contains(keys[1], `"priority":<null>`) {
		t.Fatalf("records_list = %v", keys)
	}
}

// The zone file is meant to be pasted into a zone as is: loaded into an
// authoritative server, its lines must pass the very checks verify runs.
func TestZoneFile_verifiesWhenServed(t *testing.T) {
	const domain = "paste.test"
	zone := dnstest.NewZone(domain)
	for _, line := range strings.Split(strings.TrimSuffix(zoneFile(dnscheck.Required(domain), zoneFileTTL), "\n"), "\n") {
		if err := zone.Add(line); err != nil {
			t.Fatalf("the zone refused %q: %v", line, err)
		}
	}
	srv, err := dnstest.NewServer(zone)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	c, err := dnscheck.New(dnscheck.Config{Nameservers: []string{srv.Addr}, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Check(context.Background(), domain)
	if err != nil {
		t.Fatal(err)
	}
	if !res.AllVerified() {
		t.Fatalf("records from zone_file did not verify: %v", res.Issues())
	}
}
