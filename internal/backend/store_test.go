package backend

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

func TestOpen_permissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "vastal")
	path := filepath.Join(dir, "backend.db")
	b, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer checkClose(t, b)
	c := &http.Client{Transport: Transport(b)}
	resp, err := c.Post("http://x/domains", "application/json", bytes.NewReader([]byte(`{"domain":"acme.com"}`)))
	if err != nil {
		t.Fatal(err)
	}
	if err := resp.Body.Close(); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{dir: 0o700 | os.ModeDir, path: 0o600, path + "-wal": 0o600, path + "-shm": 0o600} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v", filepath.Base(p), fi.Mode(), want)
		}
	}
}

func TestOpen_badPath(t *testing.T) {
	for name, path := range map[string]string{"empty": "", "question mark": filepath.Join(t.TempDir(), "a?b.db")} {
		t.Run(name, func(t *testing.T) {
			if b, err := Open(path, Options{}); err == nil {
				if err := b.Close(); err != nil {
					t.Error(err)
				}
				t.Fatal("Open succeeded")
			}
		})
	}
}

func userVersion(t *testing.T, b *Backend) int {
	t.Helper()
	v, err := schemaVersion(context.Background(), b.db)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestOpen_schemaVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vastal.db")
	b, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if v := userVersion(t, b); v != SchemaVersion {
		t.Errorf("new file at version %d, want %d", v, SchemaVersion)
	}
	c := &http.Client{Transport: Transport(b)}
	resp, err := c.Post("http://x/domains", "application/json", bytes.NewReader([]byte(`{"domain":"acme.com"}`)))
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("create: %v %v", resp, err)
	}
	if err := resp.Body.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}

	// Reopening keeps the data and does not migrate again.
	b, err = Open(path, Options{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	if v := userVersion(t, b); v != SchemaVersion {
		t.Errorf("reopened file at version %d, want %d", v, SchemaVersion)
	}
	if n := countRows(t, b, "domains"); n != 1 {
		t.Errorf("%d domains after reopening, want 1", n)
	}

	// A file from a newer backend is refused, untouched.
	if _, err := b.db.Exec(fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion+1)); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = Open(path, Options{})
	if !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("Open of a newer schema: %v, want ErrSchemaTooNew", err)
	}
}

// TestOpen_whileAnotherWrites: opening, reading and writing while another
// connection holds the write lock wait for it instead of failing.
func TestOpen_whileAnotherWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vastal.db")
	a, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer checkClose(t, a)
	tx, err := a.db.Begin() // BEGIN IMMEDIATE: holds the write lock
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`INSERT INTO domains (id, name, status, created_at) VALUES ('dom_a', 'a.com', 'pending', 0)`); err != nil {
		t.Fatal(err)
	}

	b, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open while another connection writes: %v", err)
	}
	defer checkClose(t, b)
	c := &http.Client{Transport: Transport(b)}
	resp, err := c.Get("http://x/domains")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("read while another connection writes: %v %v", resp, err)
	}
	checkClose(t, resp.Body)

	done := make(chan error, 1)
	go func() {
		resp, err := c.Post("http://x/domains", "application/json", bytes.NewReader([]byte(`{"domain":"b.com"}`)))
		if err == nil {
			if resp.StatusCode != 201 {
				body, _ := io.ReadAll(resp.Body)
				err = fmt.Errorf("status %d: %s", resp.StatusCode, body)
			}
			err = errors.Join(err, resp.Body.Close())
		}
		done <- err
	}()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("write after the other transaction: %v", err)
	}
	if n := countRows(t, a, "domains"); n != 2 {
		t.Errorf("%d domains, want 2", n)
	}
}

// writeMany creates n domains named <prefix>-<i>.com through c, with a list
// and a verify between creates, and returns the first failure.
func writeMany(c *http.Client, prefix string, n int) error {
	for i := range n {
		resp, err := c.Post("http://x/domains", "application/json",
			bytes.NewReader(fmt.Appendf(nil, `{"domain":"%s-%d.com"}`, prefix, i)))
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(resp.Body)
		if err := resp.Body.Close(); err != nil {
			return err
		}
		if resp.StatusCode != 201 {
			return fmt.Errorf("create %s-%d.com: %d %s", prefix, i, resp.StatusCode, body)
		}
		if resp, err = c.Get("http://x/domains"); err != nil {
			return err
		}
		if err := resp.Body.Close(); err != nil {
			return err
		}
		if resp.StatusCode != 200 {
			return fmt.Errorf("list: %d", resp.StatusCode)
		}
	}
	return nil
}

// TestConcurrentBackends: two backends on one file (two provider processes)
// writing at once never see "database is locked".
func TestConcurrentBackends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vastal.db")
	var backends [2]*Backend
	for i := range backends {
		b, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = b.Close() })
		backends[i] = b
	}
	const workers, each = 8, 15
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		c := &http.Client{Transport: Transport(backends[w%2])}
		wg.Go(func() { errs <- writeMany(c, "w"+strconv.Itoa(w), each) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := countRows(t, backends[1], "domains"); n != workers*each {
		t.Errorf("%d domains, want %d", n, workers*each)
	}
}

const helperEnv = "VASTAL_BACKEND_TEST_HELPER"

// TestHelperProcess is not a test: TestConcurrentProcesses runs the test
// binary again with it to get a second and third process on the same file.
func TestHelperProcess(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("only a helper for TestConcurrentProcesses")
	}
	b, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer checkClose(t, b)
	if err := writeMany(&http.Client{Transport: Transport(b)}, os.Getenv(helperEnv+"_PREFIX"), 40); err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentProcesses: real processes sharing one file, all writing.
func TestConcurrentProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	path := filepath.Join(t.TempDir(), "vastal.db")
	var wg sync.WaitGroup
	errs := make([]error, 3)
	outs := make([][]byte, 3)
	for i := range 2 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), helperEnv+"="+path, helperEnv+"_PREFIX=p"+strconv.Itoa(i))
		wg.Go(func() { outs[i], errs[i] = cmd.CombinedOutput() })
	}
	wg.Go(func() {
		b, err := Open(path, Options{})
		if err != nil {
			errs[2] = err
			return
		}
		defer func() { errs[2] = errors.Join(errs[2], b.Close()) }()
		errs[2] = writeMany(&http.Client{Transport: Transport(b)}, "parent", 40)
	})
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("process %d: %v\n%s", i, err, outs[i])
		}
	}
	b, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer checkClose(t, b)
	if n := countRows(t, b, "domains"); n != 120 {
		t.Errorf("%d domains, want 120", n)
	}
}
