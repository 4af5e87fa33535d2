// Package backend is the embedded Vastal Domains API: an http.Handler that
// implements api.md over a SQLite file, so the provider's one API client can
// work without a hosted service. Several processes may share the file.
package backend

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

// Options configures a Backend. The zero value is a working backend with the
// real clock, no DNS access and no authentication.
type Options struct {
	// Now is the clock; tests inject one. Default time.Now.
	Now func() time.Time
	// Checker answers verify. Default NotFoundChecker{}.
	Checker DNSChecker
	// APIKey, when non-empty, is required on every request as
	// "Authorization: Bearer <key>".
	APIKey string
	// PlanRequired makes every POST /domains answer 402 plan_required, as the
	// service does for an organization without a qualifying plan.
	PlanRequired bool
	// RateLimit, when positive, is the number of requests answered per second
	// of the clock; the rest get 429 rate_limited with Retry-After, so that
	// clients can be tested against the service's limit. Zero means no limit.
	RateLimit int
}

// CodeMethodNotAllowed is the error code of a 405, which api.md's table
// does not list.
const CodeMethodNotAllowed = "method_not_allowed"

// Backend is the embedded API. It is an http.Handler, safe for concurrent
// use; Close it when done.
type Backend struct {
	db      *sql.DB
	now     func() time.Time
	checker DNSChecker
	keyHash [sha256.Size]byte
	auth    bool
	plan    bool

	// writeSem serializes this process's write transactions in Go, where a
	// waiter is woken at once; SQLite's busy handler, which polls, is then left
	// to arbitrate between processes only.
	writeSem chan struct{}

	rateLimit   int
	rateMu      sync.Mutex
	rateWindow  int64 // the Unix second being counted
	rateCounted int

	closeOnce sync.Once
	closeErr  error
}

var _ http.Handler = (*Backend)(nil)

// Open opens the backend's SQLite file at path, creating its folder (0700)
// and the file (0600) when missing and the schema when new. Another process
// may have the file open, even mid-write.
func Open(path string, opts Options) (*Backend, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*busyTimeout)
	defer cancel()
	db, err := openDB(ctx, path)
	if err != nil {
		return nil, err
	}
	b := &Backend{
		db:        db,
		now:       opts.Now,
		checker:   opts.Checker,
		plan:      opts.PlanRequired,
		rateLimit: opts.RateLimit,
		writeSem:  make(chan struct{}, 1),
	}
	if b.now == nil {
		b.now = time.Now
	}
	if b.checker == nil {
		b.checker = NotFoundChecker{}
	}
	if opts.APIKey != "" {
		b.auth = true
		b.keyHash = sha256.Sum256([]byte(opts.APIKey))
	}
	return b, nil
}

// Close releases the database. Requests still in flight fail.
func (b *Backend) Close() error {
	b.closeOnce.Do(func() { b.closeErr = b.db.Close() })
	return b.closeErr
}

// clock returns the current time as the API records it: UTC, whole seconds.
func (b *Backend) clock() time.Time {
	return b.now().UTC().Truncate(time.Second)
}

// route is one path pattern of api.md; its methods map to handlers.
type route struct {
	methods map[string]handler
	allow   string
}

// request is what a handler sees of an HTTP request: the path's IDs and the
// body, already read within the size limit.
type request struct {
	*http.Request
	domainID string
	emailID  string
	body     []byte
}

type handler func(b *Backend, r *request) (*response, error)

var (
	routeDomains = route{allow: "GET, POST", methods: map[string]handler{
		http.MethodGet: (*Backend).listDomains, http.MethodPost: (*Backend).createDomain}}
	routeDomain = route{allow: "GET, DELETE", methods: map[string]handler{
		http.MethodGet: (*Backend).getDomain, http.MethodDelete: (*Backend).deleteDomain}}
	routeVerify = route{allow: "GET", methods: map[string]handler{
		http.MethodGet: (*Backend).verifyDomain}}
	routeEmails = route{allow: "GET, POST", methods: map[string]handler{
		http.MethodGet: (*Backend).listEmails, http.MethodPost: (*Backend).createEmail}}
	routeEmail = route{allow: "GET, PATCH, DELETE", methods: map[string]handler{
		http.MethodGet: (*Backend).getEmail, http.MethodPatch: (*Backend).updateEmail, http.MethodDelete: (*Backend).deleteEmail}}
)

