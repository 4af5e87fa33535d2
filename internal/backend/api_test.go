package backend

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

var (
	domainIDPattern = regexp.MustCompile(`^dom_[a-z0-9]+$`)
	emailIDPattern  = regexp.MustCompile(`^email_[a-z0-9]+$`)
)

func intPtr(i int) *int { return &i }

func TestDomains_lifecycle(t *testing.T) {
	forEachTransport(t, Options{}, func(t *testing.T, e *env) {
		created := e.createDomain("acme.com")
		if !domainIDPattern.MatchString(created.ID) {
			t.Errorf("ID %q does not match %s", created.ID, domainIDPattern)
		}
		want := vastal.Domain{
			ID: created.ID, Domain: "acme.com", Status: "pending", Type: "imported",
			CreatedAt: e.clock.Now(),
			DNSRecords: []vastal.DNSRecord{
				{Type: "MX", Name: "acme.com", Value: "mx.vastal.com", Priority: intPtr(10)},
				{Type: "TXT", Name: "acme.com", Value: "v=spf1 include:_spf.vastal.com ~all"},
				{Type: "CNAME", Name: "vsm1._domainkey.acme.com", Value: "vsm1.dkim.vastal.com"},
				{Type: "CNAME", Name: "vsm2._domainkey.acme.com", Value: "vsm2.dkim.vastal.com"},
			},
		}
		if diff := cmp.Diff(want, created); diff != "" {
			t.Errorf("created domain (-want +got):\n%s", diff)
		}

		// The wire form, byte for byte where the page shows it.
		raw := e.do("GET", "/domains/"+created.ID, "")
		for _, s := range []string{`"verified_at":null`, `"created_at":"2024-01-10T08:00:00Z"`, `"priority":10`,
			`{"type":"TXT","name":"acme.com","value":"v=spf1 include:_spf.vastal.com ~all"}`} {
			if !strings.Contains(string(raw.body), s) {
				t.Errorf("GET body %s lacks %s", raw.body, s)
			}
		}
		var got vastal.Domain
		raw.data(t, 200, &got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("GET domain (-want +got):\n%s", diff)
		}

		e.clock.Advance(time.Minute)
		second := e.createDomain("xn--bcher-kva.example")

		var list []vastal.Domain
		e.do("GET", "/domains", "").data(t, 200, &list)
		if len(list) != 2 || list[0].ID != created.ID || list[1].ID != second.ID {
			t.Fatalf("list is not oldest first: %+v", list)
		}
		for _, d := range list {
			if len(d.DNSRecords) != 4 {
				t.Errorf("list item %s has %d dns_records, want 4", d.Domain, len(d.DNSRecords))
			}
		}

		e.do("GET", "/domains?domain=xn--bcher-kva.example", "").data(t, 200, &list)
		if len(list) != 1 || list[0].ID != second.ID {
			t.Errorf("filter by name: %+v", list)
		}
		e.do("GET", "/domains?domain=ACME.com.", "").data(t, 200, &list)
		if len(list) != 1 || list[0].ID != created.ID {
			t.Errorf("filter by a non-canonical spelling: %+v", list)
		}
		r := e.do("GET", "/domains?domain=other.com", "")
		if string(r.body) != `{"success":true,"data":[]}` {
			t.Errorf("empty filter result %s, want an empty data array", r.body)
		}

		var del vastal.Deleted
		e.do("DELETE", "/domains/"+created.ID, "").data(t, 200, &del)
		if del != (vastal.Deleted{ID: created.ID, Deleted: true}) {
			t.Errorf("delete: %+v", del)
		}
		e.do("GET", "/domains/"+created.ID, "").failure(t, 404, vastal.CodeNotFound)
		e.do("DELETE", "/domains/"+created.ID, "").failure(t, 404, vastal.CodeNotFound)
		e.do("GET", "/domains", "").data(t, 200, &list)
		if len(list) != 1 {
			t.Errorf("after delete: %d domains, want 1", len(list))
		}
	})
}

