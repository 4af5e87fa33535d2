package vastal_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vastal/terraform-provider-vastal/internal/backend"
	"github.com/vastal/terraform-provider-vastal/internal/dnscheck"
	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

// switchChecker reports a domain's records as published once the test says so.
type switchChecker struct {
	mu        sync.Mutex
	published map[string]bool
}

func (s *switchChecker) publish(domain string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.published[domain] = true
}

func (s *switchChecker) Check(ctx context.Context, domain string) (*dnscheck.Result, error) {
	s.mu.Lock()
	ok := s.published[domain]
	s.mu.Unlock()
	if !ok {
		return backend.NotFoundChecker{}.Check(ctx, domain)
	}
	res := &dnscheck.Result{Domain: domain, Checked: time.Now().UTC()}
	for _, req := range dnscheck.Required(domain) {
		res.Records = append(res.Records, dnscheck.RecordResult{
			Key: req.Key, Type: req.Type, Name: req.Name, Expected: req.Value,
			Found: []string{req.Value}, Verified: true,
		})
	}
	return res, nil
}

// backendModes opens a fresh backend and returns a client configuration
// reaching it over loopback HTTP and one reaching it in-process.
func backendModes(t *testing.T, opts backend.Options) map[string]func(t *testing.T) (vastal.Config, *switchChecker) {
	t.Helper()
	open := func(t *testing.T) (*backend.Backend, *switchChecker) {
		checker := &switchChecker{published: map[string]bool{}}
		o := opts
		o.Checker = checker
		b, err := backend.Open(filepath.Join(t.TempDir(), "vastal.db"), o)
		if err != nil {
			t.Fatalf("backend.Open: %v", err)
		}
		t.Cleanup(func() { _ = b.Close() })
		return b, checker
	}
	return map[string]func(t *testing.T) (vastal.Config, *switchChecker){
		"httptest": func(t *testing.T) (vastal.Config, *switchChecker) {
			b, checker := open(t)
			srv := httptest.NewServer(b)
			t.Cleanup(srv.Close)
			return vastal.Config{BaseURL: srv.URL, BaseDelay: time.Millisecond}, checker
		},
		"transport": func(t *testing.T) (vastal.Config, *switchChecker) {
			b, checker := open(t)
			return vastal.Config{BaseURL: "http://127.0.0.1", Transport: backend.Transport(b), BaseDelay: time.Millisecond}, checker
		},
	}
}

func mustNew(t *testing.T, cfg vastal.Config) *vastal.Client {
	t.Helper()
	c, err := vastal.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: err = %v, want %v", what, err, target)
	}
}

func TestBackend_crudWalk(t *testing.T) {
	for mode, setup := range backendModes(t, backend.Options{APIKey: testKey}) {
		for _, ttl := range []time.Duration{0, time.Hour} {
			t.Run(mode+"/cache "+ttl.String(), func(t *testing.T) {
				cfg, checker := setup(t)
				cfg.APIKey = testKey
				cfg.CacheTTL = ttl
				c := mustNew(t, cfg)
				crudWalk(t, c, checker)
			})
		}
	}
}

