package provider

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/vastal/terraform-provider-vastal/internal/backend"
	"github.com/vastal/terraform-provider-vastal/internal/dnscheck"
	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

// BenchmarkExternalDNSLatency is the embedded-resolver variant of
// BenchmarkVerificationLatency against real servers started by `make bench`
// (internal/bench): BIND 9 authoritative for every domain (each its own zone,
// delegated from "test"), Unbound as the caching resolver discovery goes
// through, which has already cached NXDOMAIN/NODATA for every watched name.
// The required records are added to BIND by RFC 2136 UPDATE after a random
// delay of up to eight seconds into the wait; the latency runs from BIND's
// reply to that UPDATE to the moment Create would return. It skips unless
// VASTAL_BENCH_DNS_AUTH (BIND's host:port), VASTAL_BENCH_DNS_RESOLVER
// (Unbound's) and VASTAL_BENCH_DNS_DOMAINS (comma-separated zones on BIND)
// are set. Reported: p50-s, max-s, trials, auth-queries/round and
// discovery-resolver-queries (what the checker sent to Unbound, all of it
// for the NS set of "test"; the driver counts Unbound's own log for the
// watched names).
func BenchmarkExternalDNSLatency(b *testing.B) {
	auth, resolver := os.Getenv("VASTAL_BENCH_DNS_AUTH"), os.Getenv("VASTAL_BENCH_DNS_RESOLVER")
	domains := strings.Split(os.Getenv("VASTAL_BENCH_DNS_DOMAINS"), ",")
	if auth == "" || resolver == "" || domains[0] == "" {
		b.Skip("run by make bench, which starts BIND 9 and Unbound and sets VASTAL_BENCH_DNS_*")
	}
	for i := 0; b.Loop(); i++ {
		if i > 0 {
			b.Fatal("run with -benchtime 1x: each domain verifies once")
		}
		lat, rounds, queries, resolverQueries := externalTrials(b, auth, resolver, domains)
		slices.Sort(lat)
		b.ReportMetric(lat[len(lat)/2].Seconds(), "p50-s")
		b.ReportMetric(lat[len(lat)-1].Seconds(), "max-s")
		b.ReportMetric(float64(len(lat)), "trials")
		if rounds > 0 {
			b.ReportMetric(float64(queries)/float64(rounds), "auth-queries/round")
		}
		b.ReportMetric(float64(resolverQueries), "discovery-resolver-queries")
		b.ReportMetric(0, "ns/op")
	}
}

// externalTrials runs one trial per domain, ten at a time, and returns the
// latencies, the DNS rounds, the authoritative queries and the resolver
// queries of the provider's checker.
func externalTrials(b *testing.B, auth, resolver string, domains []string) ([]time.Duration, int64, int64, int64) {
	b.Helper()
	checker, err := dnscheck.New(dnscheck.Config{
		Resolvers: []string{resolver}, Timeout: 500 * time.Millisecond,
		// Every name server of the test zones is BIND, on its own port.
		AddrOverride: func(string) string { return auth },
	})
	if err != nil {
		b.Fatal(err)
	}
	be, err := backend.Open(filepath.Join(b.TempDir(), "vastal.db"), backend.Options{Checker: checker})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := be.Close(); err != nil {
			b.Error(err)
		}
	})
	client, err := vastal.New(vastal.Config{BaseURL: embeddedBaseURL, Transport: backend.Transport(be), CacheTTL: readCacheTTL})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()

	lat := make([]time.Duration, len(domains))
	var rounds int64
	var mu sync.Mutex
	sem := make(chan struct{}, 10)
	var wg sync.WaitGroup
	for i, domain := range domains {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			d, err := client.CreateDomain(ctx, domain)
			if err != nil {
				b.Error(err)
				return
			}
			w := &verificationWaiter{client: client, domain: d, timeout: time.Minute, watch: checker.Watch(d.Domain)}
			landed := make(chan time.Time, 1)
			go func() {
				time.Sleep(rand.N(8 * time.Second))
				if err := addRequiredRecords(auth, d.Domain); err != nil {
					b.Error(err)
					close(landed)
					return
				}
				landed <- time.Now()
			}()
			if err := w.wait(ctx); err != nil {
				b.Error(err)
				return
			}
			if _, err := client.GetDomain(ctx, d.ID); err != nil {
				b.Error(err)
				return
			}
			end := time.Now()
			at, ok := <-landed
			if !ok {
				return
			}
			if end.Before(at) {
				b.Errorf("%s verified before its records were added", d.Domain)
			}
			mu.Lock()
			lat[i] = end.Sub(at)
			rounds += int64(w.rounds)
			mu.Unlock()
		})
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
	st := checker.Stats()
	return lat, rounds, st.Queries, st.ResolverQueries
}

// addRequiredRecords adds the four records to domain's zone on the server
// at auth in one RFC 2136 UPDATE, so they land at one instant.
func addRequiredRecords(auth, domain string) error {
	zone := dns.Fqdn(domain)
	m := new(dns.Msg)
	m.SetUpdate(zone)
	for _, s := range []string{
		zone + " 60 IN MX 10 mx.vastal.com.",
		zone + ` 60 IN TXT "v=spf1 include:_spf.vastal.com ~all"`,
		"vsm1._domainkey." + zone + " 60 IN CNAME vsm1.dkim.vastal.com.",
		"vsm2._domainkey." + zone + " 60 IN CNAME vsm2.dkim.vastal.com.",
	} {
		rr, err := dns.NewRR(s)
		if err != nil {
			return err
		}
		m.Insert([]dns.RR{rr})
	}
	r, _, err := (&dns.Client{Net: "tcp", Timeout: 5 * time.Second}).Exchange(m, auth)
	if err != nil {
		return fmt.Errorf("UPDATE of %s: %w", domain, err)
	}
	if r.Rcode != dns.RcodeSuccess {
		return fmt.Errorf("UPDATE of %s: %s", domain, dns.RcodeToString[r.Rcode])
	}
	return nil
}