func TestVerify_notFoundChecker(t *testing.T) {
	forEachTransport(t, Options{Checker: NotFoundChecker{}}, func(t *testing.T, e *env) {
		d := e.createDomain("acme.com")
		var v vastal.Verification
		e.do("GET", "/domains/"+d.ID+"/verify", "").data(t, 200, &v)
		wantIssues := []string{"MX record not found", "SPF record not found",
			"DKIM CNAME vsm1._domainkey not found", "DKIM CNAME vsm2._domainkey not found"}
		if diff := cmp.Diff(wantIssues, v.Issues); diff != "" {
			t.Errorf("issues (-want +got):\n%s", diff)
		}
		if v.AllVerified || v.MXVerified || v.SPFVerified || v.DKIMVerified || v.Status != "pending" {
			t.Errorf("verification claims success: %+v", v)
		}
		if len(v.Checks) != 4 || v.Checks[1].Expected != "include:_spf.vastal.com" || v.Checks[1].Type != "TXT" {
			t.Errorf("checks: %+v", v.Checks)
		}
		if len(v.Warnings) == 0 {
			t.Error("no warning says that no DNS server was asked")
		}
		if !strings.Contains(string(e.do("GET", "/domains/"+d.ID+"/verify", "").body), `"found":[]`) {
			t.Error(`an empty found is not sent as "found":[]`)
		}
	})
}

func TestVerify_checkerError(t *testing.T) {
	forEachTransport(t, Options{}, func(t *testing.T, e *env) {
		d := e.createDomain("acme.com")
		e.checker.fail(errors.New("all name servers unreachable"))
		eb := e.do("GET", "/domains/"+d.ID+"/verify", "").failure(t, 503, vastal.CodeUnavailable)
		if !strings.Contains(eb.Message, "acme.com") || !strings.Contains(eb.Message, "unreachable") {
			t.Errorf("message %q does not name the domain and the cause", eb.Message)
		}
		var got vastal.Domain
		e.do("GET", "/domains/"+d.ID, "").data(t, 200, &got)
		if got.Status != "pending" || got.VerifiedAt != nil {
			t.Errorf("a failed check changed the domain: %+v", got)
		}
	})
}

func TestVerify_missingDomain(t *testing.T) {
	forEachTransport(t, Options{}, func(t *testing.T, e *env) {
		e.do("GET", "/domains/dom_nope/verify", "").failure(t, 404, vastal.CodeNotFound)
		if e.checker.calls != 0 {
			t.Errorf("the checker was asked about a domain that does not exist")
		}
	})
}

// TestStatusMachine walks pending → failed after 72 h → active on a later
// successful verify → still active when a later verify fails.
func TestStatusMachine(t *testing.T) {
	forEachTransport(t, Options{}, func(t *testing.T, e *env) {
		d := e.createDomain("acme.com")
		get := func() vastal.Domain {
			t.Helper()
			var got vastal.Domain
			e.do("GET", "/domains/"+d.ID, "").data(t, 200, &got)
			return got
		}
		verify := func(pass ...string) vastal.Verification {
			t.Helper()
			e.checker.set(pass...)
			var v vastal.Verification
			e.do("GET", "/domains/"+d.ID+"/verify", "").data(t, 200, &v)
			return v
		}

		v := verify("mx", "spf")
		if v.Status != "pending" || !v.MXVerified || !v.SPFVerified || v.DKIMVerified || v.AllVerified {
			t.Fatalf("partial verify: %+v", v)
		}
		if diff := cmp.Diff([]string{"DKIM CNAME vsm1._domainkey not found", "DKIM CNAME vsm2._domainkey not found"}, v.Issues); diff != "" {
			t.Errorf("issues (-want +got):\n%s", diff)
		}
		if len(v.Checks[0].Servers) != 1 || v.Checks[0].Servers[0].State != "data" {
			t.Errorf("servers not passed through: %+v", v.Checks[0])
		}
		// Each DKIM record seen once, never all four at the same time.
		verify("dkim1")
		if got := get(); got.DNSConfigured || got.Status != "pending" {
			t.Errorf("dns_configured before dkim2 was ever seen: %+v", got)
		}
		verify("dkim2")
		got := get()
		if !got.DNSConfigured || got.Status != "pending" || got.MXVerified || got.DKIMVerified {
			t.Errorf("after every record was seen once: %+v", got)
		}

		e.clock.Advance(PendingTimeout - time.Second)
		if got := get(); got.Status != "pending" {
			t.Errorf("1 s before 72 h: status %q, want pending", got.Status)
		}
		e.clock.Advance(time.Second)
		if got := get(); got.Status != "failed" {
			t.Errorf("at 72 h: status %q, want failed", got.Status)
		}
		var list []vastal.Domain
		e.do("GET", "/domains", "").data(t, 200, &list)
		if list[0].Status != "failed" {
			t.Errorf("list: status %q, want failed", list[0].Status)
		}
		if v := verify("mx"); v.Status != "failed" {
			t.Errorf("failing verify on a failed domain: status %q", v.Status)
		}
		eb := e.do("POST", "/domains/"+d.ID+"/emails", `{"local_part":"sales"}`).failure(t, 422, vastal.CodeDomainNotVerified)
		if !strings.Contains(eb.Message, "acme.com") || !strings.Contains(eb.Message, "failed") {
			t.Errorf("422 message %q does not name the domain and its status", eb.Message)
		}

		e.clock.Advance(time.Hour)
		verifiedAt := e.clock.Now()
		if v := verify(allKeys...); v.Status != "active" || !v.AllVerified || len(v.Issues) != 0 {
			t.Fatalf("successful verify: %+v", v)
		}
		got = get()
		if got.Status != "active" || got.VerifiedAt == nil || !got.VerifiedAt.Equal(verifiedAt) {
			t.Fatalf("after success: %+v", got)
		}

		e.clock.Advance(time.Hour)
		if v := verify("mx"); v.Status != "active" || v.AllVerified || v.SPFVerified {
			t.Errorf("later failing verify: %+v", v)
		}
		got = get()
		if got.Status != "active" || got.SPFVerified || !got.MXVerified || !got.DNSConfigured || !got.VerifiedAt.Equal(verifiedAt) {
			t.Errorf("an active domain after a failing verify: %+v", got)
		}
		e.createEmail(d.ID, `{"local_part":"sales"}`)
	})
}