// match finds the route of path; segments are taken verbatim (IDs are
// opaque), and an empty segment matches nothing.
func match(path string) (*route, string, string) {
	seg := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if !strings.HasPrefix(path, "/") || seg[0] != "domains" || slices.Contains(seg, "") {
		return nil, "", ""
	}
	switch {
	case len(seg) == 1:
		return &routeDomains, "", ""
	case len(seg) == 2:
		return &routeDomain, seg[1], ""
	case len(seg) == 3 && seg[2] == "verify":
		return &routeVerify, seg[1], ""
	case len(seg) == 3 && seg[2] == "emails":
		return &routeEmails, seg[1], ""
	case len(seg) == 4 && seg[2] == "emails":
		return &routeEmail, seg[1], seg[3]
	}
	return nil, "", ""
}

// ServeHTTP answers one request of api.md.
func (b *Backend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	resp := render(b.serve(w, r))
	resp.write(w)
}

func (b *Backend) serve(w http.ResponseWriter, r *http.Request) (*response, error) {
	if err := b.authorize(r); err != nil {
		return nil, err
	}
	if err := b.limit(); err != nil {
		return nil, err
	}
	rt, domainID, emailID := match(r.URL.Path)
	if rt == nil {
		return nil, notFound("There is no API endpoint at %s.", r.URL.Path)
	}
	h, ok := rt.methods[r.Method]
	if !ok {
		w.Header().Set("Allow", rt.allow)
		return nil, apiErr(http.StatusMethodNotAllowed, CodeMethodNotAllowed, "",
			"The method %s is not allowed on %s; use %s.", r.Method, r.URL.Path, rt.allow)
	}
	req := &request{Request: r, domainID: domainID, emailID: emailID}
	if r.Method == http.MethodPost || r.Method == http.MethodPatch {
		body, err := readBody(w, r)
		if err != nil {
			return nil, err
		}
		req.body = body
	}
	return h(b, req)
}

func (b *Backend) authorize(r *http.Request) error {
	if !b.auth {
		return nil
	}
	h := r.Header.Get("Authorization")
	scheme, token, _ := strings.Cut(h, " ")
	// Hashing first makes the comparison constant-time in the key's length too.
	got := sha256.Sum256([]byte(strings.TrimSpace(token)))
	if strings.EqualFold(scheme, "Bearer") && subtle.ConstantTimeCompare(got[:], b.keyHash[:]) == 1 {
		return nil
	}
	e := apiErr(http.StatusUnauthorized, vastal.CodeUnauthorized, "", "The API key is missing or not valid; send it as \"Authorization: Bearer <key>\".")
	if h != "" {
		e.Message = "The API key is not valid for this organization."
	}
	return e
}

// limit counts requests in fixed one-second windows of the clock.
func (b *Backend) limit() error {
	if b.rateLimit <= 0 {
		return nil
	}
	sec := b.clock().Unix()
	b.rateMu.Lock()
	defer b.rateMu.Unlock()
	if sec != b.rateWindow {
		b.rateWindow, b.rateCounted = sec, 0
	}
	if b.rateCounted >= b.rateLimit {
		e := apiErr(http.StatusTooManyRequests, vastal.CodeRateLimited, "",
			"More than %d requests were sent in one second; retry after the time in Retry-After.", b.rateLimit)
		e.RetryAfter = 1
		return e
	}
	b.rateCounted++
	return nil
}

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	tooLarge := apiErr(http.StatusRequestEntityTooLarge, vastal.CodeTooLarge, "",
		"The request body is larger than %d bytes.", MaxBodyBytes)
	if r.ContentLength > MaxBodyBytes {
		return nil, tooLarge
	}
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge
		}
		return nil, fmt.Errorf("read the request body: %w", err)
	}
	return body, nil
}

// write runs fn in one write transaction and commits it when fn succeeds.
func (b *Backend) write(ctx context.Context, fn func(tx *sql.Tx) (*response, error)) (*response, error) {
	select {
	case b.writeSem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-b.writeSem }()
	tx, err := b.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin a write transaction: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	resp, err := fn(tx)
	if err != nil {
		return nil, err
	}
	if resp.status >= 300 {
		// Nothing a failed request did may persist.
		return resp, nil
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	return resp, nil
}
