package dnscheck

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"

	"github.com/vastal/terraform-provider-vastal/internal/dnstest"
)

func TestCheck_laggingSecondary(t *testing.T) {
	primary := zoneWith(t, "acme.test", goodRecords...)
	primary.SetSerial(2024010102)
	secondary := zoneWith(t, "acme.test", goodRecords[0], goodRecords[2], goodRecords[3])
	secondary.SetSerial(2024010101)
	ns1, ns2 := startServer(t, primary), startServer(t, secondary)
	c := newChecker(t, Config{Nameservers: nameservers(ns1, ns2)})

	res := check(t, c, "acme.test")
	want := with(KeySPF, "The name servers of acme.test disagree on the SPF record: "+
		ns2.Addr+" (serial 2024010101) has not yet got the record that "+ns1.Addr+" (serial 2024010102) serves; "+
		"wait for the zone to reach every name server, or check its zone transfers")
	if diff := cmp.Diff(want, verdicts(res)); diff != "" {
		t.Fatalf("verdicts (-want +got):\n%s", diff)
	}
	wantServers := []ServerAnswer{
		{Server: ns1.Addr, State: StateData, Found: []string{"v=spf1 include:_spf.vastal.com ~all"}, Serial: 2024010102},
		{Server: ns2.Addr, State: StateNotYet, Serial: 2024010101},
	}
	if diff := cmp.Diff(wantServers, res.Record(KeySPF).Servers); diff != "" {
		t.Errorf("SPF servers (-want +got):\n%s", diff)
	}
	// The SOA is asked only of the server whose answer carried no serial.
	if got, want := ns1.Queries("acme.test", dns.TypeSOA)+ns2.Queries("acme.test", dns.TypeSOA), 1; got != want {
		t.Errorf("%d SOA queries, want %d", got, want)
	}

	// The secondary catches up: verified.
	secondary.MustAdd(goodRecords[1])
	if res := check(t, c, "acme.test"); !res.AllVerified() {
		t.Fatalf("after the secondary caught up: %q", res.Issues())
	}
}

func TestCheck_recordRemovedOnPrimary(t *testing.T) {
	primary := zoneWith(t, "acme.test", goodRecords[0], goodRecords[1], goodRecords[3])
	primary.SetSerial(2024010103)
	secondary := zoneWith(t, "acme.test", goodRecords...)
	secondary.SetSerial(2024010102)
	ns1, ns2 := startServer(t, primary), startServer(t, secondary)
	c := newChecker(t, Config{Nameservers: nameservers(ns1, ns2)})
	res := check(t, c, "acme.test")
	want := with(KeyDKIM1, "The name servers of acme.test disagree on the DKIM CNAME vsm1._domainkey: "+
		ns1.Addr+" (serial 2024010103) no longer serves the record that "+ns2.Addr+" (serial 2024010102) still serves; publish it again on the primary")
	if diff := cmp.Diff(want, verdicts(res)); diff != "" {
		t.Fatalf("verdicts (-want +got):\n%s", diff)
	}
}

