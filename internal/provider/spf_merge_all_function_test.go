package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func stringList(t *testing.T, vals ...attr.Value) types.List {
	t.Helper()
	l, diags := types.ListValue(types.StringType, vals)
	if diags.HasError() {
		t.Fatal(diags)
	}
	return l
}

func strs(ss ...string) []attr.Value {
	out := make([]attr.Value, len(ss))
	for i, s := range ss {
		out[i] = types.StringValue(s)
	}
	return out
}

func TestSPFMergeAllFunction_Metadata(t *testing.T) {
	var resp function.MetadataResponse
	NewSPFMergeAllFunction().Metadata(context.Background(), function.MetadataRequest{}, &resp)
	if resp.Name != "spf_merge_all" {
		t.Errorf("Name = %q", resp.Name)
	}
	var def function.DefinitionResponse
	NewSPFMergeAllFunction().Definition(context.Background(), function.DefinitionRequest{}, &def)
	var vr function.DefinitionValidateResponse
	def.Definition.ValidateImplementation(context.Background(), function.DefinitionValidateRequest{FuncName: "spf_merge_all"}, &vr)
	if diags := vr.Diagnostics; diags.HasError() {
		t.Errorf("ValidateImplementation: %v", diags)
	}
}

func TestSPFMergeAllFunction_Run(t *testing.T) {
	tests := map[string]struct {
		in   []attr.Value
		want string
	}{
		"empty list":     {nil, "v=spf1 include:_spf.vastal.com ~all"},
		"no SPF":         {strs("google-site-verification=abc", "v=spf10 -all", "v=DMARC1; p=none"), "v=spf1 include:_spf.vastal.com ~all"},
		"null ignored":   {[]attr.Value{types.StringNull(), types.StringValue("v=spf1 mx -all")}, "v=spf1 mx include:_spf.vastal.com -all"},
		"one SPF record": {strs("ms=123", "v=spf1 include:other.example exp=x.example ~all"), "v=spf1 include:other.example exp=x.example include:_spf.vastal.com ~all"},
		"two SPF records merged in order": {
			strs("v=spf1 include:_spf.google.com ~all", "google-site-verification=abc", "v=spf1 ip4:192.0.2.0/24 ~all"),
			"v=spf1 include:_spf.google.com ip4:192.0.2.0/24 include:_spf.vastal.com ~all"},
		"vastal already in one of them": {
			strs("v=spf1 ~include:_spf.vastal.com ~all", "v=spf1 mx ~all"),
			"v=spf1 include:_spf.vastal.com mx ~all"},
		"a record without all": {strs("v=spf1 a", "v=spf1 mx -all"), "v=spf1 a mx include:_spf.vastal.com -all"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, ferr := runFunction(t, NewSPFMergeAllFunction(), stringList(t, tc.in...))
			if ferr != nil {
				t.Fatalf("error: %v", ferr)
			}
			if !got.Equal(types.StringValue(tc.want)) {
				t.Errorf("got %v, want %q", got, tc.want)
			}
		})
	}
}

func TestSPFMergeAllFunction_Run_unknownElement(t *testing.T) {
	got, ferr := runFunction(t, NewSPFMergeAllFunction(), stringList(t, types.StringValue("v=spf1 -all"), types.StringUnknown()))
	if ferr != nil || !got.IsUnknown() {
		t.Errorf("got %v, %v; want an unknown result", got, ferr)
	}
}

func TestSPFMergeAllFunction_Run_errors(t *testing.T) {
	tests := map[string]struct {
		in   []attr.Value
		want []string
	}{
		"alls disagree": {strs("v=spf1 a ~all", "txt", "v=spf1 mx -all"), []string{
			`element 0 has "~all" and element 2 has "-all"`, "replace()"}},
		"redirect disabled": {strs("v=spf1 redirect=_spf.example.com", "v=spf1 mx -all"), []string{
			`element 0 has "redirect=_spf.example.com" and element 1 has "-all"`, "include:_spf.example.com"}},
		"syntax error names the element": {strs("x", "v=spf1 a:localhost -all"), []string{
			"Element 1 of records", "at character 10", "fully qualified", "\n    v=spf1 a:localhost -all\n             ^"}},
		"quoted SPF not ignored": {strs(`"v=spf1 include:other.example ~all"`), []string{"Element 0", "quotes"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, ferr := runFunction(t, NewSPFMergeAllFunction(), stringList(t, tc.in...))
			if ferr == nil {
				t.Fatal("no error")
			}
			if ferr.FunctionArgument == nil || *ferr.FunctionArgument != 0 {
				t.Errorf("FunctionArgument = %v, want 0", ferr.FunctionArgument)
			}
			if strings.HasSuffix(ferr.Text, ".") {
				t.Errorf("error %q ends with a period; Terraform adds its own", ferr.Text)
			}
			for _, w := range tc.want {
				if !strings.Contains(ferr.Text, w) {
					t.Errorf("error %q does not contain %q", ferr.Text, w)
				}
			}
		})
	}
}
