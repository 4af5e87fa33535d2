package vastal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

const testKey = "vk_live_s3cr3t_K3Y_do_not_log"

// seen is one request as the test server received it.
type seen struct {
	Method, Path, Query string
	Header              http.Header
	Body                []byte
	At                  time.Time
}

// script is a test server whose n-th answer (0-based) is decided by reply.
type script struct {
	t     *testing.T
	srv   *httptest.Server
	mu    sync.Mutex
	reqs  []seen
	reply func(n int, w http.ResponseWriter, r *http.Request)
}

func newScript(t *testing.T, reply func(n int, w http.ResponseWriter, r *http.Request)) *script {
	t.Helper()
	s := &script{t: t, reply: reply}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		n := len(s.reqs)
		s.reqs = append(s.reqs, seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), body, time.Now()})
		s.mu.Unlock()
		s.reply(n, w, r)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *script) requests() []seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seen(nil), s.reqs...)
}

func (s *script) client(t *testing.T, mod ...func(*vastal.Config)) *vastal.Client {
	t.Helper()
	cfg := vastal.Config{
		BaseURL:   s.srv.URL,
		APIKey:    testKey,
		UserAgent: "terraform-provider-vastal/test",
		BaseDelay: time.Millisecond,
	}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := vastal.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func ok(w http.ResponseWriter, status int, data any) {
	writeJSON(w, status, map[string]any{"success": true, "data": data})
}

func fail(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"success": false, "error": map[string]any{"code": code, "message": msg}})
}

// hangUp closes the connection without an answer; with reset it sends an
// RST rather than a FIN.
func hangUp(t *testing.T, w http.ResponseWriter, reset bool) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	if tcp, ok := conn.(*net.TCPConn); ok && reset {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

var testDomain = map[string]any{
	"id": "dom_abc123", "domain": "acme.com", "status": "pending", "type": "imported",
	"dns_configured": false, "mx_verified": false, "spf_verified": false, "dkim_verified": false,
	"verified_at": nil, "created_at": "2024-01-10T08:00:00Z",
	"dns_records": []map[string]any{{"type": "MX", "name": "acme.com", "value": "mx.vastal.com", "priority": 10}},
}

func TestNew_baseURL(t *testing.T) {
	tests := map[string]struct {
		url     string
		wantErr string
	}{
		"default":                  {url: ""},
		"https":                    {url: "https://api.example.com/"},
		"https with path":          {url: "https://api.example.com/v1"},
		"http 127.0.0.1":           {url: "http://127.0.0.1:8080"},
		"http 127.9.8.7":           {url: "http://127.9.8.7"},
		"http ::1":                 {url: "http://[::1]:9000"},
		"http localhost":           {url: "http://localhost:9000"},
		"http remote":              {url: "http://api.vastal.com", wantErr: "plain http"},
		"http private address":     {url: "http://10.0.0.1", wantErr: "plain http"},
		"http localhost lookalike": {url: "http://localhost.evil.com", wantErr: "plain http"},
		"other scheme":             {url: "ftp://api.vastal.com", wantErr: "use https"},
		"no host":                  {url: "https://", wantErr: "no host"},
		"no scheme":                {url: "api.vastal.com", wantErr: "no host"},
		"credentials":              {url: "https://user:hunter2@api.vastal.com", wantErr: "credentials"},
		"query":                    {url: "https://api.vastal.com/?x=1", wantErr: "query"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := vastal.New(vastal.Config{BaseURL: tc.url, APIKey: testKey})
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("New(%q): %v", tc.url, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("New(%q) = %v, want an error saying %q", tc.url, err, tc.wantErr)
			}
			if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), testKey) {
				t.Fatalf("error leaks a secret: %v", err)
			}
		})
	}
	if _, err := vastal.New(vastal.Config{APIKey: testKey + "\n"}); err == nil || strings.Contains(err.Error(), testKey) {
		t.Fatalf("key with a newline: %v", err)
	}
}

