package provider_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/vastal/terraform-provider-vastal/internal/backend"
	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

// These tests drive the Terraform CLI as a user does: separate processes,
// the provider built as a binary and found through dev_overrides.

// processTimeout bounds every Terraform command of these tests.
const processTimeout = 3 * time.Minute

type tfCLI struct {
	tf     string // the Terraform binary
	rc     string // CLI config with dev_overrides for the built provider
	binDir string
}

// TestAccProcess builds the provider once and runs the process-level tests
// as parallel subtests sharing it.
func TestAccProcess(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("process-level tests drive the Terraform CLI and run with TF_ACC=1 (make testacc)")
	}
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		p, err := exec.LookPath("terraform")
		if err != nil {
			t.Skip("no Terraform CLI: set TF_ACC_TERRAFORM_PATH or put terraform on PATH")
		}
		tf = p
	}
	cli := buildCLI(t, tf)
	t.Run("crash", func(t *testing.T) { t.Parallel(); testProcessCrash(t, cli) })
	t.Run("concurrent", func(t *testing.T) { t.Parallel(); testProcessConcurrent(t, cli) })
	t.Run("trace", func(t *testing.T) { t.Parallel(); testProcessTraceLog(t, cli) })
}

func buildCLI(t *testing.T, tf string) *tfCLI {
	t.Helper()
	bin := t.TempDir()
	// go test puts the go command's own GOROOT/bin first on PATH.
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("finding the go command to build the provider: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), processTimeout)
	defer cancel()
	build := exec.CommandContext(ctx, goBin, "build", "-o", filepath.Join(bin, "terraform-provider-vastal"), ".")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	rc := filepath.Join(bin, "terraformrc")
	err = os.WriteFile(rc, []byte(fmt.Sprintf(`provider_installation {
  dev_overrides {
    "vastal/vastal" = %q
  }
  direct {}
}
`, bin)), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	return &tfCLI{tf: tf, rc: rc, binDir: bin}
}

// workdir is one Terraform working directory with its main.tf.
func (c *tfCLI) workdir(t *testing.T, mainTF string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(mainTF), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func (c *tfCLI) command(ctx context.Context, dir string, extraEnv []string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, c.tf, args...)
	cmd.Dir = dir
	env := []string{}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "TF_LOG") || strings.HasPrefix(kv, "TF_CLI_CONFIG_FILE=") || strings.HasPrefix(kv, "VASTAL_") {
			continue
		}
		env = append(env, kv)
	}
	cmd.Env = append(env, append([]string{
		"TF_CLI_CONFIG_FILE=" + c.rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
	}, extraEnv...)...)
	// Its own process group, so that the provider plugin can be killed with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// run runs one Terraform command and returns its exit code and output.
func (c *tfCLI) run(t *testing.T, dir string, extraEnv []string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), processTimeout)
	defer cancel()
	cmd := c.command(ctx, dir, extraEnv, args...)
	out, err := cmd.CombinedOutput()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &exitErr) && ctx.Err() == nil:
		return exitErr.ExitCode(), string(out)
	}
	t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	return -1, ""
}

func (c *tfCLI) mustRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	code, out := c.run(t, dir, nil, args...)
	if code != 0 {
		t.Fatalf("terraform %s exited %d:\n%s", strings.Join(args, " "), code, out)
	}
	return out
}

// expectEmptyPlan fails unless a plan in dir proposes no change.
func (c *tfCLI) expectEmptyPlan(t *testing.T, dir string) {
	t.Helper()
	code, out := c.run(t, dir, nil, "plan", "-detailed-exitcode", "-input=false", "-no-color")
	if code != 0 {
		t.Fatalf("the plan after the apply is not empty (exit %d):\n%s", code, out)
	}
}

func embeddedProvider(dbPath, dnsServer string) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    vastal = {
      source = "vastal/vastal"
    }
  }
}

