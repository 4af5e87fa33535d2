package provider_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/vastal/terraform-provider-vastal/internal/acctest"
	"github.com/vastal/terraform-provider-vastal/internal/backend"
	"github.com/vastal/terraform-provider-vastal/internal/dnscheck"
	"github.com/vastal/terraform-provider-vastal/internal/provider"
	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

// Resource identity needs Terraform 1.12+, which this machine lacks, so the
// CLI-driven TestAccResourceIdentity_everyResource never runs here. These
// tests speak the plugin protocol to the provider server directly, sending
// what Terraform 1.12 sends (identity schemas, PriorIdentity/PlannedIdentity,
// CurrentIdentity, import by identity) and comparing the identities the
// provider returns with exact values. They prove the provider and the
// framework's identity handling, not Terraform's storage of identities.

// providerConfigType is the provider schema written out by hand; the test
// checks it against GetProviderSchema, so a schema change fails here first.
var providerConfigType = tftypes.Object{AttributeTypes: map[string]tftypes.Type{
	"api_key":  tftypes.String,
	"endpoint": tftypes.String,
	"embedded": tftypes.Object{AttributeTypes: map[string]tftypes.Type{"path": tftypes.String}},
	"dns": tftypes.Object{AttributeTypes: map[string]tftypes.Type{
		"resolvers":   tftypes.List{ElementType: tftypes.String},
		"nameservers": tftypes.List{ElementType: tftypes.String},
		"timeout":     tftypes.String,
	}},
}}

// protoProvider is one provider process, as Terraform starts one per command.
type protoProvider struct {
	t        *testing.T
	srv      tfprotov6.ProviderServer
	types    map[string]tftypes.Type // resource state types, from GetProviderSchema
	idTypes  map[string]tftypes.Type // identity types, from GetResourceIdentitySchemas
	idSchema map[string]*tfprotov6.ResourceIdentitySchema
}

// startProvider serves a fresh provider, reads its schemas and configures it
// with the embedded backend at dbPath and DNS checks against nameserver.
func startProvider(t *testing.T, dbPath, nameserver string) *protoProvider {
	t.Helper()
	ctx := context.Background()
	srv, err := providerserver.NewProtocol6WithError(provider.New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	p := &protoProvider{t: t, srv: srv, types: map[string]tftypes.Type{}, idTypes: map[string]tftypes.Type{}}

	schemas, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	p.noErrors("GetProviderSchema", schemas.Diagnostics)
	if got := schemas.Provider.ValueType(); !got.Equal(providerConfigType) {
		t.Fatalf("provider schema type = %s, want %s", got, providerConfigType)
	}
	for name, s := range schemas.ResourceSchemas {
		p.types[name] = s.ValueType()
	}

	ids, err := srv.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		t.Fatal(err)
	}
	p.noErrors("GetResourceIdentitySchemas", ids.Diagnostics)
	p.idSchema = ids.IdentitySchemas
	for name, s := range ids.IdentitySchemas {
		p.idTypes[name] = s.ValueType()
	}

	cfg := tftypes.NewValue(providerConfigType, map[string]tftypes.Value{
		"api_key":  tftypes.NewValue(tftypes.String, nil),
		"endpoint": tftypes.NewValue(tftypes.String, nil),
		"embedded": tftypes.NewValue(providerConfigType.AttributeTypes["embedded"], map[string]tftypes.Value{
			"path": tftypes.NewValue(tftypes.String, dbPath),
		}),
		"dns": tftypes.NewValue(providerConfigType.AttributeTypes["dns"], map[string]tftypes.Value{
			"resolvers": tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, nil),
			"nameservers": tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, []tftypes.Value{
				tftypes.NewValue(tftypes.String, nameserver),
			}),
			"timeout": tftypes.NewValue(tftypes.String, "2s"),
		}),
	})
	conf, err := srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{
		TerraformVersion: "1.12.0",
		Config:           p.dv(providerConfigType, cfg),
	})
	if err != nil {
		t.Fatal(err)
	}
	p.noErrors("ConfigureProvider", conf.Diagnostics)
	return p
}

func (p *protoProvider) noErrors(call string, diags []*tfprotov6.Diagnostic) {
	p.t.Helper()
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			p.t.Fatalf("%s: error diagnostic: %s: %s", call, d.Summary, d.Detail)
		}
	}
}

