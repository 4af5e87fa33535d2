package provider

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vastal/terraform-provider-vastal/internal/dnscheck"
	"github.com/vastal/terraform-provider-vastal/internal/names"
	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

var (
	_ resource.ResourceWithConfigure   = (*domainVerificationResource)(nil)
	_ resource.ResourceWithImportState = (*domainVerificationResource)(nil)
)

const defaultVerificationTimeout = 45 * time.Minute

// NewDomainVerificationResource returns the vastal_domain_verification resource.
func NewDomainVerificationResource() resource.Resource {
	return &domainVerificationResource{}
}

type domainVerificationResource struct {
	data *providerData
}

type domainVerificationModel struct {
	ID           types.String   `tfsdk:"id"`
	DomainID     types.String   `tfsdk:"domain_id"`
	Domain       types.String   `tfsdk:"domain"`
	RecordFQDNs  types.Set      `tfsdk:"record_fqdns"`
	Status       types.String   `tfsdk:"status"`
	VerifiedAt   types.String   `tfsdk:"verified_at"`
	MXVerified   types.Bool     `tfsdk:"mx_verified"`
	SPFVerified  types.Bool     `tfsdk:"spf_verified"`
	DKIMVerified types.Bool     `tfsdk:"dkim_verified"`
	Timeouts     timeouts.Value `tfsdk:"timeouts"`
}

func (r *domainVerificationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_domain_verification"
}

func (r *domainVerificationResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Waits until a domain's DNS records pass verification, so that resources depending on it " +
			"(email addresses) are created only on an active domain. It creates and deletes nothing in Vastal.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{MarkdownDescription: "The domain ID.", Computed: true, PlanModifiers: keep},
			"domain_id": schema.StringAttribute{
				MarkdownDescription: "ID of the domain to wait for. Changing it waits again.",
				Required:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"domain": schema.StringAttribute{MarkdownDescription: "The canonical domain name.", Computed: true, PlanModifiers: keep},
			"record_fqdns": schema.SetAttribute{
				MarkdownDescription: "Names of the records written by your DNS provider, such as the `fqdn` of each record resource. " +
					"Referencing them makes Terraform write the records before it waits; when given, they must cover the four required " +
					"names (case and a trailing dot ignored) or the apply fails at once, naming the missing ones.",
				ElementType:   types.StringType,
				Optional:      true,
				PlanModifiers: []planmodifier.Set{setplanmodifier.RequiresReplace()},
			},
			"status":        schema.StringAttribute{MarkdownDescription: "The domain's status once verified: `active`.", Computed: true, PlanModifiers: keep},
			"verified_at":   schema.StringAttribute{MarkdownDescription: "When the domain was verified (RFC 3339).", Computed: true, PlanModifiers: keep},
			"mx_verified":   schema.BoolAttribute{MarkdownDescription: "Whether the MX record passed.", Computed: true},
			"spf_verified":  schema.BoolAttribute{MarkdownDescription: "Whether the SPF record passed.", Computed: true},
			"dkim_verified": schema.BoolAttribute{MarkdownDescription: "Whether both DKIM records passed.", Computed: true},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true}),
		},
	}
}

func (r *domainVerificationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configureData(req.ProviderData, &resp.Diagnostics)
}

