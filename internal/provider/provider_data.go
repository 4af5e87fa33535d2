package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// configureData is the checked type assertion every resource and data
// source makes in Configure; nil before the provider is configured.
func configureData(pd any, diags *diag.Diagnostics) *providerData {
	if pd == nil {
		return nil
	}
	d, ok := pd.(*providerData)
	if !ok {
		diags.AddError("Unexpected Provider Data",
			fmt.Sprintf("Expected *provider.providerData, got %T. This is a bug in the provider; please report it.", pd))
		return nil
	}
	if d.Unconfigured != nil {
		diags.Append(d.Unconfigured)
		return nil
	}
	return d
}