func (p *protoProvider) dv(typ tftypes.Type, v tftypes.Value) *tfprotov6.DynamicValue {
	p.t.Helper()
	d, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		p.t.Fatal(err)
	}
	return &d
}

// object builds a value of the resource's state type: the given attributes,
// every other one null (as in a configuration that leaves them unset).
func (p *protoProvider) object(typeName string, attrs map[string]tftypes.Value) tftypes.Value {
	p.t.Helper()
	typ, ok := p.types[typeName].(tftypes.Object)
	if !ok {
		p.t.Fatalf("no resource schema for %s", typeName)
	}
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	for name, v := range attrs {
		if _, ok := typ.AttributeTypes[name]; !ok {
			p.t.Fatalf("%s has no attribute %q", typeName, name)
		}
		vals[name] = v
	}
	return tftypes.NewValue(typ, vals)
}

// identity builds the exact identity value a resource should report.
func (p *protoProvider) identity(typeName string, attrs map[string]string) *tfprotov6.ResourceIdentityData {
	p.t.Helper()
	typ, ok := p.idTypes[typeName]
	if !ok {
		p.t.Fatalf("no identity schema for %s", typeName)
	}
	vals := map[string]tftypes.Value{}
	for k, v := range attrs {
		vals[k] = tftypes.NewValue(tftypes.String, v)
	}
	return &tfprotov6.ResourceIdentityData{IdentityData: p.dv(typ, tftypes.NewValue(typ, vals))}
}

// checkIdentity fails unless got is exactly want.
func (p *protoProvider) checkIdentity(call, typeName string, got *tfprotov6.ResourceIdentityData, want map[string]string) {
	p.t.Helper()
	if got == nil || got.IdentityData == nil {
		p.t.Fatalf("%s %s: no identity returned, want %v", call, typeName, want)
	}
	typ := p.idTypes[typeName]
	gv, err := got.IdentityData.Unmarshal(typ)
	if err != nil {
		p.t.Fatalf("%s %s: identity: %v", call, typeName, err)
	}
	wv, err := p.identity(typeName, want).IdentityData.Unmarshal(typ)
	if err != nil {
		p.t.Fatal(err)
	}
	if !gv.Equal(wv) {
		p.t.Fatalf("%s %s: identity = %s, want %s", call, typeName, gv, wv)
	}
}

// state decodes a state and returns its string attributes (null ones absent)
// and whether it is null.
func (p *protoProvider) state(typeName string, d *tfprotov6.DynamicValue) (map[string]string, bool) {
	p.t.Helper()
	if d == nil {
		return nil, true
	}
	v, err := d.Unmarshal(p.types[typeName])
	if err != nil {
		p.t.Fatal(err)
	}
	if v.IsNull() {
		return nil, true
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		p.t.Fatal(err)
	}
	out := map[string]string{}
	for name, a := range attrs {
		if !a.Type().Is(tftypes.String) || !a.IsKnown() || a.IsNull() {
			continue
		}
		var s string
		if err := a.As(&s); err != nil {
			p.t.Fatal(err)
		}
		out[name] = s
	}
	return out, false
}

// create plans and applies a new resource from config, as terraform apply
// does, and returns the new state and identity.
func (p *protoProvider) create(typeName string, config tftypes.Value) (*tfprotov6.DynamicValue, *tfprotov6.ResourceIdentityData) {
	p.t.Helper()
	ctx := context.Background()
	typ := p.types[typeName]
	null := p.dv(typ, tftypes.NewValue(typ, nil))
	cfg := p.dv(typ, config)
	plan, err := p.srv.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName:           typeName,
		PriorState:         null,
		ProposedNewState:   cfg, // with no prior state, the proposed new state is the configuration
		Config:             cfg,
		ClientCapabilities: &tfprotov6.PlanResourceChangeClientCapabilities{},
	})
	if err != nil {
		p.t.Fatal(err)
	}
	p.noErrors("PlanResourceChange "+typeName, plan.Diagnostics)
	apply, err := p.srv.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
		TypeName:        typeName,
		PriorState:      null,
		PlannedState:    plan.PlannedState,
		Config:          cfg,
		PlannedPrivate:  plan.PlannedPrivate,
		PlannedIdentity: plan.PlannedIdentity,
	})
	if err != nil {
		p.t.Fatal(err)
	}
	p.noErrors("ApplyResourceChange "+typeName, apply.Diagnostics)
	return apply.NewState, apply.NewIdentity
}

