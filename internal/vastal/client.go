// Package vastal is the Go client of the Vastal Domains API (api.md) and the
// one definition of its wire types. The same client speaks HTTPS to the
// hosted service and, through an http.RoundTripper, to the embedded backend.
package vastal

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Defaults of Config.
const (
	DefaultBaseURL    = "https://api.vastal.com"
	DefaultUserAgent  = "terraform-provider-vastal"
	DefaultMaxRetries = 6
	DefaultMaxWait    = 2 * time.Minute
	DefaultBaseDelay  = 250 * time.Millisecond
)

// maxBackoff caps one exponential backoff step (Retry-After may ask for more).
const maxBackoff = 30 * time.Second

// Config configures a Client. The zero value of each field selects its default.
type Config struct {
	// BaseURL is where the API's paths hang off; default DefaultBaseURL.
	// It must be https, or http on a loopback host (127.0.0.0/8, ::1,
	// localhost), which is also what an in-process Transport should use.
	BaseURL string
	// APIKey is sent only as "Authorization: Bearer ..."; it never appears
	// in logs or errors. Empty sends no Authorization header.
	APIKey string
	// Transport carries the requests; default a clone of
	// http.DefaultTransport (TLS verification always on).
	Transport http.RoundTripper
	// UserAgent is the User-Agent header, such as
	// "terraform-provider-vastal/1.2.3"; default DefaultUserAgent.
	UserAgent string
	// MaxRetries bounds the retries of one call (attempts = MaxRetries+1);
	// default DefaultMaxRetries; negative disables retries.
	MaxRetries int
	// MaxWait caps the total time spent retrying one call; default DefaultMaxWait.
	MaxWait time.Duration
	// BaseDelay is the first backoff; default DefaultBaseDelay.
	BaseDelay time.Duration
	// CacheTTL is the read coalescing window: repeated and concurrent reads
	// of one domain's addresses (and of one domain) within it are served by
	// one request. Zero disables coalescing.
	CacheTTL time.Duration
}

// Client calls the Vastal Domains API. It is safe for concurrent use.
type Client struct {
	baseURL    string
	apiKey     string
	userAgent  string
	http       *http.Client
	maxRetries int
	maxWait    time.Duration
	baseDelay  time.Duration
	cache      *readCache // nil when coalescing is off
}

// New validates cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	base, err := checkBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if strings.ContainsFunc(cfg.APIKey, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		// The key itself stays out of the message.
		return nil, errors.New("vastal: the API key contains control characters (a stray newline?)")
	}
	if cfg.MaxWait < 0 || cfg.BaseDelay < 0 || cfg.CacheTTL < 0 {
		return nil, errors.New("vastal: MaxWait, BaseDelay and CacheTTL must not be negative")
	}
	c := &Client{
		baseURL:    base,
		apiKey:     cfg.APIKey,
		userAgent:  cfg.UserAgent,
		maxRetries: cfg.MaxRetries,
		maxWait:    cfg.MaxWait,
		baseDelay:  cfg.BaseDelay,
	}
	if c.userAgent == "" {
		c.userAgent = DefaultUserAgent
	}
	switch {
	case c.maxRetries == 0:
		c.maxRetries = DefaultMaxRetries
	case c.maxRetries < 0:
		c.maxRetries = 0
	}
	if c.maxWait == 0 {
		c.maxWait = DefaultMaxWait
	}
	if c.baseDelay == 0 {
		c.baseDelay = DefaultBaseDelay
	}
	rt := cfg.Transport
	if rt == nil {
		dt, ok := http.DefaultTransport.(*http.Transport)
		if !ok {
			return nil, fmt.Errorf("vastal: http.DefaultTransport is a %T, not an *http.Transport; set Config.Transport", http.DefaultTransport)
		}
		t := dt.Clone()
		t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		rt = t
	}
	c.http = &http.Client{
		Transport: rt,
		// The API never redirects; following one could turn a POST into a
		// GET or send the key somewhere else.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	if cfg.CacheTTL > 0 {
		c.cache = newReadCache(cfg.CacheTTL, time.Now)
	}
	return c, nil
}

