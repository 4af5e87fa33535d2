package vastal

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestDecodeResponse(t *testing.T) {
	const domainJSON = `{"id":"dom_1","domain":"acme.com","status":"pending","type":"imported","created_at":"2024-01-10T08:00:00Z","verified_at":null,"dns_records":[{"type":"MX","name":"acme.com","value":"mx.vastal.com","priority":10}]}`
	tests := map[string]struct {
		status  int
		ctype   string
		body    string
		wantErr []error // every one must match; nil means success
		code    string
	}{
		"domain":                 {status: 200, body: `{"success":true,"data":` + domainJSON + `}`},
		"unknown fields kept":    {status: 200, body: `{"success":true,"data":` + strings.Replace(domainJSON, `"id"`, `"new":1,"id"`, 1) + `,"extra":true}`},
		"html from a proxy":      {status: 502, ctype: "text/html", body: `<html><body>Bad Gateway</body></html>`, wantErr: []error{ErrServer, ErrMalformedResponse}},
		"html with 200":          {status: 200, ctype: "text/html", body: `<html>login</html>`, wantErr: []error{ErrMalformedResponse}},
		"empty 200":              {status: 200, wantErr: []error{ErrMalformedResponse}},
		"truncated":              {status: 200, body: `{"success":true,"data":{"id":"dom_1"`, wantErr: []error{ErrMalformedResponse}},
		"no success member":      {status: 200, body: `{"data":` + domainJSON + `}`, wantErr: []error{ErrMalformedResponse}},
		"data null":              {status: 200, body: `{"success":true,"data":null}`, wantErr: []error{ErrMalformedResponse}},
		"data missing":           {status: 200, body: `{"success":true}`, wantErr: []error{ErrMalformedResponse}},
		"data wrong type":        {status: 200, body: `{"success":true,"data":[1,2]}`, wantErr: []error{ErrMalformedResponse}},
		"data empty object":      {status: 200, body: `{"success":true,"data":{}}`, wantErr: []error{ErrMalformedResponse}},
		"field wrong type":       {status: 200, body: `{"success":true,"data":{"id":5}}`, wantErr: []error{ErrMalformedResponse}},
		"trailing garbage":       {status: 200, body: `{"success":true,"data":` + domainJSON + `}xyz`, wantErr: []error{ErrMalformedResponse}},
		"success with 500":       {status: 500, body: `{"success":true,"data":` + domainJSON + `}`, wantErr: []error{ErrServer, ErrMalformedResponse}},
		"failure without code":   {status: 400, body: `{"success":false,"error":{}}`, wantErr: []error{ErrInvalidRequest, ErrMalformedResponse}},
		"not found":              {status: 404, body: `{"success":false,"error":{"code":"not_found","message":"No such domain."}}`, wantErr: []error{ErrNotFound}, code: CodeNotFound},
		"failure under 200":      {status: 200, body: `{"success":false,"error":{"code":"domain_exists","message":"x"}}`, wantErr: []error{ErrConflict}, code: CodeDomainExists},
		"unknown code by status": {status: 404, body: `{"success":false,"error":{"code":"gone_fishing","message":"x"}}`, wantErr: []error{ErrNotFound}, code: "gone_fishing"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			h := http.Header{}
			if tc.ctype != "" {
				h.Set("Content-Type", tc.ctype)
			}
			var d Domain
			err := decodeResponse("GET", "/domains/dom_1", tc.status, h, []byte(tc.body), &d)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("decode: %v", err)
				}
				if d.ID != "dom_1" || d.Domain != "acme.com" || d.VerifiedAt != nil || len(d.DNSRecords) != 1 || *d.DNSRecords[0].Priority != 10 {
					t.Fatalf("decoded %+v", d)
				}
				return
			}
			if err == nil {
				t.Fatal("decode succeeded, want an error")
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %T is not an *APIError", err)
			}
			if apiErr.StatusCode != tc.status || apiErr.Code != tc.code {
				t.Errorf("status, code = %d, %q; want %d, %q", apiErr.StatusCode, apiErr.Code, tc.status, tc.code)
			}
			for _, want := range tc.wantErr {
				if !errors.Is(err, want) {
					t.Errorf("error %q does not match %v", err, want)
				}
			}
			if !strings.HasPrefix(err.Error(), "GET /domains/dom_1: ") {
				t.Errorf("error %q does not start with the request", err)
			}
		})
	}
}