func TestEmails_lifecycle(t *testing.T) {
	forEachTransport(t, Options{}, func(t *testing.T, e *env) {
		d := e.activeDomain("acme.com")
		base := "/domains/" + d.ID + "/emails"

		var list []vastal.EmailAddress
		r := e.do("GET", base, "")
		if string(r.body) != `{"success":true,"data":[]}` {
			t.Errorf("empty list: %s", r.body)
		}

		hello := e.createEmail(d.ID, `{"local_part":"Hello","is_primary":true}`)
		if !emailIDPattern.MatchString(hello.ID) || hello.Address != "hello@acme.com" || !hello.IsPrimary ||
			!hello.CreatedAt.Equal(e.clock.Now()) {
			t.Errorf("created: %+v", hello)
		}
		e.clock.Advance(time.Second)
		support := e.createEmail(d.ID, `{"local_part":"support"}`)
		if support.IsPrimary {
			t.Errorf("is_primary defaults to true: %+v", support)
		}
		e.do("POST", base, `{"local_part":"HELLO"}`).failure(t, 409, vastal.CodeAddressExists)

		e.do("GET", base, "").data(t, 200, &list)
		if len(list) != 2 || list[0].ID != hello.ID || list[1].ID != support.ID {
			t.Fatalf("list is not oldest first: %+v", list)
		}

		// Creating a new primary demotes the old one.
		sales := e.createEmail(d.ID, `{"local_part":"sales","is_primary":true}`)
		primaries := func() []string {
			t.Helper()
			e.do("GET", base, "").data(t, 200, &list)
			var out []string
			for _, a := range list {
				if a.IsPrimary {
					out = append(out, a.Address)
				}
			}
			return out
		}
		if diff := cmp.Diff([]string{"sales@acme.com"}, primaries()); diff != "" {
			t.Errorf("primaries after creating sales (-want +got):\n%s", diff)
		}

		var got vastal.EmailAddress
		e.do("PATCH", base+"/"+support.ID, `{"is_primary":true}`).data(t, 200, &got)
		if !got.IsPrimary || got.ID != support.ID {
			t.Errorf("PATCH: %+v", got)
		}
		if diff := cmp.Diff([]string{"support@acme.com"}, primaries()); diff != "" {
			t.Errorf("primaries after PATCH (-want +got):\n%s", diff)
		}
		e.do("PATCH", base+"/"+support.ID, `{"is_primary":false}`).data(t, 200, &got)
		if got.IsPrimary || len(primaries()) != 0 {
			t.Errorf("PATCH false: %+v, primaries %v", got, primaries())
		}

		e.do("GET", base+"/"+sales.ID, "").data(t, 200, &got)
		if diff := cmp.Diff(sales.Address, got.Address); diff != "" || got.ID != sales.ID {
			t.Errorf("GET: %+v", got)
		}

		var del vastal.Deleted
		e.do("DELETE", base+"/"+sales.ID, "").data(t, 200, &del)
		if del != (vastal.Deleted{ID: sales.ID, Deleted: true}) {
			t.Errorf("delete: %+v", del)
		}
		e.do("GET", base+"/"+sales.ID, "").failure(t, 404, vastal.CodeNotFound)
		e.do("DELETE", base+"/"+sales.ID, "").failure(t, 404, vastal.CodeNotFound)

		// An address is reached only under its own domain.
		other := e.activeDomain("other.com")
		e.do("GET", "/domains/"+other.ID+"/emails/"+hello.ID, "").failure(t, 404, vastal.CodeNotFound)
		e.do("PATCH", "/domains/"+other.ID+"/emails/"+hello.ID, `{"is_primary":true}`).failure(t, 404, vastal.CodeNotFound)
		e.do("DELETE", "/domains/"+other.ID+"/emails/"+hello.ID, "").failure(t, 404, vastal.CodeNotFound)

		// Deleting the domain deletes its addresses.
		e.do("DELETE", "/domains/"+d.ID, "").data(t, 200, nil)
		e.do("GET", base, "").failure(t, 404, vastal.CodeNotFound)
		var n int
		if err := e.b.db.QueryRow(`SELECT count(*) FROM emails`).Scan(&n); err != nil || n != 0 {
			t.Errorf("addresses left after the domain was deleted: %d (%v)", n, err)
		}
	})
}

