package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

var _ datasource.DataSourceWithConfigure = (*emailAddressesDataSource)(nil)

// NewEmailAddressesDataSource returns the vastal_email_addresses data source.
func NewEmailAddressesDataSource() datasource.DataSource {
	return &emailAddressesDataSource{}
}

type emailAddressesDataSource struct {
	data *providerData
}

type emailAddressesModel struct {
	DomainID  types.String            `tfsdk:"domain_id"`
	Addresses []emailAddressItemModel `tfsdk:"addresses"`
	Primary   *emailAddressItemModel  `tfsdk:"primary"`
}

type emailAddressItemModel struct {
	ID        types.String `tfsdk:"id"`
	Address   types.String `tfsdk:"address"`
	LocalPart types.String `tfsdk:"local_part"`
	IsPrimary types.Bool   `tfsdk:"is_primary"`
	CreatedAt types.String `tfsdk:"created_at"`
}

func (d *emailAddressesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_email_addresses"
}

func emailAddressItemAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id":         schema.StringAttribute{MarkdownDescription: "Address ID, such as `email_001`.", Computed: true},
		"address":    schema.StringAttribute{MarkdownDescription: "The full address, lower case.", Computed: true},
		"local_part": schema.StringAttribute{MarkdownDescription: "The part before the `@`, lower case.", Computed: true},
		"is_primary": schema.BoolAttribute{MarkdownDescription: "Whether this is the domain's primary address.", Computed: true},
		"created_at": schema.StringAttribute{MarkdownDescription: "When the address was created (RFC 3339).", Computed: true},
	}
}

func (d *emailAddressesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The email addresses of an existing domain, oldest first, and its primary address.",
		Attributes: map[string]schema.Attribute{
			"domain_id": schema.StringAttribute{
				MarkdownDescription: "ID of the domain, such as `dom_abc123`.",
				Required:            true,
			},
			"addresses": schema.ListNestedAttribute{
				MarkdownDescription: "The domain's addresses in the API's order, oldest first; an empty list when it has none.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: emailAddressItemAttributes()},
			},
			"primary": schema.SingleNestedAttribute{
				MarkdownDescription: "The domain's primary address, or null when it has none.",
				Computed:            true,
				Attributes:          emailAddressItemAttributes(),
			},
		},
	}
}

func (d *emailAddressesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configureData(req.ProviderData, &resp.Diagnostics)
}

func (d *emailAddressesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m emailAddressesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	domainID := m.DomainID.ValueString()
	list, err := d.data.Client.ListEmailAddresses(ctx, domainID)
	switch {
	case errors.Is(err, vastal.ErrNotFound):
		resp.Diagnostics.AddAttributeError(path.Root("domain_id"), "Domain Not Found",
			fmt.Sprintf("The Vastal organization has no domain with the ID %s, so it has no addresses to list. "+
				"Check domain_id; a vastal_domain resource or data source gives a domain's id.", domainID))
		return
	case err != nil:
		resp.Diagnostics.AddError("Unable to List Email Addresses",
			fmt.Sprintf("Listing the addresses of domain %s failed. Check the provider's API key and endpoint, then run the command again.\n\nError: %s",
				domainID, err))
		return
	}
	m.Addresses, m.Primary = emailAddressItems(list)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

// emailAddressItems keeps the API's order (oldest first) and picks out the
// primary address; the list is never nil so that "none" is empty, not null.
func emailAddressItems(list []vastal.EmailAddress) ([]emailAddressItemModel, *emailAddressItemModel) {
	out := make([]emailAddressItemModel, 0, len(list))
	var primary *emailAddressItemModel
	for _, a := range list {
		local, _, _ := strings.Cut(a.Address, "@")
		item := emailAddressItemModel{
			ID:        types.StringValue(a.ID),
			Address:   types.StringValue(a.Address),
			LocalPart: types.StringValue(local),
			IsPrimary: types.BoolValue(a.IsPrimary),
			CreatedAt: types.StringValue(a.CreatedAt.UTC().Format(time.RFC3339)),
		}
		out = append(out, item)
		if a.IsPrimary && primary == nil {
			primary = &item
		}
	}
	return out, primary
}
