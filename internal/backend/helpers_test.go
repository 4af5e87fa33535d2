package backend

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vastal/terraform-provider-vastal/internal/dnscheck"
	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

// fakeClock is a settable clock for the status machine and idempotency TTL.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *fakeClock {
	return &fakeClock{now: time.Date(2024, 1, 10, 8, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fakeChecker answers verify with the records set in pass (by key), or err.
type fakeChecker struct {
	mu    sync.Mutex
	pass  map[string]bool
	err   error
	calls int
}

func (f *fakeChecker) set(pass ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = nil
	f.pass = map[string]bool{}
	for _, k := range pass {
		f.pass[k] = true
	}
}

func (f *fakeChecker) fail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

func (f *fakeChecker) Check(ctx context.Context, domain string) (*dnscheck.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	res, err := NotFoundChecker{}.Check(ctx, domain)
	if err != nil {
		return nil, err
	}
	res.Warnings = nil
	for i := range res.Records {
		rec := &res.Records[i]
		if f.pass[rec.Key] {
			rec.Verified = true
			rec.Issue = ""
			rec.Found = []string{rec.Expected}
			rec.Servers = []dnscheck.ServerAnswer{{Server: "127.0.0.1:53", State: dnscheck.StateData, Found: rec.Found}}
		}
	}
	return res, nil
}

var allKeys = dnscheck.Keys

// env is one backend reached through one kind of client.
type env struct {
	t       *testing.T
	b       *Backend
	client  *http.Client
	base    string
	clock   *fakeClock
	checker *fakeChecker
	path    string
}

// transports are the two ways a client reaches the backend; every API test
// runs through both.
var transports = map[string]func(t *testing.T, b *Backend) (*http.Client, string){
	"httptest": func(t *testing.T, b *Backend) (*http.Client, string) {
		srv := httptest.NewServer(b)
		t.Cleanup(srv.Close)
		return srv.Client(), srv.URL
	},
	"transport": func(t *testing.T, b *Backend) (*http.Client, string) {
		return &http.Client{Transport: Transport(b)}, "http://vastal.embedded"
	},
}

func newEnv(t *testing.T, via string, opts Options) *env {
	t.Helper()
	e := &env{t: t, clock: newClock(), checker: &fakeChecker{}}
	if opts.Now == nil {
		opts.Now = e.clock.Now
	}
	if opts.Checker == nil {
		opts.Checker = e.checker
	}
	e.path = filepath.Join(t.TempDir(), "vastal.db")
	b, err := Open(e.path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = b.Close() })
	e.b = b
	e.client, e.base = transports[via](t, b)
	return e
}

// forEachTransport runs f once per transport, each with a fresh backend.
func forEachTransport(t *testing.T, opts Options, f func(t *testing.T, e *env)) {
	for name := range transports {
		t.Run(name, func(t *testing.T) {
			f(t, newEnv(t, name, opts))
		})
	}
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func (e *env) do(method, path, body string, headers ...string) reply {
	e.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.base+path, r)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer checkClose(e.t, resp.Body)
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		e.t.Errorf("%s %s: Content-Type %q, want application/json", method, path, ct)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// data decodes a success envelope into out, failing unless status is want.
func (r reply) data(t *testing.T, want int, out any) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d; body %s", r.status, want, r.body)
	}
	var env struct {
		Success *bool           `json:"success"`
		Data    json.RawMessage `json:"data"`
		Error   json.RawMessage `json:"error"`
	}
	if err := json.Unmarshal(r.body, &env); err != nil {
		t.Fatalf("body %s: %v", r.body, err)
	}
	if env.Success == nil || !*env.Success || env.Error != nil || env.Data == nil {
		t.Fatalf("not a success envelope: %s", r.body)
	}
	if out != nil {
		dec := json.NewDecoder(strings.NewReader(string(env.Data)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(out); err != nil {
			t.Fatalf("data %s: %v", env.Data, err)
		}
	}
}

// failure decodes a failure envelope, failing unless status and code match.
func (r reply) failure(t *testing.T, status int, code string) vastal.ErrorBody {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	var env map[string]json.RawMessage
	if err := json.Unmarshal(r.body, &env); err != nil {
		t.Fatalf("body %s: %v", r.body, err)
	}
	if string(env["success"]) != "false" || env["data"] != nil || len(env) != 2 {
		t.Fatalf("not a failure envelope: %s", r.body)
	}
	var eb vastal.ErrorBody
	dec := json.NewDecoder(strings.NewReader(string(env["error"])))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&eb); err != nil {
		t.Fatalf("error %s: %v", env["error"], err)
	}
	if eb.Code != code {
		t.Fatalf("code %q, want %q; body %s", eb.Code, code, r.body)
	}
	if eb.Message == "" || !strings.HasSuffix(eb.Message, ".") {
		t.Errorf("message %q is not a sentence", eb.Message)
	}
	return eb
}

func (e *env) createDomain(name string) vastal.Domain {
	e.t.Helper()
	var d vastal.Domain
	e.do("POST", "/domains", `{"domain":"`+name+`"}`).data(e.t, 201, &d)
	return d
}

// activeDomain creates a domain and verifies it with every record passing.
func (e *env) activeDomain(name string) vastal.Domain {
	e.t.Helper()
	d := e.createDomain(name)
	e.checker.set(allKeys...)
	var v vastal.Verification
	e.do("GET", "/domains/"+d.ID+"/verify", "").data(e.t, 200, &v)
	if v.Status != vastal.StatusActive {
		e.t.Fatalf("verify: status %q, want active", v.Status)
	}
	return d
}

func (e *env) createEmail(domainID, body string) vastal.EmailAddress {
	e.t.Helper()
	var a vastal.EmailAddress
	e.do("POST", "/domains/"+domainID+"/emails", body).data(e.t, 201, &a)
	return a
}

// checkClose closes c and fails the test if that fails; use it with defer
// or t.Cleanup.
func checkClose(tb testing.TB, c io.Closer) {
	tb.Helper()
	if err := c.Close(); err != nil {
		tb.Errorf("close: %v", err)
	}
}
