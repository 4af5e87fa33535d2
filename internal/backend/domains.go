package backend

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/vastal/terraform-provider-vastal/internal/dnscheck"
	"github.com/vastal/terraform-provider-vastal/internal/names"
	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

// PendingTimeout is how long a domain may stay pending: a domain not verified
// within it after being added is failed.
const PendingTimeout = 72 * time.Hour

// domainRow is a domains row as stored. Its status is pending or active:
// failed is derived from the clock on every read, so that no read writes.
type domainRow struct {
	id                         string
	name                       string
	status                     string
	mx, spf, dkim              bool
	seenMX, seenSPF, seenDKIM1 bool
	seenDKIM2                  bool
	verifiedAt                 sql.NullInt64
	createdAt                  int64
}

const domainCols = `id, name, status, mx_verified, spf_verified, dkim_verified,
	seen_mx, seen_spf, seen_dkim1, seen_dkim2, verified_at, created_at`

type scanner interface{ Scan(dest ...any) error }

func scanDomain(s scanner) (*domainRow, error) {
	var d domainRow
	err := s.Scan(&d.id, &d.name, &d.status, &d.mx, &d.spf, &d.dkim,
		&d.seenMX, &d.seenSPF, &d.seenDKIM1, &d.seenDKIM2, &d.verifiedAt, &d.createdAt)
	if err != nil {
		return nil, err
	}
	return &d, nil
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func loadDomain(ctx context.Context, q queryer, id string) (*domainRow, error) {
	d, err := scanDomain(q.QueryRowContext(ctx, `SELECT `+domainCols+` FROM domains WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("No domain with the ID %q exists in this organization.", id)
	}
	if err != nil {
		return nil, fmt.Errorf("load domain %s: %w", id, err)
	}
	return d, nil
}

// effectiveStatus applies the 72-hour rule to the stored status.
func (d *domainRow) effectiveStatus(now time.Time) string {
	if d.status == vastal.StatusPending && !now.Before(time.Unix(d.createdAt, 0).Add(PendingTimeout)) {
		return vastal.StatusFailed
	}
	return d.status
}

func (d *domainRow) wire(now time.Time) vastal.Domain {
	out := vastal.Domain{
		ID:            d.id,
		Domain:        d.name,
		Status:        d.effectiveStatus(now),
		Type:          "imported",
		DNSConfigured: d.seenMX && d.seenSPF && d.seenDKIM1 && d.seenDKIM2,
		MXVerified:    d.mx,
		SPFVerified:   d.spf,
		DKIMVerified:  d.dkim,
		CreatedAt:     time.Unix(d.createdAt, 0).UTC(),
		DNSRecords:    dnsRecords(d.name),
	}
	if d.verifiedAt.Valid {
		t := time.Unix(d.verifiedAt.Int64, 0).UTC()
		out.VerifiedAt = &t
	}
	return out
}

func dnsRecords(domain string) []vastal.DNSRecord {
	req := dnscheck.Required(domain)
	out := make([]vastal.DNSRecord, len(req))
	for i, r := range req {
		out[i] = vastal.DNSRecord{Type: r.Type, Name: r.Name, Value: r.Value}
		if r.Type == "MX" {
			p := r.Priority
			out[i].Priority = &p
		}
	}
	return out
}

func (b *Backend) listDomains(r *request) (*response, error) {
	ctx := r.Context()
	query := `SELECT ` + domainCols + ` FROM domains`
	var args []any
	if q := r.URL.Query(); q.Has("domain") {
		name, err := names.Domain(q.Get("domain"))
		if err != nil {
			return nil, invalid("domain", "The domain filter %s.", reason(err, names.ErrInvalidDomain))
		}
		query += ` WHERE name = ?`
		args = append(args, name)
	}
	rows, err := b.db.QueryContext(ctx, query+` ORDER BY created_at, rowid`, args...)
	if err != nil {
		return nil, fmt.Errorf("list domains: %w", err)
	}
	defer func() { _ = rows.Close() }() // on an early return; closed and checked below otherwise
	now := b.clock()
	out := []vastal.Domain{}
	for rows.Next() {
		d, err := scanDomain(rows)
		if err != nil {
			return nil, fmt.Errorf("list domains: %w", err)
		}
		out = append(out, d.wire(now))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list domains: %w", err)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("list domains: %w", err)
	}
	return success(http.StatusOK, out)
}

func (b *Backend) getDomain(r *request) (*response, error) {
	d, err := loadDomain(r.Context(), b.db, r.domainID)
	if err != nil {
		return nil, err
	}
	return success(http.StatusOK, d.wire(b.clock()))
}

func (b *Backend) createDomain(r *request) (*response, error) {
	if b.plan {
		return nil, apiErr(http.StatusPaymentRequired, vastal.CodePlanRequired, "",
			"Custom domains need a plan of $250/month or higher, or the domains add-on ($15/month).")
	}
	m, err := object(r.body, "domain")
	if err != nil {
		return nil, err
	}
	name, err := stringField(m, "domain", true)
	if err != nil {
		return nil, err
	}
	if err := names.ValidCanonicalDomain(name); err != nil {
		if canon, cerr := names.Domain(name); cerr == nil {
			return nil, invalid("domain", "The domain %q is not in canonical form; send it as %q (lower case, A-labels, no trailing dot).", name, canon)
		}
		return nil, invalid("domain", "The domain %s.", reason(err, names.ErrInvalidDomain))
	}
	return b.idempotent(r, func(tx *sql.Tx) (*response, error) {
		ctx := r.Context()
		var exists int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM domains WHERE name = ?`, name).Scan(&exists)
		switch {
		case err == nil:
			return nil, apiErr(http.StatusConflict, vastal.CodeDomainExists, "domain",
				"The domain %s is already in this organization; import it instead of adding it again.", name)
		case !errors.Is(err, sql.ErrNoRows):
			return nil, fmt.Errorf("look up domain %s: %w", name, err)
		}
		now := b.clock()
		d := &domainRow{id: newID("dom_"), name: name, status: vastal.StatusPending, createdAt: now.Unix()}
		if _, err := tx.ExecContext(ctx, `INSERT INTO domains (id, name, status, created_at) VALUES (?, ?, ?, ?)`,
			d.id, d.name, d.status, d.createdAt); err != nil {
			return nil, fmt.Errorf("insert domain %s: %w", name, err)
		}
		return success(http.StatusCreated, d.wire(now))
	})
}

