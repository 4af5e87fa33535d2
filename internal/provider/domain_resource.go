package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/vastal/terraform-provider-vastal/internal/dnscheck"
	"github.com/vastal/terraform-provider-vastal/internal/names"
	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

var (
	_ resource.ResourceWithConfigure   = (*domainResource)(nil)
	_ resource.ResourceWithImportState = (*domainResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*domainResource)(nil)
)

// NewDomainResource returns the vastal_domain resource.
func NewDomainResource() resource.Resource {
	return &domainResource{}
}

type domainResource struct {
	data *providerData
}

type domainResourceModel struct {
	ID              types.String `tfsdk:"id"`
	Domain          types.String `tfsdk:"domain"`
	CanonicalDomain types.String `tfsdk:"canonical_domain"`
	Status          types.String `tfsdk:"status"`
	Type            types.String `tfsdk:"type"`
	DNSConfigured   types.Bool   `tfsdk:"dns_configured"`
	MXVerified      types.Bool   `tfsdk:"mx_verified"`
	SPFVerified     types.Bool   `tfsdk:"spf_verified"`
	DKIMVerified    types.Bool   `tfsdk:"dkim_verified"`
	VerifiedAt      types.String `tfsdk:"verified_at"`
	CreatedAt       types.String `tfsdk:"created_at"`
	DNSRecords      types.Map    `tfsdk:"dns_records"`
}

func (r *domainResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_domain"
}

func (r *domainResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := func() []planmodifier.String { return []planmodifier.String{stringplanmodifier.UseStateForUnknown()} }
	keepBool := func() []planmodifier.Bool { return []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()} }
	resp.Schema = schema.Schema{
		MarkdownDescription: "A custom sending domain of the Vastal organization. Its `dns_records` are known by key at plan time, " +
			"so `for_each = vastal_domain.this.dns_records` can write them into any DNS provider in the same apply.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Domain ID, such as `dom_abc123`.",
				Computed:            true,
				PlanModifiers:       keep(),
			},
			"domain": schema.StringAttribute{
				MarkdownDescription: "The domain name. Any spelling is accepted (Unicode, upper case, a trailing dot); " +
					"the domain is replaced only when its canonical form changes.",
				Required:   true,
				Validators: []validator.String{domainNameValidator{}},
				PlanModifiers: []planmodifier.String{
					sameDomainSpelling{},
					stringplanmodifier.RequiresReplace(),
				},
			},
			"canonical_domain": schema.StringAttribute{
				MarkdownDescription: "The domain as the API and DNS record names use it: IDNA A-labels, lower case, no trailing dot.",
				Computed:            true,
				PlanModifiers:       keep(),
			},
			"status": schema.StringAttribute{
				MarkdownDescription: "`pending` (awaiting DNS verification), `active` (verified) or `failed` (not verified within 72 hours).",
				Computed:            true,
				PlanModifiers:       keep(),
			},
			"type": schema.StringAttribute{
				MarkdownDescription: "How the domain came to the organization, such as `imported`.",
				Computed:            true,
				PlanModifiers:       keep(),
			},
			"dns_configured": schema.BoolAttribute{
				MarkdownDescription: "Whether every required record has been seen at least once.",
				Computed:            true,
				PlanModifiers:       keepBool(),
			},
			"mx_verified":   schema.BoolAttribute{MarkdownDescription: "Whether the MX record passed the last check.", Computed: true, PlanModifiers: keepBool()},
			"spf_verified":  schema.BoolAttribute{MarkdownDescription: "Whether the SPF record passed the last check.", Computed: true, PlanModifiers: keepBool()},
			"dkim_verified": schema.BoolAttribute{MarkdownDescription: "Whether both DKIM records passed the last check.", Computed: true, PlanModifiers: keepBool()},
			"verified_at": schema.StringAttribute{
				MarkdownDescription: "When the domain was verified (RFC 3339), or null while it is not.",
				Computed:            true,
				PlanModifiers:       keep(),
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the domain was added (RFC 3339).",
				Computed:            true,
				PlanModifiers:       keep(),
			},
			"dns_records": schema.MapNestedAttribute{
				MarkdownDescription: "The records the domain needs, by key: `mx`, `spf`, `dkim1`, `dkim2`. " +
					"Keys, `type`, `name` and `host` are known at plan time.",
				Computed:      true,
				PlanModifiers: []planmodifier.Map{mapplanmodifier.UseStateForUnknown()},
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"type":     schema.StringAttribute{MarkdownDescription: "`MX`, `TXT` or `CNAME`.", Computed: true},
						"name":     schema.StringAttribute{MarkdownDescription: "Fully qualified name, without the trailing dot.", Computed: true},
						"host":     schema.StringAttribute{MarkdownDescription: "The name relative to the domain: `@` for the apex, or such as `vsm1._domainkey`.", Computed: true},
						"value":    schema.StringAttribute{MarkdownDescription: "The value to publish.", Computed: true},
						"priority": schema.Int64Attribute{MarkdownDescription: "MX preference; null for other types.", Computed: true},
					},
				},
			},
		},
	}
}

