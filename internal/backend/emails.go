package backend

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/vastal/terraform-provider-vastal/internal/names"
	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

type emailRow struct {
	id        string
	domain    string
	localPart string
	isPrimary bool
	createdAt int64
}

func (e *emailRow) wire() vastal.EmailAddress {
	return vastal.EmailAddress{
		ID:        e.id,
		Address:   e.localPart + "@" + e.domain,
		IsPrimary: e.isPrimary,
		CreatedAt: time.Unix(e.createdAt, 0).UTC(),
	}
}

func emailNotFound(domainID, emailID string) *Error {
	return notFound("No address with the ID %q exists on the domain %q.", emailID, domainID)
}

func loadEmail(ctx context.Context, q queryer, domainID, emailID string) (*emailRow, error) {
	e := emailRow{id: emailID}
	err := q.QueryRowContext(ctx, `SELECT d.name, e.local_part, e.is_primary, e.created_at
		FROM emails e JOIN domains d ON d.id = e.domain_id WHERE e.id = ? AND e.domain_id = ?`, emailID, domainID).
		Scan(&e.domain, &e.localPart, &e.isPrimary, &e.createdAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, emailNotFound(domainID, emailID)
	}
	if err != nil {
		return nil, fmt.Errorf("load address %s: %w", emailID, err)
	}
	return &e, nil
}

func (b *Backend) listEmails(r *request) (*response, error) {
	// One query: the LEFT JOIN yields one row with NULL address columns for a
	// domain without addresses, and no row for a domain that does not exist.
	rows, err := b.db.QueryContext(r.Context(), `SELECT d.name, e.id, e.local_part, e.is_primary, e.created_at
		FROM domains d LEFT JOIN emails e ON e.domain_id = d.id
		WHERE d.id = ? ORDER BY e.created_at, e.rowid`, r.domainID)
	if err != nil {
		return nil, fmt.Errorf("list addresses: %w", err)
	}
	defer func() { _ = rows.Close() }() // on an early return; closed and checked below otherwise
	found := false
	out := []vastal.EmailAddress{}
	for rows.Next() {
		found = true
		var (
			domain    string
			id, local sql.NullString
			primary   sql.NullBool
			created   sql.NullInt64
		)
		if err := rows.Scan(&domain, &id, &local, &primary, &created); err != nil {
			return nil, fmt.Errorf("list addresses: %w", err)
		}
		if !id.Valid {
			continue
		}
		e := emailRow{id: id.String, domain: domain, localPart: local.String, isPrimary: primary.Bool, createdAt: created.Int64}
		out = append(out, e.wire())
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list addresses: %w", err)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("list addresses: %w", err)
	}
	if !found {
		return nil, notFound("No domain with the ID %q exists in this organization.", r.domainID)
	}
	return success(http.StatusOK, out)
}

func (b *Backend) getEmail(r *request) (*response, error) {
	e, err := loadEmail(r.Context(), b.db, r.domainID, r.emailID)
	if err != nil {
		return nil, err
	}
	return success(http.StatusOK, e.wire())
}

func demotePrimary(ctx context.Context, tx *sql.Tx, domainID string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE emails SET is_primary = 0 WHERE domain_id = ? AND is_primary = 1`, domainID); err != nil {
		return fmt.Errorf("demote the primary address: %w", err)
	}
	return nil
}

func (b *Backend) createEmail(r *request) (*response, error) {
	m, err := object(r.body, "local_part", "is_primary")
	if err != nil {
		return nil, err
	}
	raw, err := stringField(m, "local_part", true)
	if err != nil {
		return nil, err
	}
	local, err := names.LocalPart(raw)
	if err != nil {
		return nil, invalid("local_part", "The local part %s.", reason(err, names.ErrInvalidLocalPart))
	}
	primary, err := boolField(m, "is_primary", false)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	return b.idempotent(r, func(tx *sql.Tx) (*response, error) {
		d, err := loadDomain(ctx, tx, r.domainID)
		if err != nil {
			return nil, err
		}
		now := b.clock()
		if st := d.effectiveStatus(now); st != vastal.StatusActive {
			return nil, apiErr(http.StatusUnprocessableEntity, vastal.CodeDomainNotVerified, "",
				"The domain %s is %s, not active; addresses can be created only once its DNS records are verified.", d.name, st)
		}
		var exists int
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM emails WHERE domain_id = ? AND local_part = ?`, d.id, local).Scan(&exists)
		switch {
		case err == nil:
			return nil, apiErr(http.StatusConflict, vastal.CodeAddressExists, "local_part",
				"The address %s@%s already exists.", local, d.name)
		case !errors.Is(err, sql.ErrNoRows):
			return nil, fmt.Errorf("look up address %s@%s: %w", local, d.name, err)
		}
		if primary {
			if err := demotePrimary(ctx, tx, d.id); err != nil {
				return nil, err
			}
		}
		e := &emailRow{id: newID("email_"), domain: d.name, localPart: local, isPrimary: primary, createdAt: now.Unix()}
		if _, err := tx.ExecContext(ctx, `INSERT INTO emails (id, domain_id, local_part, is_primary, created_at) VALUES (?, ?, ?, ?, ?)`,
			e.id, d.id, e.localPart, e.isPrimary, e.createdAt); err != nil {
			return nil, fmt.Errorf("insert address %s@%s: %w", local, d.name, err)
		}
		return success(http.StatusCreated, e.wire())
	})
}

func (b *Backend) updateEmail(r *request) (*response, error) {
	m, err := object(r.body, "is_primary")
	if err != nil {
		return nil, err
	}
	primary, err := boolField(m, "is_primary", true)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	return b.write(ctx, func(tx *sql.Tx) (*response, error) {
		e, err := loadEmail(ctx, tx, r.domainID, r.emailID)
		if err != nil {
			return nil, err
		}
		if primary == e.isPrimary {
			return success(http.StatusOK, e.wire())
		}
		if primary {
			if err := demotePrimary(ctx, tx, r.domainID); err != nil {
				return nil, err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE emails SET is_primary = ? WHERE id = ?`, primary, e.id); err != nil {
			return nil, fmt.Errorf("update address %s: %w", e.id, err)
		}
		e.isPrimary = primary
		return success(http.StatusOK, e.wire())
	})
}

func (b *Backend) deleteEmail(r *request) (*response, error) {
	ctx := r.Context()
	return b.write(ctx, func(tx *sql.Tx) (*response, error) {
		res, err := tx.ExecContext(ctx, `DELETE FROM emails WHERE id = ? AND domain_id = ?`, r.emailID, r.domainID)
		if err != nil {
			return nil, fmt.Errorf("delete address %s: %w", r.emailID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, fmt.Errorf("delete address %s: %w", r.emailID, err)
		} else if n == 0 {
			return nil, emailNotFound(r.domainID, r.emailID)
		}
		return success(http.StatusOK, vastal.Deleted{ID: r.emailID, Deleted: true})
	})
}