provider "vastal" {
  embedded = { path = %q }
  dns = {
    nameservers = [%q]
    timeout     = "500ms"
  }
}
`, dbPath, dnsServer)
}

// openEmbedded opens the file the provider processes share, as a third process would.
func openEmbedded(t *testing.T, path string) *vastal.Client {
	t.Helper()
	b, err := backend.Open(path, backend.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	c, err := vastal.New(vastal.Config{BaseURL: "http://127.0.0.1", Transport: backend.Transport(b)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func checkInventory(t *testing.T, c *vastal.Client, domains, addresses []string) {
	t.Helper()
	if err := expectInventory(c, domains, addresses)(nil); err != nil {
		t.Error(err)
	}
}

// kill -9 of Terraform and the provider in the middle of an apply on the
// embedded backend; then the SQLite file is intact, and the user's next
// steps (apply, import what the errors name, apply) converge without a
// duplicate.
func testProcessCrash(t *testing.T, cli *tfCLI) {
	domains := reliabilityDomains("crash", 12)
	dns := goodZones(t, domains...)
	db := filepath.Join(t.TempDir(), "embedded.db")
	dir := cli.workdir(t, embeddedProvider(db, dns.Addr)+manyConfig(domains, 3))

	ctx, cancel := context.WithTimeout(context.Background(), processTimeout)
	defer cancel()
	cmd := cli.command(ctx, dir, nil, "apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=4")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill when a few creates have completed: the apply is then mid-way,
	// with more creates in flight.
	completed, killed := 0, false
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if strings.Contains(sc.Text(), "Creation complete") {
			completed++
		}
		if completed == 8 && !killed {
			if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	_ = cmd.Wait()
	if !killed {
		t.Fatalf("the apply ended after %d creates before it could be killed:\n%s", completed, stderr.String())
	}

	// The file is intact.
	sqlDB, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	var integrity string
	if err := sqlDB.QueryRow("PRAGMA integrity_check").Scan(&integrity); err != nil || integrity != "ok" {
		t.Fatalf("PRAGMA integrity_check = %q, %v; want ok", integrity, err)
	}
	_ = sqlDB.Close()

	// The next apply creates what is missing; what the killed run created
	// but never wrote to state is refused with the import command.
	client := openEmbedded(t, db)
	code, out := cli.run(t, dir, nil, "apply", "-auto-approve", "-input=false", "-no-color")
	if code != 0 {
		imports := regexp.MustCompile(`terraform\s+import\s+<resource\s+address>\s+(dom_[a-z0-9]+)`).FindAllStringSubmatch(out, -1)
		addrImports := regexp.MustCompile(`or\s+by\s+ID:\s+terraform\s+import\s+<resource\s+address>\s+(dom_[a-z0-9]+/email_[a-z0-9]+)`).FindAllStringSubmatch(out, -1)
		if len(imports)+len(addrImports) == 0 {
			t.Fatalf("the apply after the crash failed without naming what to import:\n%s", out)
		}
		t.Logf("after the crash: %d domains and %d addresses to import", len(imports), len(addrImports))
		list, err := client.ListDomains(ctx)
		if err != nil {
			t.Fatal(err)
		}
		index := map[string]int{}
		for i, d := range domains {
			index[d] = i
		}
		byID := map[string]vastal.Domain{}
		for _, d := range list {
			byID[d.ID] = d
		}
		for _, m := range imports {
			d, ok := byID[m[1]]
			if !ok {
				t.Fatalf("the error names %s, which the backend does not hold", m[1])
			}
			cli.mustRun(t, dir, "import", "-input=false", "-no-color", fmt.Sprintf("vastal_domain.d[%d]", index[d.Domain]), d.ID)
		}
		for _, m := range addrImports {
			domainID, emailID, _ := strings.Cut(m[1], "/")
			a, err := client.GetEmailAddress(ctx, domainID, emailID)
			if err != nil {
				t.Fatal(err)
			}
			local, domain, _ := strings.Cut(a.Address, "@")
			var n int
			if _, err := fmt.Sscanf(local, "u%d", &n); err != nil {
				t.Fatalf("unexpected address %s", a.Address)
			}
			di := index[domain]
			cli.mustRun(t, dir, "import", "-input=false", "-no-color", fmt.Sprintf("vastal_email_address.a[%d]", di*3+n), m[1])
		}
		cli.mustRun(t, dir, "apply", "-auto-approve", "-input=false", "-no-color")
	}
	cli.expectEmptyPlan(t, dir)
	checkInventory(t, client, domains, manyAddresses(domains, 3))
}

// Two Terraform processes apply different configurations on one embedded
// file at once, each with parallelism 10: both succeed.
func testProcessConcurrent(t *testing.T, cli *tfCLI) {
	a, b := reliabilityDomains("left", 8), reliabilityDomains("right", 8)
	dns := goodZones(t, append(append([]string{}, a...), b...)...)
	db := filepath.Join(t.TempDir(), "embedded.db")
	dirs := []string{
		cli.workdir(t, embeddedProvider(db, dns.Addr)+manyConfig(a, 3)),
		cli.workdir(t, embeddedProvider(db, dns.Addr)+manyConfig(b, 3)),
	}
	var wg sync.WaitGroup
	outs := make([]string, len(dirs))
	codes := make([]int, len(dirs))
	for i, dir := range dirs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), processTimeout)
			defer cancel()
			out, err := cli.command(ctx, dir, nil, "apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=10").CombinedOutput()
			outs[i] = string(out)
			if err != nil {
				codes[i] = -1
			}
		}()
	}
	wg.Wait()
	for i := range dirs {
		if codes[i] != 0 || strings.Contains(outs[i], "database is locked") {
			t.Errorf("apply %d of 2 failed:\n%s", i+1, outs[i])
		}
	}
	if t.Failed() {
		return
	}
	for _, dir := range dirs {
		cli.expectEmptyPlan(t, dir)
	}
	all := append(append([]string{}, a...), b...)
	checkInventory(t, openEmbedded(t, db), all, append(manyAddresses(a, 3), manyAddresses(b, 3)...))
}

// A full apply, plan and destroy against the HTTP transport at TF_LOG=TRACE:
// the API key is in the configuration, yet never in Terraform's output, its
// logs (the provider's included) or the state.
func testProcessTraceLog(t *testing.T, cli *tfCLI) {
	domains := []string{"trace.test"}
	api := newFaultyAPI(t, goodZones(t, domains...).Addr, backend.FaultConfig{})
	dir := cli.workdir(t, api.config(manyConfig(domains, 2)))
	logFile := filepath.Join(t.TempDir(), "terraform.log")
	env := []string{"TF_LOG=TRACE", "TF_LOG_PATH=" + logFile}

	var transcript strings.Builder
	for _, args := range [][]string{
		{"apply", "-auto-approve", "-input=false", "-no-color"},
		{"plan", "-detailed-exitcode", "-input=false", "-no-color"},
		{"destroy", "-auto-approve", "-input=false", "-no-color"},
	} {
		code, out := cli.run(t, dir, env, args...)
		transcript.WriteString(out)
		if code != 0 {
			t.Fatalf("terraform %s exited %d:\n%s", args[0], code, out)
		}
	}
	logs, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	// The log must hold the provider's own request logs, or the test
	// would prove nothing.
	for _, want := range []string{"Vastal API request", "POST", "/domains"} {
		if !bytes.Contains(logs, []byte(want)) {
			t.Fatalf("the TRACE log has no %q: the provider's logs were not captured", want)
		}
	}
	files := map[string][]byte{"output": []byte(transcript.String()), "TF_LOG_PATH log": logs}
	for _, name := range []string{"terraform.tfstate", "terraform.tfstate.backup"} {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
			files[name] = b
		}
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if i := bytes.Index(files[n], []byte(reliabilityKey)); i >= 0 {
			lo, hi := max(0, i-200), min(len(files[n]), i+len(reliabilityKey)+50)
			t.Errorf("the API key appears in the %s:\n%s", n, files[n][lo:hi])
		}
	}
	t.Logf("checked %d bytes of TRACE log and %d bytes of output", len(logs), transcript.Len())
}