func (b *Backend) deleteDomain(r *request) (*response, error) {
	return b.write(r.Context(), func(tx *sql.Tx) (*response, error) {
		// Its addresses go by ON DELETE CASCADE.
		res, err := tx.ExecContext(r.Context(), `DELETE FROM domains WHERE id = ?`, r.domainID)
		if err != nil {
			return nil, fmt.Errorf("delete domain %s: %w", r.domainID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, fmt.Errorf("delete domain %s: %w", r.domainID, err)
		} else if n == 0 {
			return nil, notFound("No domain with the ID %q exists in this organization.", r.domainID)
		}
		return success(http.StatusOK, vastal.Deleted{ID: r.domainID, Deleted: true})
	})
}

func (b *Backend) verifyDomain(r *request) (*response, error) {
	ctx := r.Context()
	d, err := loadDomain(ctx, b.db, r.domainID)
	if err != nil {
		return nil, err
	}
	// The check talks to DNS servers and can take seconds; it runs outside any
	// transaction so it holds no lock.
	res, err := b.checker.Check(ctx, d.name)
	if err == nil && res == nil {
		err = errors.New("the checker returned no result")
	}
	if err != nil {
		return nil, apiErr(http.StatusServiceUnavailable, vastal.CodeUnavailable, "",
			"The DNS records of %s could not be checked now (%v); nothing was changed, try again.", d.name, err)
	}
	v := verification(d.name, res)
	verified := make(map[string]bool, len(v.Checks))
	for i, req := range dnscheck.Required(d.name) {
		verified[req.Key] = v.Checks[i].Verified
	}
	return b.write(ctx, func(tx *sql.Tx) (*response, error) {
		// Read again under the lock: the domain may have been deleted or
		// verified by another request while DNS was asked.
		d, err := loadDomain(ctx, tx, r.domainID)
		if err != nil {
			return nil, err
		}
		now := b.clock()
		d.mx = verified[dnscheck.KeyMX]
		d.spf = verified[dnscheck.KeySPF]
		d.dkim = verified[dnscheck.KeyDKIM1] && verified[dnscheck.KeyDKIM2]
		d.seenMX = d.seenMX || verified[dnscheck.KeyMX]
		d.seenSPF = d.seenSPF || verified[dnscheck.KeySPF]
		d.seenDKIM1 = d.seenDKIM1 || verified[dnscheck.KeyDKIM1]
		d.seenDKIM2 = d.seenDKIM2 || verified[dnscheck.KeyDKIM2]
		if v.AllVerified && d.status != vastal.StatusActive {
			d.status = vastal.StatusActive
			d.verifiedAt = sql.NullInt64{Int64: now.Unix(), Valid: true}
		}
		_, err = tx.ExecContext(ctx, `UPDATE domains SET status = ?, mx_verified = ?, spf_verified = ?, dkim_verified = ?,
			seen_mx = ?, seen_spf = ?, seen_dkim1 = ?, seen_dkim2 = ?, verified_at = ? WHERE id = ?`,
			d.status, d.mx, d.spf, d.dkim, d.seenMX, d.seenSPF, d.seenDKIM1, d.seenDKIM2, d.verifiedAt, d.id)
		if err != nil {
			return nil, fmt.Errorf("store the verification of %s: %w", d.name, err)
		}
		v.Status = d.effectiveStatus(now)
		return success(http.StatusOK, v)
	})
}

// verification renders a checker's result in the API's shape, one check per
// required record in the API's order whatever the checker returned.
func verification(domain string, res *dnscheck.Result) vastal.Verification {
	v := vastal.Verification{Checks: make([]vastal.Check, 0, len(dnscheck.Keys)), Warnings: res.Warnings}
	for _, req := range dnscheck.Required(domain) {
		c := vastal.Check{Type: req.Type, Name: req.Name, Expected: expected(req), Found: []string{}}
		if rec := res.Record(req.Key); rec == nil {
			c.Issue = fmt.Sprintf("The %s record %s was not checked.", req.Type, req.Name)
		} else {
			if rec.Expected != "" {
				c.Expected = rec.Expected
			}
			if rec.Found != nil {
				c.Found = rec.Found
			}
			c.Verified = rec.Verified
			c.Issue = rec.Issue
			if !c.Verified && c.Issue == "" {
				c.Issue = fmt.Sprintf("The %s record %s is not verified.", req.Type, req.Name)
			}
			if c.Verified {
				c.Issue = ""
			}
			for _, s := range rec.Servers {
				c.Servers = append(c.Servers, vastal.ServerAnswer{Server: s.Server, State: s.State, Found: s.Found})
			}
		}
		if !c.Verified {
			v.Issues = append(v.Issues, c.Issue)
		}
		v.Checks = append(v.Checks, c)
	}
	v.MXVerified = v.Checks[0].Verified
	v.SPFVerified = v.Checks[1].Verified
	v.DKIMVerified = v.Checks[2].Verified && v.Checks[3].Verified
	v.AllVerified = v.MXVerified && v.SPFVerified && v.DKIMVerified
	return v
}
