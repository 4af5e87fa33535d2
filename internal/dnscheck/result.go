package dnscheck

import "time"

// Server answer states.
const (
	StateData        = "data"        // an authoritative answer with records
	StateNotYet      = "not_yet"     // authoritative NXDOMAIN or NODATA
	StateLame        = "lame"        // REFUSED, SERVFAIL, NOTAUTH, or not authoritative
	StateUnreachable = "unreachable" // no answer within the timeouts
)

// Result is the verdict on all four required records of a domain.
type Result struct {
	Domain   string
	Records  []RecordResult // in the order of Keys
	Warnings []string       // servers excluded from the verdict, and why
	Servers  []string       // the authoritative servers asked, host:port
	Checked  time.Time
}

// RecordResult is the verdict on one required record.
type RecordResult struct {
	Key      string
	Type     string
	Name     string
	Expected string
	Found    []string // what the servers returned, deduplicated, as presentation strings
	Verified bool
	Issue    string // one sentence in the seed's style; empty when verified
	Servers  []ServerAnswer
}

// ServerAnswer is one authoritative server's answer for one record.
type ServerAnswer struct {
	Server string
	State  string
	Found  []string
	Serial uint32 // SOA serial when the server returned one (authority section or a separate query)
	Detail string // rcode or error, for lame and unreachable
}

// Record returns the result for key, or nil.
func (r *Result) Record(key string) *RecordResult {
	for i := range r.Records {
		if r.Records[i].Key == key {
			return &r.Records[i]
		}
	}
	return nil
}

func (r *Result) verified(keys ...string) bool {
	for _, k := range keys {
		rec := r.Record(k)
		if rec == nil || !rec.Verified {
			return false
		}
	}
	return true
}

// MXVerified reports whether the MX record passed.
func (r *Result) MXVerified() bool { return r.verified(KeyMX) }

// SPFVerified reports whether the SPF record passed.
func (r *Result) SPFVerified() bool { return r.verified(KeySPF) }

// DKIMVerified reports whether both DKIM records passed.
func (r *Result) DKIMVerified() bool { return r.verified(KeyDKIM1, KeyDKIM2) }

// AllVerified reports whether every required record passed.
func (r *Result) AllVerified() bool { return r.verified(Keys...) }

// Issues returns the issue sentences of the records that did not pass, in order.
func (r *Result) Issues() []string {
	var out []string
	for _, rec := range r.Records {
		if !rec.Verified && rec.Issue != "" {
			out = append(out, rec.Issue)
		}
	}
	return out
}
