package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/miekg/dns"

	"github.com/vastal/terraform-provider-vastal/internal/dnscheck"
)

// bindTrials is how many domains verify in the BIND 9 / Unbound scenario.
const bindTrials = 20

// bindUnbound measures verification latency with BIND 9 authoritative for
// the domains and Unbound as the caching resolver in front, after Unbound
// has cached NXDOMAIN/NODATA for every watched name. The wait itself is the
// provider's (BenchmarkExternalDNSLatency in internal/provider); this
// starts and stops the servers, poisons Unbound's cache and counts, from
// Unbound's own query log, the queries it got for the watched names.
func (b *bench) bindUnbound() {
	named, errN := lookSbin("named")
	unbound, errU := lookSbin("unbound")
	if errN != nil || errU != nil {
		b.note("SKIP bind9/unbound: named or unbound is not installed (make bench tries apt-get install -y bind9 unbound); the DNS figures above come from internal/dnstest only")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := filepath.Join(b.work, "bind-unbound")
	err := b.runBindUnbound(ctx, dir, named, unbound)
	if rmErr := os.RemoveAll(dir); rmErr != nil {
		fmt.Println("bind/unbound: removing", dir+":", rmErr)
	}
	if err != nil {
		fmt.Println("bind/unbound:", err)
		b.judge("BIND 9 + Unbound scenario ran to the end", 0, "==", 1, "")
	}
}

func (b *bench) note(msg string) {
	fmt.Println(msg)
	b.notes = append(b.notes, msg)
}

// lookSbin finds a daemon on PATH or in /usr/sbin, which a non-root PATH
// often leaves out.
func lookSbin(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	return exec.LookPath(filepath.Join("/usr/sbin", name))
}

func (b *bench) runBindUnbound(ctx context.Context, dir, namedPath, unboundPath string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	run := fmt.Sprintf("b%d", rand.IntN(1e6))
	domains := make([]string, bindTrials)
	for i := range domains {
		domains[i] = fmt.Sprintf("lat%d-%s.test", i, run)
	}
	authAddr, err := freeLoopbackPort()
	if err != nil {
		return err
	}
	named, err := startDaemon(dir, "named", namedPath, "-g", "-n", "1", "-c", filepath.Join(dir, "named.conf"))
	if err != nil {
		return err
	}
	defer named.stop()
	if err := writeBindConf(dir, authAddr, domains); err != nil {
		return err
	}
	if err := named.start(); err != nil {
		return err
	}
	if err := waitAnswer(ctx, named, authAddr, "test.", dns.TypeSOA, false); err != nil {
		return err
	}

	resolverAddr, err := freeLoopbackPort()
	if err != nil {
		return err
	}
	queryLog := filepath.Join(dir, "unbound.log")
	unbound, err := startDaemon(dir, "unbound", unboundPath, "-d", "-c", filepath.Join(dir, "unbound.conf"))
	if err != nil {
		return err
	}
	defer unbound.stop()
	if err := writeUnboundConf(dir, resolverAddr, authAddr, queryLog); err != nil {
		return err
	}
	if err := unbound.start(); err != nil {
		return err
	}
	if err := waitAnswer(ctx, unbound, resolverAddr, "test.", dns.TypeSOA, true); err != nil {
		return err
	}
	b.note(fmt.Sprintf("bind9/unbound: %s and %s on 127.0.0.1 (authoritative %s, resolver %s)", version(namedPath, "-v"), version(unboundPath, "-V"), authAddr, resolverAddr))

	// Poison: Unbound answers every watched name from its negative cache.
	// Watched: each record's own type and the one the checker asks (TXT at a DKIM name).
	type question struct{ name, qtype string }
	var questions []question
	for _, d := range domains {
		for _, r := range dnscheck.Required(d) {
			for _, qt := range slices.Compact([]string{r.Type, dns.TypeToString[r.Qtype()]}) {
				questions = append(questions, question{r.Name, qt})
			}
		}
	}
	watched := map[string]bool{}
	for _, q := range questions {
		watched[watchKey(q.name, q.qtype)] = true
		if n, err := negative(ctx, resolverAddr, q.name, q.qtype); err != nil || !n {
			return fmt.Errorf("poisoning Unbound with %s %s: negative=%v, %v", q.name, q.qtype, n, err)
		}
	}
	before, err := countWatched(queryLog, watched)
	if err != nil {
		return err
	}
	if before < len(watched) { // the count below would be zero whatever happened
		return fmt.Errorf("the log of Unbound shows %d of the %d poisoning queries; it cannot count queries for watched names", before, len(watched))
	}

	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", "^BenchmarkExternalDNSLatency$", "-benchtime", "1x", "./internal/provider")
	cmd.Dir = b.root
	cmd.Env = append(os.Environ(), "VASTAL_BENCH_DNS_AUTH="+authAddr, "VASTAL_BENCH_DNS_RESOLVER="+resolverAddr,
		"VASTAL_BENCH_DNS_DOMAINS="+strings.Join(domains, ","))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go test -bench BenchmarkExternalDNSLatency: %w\n%s", err, tail(out.String(), 40))
	}
	metrics := benchMetrics(out.String(), "ExternalDNSLatency")
	if metrics == nil {
		return fmt.Errorf("no benchmark line in the output of go test:\n%s", tail(out.String(), 40))
	}
	after, err := countWatched(queryLog, watched)
	if err != nil {
		return err
	}

	// Unbound still holds the negative answers: a check through it would
	// still say "missing" for every name the wait saw verified.
	stale := 0
	for _, q := range questions {
		if n, err := negative(ctx, resolverAddr, q.name, q.qtype); err == nil && n {
			stale++
		}
	}
	if logged, err := countWatched(queryLog, watched); err != nil || logged != after+len(watched) {
		return fmt.Errorf("the log of Unbound shows %d more queries for watched names after %d were sent (%v); the count is not trustworthy", logged-after, len(watched), err)
	}

	b.record("bind-unbound/trials", metrics["trials"], "trials")
	b.record("bind-unbound/p50_s", metrics["p50-s"], "s")
	b.record("bind-unbound/max_s", metrics["max-s"], "s")
	b.record("bind-unbound/auth_queries_per_round", metrics["auth-queries/round"], "queries")
	b.record("bind-unbound/checker_resolver_queries", metrics["discovery-resolver-queries"], "queries")
	b.record("bind-unbound/unbound_queries_watched", float64(after-before), "queries")
	b.record("bind-unbound/unbound_negative_after", float64(stale), "questions")
	b.judge("verification latency p50 (BIND 9 + Unbound)", metrics["p50-s"], "<=", 1.5, "s")
	b.judge("verification latency max (BIND 9 + Unbound)", metrics["max-s"], "<=", 6, "s")
	b.judge("Unbound queries for watched names, from its log (BIND 9 + Unbound)", float64(after-before), "==", 0, "queries")
	return nil
}

