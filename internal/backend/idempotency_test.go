package backend

import (
	"bytes"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

func countRows(t *testing.T, b *Backend, table string) int {
	t.Helper()
	var n int
	if err := b.db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestIdempotency_replay(t *testing.T) {
	forEachTransport(t, Options{}, func(t *testing.T, e *env) {
		key := []string{"Idempotency-Key", "create-acme"}
		first := e.do("POST", "/domains", `{"domain":"acme.com"}`, key...)
		first.data(t, 201, nil)
		if first.header.Get("Idempotent-Replayed") != "" {
			t.Error("the first response is marked as replayed")
		}
		e.clock.Advance(IdempotencyTTL - time.Second)
		again := e.do("POST", "/domains", `{"domain":"acme.com"}`, key...)
		if again.status != 201 || !bytes.Equal(again.body, first.body) {
			t.Errorf("replay: %d %s, want 201 %s", again.status, again.body, first.body)
		}
		if again.header.Get("Idempotent-Replayed") != "true" {
			t.Error("the replay is not marked as replayed")
		}
		if n := countRows(t, e.b, "domains"); n != 1 {
			t.Errorf("%d domains after a replay, want 1", n)
		}

		// Addresses too.
		d := e.activeDomain("active.com")
		ekey := []string{"Idempotency-Key", "create-sales"}
		path := "/domains/" + d.ID + "/emails"
		a1 := e.do("POST", path, `{"local_part":"sales"}`, ekey...)
		a1.data(t, 201, nil)
		a2 := e.do("POST", path, `{"local_part":"sales"}`, ekey...)
		if a2.status != 201 || !bytes.Equal(a1.body, a2.body) {
			t.Errorf("address replay: %d %s", a2.status, a2.body)
		}
		if n := countRows(t, e.b, "emails"); n != 1 {
			t.Errorf("%d addresses after a replay, want 1", n)
		}
	})
}

func TestIdempotency_conflict(t *testing.T) {
	forEachTransport(t, Options{}, func(t *testing.T, e *env) {
		key := []string{"Idempotency-Key", "k1"}
		e.do("POST", "/domains", `{"domain":"acme.com"}`, key...).data(t, 201, nil)
		e.do("POST", "/domains", `{"domain":"other.com"}`, key...).failure(t, 409, vastal.CodeIdempotencyConflict)
		// Another path is another request.
		e.do("POST", "/domains/dom_x/emails", `{"local_part":"a"}`, key...).failure(t, 409, vastal.CodeIdempotencyConflict)
		if n := countRows(t, e.b, "domains"); n != 1 {
			t.Errorf("%d domains, want 1", n)
		}
		// Without a key there is no replay: the domain exists.
		e.do("POST", "/domains", `{"domain":"acme.com"}`).failure(t, 409, vastal.CodeDomainExists)
	})
}

func TestIdempotency_expires(t *testing.T) {
	forEachTransport(t, Options{}, func(t *testing.T, e *env) {
		key := []string{"Idempotency-Key", "k1"}
		e.do("POST", "/domains", `{"domain":"acme.com"}`, key...).data(t, 201, nil)
		e.clock.Advance(IdempotencyTTL)
		// The record is gone, so the request runs again and meets the domain.
		e.do("POST", "/domains", `{"domain":"acme.com"}`, key...).failure(t, 409, vastal.CodeDomainExists)
		// And the key is free for another request.
		e.do("POST", "/domains", `{"domain":"other.com"}`, key...).data(t, 201, nil)
		if n := countRows(t, e.b, "idempotency"); n != 1 {
			t.Errorf("%d idempotency records, want 1 (the expired one purged)", n)
		}
	})
}

// TestIdempotency_failuresNotStored: a 422 is not replayed, so the same
// request succeeds with the same key once the domain is active.
func TestIdempotency_failuresNotStored(t *testing.T) {
	forEachTransport(t, Options{}, func(t *testing.T, e *env) {
		d := e.createDomain("acme.com")
		key := []string{"Idempotency-Key", "sales"}
		path := "/domains/" + d.ID + "/emails"
		e.do("POST", path, `{"local_part":"sales"}`, key...).failure(t, 422, vastal.CodeDomainNotVerified)
		e.checker.set(allKeys...)
		e.do("GET", "/domains/"+d.ID+"/verify", "").data(t, 200, nil)
		e.do("POST", path, `{"local_part":"sales"}`, key...).data(t, 201, nil)
	})
}

// TestIdempotency_concurrent: many goroutines racing with one key create one
// domain, and all of them get the same answer.
func TestIdempotency_concurrent(t *testing.T) {
	forEachTransport(t, Options{}, func(t *testing.T, e *env) {
		const n = 16
		var wg sync.WaitGroup
		bodies := make([][]byte, n)
		statuses := make([]int, n)
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				req, _ := http.NewRequest("POST", e.base+"/domains", bytes.NewReader([]byte(`{"domain":"acme.com"}`)))
				req.Header.Set("Idempotency-Key", "same")
				resp, err := e.client.Do(req)
				if err != nil {
					errs[i] = err
					return
				}
				defer checkClose(t, resp.Body)
				var buf bytes.Buffer
				_, errs[i] = buf.ReadFrom(resp.Body)
				bodies[i], statuses[i] = buf.Bytes(), resp.StatusCode
			})
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("request %d: %v", i, errs[i])
			}
			if statuses[i] != 201 || !bytes.Equal(bodies[i], bodies[0]) {
				t.Errorf("request %d: %d %s, want 201 %s", i, statuses[i], bodies[i], bodies[0])
			}
		}
		if c := countRows(t, e.b, "domains"); c != 1 {
			t.Errorf("%d domains created, want 1", c)
		}
	})
}

// TestIdempotency_concurrentTwoBackends: the same race between two backends
// on one file, as between two provider processes.
func TestIdempotency_concurrentTwoBackends(t *testing.T) {
	path := t.TempDir() + "/vastal.db"
	var backends [2]*Backend
	for i := range backends {
		b, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = b.Close() })
		backends[i] = b
	}
	const n = 8
	var wg sync.WaitGroup
	results := make([]string, 2*n)
	for i := range 2 * n {
		c := &http.Client{Transport: Transport(backends[i%2])}
		wg.Go(func() {
			req, _ := http.NewRequest("POST", "http://x/domains", bytes.NewReader([]byte(`{"domain":"acme.com"}`)))
			req.Header.Set("Idempotency-Key", "same")
			resp, err := c.Do(req)
			if err != nil {
				results[i] = err.Error()
				return
			}
			defer checkClose(t, resp.Body)
			var buf bytes.Buffer
			_, _ = buf.ReadFrom(resp.Body)
			results[i] = fmt.Sprintf("%d %s", resp.StatusCode, buf.Bytes())
		})
	}
	wg.Wait()
	for i, r := range results {
		if r != results[0] || r[:3] != "201" {
			t.Errorf("request %d: %s; request 0: %s", i, r, results[0])
		}
	}
	if c := countRows(t, backends[0], "domains"); c != 1 {
		t.Errorf("%d domains created, want 1", c)
	}
}
