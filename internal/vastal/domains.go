package vastal

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/vastal/terraform-provider-vastal/internal/names"
)

// ListDomains returns every domain of the organization, oldest first.
func (c *Client) ListDomains(ctx context.Context) ([]Domain, error) {
	var out []Domain
	if err := c.do(ctx, http.MethodGet, "/domains", nil, &out); err != nil {
		return nil, err
	}
	if out == nil {
		out = []Domain{}
	}
	return out, nil
}

// FindDomain returns the organization's domain called name (in any spelling
// names.Domain accepts), or an error matching ErrNotFound when there is none.
func (c *Client) FindDomain(ctx context.Context, name string) (*Domain, error) {
	canon, err := names.Domain(name)
	if err != nil {
		return nil, &RequestError{Method: http.MethodGet, Path: "/domains", Err: fmt.Errorf("%w: %w", ErrInvalidRequest, err)}
	}
	path := "/domains?" + url.Values{"domain": {canon}}.Encode()
	var out []Domain
	if err := c.do(ctx, http.MethodGet, path, nil, &out); err != nil {
		return nil, err
	}
	// The filter is an extension; checking the name keeps a server that
	// ignores it from handing back someone else's domain.
	for i := range out {
		if names.Equal(out[i].Domain, canon) {
			d := out[i]
			return &d, nil
		}
	}
	return nil, fmt.Errorf("GET %s: no domain %q in this organization: %w", path, canon, ErrNotFound)
}

// CreateDomain adds the domain called name (in any spelling names.Domain
// accepts). The POST carries an Idempotency-Key (see WithIdempotencyKey), so
// the retries it makes never create the domain twice.
func (c *Client) CreateDomain(ctx context.Context, name string) (*Domain, error) {
	canon, err := names.Domain(name)
	if err != nil {
		return nil, &RequestError{Method: http.MethodPost, Path: "/domains", Err: fmt.Errorf("%w: %w", ErrInvalidRequest, err)}
	}
	var out Domain
	if err := c.do(ctx, http.MethodPost, "/domains", CreateDomainRequest{Domain: canon}, &out); err != nil {
		return nil, err
	}
	c.invalidateDomain(out.ID)
	return &out, nil
}

// GetDomain returns the domain with the given ID. With CacheTTL set, reads
// of one domain within it share one request.
func (c *Client) GetDomain(ctx context.Context, id string) (*Domain, error) {
	path, err := domainPath(http.MethodGet, id, "")
	if err != nil {
		return nil, err
	}
	fetch := func(ctx context.Context) (any, error) {
		var out Domain
		if err := c.do(ctx, http.MethodGet, path, nil, &out); err != nil {
			return nil, err
		}
		return out, nil
	}
	var v any
	if c.cache != nil {
		v, err = c.cache.get(ctx, domainKey(id), fetch)
	} else {
		v, err = fetch(ctx)
	}
	if err != nil {
		return nil, err
	}
	got, ok := v.(Domain)
	if !ok {
		return nil, fmt.Errorf("vastal: the read cache holds a %T for domain %s, want Domain", v, id)
	}
	d := cloneDomain(got)
	return &d, nil
}

// VerifyDomain asks the API to check the domain's DNS now and returns the
// result; the domain's status changes with it.
func (c *Client) VerifyDomain(ctx context.Context, id string) (*Verification, error) {
	path, err := domainPath(http.MethodGet, id, "/verify")
	if err != nil {
		return nil, err
	}
	defer c.invalidateDomain(id)
	var out Verification
	if err := c.do(ctx, http.MethodGet, path, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteDomain deletes the domain and its addresses. A domain already gone
// is an error matching ErrNotFound, which a caller deleting it may treat as
// success.
func (c *Client) DeleteDomain(ctx context.Context, id string) error {
	path, err := domainPath(http.MethodDelete, id, "")
	if err != nil {
		return err
	}
	// Invalidated whatever the outcome: a failed call may still have
	// deleted it.
	defer c.invalidateDomain(id)
	return c.do(ctx, http.MethodDelete, path, nil, &Deleted{})
}

// domainPath returns /domains/{id}{suffix} with id escaped, refusing IDs
// that would address something else.
func domainPath(method, id, suffix string) (string, error) {
	if err := checkID("domain", id); err != nil {
		return "", &RequestError{Method: method, Path: "/domains/{id}" + suffix, Err: err}
	}
	return "/domains/" + url.PathEscape(id) + suffix, nil
}

func checkID(what, id string) error {
	switch id {
	case "":
		return fmt.Errorf("%w: the %s ID is empty", ErrInvalidRequest, what)
	case ".", "..":
		return fmt.Errorf("%w: %q is not a %s ID", ErrInvalidRequest, id, what)
	}
	return nil
}

// IsNotFound reports whether err means the domain or address does not exist.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
