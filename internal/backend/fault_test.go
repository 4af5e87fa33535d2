package backend

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

// faultyServer serves a fresh backend behind a fault injector on loopback.
func faultyServer(t *testing.T, cfg FaultConfig) (*FaultInjector, *vastal.Client) {
	t.Helper()
	b, err := Open(filepath.Join(t.TempDir(), "db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	fi := WithFaults(b, cfg)
	srv := httptest.NewServer(fi)
	t.Cleanup(func() { srv.Close(); _ = b.Close() })
	c, err := vastal.New(vastal.Config{BaseURL: srv.URL, BaseDelay: time.Millisecond, MaxRetries: 6})
	if err != nil {
		t.Fatal(err)
	}
	return fi, c
}

// Every kind of fault at a 40 % rate: concurrent creates all succeed, and
// the backend holds each domain once, so every retry of a POST whose
// response was lost was answered from its idempotency record.
func TestFaults_createsSurviveWithoutDuplicates(t *testing.T) {
	t.Parallel()
	// 429 (its Retry-After costs a second) is tested below and in the acceptance test.
	fi, c := faultyServer(t, FaultConfig{Rate: 0.4, Seed: 1, MaxConsecutive: 3,
		Kinds: []Fault{Fault500, Fault503, FaultResetBefore, FaultResetAfter, FaultSlow}})
	const n = 40
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.CreateDomain(ctx, fmt.Sprintf("d%02d.test", i))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("create d%02d.test: %v", i, err)
		}
	}
	fi.SetConfig(FaultConfig{})
	list, err := c.ListDomains(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, d := range list {
		seen[d.Domain]++
	}
	if len(list) != n || len(seen) != n {
		t.Errorf("the backend holds %d domains (%d distinct), want %d", len(list), len(seen), n)
	}
	counts := fi.Counts()
	for _, k := range []Fault{Fault500, Fault503, FaultResetBefore, FaultResetAfter, FaultSlow} {
		if counts[k] == 0 {
			t.Errorf("no %s fault was injected (counts %v); the test proves nothing about it", k, counts)
		}
	}
}

// A POST whose response is lost every time: the client gives up with a
// transport error, and the one domain the first attempt created is the only
// one (later attempts replayed it).
func TestFaults_retriesRunOut(t *testing.T) {
	t.Parallel()
	fi, c := faultyServer(t, FaultConfig{Decide: func(r *http.Request) Fault {
		if r.Method == http.MethodPost {
			return FaultResetAfter
		}
		return FaultNone
	}})
	_, err := c.CreateDomain(context.Background(), "lost.test")
	var reqErr *vastal.RequestError
	if !errors.As(err, &reqErr) || reqErr.Attempts != 7 {
		t.Fatalf("create = %v, want a RequestError after 7 attempts", err)
	}
	if got := fi.Counts()[FaultResetAfter]; got != 7 {
		t.Errorf("reset-after faults = %d, want 7", got)
	}
	list, err := c.ListDomains(context.Background())
	if err != nil || len(list) != 1 || list[0].Domain != "lost.test" {
		t.Fatalf("domains = %+v, %v; want lost.test once", list, err)
	}
	// A new process does not know the lost key: the API says the domain exists.
	fi.SetConfig(FaultConfig{})
	_, err = c.CreateDomain(context.Background(), "lost.test")
	if !errors.Is(err, vastal.ErrConflict) {
		t.Errorf("second create = %v, want ErrConflict", err)
	}
}

func TestFaults_statusAndRetryAfter(t *testing.T) {
	t.Parallel()
	tests := map[Fault]struct {
		status     int
		retryAfter string
	}{
		Fault500: {500, ""},
		Fault503: {503, ""},
		Fault429: {429, "3"},
	}
	for fault, want := range tests {
		t.Run(fault.String(), func(t *testing.T) {
			t.Parallel()
			b, err := Open(filepath.Join(t.TempDir(), "db"), Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer checkClose(t, b)
			fi := WithFaults(b, FaultConfig{Rate: 1, Kinds: []Fault{fault}, RetryAfter: 3, MaxConsecutive: 1})
			for i, wantStatus := range []int{want.status, 200} {
				rec := httptest.NewRecorder()
				fi.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/domains", nil))
				if rec.Code != wantStatus {
					t.Fatalf("request %d: status %d, want %d", i, rec.Code, wantStatus)
				}
				if i == 0 && rec.Header().Get("Retry-After") != want.retryAfter {
					t.Errorf("Retry-After %q, want %q", rec.Header().Get("Retry-After"), want.retryAfter)
				}
			}
		})
	}
}

// Without a connection to reset, a reset aborts the handler, as
// http.Server does; the in-process transport reports that as an error.
func TestFaults_resetWithoutConnection(t *testing.T) {
	t.Parallel()
	b, err := Open(filepath.Join(t.TempDir(), "db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer checkClose(t, b)
	fi := WithFaults(b, FaultConfig{Rate: 1, Kinds: []Fault{FaultResetBefore}})
	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1/domains", nil)
	_, err = Transport(fi).RoundTrip(req)
	if !errors.Is(err, ErrHandlerPanic) {
		t.Errorf("RoundTrip = %v, want ErrHandlerPanic", err)
	}
}
