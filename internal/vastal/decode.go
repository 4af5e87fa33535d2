package vastal

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxResponseBytes bounds what the client reads from one response, so a
// misbehaving server or proxy cannot make the provider hold gigabytes.
const maxResponseBytes = 8 << 20

// rawEnvelope is the envelope with its data left undecoded, so that the
// shape of the envelope and the shape of the data are checked separately.
type rawEnvelope struct {
	Success *bool           `json:"success"`
	Data    json.RawMessage `json:"data"`
	Error   *ErrorBody      `json:"error"`
}

// decodeResponse turns one HTTP response into out (a pointer to the wire
// type expected) or an error. Whatever bytes the server sent, it returns an
// error rather than panicking; a non-nil error is always an *APIError.
func decodeResponse(method, path string, status int, header http.Header, body []byte, out any) error {
	fail := func(msg string) error {
		return &APIError{
			StatusCode: status, Method: method, Path: path,
			Message:    msg + describeBody(header, body),
			RetryAfter: retryAfter(status, header),
			malformed:  true,
		}
	}

	var env rawEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		if status >= 200 && status <= 299 {
			return fail("the response is not a Vastal API envelope (" + jsonProblem(err) + ")")
		}
		return fail("the response carries no Vastal API error")
	}
	if env.Success == nil {
		return fail("the response has no \"success\" member")
	}
	if !*env.Success || status < 200 || status > 299 {
		if env.Error == nil || env.Error.Code == "" {
			if *env.Success {
				return fail("the response claims success with a failure status")
			}
			return fail("the failure response has no error code")
		}
		if status >= 200 && status <= 299 {
			// A failure envelope under a success status is still the
			// server's verdict; report it as the error it names.
			return &APIError{
				StatusCode: status, Method: method, Path: path,
				Code: env.Error.Code, Message: env.Error.Message, Field: env.Error.Field,
			}
		}
		return &APIError{
			StatusCode: status, Method: method, Path: path,
			Code: env.Error.Code, Message: env.Error.Message, Field: env.Error.Field,
			RetryAfter: retryAfter(status, header),
		}
	}
	if out == nil {
		return nil
	}
	if len(env.Data) == 0 {
		return fail("the response has no \"data\" member")
	}
	if string(env.Data) == "null" && !isList(out) {
		return fail("the response data is null")
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		return fail("the response data has the wrong shape (" + jsonProblem(err) + ")")
	}
	if err := checkShape(out); err != nil {
		return fail("the response data has the wrong shape (" + err.Error() + ")")
	}
	return nil
}

func isList(out any) bool {
	switch out.(type) {
	case *[]Domain, *[]EmailAddress:
		return true
	}
	return false
}

// checkShape rejects data that decoded without error but cannot be what the
// server meant, such as {} for a domain: acting on an object without an ID
// would put garbage into Terraform state.
func checkShape(out any) error {
	switch v := out.(type) {
	case *Domain:
		return checkDomain(v)
	case *[]Domain:
		for i := range *v {
			if err := checkDomain(&(*v)[i]); err != nil {
				return fmt.Errorf("item %d: %w", i, err)
			}
		}
	case *EmailAddress:
		return checkEmail(v)
	case *[]EmailAddress:
		for i := range *v {
			if err := checkEmail(&(*v)[i]); err != nil {
				return fmt.Errorf("item %d: %w", i, err)
			}
		}
	case *Verification:
		if v.Status == "" {
			return errors.New("verification without a status")
		}
	case *Deleted:
		if !v.Deleted {
			return errors.New("the server did not confirm the deletion")
		}
	}
	return nil
}

func checkDomain(d *Domain) error {
	if d.ID == "" || d.Domain == "" {
		return errors.New("domain without an id or a name")
	}
	return nil
}

func checkEmail(e *EmailAddress) error {
	if e.ID == "" || e.Address == "" {
		return errors.New("address without an id or an address")
	}
	return nil
}

// jsonProblem describes a JSON error briefly; encoding/json messages can
// quote whole values.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return fmt.Sprintf("%s where %s %q was expected", typ.Value, typ.Type, typ.Field)
		}
		return fmt.Sprintf("%s where %s was expected", typ.Value, typ.Type)
	case strings.Contains(err.Error(), "unexpected end of JSON input"):
		return "truncated JSON"
	}
	return "invalid JSON"
}

// describeBody says what arrived instead of an envelope, so a user can tell a
// proxy's HTML page from an empty body.
func describeBody(header http.Header, body []byte) string {
	if len(body) == 0 {
		return "; the body is empty"
	}
	const maxPrefix = 64
	prefix := body
	if len(prefix) > maxPrefix {
		prefix = prefix[:maxPrefix]
	}
	for len(prefix) > 0 && !utf8.Valid(prefix) {
		prefix = prefix[:len(prefix)-1]
	}
	s := fmt.Sprintf("; %d bytes", len(body))
	if ct := header.Get("Content-Type"); ct != "" {
		s += " of " + strconv.Quote(ct)
	}
	s += " beginning " + strconv.Quote(string(prefix))
	return s
}

// retryAfter reads Retry-After (delay-seconds or an HTTP date) on the
// statuses where api.md or HTTP give it meaning.
func retryAfter(status int, header http.Header) time.Duration {
	if status != http.StatusTooManyRequests && status != http.StatusServiceUnavailable {
		return 0
	}
	v := strings.TrimSpace(header.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		const maxSeconds = int64(24 * time.Hour / time.Second)
		return time.Duration(min(n, maxSeconds)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d.Round(time.Second)
		}
	}
	return 0
}
