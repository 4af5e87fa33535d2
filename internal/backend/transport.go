package backend

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// ErrHandlerPanic is returned by a Transport's RoundTrip when the handler
// panicked: to the client it looks like a dropped connection, as it would
// from a real server.
var ErrHandlerPanic = errors.New("the in-process handler panicked")

// Transport returns an http.RoundTripper that serves each request with h
// in-process, without sockets. It behaves like a network transport: the
// handler sees a server-side request, the request body is consumed and
// closed, the response has a Body, and a done req.Context() ends RoundTrip
// with the context's error.
func Transport(h http.Handler) http.RoundTripper {
	return &transport{h: h}
}

type transport struct{ h http.Handler }

type roundTrip struct {
	resp *http.Response
	err  error
}

// RoundTrip implements http.RoundTripper.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	closeBody := func() {
		if req.Body != nil {
			_ = req.Body.Close()
		}
	}
	if req.URL == nil {
		closeBody()
		return nil, errors.New("backend transport: the request has no URL")
	}
	if err := ctx.Err(); err != nil {
		closeBody()
		return nil, err
	}

	sreq := serverRequest(req)
	done := make(chan roundTrip, 1)
	go func() {
		var rt roundTrip
		// The body is closed here, after the handler is done with it and
		// before RoundTrip returns, not by RoundTrip: closing a body another
		// goroutine reads is a race.
		defer func() {
			if p := recover(); p != nil {
				rt = roundTrip{err: fmt.Errorf("%w: %v", ErrHandlerPanic, p)}
			}
			closeBody()
			done <- rt
		}()
		rec := &recorder{header: http.Header{}}
		t.h.ServeHTTP(rec, sreq)
		rt = roundTrip{resp: rec.result(req)}
	}()
	select {
	case rt := <-done:
		return rt.resp, rt.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// serverRequest is req as a server's handler would receive it: a URL of
// path and query only, RequestURI, Host and RemoteAddr set, never a nil Body.
func serverRequest(req *http.Request) *http.Request {
	s := req.Clone(req.Context())
	s.URL = &url.URL{Path: req.URL.Path, RawPath: req.URL.RawPath, RawQuery: req.URL.RawQuery}
	s.RequestURI = s.URL.RequestURI()
	if s.Host == "" {
		s.Host = req.URL.Host
	}
	s.RemoteAddr = "127.0.0.1:0"
	s.Proto, s.ProtoMajor, s.ProtoMinor = "HTTP/1.1", 1, 1
	s.Close = false
	if req.Body == nil {
		s.Body = http.NoBody
		s.ContentLength = 0
	} else {
		// Keep the caller's Close from reaching the handler twice.
		s.Body = io.NopCloser(req.Body)
	}
	return s
}

// recorder is a minimal http.ResponseWriter that keeps what the handler
// wrote; headers are frozen at WriteHeader, as on the wire.
type recorder struct {
	header  http.Header
	sent    http.Header
	status  int
	body    bytes.Buffer
	written bool
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.written {
		return
	}
	// 1xx are informational and are not the final status.
	if code >= 100 && code < 200 {
		return
	}
	r.written = true
	r.status = code
	r.sent = r.header.Clone()
}

func (r *recorder) Write(p []byte) (int, error) {
	if !r.written {
		r.WriteHeader(http.StatusOK)
	}
	return r.body.Write(p)
}

func (r *recorder) result(req *http.Request) *http.Response {
	if !r.written {
		r.WriteHeader(http.StatusOK)
	}
	h := r.sent
	body := r.body.Bytes()
	if req.Method == http.MethodHead {
		body = nil
	}
	if h.Get("Content-Length") == "" {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	if h.Get("Content-Type") == "" && len(body) > 0 {
		h.Set("Content-Type", http.DetectContentType(body))
	}
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", r.status, http.StatusText(r.status)),
		StatusCode:    r.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: contentLength(h),
		Request:       req,
	}
}

func contentLength(h http.Header) int64 {
	n, err := strconv.ParseInt(h.Get("Content-Length"), 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}
