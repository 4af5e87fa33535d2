package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vastal/terraform-provider-vastal/internal/dnscheck"
)

func TestResolveSettings(t *testing.T) {
	strList := func(s ...string) types.List {
		v := make([]attr.Value, len(s))
		for i := range s {
			v[i] = types.StringValue(s[i])
		}
		return types.ListValueMust(types.StringType, v)
	}
	noDNS := dnscheck.Config{Timeout: 2 * time.Second}
	cases := map[string]struct {
		cfg     providerModel
		env     map[string]string
		want    settings
		wantErr string
	}{
		"api key from config": {
			cfg:  providerModel{APIKey: types.StringValue("k1")},
			want: settings{APIKey: "k1", Endpoint: defaultEndpoint, DNS: noDNS},
		},
		"api key and endpoint from env": {
			env:  map[string]string{"VASTAL_API_KEY": "k2", "VASTAL_ENDPOINT": "http://127.0.0.1:8080"},
			want: settings{APIKey: "k2", Endpoint: "http://127.0.0.1:8080", DNS: noDNS},
		},
		"config wins over env": {
			cfg:  providerModel{APIKey: types.StringValue("cfg"), Endpoint: types.StringValue("https://eu.api.vastal.com")},
			env:  map[string]string{"VASTAL_API_KEY": "env", "VASTAL_ENDPOINT": "https://other"},
			want: settings{APIKey: "cfg", Endpoint: "https://eu.api.vastal.com", DNS: noDNS},
		},
		"embedded block with default path": {
			cfg:  providerModel{Embedded: &embeddedModel{Path: types.StringNull()}},
			want: settings{Embedded: true, EmbeddedPath: defaultEmbeddedPath, Endpoint: defaultEndpoint, DNS: noDNS},
		},
		"embedded path from env alone selects it": {
			env:  map[string]string{"VASTAL_EMBEDDED_PATH": "/tmp/x.db"},
			want: settings{Embedded: true, EmbeddedPath: "/tmp/x.db", Endpoint: defaultEndpoint, DNS: noDNS},
		},
		"dns settings": {
			cfg: providerModel{Embedded: &embeddedModel{Path: types.StringValue("a.db")}, DNS: &dnsModel{
				Resolvers: strList("127.0.0.1:53"), Nameservers: strList("127.0.0.1:5300", "[::1]:5300"), Timeout: types.StringValue("750ms"),
			}},
			want: settings{Embedded: true, EmbeddedPath: "a.db", Endpoint: defaultEndpoint, DNS: dnscheck.Config{
				Resolvers: []string{"127.0.0.1:53"}, Nameservers: []string{"127.0.0.1:5300", "[::1]:5300"}, Timeout: 750 * time.Millisecond,
			}},
		},
		"dns from env": {
			cfg: providerModel{APIKey: types.StringValue("k")},
			env: map[string]string{"VASTAL_DNS_RESOLVERS": "127.0.0.1:53, 127.0.0.2:53", "VASTAL_DNS_NAMESERVERS": "127.0.0.1:5300"},
			want: settings{APIKey: "k", Endpoint: defaultEndpoint, DNS: dnscheck.Config{
				Resolvers: []string{"127.0.0.1:53", "127.0.0.2:53"}, Nameservers: []string{"127.0.0.1:5300"}, Timeout: 2 * time.Second,
			}},
		},
		"nothing chosen is left to resources": {want: settings{Endpoint: defaultEndpoint, DNS: noDNS, NoBackend: true}},
		"key and embedded":                    {cfg: providerModel{APIKey: types.StringValue("k"), Embedded: &embeddedModel{}}, wantErr: "Conflicting Vastal Backends"},
		"env key and embedded":                {cfg: providerModel{Embedded: &embeddedModel{}}, env: map[string]string{"VASTAL_API_KEY": "k"}, wantErr: "Conflicting Vastal Backends"},
		"endpoint and embedded":               {cfg: providerModel{Endpoint: types.StringValue("https://x"), Embedded: &embeddedModel{}}, wantErr: "Conflicting Vastal Backends"},
		"http beyond loopback":                {cfg: providerModel{APIKey: types.StringValue("k"), Endpoint: types.StringValue("http://api.vastal.com")}, wantErr: "Invalid Vastal Endpoint"},
		"http private address":                {cfg: providerModel{APIKey: types.StringValue("k"), Endpoint: types.StringValue("http://10.0.0.1:80")}, wantErr: "Invalid Vastal Endpoint"},
		"ftp endpoint":                        {cfg: providerModel{APIKey: types.StringValue("k"), Endpoint: types.StringValue("ftp://127.0.0.1")}, wantErr: "Invalid Vastal Endpoint"},
		"unknown api key":                     {cfg: providerModel{APIKey: types.StringUnknown()}, wantErr: "Unknown Vastal API Key"},
		"bad nameserver address":              {cfg: providerModel{APIKey: types.StringValue("k"), DNS: &dnsModel{Nameservers: strList("127.0.0.1")}}, wantErr: "Invalid DNS Server Address"},
		"bad timeout":                         {cfg: providerModel{APIKey: types.StringValue("k"), DNS: &dnsModel{Timeout: types.StringValue("soon")}}, wantErr: "Invalid DNS Timeout"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if tc.cfg.APIKey == (types.String{}) {
				tc.cfg.APIKey = types.StringNull()
			}
			if tc.cfg.Endpoint == (types.String{}) {
				tc.cfg.Endpoint = types.StringNull()
			}
			if tc.cfg.DNS != nil {
				if tc.cfg.DNS.Resolvers.ElementType(context.Background()) == nil {
					tc.cfg.DNS.Resolvers = types.ListNull(types.StringType)
				}
				if tc.cfg.DNS.Nameservers.ElementType(context.Background()) == nil {
					tc.cfg.DNS.Nameservers = types.ListNull(types.StringType)
				}
				if tc.cfg.DNS.Timeout == (types.String{}) {
					tc.cfg.DNS.Timeout = types.StringNull()
				}
			}
			got, diags := resolveSettings(context.Background(), tc.cfg, func(k string) string { return tc.env[k] })
			if tc.wantErr != "" {
				if !diags.HasError() {
					t.Fatalf("want error %q, got none", tc.wantErr)
				}
				var all []string
				for _, d := range diags.Errors() {
					all = append(all, d.Summary())
				}
				if !strings.Contains(strings.Join(all, "|"), tc.wantErr) {
					t.Fatalf("want error %q, got %v", tc.wantErr, all)
				}
				return
			}
			if diags.HasError() {
				t.Fatalf("unexpected errors: %v", diags)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("settings (-want +got):\n%s", diff)
			}
		})
	}
}
