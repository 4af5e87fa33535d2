package spf

// MaxStringLength is the longest character-string a TXT record can hold
// (RFC 1035 section 3.3); longer values are published as several strings,
// which receivers join without a separator (RFC 7208 section 3.3).
const MaxStringLength = 255

// Chunks renders r with String and splits it for DNS providers that want a
// TXT record's strings one by one.
func (r *Record) Chunks() []string { return SplitTXT(r.String()) }

// SplitTXT splits s into strings of at most MaxStringLength bytes, in order,
// so that joining them gives s back. An empty s gives one empty string, since
// a TXT record has at least one.
func SplitTXT(s string) []string {
	out := make([]string, 0, len(s)/MaxStringLength+1)
	for len(s) > MaxStringLength {
		out = append(out, s[:MaxStringLength])
		s = s[MaxStringLength:]
	}
	return append(out, s)
}
