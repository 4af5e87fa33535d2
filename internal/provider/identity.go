package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Resource identity (Terraform 1.12+) names the remote object by the IDs the
// API addresses it with. Older CLIs never send or store it; the framework
// still asks for it after every operation, so each method sets it, and Read
// sets it from the prior state before calling the API, so that a resource
// deleted out of band leaves with its identity (the framework refuses a Read
// that ends without one).

var (
	_ resource.ResourceWithIdentity = (*domainResource)(nil)
	_ resource.ResourceWithIdentity = (*domainVerificationResource)(nil)
	_ resource.ResourceWithIdentity = (*emailAddressResource)(nil)
)

type domainIdentityModel struct {
	ID types.String `tfsdk:"id"`
}

type domainVerificationIdentityModel struct {
	DomainID types.String `tfsdk:"domain_id"`
}

type emailAddressIdentityModel struct {
	DomainID types.String `tfsdk:"domain_id"`
	ID       types.String `tfsdk:"id"`
}

func (r *domainResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"id": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       "Domain ID, such as `dom_abc123`.",
			},
		},
	}
}

func (r *domainVerificationResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"domain_id": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       "ID of the verified domain, such as `dom_abc123`.",
			},
		},
	}
}

func (r *emailAddressResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"domain_id": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       "ID of the address's domain, such as `dom_abc123`.",
			},
			"id": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       "Address ID, such as `email_001`.",
			},
		},
	}
}

// setIdentity stores v as the identity when the framework asks for one.
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, v any) diag.Diagnostics {
	if identity == nil {
		return nil
	}
	return identity.Set(ctx, v)
}

// importIdentity reads the identity of an import block's identity argument
// into v; it reports false when the import came with an ID string instead.
func importIdentity(ctx context.Context, req resource.ImportStateRequest, v any, diags *diag.Diagnostics) bool {
	if req.ID != "" || req.Identity == nil || req.Identity.Raw.IsNull() {
		return false
	}
	diags.Append(req.Identity.Get(ctx, v)...)
	return !diags.HasError()
}

func (m *emailAddressModel) identity() emailAddressIdentityModel {
	return emailAddressIdentityModel{DomainID: m.DomainID, ID: m.ID}
}