// ValidateBaseURL reports why raw cannot be the client's BaseURL, or nil:
// https, or plain http only for loopback hosts, with a host and no
// credentials, query or fragment. New applies the same rule.
func ValidateBaseURL(raw string) error {
	_, err := checkBaseURL(raw)
	return err
}

// checkBaseURL returns the base URL without a trailing slash, or an error
// that says why it cannot be used.
func checkBaseURL(raw string) (string, error) {
	if raw == "" {
		raw = DefaultBaseURL
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("vastal: base URL %q is not a URL: %w", raw, err)
	}
	if u.Host == "" || u.Hostname() == "" {
		return "", fmt.Errorf("vastal: base URL %q has no host; write it like %s", raw, DefaultBaseURL)
	}
	if u.User != nil {
		return "", fmt.Errorf("vastal: base URL %q carries credentials; give the API key in the api key setting instead", u.Redacted())
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("vastal: base URL %q has a query or fragment; give only scheme, host and path", raw)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return "", fmt.Errorf("vastal: base URL %q uses plain http, which would send the API key unencrypted; "+
				"use https (plain http is allowed only for loopback hosts such as 127.0.0.1, ::1 or localhost)", raw)
		}
	default:
		return "", fmt.Errorf("vastal: base URL %q has the scheme %q; use https", raw, u.Scheme)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// call is one logical API call, which may take several attempts.
type call struct {
	method string
	path   string // escaped path, with its query
	body   []byte // nil when there is none; re-sent intact on every attempt
	idemp  string // Idempotency-Key of a POST
}

// do performs one logical call with retries and decodes the data into out.
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	cl := call{method: method, path: path}
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return &RequestError{Method: method, Path: path, Err: fmt.Errorf("%w: encoding the request: %w", ErrInvalidRequest, err)}
		}
		cl.body = b
	}
	if method == http.MethodPost {
		key, err := idempotencyKey(ctx)
		if err != nil {
			return &RequestError{Method: method, Path: path, Err: err}
		}
		cl.idemp = key
	}
	if c.apiKey != "" {
		ctx = tflog.MaskAllFieldValuesStrings(ctx, c.apiKey)
		ctx = tflog.MaskMessageStrings(ctx, c.apiKey)
	}
	return c.redact(c.retry(ctx, cl, out))
}

// retry sends cl until it succeeds, fails for good, or the retry budget or
// ctx runs out.
func (c *Client) retry(ctx context.Context, cl call, out any) error {
	start := time.Now()
	var last error
	for attempt := 1; ; attempt++ {
		wait, err := c.attempt(ctx, cl, attempt, out)
		if err == nil {
			return nil
		}
		if wait < 0 {
			if reqErr, ok := err.(*RequestError); ok && last != nil && ctx.Err() != nil && reqErr.Last == nil {
				// Cancelled mid-request after earlier failures: say what
				// they were, not only that the caller gave up.
				reqErr.Last = last
			}
			return finalError(cl, attempt, err)
		}
		last = err
		if attempt > c.maxRetries {
			return finalError(cl, attempt, last)
		}
		if wait == 0 {
			wait = backoff(c.baseDelay, attempt)
		}
		if time.Since(start)+wait > c.maxWait {
			return finalError(cl, attempt, last)
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return finalError(cl, attempt, last)
		}
		tflog.Debug(ctx, "Retrying Vastal API request", map[string]any{
			"method": cl.method, "path": cl.path, "attempt": attempt, "wait": wait.String(), "error": last.Error(),
		})
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return &RequestError{Method: cl.method, Path: cl.path, Attempts: attempt, Err: ctx.Err(), Last: last}
		case <-t.C:
		}
	}
}

