package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// runFunction calls f with args as Terraform would and returns its result
// and error.
func runFunction(t *testing.T, f function.Function, args ...attr.Value) (attr.Value, *function.FuncError) {
	t.Helper()
	resp := function.RunResponse{Result: function.NewResultData(types.StringUnknown())}
	f.Run(context.Background(), function.RunRequest{Arguments: function.NewArgumentsData(args)}, &resp)
	return resp.Result.Value(), resp.Error
}

func TestSPFMergeFunction_Metadata(t *testing.T) {
	var resp function.MetadataResponse
	NewSPFMergeFunction().Metadata(context.Background(), function.MetadataRequest{}, &resp)
	if resp.Name != "spf_merge" {
		t.Errorf("Name = %q", resp.Name)
	}
	var def function.DefinitionResponse
	NewSPFMergeFunction().Definition(context.Background(), function.DefinitionRequest{}, &def)
	if def.Diagnostics.HasError() || len(def.Definition.Parameters) != 1 || def.Definition.Parameters[0].GetName() != "existing" {
		t.Errorf("Definition = %+v, %v", def.Definition, def.Diagnostics)
	}
	var vr function.DefinitionValidateResponse
	def.Definition.ValidateImplementation(context.Background(), function.DefinitionValidateRequest{FuncName: "spf_merge"}, &vr)
	if diags := vr.Diagnostics; diags.HasError() {
		t.Errorf("ValidateImplementation: %v", diags)
	}
}

func TestSPFMergeFunction_Run(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"empty":             {"", "v=spf1 include:_spf.vastal.com ~all"},
		"blank":             {"  ", "v=spf1 include:_spf.vastal.com ~all"},
		"other provider":    {"v=spf1 include:other.example ~all", "v=spf1 include:other.example include:_spf.vastal.com ~all"},
		"already there":     {"v=spf1 include:_spf.vastal.com -all", "v=spf1 include:_spf.vastal.com -all"},
		"softfail include":  {"v=spf1 ~include:_spf.vastal.com ~all", "v=spf1 include:_spf.vastal.com ~all"},
		"include after all": {"v=spf1 mx -all include:_spf.vastal.com", "v=spf1 mx include:_spf.vastal.com -all"},
		"no all":            {"V=SPF1 A redirect=_spf.example.com", "v=spf1 a include:_spf.vastal.com redirect=_spf.example.com"},
		"duplicates":        {"v=spf1 mx mx ~all", "v=spf1 mx include:_spf.vastal.com ~all"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, ferr := runFunction(t, NewSPFMergeFunction(), types.StringValue(tc.in))
			if ferr != nil {
				t.Fatalf("error: %v", ferr)
			}
			if !got.Equal(types.StringValue(tc.want)) {
				t.Errorf("got %v, want %q", got, tc.want)
			}
		})
	}
}

func TestSPFMergeFunction_Run_errors(t *testing.T) {
	tests := map[string]struct {
		in   string
		want []string
	}{
		"syntax error with caret": {"v=spf1 a foo:bar.example ~all", []string{
			"at character 10, unknown mechanism \"foo\"", "\n    v=spf1 a foo:bar.example ~all\n             ^\n"}},
		"quoted":        {`"v=spf1 -all"`, []string{"quotes"}},
		"not SPF":       {"google-site-verification=abc", []string{"must begin with v=spf1", "spf_merge_all"}},
		"spf10":         {"v=spf10 -all", []string{"followed by a space"}},
		"bad ip4":       {"v=spf1 ip4:192.0.2.300 -all", []string{"at character 12, \"192.0.2.300\" is not an IPv4 address"}},
		"two redirects": {"v=spf1 redirect=a.example redirect=b.example", []string{"at character 27", "more than once"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, ferr := runFunction(t, NewSPFMergeFunction(), types.StringValue(tc.in))
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
