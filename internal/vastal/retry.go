package vastal

import (
	"context"
	cryptorand "crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"syscall"
	"time"
)

// backoff returns the wait before retry number attempt (1-based): base,
// 2·base, 4·base... capped at maxBackoff (or base, if larger), with "equal jitter" (half fixed,
// half random) so that many Terraform workers retrying together spread out.
func backoff(base time.Duration, attempt int) time.Duration {
	limit := max(base, maxBackoff)
	d := base
	for i := 1; i < attempt && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(half+1)
}

// transient reports whether a transport error is worth another attempt:
// connection resets, refusals, EOFs and timeouts are; a bad certificate, an
// unknown host or an in-process transport's own refusal are not.
func transient(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var (
		unknownAuth  x509.UnknownAuthorityError
		hostname     x509.HostnameError
		invalid      x509.CertificateInvalidError
		verification *tls.CertificateVerificationError
		record       tls.RecordHeaderError
		dnsErr       *net.DNSError
	)
	switch {
	case errors.As(err, &unknownAuth), errors.As(err, &hostname), errors.As(err, &invalid),
		errors.As(err, &verification), errors.As(err, &record):
		return false
	case errors.As(err, &dnsErr):
		return dnsErr.IsTemporary || dnsErr.IsTimeout
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE),
		errors.Is(err, syscall.ETIMEDOUT):
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return true
	}
	var opErr *net.OpError
	return errors.As(err, &opErr)
}

type idempotencyKeyCtx struct{}

// maxIdempotencyKey is the longest Idempotency-Key api.md accepts.
const maxIdempotencyKey = 255

// WithIdempotencyKey returns a ctx under which a POST (CreateDomain,
// CreateEmailAddress) sends key as its Idempotency-Key instead of a fresh
// random one. A caller that stores the key before the call can repeat the
// call after a crash without creating twice. Use one key per logical
// create: the same key with another body is ErrIdempotencyConflict.
func WithIdempotencyKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, idempotencyKeyCtx{}, key)
}

// NewIdempotencyKey returns a fresh random key, as POSTs use by default.
func NewIdempotencyKey() string {
	var b [16]byte
	_, _ = cryptorand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+).
	return "tfv-" + hex.EncodeToString(b[:])
}

// idempotencyKey returns the key for one logical POST: the caller's, or a
// new one. It is chosen once, before the first attempt, and every retry
// reuses it, which is what makes retrying a create safe.
func idempotencyKey(ctx context.Context) (string, error) {
	key, ok := ctx.Value(idempotencyKeyCtx{}).(string)
	if !ok {
		return NewIdempotencyKey(), nil
	}
	if key == "" || len(key) > maxIdempotencyKey {
		return "", fmt.Errorf("%w: an Idempotency-Key has 1 to %d characters, not %d", ErrInvalidRequest, maxIdempotencyKey, len(key))
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return "", fmt.Errorf("%w: an Idempotency-Key holds only visible ASCII characters", ErrInvalidRequest)
		}
	}
	return key, nil
}
