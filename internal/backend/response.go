package backend

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

// MaxBodyBytes is the largest request body the backend reads; larger bodies
// are answered with 413 request_too_large.
const MaxBodyBytes = 1 << 20

// MaxIdempotencyKeyLen is the longest Idempotency-Key the backend accepts.
const MaxIdempotencyKeyLen = 255

// Error is a failure the API reports to the client: an HTTP status and the
// error object of the envelope. Handlers return it; anything else that goes
// wrong becomes 500 internal.
type Error struct {
	Status  int
	Code    string
	Message string
	Field   string
	// RetryAfter, when positive, is sent as the Retry-After header (seconds).
	RetryAfter int
}

// Error implements error.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%d %s (%s): %s", e.Status, e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message)
}

func apiErr(status int, code, field, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

func invalid(field, format string, args ...any) *Error {
	return apiErr(http.StatusBadRequest, vastal.CodeInvalidRequest, field, format, args...)
}

func notFound(format string, args ...any) *Error {
	return apiErr(http.StatusNotFound, vastal.CodeNotFound, "", format, args...)
}

// successEnvelope and failureEnvelope are written instead of vastal.Envelope
// because its Data is omitempty: an empty list must still be sent as "data": [].
type successEnvelope struct {
	Success bool `json:"success"`
	Data    any  `json:"data"`
}

type failureEnvelope struct {
	Success bool              `json:"success"`
	Error   *vastal.ErrorBody `json:"error"`
}

// response is a fully rendered answer: what is written, and what an
// idempotency record stores and replays byte for byte.
type response struct {
	status     int
	body       []byte
	retryAfter int
	replayed   bool
}

func success(status int, data any) (*response, error) {
	body, err := json.Marshal(successEnvelope{Success: true, Data: data})
	if err != nil {
		return nil, fmt.Errorf("encode response: %w", err)
	}
	return &response{status: status, body: body}, nil
}

func failure(e *Error) *response {
	body, err := json.Marshal(failureEnvelope{Error: &vastal.ErrorBody{Code: e.Code, Message: e.Message, Field: e.Field}})
	if err != nil {
		// Strings and ints always encode; this cannot happen.
		panic(err)
	}
	return &response{status: e.Status, body: body, retryAfter: e.RetryAfter}
}

// render turns a handler's outcome into a response: an *Error as itself,
// any other error as 500 internal without its text (which may name files).
func render(resp *response, err error) *response {
	if err == nil {
		return resp
	}
	var e *Error
	if errors.As(err, &e) {
		return failure(e)
	}
	return failure(apiErr(http.StatusInternalServerError, vastal.CodeInternal, "", "The server failed to handle the request; it is safe to retry."))
}

func (r *response) write(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(r.body)))
	h.Set("Cache-Control", "no-store")
	if r.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(r.retryAfter))
	}
	if r.replayed {
		h.Set("Idempotent-Replayed", "true")
	}
	w.WriteHeader(r.status)
	_, _ = w.Write(r.body)
}

// object parses a request body that must be one JSON object whose keys are
// all in allowed. Keys are matched exactly (encoding/json alone would accept
// any case and would not say which field was unknown).
func object(body []byte, allowed ...string) (map[string]json.RawMessage, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, invalid("", "The request body is empty; it must be a JSON object.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return nil, invalid("", "The request body is not valid JSON (%v).", err)
	}
	if len(bytes.TrimSpace(body[dec.InputOffset():])) != 0 {
		return nil, invalid("", "The request body has data after its JSON object.")
	}
	if raw[0] != '{' {
		return nil, invalid("", "The request body must be a JSON object.")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, invalid("", "The request body is not a valid JSON object (%v).", err)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(allowed, k) {
			return nil, invalid(k, "The field %q is not known; this request accepts only %s.", k, quoteList(allowed))
		}
	}
	return m, nil
}

func quoteList(s []string) string {
	out := ""
	for i, v := range s {
		switch {
		case i == 0:
		case i == len(s)-1:
			out += " and "
		default:
			out += ", "
		}
		out += strconv.Quote(v)
	}
	return out
}

func stringField(m map[string]json.RawMessage, name string, required bool) (string, error) {
	raw, ok := m[name]
	if !ok {
		if required {
			return "", invalid(name, "The field %q is required.", name)
		}
		return "", nil
	}
	var s *string
	if err := json.Unmarshal(raw, &s); err != nil || s == nil {
		return "", invalid(name, "The field %q must be a string.", name)
	}
	return *s, nil
}

func boolField(m map[string]json.RawMessage, name string, required bool) (bool, error) {
	raw, ok := m[name]
	if !ok {
		if required {
			return false, invalid(name, "The field %q is required.", name)
		}
		return false, nil
	}
	var b *bool
	if err := json.Unmarshal(raw, &b); err != nil || b == nil {
		return false, invalid(name, "The field %q must be true or false.", name)
	}
	return *b, nil
}

// reason is the part of a names error after its sentinel's text, which
// reads as the rest of a sentence: `"a..b" has two dots in a row`.
func reason(err, sentinel error) string {
	return strings.TrimSuffix(strings.TrimPrefix(err.Error(), sentinel.Error()+": "), ".")
}
