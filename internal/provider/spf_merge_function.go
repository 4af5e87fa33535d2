package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/vastal/terraform-provider-vastal/internal/dnscheck"
	"github.com/vastal/terraform-provider-vastal/internal/spf"
)

var _ function.Function = (*spfMergeFunction)(nil)

// NewSPFMergeFunction returns the spf_merge function.
func NewSPFMergeFunction() function.Function {
	return &spfMergeFunction{}
}

type spfMergeFunction struct{}

func (f *spfMergeFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "spf_merge"
}

func (f *spfMergeFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Merge Vastal's include into an existing SPF record",
		MarkdownDescription: "Returns the SPF record to publish at a domain's apex so that Vastal may send its mail, keeping " +
			"every sender the existing record already allows. A domain may have only one SPF record (two make receivers " +
			"return `permerror`), so a domain that also sends through another provider needs one merged record.\n\n" +
			"An empty `existing` gives `" + dnscheck.SPFRecord + "`. Otherwise `include:" + dnscheck.SPFInclude + "` is " +
			"left as it is when already present without a qualifier (or with `+`) before the first `all`; its `-`, `~` or `?` " +
			"qualifier is removed; it is moved before the `all` when it comes after it, where receivers never reach it; and it " +
			"is inserted right before the first `all` (or, without an `all`, after the last mechanism and before the " +
			"modifiers) when absent. The record's own `all` is kept as it is, exact duplicate terms are removed and the order " +
			"of the rest is kept. Merging a merged record again returns it unchanged, so the result can be fed back safely.\n\n" +
			"The result is one string; DNS providers that take a TXT record's 255-byte strings separately split it themselves " +
			"or need it split with `[for i in range(0, length(r), 255) : substr(r, i, 255)]`.\n\n" +
			"A value that is not a valid SPF record (RFC 7208) is an error that names the position of the fault.",
		Parameters: []function.Parameter{
			function.StringParameter{
				Name: "existing",
				MarkdownDescription: "The SPF record the domain publishes today (the TXT value beginning with `v=spf1`, " +
					"without the quotes DNS tools show), or an empty string when it has none.",
			},
		},
		Return: function.StringReturn{},
	}
}

func (f *spfMergeFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var existing string
	resp.Error = req.Arguments.Get(ctx, &existing)
	if resp.Error != nil {
		return
	}
	if strings.TrimSpace(existing) == "" {
		resp.Error = resp.Result.Set(ctx, dnscheck.SPFRecord)
		return
	}
	r, err := spf.Parse(existing)
	if err != nil {
		text := describeSPFError(existing, err)
		if !spf.IsSPF(strings.Trim(existing, " \t\"'")) {
			text += "; to merge every TXT value found at the domain's apex, use provider::vastal::spf_merge_all"
		}
		resp.Error = function.NewArgumentFuncError(0, text)
		return
	}
	merged, err := spf.Merge(r, dnscheck.SPFInclude)
	if err != nil {
		resp.Error = function.NewFuncError(fmt.Sprintf("Could not merge %s into the record: %s", dnscheck.SPFInclude, err))
		return
	}
	resp.Error = resp.Result.Set(ctx, merged.String())
}

// describeSPFError explains a parse error and, for a syntax error, shows the
// record with a caret under the fault, as users find it faster that way than
// by counting characters.
func describeSPFError(txt string, err error) string {
	var se *spf.SyntaxError
	if !errors.As(err, &se) {
		return "Invalid SPF record: " + err.Error()
	}
	// Terraform ends the text with a period of its own, so it ends with the
	// sentence, not with the caret.
	return fmt.Sprintf("Invalid SPF record:\n\n    %s\n    %s^\n\nat character %d, %s",
		txt, strings.Repeat(" ", se.Pos), se.Pos+1, se.Msg)
}
