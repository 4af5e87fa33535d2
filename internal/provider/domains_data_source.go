package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

var _ datasource.DataSourceWithConfigure = (*domainsDataSource)(nil)

// NewDomainsDataSource returns the vastal_domains data source.
func NewDomainsDataSource() datasource.DataSource {
	return &domainsDataSource{}
}

type domainsDataSource struct {
	data *providerData
}

type domainsModel struct {
	Status  types.String       `tfsdk:"status"`
	Domains []domainsItemModel `tfsdk:"domains"`
}

type domainsItemModel struct {
	ID            types.String `tfsdk:"id"`
	Domain        types.String `tfsdk:"domain"`
	Status        types.String `tfsdk:"status"`
	Type          types.String `tfsdk:"type"`
	DNSConfigured types.Bool   `tfsdk:"dns_configured"`
	MXVerified    types.Bool   `tfsdk:"mx_verified"`
	SPFVerified   types.Bool   `tfsdk:"spf_verified"`
	DKIMVerified  types.Bool   `tfsdk:"dkim_verified"`
	VerifiedAt    types.String `tfsdk:"verified_at"`
	CreatedAt     types.String `tfsdk:"created_at"`
}

func (d *domainsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_domains"
}

func (d *domainsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "All custom sending domains of the Vastal organization, oldest first, optionally only those of one `status`.",
		Attributes: map[string]schema.Attribute{
			"status": schema.StringAttribute{
				MarkdownDescription: "Only domains with this status: `pending`, `active` or `failed`. All domains when unset.",
				Optional:            true,
				Validators: []validator.String{
					stringvalidator.OneOf(vastal.StatusPending, vastal.StatusActive, vastal.StatusFailed),
				},
			},
			"domains": schema.ListNestedAttribute{
				MarkdownDescription: "The domains, oldest first; an empty list when there are none.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id":             schema.StringAttribute{MarkdownDescription: "Domain ID, such as `dom_abc123`.", Computed: true},
						"domain":         schema.StringAttribute{MarkdownDescription: "The canonical domain name: IDNA A-labels, lower case, no trailing dot.", Computed: true},
						"status":         schema.StringAttribute{MarkdownDescription: "`pending`, `active` or `failed`.", Computed: true},
						"type":           schema.StringAttribute{MarkdownDescription: "How the domain came to the organization, such as `imported`.", Computed: true},
						"dns_configured": schema.BoolAttribute{MarkdownDescription: "Whether every required record has been seen at least once.", Computed: true},
						"mx_verified":    schema.BoolAttribute{MarkdownDescription: "Whether the MX record passed the last check.", Computed: true},
						"spf_verified":   schema.BoolAttribute{MarkdownDescription: "Whether the SPF record passed the last check.", Computed: true},
						"dkim_verified":  schema.BoolAttribute{MarkdownDescription: "Whether both DKIM records passed the last check.", Computed: true},
						"verified_at":    schema.StringAttribute{MarkdownDescription: "When the domain was verified (RFC 3339), or null while it is not.", Computed: true},
						"created_at":     schema.StringAttribute{MarkdownDescription: "When the domain was added (RFC 3339).", Computed: true},
					},
				},
			},
		},
	}
}

func (d *domainsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configureData(req.ProviderData, &resp.Diagnostics)
}

func (d *domainsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m domainsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	list, err := d.data.Client.ListDomains(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Unable to List Domains",
			fmt.Sprintf("Listing the domains of the Vastal organization failed. Check the provider's API key and endpoint, then run the command again.\n\nError: %s", err))
		return
	}
	m.Domains = filterDomains(list, m.Status.ValueString())
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

// filterDomains keeps the API's order and, with a status, only the domains
// in it; the result is never nil so that "none" is an empty list, not null.
func filterDomains(list []vastal.Domain, status string) []domainsItemModel {
	out := make([]domainsItemModel, 0, len(list))
	for _, dom := range list {
		if status != "" && dom.Status != status {
			continue
		}
		out = append(out, domainsItemModel{
			ID:            types.StringValue(dom.ID),
			Domain:        types.StringValue(dom.Domain),
			Status:        types.StringValue(dom.Status),
			Type:          types.StringValue(dom.Type),
			DNSConfigured: types.BoolValue(dom.DNSConfigured),
			MXVerified:    types.BoolValue(dom.MXVerified),
			SPFVerified:   types.BoolValue(dom.SPFVerified),
			DKIMVerified:  types.BoolValue(dom.DKIMVerified),
			VerifiedAt:    timeValue(dom.VerifiedAt),
			CreatedAt:     types.StringValue(dom.CreatedAt.UTC().Format(time.RFC3339)),
		})
	}
	return out
}