// benchMetrics returns the metrics of the Go benchmark named name in out.
func benchMetrics(out, name string) map[string]float64 {
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(sc.Text())
		if m == nil || m[1] != "Benchmark"+name {
			continue
		}
		fields := strings.Fields(m[4])
		metrics := map[string]float64{}
		for i := 0; i+1 < len(fields); i += 2 {
			if v, err := strconv.ParseFloat(fields[i], 64); err == nil {
				metrics[fields[i+1]] = v
			}
		}
		return metrics
	}
	return nil
}

// freeLoopbackPort returns 127.0.0.1:port with the port free for both TCP
// and UDP at the time of asking.
func freeLoopbackPort() (string, error) {
	for range 20 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", err
		}
		addr := ln.Addr().String()
		pc, err := net.ListenPacket("udp", addr)
		if cerr := ln.Close(); cerr != nil {
			return "", cerr
		}
		if err != nil {
			continue
		}
		if err := pc.Close(); err != nil {
			return "", err
		}
		return addr, nil
	}
	return "", errors.New("no loopback port free for both TCP and UDP")
}

func writeBindConf(dir, addr string, domains []string) error {
	_, port, _ := net.SplitHostPort(addr)
	var conf strings.Builder
	fmt.Fprintf(&conf, `options {
	directory %q;
	pid-file %q;
	session-keyfile %q;
	listen-on port %s { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	dnssec-validation no;
	notify no;
};
controls { };
zone "test" { type primary; file "test.zone"; };
`, dir, filepath.Join(dir, "named.pid"), filepath.Join(dir, "session.key"), port)
	parent := zoneHead("test")
	for _, d := range domains {
		fmt.Fprintf(&conf, "zone %q { type primary; file %q; allow-update { 127.0.0.1; }; };\n", d, d+".zone")
		// The delegation, as a registrar publishes it.
		parent += fmt.Sprintf("%s. NS ns1.%s.\nns1.%s. A 127.0.0.1\n", d, d, d)
		if err := os.WriteFile(filepath.Join(dir, d+".zone"), []byte(zoneHead(d)), 0o644); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "test.zone"), []byte(parent), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "named.conf"), []byte(conf.String()), 0o644)
}

// zoneHead is a zone with only its SOA and NS. The SOA's TTL and minimum
// (300 s) are how long a resolver caches a name as missing (RFC 2308).
func zoneHead(zone string) string {
	return fmt.Sprintf("$ORIGIN %s.\n$TTL 300\n@ SOA ns1 hostmaster 1 60 60 3600 300\n@ NS ns1\nns1 A 127.0.0.1\n", zone)
}

