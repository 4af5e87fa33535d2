package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// These tests run the provider the way users do: a built binary, found by a
// Terraform (or OpenTofu) CLI through dev_overrides, or started as a server.

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// providerBinary builds terraform-provider-vastal once for the package's
// tests and returns the folder holding it.
func providerBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		// Not t.TempDir: the binary outlives the first test; TestMain removes it.
		buildDir, buildErr = os.MkdirTemp("", "vastal-provider-bin-") //nolint:usetesting
		if buildErr != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", filepath.Join(buildDir, "terraform-provider-vastal"), ".")
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildDir
}

// terraformCLI returns the CLI the acceptance tests use; the tests that need
// one run with TF_ACC=1, like the rest of the acceptance suite.
func terraformCLI(t *testing.T) string {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance tests run with TF_ACC=1")
	}
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		return p
	}
	p, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("no terraform on PATH and TF_ACC_TERRAFORM_PATH unset")
	}
	return p
}

// cliWorkspace is a working directory whose CLI runs find the freshly built
// provider through dev_overrides in a CLI configuration of its own.
type cliWorkspace struct {
	t   *testing.T
	cli string
	dir string
	env []string
}

func newCLIWorkspace(t *testing.T) *cliWorkspace {
	t.Helper()
	cli := terraformCLI(t)
	bin := providerBinary(t)
	dir := t.TempDir()
	rc := filepath.Join(dir, ".terraformrc")
	// Both "registry.terraform.io/vastal/vastal" (Terraform) and
	// "registry.opentofu.org/vastal/vastal" (OpenTofu) are what
	// source = "vastal/vastal" means to that CLI.
	rcText := fmt.Sprintf(`provider_installation {
  dev_overrides {
    "vastal/vastal" = %q
  }
  direct {}
}
`, bin)
	if err := os.WriteFile(rc, []byte(rcText), 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+rc,
		"TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1",
		"TF_LOG=",
		"VASTAL_API_KEY=", "VASTAL_ENDPOINT=", "VASTAL_EMBEDDED_PATH=",
	)
	return &cliWorkspace{t: t, cli: cli, dir: dir, env: env}
}

func (w *cliWorkspace) write(name, text string) {
	w.t.Helper()
	if err := os.WriteFile(filepath.Join(w.dir, name), []byte(text), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

// run runs the CLI and returns its exit code and output; any code other
// than the allowed ones fails the test.
func (w *cliWorkspace) run(allowed []int, args ...string) (int, string) {
	w.t.Helper()
	cmd := exec.Command(w.cli, args...)
	cmd.Dir = w.dir
	cmd.Env = w.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		w.t.Fatalf("%s %s: %v", w.cli, strings.Join(args, " "), err)
	}
	for _, a := range allowed {
		if code == a {
			return code, out.String()
		}
	}
	w.t.Fatalf("%s %s: exit %d, want %v\n%s", filepath.Base(w.cli), strings.Join(args, " "), code, allowed, out.String())
	return code, out.String()
}

var versionJSON = regexp.MustCompile(`"terraform_version":\s*"(\d+)\.(\d+)\.(\d+)`)

// skipCLIBelow skips the test when the workspace's CLI is the product
// ("Terraform" or "OpenTofu", which reports its version the same way) and
// older than major.minor, saying why.
func (w *cliWorkspace) skipCLIBelow(product string, major, minor int, why string) {
	w.t.Helper()
	human, err := exec.Command(w.cli, "version").Output()
	if err != nil {
		w.t.Fatalf("%s version: %v", w.cli, err)
	}
	if !strings.HasPrefix(string(human), product+" ") {
		return
	}
	out, err := exec.Command(w.cli, "version", "-json").Output()
	if err != nil {
		w.t.Fatalf("%s version -json: %v", w.cli, err)
	}
	m := versionJSON.FindStringSubmatch(string(out))
	if m == nil {
		w.t.Fatalf("%s version -json: no version in %s", w.cli, out)
	}
	gotMajor, _ := strconv.Atoi(m[1])
	gotMinor, _ := strconv.Atoi(m[2])
	if gotMajor < major || (gotMajor == major && gotMinor < minor) {
		w.t.Skipf("%s %s.%s.%s is below %d.%d: %s", product, m[1], m[2], m[3], major, minor, why)
	}
}