func (r *domainVerificationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan domainVerificationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultVerificationTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	domainID := plan.DomainID.ValueString()
	d, err := r.data.Client.GetDomain(ctx, domainID)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("domain_id"), "Unable to Read Domain",
			fmt.Sprintf("Reading the domain %s before waiting for its verification failed.\n\nError: %s", domainID, err))
		return
	}
	if !plan.RecordFQDNs.IsNull() {
		var fqdns []string
		resp.Diagnostics.Append(plan.RecordFQDNs.ElementsAs(ctx, &fqdns, false)...)
		if missing := missingRecordNames(d.Domain, fqdns); len(missing) > 0 {
			resp.Diagnostics.AddAttributeError(path.Root("record_fqdns"), "Required DNS Records Missing From record_fqdns",
				fmt.Sprintf("record_fqdns does not cover %s, which the domain %s needs, so verification could never pass. "+
					"Nothing was waited for. Write a record for each key of vastal_domain.dns_records (mx, spf, dkim1, dkim2) "+
					"and list their names in record_fqdns.", strings.Join(missing, ", "), d.Domain))
			return
		}
	}

	w := &verificationWaiter{client: r.data.Client, domain: d, timeout: timeout}
	// In both modes: cheap DNS rounds end the wait within a second of the
	// records landing, and verify is called only when they look complete.
	if r.data.Checker != nil {
		w.watch = r.data.Checker.Watch(d.Domain)
	}
	if err := w.wait(ctx); err != nil {
		var fail *verificationFailure
		if errors.As(err, &fail) {
			resp.Diagnostics.AddError(fail.summary(), fail.detail())
			return
		}
		resp.Diagnostics.AddError("Unable to Verify Domain",
			fmt.Sprintf("Waiting for the domain %s to verify failed.\n\nError: %s", d.Domain, err))
		return
	}
	got, err := r.data.Client.GetDomain(ctx, domainID)
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read Domain",
			fmt.Sprintf("The domain %s verified, but reading it back failed; apply again to record it.\n\nError: %s", d.Domain, err))
		return
	}
	plan.fill(got)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, domainVerificationIdentityModel{DomainID: plan.DomainID})...)
}

func (r *domainVerificationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state domainVerificationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, domainVerificationIdentityModel{DomainID: state.DomainID})...)
	if resp.Diagnostics.HasError() {
		return
	}
	d, err := r.data.Client.GetDomain(ctx, state.DomainID.ValueString())
	if errors.Is(err, vastal.ErrNotFound) {
		resp.Diagnostics.AddWarning("Verified Domain No Longer Exists",
			fmt.Sprintf("The domain %s (%s) was deleted outside Terraform; its verification is removed from the state, "+
				"so the next apply waits again once the domain is re-created.", state.Domain.ValueString(), state.DomainID.ValueString()))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read Domain",
			fmt.Sprintf("Reading the domain %s failed.\n\nError: %s", state.DomainID.ValueString(), err))
		return
	}
	if d.Status != vastal.StatusActive {
		resp.Diagnostics.AddWarning("Domain No Longer Verified",
			fmt.Sprintf("The domain %s is now %q instead of active; its verification is removed from the state, so the next apply "+
				"waits for it again. Check its DNS records.", d.Domain, d.Status))
		resp.State.RemoveResource(ctx)
		return
	}
	state.fill(d)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *domainVerificationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	// Only timeouts can change in place.
	var plan, state domainVerificationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	state.Timeouts = plan.Timeouts
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, domainVerificationIdentityModel{DomainID: state.DomainID})...)
}

func (r *domainVerificationResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
	// Verification is a wait, not an object: forgetting it is all there is.
}

func (r *domainVerificationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	ref := req.ID
	var ident domainVerificationIdentityModel
	if importIdentity(ctx, req, &ident, &resp.Diagnostics) {
		ref = ident.DomainID.ValueString()
	}
	id, diags := resolveDomainRef(ctx, r.data.Client, ref)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("domain_id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("record_fqdns"), types.SetNull(types.StringType))...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, domainVerificationIdentityModel{DomainID: types.StringValue(id)})...)
}

func (m *domainVerificationModel) fill(d *vastal.Domain) {
	m.ID = types.StringValue(d.ID)
	m.DomainID = types.StringValue(d.ID)
	m.Domain = types.StringValue(d.Domain)
	m.Status = types.StringValue(d.Status)
	m.VerifiedAt = timeValue(d.VerifiedAt)
	m.MXVerified = types.BoolValue(d.MXVerified)
	m.SPFVerified = types.BoolValue(d.SPFVerified)
	m.DKIMVerified = types.BoolValue(d.DKIMVerified)
}

// missingRecordNames lists the required record names that fqdns does not cover.
func missingRecordNames(domain string, fqdns []string) []string {
	var missing []string
	seen := map[string]bool{}
	for _, req := range dnscheck.Required(domain) {
		if seen[req.Name] {
			continue
		}
		seen[req.Name] = true
		covered := false
		for _, f := range fqdns {
			if names.Equal(f, req.Name) {
				covered = true
				break
			}
		}
		if !covered {
			missing = append(missing, req.Name)
		}
	}
	sort.Strings(missing)
	return missing
}