func TestClient_headers(t *testing.T) {
	s := newScript(t, func(n int, w http.ResponseWriter, r *http.Request) { ok(w, 201, testDomain) })
	c := s.client(t)
	if _, err := c.CreateDomain(context.Background(), "ACME.com."); err != nil {
		t.Fatal(err)
	}
	r := s.requests()[0]
	for h, want := range map[string]string{
		"Authorization": "Bearer " + testKey,
		"User-Agent":    "terraform-provider-vastal/test",
		"Content-Type":  "application/json",
		"Accept":        "application/json",
	} {
		if got := r.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if r.Method != "POST" || r.Path != "/domains" || string(r.Body) != `{"domain":"acme.com"}` {
		t.Errorf("request %s %s %s", r.Method, r.Path, r.Body)
	}
	if k := r.Header.Get("Idempotency-Key"); k == "" || len(k) > 255 {
		t.Errorf("Idempotency-Key = %q", k)
	}

	// Without a key (the embedded backend) no Authorization is sent.
	c = s.client(t, func(cfg *vastal.Config) { cfg.APIKey = "" })
	if _, err := c.GetDomain(context.Background(), "dom_abc123"); err != nil {
		t.Fatal(err)
	}
	if r := s.requests()[1]; r.Header.Get("Authorization") != "" || r.Header.Get("Idempotency-Key") != "" {
		t.Errorf("GET without a key sent Authorization %q, Idempotency-Key %q", r.Header.Get("Authorization"), r.Header.Get("Idempotency-Key"))
	}
}

func TestClient_retryAfter(t *testing.T) {
	s := newScript(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 0 {
			w.Header().Set("Retry-After", "1")
			fail(w, 429, "rate_limited", "Too many requests.")
			return
		}
		ok(w, 200, testDomain)
	})
	c := s.client(t)
	d, err := c.GetDomain(context.Background(), "dom_abc123")
	if err != nil {
		t.Fatal(err)
	}
	if d.ID != "dom_abc123" {
		t.Fatalf("domain %+v", d)
	}
	reqs := s.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	// The client waits at least what the server asked for (a timer never
	// fires early, so this lower bound cannot flake).
	if gap := reqs[1].At.Sub(reqs[0].At); gap < time.Second {
		t.Errorf("retried after %v, before Retry-After: 1", gap)
	}
}

func TestClient_retryAfterBeyondMaxWait(t *testing.T) {
	s := newScript(t, func(n int, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		fail(w, 429, "rate_limited", "Too many requests.")
	})
	c := s.client(t, func(cfg *vastal.Config) { cfg.MaxWait = time.Minute })
	_, err := c.ListDomains(context.Background())
	if !errors.Is(err, vastal.ErrRateLimited) {
		t.Fatalf("err = %v, want ErrRateLimited", err)
	}
	var apiErr *vastal.APIError
	if !errors.As(err, &apiErr) || apiErr.RetryAfter != time.Hour {
		t.Fatalf("err = %#v, want RetryAfter 1h", err)
	}
	if n := len(s.requests()); n != 1 {
		t.Errorf("%d requests; a wait beyond MaxWait should end the call at once", n)
	}
	if !strings.Contains(err.Error(), "retry after 1h0m0s") {
		t.Errorf("error %q does not say when to come back", err)
	}
}

