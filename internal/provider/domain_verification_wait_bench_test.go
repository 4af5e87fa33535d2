package provider

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/vastal/terraform-provider-vastal/internal/backend"
	"github.com/vastal/terraform-provider-vastal/internal/dnscheck"
	"github.com/vastal/terraform-provider-vastal/internal/dnstest"
	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

// BenchmarkVerificationLatency measures what vastal_domain_verification's
// Create spends between the last required record landing on the
// authoritative servers and returning: the wait, then reading the domain
// back. Each op is latencyTrialCount trials, run ten at a time as Terraform's
// default parallelism does, with records added after a random delay of up
// to eight seconds into the wait. Reported: p50-s and max-s of the latency,
// auth-queries/round (authoritative queries per DNS round and server), and
// resolver-queries (queries the resolver got for the watched names; only
// the resolver variants have one).
//
// Variants: embedded (the in-process backend) and http (the backend behind
// an HTTP server, as the hosted API), each with the name servers configured,
// and behind a caching resolver that holds NXDOMAIN for every watched name
// (discovery through it). "-poll" is the embedded backend without the
// provider's own DNS rounds: verify on the API schedule only.
func BenchmarkVerificationLatency(b *testing.B) {
	for _, v := range []struct {
		name           string
		http, resolver bool
		noWatch        bool
	}{
		{name: "embedded"}, {name: "http", http: true},
		{name: "embedded-resolver", resolver: true}, {name: "http-resolver", http: true, resolver: true},
		{name: "embedded-poll", noWatch: true},
	} {
		b.Run(v.name, func(b *testing.B) {
			var all []time.Duration
			var rounds, queries, resolverQueries int64
			for b.Loop() {
				lat, r, q, rq := latencyTrials(b, v.http, v.resolver, v.noWatch)
				all = append(all, lat...)
				rounds, queries, resolverQueries = rounds+r, queries+q, resolverQueries+rq
			}
			slices.Sort(all)
			b.ReportMetric(all[len(all)/2].Seconds(), "p50-s")
			b.ReportMetric(all[len(all)-1].Seconds(), "max-s")
			if rounds > 0 {
				b.ReportMetric(float64(queries)/float64(rounds)/2, "auth-queries/round")
			}
			b.ReportMetric(float64(resolverQueries), "resolver-queries")
			b.ReportMetric(0, "ns/op")
		})
	}
}

const latencyTrialCount = 20

// watchedTypes are the types watched at a required record's name: its own
// and the one the checker asks (TXT at a DKIM name).
func watchedTypes(r dnscheck.Requirement) []uint16 {
	return slices.Compact([]uint16{dns.StringToType[r.Type], r.Qtype()})
}

var requiredRecords = []string{
	"@ 60 MX 10 mx.vastal.com.",
	`@ 60 TXT "v=spf1 include:_spf.vastal.com ~all"`,
	"vsm1._domainkey 60 CNAME vsm1.dkim.vastal.com.",
	"vsm2._domainkey 60 CNAME vsm2.dkim.vastal.com.",
}

