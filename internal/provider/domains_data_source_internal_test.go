package provider

import (
	"testing"
	"time"

	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

func TestFilterDomains(t *testing.T) {
	created := time.Date(2024, 1, 10, 8, 0, 0, 0, time.UTC)
	verified := time.Date(2024, 1, 11, 9, 30, 0, 0, time.FixedZone("CET", 3600))
	list := []vastal.Domain{
		{ID: "dom_1", Domain: "a.test", Status: vastal.StatusFailed, CreatedAt: created},
		{ID: "dom_2", Domain: "b.test", Status: vastal.StatusActive, CreatedAt: created, VerifiedAt: &verified, MXVerified: true},
		{ID: "dom_3", Domain: "c.test", Status: vastal.StatusPending, CreatedAt: created},
		{ID: "dom_4", Domain: "d.test", Status: vastal.StatusFailed, CreatedAt: created},
	}
	cases := map[string]struct {
		status string
		want   []string
	}{
		"all":     {"", []string{"dom_1", "dom_2", "dom_3", "dom_4"}},
		"failed":  {vastal.StatusFailed, []string{"dom_1", "dom_4"}},
		"active":  {vastal.StatusActive, []string{"dom_2"}},
		"pending": {vastal.StatusPending, []string{"dom_3"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := filterDomains(list, tc.status)
			var ids []string
			for _, d := range got {
				ids = append(ids, d.ID.ValueString())
			}
			if len(ids) != len(tc.want) {
				t.Fatalf("ids = %v, want %v", ids, tc.want)
			}
			for i := range ids {
				if ids[i] != tc.want[i] {
					t.Fatalf("ids = %v, want %v (the API's order)", ids, tc.want)
				}
			}
		})
	}

	if got := filterDomains(nil, ""); got == nil || len(got) != 0 {
		t.Errorf("no domains gave %#v, want an empty, non-nil list", got)
	}
	active := filterDomains(list, vastal.StatusActive)[0]
	if v := active.VerifiedAt.ValueString(); v != "2024-01-11T08:30:00Z" {
		t.Errorf("verified_at = %q, want it in UTC", v)
	}
	if !active.MXVerified.ValueBool() || active.SPFVerified.ValueBool() {
		t.Errorf("flags not copied: %+v", active)
	}
	if !filterDomains(list, vastal.StatusPending)[0].VerifiedAt.IsNull() {
		t.Error("verified_at of a pending domain is not null")
	}
}
