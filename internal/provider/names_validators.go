package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/vastal/terraform-provider-vastal/internal/names"
)

// domainNameValidator checks a domain name at plan time against the API's rules.
type domainNameValidator struct{}

func (domainNameValidator) Description(context.Context) string {
	return "must be a domain name of at least two labels, each of 1 to 63 letters, digits and inner hyphens"
}

func (v domainNameValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (domainNameValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := names.Domain(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Domain Name",
			err.Error()+". Write the domain as it is registered, for example example.com or bücher.example; "+
				"Unicode names are converted to their punycode (A-label) form.")
	}
}

// localPartValidator checks the local part of an address at plan time.
type localPartValidator struct{}

func (localPartValidator) Description(context.Context) string {
	return "must be 1 to 64 characters: letters, digits and !#$%&'*+/=?^_`{|}~- separated by single dots"
}

func (v localPartValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (localPartValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := names.LocalPart(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Local Part", err.Error()+".")
	}
}

// sameDomainSpelling plans the prior value when the configured domain is
// another spelling of the same name, so RequiresReplace sees no change.
type sameDomainSpelling struct{}

func (sameDomainSpelling) Description(context.Context) string {
	return "keeps the prior value when the new spelling names the same domain"
}

func (m sameDomainSpelling) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (sameDomainSpelling) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	keepPriorIfSame(req, resp, names.Domain)
}

// sameLocalPartSpelling does the same for local parts, which differ only in case.
type sameLocalPartSpelling struct{}

func (sameLocalPartSpelling) Description(context.Context) string {
	return "keeps the prior value when the new spelling differs only in case"
}

func (m sameLocalPartSpelling) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (sameLocalPartSpelling) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	keepPriorIfSame(req, resp, names.LocalPart)
}

func keepPriorIfSame(req planmodifier.StringRequest, resp *planmodifier.StringResponse, canon func(string) (string, error)) {
	if req.StateValue.IsNull() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() {
		return
	}
	a, err1 := canon(req.PlanValue.ValueString())
	b, err2 := canon(req.StateValue.ValueString())
	if err1 == nil && err2 == nil && a == b {
		resp.PlanValue = req.StateValue
	}
}