// latencyTrials runs the trials of one op and returns their latencies, the
// DNS rounds the waits ran, the authoritative queries the provider's checker
// sent, and the resolver's queries for watched names.
func latencyTrials(b *testing.B, useHTTP, useResolver, noWatch bool) ([]time.Duration, int64, int64, int64) {
	b.Helper()
	run := fmt.Sprintf("r%d", rand.IntN(1e6))
	zones := make([]*dnstest.Zone, latencyTrialCount)
	domains := make([]string, latencyTrialCount)
	parent := dnstest.NewZone("test")
	for i := range zones {
		domains[i] = fmt.Sprintf("lat%d-%s.test", i, run)
		zones[i] = dnstest.NewZone(domains[i]).MustAdd("@ NS ns2."+domains[i]+".", "ns2 A 127.0.0.1")
		parent.MustAdd(domains[i]+". NS ns1."+domains[i]+".", domains[i]+". NS ns2."+domains[i]+".",
			"ns1."+domains[i]+". A 127.0.0.1", "ns2."+domains[i]+". A 127.0.0.1")
	}
	ns1, ns2 := mustDNSServer(b, zones...), mustDNSServer(b, zones...)

	cfg := dnscheck.Config{Nameservers: []string{ns1.Addr, ns2.Addr}, Timeout: 500 * time.Millisecond}
	var resolver *dnstest.Resolver
	if useResolver {
		p := mustDNSServer(b, parent)
		r, err := dnstest.NewResolver(p, ns1, ns2)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() {
			if err := r.Close(); err != nil {
				b.Error(err)
			}
		})
		resolver = r
		cfg = dnscheck.Config{
			Resolvers: []string{r.Addr}, Timeout: 500 * time.Millisecond,
			AddrOverride: func(host string) string {
				if strings.HasPrefix(host, "ns1.") {
					return ns1.Addr
				}
				return ns2.Addr
			},
		}
	}
	providerChecker, err := dnscheck.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	backendChecker := providerChecker
	if useHTTP { // the service has its own resolvers and checker
		if backendChecker, err = dnscheck.New(cfg); err != nil {
			b.Fatal(err)
		}
	}
	const key = "vk_bench_0123456789"
	opts := backend.Options{Checker: backendChecker}
	if useHTTP {
		opts.APIKey = key
	}
	be, err := backend.Open(filepath.Join(b.TempDir(), "vastal.db"), opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := be.Close(); err != nil {
			b.Error(err)
		}
	})
	ccfg := vastal.Config{BaseURL: embeddedBaseURL, Transport: backend.Transport(be), CacheTTL: readCacheTTL}
	if useHTTP {
		srv := httptest.NewServer(be)
		b.Cleanup(srv.Close)
		ccfg = vastal.Config{BaseURL: srv.URL, APIKey: key, CacheTTL: readCacheTTL}
	}
	client, err := vastal.New(ccfg)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()

	watched := func() int {
		if resolver == nil {
			return 0
		}
		n := 0
		for _, d := range domains {
			for _, r := range dnscheck.Required(d) {
				for _, qt := range watchedTypes(r) {
					n += resolver.Queries(r.Name, qt)
				}
			}
		}
		return n
	}
	if resolver != nil { // poison: every watched name is cached as missing
		for _, d := range domains {
			for _, r := range dnscheck.Required(d) {
				for _, qt := range watchedTypes(r) {
					q := new(dns.Msg)
					q.SetQuestion(dns.Fqdn(r.Name), qt)
					if _, _, err := (&dns.Client{Timeout: time.Second}).Exchange(q, resolver.Addr); err != nil {
						b.Fatal(err)
					}
				}
			}
		}
	}
	resolverBefore := watched()
	queriesBefore := providerChecker.Stats().Queries

	lat := make([]time.Duration, latencyTrialCount)
	var rounds int64
	var mu sync.Mutex
	sem := make(chan struct{}, 10)
	var wg sync.WaitGroup
	for i := range latencyTrialCount {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			d, err := client.CreateDomain(ctx, domains[i])
			if err != nil {
				b.Error(err)
				return
			}
			w := &verificationWaiter{client: client, domain: d, timeout: time.Minute}
			if !noWatch {
				w.watch = providerChecker.Watch(d.Domain)
			}
			landed := make(chan time.Time, 1)
			go func() {
				time.Sleep(rand.N(8 * time.Second))
				zones[i].MustAdd(requiredRecords...)
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
			lat[i] = end.Sub(<-landed)
			mu.Lock()
			rounds += int64(w.rounds)
			mu.Unlock()
		})
	}
	wg.Wait()
	if noWatch {
		rounds = 0
	}
	return lat, rounds, providerChecker.Stats().Queries - queriesBefore, int64(watched() - resolverBefore)
}

func mustDNSServer(b *testing.B, zones ...*dnstest.Zone) *dnstest.Server {
	b.Helper()
	s, err := dnstest.NewServer(zones...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := s.Close(); err != nil {
			b.Error(err)
		}
	})
	return s
}
