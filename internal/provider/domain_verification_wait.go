package provider

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/vastal/terraform-provider-vastal/internal/dnscheck"
	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

// apiVerifyInterval is how often a wait calls the API's verify while its
// own DNS checks still see missing records.
const apiVerifyInterval = 30 * time.Second

// apiSchedule is the least pause between verify calls while the provider's
// own DNS checks see every record in place but the API does not agree yet
// (its view may lag): quick at first, then every 5 s.
var apiSchedule = []time.Duration{time.Second, 2 * time.Second, 3 * time.Second, 5 * time.Second}

// dnsSchedule is the pause between DNS rounds by how long the wait has run.
// A round asks only the (server, record) pairs not yet confirmed, so it is
// cheap; the short pause is what makes a wait end within a second of the
// last record landing. Long waits back off to spare the servers.
var dnsSchedule = []struct {
	after time.Duration
	pause time.Duration
}{{0, 500 * time.Millisecond}, {time.Minute, time.Second}, {5 * time.Minute, 2 * time.Second}}

// dnsPause returns the pause before the next DNS round of a wait that has
// run for elapsed, with ±10 % jitter.
func dnsPause(elapsed time.Duration) time.Duration {
	d := dnsSchedule[0].pause
	for _, s := range dnsSchedule {
		if elapsed >= s.after {
			d = s.pause
		}
	}
	return jitter(d)
}

// apiPause returns the least pause after the n-th verify call (n ≥ 1)
// before the next one while DNS looks complete.
func apiPause(n int) time.Duration {
	if n-1 < len(apiSchedule) {
		return apiSchedule[n-1]
	}
	return apiSchedule[len(apiSchedule)-1]
}

func jitter(d time.Duration) time.Duration {
	return d + time.Duration(rand.Int64N(int64(d)/5+1)) - d/10
}

// verificationWaiter polls until a domain verifies, the timeout passes, or
// the domain fails.
type verificationWaiter struct {
	client  *vastal.Client
	domain  *vastal.Domain
	timeout time.Duration
	// watch, when set, makes each round check DNS itself (asking only what
	// is not yet confirmed) and call verify only when DNS looks complete,
	// or every apiVerifyInterval. Without it every round calls verify.
	watch *dnscheck.Watch

	rounds   int
	apiCalls int
	lastAPI  time.Time
	// completeAtAPI is whether DNS looked complete at the last verify call.
	completeAtAPI bool
	last          *vastal.Verification
	lastDNS       *dnscheck.Result
	lastDNSErr    error
}

func (w *verificationWaiter) wait(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	start := time.Now()
	for {
		done, err := w.round(ctx)
		if err != nil && ctx.Err() == nil {
			return err
		}
		if done {
			tflog.Info(ctx, "domain verified", map[string]any{"domain": w.domain.Domain, "rounds": w.rounds, "seconds": time.Since(start).Seconds()})
			return nil
		}
		if w.last != nil && w.last.Status == vastal.StatusFailed {
			return &verificationFailure{domain: w.domain.Domain, failed: true, v: w.last, rounds: w.rounds, waited: time.Since(start)}
		}
		pause := dnsPause(time.Since(start))
		if w.watch == nil {
			pause = jitter(apiPause(w.rounds))
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return &verificationFailure{domain: w.domain.Domain, v: w.final(), rounds: w.rounds, waited: time.Since(start), timeout: w.timeout}
			}
			return fmt.Errorf("waiting for %s to verify was cancelled after %d checks: %w", w.domain.Domain, w.rounds, ctx.Err())
		case <-t.C:
		}
	}
}

// round runs one check and reports whether the domain is verified.
func (w *verificationWaiter) round(ctx context.Context) (bool, error) {
	w.rounds++
	callAPI := true
	if w.watch != nil {
		res, err := w.watch.Round(ctx)
		if cutShort(ctx) {
			// A round cut short by the timeout or a cancel saw its own
			// queries fail; the last whole round is the better account.
			return false, nil
		}
		w.lastDNS, w.lastDNSErr = res, err
		dnsComplete := err == nil && res.AllVerified()
		since := time.Since(w.lastAPI)
		// The first round, the round DNS turns complete, then the slow
		// schedule while the API lags, and now and then regardless.
		callAPI = w.lastAPI.IsZero() ||
			dnsComplete && (!w.completeAtAPI || since >= apiPause(w.apiCalls)) ||
			since >= apiVerifyInterval
		if err == nil && (callAPI || w.rounds%10 == 1) {
			logRound(ctx, w.domain.Domain, w.rounds, "dns", res.Issues(), res.Warnings)
		}
		if callAPI {
			w.completeAtAPI = dnsComplete
		}
	}
	if !callAPI {
		return false, nil
	}
	w.lastAPI = time.Now()
	w.apiCalls++
	v, err := w.client.VerifyDomain(ctx, w.domain.ID)
	if cutShort(ctx) {
		return false, nil
	}
	if err != nil {
		if errors.Is(err, vastal.ErrNotFound) {
			return false, fmt.Errorf("the domain %s (%s) was deleted while waiting for its verification: %w", w.domain.Domain, w.domain.ID, err)
		}
		tflog.Warn(ctx, "verify call failed; trying again next round", map[string]any{"domain": w.domain.Domain, "error": err.Error()})
		return false, nil
	}
	w.last = v
	logRound(ctx, w.domain.Domain, w.rounds, "api", v.Issues, v.Warnings)
	return v.AllVerified, nil
}

// cutShort reports whether ctx ended, or reached its deadline, while a
// round ran: queries bounded by the deadline fail a moment before ctx.Err
// says so.
func cutShort(ctx context.Context) bool {
	if ctx.Err() != nil {
		return true
	}
	dl, ok := ctx.Deadline()
	return ok && !time.Now().Before(dl)
}

