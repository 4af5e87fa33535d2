package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vastal/terraform-provider-vastal/internal/dnscheck"
)

var (
	_ datasource.DataSourceWithConfigure        = (*domainDNSRecordsDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*domainDNSRecordsDataSource)(nil)
)

// zoneFileTTL is the TTL of the zone_file lines: an hour, long enough for
// records that never change and short enough to fix a mistake the same day.
const zoneFileTTL = 3600

// NewDomainDNSRecordsDataSource returns the vastal_domain_dns_records data source.
func NewDomainDNSRecordsDataSource() datasource.DataSource {
	return &domainDNSRecordsDataSource{}
}

type domainDNSRecordsDataSource struct {
	data *providerData
}

type domainDNSRecordsModel struct {
	DomainID    types.String `tfsdk:"domain_id"`
	Domain      types.String `tfsdk:"domain"`
	Records     types.Map    `tfsdk:"records"`
	RecordsList types.List   `tfsdk:"records_list"`
	ZoneFile    types.String `tfsdk:"zone_file"`
}

var dnsRecordListAttrTypes = func() map[string]attr.Type {
	m := map[string]attr.Type{"key": types.StringType}
	for k, v := range dnsRecordAttrTypes {
		m[k] = v
	}
	return m
}()

var dnsRecordListObjectType = types.ObjectType{AttrTypes: dnsRecordListAttrTypes}

func (d *domainDNSRecordsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_domain_dns_records"
}

func (d *domainDNSRecordsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	listAttrs := dataSourceDNSRecordAttributes()
	listAttrs["key"] = schema.StringAttribute{MarkdownDescription: "What the record is for: `mx`, `spf`, `dkim1` or `dkim2`.", Computed: true}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The DNS records an existing domain needs, found by `domain_id` or `domain` (exactly one), " +
			"as a map by key, as a list in a stable order, and as zone-file lines to paste into a BIND zone.",
		Attributes: map[string]schema.Attribute{
			"domain_id": schema.StringAttribute{
				MarkdownDescription: "Domain ID, such as `dom_abc123`. Set this or `domain`.",
				Optional:            true,
				Computed:            true,
			},
			"domain": schema.StringAttribute{
				MarkdownDescription: "The domain name, in any spelling (Unicode, upper case, a trailing dot). Set this or `domain_id`. " +
					"After reading it holds the canonical name: IDNA A-labels, lower case, no trailing dot.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{domainNameValidator{}},
			},
			"records": schema.MapNestedAttribute{
				MarkdownDescription: "The records by key, `mx`, `spf`, `dkim1` and `dkim2`: the same map as `vastal_domain.dns_records`.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: dataSourceDNSRecordAttributes()},
			},
			"records_list": schema.ListNestedAttribute{
				MarkdownDescription: "The same records as a list, always in the order `mx`, `spf`, `dkim1`, `dkim2`, each with its `key`.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: listAttrs},
			},
			"zone_file": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("The records as BIND zone-file lines with absolute names and a TTL of %d, "+
					"such as `example.com. %d IN MX 10 mx.vastal.com.`; TXT data is quoted and split into strings of at most 255 bytes.",
					zoneFileTTL, zoneFileTTL),
				Computed: true,
			},
		},
	}
}

func (d *domainDNSRecordsDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("domain_id"), path.MatchRoot("domain")),
	}
}

func (d *domainDNSRecordsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configureData(req.ProviderData, &resp.Diagnostics)
}