func crudWalk(t *testing.T, c *vastal.Client, checker *switchChecker) {
	ctx := context.Background()

	list, err := c.ListDomains(ctx)
	if err != nil || len(list) != 0 {
		t.Fatalf("ListDomains on a new backend: %v, %v", list, err)
	}
	_, err = c.FindDomain(ctx, "acme.com")
	wantErr(t, "FindDomain before create", err, vastal.ErrNotFound)

	d, err := c.CreateDomain(ctx, "Acme.COM.")
	if err != nil {
		t.Fatalf("CreateDomain: %v", err)
	}
	if d.Domain != "acme.com" || d.Status != vastal.StatusPending || len(d.DNSRecords) != 4 || d.ID == "" || d.VerifiedAt != nil {
		t.Fatalf("created %+v", d)
	}
	_, err = c.CreateDomain(ctx, "acme.com")
	wantErr(t, "CreateDomain twice", err, vastal.ErrConflict)

	got, err := c.GetDomain(ctx, d.ID)
	if err != nil {
		t.Fatalf("GetDomain: %v", err)
	}
	if diff := cmp.Diff(d, got); diff != "" {
		t.Errorf("GetDomain differs from CreateDomain (-create +get):\n%s", diff)
	}
	found, err := c.FindDomain(ctx, "ACME.com")
	if err != nil || found.ID != d.ID {
		t.Fatalf("FindDomain: %+v, %v", found, err)
	}

	// Idempotent replay: one key, one domain; the key with another body is refused.
	kctx := vastal.WithIdempotencyKey(ctx, "walk-beta")
	b1, err := c.CreateDomain(kctx, "beta.com")
	if err != nil {
		t.Fatalf("CreateDomain beta: %v", err)
	}
	b2, err := c.CreateDomain(kctx, "beta.com")
	if err != nil || b2.ID != b1.ID {
		t.Fatalf("replayed CreateDomain: %+v, %v; want the same domain %s", b2, err, b1.ID)
	}
	_, err = c.CreateDomain(kctx, "gamma.com")
	wantErr(t, "key reused for another domain", err, vastal.ErrIdempotencyConflict)
	if list, _ := c.ListDomains(ctx); len(list) != 2 || list[0].ID != d.ID || list[1].ID != b1.ID {
		t.Fatalf("ListDomains after replay: %+v", list)
	}

	// Addresses need an active domain.
	_, err = c.CreateEmailAddress(ctx, d.ID, vastal.CreateEmailAddressRequest{LocalPart: "sales"})
	wantErr(t, "CreateEmailAddress on a pending domain", err, vastal.ErrNotVerified)

	v, err := c.VerifyDomain(ctx, d.ID)
	if err != nil || v.AllVerified || v.Status != vastal.StatusPending || len(v.Checks) != 4 || len(v.Issues) == 0 {
		t.Fatalf("VerifyDomain before DNS: %+v, %v", v, err)
	}
	checker.publish("acme.com")
	v, err = c.VerifyDomain(ctx, d.ID)
	if err != nil || !v.AllVerified || v.Status != vastal.StatusActive {
		t.Fatalf("VerifyDomain after DNS: %+v, %v", v, err)
	}
	if got, err := c.GetDomain(ctx, d.ID); err != nil || got.Status != vastal.StatusActive || got.VerifiedAt == nil {
		t.Fatalf("GetDomain after verification (stale cache?): %+v, %v", got, err)
	}

	sales, err := c.CreateEmailAddress(ctx, d.ID, vastal.CreateEmailAddressRequest{LocalPart: "Sales", IsPrimary: true})
	if err != nil || sales.Address != "sales@acme.com" || !sales.IsPrimary {
		t.Fatalf("CreateEmailAddress sales: %+v, %v", sales, err)
	}
	// A read between writes fills the cache, which the next write must empty.
	if list, err := c.ListEmailAddresses(ctx, d.ID); err != nil || len(list) != 1 {
		t.Fatalf("ListEmailAddresses: %+v, %v", list, err)
	}
	info, err := c.CreateEmailAddress(ctx, d.ID, vastal.CreateEmailAddressRequest{LocalPart: "info"})
	if err != nil || info.Address != "info@acme.com" || info.IsPrimary {
		t.Fatalf("CreateEmailAddress info: %+v, %v", info, err)
	}
	_, err = c.CreateEmailAddress(ctx, d.ID, vastal.CreateEmailAddressRequest{LocalPart: "SALES"})
	wantErr(t, "CreateEmailAddress twice", err, vastal.ErrConflict)

	addrs, err := c.ListEmailAddresses(ctx, d.ID)
	if err != nil {
		t.Fatalf("ListEmailAddresses: %v", err)
	}
	if diff := cmp.Diff([]vastal.EmailAddress{*sales, *info}, addrs); diff != "" {
		t.Fatalf("ListEmailAddresses (-want +got):\n%s", diff)
	}
	if got, err := c.GetEmailAddress(ctx, d.ID, info.ID); err != nil || *got != *info {
		t.Fatalf("GetEmailAddress info: %+v, %v", got, err)
	}

	yes := true
	upd, err := c.UpdateEmailAddress(ctx, d.ID, info.ID, vastal.UpdateEmailAddressRequest{IsPrimary: &yes})
	if err != nil || !upd.IsPrimary {
		t.Fatalf("UpdateEmailAddress: %+v, %v", upd, err)
	}
	if got, err := c.GetEmailAddress(ctx, d.ID, sales.ID); err != nil || got.IsPrimary {
		t.Fatalf("the previous primary after the update (stale cache?): %+v, %v", got, err)
	}

	if err := c.DeleteEmailAddress(ctx, d.ID, info.ID); err != nil {
		t.Fatalf("DeleteEmailAddress: %v", err)
	}
	wantErr(t, "DeleteEmailAddress twice", c.DeleteEmailAddress(ctx, d.ID, info.ID), vastal.ErrNotFound)
	_, err = c.GetEmailAddress(ctx, d.ID, info.ID)
	wantErr(t, "GetEmailAddress after delete", err, vastal.ErrNotFound)
	_, err = c.UpdateEmailAddress(ctx, d.ID, info.ID, vastal.UpdateEmailAddressRequest{IsPrimary: &yes})
	wantErr(t, "UpdateEmailAddress after delete", err, vastal.ErrNotFound)
	_, err = c.GetEmailAddress(ctx, b1.ID, sales.ID)
	wantErr(t, "GetEmailAddress under another domain", err, vastal.ErrNotFound)

	_, err = c.GetDomain(ctx, "dom_doesnotexist")
	wantErr(t, "GetDomain unknown", err, vastal.ErrNotFound)
	_, err = c.VerifyDomain(ctx, "dom_doesnotexist")
	wantErr(t, "VerifyDomain unknown", err, vastal.ErrNotFound)

	if err := c.DeleteDomain(ctx, d.ID); err != nil {
		t.Fatalf("DeleteDomain: %v", err)
	}
	wantErr(t, "DeleteDomain twice", c.DeleteDomain(ctx, d.ID), vastal.ErrNotFound)
	_, err = c.GetDomain(ctx, d.ID)
	wantErr(t, "GetDomain after delete", err, vastal.ErrNotFound)
	_, err = c.ListEmailAddresses(ctx, d.ID)
	wantErr(t, "ListEmailAddresses after delete", err, vastal.ErrNotFound)
	_, err = c.GetEmailAddress(ctx, d.ID, sales.ID)
	wantErr(t, "GetEmailAddress after its domain was deleted", err, vastal.ErrNotFound)
	_, err = c.FindDomain(ctx, "acme.com")
	wantErr(t, "FindDomain after delete", err, vastal.ErrNotFound)
}