// final is the best account of the last round for a diagnosis: the API's
// verdict, or the provider's own DNS check when that is newer.
func (w *verificationWaiter) final() *vastal.Verification {
	if w.lastDNS != nil && (w.last == nil || w.lastDNS.Checked.After(w.lastAPI)) {
		return verificationFromDNS(w.lastDNS)
	}
	if w.last == nil {
		return &vastal.Verification{Status: w.domain.Status}
	}
	return w.last
}

func logRound(ctx context.Context, domain string, round int, source string, issues, warnings []string) {
	fields := map[string]any{"domain": domain, "round": round, "source": source}
	if len(issues) == 0 {
		tflog.Info(ctx, "DNS records look complete", fields)
		return
	}
	fields["missing"] = strings.Join(issues, "; ")
	if len(warnings) > 0 {
		fields["warnings"] = strings.Join(warnings, "; ")
	}
	tflog.Info(ctx, "still waiting for DNS records", fields)
}

// verificationFromDNS puts the provider's own DNS check in the API's shape.
func verificationFromDNS(r *dnscheck.Result) *vastal.Verification {
	v := &vastal.Verification{
		MXVerified: r.MXVerified(), SPFVerified: r.SPFVerified(), DKIMVerified: r.DKIMVerified(),
		AllVerified: r.AllVerified(), Issues: r.Issues(), Warnings: r.Warnings, Status: vastal.StatusPending,
	}
	for _, rec := range r.Records {
		c := vastal.Check{Type: rec.Type, Name: rec.Name, Expected: rec.Expected, Found: rec.Found, Verified: rec.Verified, Issue: rec.Issue}
		for _, s := range rec.Servers {
			c.Servers = append(c.Servers, vastal.ServerAnswer{Server: s.Server, State: s.State, Found: s.Found})
		}
		v.Checks = append(v.Checks, c)
	}
	return v
}

// verificationFailure is a wait that ended without verification; it renders
// the per-record diagnosis a user acts on.
type verificationFailure struct {
	domain  string
	failed  bool
	timeout time.Duration
	waited  time.Duration
	rounds  int
	v       *vastal.Verification
}

func (f *verificationFailure) Error() string { return f.summary() + ": " + f.detail() }

func (f *verificationFailure) summary() string {
	if f.failed {
		return "Domain Verification Failed"
	}
	return "Domain Verification Timed Out"
}

func (f *verificationFailure) detail() string {
	var b strings.Builder
	if f.failed {
		fmt.Fprintf(&b, "The domain %s is now \"failed\": it was not verified within 72 hours of being added. "+
			"A later successful verification still makes it active.\n", f.domain)
	} else {
		fmt.Fprintf(&b, "The domain %s was not verified within %s (%d checks).\n", f.domain, f.timeout, f.rounds)
	}
	b.WriteString("What the last check found, record by record:\n")
	if len(f.v.Checks) == 0 {
		for _, issue := range f.v.Issues {
			fmt.Fprintf(&b, "\n  - %s", issue)
		}
		if len(f.v.Issues) == 0 {
			b.WriteString("\n  (no check has completed yet)")
		}
	}
	for _, c := range f.v.Checks {
		mark := "MISSING"
		if c.Verified {
			mark = "ok"
		}
		fmt.Fprintf(&b, "\n  [%s] %s %s\n      expected: %s\n", mark, c.Type, c.Name, c.Expected)
		if !c.Verified {
			found := "nothing"
			if len(c.Found) > 0 {
				found = quoteAll(c.Found)
			}
			fmt.Fprintf(&b, "      found:    %s\n", found)
			for _, s := range c.Servers {
				what := s.State
				if len(s.Found) > 0 {
					what += " " + quoteAll(s.Found)
				}
				fmt.Fprintf(&b, "      on %s: %s\n", s.Server, what)
			}
			if c.Issue != "" {
				fmt.Fprintf(&b, "      issue:    %s\n", c.Issue)
			}
			fmt.Fprintf(&b, "      fix:      %s\n", recordFix(c.Type, c.Name))
		}
	}
	out := strings.TrimRight(b.String(), "\n") + "\n"
	for _, w := range f.v.Warnings {
		out += "\nNote: " + w
	}
	return strings.TrimRight(out, "\n") + "\n\nFix the records above in your DNS provider, then apply again; the wait starts over. " +
		"If your DNS provider is slow to publish, raise timeouts.create."
}

// recordFix is the seed's troubleshooting advice for a record type.
func recordFix(typ, name string) string {
	switch typ {
	case "MX":
		return fmt.Sprintf("add an MX record at the root of the domain (%s) for %s with priority %d, and remove or raise any MX with a lower priority number.",
			name, dnscheck.MXHost, dnscheck.MXPriority)
	case "TXT":
		return fmt.Sprintf("publish exactly one SPF record at %s that includes include:%s before its \"all\"; if one exists, merge them "+
			"(provider::vastal::spf_merge does it), e.g. %q.", name, dnscheck.SPFInclude, "v=spf1 include:_spf.vastal.com include:other.provider.com ~all")
	case "CNAME":
		target := dnscheck.DKIM1Target
		if strings.HasPrefix(strings.ToLower(name), dnscheck.DKIM2Host+".") {
			target = dnscheck.DKIM2Target
		}
		return fmt.Sprintf("DKIM uses CNAME records, not TXT: make %s a CNAME to %s (check the target for typos).", name, target)
	}
	return "publish the record as shown in vastal_domain.dns_records."
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}
