package names

import (
	"errors"
	"strings"
	"testing"
)

// FuzzDomain: any string is either refused with ErrInvalidDomain or turned
// into a canonical name that is valid, stable and within the API's limits.
func FuzzDomain(f *testing.F) {
	for _, s := range []string{"acme.com", "ACME.com.", "bücher.example", "xn--bcher-kva.example", "a..b", "-a.com",
		"a.b-", "com", "", " acme.com", "a." + strings.Repeat("b", 64), strings.Repeat("a.", 127) + "a", "ﬀ.com", "İ.com", "\xff.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := Domain(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidDomain) {
				t.Fatalf("Domain(%q) error %v does not wrap ErrInvalidDomain", s, err)
			}
			return
		}
		if err := ValidCanonicalDomain(out); err != nil {
			t.Fatalf("Domain(%q) = %q, which is not canonical: %v", s, out, err)
		}
		again, err := Domain(out)
		if err != nil || again != out {
			t.Fatalf("Domain(%q) = %q, but Domain(%q) = %q, %v", s, out, out, again, err)
		}
		if !Equal(out, out+".") {
			t.Fatalf("Equal(%q, %q+\".\") is false", out, out)
		}
	})
}

// FuzzLocalPart: a local part is refused with ErrInvalidLocalPart or made
// lower case, valid and stable; SplitAddress agrees with both.
func FuzzLocalPart(f *testing.F) {
	for _, s := range []string{"hello", "Sales", "a.b", ".a", "a.", "a..b", "a+tag", "o'brien", "we{ird}", "é", "K", strings.Repeat("x", 64), strings.Repeat("x", 65), "", "a@b", "İ"} {
		f.Add(s, "acme.com")
	}
	f.Fuzz(func(t *testing.T, local, domain string) {
		out, err := LocalPart(local)
		if err != nil {
			if !errors.Is(err, ErrInvalidLocalPart) {
				t.Fatalf("LocalPart(%q) error %v does not wrap ErrInvalidLocalPart", local, err)
			}
		} else {
			if len(out) < 1 || len(out) > 64 || out != strings.ToLower(out) || strings.Contains(out, "..") || strings.Contains(out, "@") {
				t.Fatalf("LocalPart(%q) = %q, which breaks the rules", local, out)
			}
			if again, err := LocalPart(out); err != nil || again != out {
				t.Fatalf("LocalPart(%q) = %q, but LocalPart(%q) = %q, %v", local, out, out, again, err)
			}
		}
		l, d, serr := SplitAddress(local + "@" + domain)
		if serr != nil {
			return
		}
		if strings.Contains(local, "@") {
			return // split at the last @: another local part than the one above
		}
		wantD, derr := Domain(domain)
		if err != nil || derr != nil || l != out || d != wantD {
			t.Fatalf("SplitAddress(%q@%q) = %q, %q; LocalPart = %q, %v; Domain = %q, %v", local, domain, l, d, out, err, wantD, derr)
		}
	})
}