func (p *protoProvider) read(typeName string, state *tfprotov6.DynamicValue, identity *tfprotov6.ResourceIdentityData) *tfprotov6.ReadResourceResponse {
	p.t.Helper()
	resp, err := p.srv.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{
		TypeName:           typeName,
		CurrentState:       state,
		CurrentIdentity:    identity,
		ClientCapabilities: &tfprotov6.ReadResourceClientCapabilities{},
	})
	if err != nil {
		p.t.Fatal(err)
	}
	p.noErrors("ReadResource "+typeName, resp.Diagnostics)
	return resp
}

// importBy imports by identity (an import block with identity = {...}) when
// identity is set, else by the ID string, and returns the one imported resource.
func (p *protoProvider) importBy(typeName, id string, identity *tfprotov6.ResourceIdentityData) *tfprotov6.ImportedResource {
	p.t.Helper()
	resp, err := p.srv.ImportResourceState(context.Background(), &tfprotov6.ImportResourceStateRequest{
		TypeName:           typeName,
		ID:                 id,
		Identity:           identity,
		ClientCapabilities: &tfprotov6.ImportResourceStateClientCapabilities{},
	})
	if err != nil {
		p.t.Fatal(err)
	}
	p.noErrors(fmt.Sprintf("ImportResourceState %s (id %q)", typeName, id), resp.Diagnostics)
	if len(resp.ImportedResources) != 1 || resp.ImportedResources[0].TypeName != typeName {
		p.t.Fatalf("ImportResourceState %s: imported %d resources", typeName, len(resp.ImportedResources))
	}
	return resp.ImportedResources[0]
}

