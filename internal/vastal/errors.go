package vastal

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Sentinel errors. An *APIError matches them through errors.Is, by its error
// code first and by its HTTP status when the code is missing or unknown.
var (
	// ErrNotFound means no such domain or address (404 not_found).
	ErrNotFound = errors.New("not found")
	// ErrConflict means the domain or address already exists (409 domain_exists, address_exists).
	ErrConflict = errors.New("already exists")
	// ErrIdempotencyConflict means an Idempotency-Key was reused with another body (409 idempotency_conflict).
	ErrIdempotencyConflict = errors.New("idempotency key reused with a different request")
	// ErrNotVerified means the domain is not active yet (422 domain_not_verified).
	ErrNotVerified = errors.New("domain not verified")
	// ErrPlanRequired means the organization's plan does not include custom domains (402 plan_required).
	ErrPlanRequired = errors.New("plan required")
	// ErrUnauthorized means the API key is missing or not valid (401 unauthorized).
	ErrUnauthorized = errors.New("unauthorized")
	// ErrRateLimited means too many requests (429 rate_limited).
	ErrRateLimited = errors.New("rate limited")
	// ErrInvalidRequest means the request was refused as malformed or invalid (400
	// invalid_request, 413), or the client refused to send it.
	ErrInvalidRequest = errors.New("invalid request")
	// ErrServer means a server-side failure (any 5xx).
	ErrServer = errors.New("server error")
	// ErrMalformedResponse means the server answered with something that is not
	// an api.md envelope of the expected shape (garbage, HTML from a proxy,
	// a truncated or oversized body, the wrong JSON shape).
	ErrMalformedResponse = errors.New("malformed response")
)

// APIError is a failure response of the API, or a response the client could
// not read as one.
type APIError struct {
	// StatusCode is the HTTP status of the response.
	StatusCode int
	// Code is the api.md error code (such as "domain_exists"); empty when the
	// response carried no error envelope.
	Code string
	// Message is the server's sentence for a human, or the client's
	// description of an unreadable response.
	Message string
	// Field names the request field at fault, when the server named one.
	Field string
	// RetryAfter is the wait the server asked for (Retry-After), if any.
	RetryAfter time.Duration
	// Method and Path identify the request ("POST", "/domains").
	Method, Path string
	// Attempts is how many times the request was sent before this answer
	// was returned; more than one means retries ran out.
	Attempts int

	// malformed marks a response that was not an api.md envelope.
	malformed bool
}

// Error reads like "POST /domains: 409 domain_exists: <message>", which is
// what a Terraform diagnostic shows after its own explanation.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d ", e.Method, e.Path, e.StatusCode)
	if e.Code != "" {
		b.WriteString(e.Code)
	} else if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteString(t)
	} else {
		b.WriteString("unexpected status")
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, " (field %q)", e.Field)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (server asked to retry after %s)", e.RetryAfter)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (gave up after %d attempts)", e.Attempts)
	}
	return b.String()
}

// Is matches the package's sentinel errors.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.Code == CodeNotFound || e.unknownCode() && e.StatusCode == http.StatusNotFound
	case ErrConflict:
		return e.Code == CodeDomainExists || e.Code == CodeAddressExists ||
			e.unknownCode() && e.StatusCode == http.StatusConflict
	case ErrIdempotencyConflict:
		return e.Code == CodeIdempotencyConflict
	case ErrNotVerified:
		return e.Code == CodeDomainNotVerified
	case ErrPlanRequired:
		return e.Code == CodePlanRequired || e.unknownCode() && e.StatusCode == http.StatusPaymentRequired
	case ErrUnauthorized:
		return e.Code == CodeUnauthorized || e.unknownCode() && e.StatusCode == http.StatusUnauthorized
	case ErrRateLimited:
		return e.Code == CodeRateLimited || e.StatusCode == http.StatusTooManyRequests
	case ErrInvalidRequest:
		return e.Code == CodeInvalidRequest || e.Code == CodeTooLarge ||
			e.unknownCode() && (e.StatusCode == http.StatusBadRequest || e.StatusCode == http.StatusRequestEntityTooLarge)
	case ErrServer:
		return e.StatusCode >= 500 && e.StatusCode <= 599
	case ErrMalformedResponse:
		return e.malformed
	}
	return false
}

// unknownCode reports whether the status, rather than the code, should
// classify the error: a proxy or an older server may answer without one.
func (e *APIError) unknownCode() bool {
	switch e.Code {
	case CodeInvalidRequest, CodeUnauthorized, CodePlanRequired, CodeNotFound, CodeDomainExists,
		CodeAddressExists, CodeIdempotencyConflict, CodeDomainNotVerified, CodeRateLimited,
		CodeInternal, CodeUnavailable, CodeTooLarge:
		return false
	}
	return true
}

// RequestError is a request that got no usable HTTP response: the
// connection failed (reset, refused, EOF) on every attempt, the transport
// refused the request, or the context ended while retrying.
type RequestError struct {
	// Method and Path identify the request ("GET", "/domains").
	Method, Path string
	// Attempts is how many times the request was sent.
	Attempts int
	// Err is the last underlying error.
	Err error
	// Last is the last error before the context ended a wait between
	// retries; nil otherwise.
	Last error
}

// Error says what was attempted, how often, and the last cause.
func (e *RequestError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: ", e.Method, e.Path)
	switch {
	case e.Attempts > 1:
		fmt.Fprintf(&b, "request failed after %d attempts: ", e.Attempts)
	case e.Attempts == 0:
		b.WriteString("request not sent: ")
	}
	b.WriteString(e.Err.Error())
	if e.Last != nil {
		b.WriteString(" (last failure: ")
		b.WriteString(e.Last.Error())
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns the last underlying error and, when the context ended a
// wait, the failure that caused the wait, so errors.Is sees both.
func (e *RequestError) Unwrap() []error {
	if e.Last != nil {
		return []error{e.Err, e.Last}
	}
	return []error{e.Err}
}