func (r *domainResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configureData(req.ProviderData, &resp.Diagnostics)
}

func (r *domainResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || !req.State.Raw.IsNull() {
		return // destroy, or an existing domain whose computed values UseStateForUnknown keeps
	}
	var domain types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("domain"), &domain)...)
	if domain.IsUnknown() || domain.IsNull() {
		return
	}
	canonical, err := names.Domain(domain.ValueString())
	if err != nil {
		return // the validator reports it
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("canonical_domain"), canonical)...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("dns_records"), plannedDNSRecords(canonical))...)
}

func (r *domainResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan domainResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	canonical, err := names.Domain(plan.Domain.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("domain"), "Invalid Domain Name", err.Error())
		return
	}
	d, err := r.data.Client.CreateDomain(ctx, canonical)
	if err != nil {
		resp.Diagnostics.Append(createDomainError(ctx, r.data.Client, canonical, err))
		return
	}
	tflog.Info(ctx, "created domain", map[string]any{"domain": d.Domain, "id": d.ID})
	resp.Diagnostics.Append(plan.fill(d)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, domainIdentityModel{ID: plan.ID})...)
}

func (r *domainResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state domainResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, domainIdentityModel{ID: state.ID})...)
	if resp.Diagnostics.HasError() {
		return
	}
	d, err := r.data.Client.GetDomain(ctx, state.ID.ValueString())
	if errors.Is(err, vastal.ErrNotFound) {
		tflog.Warn(ctx, "domain no longer exists; removing it from state", map[string]any{"id": state.ID.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read Domain",
			fmt.Sprintf("Reading domain %s (%s) from the Vastal API failed. Check the API key and endpoint, then run the command again.\n\nError: %s",
				state.ID.ValueString(), state.Domain.ValueString(), err))
		return
	}
	resp.Diagnostics.Append(state.fill(d)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *domainResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	// Every configurable attribute replaces the domain or keeps the prior
	// spelling, so an update only carries the plan over.
	var plan domainResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, domainIdentityModel{ID: plan.ID})...)
}

func (r *domainResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state domainResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.data.Client.DeleteDomain(ctx, state.ID.ValueString())
	if err != nil && !errors.Is(err, vastal.ErrNotFound) {
		resp.Diagnostics.AddError("Unable to Delete Domain",
			fmt.Sprintf("Deleting domain %s (%s) failed; it is still in the state, so the next apply tries again.\n\nError: %s",
				state.CanonicalDomain.ValueString(), state.ID.ValueString(), err))
	}
}

func (r *domainResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	ref := req.ID
	var ident domainIdentityModel
	if importIdentity(ctx, req, &ident, &resp.Diagnostics) {
		ref = ident.ID.ValueString()
	}
	id, diags := resolveDomainRef(ctx, r.data.Client, ref)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, domainIdentityModel{ID: types.StringValue(id)})...)
}

// resolveDomainRef turns a domain ID or a domain name (any spelling) into a domain ID.
func resolveDomainRef(ctx context.Context, c *vastal.Client, ref string) (string, diag.Diagnostics) {
	var diags diag.Diagnostics
	if strings.HasPrefix(ref, "dom_") {
		return ref, diags
	}
	canonical, err := names.Domain(ref)
	if err != nil {
		diags.AddError("Invalid Domain Reference",
			fmt.Sprintf("%q is neither a domain ID (dom_...) nor a valid domain name: %v.", ref, err))
		return "", diags
	}
	d, err := c.FindDomain(ctx, canonical)
	if errors.Is(err, vastal.ErrNotFound) {
		diags.AddError("Domain Not Found",
			fmt.Sprintf("The Vastal organization has no domain %s. Check the spelling, or create it with a vastal_domain resource.", canonical))
		return "", diags
	}
	if err != nil {
		diags.AddError("Unable to Look Up Domain", fmt.Sprintf("Looking up domain %s failed.\n\nError: %s", canonical, err))
		return "", diags
	}
	return d.ID, diags
}

