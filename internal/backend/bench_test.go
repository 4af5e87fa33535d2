package backend

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

func benchBackend(b *testing.B) *Backend {
	b.Helper()
	checker := &fakeChecker{}
	checker.set(allKeys...)
	be, err := Open(filepath.Join(b.TempDir(), "vastal.db"), Options{Checker: checker})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = be.Close() })
	return be
}

func serve(b *testing.B, h http.Handler, method, path, body string, want int) {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, r))
	if rec.Code != want {
		b.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
	}
}

func BenchmarkGetDomain(b *testing.B) {
	be := benchBackend(b)
	for i := range 100 {
		serve(b, be, "POST", "/domains", fmt.Sprintf(`{"domain":"d%d.com"}`, i), 201)
	}
	id := lastDomainID(b, be)
	path := "/domains/" + id
	b.ReportAllocs()
	for b.Loop() {
		serve(b, be, "GET", path, "", 200)
	}
}

func BenchmarkListEmails(b *testing.B) {
	be := benchBackend(b)
	serve(b, be, "POST", "/domains", `{"domain":"acme.com"}`, 201)
	id := lastDomainID(b, be)
	serve(b, be, "GET", "/domains/"+id+"/verify", "", 200)
	for i := range 50 {
		serve(b, be, "POST", "/domains/"+id+"/emails", fmt.Sprintf(`{"local_part":"user%d"}`, i), 201)
	}
	path := "/domains/" + id + "/emails"
	b.ReportAllocs()
	for b.Loop() {
		serve(b, be, "GET", path, "", 200)
	}
}

func BenchmarkCreateDomain(b *testing.B) {
	be := benchBackend(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		serve(b, be, "POST", "/domains", fmt.Sprintf(`{"domain":"d%d.com"}`, i), 201)
		i++
	}
}

// BenchmarkOpen is the cost each provider process pays to open an existing file.
func BenchmarkOpen(b *testing.B) {
	path := filepath.Join(b.TempDir(), "vastal.db")
	be, err := Open(path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	if err := be.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		be, err := Open(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := be.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

func lastDomainID(b *testing.B, be *Backend) string {
	var id string
	if err := be.db.QueryRow(`SELECT id FROM domains ORDER BY rowid DESC LIMIT 1`).Scan(&id); err != nil {
		b.Fatal(err)
	}
	return id
}
