// Command bench runs the performance scenarios of `make bench` and prints one
// line per figure, `BENCH <name> <value> <unit>`, and one `CHECK` line per
// target, then writes the table to BENCHMARKS.md. Every target is a ratio or a
// count taken inside one run, because the machines it runs on are noisy.
//
// It drives the real Terraform CLI against a freshly built provider (a
// dev_overrides CLI configuration), with the backend either embedded or run by
// this program behind a loopback HTTP server that counts requests, and DNS
// served by internal/dnstest on loopback, and by BIND 9 behind Unbound when
// they are installed (bindunbound.go).
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vastal/terraform-provider-vastal/internal/backend"
	"github.com/vastal/terraform-provider-vastal/internal/dnscheck"
	"github.com/vastal/terraform-provider-vastal/internal/dnstest"
	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

// figure is one measured value, and check one target judged in this run.
type figure struct {
	name, unit string
	value      float64
}

type check struct {
	what, got, target string
	ok                bool
}

type bench struct {
	root, work, tf, tfVersion string
	figures                   []figure
	checks                    []check
	notes                     []string
}

func main() {
	out := flag.String("out", "BENCHMARKS.md", "file the table is written to (empty: none)")
	only := flag.String("only", "", "comma-separated scenarios to run (go,serve,startup,plan,apply,bind); empty runs all")
	flag.Parse()

	b := &bench{}
	var err error
	if b.root, err = os.Getwd(); err != nil {
		fatal(err)
	}
	if b.work, err = os.MkdirTemp("", "vastal-bench-"); err != nil {
		fatal(err)
	}
	defer func() { warn("removing the work folder", os.RemoveAll(b.work)) }()
	b.setup()

	run := func(name string, f func()) {
		if *only != "" && !slices.Contains(strings.Split(*only, ","), name) {
			return
		}
		fmt.Printf("== %s\n", name)
		start := time.Now()
		f()
		fmt.Printf("   (%s took %.0f s)\n", name, time.Since(start).Seconds())
	}
	run("go", b.goBenchmarks)
	run("serve", b.serveGets)
	run("startup", b.startup)
	run("plan", b.planAtScale)
	run("apply", b.applyAtScale)
	run("bind", b.bindUnbound)

	failed := 0
	for _, c := range b.checks {
		if !c.ok {
			failed++
		}
	}
	if *out != "" {
		if err := os.WriteFile(filepath.Join(b.root, *out), []byte(b.markdown()), 0o644); err != nil {
			fatal(err)
		}
		fmt.Printf("wrote %s\n", *out)
	}
	fmt.Printf("%d of %d targets met\n", len(b.checks)-failed, len(b.checks))
	if failed > 0 {
		warn("removing the work folder", os.RemoveAll(b.work)) // os.Exit skips the deferred removal
		os.Exit(1)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}

// warn reports a failure that does not void the measurements, such as one
// cleaning up after them.
func warn(what string, err error) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %s: %v\n", what, err)
	}
}

func (b *bench) record(name string, value float64, unit string) {
	b.figures = append(b.figures, figure{name: name, value: value, unit: unit})
	fmt.Printf("BENCH %s %s %s\n", name, fmtValue(value), unit)
}

func (b *bench) judge(what string, got float64, op string, target float64, unit string) {
	ok := false
	switch op {
	case "<=":
		ok = got <= target
	case ">=":
		ok = got >= target
	case "==":
		ok = got == target
	}
	c := check{what: what, got: fmtValue(got) + " " + unit, target: op + " " + fmtValue(target) + " " + unit, ok: ok}
	b.checks = append(b.checks, c)
	verdict := "ok"
	if !ok {
		verdict = "MISSED"
	}
	fmt.Printf("CHECK %s %s (target %s) %s\n", what, c.got, c.target, verdict)
}

func fmtValue(v float64) string {
	switch {
	case v == float64(int64(v)) && v < 1e9:
		return strconv.FormatInt(int64(v), 10)
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	default:
		return strconv.FormatFloat(v, 'f', 3, 64)
	}
}