func (d *domainDNSRecordsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m domainDNSRecordsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	dom, diags := lookupDomain(ctx, d.data.Client, path.Root("domain_id"), m.DomainID, m.Domain)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	m.DomainID = types.StringValue(dom.ID)
	m.Domain = types.StringValue(dom.Domain)
	// dnsRecordsValue matches the API's records to their keys; the list and
	// the zone file are read back from it so all three always agree.
	m.Records, diags = dnsRecordsValue(dom.Domain, dom.DNSRecords)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	recs := recordsFromMap(m.Records)
	m.RecordsList, diags = dnsRecordsListValue(recs)
	resp.Diagnostics.Append(diags...)
	m.ZoneFile = types.StringValue(zoneFile(recs, zoneFileTTL))
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

// recordsFromMap reads a dns_records map (as dnsRecordsValue builds it) back
// into records in the stable order of dnscheck.Keys, skipping missing keys.
func recordsFromMap(m types.Map) []dnscheck.Requirement {
	elems := m.Elements()
	out := make([]dnscheck.Requirement, 0, len(dnscheck.Keys))
	for _, key := range dnscheck.Keys {
		obj, ok := elems[key].(types.Object)
		if !ok {
			continue
		}
		a := obj.Attributes()
		str := func(name string) string {
			s, _ := a[name].(types.String)
			return s.ValueString()
		}
		r := dnscheck.Requirement{Key: key, Type: str("type"), Name: str("name"), Host: str("host"), Value: str("value")}
		if p, ok := a["priority"].(types.Int64); ok && !p.IsNull() && !p.IsUnknown() {
			r.Priority = int(p.ValueInt64())
		}
		out = append(out, r)
	}
	return out
}

func dnsRecordsListValue(recs []dnscheck.Requirement) (types.List, diag.Diagnostics) {
	elems := make([]attr.Value, 0, len(recs))
	for _, r := range recs {
		priority := types.Int64Null()
		if r.Type == "MX" {
			priority = types.Int64Value(int64(r.Priority))
		}
		obj, diags := types.ObjectValue(dnsRecordListAttrTypes, map[string]attr.Value{
			"key":      types.StringValue(r.Key),
			"type":     types.StringValue(r.Type),
			"name":     types.StringValue(r.Name),
			"host":     types.StringValue(r.Host),
			"value":    types.StringValue(r.Value),
			"priority": priority,
		})
		if diags.HasError() {
			return types.ListNull(dnsRecordListObjectType), diags
		}
		elems = append(elems, obj)
	}
	return types.ListValue(dnsRecordListObjectType, elems)
}

// zoneFile renders records as BIND master-file lines (RFC 1035 section 5.1),
// one per record, with absolute owner names and targets so that the lines
// mean the same under any $ORIGIN.
func zoneFile(recs []dnscheck.Requirement, ttl uint32) string {
	var b strings.Builder
	for _, r := range recs {
		typ := strings.ToUpper(r.Type)
		fmt.Fprintf(&b, "%s %d IN %s ", fqdn(r.Name), ttl, typ)
		switch typ {
		case "MX":
			fmt.Fprintf(&b, "%d %s", r.Priority, fqdn(r.Value))
		case "CNAME", "NS", "PTR":
			b.WriteString(fqdn(r.Value))
		case "TXT", "SPF":
			b.WriteString(txtData(r.Value))
		default:
			b.WriteString(r.Value)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func fqdn(name string) string {
	if strings.HasSuffix(name, ".") {
		return name
	}
	return name + "."
}

// maxTXTString is the longest character-string of a TXT record (RFC 1035
// section 3.3): one length byte.
const maxTXTString = 255

// txtData quotes s as the character-strings of one TXT record, split into
// pieces of at most 255 bytes, as DNS servers and resolvers join them again.
func txtData(s string) string {
	if s == "" {
		return `""`
	}
	var parts []string
	for len(s) > 0 {
		n := min(len(s), maxTXTString)
		parts = append(parts, quoteTXT(s[:n]))
		s = s[n:]
	}
	return strings.Join(parts, " ")
}

// quoteTXT escapes a character-string for a zone file: quotes and
// backslashes get a backslash, bytes outside printable ASCII become \DDD so
// the line survives any editor and splitting mid-rune stays harmless.
func quoteTXT(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < ' ' || c > '~':
			fmt.Fprintf(&b, "\\%03d", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
