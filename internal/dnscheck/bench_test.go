package dnscheck

import (
	"context"
	"testing"

	"github.com/vastal/terraform-provider-vastal/internal/dnstest"
)

func benchServers(b *testing.B, n int) []string {
	b.Helper()
	z := dnstest.NewZone("acme.test").MustAdd(goodRecords...)
	var addrs []string
	for range n {
		s, err := dnstest.NewServer(z)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() {
			if err := s.Close(); err != nil {
				b.Error(err)
			}
		})
		addrs = append(addrs, s.Addr)
	}
	return addrs
}

// BenchmarkCheck is one full round against three loopback servers.
func BenchmarkCheck(b *testing.B) {
	c, err := New(Config{Nameservers: benchServers(b, 3)})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		res, err := c.Check(ctx, "acme.test")
		if err != nil || !res.AllVerified() {
			b.Fatalf("%v %v", err, res)
		}
	}
	b.ReportMetric(float64(c.Stats().Queries)/float64(b.N), "queries/op")
}

// BenchmarkWatchRound_pending is a wait loop's round while the DKIM records
// are still missing: only what is not confirmed is asked again.
func BenchmarkWatchRound_pending(b *testing.B) {
	z := dnstest.NewZone("acme.test").MustAdd(goodRecords[0], goodRecords[1])
	var addrs []string
	for range 3 {
		s, err := dnstest.NewServer(z)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() {
			if err := s.Close(); err != nil {
				b.Error(err)
			}
		})
		addrs = append(addrs, s.Addr)
	}
	c, err := New(Config{Nameservers: addrs})
	if err != nil {
		b.Fatal(err)
	}
	w := c.Watch("acme.test")
	ctx := context.Background()
	if _, err := w.Round(ctx); err != nil {
		b.Fatal(err)
	}
	before := c.Stats().Queries
	for b.Loop() {
		if _, err := w.Round(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(c.Stats().Queries-before)/float64(b.N), "queries/op")
}