func str(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

// checkAttrs fails unless every wanted attribute has the wanted value.
func checkAttrs(t *testing.T, what string, got map[string]string, want map[string]string) {
	t.Helper()
	for k, w := range want {
		if got[k] != w {
			t.Fatalf("%s: %s = %q, want %q (state %v)", what, k, got[k], w, got)
		}
	}
}

func TestProtocolIdentity_schemas(t *testing.T) {
	clearVastalEnv(t)
	srv, _ := acctest.DNSZone(t, "schema.test")
	p := startProvider(t, filepath.Join(t.TempDir(), "embedded.db"), srv.Addr)

	want := map[string][]string{
		"vastal_domain":              {"id"},
		"vastal_domain_verification": {"domain_id"},
		"vastal_email_address":       {"domain_id", "id"},
	}
	var names []string
	for name := range p.idSchema {
		names = append(names, name)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"vastal_domain", "vastal_domain_verification", "vastal_email_address"}) {
		t.Fatalf("identity schemas for %v", names)
	}
	for name, attrs := range want {
		s := p.idSchema[name]
		if s.Version != 0 {
			t.Errorf("%s: identity version %d, want 0", name, s.Version)
		}
		var got []string
		for _, a := range s.IdentityAttributes {
			got = append(got, a.Name)
			if !a.Type.Is(tftypes.String) || !a.RequiredForImport || a.OptionalForImport {
				t.Errorf("%s.%s: type %s, required for import %t, optional %t; want a string required for import",
					name, a.Name, a.Type, a.RequiredForImport, a.OptionalForImport)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, attrs) {
			t.Errorf("%s: identity attributes %v, want %v", name, got, attrs)
		}
		// Each identity attribute is also a state attribute of the same
		// name, which ExpectIdentityValueMatchesState relies on.
		st, ok := p.types[name].(tftypes.Object)
		if !ok {
			t.Fatalf("%s: state type %v", name, p.types[name])
		}
		for _, a := range attrs {
			if !st.AttributeTypes[a].Is(tftypes.String) {
				t.Errorf("%s: state attribute %s is %v", name, a, st.AttributeTypes[a])
			}
		}
	}
}

// The whole life of the three resources, with Terraform 1.12's identity
// traffic: create, refresh, update, import by identity and by ID, and the
// out-of-band deletion of the domain.
func TestProtocolIdentity_lifecycle(t *testing.T) {
	clearVastalEnv(t)
	const domain = "identity.test"
	srv, zone := acctest.DNSZone(t, domain)
	for _, r := range dnscheck.Required(domain) {
		var data string
		switch r.Type {
		case "MX":
			data = fmt.Sprintf("%d %s.", r.Priority, r.Value)
		case "TXT":
			data = strconv.Quote(r.Value)
		default:
			data = r.Value + "."
		}
		if err := zone.Add(fmt.Sprintf("%s. 60 IN %s %s", r.Name, r.Type, data)); err != nil {
			t.Fatal(err)
		}
	}
	dbPath := filepath.Join(t.TempDir(), "embedded.db")
	p := startProvider(t, dbPath, srv.Addr)
	const (
		dom = "vastal_domain"
		ver = "vastal_domain_verification"
		eml = "vastal_email_address"
	)

	// vastal_domain: create.
	domState, domIdent := p.create(dom, p.object(dom, map[string]tftypes.Value{"domain": str("Identity.Test")}))
	ds, _ := p.state(dom, domState)
	domainID := ds["id"]
	if !strings.HasPrefix(domainID, "dom_") {
		t.Fatalf("created domain state %v", ds)
	}
	p.checkIdentity("ApplyResourceChange", dom, domIdent, map[string]string{"id": domainID})

	// Refresh with the stored identity, and without one (a state written by
	// Terraform 1.11 and refreshed by 1.12 for the first time).
	for _, ident := range []*tfprotov6.ResourceIdentityData{domIdent, nil} {
		rr := p.read(dom, domState, ident)
		got, null := p.state(dom, rr.NewState)
		if null || got["id"] != domainID {
			t.Fatalf("ReadResource %s: state %v", dom, got)
		}
		p.checkIdentity("ReadResource", dom, rr.NewIdentity, map[string]string{"id": domainID})
	}

	// Import by identity (no ID), by ID, and by domain name.
	for _, c := range []struct {
		id    string
		ident *tfprotov6.ResourceIdentityData
	}{
		{"", p.identity(dom, map[string]string{"id": domainID})},
		{domainID, nil},
		{"IDENTITY.test.", nil},
	} {
		imp := p.importBy(dom, c.id, c.ident)
		got, _ := p.state(dom, imp.State)
		checkAttrs(t, "imported "+dom, got, map[string]string{"id": domainID})
		p.checkIdentity("ImportResourceState", dom, imp.Identity, map[string]string{"id": domainID})
		// Terraform reads the imported resource next, with its identity.
		rr := p.read(dom, imp.State, imp.Identity)
		got, _ = p.state(dom, rr.NewState)
		checkAttrs(t, "read after import "+dom, got, map[string]string{"id": domainID, "canonical_domain": domain, "domain": domain})
		p.checkIdentity("ReadResource after import", dom, rr.NewIdentity, map[string]string{"id": domainID})
	}

	// vastal_domain_verification: the records are in the zone the provider's
	// DNS checks ask, so the wait ends at the first round.
	verState, verIdent := p.create(ver, p.object(ver, map[string]tftypes.Value{
		"domain_id": str(domainID),
		"record_fqdns": tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, []tftypes.Value{
			str(domain), str("vsm1._domainkey." + domain), str("vsm2._domainkey." + domain),
		}),
	}))
	vs, _ := p.state(ver, verState)
	checkAttrs(t, "created "+ver, vs, map[string]string{"id": domainID, "domain_id": domainID, "status": "active"})
	p.checkIdentity("ApplyResourceChange", ver, verIdent, map[string]string{"domain_id": domainID})
	rr := p.read(ver, verState, verIdent)
	if got, null := p.state(ver, rr.NewState); null || got["status"] != "active" {
		t.Fatalf("ReadResource %s: state %v", ver, got)
	}
	p.checkIdentity("ReadResource", ver, rr.NewIdentity, map[string]string{"domain_id": domainID})
	// Update in place: only the timeouts block can change.
	verType, ok := p.types[ver].(tftypes.Object)
	if !ok {
		t.Fatalf("%s: state type %v", ver, p.types[ver])
	}
	timeoutsType, ok := verType.AttributeTypes["timeouts"].(tftypes.Object)
	if !ok {
		t.Fatalf("%s: timeouts type %v", ver, p.types[ver])
	}
	verState, verIdent = p.update(ver, verState, verIdent, map[string]tftypes.Value{
		"timeouts": tftypes.NewValue(timeoutsType, map[string]tftypes.Value{"create": str("10m")}),
	}, []string{"domain_id", "record_fqdns"})
	p.checkIdentity("ApplyResourceChange (update)", ver, verIdent, map[string]string{"domain_id": domainID})
	for _, c := range []struct {
		id    string
		ident *tfprotov6.ResourceIdentityData
	}{
		{"", p.identity(ver, map[string]string{"domain_id": domainID})},
		{domainID, nil},
		{domain, nil},
	} {
		imp := p.importBy(ver, c.id, c.ident)
		got, _ := p.state(ver, imp.State)
		checkAttrs(t, "imported "+ver, got, map[string]string{"id": domainID, "domain_id": domainID})
		p.checkIdentity("ImportResourceState", ver, imp.Identity, map[string]string{"domain_id": domainID})
		rr := p.read(ver, imp.State, imp.Identity)
		got, _ = p.state(ver, rr.NewState)
		checkAttrs(t, "read after import "+ver, got, map[string]string{"domain_id": domainID, "domain": domain, "status": "active"})
		p.checkIdentity("ReadResource after import", ver, rr.NewIdentity, map[string]string{"domain_id": domainID})
	}

	// vastal_email_address: create on the now active domain.
	emlState, emlIdent := p.create(eml, p.object(eml, map[string]tftypes.Value{
		"domain_id": str(domainID), "local_part": str("Hello"),
	}))
	es, _ := p.state(eml, emlState)
	emailID := es["id"]
	if emailID == "" || es["address"] != "hello@"+domain {
		t.Fatalf("created address state %v", es)
	}
	wantEml := map[string]string{"domain_id": domainID, "id": emailID}
	p.checkIdentity("ApplyResourceChange", eml, emlIdent, wantEml)
	rr = p.read(eml, emlState, emlIdent)
	if got, null := p.state(eml, rr.NewState); null || got["id"] != emailID {
		t.Fatalf("ReadResource %s: state %v", eml, got)
	}
	p.checkIdentity("ReadResource", eml, rr.NewIdentity, wantEml)

	// Update in place (is_primary), with the prior identity sent along.
	emlState, emlIdent = p.update(eml, emlState, emlIdent, map[string]tftypes.Value{"is_primary": tftypes.NewValue(tftypes.Bool, true)},
		[]string{"domain_id", "local_part", "is_primary"})
	p.checkIdentity("ApplyResourceChange (update)", eml, emlIdent, wantEml)

	for _, c := range []struct {
		id    string
		ident *tfprotov6.ResourceIdentityData
	}{
		{"", p.identity(eml, wantEml)},
		{domainID + "/" + emailID, nil},
		{"HELLO@identity.test", nil},
	} {
		imp := p.importBy(eml, c.id, c.ident)
		got, _ := p.state(eml, imp.State)
		checkAttrs(t, "imported "+eml, got, wantEml)
		p.checkIdentity("ImportResourceState", eml, imp.Identity, wantEml)
		rr := p.read(eml, imp.State, imp.Identity)
		got, _ = p.state(eml, rr.NewState)
		checkAttrs(t, "read after import "+eml, got, map[string]string{"domain_id": domainID, "id": emailID, "address": "hello@" + domain})
		p.checkIdentity("ReadResource after import", eml, rr.NewIdentity, wantEml)
	}

	// The domain import takes an ID on trust, as terraform import does: an
	// identity naming a missing domain imports, and the read that follows
	// finds it gone (Terraform then refuses the import).
	missing := p.importBy(dom, "", p.identity(dom, map[string]string{"id": "dom_missing"}))
	p.checkIdentity("ImportResourceState", dom, missing.Identity, map[string]string{"id": "dom_missing"})
	if got, null := p.state(dom, p.read(dom, missing.State, missing.Identity).NewState); !null {
		t.Fatalf("read of an imported missing domain returned %v", got)
	}

	// Delete the domain out of band, through another handle on the same
	// file, as another Terraform process or the console would; the next
	// command's provider process finds every resource gone.
	b, err := backend.Open(dbPath, backend.Options{Checker: backend.NotFoundChecker{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Error(err)
		}
	})
	c := acctest.Transport{Backend: b}.Client(t)
	if err := c.DeleteDomain(context.Background(), domainID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetDomain(context.Background(), domainID); !errors.Is(err, vastal.ErrNotFound) {
		t.Fatalf("domain still there after the out-of-band delete: %v", err)
	}
	p2 := startProvider(t, dbPath, srv.Addr)
	for _, r := range []struct {
		typeName string
		state    *tfprotov6.DynamicValue
		ident    *tfprotov6.ResourceIdentityData
	}{
		{dom, domState, domIdent},
		{ver, verState, verIdent},
		{eml, emlState, emlIdent},
	} {
		// With the stored identity, and without one: a state written by an
		// older CLI, refreshed by 1.12 for the first time after the deletion
		// (the framework refuses a Read that ends with no identity, which is
		// why Read sets it before calling the API).
		for _, ident := range []*tfprotov6.ResourceIdentityData{r.ident, nil} {
			rr := p2.read(r.typeName, r.state, ident) // fails on an error diagnostic
			if got, null := p2.state(r.typeName, rr.NewState); !null {
				t.Errorf("ReadResource %s after the out-of-band delete: state %v, want null", r.typeName, got)
			}
		}
	}
}

// update plans and applies an in-place change: the proposed new state is the
// prior state with the configured attributes replaced, as Terraform merges it.
func (p *protoProvider) update(typeName string, prior *tfprotov6.DynamicValue, priorIdent *tfprotov6.ResourceIdentityData,
	changes map[string]tftypes.Value, configured []string,
) (*tfprotov6.DynamicValue, *tfprotov6.ResourceIdentityData) {
	p.t.Helper()
	ctx := context.Background()
	typ := p.types[typeName]
	pv, err := prior.Unmarshal(typ)
	if err != nil {
		p.t.Fatal(err)
	}
	var attrs map[string]tftypes.Value
	if err := pv.As(&attrs); err != nil {
		p.t.Fatal(err)
	}
	cfgAttrs := map[string]tftypes.Value{}
	for _, name := range configured {
		cfgAttrs[name] = attrs[name]
	}
	for name, v := range changes {
		attrs[name] = v
		cfgAttrs[name] = v
	}
	proposed := p.dv(typ, tftypes.NewValue(typ, attrs))
	cfg := p.dv(typ, p.object(typeName, cfgAttrs))
	plan, err := p.srv.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName:           typeName,
		PriorState:         prior,
		ProposedNewState:   proposed,
		Config:             cfg,
		PriorIdentity:      priorIdent,
		ClientCapabilities: &tfprotov6.PlanResourceChangeClientCapabilities{},
	})
	if err != nil {
		p.t.Fatal(err)
	}
	p.noErrors("PlanResourceChange (update) "+typeName, plan.Diagnostics)
	if len(plan.RequiresReplace) > 0 {
		p.t.Fatalf("PlanResourceChange %s: replacement planned for %v", typeName, plan.RequiresReplace)
	}
	// Terraform 1.12 holds the applied identity to the planned one, which
	// for an existing object must be the prior identity.
	idType := p.idTypes[typeName]
	priorID, err := priorIdent.IdentityData.Unmarshal(idType)
	if err != nil {
		p.t.Fatal(err)
	}
	if plan.PlannedIdentity == nil || plan.PlannedIdentity.IdentityData == nil {
		p.t.Fatalf("PlanResourceChange %s: no planned identity", typeName)
	}
	planned, err := plan.PlannedIdentity.IdentityData.Unmarshal(idType)
	if err != nil {
		p.t.Fatal(err)
	}
	if !planned.Equal(priorID) {
		p.t.Fatalf("PlanResourceChange %s: planned identity %s, prior %s", typeName, planned, priorID)
	}
	apply, err := p.srv.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
		TypeName:        typeName,
		PriorState:      prior,
		PlannedState:    plan.PlannedState,
		Config:          cfg,
		PlannedPrivate:  plan.PlannedPrivate,
		PlannedIdentity: plan.PlannedIdentity,
	})
	if err != nil {
		p.t.Fatal(err)
	}
	p.noErrors("ApplyResourceChange (update) "+typeName, apply.Diagnostics)
	return apply.NewState, apply.NewIdentity
}

// clearVastalEnv keeps the machine's VASTAL_* settings from choosing
// another backend than the embedded one the tests configure.
func clearVastalEnv(t *testing.T) {
	t.Helper()
	for _, k := range []string{"VASTAL_API_KEY", "VASTAL_ENDPOINT", "VASTAL_EMBEDDED_PATH", "VASTAL_DNS_RESOLVERS", "VASTAL_DNS_NAMESERVERS"} {
		t.Setenv(k, "")
	}
}