// TestErrors covers every row of the error table of api.md, and the
// transport-level errors, through both transports.
func TestErrors(t *testing.T) {
	type tc struct {
		opts    Options
		method  string
		path    string // "{dom}" is replaced by an active domain's ID, "{pending}" by a pending one's, "{email}" by an address
		body    string
		headers []string
		status  int
		code    string
		field   string
		msg     string // a part the message must contain
	}
	big := `{"domain":"` + strings.Repeat("a", MaxBodyBytes) + `.com"}`
	cases := map[string]tc{
		"malformed JSON":        {method: "POST", path: "/domains", body: `{"domain":`, status: 400, code: "invalid_request"},
		"empty body":            {method: "POST", path: "/domains", status: 400, code: "invalid_request"},
		"null body":             {method: "POST", path: "/domains", body: `null`, status: 400, code: "invalid_request"},
		"array body":            {method: "POST", path: "/domains", body: `["acme.com"]`, status: 400, code: "invalid_request"},
		"trailing data":         {method: "POST", path: "/domains", body: `{"domain":"acme.com"} {}`, status: 400, code: "invalid_request"},
		"trailing brace":        {method: "POST", path: "/domains", body: `{"domain":"acme.com"}}`, status: 400, code: "invalid_request"},
		"unknown field":         {method: "POST", path: "/domains", body: `{"domain":"acme.com","type":"imported"}`, status: 400, code: "invalid_request", field: "type", msg: `"type" is not known`},
		"field in another case": {method: "POST", path: "/domains", body: `{"Domain":"acme.com"}`, status: 400, code: "invalid_request", field: "Domain"},
		"missing domain":        {method: "POST", path: "/domains", body: `{}`, status: 400, code: "invalid_request", field: "domain"},
		"domain not a string":   {method: "POST", path: "/domains", body: `{"domain":42}`, status: 400, code: "invalid_request", field: "domain"},
		"domain upper case":     {method: "POST", path: "/domains", body: `{"domain":"ACME.com"}`, status: 400, code: "invalid_request", field: "domain", msg: `send it as "acme.com"`},
		"domain trailing dot":   {method: "POST", path: "/domains", body: `{"domain":"acme.com."}`, status: 400, code: "invalid_request", field: "domain"},
		"domain unicode":        {method: "POST", path: "/domains", body: `{"domain":"bücher.example"}`, status: 400, code: "invalid_request", field: "domain"},
		"domain single label":   {method: "POST", path: "/domains", body: `{"domain":"localhost"}`, status: 400, code: "invalid_request", field: "domain", msg: `"localhost" has a single label`},
		"domain bad filter":     {method: "GET", path: "/domains?domain=a..b", status: 400, code: "invalid_request", field: "domain"},
		"local part invalid":    {method: "POST", path: "/domains/{dom}/emails", body: `{"local_part":"a..b"}`, status: 400, code: "invalid_request", field: "local_part", msg: "two dots in a row"},
		"local part missing":    {method: "POST", path: "/domains/{dom}/emails", body: `{"is_primary":true}`, status: 400, code: "invalid_request", field: "local_part"},
		"is_primary not bool":   {method: "POST", path: "/domains/{dom}/emails", body: `{"local_part":"a","is_primary":"yes"}`, status: 400, code: "invalid_request", field: "is_primary"},
		"email unknown field":   {method: "POST", path: "/domains/{dom}/emails", body: `{"local_part":"a","address":"a@b.c"}`, status: 400, code: "invalid_request", field: "address"},
		"patch empty body":      {method: "PATCH", path: "/domains/{dom}/emails/{email}", status: 400, code: "invalid_request"},
		"patch empty object":    {method: "PATCH", path: "/domains/{dom}/emails/{email}", body: `{}`, status: 400, code: "invalid_request", field: "is_primary"},
		"patch null":            {method: "PATCH", path: "/domains/{dom}/emails/{email}", body: `{"is_primary":null}`, status: 400, code: "invalid_request", field: "is_primary"},
		"patch unknown field":   {method: "PATCH", path: "/domains/{dom}/emails/{email}", body: `{"is_primary":true,"local_part":"x"}`, status: 400, code: "invalid_request", field: "local_part"},
		"idempotency key long":  {method: "POST", path: "/domains", body: `{"domain":"acme.com"}`, headers: []string{"Idempotency-Key", strings.Repeat("k", 256)}, status: 400, code: "invalid_request", field: "Idempotency-Key"},
		"no key":                {opts: Options{APIKey: "s3cret"}, method: "GET", path: "/domains", status: 401, code: "unauthorized"},
		"wrong key":             {opts: Options{APIKey: "s3cret"}, method: "GET", path: "/domains", headers: []string{"Authorization", "Bearer s3cre"}, status: 401, code: "unauthorized"},
		"wrong scheme":          {opts: Options{APIKey: "s3cret"}, method: "GET", path: "/domains", headers: []string{"Authorization", "Basic s3cret"}, status: 401, code: "unauthorized"},
		"key on unknown route":  {opts: Options{APIKey: "s3cret"}, method: "GET", path: "/nope", status: 401, code: "unauthorized"},
		"plan required":         {opts: Options{PlanRequired: true}, method: "POST", path: "/domains", body: `{"domain":"acme.com"}`, status: 402, code: "plan_required"},
		"domain not found":      {method: "GET", path: "/domains/dom_missing", status: 404, code: "not_found"},
		"emails of missing":     {method: "GET", path: "/domains/dom_missing/emails", status: 404, code: "not_found"},
		"create on missing":     {method: "POST", path: "/domains/dom_missing/emails", body: `{"local_part":"a"}`, status: 404, code: "not_found"},
		"email not found":       {method: "GET", path: "/domains/{dom}/emails/email_missing", status: 404, code: "not_found"},
		"patch not found":       {method: "PATCH", path: "/domains/{dom}/emails/email_missing", body: `{"is_primary":true}`, status: 404, code: "not_found"},
		"unknown route":         {method: "GET", path: "/domain", status: 404, code: "not_found"},
		"unknown sub-route":     {method: "GET", path: "/domains/{dom}/dns", status: 404, code: "not_found"},
		"trailing slash":        {method: "GET", path: "/domains/", status: 404, code: "not_found"},
		"too deep":              {method: "GET", path: "/domains/{dom}/emails/{email}/x", status: 404, code: "not_found"},
		"domain exists":         {method: "POST", path: "/domains", body: `{"domain":"active.com"}`, status: 409, code: "domain_exists", field: "domain"},
		"address exists":        {method: "POST", path: "/domains/{dom}/emails", body: `{"local_part":"Taken"}`, status: 409, code: "address_exists", field: "local_part"},
		"idempotency conflict":  {method: "POST", path: "/domains", body: `{"domain":"new.com"}`, headers: []string{"Idempotency-Key", "used"}, status: 409, code: "idempotency_conflict", field: "Idempotency-Key"},
		"domain not verified":   {method: "POST", path: "/domains/{pending}/emails", body: `{"local_part":"a"}`, status: 422, code: "domain_not_verified", msg: "pending.com is pending"},
		"method on collection":  {method: "DELETE", path: "/domains", status: 405, code: "method_not_allowed"},
		"method on verify":      {method: "POST", path: "/domains/{dom}/verify", body: `{}`, status: 405, code: "method_not_allowed"},
		"patch a domain":        {method: "PATCH", path: "/domains/{dom}", body: `{}`, status: 405, code: "method_not_allowed"},
		"put an email":          {method: "PUT", path: "/domains/{dom}/emails/{email}", body: `{}`, status: 405, code: "method_not_allowed"},
		"too large":             {method: "POST", path: "/domains", body: big, status: 413, code: "request_too_large"},
		"too large on an email": {method: "PATCH", path: "/domains/{dom}/emails/{email}", body: big, status: 413, code: "request_too_large"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			forEachTransport(t, c.opts, func(t *testing.T, e *env) {
				auth := []string{}
				if c.opts.APIKey != "" && c.code != "unauthorized" {
					auth = []string{"Authorization", "Bearer " + c.opts.APIKey}
				}
				path := c.path
				if !c.opts.PlanRequired && c.opts.APIKey == "" {
					dom := e.activeDomain("active.com")
					pending := e.createDomain("pending.com")
					email := e.createEmail(dom.ID, `{"local_part":"taken"}`)
					e.do("POST", "/domains", `{"domain":"first.com"}`, "Idempotency-Key", "used").data(t, 201, nil)
					path = strings.NewReplacer("{dom}", dom.ID, "{pending}", pending.ID, "{email}", email.ID).Replace(path)
				}
				eb := e.do(c.method, path, c.body, append(auth, c.headers...)...).failure(t, c.status, c.code)
				if !strings.Contains(eb.Message, c.msg) {
					t.Errorf("message %q lacks %q", eb.Message, c.msg)
				}
				if eb.Field != c.field {
					t.Errorf("field %q, want %q (message %q)", eb.Field, c.field, eb.Message)
				}
			})
		})
	}
}

