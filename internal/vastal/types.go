package vastal

import "time"

// Domain statuses.
const (
	StatusPending = "pending"
	StatusActive  = "active"
	StatusFailed  = "failed"
)

// Domain is a custom sending domain as the API returns it.
type Domain struct {
	ID            string      `json:"id"`
	Domain        string      `json:"domain"`
	Status        string      `json:"status"`
	Type          string      `json:"type"`
	DNSConfigured bool        `json:"dns_configured"`
	MXVerified    bool        `json:"mx_verified"`
	SPFVerified   bool        `json:"spf_verified"`
	DKIMVerified  bool        `json:"dkim_verified"`
	VerifiedAt    *time.Time  `json:"verified_at"`
	CreatedAt     time.Time   `json:"created_at"`
	DNSRecords    []DNSRecord `json:"dns_records"`
}

// DNSRecord is one record a domain needs in its DNS.
type DNSRecord struct {
	Type     string `json:"type"`
	Name     string `json:"name"`
	Value    string `json:"value"`
	Priority *int   `json:"priority,omitempty"`
}

// Verification is the result of GET /domains/{id}/verify.
type Verification struct {
	MXVerified   bool     `json:"mx_verified"`
	SPFVerified  bool     `json:"spf_verified"`
	DKIMVerified bool     `json:"dkim_verified"`
	AllVerified  bool     `json:"all_verified"`
	Status       string   `json:"status"`
	Issues       []string `json:"issues,omitempty"`
	Checks       []Check  `json:"checks,omitempty"`
	// Warnings is an extension of api.md: servers excluded from the
	// verdict (lame, unreachable) and other notes that do not block it.
	Warnings []string `json:"warnings,omitempty"`
}

// Check is the verdict on one required record (an extension of the page).
type Check struct {
	Type     string   `json:"type"`
	Name     string   `json:"name"`
	Expected string   `json:"expected"`
	Found    []string `json:"found"`
	Verified bool     `json:"verified"`
	Issue    string   `json:"issue,omitempty"`
	// Servers is an extension of api.md: what each authoritative server
	// answered, so a diagnosis can say which server is behind.
	Servers []ServerAnswer `json:"servers,omitempty"`
}

// ServerAnswer is what one authoritative server answered for one record.
type ServerAnswer struct {
	Server string   `json:"server"`
	State  string   `json:"state"`
	Found  []string `json:"found,omitempty"`
}

// EmailAddress is an address on a domain.
type EmailAddress struct {
	ID        string    `json:"id"`
	Address   string    `json:"address"`
	IsPrimary bool      `json:"is_primary"`
	CreatedAt time.Time `json:"created_at"`
}

// CreateDomainRequest is the body of POST /domains.
type CreateDomainRequest struct {
	Domain string `json:"domain"`
}

// CreateEmailAddressRequest is the body of POST /domains/{id}/emails.
type CreateEmailAddressRequest struct {
	LocalPart string `json:"local_part"`
	IsPrimary bool   `json:"is_primary"`
}

// UpdateEmailAddressRequest is the body of PATCH /domains/{id}/emails/{email_id}.
type UpdateEmailAddressRequest struct {
	IsPrimary *bool `json:"is_primary,omitempty"`
}

// Deleted is the body of a successful DELETE.
type Deleted struct {
	ID      string `json:"id"`
	Deleted bool   `json:"deleted"`
}

// Envelope wraps every response body.
type Envelope[T any] struct {
	Success bool       `json:"success"`
	Data    T          `json:"data,omitempty"`
	Error   *ErrorBody `json:"error,omitempty"`
}

// ErrorBody is the error object of a failed response.
type ErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// Error codes of api.md.
const (
	CodeInvalidRequest      = "invalid_request"
	CodeUnauthorized        = "unauthorized"
	CodePlanRequired        = "plan_required"
	CodeNotFound            = "not_found"
	CodeDomainExists        = "domain_exists"
	CodeAddressExists       = "address_exists"
	CodeIdempotencyConflict = "idempotency_conflict"
	CodeDomainNotVerified   = "domain_not_verified"
	CodeRateLimited         = "rate_limited"
	CodeInternal            = "internal"
	CodeUnavailable         = "unavailable"
	CodeTooLarge            = "request_too_large"
)