// setup builds the provider and writes a CLI configuration that uses it.
func (b *bench) setup() {
	b.tf = os.Getenv("TF_ACC_TERRAFORM_PATH")
	if b.tf == "" {
		out, err := exec.Command(filepath.Join(b.root, ".ci/terraform-cli")).Output()
		if err != nil {
			fatal(fmt.Errorf("finding a Terraform CLI: %w", err))
		}
		b.tf = strings.TrimSpace(string(out))
	}
	v, _ := exec.Command(b.tf, "version").Output()
	b.tfVersion = strings.SplitN(string(v), "\n", 2)[0]
	bin := filepath.Join(b.work, "bin")
	cmd := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(bin, "terraform-provider-vastal"), ".")
	cmd.Dir, cmd.Stdout, cmd.Stderr = b.root, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		fatal(fmt.Errorf("building the provider: %w", err))
	}
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"vastal/vastal\" = %q\n  }\n  direct {}\n}\n", bin)
	if err := os.WriteFile(filepath.Join(b.work, "terraformrc"), []byte(rc), 0o644); err != nil {
		fatal(err)
	}
	fmt.Printf("Terraform CLI: %s (%s)\n", b.tf, b.tfVersion)
}

// terraform runs the CLI in dir and returns how long it took.
func (b *bench) terraform(dir string, args ...string) time.Duration {
	cmd := exec.Command(b.tf, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+filepath.Join(b.work, "terraformrc"),
		"TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1", "TF_LOG=")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil {
		fatal(fmt.Errorf("terraform %s in %s: %w\n%s", strings.Join(args, " "), dir, err, tail(out.String(), 40)))
	}
	return d
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func (b *bench) dir(name, config string) string {
	d := filepath.Join(b.work, name)
	if err := os.MkdirAll(d, 0o755); err != nil {
		fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d, "main.tf"), []byte(config), 0o644); err != nil {
		fatal(err)
	}
	return d
}

