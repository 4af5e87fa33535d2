// Package provider implements the Vastal Terraform provider: its
// configuration, resources, data sources and functions.
package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ provider.Provider              = (*vastalProvider)(nil)
	_ provider.ProviderWithFunctions = (*vastalProvider)(nil)
)

// New returns a constructor of the provider for the given version.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &vastalProvider{version: version}
	}
}

type vastalProvider struct {
	version string
}

type providerModel struct {
	APIKey   types.String   `tfsdk:"api_key"`
	Endpoint types.String   `tfsdk:"endpoint"`
	Embedded *embeddedModel `tfsdk:"embedded"`
	DNS      *dnsModel      `tfsdk:"dns"`
}

type embeddedModel struct {
	Path types.String `tfsdk:"path"`
}

type dnsModel struct {
	Resolvers   types.List   `tfsdk:"resolvers"`
	Nameservers types.List   `tfsdk:"nameservers"`
	Timeout     types.String `tfsdk:"timeout"`
}

func (p *vastalProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "vastal"
	resp.Version = p.version
}

func (p *vastalProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Manage the custom sending domains and email addresses of the Vastal email service.",
		MarkdownDescription: "Manage the custom sending domains and email addresses of the Vastal email service. " +
			"Talks to the hosted API with an `api_key`, or to the embedded backend (a local SQLite file) with `embedded`.",
		Attributes: map[string]schema.Attribute{
			"api_key": schema.StringAttribute{
				MarkdownDescription: "API key of the Vastal organization, sent as a bearer token. May also be set with `VASTAL_API_KEY`. " +
					"Selects the hosted API; conflicts with `embedded`.",
				Optional:  true,
				Sensitive: true,
			},
			"endpoint": schema.StringAttribute{
				MarkdownDescription: "Base URL of the Vastal API. May also be set with `VASTAL_ENDPOINT`. Defaults to `" + defaultEndpoint + "`. " +
					"Must be `https://`, except for loopback addresses.",
				Optional: true,
			},
			"embedded": schema.SingleNestedAttribute{
				MarkdownDescription: "Use the embedded backend: a complete implementation of the Vastal API that keeps its data in a local SQLite file " +
					"and runs real DNS checks. Setting `VASTAL_EMBEDDED_PATH` selects it too. Conflicts with `api_key` and `endpoint`.",
				Optional: true,
				Attributes: map[string]schema.Attribute{
					"path": schema.StringAttribute{
						MarkdownDescription: "Path of the SQLite file, created with its folder when missing. May also be set with `VASTAL_EMBEDDED_PATH`. " +
							"Defaults to `" + defaultEmbeddedPath + "` under the working directory.",
						Optional: true,
					},
				},
			},
			"dns": schema.SingleNestedAttribute{
				MarkdownDescription: "How DNS checks find and ask the authoritative name servers of a domain.",
				Optional:            true,
				Attributes: map[string]schema.Attribute{
					"resolvers": schema.ListAttribute{
						MarkdownDescription: "Recursive resolvers (`host:port`) used only to discover a zone's authoritative servers. " +
							"May also be set with `VASTAL_DNS_RESOLVERS` (comma-separated). Defaults to those of `/etc/resolv.conf`.",
						ElementType: types.StringType,
						Optional:    true,
					},
					"nameservers": schema.ListAttribute{
						MarkdownDescription: "Authoritative servers (`host:port`) to ask directly, skipping discovery. " +
							"May also be set with `VASTAL_DNS_NAMESERVERS` (comma-separated).",
						ElementType: types.StringType,
						Optional:    true,
					},
					"timeout": schema.StringAttribute{
						MarkdownDescription: "Timeout of one DNS query, as a Go duration. Defaults to `2s`.",
						Optional:            true,
					},
				},
			},
		},
	}
}

func (p *vastalProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	s, diags := resolveSettings(ctx, cfg, lookupEnv)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if s.NoBackend {
		unconfigured := &providerData{Unconfigured: noBackendChosen()}
		resp.ResourceData = unconfigured
		resp.DataSourceData = unconfigured
		return
	}
	data, err := newProviderData(s, p.version)
	if err != nil {
		resp.Diagnostics.AddError("Unable to Configure the Vastal Provider",
			"The provider could not set up its API client from the configuration. "+
				"Check the provider block and the VASTAL_* environment variables.\n\nError: "+err.Error())
		return
	}
	resp.ResourceData = data
	resp.DataSourceData = data
}

func (p *vastalProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewDomainResource,
		NewDomainVerificationResource,
		NewEmailAddressResource,
	}
}

func (p *vastalProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewDomainDataSource,
		NewDomainDNSRecordsDataSource,
		NewDomainsDataSource,
		NewEmailAddressesDataSource,
	}
}

func (p *vastalProvider) Functions(_ context.Context) []func() function.Function {
	return []func() function.Function{
		NewSPFMergeFunction,
		NewSPFMergeAllFunction,
	}
}