func TestDecodeResponse_lists(t *testing.T) {
	var list []EmailAddress
	if err := decodeResponse("GET", "/x", 200, nil, []byte(`{"success":true,"data":null}`), &list); err != nil || list != nil {
		t.Fatalf("null list: %v, %v", list, err)
	}
	err := decodeResponse("GET", "/x", 200, nil, []byte(`{"success":true,"data":[{"id":"email_1","address":"a@b.c"},{}]}`), &list)
	if !errors.Is(err, ErrMalformedResponse) || !strings.Contains(err.Error(), "item 1") {
		t.Fatalf("list with an empty item: %v", err)
	}
	var del Deleted
	if err := decodeResponse("DELETE", "/x", 200, nil, []byte(`{"success":true,"data":{"id":"dom_1","deleted":false}}`), &del); !errors.Is(err, ErrMalformedResponse) {
		t.Fatalf("unconfirmed delete: %v", err)
	}
}

func TestRetryAfter(t *testing.T) {
	h := func(v string) http.Header { return http.Header{"Retry-After": {v}} }
	tests := map[string]struct {
		status int
		header http.Header
		want   time.Duration
	}{
		"seconds":          {429, h("7"), 7 * time.Second},
		"on 503":           {503, h("2"), 2 * time.Second},
		"ignored on 500":   {500, h("2"), 0},
		"negative":         {429, h("-3"), 0},
		"garbage":          {429, h("soon"), 0},
		"absurd is capped": {429, h("99999999999"), 24 * time.Hour},
		"date in the past": {429, h("Mon, 02 Jan 2006 15:04:05 GMT"), 0},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := retryAfter(tc.status, tc.header); got != tc.want {
				t.Errorf("retryAfter = %v, want %v", got, tc.want)
			}
		})
	}
	future := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	if got := retryAfter(429, h(future)); got < 58*time.Minute || got > time.Hour {
		t.Errorf("retryAfter(HTTP date an hour ahead) = %v", got)
	}
}

// FuzzDecodeResponse feeds arbitrary bytes and statuses to the decoder: it
// must never panic, must return an *APIError whenever it fails, and may
// succeed only for a 2xx status with a well-formed domain.
func FuzzDecodeResponse(f *testing.F) {
	f.Add(200, []byte(`{"success":true,"data":{"id":"dom_1","domain":"acme.com","status":"pending"}}`))
	f.Add(404, []byte(`{"success":false,"error":{"code":"not_found","message":"No such domain."}}`))
	f.Add(502, []byte(`<html><body>502 Bad Gateway</body></html>`))
	f.Add(200, []byte(`{"success":true,"data":`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		h := http.Header{"Content-Type": {"application/json"}}
		var d Domain
		err := decodeResponse("GET", "/domains/x", status, h, body, &d)
		if err == nil {
			if status < 200 || status > 299 {
				t.Fatalf("status %d decoded as success", status)
			}
			if d.ID == "" || d.Domain == "" {
				t.Fatalf("success without a usable domain: %+v", d)
			}
		} else {
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %T is not an *APIError", err)
			}
			_ = err.Error()
		}
		var list []EmailAddress
		if err := decodeResponse("GET", "/x", status, h, body, &list); err == nil {
			for _, e := range list {
				if e.ID == "" {
					t.Fatalf("list item without an id: %+v", list)
				}
			}
		}
		var v Verification
		_ = decodeResponse("GET", "/x", status, h, body, &v)
	})
}

// BenchmarkDecode decodes a list of 100 domains, the largest response a
// refresh reads routinely.
func BenchmarkDecode(b *testing.B) {
	const one = `{"id":"dom_%03d","domain":"d%03d.example.com","status":"active","type":"imported","dns_configured":true,"mx_verified":true,"spf_verified":true,"dkim_verified":true,"verified_at":"2024-01-15T10:30:00Z","created_at":"2024-01-10T08:00:00Z","dns_records":[{"type":"MX","name":"d.example.com","value":"mx.vastal.com","priority":10},{"type":"TXT","name":"d.example.com","value":"v=spf1 include:_spf.vastal.com ~all"},{"type":"CNAME","name":"vsm1._domainkey.d.example.com","value":"vsm1.dkim.vastal.com"},{"type":"CNAME","name":"vsm2._domainkey.d.example.com","value":"vsm2.dkim.vastal.com"}]}`
	var sb strings.Builder
	sb.WriteString(`{"success":true,"data":[`)
	for i := range 100 {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, one, i, i)
	}
	sb.WriteString(`]}`)
	body := []byte(sb.String())
	h := http.Header{"Content-Type": {"application/json"}}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var out []Domain
		if err := decodeResponse("GET", "/domains", 200, h, body, &out); err != nil || len(out) != 100 {
			b.Fatalf("%d domains, %v", len(out), err)
		}
	}
}
