// Package names validates and normalises the names the Vastal API deals in:
// domain names and the local parts of email addresses.
package names

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/net/idna"
)

// ErrInvalidDomain is wrapped by every error Domain returns.
var ErrInvalidDomain = errors.New("invalid domain name")

// ErrInvalidLocalPart is wrapped by every error LocalPart returns.
var ErrInvalidLocalPart = errors.New("invalid local part")

var lookup = idna.New(
	idna.MapForLookup(),
	idna.Transitional(false),
	idna.StrictDomainName(false),
	idna.VerifyDNSLength(false),
)

// Domain returns the canonical form of a domain name as the API stores it:
// IDNA A-labels, lower case, no trailing dot. Any spelling a user may write
// (Unicode, upper case, a trailing dot) is accepted; the result must satisfy
// the label rules of the API or an error wrapping ErrInvalidDomain says which
// rule it breaks.
func Domain(s string) (string, error) {
	in := strings.TrimSpace(s)
	if in != s {
		return "", fmt.Errorf("%w: %q has leading or trailing spaces", ErrInvalidDomain, s)
	}
	in = strings.TrimSuffix(in, ".")
	if in == "" {
		return "", fmt.Errorf("%w: the name is empty", ErrInvalidDomain)
	}
	ascii := strings.ToLower(in)
	if !isASCII(in) {
		a, err := lookup.ToASCII(in)
		if err != nil {
			return "", fmt.Errorf("%w: %q cannot be converted to its ASCII (punycode) form: %v", ErrInvalidDomain, s, err)
		}
		ascii = strings.ToLower(a)
	}
	if err := validateCanonical(ascii); err != nil {
		return "", fmt.Errorf("%w: %q %s", ErrInvalidDomain, s, err.Error())
	}
	return ascii, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// ValidCanonicalDomain reports whether s is already in canonical form and valid,
// which is what the API requires on the wire.
func ValidCanonicalDomain(s string) error {
	if err := validateCanonical(s); err != nil {
		return fmt.Errorf("%w: %q %s", ErrInvalidDomain, s, err.Error())
	}
	return nil
}

func validateCanonical(s string) error {
	if len(s) < 1 || len(s) > 253 {
		return fmt.Errorf("is %d characters long; a domain name has 1 to 253", len(s))
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return errors.New("has a single label; a domain name needs at least two, such as example.com")
	}
	for _, l := range labels {
		if l == "" {
			return errors.New("has an empty label (two dots in a row, or a leading dot)")
		}
		if len(l) > 63 {
			return fmt.Errorf("has the label %q of %d characters; a label has at most 63", l, len(l))
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return fmt.Errorf("has the label %q, which starts or ends with a hyphen", l)
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
				return fmt.Errorf("has the character %q in the label %q; labels hold only letters, digits and inner hyphens", c, l)
			}
		}
	}
	return nil
}

const localSpecials = "!#$%&'*+/=?^_`{|}~-"

// LocalPart returns the canonical (lower-case) form of the local part of an
// email address, or an error wrapping ErrInvalidLocalPart that says which rule
// it breaks: 1 to 64 characters, a dot-atom of letters, digits and
// !#$%&'*+/=?^_`{|}~- with no leading, trailing or double dot.
func LocalPart(s string) (string, error) {
	l := strings.ToLower(s)
	if len(l) < 1 || len(l) > 64 {
		return "", fmt.Errorf("%w: %q is %d characters long; a local part has 1 to 64", ErrInvalidLocalPart, s, len(l))
	}
	if l[0] == '.' || l[len(l)-1] == '.' {
		return "", fmt.Errorf("%w: %q starts or ends with a dot", ErrInvalidLocalPart, s)
	}
	if strings.Contains(l, "..") {
		return "", fmt.Errorf("%w: %q has two dots in a row", ErrInvalidLocalPart, s)
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || strings.IndexByte(localSpecials, c) >= 0 {
			continue
		}
		return "", fmt.Errorf("%w: %q has the character %q; a local part holds only letters, digits, dots and %s", ErrInvalidLocalPart, s, c, localSpecials)
	}
	return l, nil
}

// SplitAddress splits "local@domain" into its canonical local part and domain.
func SplitAddress(s string) (local, domain string, err error) {
	i := strings.LastIndexByte(s, '@')
	if i <= 0 || i == len(s)-1 {
		return "", "", fmt.Errorf("%q is not an email address of the form local@domain", s)
	}
	if local, err = LocalPart(s[:i]); err != nil {
		return "", "", err
	}
	if domain, err = Domain(s[i+1:]); err != nil {
		return "", "", err
	}
	return local, domain, nil
}

// Host returns the part of fqdn left of domain ("@" for the apex), as DNS
// providers want it: "vsm1._domainkey" for vsm1._domainkey.example.com.
func Host(fqdn, domain string) string {
	f := strings.ToLower(strings.TrimSuffix(fqdn, "."))
	d := strings.ToLower(strings.TrimSuffix(domain, "."))
	if f == d {
		return "@"
	}
	if strings.HasSuffix(f, "."+d) {
		return strings.TrimSuffix(f, "."+d)
	}
	return f
}

// Equal reports whether two DNS names are the same, ignoring case and a
// trailing dot.
func Equal(a, b string) bool {
	return strings.EqualFold(strings.TrimSuffix(a, "."), strings.TrimSuffix(b, "."))
}
