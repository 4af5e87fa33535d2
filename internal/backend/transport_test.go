package backend

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

type trackedBody struct {
	io.Reader
	closed atomic.Int32
}

func (b *trackedBody) Close() error {
	b.closed.Add(1)
	return nil
}

func TestTransport_serverRequest(t *testing.T) {
	var seen *http.Request
	var body string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r
		b, _ := io.ReadAll(r.Body)
		body = string(b)
		w.Header().Set("X-Before", "1")
		w.WriteHeader(http.StatusCreated)
		w.Header().Set("X-After", "1") // too late, as on the wire
		_, _ = io.WriteString(w, "hello")
	})
	tb := &trackedBody{Reader: strings.NewReader("ping")}
	req, _ := http.NewRequest("POST", "http://api.example/domains/dom_1/emails?x=1", tb)
	resp, err := Transport(h).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	checkClose(t, resp.Body)
	if resp.StatusCode != 201 || resp.Status != "201 Created" || string(got) != "hello" || resp.ContentLength != 5 || resp.Request != req {
		t.Errorf("response %+v body %q", resp, got)
	}
	if resp.Header.Get("X-Before") != "1" || resp.Header.Get("X-After") != "" {
		t.Errorf("headers %v", resp.Header)
	}
	if body != "ping" || tb.closed.Load() != 1 {
		t.Errorf("handler read %q; body closed %d times, want once", body, tb.closed.Load())
	}
	if seen.RequestURI != "/domains/dom_1/emails?x=1" || seen.URL.Host != "" || seen.Host != "api.example" ||
		seen.RemoteAddr == "" || seen.URL.Query().Get("x") != "1" {
		t.Errorf("server request: URI %q URL %v Host %q RemoteAddr %q", seen.RequestURI, seen.URL, seen.Host, seen.RemoteAddr)
	}
}

func TestTransport_nilBody(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil {
			t.Error("the handler got a nil Body")
			return
		}
		_, _ = io.ReadAll(r.Body)
	})
	req, _ := http.NewRequest("GET", "http://x/", nil)
	resp, err := Transport(h).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	checkClose(t, resp.Body)
	if resp.StatusCode != 200 || resp.Body == nil {
		t.Errorf("implicit status %d", resp.StatusCode)
	}
}

// TestTransport_context: a done context ends RoundTrip at once, before and
// while the handler runs, and the handler sees the cancellation.
func TestTransport_context(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	handlerSawCancel := make(chan struct{})
	calls := atomic.Int32{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		close(started)
		<-r.Context().Done()
		close(handlerSawCancel)
		<-release
	})
	tr := Transport(h)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://x/", nil)
	if _, err := tr.RoundTrip(req); !errors.Is(err, context.Canceled) {
		t.Errorf("already cancelled: %v", err)
	}
	if calls.Load() != 0 {
		t.Error("the handler ran for a cancelled request")
	}

	ctx, cancel = context.WithCancel(context.Background())
	tb := &trackedBody{Reader: strings.NewReader("x")}
	req, _ = http.NewRequestWithContext(ctx, "POST", "http://x/", tb)
	errc := make(chan error, 1)
	go func() {
		_, err := tr.RoundTrip(req)
		errc <- err
	}()
	<-started
	cancel()
	// RoundTrip returns although the handler has not: it waits on release.
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled in flight: %v", err)
	}
	<-handlerSawCancel
	if tb.closed.Load() != 0 {
		t.Error("the body was closed while the handler could still read it")
	}
	close(release)
}

func TestTransport_panic(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	tb := &trackedBody{Reader: strings.NewReader("x")}
	req, _ := http.NewRequest("POST", "http://x/", tb)
	_, err := Transport(h).RoundTrip(req)
	if !errors.Is(err, ErrHandlerPanic) || !strings.Contains(err.Error(), "boom") {
		t.Errorf("err %v", err)
	}
	if tb.closed.Load() != 1 {
		t.Error("the request body was not closed")
	}
}

// TestTransport_client: through http.Client, as internal/vastal uses it.
func TestTransport_client(t *testing.T) {
	e := newEnv(t, "transport", Options{})
	r := e.do("HEAD", "/domains", "")
	if r.status != 405 || len(r.body) != 0 {
		t.Errorf("HEAD: %d with %d body bytes", r.status, len(r.body))
	}
}