func createDomainError(ctx context.Context, c *vastal.Client, canonical string, err error) diag.Diagnostic {
	switch {
	case errors.Is(err, vastal.ErrConflict):
		detail := fmt.Sprintf("The Vastal organization already has the domain %s, but this Terraform state does not manage it. "+
			"Nothing was created. To manage the existing domain, import it", canonical)
		if d, ferr := c.FindDomain(ctx, canonical); ferr == nil {
			detail += fmt.Sprintf(" (ID %s):\n\n  terraform import <resource address> %s\n\nor with an import block { to = <resource address>, id = %q }.", d.ID, d.ID, d.ID)
		} else {
			detail += fmt.Sprintf(":\n\n  terraform import <resource address> %s", canonical)
		}
		return diag.NewAttributeErrorDiagnostic(path.Root("domain"), "Domain Already Exists", detail)
	case errors.Is(err, vastal.ErrPlanRequired):
		return diag.NewErrorDiagnostic("Custom Domains Not Included in Plan",
			fmt.Sprintf("Adding %s was refused: custom domains need a Vastal plan of $250/month or more, or the domains add-on ($15/month). "+
				"Upgrade the organization's plan, then apply again.\n\nError: %s", canonical, err))
	case errors.Is(err, vastal.ErrInvalidRequest):
		return diag.NewAttributeErrorDiagnostic(path.Root("domain"), "Invalid Domain Name",
			fmt.Sprintf("The Vastal API refused the domain %s.\n\nError: %s", canonical, err))
	}
	return diag.NewErrorDiagnostic("Unable to Create Domain",
		fmt.Sprintf("Adding the domain %s failed. Retries are safe: the request carried an idempotency key, so applying again never creates it twice.\n\nError: %s", canonical, err))
}

// fill copies an API domain into the model, keeping the user's spelling of
// the domain when it names the same domain.
func (m *domainResourceModel) fill(d *vastal.Domain) diag.Diagnostics {
	m.ID = types.StringValue(d.ID)
	if c, err := names.Domain(m.Domain.ValueString()); m.Domain.IsNull() || m.Domain.IsUnknown() || err != nil || c != d.Domain {
		m.Domain = types.StringValue(d.Domain)
	}
	m.CanonicalDomain = types.StringValue(d.Domain)
	m.Status = types.StringValue(d.Status)
	m.Type = types.StringValue(d.Type)
	m.DNSConfigured = types.BoolValue(d.DNSConfigured)
	m.MXVerified = types.BoolValue(d.MXVerified)
	m.SPFVerified = types.BoolValue(d.SPFVerified)
	m.DKIMVerified = types.BoolValue(d.DKIMVerified)
	m.VerifiedAt = timeValue(d.VerifiedAt)
	m.CreatedAt = types.StringValue(d.CreatedAt.UTC().Format(time.RFC3339))
	var diags diag.Diagnostics
	m.DNSRecords, diags = dnsRecordsValue(d.Domain, d.DNSRecords)
	return diags
}

func timeValue(t *time.Time) types.String {
	if t == nil || t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}

var dnsRecordAttrTypes = map[string]attr.Type{
	"type":     types.StringType,
	"name":     types.StringType,
	"host":     types.StringType,
	"value":    types.StringType,
	"priority": types.Int64Type,
}

var dnsRecordObjectType = types.ObjectType{AttrTypes: dnsRecordAttrTypes}

// plannedDNSRecords is the dns_records map known at plan time: the keys,
// types, names and hosts; values come from the API at apply.
func plannedDNSRecords(domain string) types.Map {
	elems := make(map[string]attr.Value, 4)
	for _, req := range dnscheck.Required(domain) {
		priority := types.Int64Null()
		if req.Type == "MX" {
			priority = types.Int64Unknown()
		}
		elems[req.Key] = types.ObjectValueMust(dnsRecordAttrTypes, map[string]attr.Value{
			"type":     types.StringValue(req.Type),
			"name":     types.StringValue(req.Name),
			"host":     types.StringValue(req.Host),
			"value":    types.StringUnknown(),
			"priority": priority,
		})
	}
	return types.MapValueMust(dnsRecordObjectType, elems)
}

// dnsRecordsValue keys the API's records by what they are for.
func dnsRecordsValue(domain string, recs []vastal.DNSRecord) (types.Map, diag.Diagnostics) {
	var diags diag.Diagnostics
	elems := make(map[string]attr.Value, 4)
	for _, req := range dnscheck.Required(domain) {
		var found *vastal.DNSRecord
		for i := range recs {
			if strings.EqualFold(recs[i].Type, req.Type) && names.Equal(recs[i].Name, req.Name) {
				found = &recs[i]
				break
			}
		}
		if found == nil {
			diags.AddError("Unexpected API Response",
				fmt.Sprintf("The Vastal API listed no %s record at %s for the domain %s, which every domain needs. "+
					"This is a problem of the API; please report it.", req.Type, req.Name, domain))
			continue
		}
		priority := types.Int64Null()
		if found.Priority != nil {
			priority = types.Int64Value(int64(*found.Priority))
		}
		elems[req.Key] = types.ObjectValueMust(dnsRecordAttrTypes, map[string]attr.Value{
			"type":     types.StringValue(req.Type),
			"name":     types.StringValue(req.Name),
			"host":     types.StringValue(req.Host),
			"value":    types.StringValue(found.Value),
			"priority": priority,
		})
	}
	if diags.HasError() {
		return types.MapNull(dnsRecordObjectType), diags
	}
	return types.MapValueMust(dnsRecordObjectType, elems), diags
}