func TestErrors_allow(t *testing.T) {
	forEachTransport(t, Options{}, func(t *testing.T, e *env) {
		r := e.do("PUT", "/domains", `{}`)
		r.failure(t, 405, "method_not_allowed")
		if got := r.header.Get("Allow"); got != "GET, POST" {
			t.Errorf("Allow %q", got)
		}
	})
}

func TestErrors_unauthorizedThenAuthorized(t *testing.T) {
	forEachTransport(t, Options{APIKey: "s3cret"}, func(t *testing.T, e *env) {
		e.do("GET", "/domains", "").failure(t, 401, "unauthorized")
		e.do("GET", "/domains", "", "Authorization", "Bearer s3cret").data(t, 200, nil)
		e.do("GET", "/domains", "", "Authorization", "bearer s3cret").data(t, 200, nil)
	})
}

// TestErrors_internal: a failing database is a 500 internal that does not
// leak the cause, never a success.
func TestErrors_internal(t *testing.T) {
	forEachTransport(t, Options{}, func(t *testing.T, e *env) {
		if err := e.b.Close(); err != nil {
			t.Fatal(err)
		}
		eb := e.do("GET", "/domains", "").failure(t, 500, vastal.CodeInternal)
		if strings.Contains(eb.Message, "sql") {
			t.Errorf("message leaks the cause: %q", eb.Message)
		}
		e.do("POST", "/domains", `{"domain":"acme.com"}`).failure(t, 500, vastal.CodeInternal)
	})
}

