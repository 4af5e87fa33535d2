package backend

import (
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

// Fault is one way the fault-injection layer spoils a request.
type Fault int

// The faults a FaultInjector can inject.
const (
	FaultNone        Fault = iota
	Fault500               // 500 internal, the handler not run
	Fault503               // 503 unavailable, the handler not run
	Fault429               // 429 rate_limited with Retry-After, the handler not run
	FaultResetBefore       // the connection is reset before the handler runs
	FaultResetAfter        // the handler runs (and commits), then the connection is reset: the response is lost
	FaultSlow              // the request is answered normally after FaultConfig.SlowDelay
)

// AllFaults are every Fault but FaultNone.
var AllFaults = []Fault{Fault500, Fault503, Fault429, FaultResetBefore, FaultResetAfter, FaultSlow}

func (f Fault) String() string {
	switch f {
	case FaultNone:
		return "none"
	case Fault500:
		return "500"
	case Fault503:
		return "503"
	case Fault429:
		return "429"
	case FaultResetBefore:
		return "reset-before"
	case FaultResetAfter:
		return "reset-after"
	case FaultSlow:
		return "slow"
	}
	return "unknown"
}

// FaultConfig says which faults a FaultInjector injects, and how often.
// It exists for tests only: nothing in the provider's configuration or the
// serve command reaches it.
type FaultConfig struct {
	// Rate is the share of requests, 0 to 1, that get a fault.
	Rate float64
	// Kinds are the faults injected, in turn (so that a run with at least
	// len(Kinds) faults has seen each); default AllFaults.
	Kinds []Fault
	// Seed makes the sequence of draws repeatable.
	Seed uint64
	// MaxConsecutive, when positive, lets at most that many attempts of one
	// request in a row (same method, path and Idempotency-Key) fail, so that
	// a client with more retries than this always gets through. FaultSlow
	// does not count as a failure.
	MaxConsecutive int
	// SlowDelay is the delay of FaultSlow; default 20ms.
	SlowDelay time.Duration
	// RetryAfter is the Retry-After of Fault429, in seconds; default 1.
	RetryAfter int
	// Decide, when set, chooses the fault of each request instead of Rate
	// and Kinds (MaxConsecutive still applies).
	Decide func(r *http.Request) Fault
}

// FaultInjector is an http.Handler that injects faults in front of another
// handler. Resets need a real connection (an http.Server's, which supports
// http.Hijacker); without one the handler aborts with http.ErrAbortHandler,
// as a server would.
type FaultInjector struct {
	next http.Handler

	mu     sync.Mutex
	cfg    FaultConfig
	rng    *rand.Rand
	streak map[string]int
	counts map[Fault]int
	turn   int
}

// WithFaults returns next behind a fault-injection layer configured by cfg.
func WithFaults(next http.Handler, cfg FaultConfig) *FaultInjector {
	f := &FaultInjector{next: next, streak: map[string]int{}, counts: map[Fault]int{}}
	f.SetConfig(cfg)
	return f
}

// SetConfig replaces the configuration; requests in flight keep theirs.
func (f *FaultInjector) SetConfig(cfg FaultConfig) {
	if len(cfg.Kinds) == 0 {
		cfg.Kinds = AllFaults
	}
	if cfg.SlowDelay <= 0 {
		cfg.SlowDelay = 20 * time.Millisecond
	}
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = 1
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cfg = cfg
	f.rng = rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))
	f.turn = 0
	clear(f.streak)
}

// Counts returns how many requests got each fault (FaultNone included).
func (f *FaultInjector) Counts() map[Fault]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[Fault]int, len(f.counts))
	for k, v := range f.counts {
		out[k] = v
	}
	return out
}

// choose draws the fault of r and does the bookkeeping.
func (f *FaultInjector) choose(r *http.Request) (Fault, FaultConfig) {
	f.mu.Lock()
	cfg := f.cfg
	f.mu.Unlock()
	var fault Fault
	if cfg.Decide != nil {
		fault = cfg.Decide(r) // outside the lock: it may be slow or take its own
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if cfg.Decide == nil && f.rng.Float64() < cfg.Rate {
		fault = cfg.Kinds[f.turn%len(cfg.Kinds)]
		f.turn++
	}
	key := r.Method + " " + r.URL.Path + " " + r.Header.Get("Idempotency-Key")
	failing := fault != FaultNone && fault != FaultSlow
	switch {
	case !failing:
		delete(f.streak, key)
	case cfg.MaxConsecutive > 0 && f.streak[key] >= cfg.MaxConsecutive:
		fault = FaultNone
		delete(f.streak, key)
	default:
		f.streak[key]++
	}
	f.counts[fault]++
	return fault, cfg
}

// ServeHTTP implements http.Handler.
func (f *FaultInjector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fault, cfg := f.choose(r)
	switch fault {
	case Fault500:
		render(nil, apiErr(http.StatusInternalServerError, vastal.CodeInternal, "", "Injected fault: internal error.")).write(w)
	case Fault503:
		render(nil, apiErr(http.StatusServiceUnavailable, vastal.CodeUnavailable, "", "Injected fault: the service is unavailable; retry.")).write(w)
	case Fault429:
		e := apiErr(http.StatusTooManyRequests, vastal.CodeRateLimited, "", "Injected fault: too many requests; retry after the time in Retry-After.")
		e.RetryAfter = cfg.RetryAfter
		render(nil, e).write(w)
	case FaultResetBefore:
		reset(w)
	case FaultResetAfter:
		// The handler writes into a recorder that is thrown away, so that
		// nothing of its answer reaches the client.
		rec := &recorder{header: http.Header{}}
		f.next.ServeHTTP(rec, r)
		reset(w)
	case FaultSlow:
		t := time.NewTimer(cfg.SlowDelay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		}
		f.next.ServeHTTP(w, r)
	default:
		f.next.ServeHTTP(w, r)
	}
}

// reset drops the connection with a TCP RST where it can.
func reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}
