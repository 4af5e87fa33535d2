package vastal

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/vastal/terraform-provider-vastal/internal/names"
)

// ListEmailAddresses returns every address of the domain, oldest first. With
// CacheTTL set, repeated and concurrent lists of one domain within it share
// one request.
func (c *Client) ListEmailAddresses(ctx context.Context, domainID string) ([]EmailAddress, error) {
	path, err := emailsPath(http.MethodGet, domainID)
	if err != nil {
		return nil, err
	}
	list, err := c.listEmails(ctx, domainID, path)
	if err != nil {
		return nil, err
	}
	return slices.Clone(list), nil
}

// listEmails returns the list, possibly shared with the cache: callers copy
// what they hand out.
func (c *Client) listEmails(ctx context.Context, domainID, path string) ([]EmailAddress, error) {
	fetch := func(ctx context.Context) (any, error) {
		var out []EmailAddress
		if err := c.do(ctx, http.MethodGet, path, nil, &out); err != nil {
			return nil, err
		}
		if out == nil {
			out = []EmailAddress{}
		}
		return out, nil
	}
	var (
		v   any
		err error
	)
	if c.cache != nil {
		v, err = c.cache.get(ctx, emailsKey(domainID), fetch)
	} else {
		v, err = fetch(ctx)
	}
	if err != nil {
		return nil, err
	}
	out, ok := v.([]EmailAddress)
	if !ok {
		return nil, fmt.Errorf("vastal: the read cache holds a %T for the addresses of %s, want []EmailAddress", v, domainID)
	}
	return out, nil
}

// CreateEmailAddress creates req.LocalPart@<domain> on an active domain (an
// inactive one is an error matching ErrNotVerified). Like CreateDomain it is
// retried safely under one Idempotency-Key.
func (c *Client) CreateEmailAddress(ctx context.Context, domainID string, req CreateEmailAddressRequest) (*EmailAddress, error) {
	path, err := emailsPath(http.MethodPost, domainID)
	if err != nil {
		return nil, err
	}
	local, err := names.LocalPart(req.LocalPart)
	if err != nil {
		return nil, &RequestError{Method: http.MethodPost, Path: path, Err: fmt.Errorf("%w: %w", ErrInvalidRequest, err)}
	}
	req.LocalPart = local
	defer c.invalidateEmails(domainID)
	var out EmailAddress
	if err := c.do(ctx, http.MethodPost, path, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetEmailAddress returns one address of the domain. With CacheTTL set it is
// answered from the domain's coalesced address list, so reading every
// address of a domain costs one request; only an address the list does not
// hold is asked for on its own.
func (c *Client) GetEmailAddress(ctx context.Context, domainID, emailID string) (*EmailAddress, error) {
	path, err := emailPath(http.MethodGet, domainID, emailID)
	if err != nil {
		return nil, err
	}
	if c.cache != nil {
		listPath, _ := emailsPath(http.MethodGet, domainID) // domainID was checked above
		list, err := c.listEmails(ctx, domainID, listPath)
		if err != nil {
			return nil, err
		}
		for _, e := range list {
			if e.ID == emailID {
				return &e, nil
			}
		}
	}
	var out EmailAddress
	if err := c.do(ctx, http.MethodGet, path, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateEmailAddress changes an address; making it primary makes the
// domain's previous primary non-primary.
func (c *Client) UpdateEmailAddress(ctx context.Context, domainID, emailID string, req UpdateEmailAddressRequest) (*EmailAddress, error) {
	path, err := emailPath(http.MethodPatch, domainID, emailID)
	if err != nil {
		return nil, err
	}
	defer c.invalidateEmails(domainID)
	var out EmailAddress
	if err := c.do(ctx, http.MethodPatch, path, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteEmailAddress deletes an address. One already gone is an error
// matching ErrNotFound, which a caller deleting it may treat as success.
func (c *Client) DeleteEmailAddress(ctx context.Context, domainID, emailID string) error {
	path, err := emailPath(http.MethodDelete, domainID, emailID)
	if err != nil {
		return err
	}
	defer c.invalidateEmails(domainID)
	return c.do(ctx, http.MethodDelete, path, nil, &Deleted{})
}

// emailsPath returns /domains/{id}/emails with the ID escaped.
func emailsPath(method, domainID string) (string, error) {
	return domainPath(method, domainID, "/emails")
}

// emailPath returns /domains/{id}/emails/{email_id} with the IDs escaped.
func emailPath(method, domainID, emailID string) (string, error) {
	p, err := emailsPath(method, domainID)
	if err != nil {
		return "", err
	}
	if err := checkID("email address", emailID); err != nil {
		return "", &RequestError{Method: method, Path: p + "/{email_id}", Err: err}
	}
	return p + "/" + url.PathEscape(emailID), nil
}
