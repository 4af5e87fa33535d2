package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

var (
	_ datasource.DataSourceWithConfigure        = (*domainDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*domainDataSource)(nil)
)

// NewDomainDataSource returns the vastal_domain data source.
func NewDomainDataSource() datasource.DataSource {
	return &domainDataSource{}
}

type domainDataSource struct {
	data *providerData
}

func (d *domainDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_domain"
}

func (d *domainDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "An existing custom sending domain of the Vastal organization, found by `id` or by `domain` (exactly one). " +
			"Reading a domain that does not exist is an error.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Domain ID, such as `dom_abc123`. Set this or `domain`.",
				Optional:            true,
				Computed:            true,
			},
			"domain": schema.StringAttribute{
				MarkdownDescription: "The domain name, in any spelling (Unicode, upper case, a trailing dot). Set this or `id`. " +
					"Kept as written when it names the domain found; `canonical_domain` has the API's form.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{domainNameValidator{}},
			},
			"canonical_domain": schema.StringAttribute{
				MarkdownDescription: "The domain as the API and DNS record names use it: IDNA A-labels, lower case, no trailing dot.",
				Computed:            true,
			},
			"status": schema.StringAttribute{
				MarkdownDescription: "`pending` (awaiting DNS verification), `active` (verified) or `failed` (not verified within 72 hours).",
				Computed:            true,
			},
			"type": schema.StringAttribute{
				MarkdownDescription: "How the domain came to the organization, such as `imported`.",
				Computed:            true,
			},
			"dns_configured": schema.BoolAttribute{
				MarkdownDescription: "Whether every required record has been seen at least once.",
				Computed:            true,
			},
			"mx_verified":   schema.BoolAttribute{MarkdownDescription: "Whether the MX record passed the last check.", Computed: true},
			"spf_verified":  schema.BoolAttribute{MarkdownDescription: "Whether the SPF record passed the last check.", Computed: true},
			"dkim_verified": schema.BoolAttribute{MarkdownDescription: "Whether both DKIM records passed the last check.", Computed: true},
			"verified_at": schema.StringAttribute{
				MarkdownDescription: "When the domain was verified (RFC 3339), or null while it is not.",
				Computed:            true,
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the domain was added (RFC 3339).",
				Computed:            true,
			},
			"dns_records": dataSourceDNSRecordsMapAttribute(),
		},
	}
}

// dataSourceDNSRecordsMapAttribute is vastal_domain.dns_records in data source
// form: the same keys and objects as the resource's.
func dataSourceDNSRecordsMapAttribute() schema.MapNestedAttribute {
	return schema.MapNestedAttribute{
		MarkdownDescription: "The records the domain needs, by key: `mx`, `spf`, `dkim1`, `dkim2`.",
		Computed:            true,
		NestedObject:        schema.NestedAttributeObject{Attributes: dataSourceDNSRecordAttributes()},
	}
}

func dataSourceDNSRecordAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"type":     schema.StringAttribute{MarkdownDescription: "`MX`, `TXT` or `CNAME`.", Computed: true},
		"name":     schema.StringAttribute{MarkdownDescription: "Fully qualified name, without the trailing dot.", Computed: true},
		"host":     schema.StringAttribute{MarkdownDescription: "The name relative to the domain: `@` for the apex, or such as `vsm1._domainkey`.", Computed: true},
		"value":    schema.StringAttribute{MarkdownDescription: "The value to publish.", Computed: true},
		"priority": schema.Int64Attribute{MarkdownDescription: "MX preference; null for other types.", Computed: true},
	}
}

func (d *domainDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("domain")),
	}
}

func (d *domainDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configureData(req.ProviderData, &resp.Diagnostics)
}

func (d *domainDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	// The data source has exactly the resource's attributes, so it shares
	// its model and the way the model is filled.
	var m domainResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	dom, diags := lookupDomain(ctx, d.data.Client, path.Root("id"), m.ID, m.Domain)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(m.fill(dom)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

// lookupDomain finds the domain a data source names, by its ID (the attribute
// at idPath) or by its name in any spelling, and turns a missing domain into
// an error that says which one was not found.
func lookupDomain(ctx context.Context, c *vastal.Client, idPath path.Path, id, name types.String) (*vastal.Domain, diag.Diagnostics) {
	var diags diag.Diagnostics
	ref, refPath := id.ValueString(), idPath
	if id.IsNull() || id.IsUnknown() {
		// resolveDomainRef validates the name and reports a missing one.
		var rd diag.Diagnostics
		ref, rd = resolveDomainRef(ctx, c, name.ValueString())
		if diags.Append(rd...); diags.HasError() {
			return nil, diags
		}
		refPath = path.Root("domain")
	}
	dom, err := c.GetDomain(ctx, ref)
	switch {
	case errors.Is(err, vastal.ErrNotFound):
		what := "with the ID " + ref
		if refPath.Equal(path.Root("domain")) {
			what = fmt.Sprintf("%s (ID %s) any longer", name.ValueString(), ref)
		}
		diags.AddAttributeError(refPath, "Domain Not Found",
			fmt.Sprintf("The Vastal organization has no domain %s. Check the %s, or create the domain with a vastal_domain resource. "+
				"A data source reads only existing domains; use the resource to manage one.", what, refPath))
		return nil, diags
	case err != nil:
		diags.AddError("Unable to Read Domain",
			fmt.Sprintf("Reading domain %s from the Vastal API failed. Check the provider's API key and endpoint, then run the command again.\n\nError: %s",
				ref, err))
		return nil, diags
	}
	return dom, diags
}
