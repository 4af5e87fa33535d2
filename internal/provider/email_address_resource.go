package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/vastal/terraform-provider-vastal/internal/names"
	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

var (
	_ resource.ResourceWithConfigure   = (*emailAddressResource)(nil)
	_ resource.ResourceWithImportState = (*emailAddressResource)(nil)
)

// NewEmailAddressResource returns the vastal_email_address resource.
func NewEmailAddressResource() resource.Resource {
	return &emailAddressResource{}
}

type emailAddressResource struct {
	data *providerData
}

type emailAddressModel struct {
	ID        types.String `tfsdk:"id"`
	DomainID  types.String `tfsdk:"domain_id"`
	LocalPart types.String `tfsdk:"local_part"`
	IsPrimary types.Bool   `tfsdk:"is_primary"`
	Address   types.String `tfsdk:"address"`
	CreatedAt types.String `tfsdk:"created_at"`
}

func (r *emailAddressResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_email_address"
}

func (r *emailAddressResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "An email address on a verified domain. The domain must be `active`: make the address depend on a " +
			"`vastal_domain_verification` of its domain, for example by taking `domain_id` from it.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{MarkdownDescription: "Address ID, such as `email_001`.", Computed: true, PlanModifiers: keep},
			"domain_id": schema.StringAttribute{
				MarkdownDescription: "ID of the domain. Changing it replaces the address.",
				Required:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"local_part": schema.StringAttribute{
				MarkdownDescription: "The part before the `@`. Any case is accepted; the address is lower case, and a spelling that " +
					"differs only in case is no change.",
				Required:      true,
				Validators:    []validator.String{localPartValidator{}},
				PlanModifiers: []planmodifier.String{sameLocalPartSpelling{}, stringplanmodifier.RequiresReplace()},
			},
			"is_primary": schema.BoolAttribute{
				MarkdownDescription: "Whether this is the domain's primary address. A domain has at most one: making this one primary " +
					"makes the previous one non-primary. Defaults to `false`; changed in place.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"address":    schema.StringAttribute{MarkdownDescription: "The full address, lower case.", Computed: true, PlanModifiers: keep},
			"created_at": schema.StringAttribute{MarkdownDescription: "When the address was created (RFC 3339).", Computed: true, PlanModifiers: keep},
		},
	}
}

func (r *emailAddressResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configureData(req.ProviderData, &resp.Diagnostics)
}

func (r *emailAddressResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan emailAddressModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	local, err := names.LocalPart(plan.LocalPart.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("local_part"), "Invalid Local Part", err.Error())
		return
	}
	domainID := plan.DomainID.ValueString()
	a, err := r.data.Client.CreateEmailAddress(ctx, domainID, vastal.CreateEmailAddressRequest{
		LocalPart: local, IsPrimary: plan.IsPrimary.ValueBool(),
	})
	if err != nil {
		resp.Diagnostics.Append(r.createError(ctx, domainID, local, err))
		return
	}
	tflog.Info(ctx, "created email address", map[string]any{"address": a.Address, "id": a.ID})
	plan.fill(a)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, plan.identity())...)
}

func (r *emailAddressResource) createError(ctx context.Context, domainID, local string, err error) diag.Diagnostic {
	domain := domainID
	status := "unknown"
	if d, gerr := r.data.Client.GetDomain(ctx, domainID); gerr == nil {
		domain, status = d.Domain, d.Status
	}
	switch {
	case errors.Is(err, vastal.ErrNotVerified):
		return diag.NewAttributeErrorDiagnostic(path.Root("domain_id"), "Domain Not Verified",
			fmt.Sprintf("The address %s@%s cannot be created yet: the domain %s is %q, and addresses can only be created on an active (verified) domain. "+
				"Publish the domain's dns_records, and make this address depend on a vastal_domain_verification of the domain "+
				"(for example domain_id = vastal_domain_verification.this.domain_id), so that Terraform waits for verification first.",
				local, domain, domain, status))
	case errors.Is(err, vastal.ErrNotFound):
		return diag.NewAttributeErrorDiagnostic(path.Root("domain_id"), "Domain Not Found",
			fmt.Sprintf("The domain %s does not exist in the Vastal organization, so %s@ cannot be created on it. Check domain_id.", domainID, local))
	case errors.Is(err, vastal.ErrConflict):
		address := local + "@" + domain
		detail := fmt.Sprintf("The address %s already exists, but this Terraform state does not manage it. Nothing was created. "+
			"To manage it, import it:\n\n  terraform import <resource address> %s", address, address)
		if a, ferr := findAddress(ctx, r.data.Client, domainID, address); ferr == nil {
			detail += fmt.Sprintf("\n\nor by ID: terraform import <resource address> %s/%s", domainID, a.ID)
		}
		return diag.NewAttributeErrorDiagnostic(path.Root("local_part"), "Email Address Already Exists", detail)
	}
	return diag.NewErrorDiagnostic("Unable to Create Email Address",
		fmt.Sprintf("Creating %s@%s failed. Retries are safe: the request carried an idempotency key.\n\nError: %s", local, domain, err))
}