func TestClient_serverErrorsThenSuccess(t *testing.T) {
	s := newScript(t, func(n int, w http.ResponseWriter, r *http.Request) {
		switch n {
		case 0:
			fail(w, 500, "internal", "Boom.")
		case 1:
			fail(w, 503, "unavailable", "Down for a moment.")
		case 2:
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			_, _ = io.WriteString(w, "<html>502 Bad Gateway</html>")
		default:
			ok(w, 200, []any{testDomain})
		}
	})
	list, err := s.client(t).ListDomains(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || len(s.requests()) != 4 {
		t.Fatalf("%d domains after %d requests", len(list), len(s.requests()))
	}
}

func TestClient_connectionFailuresThenSuccess(t *testing.T) {
	for name, reset := range map[string]bool{"EOF": false, "reset": true} {
		t.Run(name, func(t *testing.T) {
			s := newScript(t, func(n int, w http.ResponseWriter, r *http.Request) {
				if n < 2 {
					hangUp(t, w, reset)
					return
				}
				ok(w, 201, map[string]any{"id": "email_1", "address": "sales@acme.com", "is_primary": false, "created_at": "2024-01-10T08:00:00Z"})
			})
			e, err := s.client(t).CreateEmailAddress(context.Background(), "dom_abc123", vastal.CreateEmailAddressRequest{LocalPart: "Sales"})
			if err != nil {
				t.Fatal(err)
			}
			if e.Address != "sales@acme.com" {
				t.Fatalf("address %+v", e)
			}
			checkSameCreate(t, s.requests(), 3, `{"local_part":"sales","is_primary":false}`)
		})
	}
}

// checkSameCreate asserts that a POST was sent n times, every time with the
// same body and the same Idempotency-Key.
func checkSameCreate(t *testing.T, reqs []seen, n int, body string) {
	t.Helper()
	if len(reqs) != n {
		t.Fatalf("%d requests, want %d", len(reqs), n)
	}
	key := reqs[0].Header.Get("Idempotency-Key")
	if key == "" {
		t.Fatal("no Idempotency-Key on the POST")
	}
	for i, r := range reqs {
		if r.Method != "POST" {
			t.Errorf("request %d is a %s", i, r.Method)
		}
		if got := r.Header.Get("Idempotency-Key"); got != key {
			t.Errorf("request %d has Idempotency-Key %q, request 0 had %q", i, got, key)
		}
		if string(r.Body) != body {
			t.Errorf("request %d has body %q, want %q", i, r.Body, body)
		}
	}
}

func TestClient_idempotencyKey(t *testing.T) {
	s := newScript(t, func(n int, w http.ResponseWriter, r *http.Request) {
		switch n % 4 {
		case 0:
			fail(w, 503, "unavailable", "Down.")
		case 1:
			hangUp(t, w, true)
		case 2:
			w.Header().Set("Retry-After", "0")
			fail(w, 429, "rate_limited", "Slow down.")
		default:
			ok(w, 201, testDomain)
		}
	})
	c := s.client(t)
	if _, err := c.CreateDomain(context.Background(), "acme.com"); err != nil {
		t.Fatal(err)
	}
	checkSameCreate(t, s.requests(), 4, `{"domain":"acme.com"}`)

	// A second logical call gets a key of its own.
	if _, err := c.CreateDomain(context.Background(), "acme.com"); err != nil {
		t.Fatal(err)
	}
	reqs := s.requests()
	checkSameCreate(t, reqs[4:], 4, `{"domain":"acme.com"}`)
	if reqs[0].Header.Get("Idempotency-Key") == reqs[4].Header.Get("Idempotency-Key") {
		t.Error("two logical creates shared an Idempotency-Key")
	}

	// A caller's key is used as given.
	ctx := vastal.WithIdempotencyKey(context.Background(), "tf-run-42/acme.com")
	if _, err := c.CreateDomain(ctx, "acme.com"); err != nil {
		t.Fatal(err)
	}
	checkSameCreate(t, s.requests()[8:], 4, `{"domain":"acme.com"}`)
	if got := s.requests()[8].Header.Get("Idempotency-Key"); got != "tf-run-42/acme.com" {
		t.Errorf("Idempotency-Key = %q, want the caller's", got)
	}

	// A key the API would refuse is refused before anything is sent.
	for _, bad := range []string{"", strings.Repeat("k", 256), "has space"} {
		_, err := c.CreateDomain(vastal.WithIdempotencyKey(context.Background(), bad), "acme.com")
		if !errors.Is(err, vastal.ErrInvalidRequest) {
			t.Errorf("key %q: err = %v, want ErrInvalidRequest", bad, err)
		}
	}
	if n := len(s.requests()); n != 12 {
		t.Errorf("%d requests, want 12", n)
	}
}

// notifyingTransport signals each time the client closes a response body,
// that is, once it has read an answer in full.
type notifyingTransport struct {
	base   http.RoundTripper
	closed chan struct{}
}

func (n *notifyingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := n.base.RoundTrip(req)
	if err == nil {
		resp.Body = &notifyingBody{ReadCloser: resp.Body, closed: n.closed}
	}
	return resp, err
}

type notifyingBody struct {
	io.ReadCloser
	closed chan struct{}
	once   sync.Once
}

func (b *notifyingBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(func() { b.closed <- struct{}{} })
	return err
}

func TestClient_cancelStopsRetries(t *testing.T) {
	s := newScript(t, func(n int, w http.ResponseWriter, r *http.Request) { fail(w, 503, "unavailable", "Down.") })
	rt := &notifyingTransport{base: http.DefaultTransport, closed: make(chan struct{}, 10)}
	// A backoff of an hour: if cancellation did not cut the wait short the
	// test would hang until the go test timeout.
	c := s.client(t, func(cfg *vastal.Config) {
		cfg.BaseDelay = time.Hour
		cfg.MaxWait = 24 * time.Hour
		cfg.Transport = rt
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-rt.closed; cancel() }()
	_, err := c.ListDomains(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if !errors.Is(err, vastal.ErrServer) {
		t.Errorf("err = %v should carry the last failure (ErrServer)", err)
	}
	var reqErr *vastal.RequestError
	if !errors.As(err, &reqErr) || reqErr.Attempts != 1 {
		t.Errorf("err = %#v, want a RequestError after 1 attempt", err)
	}
	if want := "GET /domains: context canceled (last failure: GET /domains: 503 unavailable: Down.)"; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
	if n := len(s.requests()); n != 1 {
		t.Errorf("%d requests after cancel, want 1", n)
	}
}

func TestClient_cancelDuringRequest(t *testing.T) {
	arrived := make(chan struct{})
	s := newScript(t, func(n int, w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-r.Context().Done() // hangs until the client goes away
	})
	c := s.client(t)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	_, err := c.GetDomain(ctx, "dom_1")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := len(s.requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestClient_cancelDuringRetry(t *testing.T) {
	second := make(chan struct{})
	s := newScript(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 0 {
			fail(w, 503, "unavailable", "Down.")
			return
		}
		close(second)
		<-r.Context().Done()
	})
	c := s.client(t)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-second; cancel() }()
	_, err := c.ListDomains(ctx)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, vastal.ErrServer) {
		t.Fatalf("err = %v, want context.Canceled carrying the earlier 503", err)
	}
	var reqErr *vastal.RequestError
	if !errors.As(err, &reqErr) || reqErr.Attempts != 2 {
		t.Fatalf("err = %#v, want a RequestError after 2 attempts", err)
	}
}

func TestClient_deadlineShorterThanBackoff(t *testing.T) {
	s := newScript(t, func(n int, w http.ResponseWriter, r *http.Request) { fail(w, 503, "unavailable", "Down.") })
	c := s.client(t, func(cfg *vastal.Config) { cfg.BaseDelay = time.Hour; cfg.MaxWait = 24 * time.Hour })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	_, err := c.ListDomains(ctx)
	if !errors.Is(err, vastal.ErrServer) || ctx.Err() != nil {
		t.Fatalf("err = %v (ctx %v); want the 503 at once, not a wait past the deadline", err, ctx.Err())
	}
}

func TestClient_maxRetriesExhausted(t *testing.T) {
	t.Run("server errors", func(t *testing.T) {
		s := newScript(t, func(n int, w http.ResponseWriter, r *http.Request) {
			fail(w, 503, "unavailable", "Down for maintenance.")
		})
		_, err := s.client(t, func(cfg *vastal.Config) { cfg.MaxRetries = 2 }).ListDomains(context.Background())
		if !errors.Is(err, vastal.ErrServer) {
			t.Fatalf("err = %v, want ErrServer", err)
		}
		want := "GET /domains: 503 unavailable: Down for maintenance. (gave up after 3 attempts)"
		if err.Error() != want {
			t.Errorf("err = %q, want %q", err, want)
		}
		if n := len(s.requests()); n != 3 {
			t.Errorf("%d requests, want 3", n)
		}
	})
	t.Run("connection failures", func(t *testing.T) {
		s := newScript(t, func(n int, w http.ResponseWriter, r *http.Request) { hangUp(t, w, false) })
		_, err := s.client(t, func(cfg *vastal.Config) { cfg.MaxRetries = 3 }).CreateDomain(context.Background(), "acme.com")
		var reqErr *vastal.RequestError
		if !errors.As(err, &reqErr) || reqErr.Attempts != 4 || reqErr.Err == nil {
			t.Fatalf("err = %#v, want a RequestError after 4 attempts wrapping the cause", err)
		}
		if !strings.HasPrefix(err.Error(), "POST /domains: request failed after 4 attempts: ") {
			t.Errorf("err = %q", err)
		}
		checkSameCreate(t, s.requests(), 4, `{"domain":"acme.com"}`)
	})
	t.Run("connection refused", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		_ = l.Close()
		c, err := vastal.New(vastal.Config{BaseURL: "http://" + addr, APIKey: testKey, MaxRetries: 2, BaseDelay: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.ListDomains(context.Background())
		var reqErr *vastal.RequestError
		if !errors.As(err, &reqErr) || reqErr.Attempts != 3 {
			t.Fatalf("err = %v, want a RequestError after 3 attempts", err)
		}
		if !strings.Contains(err.Error(), "refused") {
			t.Errorf("err = %q does not name the cause", err)
		}
	})
	t.Run("no retries", func(t *testing.T) {
		s := newScript(t, func(n int, w http.ResponseWriter, r *http.Request) { fail(w, 500, "internal", "Boom.") })
		_, err := s.client(t, func(cfg *vastal.Config) { cfg.MaxRetries = -1 }).ListDomains(context.Background())
		if !errors.Is(err, vastal.ErrServer) || len(s.requests()) != 1 {
			t.Fatalf("err = %v after %d requests", err, len(s.requests()))
		}
	})
}

func TestClient_maxWaitBoundsRetries(t *testing.T) {
	s := newScript(t, func(n int, w http.ResponseWriter, r *http.Request) { fail(w, 503, "unavailable", "Down.") })
	c := s.client(t, func(cfg *vastal.Config) {
		cfg.MaxRetries = 1000
		cfg.BaseDelay = 10 * time.Millisecond
		cfg.MaxWait = 200 * time.Millisecond
	})
	_, err := c.ListDomains(context.Background())
	if !errors.Is(err, vastal.ErrServer) {
		t.Fatalf("err = %v", err)
	}
	// Backoff doubles from 10ms (at least 5ms with jitter), so the 200ms
	// budget allows a handful of attempts, nowhere near 1000.
	if n := len(s.requests()); n < 2 || n > 12 {
		t.Errorf("%d requests within a 200ms budget", n)
	}
}

func TestClient_notRetried(t *testing.T) {
	tests := map[string]struct {
		status int
		code   string
		want   error
	}{
		"invalid":        {400, "invalid_request", vastal.ErrInvalidRequest},
		"unauthorized":   {401, "unauthorized", vastal.ErrUnauthorized},
		"plan":           {402, "plan_required", vastal.ErrPlanRequired},
		"not found":      {404, "not_found", vastal.ErrNotFound},
		"domain exists":  {409, "domain_exists", vastal.ErrConflict},
		"address exists": {409, "address_exists", vastal.ErrConflict},
		"idempotency":    {409, "idempotency_conflict", vastal.ErrIdempotencyConflict},
		"not verified":   {422, "domain_not_verified", vastal.ErrNotVerified},
		"too large":      {413, "request_too_large", vastal.ErrInvalidRequest},
	}
	all := []error{vastal.ErrInvalidRequest, vastal.ErrUnauthorized, vastal.ErrPlanRequired, vastal.ErrNotFound,
		vastal.ErrConflict, vastal.ErrIdempotencyConflict, vastal.ErrNotVerified, vastal.ErrRateLimited, vastal.ErrServer}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := newScript(t, func(n int, w http.ResponseWriter, r *http.Request) { fail(w, tc.status, tc.code, "It went wrong.") })
			_, err := s.client(t).CreateDomain(context.Background(), "acme.com")
			for _, e := range all {
				if got := errors.Is(err, e); got != (e == tc.want) {
					t.Errorf("errors.Is(%v, %v) = %v", err, e, got)
				}
			}
			want := "POST /domains: " + jsonNumber(tc.status) + " " + tc.code + ": It went wrong."
			if err.Error() != want {
				t.Errorf("err = %q, want %q", err, want)
			}
			if n := len(s.requests()); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
}

func jsonNumber(n int) string { return strconv.Itoa(n) }

func TestClient_fieldInError(t *testing.T) {
	s := newScript(t, func(n int, w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 400, map[string]any{"success": false, "error": map[string]any{
			"code": "invalid_request", "message": "local_part has a double dot.", "field": "local_part"}})
	})
	_, err := s.client(t).CreateEmailAddress(context.Background(), "dom_1", vastal.CreateEmailAddressRequest{LocalPart: "a"})
	var apiErr *vastal.APIError
	if !errors.As(err, &apiErr) || apiErr.Field != "local_part" || apiErr.Method != "POST" || apiErr.Path != "/domains/dom_1/emails" {
		t.Fatalf("err = %#v", err)
	}
	if !strings.Contains(err.Error(), `(field "local_part")`) {
		t.Errorf("err = %q does not name the field", err)
	}
}

func TestClient_badResponses(t *testing.T) {
	t.Run("garbage under 200 is not retried", func(t *testing.T) {
		s := newScript(t, func(n int, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, "<html>Sign in to the Wi-Fi</html>")
		})
		_, err := s.client(t).GetDomain(context.Background(), "dom_1")
		if !errors.Is(err, vastal.ErrMalformedResponse) || len(s.requests()) != 1 {
			t.Fatalf("err = %v after %d requests", err, len(s.requests()))
		}
		if !strings.Contains(err.Error(), `"text/html"`) || !strings.Contains(err.Error(), "Sign in") {
			t.Errorf("err = %q does not show what arrived", err)
		}
	})
	t.Run("truncated body is retried", func(t *testing.T) {
		s := newScript(t, func(n int, w http.ResponseWriter, r *http.Request) {
			if n == 0 {
				w.Header().Set("Content-Length", "500")
				w.WriteHeader(200)
				_, _ = io.WriteString(w, `{"success":true,"data":{"id":`)
				if err := http.NewResponseController(w).Flush(); err != nil {
					t.Errorf("flush: %v", err)
				}
				hangUp(t, w, false)
				return
			}
			ok(w, 200, testDomain)
		})
		if _, err := s.client(t).GetDomain(context.Background(), "dom_1"); err != nil {
			t.Fatal(err)
		}
		if n := len(s.requests()); n != 2 {
			t.Errorf("%d requests, want 2", n)
		}
	})
	t.Run("oversized body", func(t *testing.T) {
		s := newScript(t, func(n int, w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, `{"success":true,"data":[`)
			chunk := bytes.Repeat([]byte(" "), 1<<20)
			for range 9 {
				_, _ = w.Write(chunk)
			}
			_, _ = io.WriteString(w, `]}`)
		})
		_, err := s.client(t).ListDomains(context.Background())
		if !errors.Is(err, vastal.ErrMalformedResponse) || !strings.Contains(err.Error(), "larger than 8 MiB") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("redirect is not followed", func(t *testing.T) {
		s := newScript(t, func(n int, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://elsewhere.example/domains", http.StatusMovedPermanently)
		})
		_, err := s.client(t).CreateDomain(context.Background(), "acme.com")
		var apiErr *vastal.APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 301 || len(s.requests()) != 1 {
			t.Fatalf("err = %v after %d requests", err, len(s.requests()))
		}
	})
}

func TestClient_invalidArguments(t *testing.T) {
	s := newScript(t, func(n int, w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request %s %s", r.Method, r.URL)
	})
	c := s.client(t)
	ctx := context.Background()
	checks := map[string]error{}
	_, checks["CreateDomain bad name"] = c.CreateDomain(ctx, "not a domain")
	_, checks["FindDomain bad name"] = c.FindDomain(ctx, "-x-.com")
	_, checks["GetDomain empty ID"] = c.GetDomain(ctx, "")
	checks["DeleteDomain dot-dot ID"] = c.DeleteDomain(ctx, "..")
	_, checks["GetEmailAddress empty ID"] = c.GetEmailAddress(ctx, "dom_1", "")
	_, checks["CreateEmailAddress bad local part"] = c.CreateEmailAddress(ctx, "dom_1", vastal.CreateEmailAddressRequest{LocalPart: "a..b"})
	for name, err := range checks {
		if !errors.Is(err, vastal.ErrInvalidRequest) {
			t.Errorf("%s: err = %v, want ErrInvalidRequest", name, err)
		}
	}
}

func TestClient_pathsEscaped(t *testing.T) {
	s := newScript(t, func(n int, w http.ResponseWriter, r *http.Request) {
		ok(w, 200, map[string]any{"id": "email_1", "address": "a@acme.com"})
	})
	if _, err := s.client(t).GetEmailAddress(context.Background(), "dom/1", "email?x"); err != nil {
		t.Fatal(err)
	}
	if r := s.requests()[0]; r.Path != "/domains/dom/1/emails/email?x" || r.Query != "" {
		t.Errorf("path %q query %q", r.Path, r.Query)
	}
}

func TestClient_keyNeverInErrorsOrLogs(t *testing.T) {
	echo := func(n int, w http.ResponseWriter, r *http.Request) {
		// A careless server that echoes the Authorization header.
		msg := "Key " + strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ") + " is not valid."
		switch r.URL.Path {
		case "/domains/reset":
			hangUp(t, w, true)
		case "/domains/html":
			w.WriteHeader(502)
			_, _ = io.WriteString(w, msg)
		default:
			writeJSON(w, 401, map[string]any{"success": false, "error": map[string]any{"code": "unauthorized", "message": msg, "field": msg}})
		}
	}
	s := newScript(t, echo)
	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &logs)
	c := s.client(t, func(cfg *vastal.Config) { cfg.MaxRetries = 1 })
	var errs []error
	for _, id := range []string{"unauth", "reset", "html"} {
		_, err := c.GetDomain(ctx, id)
		errs = append(errs, err)
	}
	_, err := c.CreateDomain(ctx, "acme.com")
	errs = append(errs, err)
	for i, err := range errs {
		if err == nil {
			t.Fatalf("call %d succeeded", i)
		}
		if strings.Contains(err.Error(), testKey) {
			t.Errorf("error leaks the key: %v", err)
		}
		var apiErr *vastal.APIError
		if errors.As(err, &apiErr) && (strings.Contains(apiErr.Message, testKey) || strings.Contains(apiErr.Field, testKey)) {
			t.Errorf("APIError fields leak the key: %#v", apiErr)
		}
	}
	if !errors.Is(errs[0], vastal.ErrUnauthorized) {
		t.Errorf("err = %v, want ErrUnauthorized", errs[0])
	}
	if strings.Contains(logs.String(), testKey) {
		t.Errorf("logs leak the key:\n%s", logs.String())
	}
	entries, err := tflogtest.MultilineJSONDecode(&logs)
	if err != nil {
		t.Fatal(err)
	}
	requests := 0
	for _, e := range entries {
		if e["@message"] != "Vastal API request" {
			continue
		}
		requests++
		for _, f := range []string{"method", "path", "status", "attempt", "duration"} {
			if _, ok := e[f]; !ok {
				t.Errorf("log entry %v has no %q", e, f)
			}
		}
	}
	// unauth (1), reset (2), html (2), create (1): one entry per attempt.
	if requests != 6 {
		t.Errorf("%d request log entries, want 6:\n%v", requests, entries)
	}
}

// countingServer answers GET /domains/{id}/emails with n addresses and
// counts the requests per path.
type countingServer struct {
	srv   *httptest.Server
	mu    sync.Mutex
	count map[string]int
	total atomic.Int64
}

func newCountingServer(tb testing.TB, n int) *countingServer {
	cs := &countingServer{count: map[string]int{}}
	var list []map[string]any
	for i := range n {
		list = append(list, map[string]any{"id": "email_" + jsonNumber(i), "address": "u" + jsonNumber(i) + "@acme.com", "is_primary": i == 0, "created_at": "2024-01-10T08:00:00Z"})
	}
	cs.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cs.total.Add(1)
		cs.mu.Lock()
		cs.count[r.Method+" "+r.URL.Path]++
		cs.mu.Unlock()
		switch {
		case r.Method == "GET" && strings.HasSuffix(r.URL.Path, "/emails"):
			ok(w, 200, list)
		case r.Method == "GET" && strings.Contains(r.URL.Path, "/emails/"):
			fail(w, 404, "not_found", "No such address.")
		case r.Method == "GET":
			ok(w, 200, testDomain)
		default:
			ok(w, 200, map[string]any{"id": "x", "deleted": true})
		}
	}))
	tb.Cleanup(cs.srv.Close)
	return cs
}

