package backend

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

// IdempotencyTTL is how long a stored response answers a repeated
// Idempotency-Key.
const IdempotencyTTL = 24 * time.Hour

// idempotent runs a create in one write transaction. With an Idempotency-Key
// the lookup, the create and the storing of its response share that
// transaction, so a key can never create twice, nor an object exist without
// the record that replays it. Only successes are stored: a request that
// failed (say 422 on a domain not yet active) may be retried with the same
// key once the cause is fixed.
func (b *Backend) idempotent(r *request, create func(tx *sql.Tx) (*response, error)) (*response, error) {
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		return b.write(r.Context(), create)
	}
	if len(key) > MaxIdempotencyKeyLen {
		return nil, invalid("Idempotency-Key", "The Idempotency-Key header is %d characters long; it may have at most %d.", len(key), MaxIdempotencyKeyLen)
	}
	h := sha256.New()
	h.Write([]byte(r.Method + "\x00" + r.URL.Path + "\x00")) // a hash.Hash never fails to write
	h.Write(r.body)
	hash := h.Sum(nil)

	ctx := r.Context()
	return b.write(ctx, func(tx *sql.Tx) (*response, error) {
		now := b.clock()
		cutoff := now.Add(-IdempotencyTTL).Unix()
		if _, err := tx.ExecContext(ctx, `DELETE FROM idempotency WHERE created_at <= ?`, cutoff); err != nil {
			return nil, fmt.Errorf("expire idempotency records: %w", err)
		}
		var (
			stored []byte
			status int
			body   []byte
		)
		err := tx.QueryRowContext(ctx, `SELECT request_hash, status, body FROM idempotency WHERE key = ?`, key).
			Scan(&stored, &status, &body)
		switch {
		case err == nil && bytes.Equal(stored, hash):
			return &response{status: status, body: body, replayed: true}, nil
		case err == nil:
			return nil, apiErr(http.StatusConflict, vastal.CodeIdempotencyConflict, "Idempotency-Key",
				"The Idempotency-Key %q was already used for a different request; use a new key for a new request.", key)
		case !errors.Is(err, sql.ErrNoRows):
			return nil, fmt.Errorf("look up idempotency key: %w", err)
		}
		resp, err := create(tx)
		if err != nil {
			return nil, err
		}
		if resp.status < 200 || resp.status >= 300 {
			return resp, nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO idempotency (key, request_hash, status, body, created_at) VALUES (?, ?, ?, ?, ?)`,
			key, hash, resp.status, resp.body, now.Unix()); err != nil {
			return nil, fmt.Errorf("store idempotency record: %w", err)
		}
		return resp, nil
	})
}