func (r *emailAddressResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state emailAddressModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, state.identity())...)
	if resp.Diagnostics.HasError() {
		return
	}
	a, err := r.data.Client.GetEmailAddress(ctx, state.DomainID.ValueString(), state.ID.ValueString())
	if errors.Is(err, vastal.ErrNotFound) {
		tflog.Warn(ctx, "email address no longer exists; removing it from state", map[string]any{"id": state.ID.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read Email Address",
			fmt.Sprintf("Reading the address %s (%s) failed.\n\nError: %s", state.Address.ValueString(), state.ID.ValueString(), err))
		return
	}
	state.fill(a)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *emailAddressResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state emailAddressModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	primary := plan.IsPrimary.ValueBool()
	a, err := r.data.Client.UpdateEmailAddress(ctx, state.DomainID.ValueString(), state.ID.ValueString(),
		vastal.UpdateEmailAddressRequest{IsPrimary: &primary})
	if err != nil {
		resp.Diagnostics.AddError("Unable to Update Email Address",
			fmt.Sprintf("Setting is_primary = %t on %s failed.\n\nError: %s", primary, state.Address.ValueString(), err))
		return
	}
	plan.fill(a)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, plan.identity())...)
}

func (r *emailAddressResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state emailAddressModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.data.Client.DeleteEmailAddress(ctx, state.DomainID.ValueString(), state.ID.ValueString())
	if err != nil && !errors.Is(err, vastal.ErrNotFound) {
		resp.Diagnostics.AddError("Unable to Delete Email Address",
			fmt.Sprintf("Deleting %s (%s) failed; it stays in the state, so the next apply tries again.\n\nError: %s",
				state.Address.ValueString(), state.ID.ValueString(), err))
	}
}

// ImportState takes "local@domain" or "domain_id/email_id".
func (r *emailAddressResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	var domainID, emailID string
	var ident emailAddressIdentityModel
	if importIdentity(ctx, req, &ident, &resp.Diagnostics) {
		domainID, emailID = ident.DomainID.ValueString(), ident.ID.ValueString()
	} else if before, after, ok := strings.Cut(req.ID, "/"); ok && !strings.Contains(req.ID, "@") {
		domainID, emailID = before, after
	} else {
		local, domain, err := names.SplitAddress(req.ID)
		if err != nil {
			resp.Diagnostics.AddError("Invalid Import ID",
				fmt.Sprintf("Import an address by the address itself (hello@example.com) or by domain_id/email_id (dom_abc/email_001): %v.", err))
			return
		}
		id, diags := resolveDomainRef(ctx, r.data.Client, domain)
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
		a, err := findAddress(ctx, r.data.Client, id, local+"@"+domain)
		if err != nil {
			resp.Diagnostics.AddError("Email Address Not Found",
				fmt.Sprintf("The domain %s has no address %s@%s (%v). Check the spelling, or create it with a vastal_email_address resource.", domain, local, domain, err))
			return
		}
		domainID, emailID = id, a.ID
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("domain_id"), domainID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), emailID)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, emailAddressIdentityModel{
		DomainID: types.StringValue(domainID), ID: types.StringValue(emailID),
	})...)
}

func findAddress(ctx context.Context, c *vastal.Client, domainID, address string) (*vastal.EmailAddress, error) {
	list, err := c.ListEmailAddresses(ctx, domainID)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if strings.EqualFold(list[i].Address, address) {
			return &list[i], nil
		}
	}
	return nil, vastal.ErrNotFound
}

func (m *emailAddressModel) fill(a *vastal.EmailAddress) {
	m.ID = types.StringValue(a.ID)
	m.Address = types.StringValue(a.Address)
	m.IsPrimary = types.BoolValue(a.IsPrimary)
	m.CreatedAt = types.StringValue(a.CreatedAt.UTC().Format(time.RFC3339))
	local, _, _ := strings.Cut(a.Address, "@")
	if c, err := names.LocalPart(m.LocalPart.ValueString()); m.LocalPart.IsNull() || m.LocalPart.IsUnknown() || err != nil || c != local {
		m.LocalPart = types.StringValue(local)
	}
}