func (cs *countingServer) requests(key string) int {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.count[key]
}

func TestClient_coalescedReads(t *testing.T) {
	cs := newCountingServer(t, 100)
	c, err := vastal.New(vastal.Config{BaseURL: cs.srv.URL, CacheTTL: time.Hour, BaseDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := range 100 {
		wg.Go(func() {
			e, err := c.GetEmailAddress(ctx, "dom_abc123", "email_"+jsonNumber(i))
			if err == nil && e.Address != "u"+jsonNumber(i)+"@acme.com" {
				err = errors.New("wrong address " + e.Address)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := cs.total.Load(); n != 1 {
		t.Fatalf("100 concurrent GetEmailAddress made %d requests, want 1", n)
	}
	// Repeated reads within the TTL are free too, and hand out copies.
	list, err := c.ListEmailAddresses(ctx, "dom_abc123")
	if err != nil || len(list) != 100 {
		t.Fatalf("list: %d, %v", len(list), err)
	}
	list[0].Address = "mutated@acme.com"
	if e, _ := c.GetEmailAddress(ctx, "dom_abc123", "email_0"); e.Address != "u0@acme.com" {
		t.Fatalf("a caller's edit leaked into the cache: %+v", e)
	}
	if n := cs.total.Load(); n != 1 {
		t.Fatalf("%d requests after repeated reads, want 1", n)
	}
	// An address the list does not hold is asked for on its own.
	if _, err := c.GetEmailAddress(ctx, "dom_abc123", "email_missing"); !errors.Is(err, vastal.ErrNotFound) {
		t.Fatalf("missing address: %v", err)
	}
	if n := cs.requests("GET /domains/dom_abc123/emails/email_missing"); n != 1 {
		t.Fatalf("fallback GET made %d requests", n)
	}
	// Another domain has its own entry.
	if _, err := c.ListEmailAddresses(ctx, "dom_other"); err != nil {
		t.Fatal(err)
	}
	if n := cs.requests("GET /domains/dom_other/emails"); n != 1 {
		t.Fatalf("other domain: %d requests", n)
	}

	// Every write invalidates before it returns.
	writes := map[string]func() error{
		"create": func() error {
			_, err := c.CreateEmailAddress(ctx, "dom_abc123", vastal.CreateEmailAddressRequest{LocalPart: "new"})
			return err
		},
		"update": func() error {
			t := true
			_, err := c.UpdateEmailAddress(ctx, "dom_abc123", "email_3", vastal.UpdateEmailAddressRequest{IsPrimary: &t})
			return err
		},
		"delete address": func() error { return c.DeleteEmailAddress(ctx, "dom_abc123", "email_3") },
		"delete domain":  func() error { return c.DeleteDomain(ctx, "dom_abc123") },
	}
	for name, write := range writes {
		before := cs.requests("GET /domains/dom_abc123/emails")
		_ = write() // the counting server's answers do not matter here
		if _, err := c.GetEmailAddress(ctx, "dom_abc123", "email_1"); err != nil {
			t.Fatal(err)
		}
		if after := cs.requests("GET /domains/dom_abc123/emails"); after != before+1 {
			t.Errorf("after %s: %d list requests, want %d", name, after, before+1)
		}
	}
}

func TestClient_coalescedGetDomain(t *testing.T) {
	cs := newCountingServer(t, 1)
	c, err := vastal.New(vastal.Config{BaseURL: cs.srv.URL, CacheTTL: time.Hour, BaseDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			d, err := c.GetDomain(ctx, "dom_abc123")
			if err != nil {
				t.Error(err)
				return
			}
			*d.DNSRecords[0].Priority = 99 // must not reach other callers
		})
	}
	wg.Wait()
	d, err := c.GetDomain(ctx, "dom_abc123")
	if err != nil {
		t.Fatal(err)
	}
	if *d.DNSRecords[0].Priority != 10 {
		t.Errorf("a caller's edit leaked into the cache: priority %d", *d.DNSRecords[0].Priority)
	}
	if n := cs.requests("GET /domains/dom_abc123"); n != 1 {
		t.Fatalf("51 GetDomain made %d requests, want 1", n)
	}
	_, _ = c.VerifyDomain(ctx, "dom_abc123") // the counting server answers with a domain, which is fine here
	if _, err := c.GetDomain(ctx, "dom_abc123"); err != nil {
		t.Fatal(err)
	}
	if n := cs.requests("GET /domains/dom_abc123"); n != 2 {
		t.Fatalf("GetDomain after VerifyDomain: %d requests, want 2", n)
	}
}

func TestClient_noCoalescingWhenTTLZero(t *testing.T) {
	cs := newCountingServer(t, 3)
	c, err := vastal.New(vastal.Config{BaseURL: cs.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := c.ListEmailAddresses(context.Background(), "dom_1"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.GetEmailAddress(context.Background(), "dom_1", "email_0"); !errors.Is(err, vastal.ErrNotFound) {
		t.Fatalf("GetEmailAddress without a cache should GET the address: %v", err)
	}
	if n := cs.total.Load(); n != 4 {
		t.Fatalf("%d requests, want 4", n)
	}
}
