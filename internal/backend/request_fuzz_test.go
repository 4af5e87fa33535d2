package backend

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

// FuzzRequest: whatever body, path and Idempotency-Key a client sends, the
// backend answers with a well-formed envelope and never a 500: a bad request
// is the client's error (4xx, with the field at fault when there is one).
func FuzzRequest(f *testing.F) {
	checker := &fakeChecker{}
	checker.set(allKeys...)
	b, err := Open(filepath.Join(f.TempDir(), "fuzz.db"), Options{Checker: checker})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = b.Close() })
	c, err := vastal.New(vastal.Config{BaseURL: "http://127.0.0.1", Transport: Transport(b)})
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	d, err := c.CreateDomain(ctx, "fuzz.test")
	if err != nil {
		f.Fatal(err)
	}
	if _, err := c.VerifyDomain(ctx, d.ID); err != nil {
		f.Fatal(err)
	}
	a, err := c.CreateEmailAddress(ctx, d.ID, vastal.CreateEmailAddressRequest{LocalPart: "hello"})
	if err != nil {
		f.Fatal(err)
	}
	targets := []struct{ method, path string }{
		{http.MethodPost, "/domains"},
		{http.MethodPost, "/domains/" + d.ID + "/emails"},
		{http.MethodPatch, "/domains/" + d.ID + "/emails/" + a.ID},
		{http.MethodGet, "/domains"},
	}
	for i, body := range []string{`{"domain":"a.test"}`, `{"domain":"A.test","x":1}`, `{"domain":1}`, `[]`, `null`, `{"domain":"a.test"}{}`,
		`{"local_part":"x","is_primary":true}`, `{"local_part":"x.","is_primary":"yes"}`, `{"is_primary":false}`, `{"is_primary":null}`,
		"\xff", `{"domain":"\u0000.test"}`, `{"domain":"` + string(bytes.Repeat([]byte("a"), 300)) + `.test"}`} {
		f.Add(uint8(i), body, "", "")
	}
	f.Add(uint8(0), `{"domain":"k.test"}`, "key-1", "")
	f.Add(uint8(3), "", "", "domain=Fuzz.Test")
	f.Fuzz(func(t *testing.T, target uint8, body, idemKey, query string) {
		tg := targets[int(target)%len(targets)]
		req := httptest.NewRequest(tg.method, "http://127.0.0.1"+tg.path, bytes.NewReader([]byte(body)))
		req.URL.RawQuery = query
		if idemKey != "" {
			req.Header["Idempotency-Key"] = []string{idemKey}
		}
		rec := httptest.NewRecorder()
		b.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s?%s with %q: status %d: %s", tg.method, tg.path, query, body, rec.Code, rec.Body.String())
		}
		var env struct {
			Success *bool             `json:"success"`
			Data    json.RawMessage   `json:"data"`
			Error   *vastal.ErrorBody `json:"error"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || env.Success == nil {
			t.Fatalf("status %d with a body that is no envelope (%v): %q", rec.Code, err, rec.Body.String())
		}
		if *env.Success != (rec.Code < 300) {
			t.Fatalf("status %d with success %t", rec.Code, *env.Success)
		}
		if !*env.Success && (env.Error == nil || env.Error.Code == "" || env.Error.Message == "") {
			t.Fatalf("status %d without an error code and message: %q", rec.Code, rec.Body.String())
		}
	})
}