// goBenchmarks runs the Go benchmarks of the hot paths with -benchmem.
func (b *bench) goBenchmarks() {
	type pkg struct{ path, pattern, benchtime string }
	for _, p := range []pkg{
		{"./internal/dnscheck", ".", "1s"},
		{"./internal/vastal", ".", "1s"},
		{"./internal/backend", ".", "1s"},
		{"./internal/provider", "BenchmarkVerificationLatency", "1x"},
	} {
		cmd := exec.Command("go", "test", "-run", "^$", "-bench", p.pattern, "-benchmem", "-benchtime", p.benchtime, p.path)
		cmd.Dir = b.root
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			fatal(fmt.Errorf("go test -bench %s: %w\n%s", p.path, err, out.String()))
		}
		b.parseGoBench(out.String())
	}
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(-\d+)?\s+(\d+)\s+(.*)$`)

func (b *bench) parseGoBench(out string) {
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		name := strings.TrimPrefix(m[1], "Benchmark")
		fields := strings.Fields(m[4])
		metrics := map[string]float64{}
		for i := 0; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue
			}
			metrics[fields[i+1]] = v
			if fields[i+1] == "ns/op" && v == 0 {
				continue
			}
			b.record("go/"+name, v, fields[i+1])
		}
		if strings.HasPrefix(name, "VerificationLatency/") {
			variant := strings.TrimPrefix(name, "VerificationLatency/")
			if strings.HasSuffix(variant, "-poll") {
				continue // the old cadence, for comparison only
			}
			b.judge("verification latency p50 ("+variant+")", metrics["p50-s"], "<=", 1.5, "s")
			b.judge("verification latency max ("+variant+")", metrics["max-s"], "<=", 6, "s")
			if strings.HasSuffix(variant, "-resolver") {
				b.judge("resolver queries for watched names ("+variant+")", metrics["resolver-queries"], "==", 0, "queries")
			}
		}
		if name == "WatchRound_pending" {
			// Two of four records present on three servers: only the two
			// missing ones are asked, one question each per server.
			b.judge("queries per pending Watch round, 3 servers, 2 records missing (one question per missing record and server)", metrics["queries/op"], "<=", 6, "queries")
		}
	}
}

// countingHandler counts the requests a handler serves, by method and path shape.
type countingHandler struct {
	h     http.Handler
	total atomic.Int64
}

func (c *countingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.total.Add(1)
	c.h.ServeHTTP(w, r)
}

// httpBackend serves a fresh backend on loopback and returns its URL.
func (b *bench) httpBackend(name, key string, checker backend.DNSChecker) (*countingHandler, string, func()) {
	be, err := backend.Open(filepath.Join(b.work, name+".db"), backend.Options{APIKey: key, Checker: checker})
	if err != nil {
		fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fatal(err)
	}
	ch := &countingHandler{h: be}
	srv := &http.Server{Handler: ch}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			fatal(err)
		}
	}()
	return ch, "http://" + ln.Addr().String(), func() { warn("closing the backend", errors.Join(srv.Close(), be.Close())) }
}

// dnsZones starts a loopback authoritative server holding the required
// records of every domain.
func dnsZones(domains []string) *dnstest.Server {
	var zones []*dnstest.Zone
	for _, d := range domains {
		zones = append(zones, dnstest.NewZone(d).MustAdd(
			"@ MX 10 mx.vastal.com.", `@ TXT "v=spf1 include:_spf.vastal.com ~all"`,
			"vsm1._domainkey CNAME vsm1.dkim.vastal.com.", "vsm2._domainkey CNAME vsm2.dkim.vastal.com."))
	}
	s, err := dnstest.NewServer(zones...)
	if err != nil {
		fatal(err)
	}
	return s
}

func domainNames(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%03d.bench.test", prefix, i)
	}
	return out
}

// serveGets measures GET requests per second against `serve` on loopback.
func (b *bench) serveGets() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil { // frees the port for serve
		fatal(err)
	}
	const key = "vk_bench_serve_0123456789"
	keyFile := filepath.Join(b.work, "serve.key")
	if err := os.WriteFile(keyFile, []byte(key+"\n"), 0o600); err != nil {
		fatal(err)
	}
	cmd := exec.Command(filepath.Join(b.work, "bin", "terraform-provider-vastal"), "serve", "--listen", addr,
		"--db", filepath.Join(b.work, "serve.db"), "--api-key-file", keyFile, "--dns-nameservers", "127.0.0.1:9")
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	base := "http://" + addr
	for i := 0; ; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			_ = c.Close() // only a probe that serve listens
			break
		}
		if i > 100 {
			fatal(fmt.Errorf("serve did not start listening on %s", addr))
		}
		time.Sleep(50 * time.Millisecond)
	}
	client, err := vastal.New(vastal.Config{BaseURL: base, APIKey: key})
	if err != nil {
		fatal(err)
	}
	ctx := context.Background()
	var paths []string
	for _, d := range domainNames("serve", 100) {
		dom, err := client.CreateDomain(ctx, d)
		if err != nil {
			fatal(err)
		}
		paths = append(paths, "/domains/"+dom.ID, "/domains/"+dom.ID+"/emails")
	}

	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	const workers, dur = 8, 3 * time.Second
	var n, failed atomic.Int64
	deadline := time.Now().Add(dur)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Go(func() {
			for i := w; time.Now().Before(deadline); i++ {
				req, _ := http.NewRequest(http.MethodGet, base+paths[i%len(paths)], nil)
				req.Header.Set("Authorization", "Bearer "+key)
				resp, err := hc.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				if err := resp.Body.Close(); err != nil || resp.StatusCode != http.StatusOK {
					failed.Add(1)
					continue
				}
				n.Add(1)
			}
		})
	}
	wg.Wait()
	rps := float64(n.Load()) / time.Since(start).Seconds()
	b.record("serve/get_rps", rps, "requests/s")
	b.record("serve/get_failed", float64(failed.Load()), "requests")
	b.judge(fmt.Sprintf("serve GET throughput (%d clients in this process, same %d cores)", workers, runtime.NumCPU()), rps, ">=", 2000, "requests/s")
}

// startup proves the provider serves its schema and configures without
// opening the database or calling the API: a plan of a configuration with
// no resources.
func (b *bench) startup() {
	db := filepath.Join(b.work, "startup-embedded", "never", "embedded.db")
	d := b.dir("startup-embedded", fmt.Sprintf(`terraform {
  required_providers {
    vastal = { source = "vastal/vastal" }
  }
}
provider "vastal" {
  embedded = { path = %q }
}
`, db))
	took := b.terraform(d, "plan", "-input=false", "-lock=false")
	b.record("startup/plan_empty_embedded_s", took.Seconds(), "s")
	_, err := os.Stat(filepath.Dir(db))
	b.judge("database touched by schema and configure (embedded)", boolf(err == nil), "==", 0, "")

	ch, url, stop := b.httpBackend("startup", "vk_bench_startup_0123", backend.NotFoundChecker{})
	defer stop()
	d = b.dir("startup-http", fmt.Sprintf(`terraform {
  required_providers {
    vastal = { source = "vastal/vastal" }
  }
}
provider "vastal" {
  endpoint = %q
  api_key  = "vk_bench_startup_0123"
}
`, url))
	took = b.terraform(d, "plan", "-input=false", "-lock=false")
	b.record("startup/plan_empty_http_s", took.Seconds(), "s")
	b.judge("API requests by schema and configure (http)", float64(ch.total.Load()), "==", 0, "requests")
}

func boolf(v bool) float64 {
	if v {
		return 1
	}
	return 0
}

const vastalScaleConfig = `terraform {
  required_providers {
    vastal = { source = "vastal/vastal" }
  }
}
%s
locals {
  domains = [for i in range(%d) : format("%s%%03d.bench.test", i)]
  addresses = { for p in setproduct(local.domains, range(%d)) : "${p[1]}@${p[0]}" => p }
}
resource "vastal_domain" "d" {
  for_each = toset(local.domains)
  domain   = each.key
}
resource "vastal_domain_verification" "v" {
  for_each  = vastal_domain.d
  domain_id = each.value.id
}
resource "vastal_email_address" "a" {
  for_each   = local.addresses
  domain_id  = vastal_domain_verification.v[each.value[0]].id
  local_part = "user${each.value[1]}"
}
`

// The same graph with terraform_data: the baseline Terraform's own cost.
const dataScaleConfig = `locals {
  domains = [for i in range(%d) : format("%s%%03d.bench.test", i)]
  addresses = { for p in setproduct(local.domains, range(%d)) : "${p[1]}@${p[0]}" => p }
}
resource "terraform_data" "d" {
  for_each = toset(local.domains)
  input    = each.key
}
resource "terraform_data" "v" {
  for_each = terraform_data.d
  input    = each.value.id
}
resource "terraform_data" "a" {
  for_each = local.addresses
  input    = "${terraform_data.v[each.value[0]].id}/user${each.value[1]}"
}
`

// planAtScale: 100 domains and 1,000 addresses behind the HTTP backend.
func (b *bench) planAtScale() {
	const domains, per = 100, 10
	names := domainNames("plan", domains)
	dns := dnsZones(names)
	defer func() { warn("closing the DNS server", dns.Close()) }()
	checker, err := dnscheck.New(dnscheck.Config{Nameservers: []string{dns.Addr}})
	if err != nil {
		fatal(err)
	}
	const key = "vk_bench_plan_0123456789"
	ch, url, stop := b.httpBackend("plan", key, checker)
	defer stop()
	provider := fmt.Sprintf("provider \"vastal\" {\n  endpoint = %q\n  api_key  = %q\n  dns = { nameservers = [%q] }\n}\n", url, key, dns.Addr)
	vd := b.dir("plan-vastal", fmt.Sprintf(vastalScaleConfig, provider, domains, "plan", per))
	td := b.dir("plan-data", fmt.Sprintf(dataScaleConfig, domains, "plan", per))

	took := b.terraform(vd, "apply", "-auto-approve", "-input=false", "-lock=false")
	b.record("plan/setup_apply_vastal_s", took.Seconds(), "s")
	b.record("plan/setup_apply_requests", float64(ch.total.Load()), "requests")
	b.terraform(td, "apply", "-auto-approve", "-input=false", "-lock=false")

	var tv, tt []float64
	var reqs []int64
	for range 2 { // alternate, so drift in machine load hits both
		before := ch.total.Load()
		tv = append(tv, b.terraform(vd, "plan", "-input=false", "-lock=false", "-detailed-exitcode").Seconds())
		reqs = append(reqs, ch.total.Load()-before)
		tt = append(tt, b.terraform(td, "plan", "-input=false", "-lock=false", "-detailed-exitcode").Seconds())
	}
	v, t := median(tv), median(tt)
	b.record("plan/vastal_s", v, "s")
	b.record("plan/terraform_data_s", t, "s")
	b.record("plan/ratio", v/t, "x")
	maxReqs := slices.Max(reqs)
	b.record("plan/api_requests", float64(maxReqs), "requests")
	b.record("plan/api_requests_per_domain", float64(maxReqs)/domains, "requests")
	b.judge("plan of 100 domains + 1,000 addresses vs 1,200 terraform_data", v/t, "<=", 1.5, "x")
	b.judge("API requests per domain in one plan", float64(maxReqs)/domains, "<=", 2, "requests")
}

// applyAtScale: 20 domains and 200 addresses on the embedded backend.
func (b *bench) applyAtScale() {
	const domains, per = 20, 10
	names := domainNames("apply", domains)
	dns := dnsZones(names)
	defer func() { warn("closing the DNS server", dns.Close()) }()
	provider := fmt.Sprintf("provider \"vastal\" {\n  embedded = { path = %q }\n  dns = { nameservers = [%q] }\n}\n",
		filepath.Join(b.work, "apply-vastal", "embedded.db"), dns.Addr)
	vd := b.dir("apply-vastal", fmt.Sprintf(vastalScaleConfig, provider, domains, "apply", per))
	td := b.dir("apply-data", fmt.Sprintf(dataScaleConfig, domains, "apply", per))
	var tv, tt []float64
	for range 2 {
		tv = append(tv, b.terraform(vd, "apply", "-auto-approve", "-input=false", "-lock=false").Seconds())
		tt = append(tt, b.terraform(td, "apply", "-auto-approve", "-input=false", "-lock=false").Seconds())
		b.terraform(vd, "destroy", "-auto-approve", "-input=false", "-lock=false")
		b.terraform(td, "destroy", "-auto-approve", "-input=false", "-lock=false")
	}
	v, t := median(tv), median(tt)
	b.record("apply/vastal_embedded_s", v, "s")
	b.record("apply/terraform_data_s", t, "s")
	b.record("apply/ratio", v/t, "x")
	b.judge("apply of 20 domains + 200 addresses (embedded) vs 240 terraform_data", v/t, "<=", 2, "x")
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func (b *bench) markdown() string {
	var s strings.Builder
	host, _ := os.Hostname()
	fmt.Fprintf(&s, "# Benchmarks\n\nWritten by `make bench` (`go run ./internal/bench`); do not edit by hand.\n\n")
	fmt.Fprintf(&s, "- date: %s\n- machine: %s, %s/%s, %d CPUs (%s)\n- Terraform CLI: %s\n- Go: %s\n\n",
		time.Now().UTC().Format(time.RFC3339), host, runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpuModel(), b.tfVersion, runtime.Version())
	s.WriteString("## Targets\n\n| what | measured | target | |\n|---|---|---|---|\n")
	for _, c := range b.checks {
		v := "met"
		if !c.ok {
			v = "**missed**"
		}
		fmt.Fprintf(&s, "| %s | %s | %s | %s |\n", c.what, c.got, c.target, v)
	}
	s.WriteString("\n## Figures\n\n| name | value | unit |\n|---|---|---|\n")
	for _, f := range b.figures {
		fmt.Fprintf(&s, "| %s | %s | %s |\n", f.name, fmtValue(f.value), f.unit)
	}
	for _, n := range b.notes {
		fmt.Fprintf(&s, "\n%s\n", n)
	}
	return s.String()
}

func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "model name") {
			if _, v, ok := strings.Cut(l, ":"); ok {
				return strings.TrimSpace(v)
			}
		}
	}
	return "unknown CPU"
}
