package vastal

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeClock) now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.t }
func (f *fakeClock) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = f.t.Add(d)
}

// gatedFetch is a fetch that reports when it starts and waits for a value
// to return, so a test decides what overlaps what.
type gatedFetch struct {
	calls     atomic.Int64
	started   chan struct{}
	release   chan any
	cancelled chan struct{}
}

func newGatedFetch() *gatedFetch {
	return &gatedFetch{started: make(chan struct{}, 10), release: make(chan any, 10), cancelled: make(chan struct{}, 10)}
}

func (g *gatedFetch) fetch(ctx context.Context) (any, error) {
	g.calls.Add(1)
	g.started <- struct{}{}
	select {
	case v := <-g.release:
		if err, ok := v.(error); ok {
			return nil, err
		}
		return v, nil
	case <-ctx.Done():
		g.cancelled <- struct{}{}
		return nil, ctx.Err()
	}
}

func TestReadCache_ttl(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1000, 0)}
	rc := newReadCache(time.Second, clock.now)
	g := newGatedFetch()
	ctx := context.Background()
	g.release <- "v1"
	if v, err := rc.get(ctx, "k", g.fetch); v != "v1" || err != nil {
		t.Fatalf("get = %v, %v", v, err)
	}
	clock.advance(999 * time.Millisecond)
	if v, _ := rc.get(ctx, "k", g.fetch); v != "v1" || g.calls.Load() != 1 {
		t.Fatalf("within the TTL: %v after %d fetches", v, g.calls.Load())
	}
	clock.advance(time.Millisecond)
	g.release <- "v2"
	if v, _ := rc.get(ctx, "k", g.fetch); v != "v2" || g.calls.Load() != 2 {
		t.Fatalf("after the TTL: %v after %d fetches", v, g.calls.Load())
	}
}

func TestReadCache_errorsNotCached(t *testing.T) {
	rc := newReadCache(time.Hour, time.Now)
	g := newGatedFetch()
	boom := errors.New("boom")
	g.release <- boom
	if _, err := rc.get(context.Background(), "k", g.fetch); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	g.release <- "v"
	if v, err := rc.get(context.Background(), "k", g.fetch); v != "v" || err != nil || g.calls.Load() != 2 {
		t.Fatalf("after an error: %v, %v, %d fetches", v, err, g.calls.Load())
	}
}

// A read that overlaps a write must not hand its pre-write answer to a read
// that starts after the write, nor store it.
func TestReadCache_invalidateDuringFlight(t *testing.T) {
	rc := newReadCache(time.Hour, time.Now)
	g := newGatedFetch()
	ctx := context.Background()

	before := make(chan any)
	go func() { v, _ := rc.get(ctx, "k", g.fetch); before <- v }()
	<-g.started
	rc.invalidate("k") // the write returns here

	after := make(chan any)
	go func() { v, _ := rc.get(ctx, "k", g.fetch); after <- v }()
	<-g.started // a second request: the read after the write did not join the first
	g.release <- "stale"
	if v := <-before; v != "stale" {
		t.Fatalf("first read got %v", v)
	}
	g.release <- "fresh"
	if v := <-after; v != "fresh" {
		t.Fatalf("read after the write got %v", v)
	}
	if v, _ := rc.get(ctx, "k", g.fetch); v != "fresh" || g.calls.Load() != 2 {
		t.Fatalf("cached %v after %d fetches; the stale answer must not be stored", v, g.calls.Load())
	}
}

func TestReadCache_waiterCancel(t *testing.T) {
	rc := newReadCache(time.Hour, time.Now)
	g := newGatedFetch()

	// One waiter leaving does not fail the others.
	ctxA, cancelA := context.WithCancel(context.Background())
	resA := make(chan error)
	go func() { _, err := rc.get(ctxA, "k", g.fetch); resA <- err }()
	<-g.started
	resB := make(chan any)
	go func() { v, _ := rc.get(context.Background(), "k", g.fetch); resB <- v }()
	// B has joined once A's leaving cannot cancel the flight; cancel A only
	// after that by polling the waiter count.
	waitForWaiters(t, rc, 2)
	cancelA()
	if err := <-resA; !errors.Is(err, context.Canceled) {
		t.Fatalf("A: %v", err)
	}
	g.release <- "v"
	if v := <-resB; v != "v" {
		t.Fatalf("B got %v", v)
	}

	// When every waiter has left, the shared request is cancelled.
	rc.invalidate("k")
	ctxC, cancelC := context.WithCancel(context.Background())
	resC := make(chan error)
	go func() { _, err := rc.get(ctxC, "k", g.fetch); resC <- err }()
	<-g.started
	cancelC()
	if err := <-resC; !errors.Is(err, context.Canceled) {
		t.Fatalf("C: %v", err)
	}
	<-g.cancelled // the shared fetch saw its ctx end (else this blocks and the test times out)
	g.release <- "next"
	v, err := rc.get(context.Background(), "k", g.fetch)
	if err != nil || v != "next" || g.calls.Load() != 3 {
		t.Fatalf("after an abandoned flight: %v, %v, %d fetches", v, err, g.calls.Load())
	}
}

func waitForWaiters(t *testing.T, rc *readCache, n int) {
	t.Helper()
	for {
		rc.mu.Lock()
		total := 0
		for _, f := range rc.flights {
			total += f.waiters
		}
		rc.mu.Unlock()
		if total >= n {
			return
		}
		runtime.Gosched() // the joining goroutine is runnable; no sleep needed

	}
}
