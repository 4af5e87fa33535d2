package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/vastal/terraform-provider-vastal/internal/dnstest"
)

func TestRun_addAndDelete(t *testing.T) {
	z := dnstest.NewZone("example.test")
	s, err := dnstest.NewServer(z)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	}()
	nsupdate := func(args ...string) error {
		var out, log bytes.Buffer
		return run(append([]string{"-server", s.Addr, "-zone", "example.test"}, args...), &out, &log)
	}
	count := func(name string, rrtype uint16) int {
		n := 0
		for _, rr := range z.Records() {
			if rr.Header().Rrtype == rrtype && dns.CanonicalName(rr.Header().Name) == dns.CanonicalName(name) {
				n++
			}
		}
		return n
	}
	steps := []struct {
		args []string
		name string
		typ  uint16
		want int
	}{
		{[]string{"add", "@", "60", "MX", "10", "mx.vastal.com."}, "example.test.", dns.TypeMX, 1},
		{[]string{"add", "@", "MX", "20", "backup.example.test."}, "example.test.", dns.TypeMX, 2},
		{[]string{"add", "@", "TXT", `"v=spf1 include:_spf.vastal.com ~all"`}, "example.test.", dns.TypeTXT, 1},
		{[]string{"add", "vsm1._domainkey", "300", "CNAME", "vsm1.dkim.vastal.com."}, "vsm1._domainkey.example.test.", dns.TypeCNAME, 1},
		{[]string{"delete", "@", "MX", "20", "backup.example.test."}, "example.test.", dns.TypeMX, 1},
		{[]string{"delete", "example.test.", "TXT"}, "example.test.", dns.TypeTXT, 0},
	}
	for _, st := range steps {
		if err := nsupdate(st.args...); err != nil {
			t.Fatalf("%q: %v", st.args, err)
		}
		if got := count(st.name, st.typ); got != st.want {
			t.Fatalf("after %q: %d records, want %d", st.args, got, st.want)
		}
	}

	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"too few":      {[]string{"add", "@"}, "too few arguments"},
		"unknown op":   {[]string{"replace", "@", "MX", "10", "x."}, `unknown operation "replace"`},
		"unknown type": {[]string{"add", "@", "BOGUS", "x"}, `unknown record type "BOGUS"`},
		"no value":     {[]string{"add", "@", "60", "MX"}, "add needs a VALUE"},
		"out of zone":  {[]string{"add", "other.test.", "A", "127.0.0.1"}, "is not in the zone"},
		"bad record":   {[]string{"add", "@", "MX", "ten", "x."}, "record:"},
	} {
		err := nsupdate(tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to say %q", name, err, tc.want)
		}
	}

	// A zone the server does not serve: the server's refusal is reported.
	err = run([]string{"-server", s.Addr, "-zone", "other.test", "add", "@", "A", "127.0.0.1"}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "refused the update of other.test: NOTAUTH") {
		t.Errorf("other zone: %v", err)
	}
	// No server listening.
	err = run([]string{"-server", "127.0.0.1:1", "-zone", "example.test", "add", "@", "A", "127.0.0.1"}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "send the update to 127.0.0.1:1") {
		t.Errorf("no server: %v", err)
	}
}