func TestCheck_blackholedAndLameServersAreWarnings(t *testing.T) {
	z := zoneWith(t, "acme.test", goodRecords...)
	good1, good2 := startServer(t, z), startServer(t, z)
	blackhole, refusing, notAuth := startServer(t, z), startServer(t, z), startServer(t, z)
	blackhole.SetFaults(dnstest.Faults{Drop: true})
	refusing.SetFaults(dnstest.Faults{Refuse: true})
	notAuth.SetFaults(dnstest.Faults{NotAuth: true})
	c := newChecker(t, Config{Nameservers: nameservers(good1, blackhole, good2, refusing, notAuth)})

	res := check(t, c, "acme.test")
	if diff := cmp.Diff(allVerified, verdicts(res)); diff != "" {
		t.Fatalf("verdicts (-want +got):\n%s", diff)
	}
	wantWarnings := []string{
		"Name server " + blackhole.Addr + " did not answer (no reply within 150ms over UDP and TCP); it was left out of the verdict",
		"Name server " + refusing.Addr + " is lame: it answered REFUSED; it was left out of the verdict",
		"Name server " + notAuth.Addr + " is lame: its answer was not authoritative (AA bit not set); it was left out of the verdict",
	}
	if diff := cmp.Diff(wantWarnings, res.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	// A blackholed server costs one query's retries per round, not one per record.
	if got := blackhole.TotalQueries(); got > 3*DefaultPerServer {
		t.Errorf("blackholed server got %d queries, want at most %d", got, 3*DefaultPerServer)
	}
	sa := res.Record(KeyMX).Servers[1]
	if sa.State != StateUnreachable || sa.Server != blackhole.Addr {
		t.Errorf("blackholed server's answer: %+v", sa)
	}
}

func TestCheck_quorum(t *testing.T) {
	z := zoneWith(t, "acme.test", goodRecords...)
	good, bad, bad2 := startServer(t, z), startServer(t, z), startServer(t, z)
	bad.SetFaults(dnstest.Faults{ServFail: true})
	bad2.SetFaults(dnstest.Faults{Drop: true})

	c := newChecker(t, Config{Nameservers: nameservers(good, bad)})
	res := check(t, c, "acme.test")
	want := map[string]string{
		KeyMX:    "Could not check the MX record of acme.test: only 1 of its 2 name servers answered authoritatively and at least 2 must; see the warnings",
		KeySPF:   "Could not check the SPF record of acme.test: only 1 of its 2 name servers answered authoritatively and at least 2 must; see the warnings",
		KeyDKIM1: "Could not check the DKIM CNAME vsm1._domainkey of acme.test: only 1 of its 2 name servers answered authoritatively and at least 2 must; see the warnings",
		KeyDKIM2: "Could not check the DKIM CNAME vsm2._domainkey of acme.test: only 1 of its 2 name servers answered authoritatively and at least 2 must; see the warnings",
	}
	if diff := cmp.Diff(want, verdicts(res)); diff != "" {
		t.Fatalf("verdicts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Name server " + bad.Addr + " is lame: it answered SERVFAIL; it was left out of the verdict"}, res.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}

	c = newChecker(t, Config{Nameservers: nameservers(bad2)})
	res = check(t, c, "acme.test")
	if got, want := res.Record(KeyMX).Issue, "Could not check the MX record of acme.test: none of its 1 name server answered authoritatively; see the warnings"; got != want {
		t.Errorf("issue\n got %s\nwant %s", got, want)
	}

	// One server of one is enough.
	c = newChecker(t, Config{Nameservers: nameservers(good)})
	if res := check(t, c, "acme.test"); !res.AllVerified() {
		t.Errorf("single server: %q", res.Issues())
	}
}

func TestCheck_spoofedRepliesAreNotUsed(t *testing.T) {
	z := zoneWith(t, "acme.test", goodRecords...)
	good1, good2, wrongID, wrongQ := startServer(t, z), startServer(t, z), startServer(t, z), startServer(t, z)
	wrongID.SetFaults(dnstest.Faults{WrongID: true})
	wrongQ.SetFaults(dnstest.Faults{WrongQuestion: true})
	c := newChecker(t, Config{Nameservers: nameservers(good1, good2, wrongID, wrongQ)})
	res := check(t, c, "acme.test")
	if !res.AllVerified() {
		t.Fatalf("issues: %q", res.Issues())
	}
	wantWarnings := []string{
		"Name server " + wrongID.Addr + " did not answer (only replies with a wrong message ID over UDP and TCP); it was left out of the verdict",
		"Name server " + wrongQ.Addr + " did not answer (only replies with a wrong question over UDP and TCP); it was left out of the verdict",
	}
	if diff := cmp.Diff(wantWarnings, res.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

func TestCheck_truncatedUDPRetriedOverTCP(t *testing.T) {
	z := zoneWith(t, "acme.test", goodRecords...)
	s1, s2 := startServer(t, z), startServer(t, z)
	s2.SetFaults(dnstest.Faults{Truncate: true})
	c := newChecker(t, Config{Nameservers: nameservers(s1, s2)})
	if res := check(t, c, "acme.test"); !res.AllVerified() || len(res.Warnings) > 0 {
		t.Fatalf("issues %q, warnings %q", res.Issues(), res.Warnings)
	}
	if got := s2.TCPQueries("acme.test", dns.TypeMX); got != 1 {
		t.Errorf("MX over TCP %d times, want 1", got)
	}
	if st := c.Stats(); st.TCP != 4 || st.Timeouts != 0 {
		t.Errorf("stats %+v, want 4 TCP queries and no timeouts", st)
	}
}

func TestCheck_slowServerWithinTimeout(t *testing.T) {
	z := zoneWith(t, "acme.test", goodRecords...)
	s1, s2 := startServer(t, z), startServer(t, z)
	s2.SetFaults(dnstest.Faults{Delay: 20 * time.Millisecond})
	c := newChecker(t, Config{Nameservers: nameservers(s1, s2), Timeout: time.Second})
	if res := check(t, c, "acme.test"); !res.AllVerified() {
		t.Fatalf("issues %q, warnings %q", res.Issues(), res.Warnings)
	}
}

func TestCheck_cancelEndsRound(t *testing.T) {
	z := zoneWith(t, "acme.test", goodRecords...)
	s := startServer(t, z)
	s.SetFaults(dnstest.Faults{Drop: true})
	// A per-query timeout of an hour: only cancellation can end this round.
	c := newChecker(t, Config{Nameservers: nameservers(s), Timeout: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.Check(ctx, "acme.test")
		done <- err
	}()
	for s.TotalQueries() < DefaultPerServer {
		time.Sleep(time.Millisecond) // waiting for the queries to be in flight
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Check did not return after its context was cancelled")
	}
}

func TestCheck_invalidDomain(t *testing.T) {
	c := newChecker(t, Config{Nameservers: []string{"127.0.0.1:1"}})
	if _, err := c.Check(context.Background(), "not a domain"); err == nil {
		t.Fatal("no error for an invalid domain")
	}
}

// No goroutine of a round outlives the call that started it: not after a
// round with a blackholed server, and not after a cancelled one.
func TestCheck_noGoroutineOutlivesTheCall(t *testing.T) {
	z := zoneWith(t, "acme.test", goodRecords...)
	good, blackhole, hung := startServer(t, z), startServer(t, z), startServer(t, z)
	blackhole.SetFaults(dnstest.Faults{Drop: true})
	hung.SetFaults(dnstest.Faults{Drop: true})
	c := newChecker(t, Config{Nameservers: nameservers(good, blackhole), Timeout: 100 * time.Millisecond})
	slow := newChecker(t, Config{Nameservers: nameservers(hung), Timeout: time.Hour})

	// Warm up whatever the servers and checkers start once, then count.
	check(t, c, "acme.test")
	base := runtime.NumGoroutine()

	for range 3 {
		check(t, c, "acme.test")
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := slow.Check(ctx, "acme.test")
			done <- err
		}()
		for hung.TotalQueries() == 0 {
			time.Sleep(time.Millisecond) // waiting for a query to be in flight
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled round: %v", err)
		}
	}
	// Goroutines that have finished their work may take a moment to be gone
	// from the count; leaked ones never are.
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > base && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > base {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines after the calls, %d before:\n%s", n, base, buf[:runtime.Stack(buf, true)])
	}
}