func TestErrors_chunkedTooLarge(t *testing.T) {
	forEachTransport(t, Options{}, func(t *testing.T, e *env) {
		// No Content-Length: the limit must hold while reading.
		body := &unsizedReader{r: strings.NewReader(`{"domain":"` + strings.Repeat("a", MaxBodyBytes) + `"}`)}
		resp, err := e.client.Post(e.base+"/domains", "application/json", body)
		if err != nil {
			t.Fatal(err)
		}
		defer checkClose(t, resp.Body)
		var env map[string]json.RawMessage
		if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 413 || !strings.Contains(string(env["error"]), "request_too_large") {
			t.Errorf("status %d, body %v", resp.StatusCode, env)
		}
	})
}

type unsizedReader struct{ r *strings.Reader }

func (u *unsizedReader) Read(p []byte) (int, error) { return u.r.Read(p) }

func TestErrors_rateLimited(t *testing.T) {
	forEachTransport(t, Options{RateLimit: 2}, func(t *testing.T, e *env) {
		e.do("GET", "/domains", "").data(t, 200, nil)
		e.do("GET", "/domains", "").data(t, 200, nil)
		r := e.do("GET", "/domains", "")
		r.failure(t, 429, vastal.CodeRateLimited)
		if got := r.header.Get("Retry-After"); got != "1" {
			t.Errorf("Retry-After %q, want 1", got)
		}
		e.clock.Advance(time.Second)
		e.do("GET", "/domains", "").data(t, 200, nil)
	})
}
