package dnscheck

import (
	"testing"

	"github.com/vastal/terraform-provider-vastal/internal/spf"
)

func spfErrOf(txt string) string {
	_, err := spf.Parse(txt)
	if err == nil {
		return "(parsed without error)"
	}
	return spfErr(err)
}

var _ = testing.T{}
