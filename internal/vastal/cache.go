package vastal

import (
	"context"
	"strconv"
	"sync"
	"time"
)

// readCache coalesces reads: within its TTL, every read of one key is
// answered by one request, whether the reads overlap (they share the request
// in flight) or follow each other (they share its stamped result).
//
// Writes invalidate keys by bumping their generation. A request in flight
// when its key is invalidated neither stores its result nor serves callers
// that arrive after the write, so a read that follows a write through this
// client always sees the write.
//
// It is golang.org/x/sync/singleflight plus a cache, written out because a
// shared request must end when the last caller waiting for it gives up (with
// singleflight it runs under the first caller's ctx, so one caller's cancel
// fails them all, or under no ctx at all).
type readCache struct {
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	slots   map[string]*slot
	flights map[string]*flight
}

// slot is the cache entry of one key. It is never deleted, so its
// generation only grows; there is one per domain the process reads.
type slot struct {
	gen uint64
	at  time.Time // when the request that produced val was sent
	val any       // nil when empty
}

type flight struct {
	done    chan struct{}
	cancel  context.CancelFunc
	waiters int
	val     any
	err     error
}

func newReadCache(ttl time.Duration, now func() time.Time) *readCache {
	return &readCache{ttl: ttl, now: now, slots: map[string]*slot{}, flights: map[string]*flight{}}
}

func (rc *readCache) slot(key string) *slot {
	s := rc.slots[key]
	if s == nil {
		s = &slot{}
		rc.slots[key] = s
	}
	return s
}

// invalidate empties the keys and makes requests now in flight for them
// unable to fill them again.
func (rc *readCache) invalidate(keys ...string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, k := range keys {
		s := rc.slot(k)
		s.gen++
		s.val = nil
	}
}

// get returns the value of key: fresh from the cache, from a request in
// flight, or from a new request made with fetch. The value returned may be
// shared; callers copy it before handing it out.
func (rc *readCache) get(ctx context.Context, key string, fetch func(context.Context) (any, error)) (any, error) {
	rc.mu.Lock()
	s := rc.slot(key)
	if s.val != nil && rc.now().Sub(s.at) < rc.ttl {
		v := s.val
		rc.mu.Unlock()
		return v, nil
	}
	gen := s.gen
	fkey := key + "#" + strconv.FormatUint(gen, 10)
	f := rc.flights[fkey]
	if f == nil {
		// The request outlives any one caller (it serves them all), so it
		// keeps ctx's values (logging) but not its cancellation; it is
		// cancelled when its last waiter leaves.
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f = &flight{done: make(chan struct{}), cancel: cancel}
		rc.flights[fkey] = f
		go rc.run(fctx, key, fkey, gen, f, fetch)
	}
	f.waiters++
	rc.mu.Unlock()

	select {
	case <-f.done:
		return f.val, f.err
	case <-ctx.Done():
		rc.mu.Lock()
		f.waiters--
		if f.waiters == 0 {
			f.cancel()
			if rc.flights[fkey] == f {
				delete(rc.flights, fkey)
			}
		}
		rc.mu.Unlock()
		return nil, ctx.Err()
	}
}

func (rc *readCache) run(ctx context.Context, key, fkey string, gen uint64, f *flight, fetch func(context.Context) (any, error)) {
	sent := rc.now()
	v, err := fetch(ctx)
	rc.mu.Lock()
	if err == nil && v != nil {
		if s := rc.slot(key); s.gen == gen {
			s.val, s.at = v, sent
		}
	}
	f.val, f.err = v, err
	if rc.flights[fkey] == f {
		delete(rc.flights, fkey)
	}
	rc.mu.Unlock()
	close(f.done)
	f.cancel()
}

func domainKey(id string) string { return "domain\x00" + id }
func emailsKey(id string) string { return "emails\x00" + id }

// invalidateDomain drops what the cache holds about a domain and its addresses.
func (c *Client) invalidateDomain(id string) {
	if c.cache != nil {
		c.cache.invalidate(domainKey(id), emailsKey(id))
	}
}

// invalidateEmails drops the cached address list of a domain.
func (c *Client) invalidateEmails(domainID string) {
	if c.cache != nil {
		c.cache.invalidate(emailsKey(domainID))
	}
}

func cloneDomain(d Domain) Domain {
	if d.VerifiedAt != nil {
		t := *d.VerifiedAt
		d.VerifiedAt = &t
	}
	if d.DNSRecords != nil {
		recs := make([]DNSRecord, len(d.DNSRecords))
		for i, r := range d.DNSRecords {
			if r.Priority != nil {
				p := *r.Priority
				r.Priority = &p
			}
			recs[i] = r
		}
		d.DNSRecords = recs
	}
	return d
}