func writeUnboundConf(dir, addr, authAddr, queryLog string) error {
	host, port, _ := net.SplitHostPort(addr)
	authHost, authPort, _ := net.SplitHostPort(authAddr)
	conf := fmt.Sprintf(`server:
	interface: %s
	port: %s
	do-ip6: no
	username: ""
	chroot: ""
	directory: %q
	pidfile: %q
	use-syslog: no
	logfile: %q
	log-queries: yes
	verbosity: 1
	num-threads: 1
	module-config: "iterator"
	do-not-query-localhost: no
	local-zone: "test." nodefault
	domain-insecure: "test."
	prefetch: no
	serve-expired: no
remote-control:
	control-enable: no
stub-zone:
	name: "test."
	stub-addr: %s@%s
`, host, port, dir, filepath.Join(dir, "unbound.pid"), queryLog, authHost, authPort)
	return os.WriteFile(filepath.Join(dir, "unbound.conf"), []byte(conf), 0o644)
}

// daemon is a server process run in the foreground, its output kept.
type daemon struct {
	name   string
	cmd    *exec.Cmd
	out    *os.File
	exited chan struct{}
}

func startDaemon(dir, name, path string, args ...string) (*daemon, error) {
	out, err := os.Create(filepath.Join(dir, name+".out"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path, args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, out, out
	return &daemon{name: name, cmd: cmd, out: out, exited: make(chan struct{})}, nil
}

func (d *daemon) start() error {
	if err := d.cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", d.name, err)
	}
	go func() { _ = d.cmd.Wait(); close(d.exited) }()
	return nil
}

// stop ends the process (SIGTERM, then SIGKILL after five seconds).
func (d *daemon) stop() {
	defer func() {
		if err := d.out.Close(); err != nil {
			fmt.Printf("bind/unbound: closing %s: %v\n", d.out.Name(), err)
		}
	}()
	if d.cmd.Process == nil {
		return
	}
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.exited:
	case <-time.After(5 * time.Second):
		_ = d.cmd.Process.Kill()
		<-d.exited
	}
}

func (d *daemon) output() string {
	data, _ := os.ReadFile(d.out.Name())
	return tail(string(data), 20)
}

// waitAnswer waits until the server at addr answers name, or says why not.
func waitAnswer(ctx context.Context, d *daemon, addr, name string, qtype uint16, recursive bool) error {
	q := new(dns.Msg)
	q.SetQuestion(name, qtype)
	q.RecursionDesired = recursive
	c := &dns.Client{Timeout: 500 * time.Millisecond}
	deadline := time.Now().Add(15 * time.Second)
	for {
		r, _, err := c.ExchangeContext(ctx, q, addr)
		if err == nil && r.Rcode == dns.RcodeSuccess {
			return nil
		}
		select {
		case <-d.exited:
			return fmt.Errorf("%s exited at start:\n%s", d.name, d.output())
		default:
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("%s did not answer %s on %s (last: %v, %v):\n%s", d.name, name, addr, r, err, d.output())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// negative asks the resolver and reports whether it says the record is
// missing (NXDOMAIN, or NOERROR without an answer of that type).
func negative(ctx context.Context, addr, name, qtype string) (bool, error) {
	t := dns.StringToType[qtype]
	q := new(dns.Msg)
	q.SetQuestion(dns.Fqdn(name), t)
	r, _, err := (&dns.Client{Timeout: 2 * time.Second}).ExchangeContext(ctx, q, addr)
	if err != nil {
		return false, err
	}
	if r.Rcode == dns.RcodeNameError {
		return true, nil
	}
	if r.Rcode != dns.RcodeSuccess {
		return false, fmt.Errorf("%s", dns.RcodeToString[r.Rcode])
	}
	for _, rr := range r.Answer {
		if rr.Header().Rrtype == t {
			return false, nil
		}
	}
	return true, nil
}

func watchKey(name, qtype string) string {
	return strings.ToLower(dns.Fqdn(name)) + " " + qtype
}

// countWatched counts the queries in Unbound's log (log-queries: lines
// "... info: 127.0.0.1 name. TYPE IN") for the watched names and types.
func countWatched(logFile string, watched map[string]bool) (int, error) {
	data, err := os.ReadFile(logFile)
	if err != nil {
		return 0, fmt.Errorf("reading Unbound's log: %w", err)
	}
	n := 0
	for _, l := range strings.Split(string(data), "\n") {
		_, q, ok := strings.Cut(l, " info: ")
		if !ok {
			continue
		}
		f := strings.Fields(q)
		if len(f) == 4 && f[3] == "IN" && watched[watchKey(f[1], f[2])] {
			n++
		}
	}
	return n, nil
}

func version(path, flag string) string {
	out, _ := exec.Command(path, flag).Output()
	for _, l := range strings.Split(string(out), "\n") {
		if l, _, _ = strings.Cut(l, " <id:"); strings.TrimSpace(l) != "" {
			return strings.TrimSpace(l)
		}
	}
	return filepath.Base(path)
}
