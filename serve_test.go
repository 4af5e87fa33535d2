package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// serveProcess is `terraform-provider-vastal serve` running as a child process.
type serveProcess struct {
	cmd  *exec.Cmd
	addr string
	mu   sync.Mutex
	log  bytes.Buffer
	done chan struct{}
}

var servingLine = regexp.MustCompile(`serving the Vastal API on http://(\S+) `)

// startServe starts the server and waits until it logs its address.
func startServe(t *testing.T, args ...string) *serveProcess {
	t.Helper()
	bin := filepath.Join(providerBinary(t), "terraform-provider-vastal")
	p := &serveProcess{cmd: exec.Command(bin, append([]string{"serve"}, args...)...), done: make(chan struct{})}
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.log.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			if m := servingLine.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			_ = p.cmd.Wait()
		}
	})
	select {
	case p.addr = <-addr:
	case <-p.done:
		_ = p.cmd.Wait()
		t.Fatalf("serve exited before listening:\n%s", p.output())
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not log its address within a minute:\n%s", p.output())
	}
	return p
}

func (p *serveProcess) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

// stop sends SIGTERM and returns the exit code.
func (p *serveProcess) stop(t *testing.T) int {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-p.done // stderr closed: the process has exited
	err := p.cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

// runServe runs serve to its end, for the invocations that must refuse.
func runServe(t *testing.T, args ...string) (int, string) {
	t.Helper()
	bin := filepath.Join(providerBinary(t), "terraform-provider-vastal")
	cmd := exec.Command(bin, append([]string{"serve"}, args...)...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), string(out)
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, string(out)
}

func TestServe_refusesBeyondLoopbackWithoutKey(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "served.db")
	for _, listen := range []string{"0.0.0.0:0", "[::]:0", ":0"} {
		code, out := runServe(t, "--listen", listen, "--db", db)
		if code != 2 || !strings.Contains(out, "refusing to listen on "+listen+" without an API key") {
			t.Errorf("serve --listen %s without a key: exit %d, want 2 and a refusal:\n%s", listen, code, out)
		}
	}
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused serve created or touched %s (stat: %v)", db, err)
	}
	empty := filepath.Join(t.TempDir(), "empty-key")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out := runServe(t, "--listen", "127.0.0.1:0", "--db", db, "--api-key-file", empty); code != 1 || !strings.Contains(out, "is empty") {
		t.Errorf("serve with an empty key file: exit %d, want 1 and a message:\n%s", code, out)
	}
}

// With a key, any address is allowed; without one, a loopback address is.
func TestServe_listensAndStopsOnSIGTERM(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	key := filepath.Join(dir, "key")
	if err := os.WriteFile(key, []byte("vk_serve_test_key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, args := range map[string][]string{
		"loopback without key": {"--listen", "127.0.0.1:0", "--db", filepath.Join(dir, "a.db")},
		"any address with key": {"--listen", "0.0.0.0:0", "--db", filepath.Join(dir, "b.db"), "--api-key-file", key},
	} {
		p := startServe(t, args...)
		if code := p.stop(t); code != 0 {
			t.Errorf("%s: exit %d after SIGTERM, want 0:\n%s", name, code, p.output())
		}
		if !strings.Contains(p.output(), "shutting down") {
			t.Errorf("%s: no shutdown logged:\n%s", name, p.output())
		}
	}
}

// The whole point of serve: a Terraform run applies against it with
// endpoint and api_key, and the server then stops gracefully.
func TestAccServe_applyAgainstServer(t *testing.T) {
	t.Parallel()
	w := newCLIWorkspace(t)
	dir := t.TempDir()
	const apiKey = "vk_serve_acc_0123456789"
	keyFile := filepath.Join(dir, "key")
	if err := os.WriteFile(keyFile, []byte(apiKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := startServe(t, "--listen", "127.0.0.1:0", "--db", filepath.Join(dir, "served.db"), "--api-key-file", keyFile)

	config := func(key string) string {
		return fmt.Sprintf(`terraform {
  required_providers {
    vastal = {
      source = "vastal/vastal"
    }
  }
}

provider "vastal" {
  endpoint = "http://%s"
  api_key  = %q
}

resource "vastal_domain" "served" {
  domain = "served.test"
}

output "id" {
  value = vastal_domain.served.id
}
`, p.addr, key)
	}
	w.write("main.tf", config("vk_wrong_key"))
	if _, out := w.run([]int{1}, "apply", "-auto-approve", "-input=false", "-no-color"); !strings.Contains(out, "served.test") {
		t.Errorf("apply with a wrong key: want an error naming the domain:\n%s", out)
	}

	w.write("main.tf", config(apiKey))
	w.run([]int{0}, "apply", "-auto-approve", "-input=false", "-no-color")
	_, id := w.run([]int{0}, "output", "-raw", "id")
	if !strings.HasPrefix(id, "dom_") {
		t.Errorf("output id = %q, want a domain ID", id)
	}
	if code, out := w.run([]int{0, 2}, "plan", "-input=false", "-no-color", "-detailed-exitcode"); code != 0 {
		t.Errorf("plan after apply is not empty:\n%s", out)
	}

	if code := p.stop(t); code != 0 {
		t.Errorf("serve exited %d after SIGTERM, want 0:\n%s", code, p.output())
	}
	log := p.output()
	for _, want := range []string{" POST /domains 401 ", " POST /domains 201 ", " GET /domains/" + id + " 200 ", "shutting down"} {
		if !strings.Contains(log, want) {
			t.Errorf("server log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, apiKey) || strings.Contains(log, "vk_wrong_key") {
		t.Errorf("server log shows an API key:\n%s", log)
	}
}
