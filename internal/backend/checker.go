package backend

import (
	"context"
	"time"

	"github.com/vastal/terraform-provider-vastal/internal/dnscheck"
)

// DNSChecker is what verify asks about a domain's required records;
// *dnscheck.Checker satisfies it.
type DNSChecker interface {
	Check(ctx context.Context, domain string) (*dnscheck.Result, error)
}

// NotFoundChecker is an honest checker for a backend without DNS access: it
// asks no server and reports every required record as not found, in the
// words of the vendor's page ("SPF record not found").
type NotFoundChecker struct{}

var (
	_ DNSChecker = NotFoundChecker{}
	_ DNSChecker = (*dnscheck.Checker)(nil)
)

// Check implements DNSChecker.
func (NotFoundChecker) Check(ctx context.Context, domain string) (*dnscheck.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := &dnscheck.Result{
		Domain:   domain,
		Warnings: []string{"No DNS server was asked: this backend has no DNS checker configured, so every record is reported as not found."},
		Checked:  time.Now().UTC(),
	}
	for _, req := range dnscheck.Required(domain) {
		res.Records = append(res.Records, dnscheck.RecordResult{
			Key:      req.Key,
			Type:     req.Type,
			Name:     req.Name,
			Expected: expected(req),
			Found:    []string{},
			Issue:    notFoundIssue(req),
		})
	}
	return res, nil
}

// expected is what a check looks for, as api.md shows it: the SPF check
// wants the include mechanism, not the whole suggested record.
func expected(req dnscheck.Requirement) string {
	if req.Key == dnscheck.KeySPF {
		return "include:" + dnscheck.SPFInclude
	}
	return req.Value
}

func notFoundIssue(req dnscheck.Requirement) string {
	switch req.Key {
	case dnscheck.KeyMX:
		return "MX record not found"
	case dnscheck.KeySPF:
		return "SPF record not found"
	default:
		return "DKIM CNAME " + req.Host + " not found"
	}
}
