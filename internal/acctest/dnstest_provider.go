package acctest

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/miekg/dns"
)

// NewDNSTestProvider returns a test-only provider, "dnstest", whose
// dnstest_record resource writes records into a DNS server on loopback with
// RFC 2136 updates, standing in for a user's DNS provider (Route 53,
// Cloudflare, hashicorp/dns) in the whole-chain tests.
func NewDNSTestProvider() provider.Provider { return &dnsTestProvider{} }

type dnsTestProvider struct{}

func (p *dnsTestProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "dnstest"
}

func (p *dnsTestProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = pschema.Schema{}
}

func (p *dnsTestProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (p *dnsTestProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return &dnsRecordResource{} }}
}

func (p *dnsTestProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

type dnsRecordResource struct{}

type dnsRecordModel struct {
	ID      types.String `tfsdk:"id"`
	Server  types.String `tfsdk:"server"`
	Zone    types.String `tfsdk:"zone"`
	Name    types.String `tfsdk:"name"`
	Type    types.String `tfsdk:"type"`
	TTL     types.Int64  `tfsdk:"ttl"`
	Records types.List   `tfsdk:"records"`
	FQDN    types.String `tfsdk:"fqdn"`
}

func (r *dnsRecordResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = "dnstest_record"
}

func (r *dnsRecordResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		Attributes: map[string]schema.Attribute{
			"id":      schema.StringAttribute{Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"server":  schema.StringAttribute{Required: true, PlanModifiers: replace},
			"zone":    schema.StringAttribute{Required: true, PlanModifiers: replace},
			"name":    schema.StringAttribute{Required: true, PlanModifiers: replace, Description: "FQDN of the record"},
			"type":    schema.StringAttribute{Required: true, PlanModifiers: replace},
			"ttl":     schema.Int64Attribute{Optional: true, Computed: true, Default: int64default.StaticInt64(60)},
			"records": schema.ListAttribute{Required: true, ElementType: types.StringType, PlanModifiers: []planmodifier.List{listplanmodifier.RequiresReplace()}, Description: "RDATA in presentation format"},
			"fqdn":    schema.StringAttribute{Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
		},
	}
}

func (r *dnsRecordResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m dnsRecordModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var rdata []string
	resp.Diagnostics.Append(m.Records.ElementsAs(ctx, &rdata, false)...)
	if err := sendUpdate(m, rdata, false); err != nil {
		resp.Diagnostics.AddError("DNS Update Failed", err.Error())
		return
	}
	fqdn := strings.TrimSuffix(strings.ToLower(m.Name.ValueString()), ".")
	m.FQDN = types.StringValue(fqdn)
	m.ID = types.StringValue(fqdn + "/" + strings.ToUpper(m.Type.ValueString()))
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

func (r *dnsRecordResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
}

func (r *dnsRecordResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m dnsRecordModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

func (r *dnsRecordResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m dnsRecordModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := sendUpdate(m, nil, true); err != nil {
		resp.Diagnostics.AddAttributeWarning(path.Root("name"), "DNS Delete Failed", err.Error())
	}
}

// sendUpdate replaces (or with remove, deletes) the RRset with an RFC 2136 update.
func sendUpdate(m dnsRecordModel, rdata []string, remove bool) error {
	server := m.Server.ValueString()
	host, _, err := net.SplitHostPort(server)
	if err != nil || !net.ParseIP(host).IsLoopback() {
		return fmt.Errorf("dnstest writes only to loopback servers, not %q", server)
	}
	zone := dns.Fqdn(m.Zone.ValueString())
	name := dns.Fqdn(m.Name.ValueString())
	typ := strings.ToUpper(m.Type.ValueString())
	rrtype, ok := dns.StringToType[typ]
	if !ok {
		return fmt.Errorf("unknown record type %q", typ)
	}
	msg := new(dns.Msg)
	msg.SetUpdate(zone)
	msg.RemoveRRset([]dns.RR{&dns.ANY{Hdr: dns.RR_Header{Name: name, Rrtype: rrtype, Class: dns.ClassINET}}})
	if !remove {
		rrs := make([]dns.RR, 0, len(rdata))
		for _, v := range rdata {
			rr, err := dns.NewRR(fmt.Sprintf("%s %d IN %s %s", name, m.TTL.ValueInt64(), typ, v))
			if err != nil {
				return fmt.Errorf("record %s %s %q: %w", name, typ, v, err)
			}
			rrs = append(rrs, rr)
		}
		msg.Insert(rrs)
	}
	c := &dns.Client{Net: "tcp", Timeout: 5 * time.Second}
	in, _, err := c.Exchange(msg, server)
	if err != nil {
		return fmt.Errorf("update of %s %s at %s: %w", name, typ, server, err)
	}
	if in.Rcode != dns.RcodeSuccess {
		return fmt.Errorf("update of %s %s at %s: %s", name, typ, server, dns.RcodeToString[in.Rcode])
	}
	return nil
}