// finalError attaches the number of attempts to the error that ends a call.
func finalError(cl call, attempts int, err error) error {
	// A type switch, not errors.As: a RequestError may wrap an APIError as
	// its Last, and it is the RequestError that ends the call.
	switch e := err.(type) {
	case *APIError:
		e.Attempts = attempts
		return e
	case *RequestError:
		return e
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		// url.Error repeats the method and full URL, which the
		// RequestError says better.
		err = urlErr.Err
	}
	return &RequestError{Method: cl.method, Path: cl.path, Attempts: attempts, Err: err}
}

// attempt sends cl once. It returns a nil error on success; otherwise how
// long to wait before retrying and the error. The wait is 0 for the default
// backoff, a positive duration the server asked for, or -1 when the error is
// final.
func (c *Client) attempt(ctx context.Context, cl call, n int, out any) (time.Duration, error) {
	var body io.Reader
	if cl.body != nil {
		// bytes.Reader lets http.NewRequest set GetBody, so the transport
		// can also replay the body on its own connection-level retries.
		body = bytes.NewReader(cl.body)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, c.baseURL+cl.path, body)
	if err != nil {
		return -1, &RequestError{Method: cl.method, Path: cl.path, Err: fmt.Errorf("%w: building the request: %w", ErrInvalidRequest, err)}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if cl.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.apiKey)
	}
	if cl.idemp != "" {
		req.Header.Set("Idempotency-Key", cl.idemp)
	}

	began := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		c.log(ctx, cl, n, 0, time.Since(began), err)
		if ctx.Err() != nil || !transient(err) {
			return -1, finalError(cl, n, err)
		}
		return 0, err
	}
	data, readErr := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	_ = resp.Body.Close()
	c.log(ctx, cl, n, resp.StatusCode, time.Since(began), readErr)
	if readErr != nil {
		// The body broke off mid-way (reset, EOF): a transport failure,
		// unless the caller gave up.
		if ctx.Err() != nil || !transient(readErr) {
			return -1, finalError(cl, n, readErr)
		}
		return 0, readErr
	}
	if len(data) > maxResponseBytes {
		return -1, &APIError{
			StatusCode: resp.StatusCode, Method: cl.method, Path: cl.path, Attempts: n, malformed: true,
			Message: fmt.Sprintf("the response is larger than %d MiB", maxResponseBytes>>20),
		}
	}
	err = decodeResponse(cl.method, cl.path, resp.StatusCode, resp.Header, data, out)
	if err == nil {
		return 0, nil
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) && retryableStatus(apiErr.StatusCode) {
		if apiErr.RetryAfter > 0 {
			return apiErr.RetryAfter, err
		}
		return 0, err
	}
	if errors.As(err, &apiErr) {
		apiErr.Attempts = n
	}
	return -1, err
}

func retryableStatus(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500 && status <= 599
}

// log records one attempt. The API key is masked by the ctx set up in do,
// and never put into a field in the first place.
func (c *Client) log(ctx context.Context, cl call, attempt, status int, d time.Duration, err error) {
	fields := map[string]any{
		"method":   cl.method,
		"path":     cl.path,
		"status":   status,
		"attempt":  attempt,
		"duration": d.String(),
	}
	if err != nil {
		fields["error"] = err.Error()
	}
	tflog.Debug(ctx, "Vastal API request", fields)
}

// redact removes the API key from any text that came from the server or
// the transport, in case one of them echoed it.
func (c *Client) redact(err error) error {
	if err == nil || c.apiKey == "" {
		return err
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		apiErr.Message = strings.ReplaceAll(apiErr.Message, c.apiKey, "***")
		apiErr.Field = strings.ReplaceAll(apiErr.Field, c.apiKey, "***")
		apiErr.Code = strings.ReplaceAll(apiErr.Code, c.apiKey, "***")
	}
	if strings.Contains(err.Error(), c.apiKey) {
		return &redactedError{msg: strings.ReplaceAll(err.Error(), c.apiKey, "***"), err: err}
	}
	return err
}

// redactedError keeps the wrapped chain for errors.Is and errors.As but
// shows a message without the API key.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