func TestBackend_authAndPlan(t *testing.T) {
	for mode, setup := range backendModes(t, backend.Options{APIKey: testKey}) {
		t.Run(mode+"/wrong key", func(t *testing.T) {
			cfg, _ := setup(t)
			cfg.APIKey = "not-the-key"
			_, err := mustNew(t, cfg).ListDomains(context.Background())
			wantErr(t, "wrong key", err, vastal.ErrUnauthorized)
			cfg.APIKey = ""
			_, err = mustNew(t, cfg).ListDomains(context.Background())
			wantErr(t, "no key", err, vastal.ErrUnauthorized)
		})
	}
	for mode, setup := range backendModes(t, backend.Options{PlanRequired: true}) {
		t.Run(mode+"/plan required", func(t *testing.T) {
			cfg, _ := setup(t)
			_, err := mustNew(t, cfg).CreateDomain(context.Background(), "acme.com")
			wantErr(t, "create without a plan", err, vastal.ErrPlanRequired)
		})
	}
}

// The in-process transport honours a cancelled ctx like a network one.
func TestBackend_transportCancel(t *testing.T) {
	setup := backendModes(t, backend.Options{})["transport"]
	cfg, _ := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := mustNew(t, cfg).ListDomains(ctx)
	wantErr(t, "cancelled", err, context.Canceled)
}

// Many goroutines creating through the same client against the real backend
// each get their own domain and nothing is created twice.
func TestBackend_concurrentCreates(t *testing.T) {
	for mode, setup := range backendModes(t, backend.Options{}) {
		t.Run(mode, func(t *testing.T) {
			cfg, _ := setup(t)
			cfg.CacheTTL = time.Hour
			c := mustNew(t, cfg)
			ctx := context.Background()
			var wg sync.WaitGroup
			errs := make(chan error, 20)
			for i := range 20 {
				wg.Go(func() {
					_, err := c.CreateDomain(ctx, "d"+jsonNumber(i)+".example.com")
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
			list, err := c.ListDomains(ctx)
			if err != nil || len(list) != 20 {
				t.Fatalf("ListDomains: %d, %v", len(list), err)
			}
		})
	}
}

// statusRecorder records the status of every response that passes it.
type statusRecorder struct {
	base     http.RoundTripper
	mu       sync.Mutex
	statuses []int
}

func (s *statusRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := s.base.RoundTrip(req)
	if err == nil {
		s.mu.Lock()
		s.statuses = append(s.statuses, resp.StatusCode)
		s.mu.Unlock()
	}
	return resp, err
}

// Against the backend's rate limit every call still succeeds: the client
// waits out each 429 for the Retry-After the backend sends.
func TestBackend_rateLimit(t *testing.T) {
	setup := backendModes(t, backend.Options{RateLimit: 2})["transport"]
	cfg, _ := setup(t)
	rec := &statusRecorder{base: cfg.Transport}
	cfg.Transport = rec
	c := mustNew(t, cfg)
	for i := range 5 {
		if _, err := c.ListDomains(context.Background()); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	limited := 0
	for _, s := range rec.statuses {
		if s == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited == 0 || len(rec.statuses) != 5+limited {
		t.Fatalf("statuses %v: want some 429s, each followed by a retry", rec.statuses)
	}
}
