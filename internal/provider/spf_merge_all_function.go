package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vastal/terraform-provider-vastal/internal/dnscheck"
	"github.com/vastal/terraform-provider-vastal/internal/spf"
)

var _ function.Function = (*spfMergeAllFunction)(nil)

// NewSPFMergeAllFunction returns the spf_merge_all function.
func NewSPFMergeAllFunction() function.Function {
	return &spfMergeAllFunction{}
}

type spfMergeAllFunction struct{}

func (f *spfMergeAllFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "spf_merge_all"
}

func (f *spfMergeAllFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Merge every SPF record among a domain's TXT values, and Vastal's include, into one record",
		MarkdownDescription: "Takes every TXT value published at a domain's apex (for example the `records` of the " +
			"hashicorp/dns `dns_txt_record_set` data source), ignores those that are not SPF records (site verifications " +
			"and the like), and returns the one SPF record to publish in place of all the SPF records found, with " +
			"`include:" + dnscheck.SPFInclude + "` merged in as `provider::vastal::spf_merge` does.\n\n" +
			"Several SPF records at one name make receivers return `permerror`, so they are merged, in the order given: " +
			"the mechanisms of each, then the one `all` they agree on, then the modifiers. Records whose `all` qualifiers " +
			"differ (say `~all` and `-all`) are an error, since only their owner can say which one to keep; so is a " +
			"`redirect` that the merge would disable. No SPF record at all gives `" + dnscheck.SPFRecord + "`.\n\n" +
			"A value that looks like an SPF record but is wrapped in quotes or spaces is an error rather than ignored, " +
			"because ignoring it would drop the senders it allows.",
		Parameters: []function.Parameter{
			function.ListParameter{
				Name:                "records",
				ElementType:         types.StringType,
				MarkdownDescription: "Every TXT value at the domain's apex, each as one string (the record's strings joined).",
			},
		},
		Return: function.StringReturn{},
	}
}

func (f *spfMergeAllFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var values []types.String
	resp.Error = req.Arguments.Get(ctx, &values)
	if resp.Error != nil {
		return
	}
	var records []*spf.Record
	var index []int // position in values of each entry of records
	for i, v := range values {
		if v.IsUnknown() {
			// Terraform does not call a function with unknown arguments it
			// has not allowed; this only guards direct callers.
			resp.Error = resp.Result.Set(ctx, types.StringUnknown())
			return
		}
		txt := v.ValueString()
		if !spf.IsSPF(txt) {
			if spf.IsSPF(strings.Trim(txt, " \t\"'")) {
				resp.Error = function.NewArgumentFuncError(0, fmt.Sprintf("Element %d of records looks like an SPF record "+
					"wrapped in quotes or spaces:\n\n    %s\n\ngive the TXT value itself, beginning with v=spf1 (DNS tools "+
					"show quotes that are not part of the value)", i, txt))
				return
			}
			continue
		}
		r, err := spf.Parse(txt)
		if err != nil {
			resp.Error = function.NewArgumentFuncError(0, fmt.Sprintf("Element %d of records: %s", i, describeSPFError(txt, err)))
			return
		}
		records = append(records, r)
		index = append(index, i)
	}
	var merged *spf.Record
	switch len(records) {
	case 0:
		resp.Error = resp.Result.Set(ctx, dnscheck.SPFRecord)
		return
	case 1:
		// One record needs no merging: the result is what spf_merge gives.
		merged = records[0]
	default:
		var err error
		merged, err = spf.MergeAll(records, 0)
		if err != nil {
			resp.Error = function.NewArgumentFuncError(0, describeConflict(err, index))
			return
		}
	}
	merged, err := spf.Merge(merged, dnscheck.SPFInclude)
	if err != nil {
		resp.Error = function.NewFuncError(fmt.Sprintf("Could not merge %s into the record: %s", dnscheck.SPFInclude, err))
		return
	}
	resp.Error = resp.Result.Set(ctx, merged.String())
}

// describeConflict explains why the SPF records cannot be merged, naming
// them by their position in the function's list argument.
func describeConflict(err error, index []int) string {
	var ce *spf.ConflictError
	if !errors.As(err, &ce) {
		return "The SPF records cannot be merged: " + err.Error()
	}
	parts := make([]string, len(ce.Records))
	for i, r := range ce.Records {
		parts[i] = fmt.Sprintf("element %d has %q", index[r], ce.Terms[i])
	}
	next := ce.Msg
	if ce.Name == spf.All {
		next = "they disagree on what happens to mail from hosts they do not list, and only the domain's owner can " +
			"choose; change one of them in the list passed to spf_merge_all (for example with replace()) so that they agree"
	}
	return fmt.Sprintf("The SPF records cannot be merged into one: %s; %s", strings.Join(parts, " and "), next)
}
