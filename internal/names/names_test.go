package names

import (
	"errors"
	"strings"
	"testing"
)

func TestDomain(t *testing.T) {
	long63 := strings.Repeat("a", 63)
	cases := map[string]struct {
		in      string
		want    string
		wantErr string
	}{
		"canonical":             {in: "acme.com", want: "acme.com"},
		"upper case":            {in: "ACME.Com", want: "acme.com"},
		"trailing dot":          {in: "acme.com.", want: "acme.com"},
		"unicode":               {in: "Bücher.Example", want: "xn--bcher-kva.example"},
		"unicode trailing dot":  {in: "bücher.example.", want: "xn--bcher-kva.example"},
		"a-label kept":          {in: "xn--bcher-kva.example", want: "xn--bcher-kva.example"},
		"inner hyphen":          {in: "my-shop.co.uk", want: "my-shop.co.uk"},
		"label of 63":           {in: long63 + ".com", want: long63 + ".com"},
		"digits":                {in: "123.example", want: "123.example"},
		"empty":                 {in: "", wantErr: "empty"},
		"only a dot":            {in: ".", wantErr: "empty"},
		"single label":          {in: "localhost", wantErr: "single label"},
		"leading hyphen":        {in: "-acme.com", wantErr: "starts or ends with a hyphen"},
		"trailing hyphen":       {in: "acme-.com", wantErr: "starts or ends with a hyphen"},
		"underscore":            {in: "ac_me.com", wantErr: "character '_'"},
		"space inside":          {in: "ac me.com", wantErr: "character ' '"},
		"spaces around":         {in: " acme.com", wantErr: "spaces"},
		"double dot":            {in: "acme..com", wantErr: "empty label"},
		"leading dot":           {in: ".acme.com", wantErr: "empty label"},
		"label of 64":           {in: long63 + "a.com", wantErr: "at most 63"},
		"too long":              {in: strings.Repeat(long63+".", 4) + "com", wantErr: "1 to 253"},
		"scheme":                {in: "https://acme.com", wantErr: "character ':'"},
		"address not domain":    {in: "hello@acme.com", wantErr: "character '@'"},
		"unicode invalid label": {in: "bü_cher.example", wantErr: "character '_'"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := Domain(tc.in)
			if tc.wantErr != "" {
				if err == nil {
					t.Fatalf("Domain(%q) = %q, want an error with %q", tc.in, got, tc.wantErr)
				}
				if !errors.Is(err, ErrInvalidDomain) {
					t.Errorf("error %v does not wrap ErrInvalidDomain", err)
				}
				if !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("error %q does not say %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Domain(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
			// Canonical output is a fixed point and valid on the wire.
			if again, err := Domain(got); err != nil || again != got {
				t.Errorf("Domain(Domain(%q)) = %q, %v", tc.in, again, err)
			}
			if err := ValidCanonicalDomain(got); err != nil {
				t.Errorf("ValidCanonicalDomain(%q): %v", got, err)
			}
		})
	}
}

func TestValidCanonicalDomain_rejectsOtherSpellings(t *testing.T) {
	for _, in := range []string{"ACME.com", "acme.com.", "bücher.example"} {
		if err := ValidCanonicalDomain(in); err == nil {
			t.Errorf("ValidCanonicalDomain(%q) accepted a non-canonical spelling", in)
		}
	}
}

func TestLocalPart(t *testing.T) {
	cases := map[string]struct {
		in, want, wantErr string
	}{
		"simple":        {in: "hello", want: "hello"},
		"upper case":    {in: "Hello.World", want: "hello.world"},
		"specials":      {in: "a!#$%&'*+/=?^_`{|}~-b", want: "a!#$%&'*+/=?^_`{|}~-b"},
		"64 characters": {in: strings.Repeat("x", 64), want: strings.Repeat("x", 64)},
		"empty":         {in: "", wantErr: "1 to 64"},
		"65 characters": {in: strings.Repeat("x", 65), wantErr: "1 to 64"},
		"leading dot":   {in: ".hello", wantErr: "starts or ends with a dot"},
		"trailing dot":  {in: "hello.", wantErr: "starts or ends with a dot"},
		"double dot":    {in: "a..b", wantErr: "two dots"},
		"at sign":       {in: "a@b", wantErr: "character '@'"},
		"space":         {in: "a b", wantErr: "character ' '"},
		"quote":         {in: `"a"`, wantErr: `character '"'`},
		"non-ascii":     {in: "josé", wantErr: "character"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := LocalPart(tc.in)
			if tc.wantErr != "" {
				if err == nil || !errors.Is(err, ErrInvalidLocalPart) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("LocalPart(%q) = %q, %v; want an ErrInvalidLocalPart saying %q", tc.in, got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("LocalPart(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestSplitAddress(t *testing.T) {
	local, domain, err := SplitAddress("Hello@Bücher.Example.")
	if err != nil || local != "hello" || domain != "xn--bcher-kva.example" {
		t.Fatalf("SplitAddress = %q, %q, %v", local, domain, err)
	}
	for _, bad := range []string{"hello", "@acme.com", "hello@", "a..b@acme.com", "hello@localhost"} {
		if _, _, err := SplitAddress(bad); err == nil {
			t.Errorf("SplitAddress(%q) accepted it", bad)
		}
	}
}

func TestHostAndEqual(t *testing.T) {
	cases := []struct{ fqdn, domain, want string }{
		{"acme.com", "acme.com", "@"},
		{"ACME.com.", "acme.com", "@"},
		{"vsm1._domainkey.acme.com", "acme.com", "vsm1._domainkey"},
		{"vsm1._domainkey.acme.com.", "ACME.COM.", "vsm1._domainkey"},
		{"other.example", "acme.com", "other.example"},
	}
	for _, c := range cases {
		if got := Host(c.fqdn, c.domain); got != c.want {
			t.Errorf("Host(%q, %q) = %q, want %q", c.fqdn, c.domain, got, c.want)
		}
	}
	if !Equal("Vsm1._DomainKey.acme.com.", "vsm1._domainkey.acme.com") || Equal("acme.com", "acme.co") {
		t.Error("Equal must ignore case and a trailing dot, and nothing else")
	}
}
