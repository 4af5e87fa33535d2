package provider

import (
	"testing"
	"time"

	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

func TestEmailAddressItems(t *testing.T) {
	at := time.Date(2024, 1, 15, 10, 30, 0, 0, time.UTC)
	cases := map[string]struct {
		list        []vastal.EmailAddress
		wantLocals  []string
		wantPrimary string // "" for none
	}{
		"none": {list: nil, wantLocals: []string{}},
		"no primary": {
			list:       []vastal.EmailAddress{{ID: "email_1", Address: "a@x.test", CreatedAt: at}},
			wantLocals: []string{"a"},
		},
		"primary in the middle": {
			list: []vastal.EmailAddress{
				{ID: "email_1", Address: "sales@x.test", CreatedAt: at},
				{ID: "email_2", Address: "first.last+tag@x.test", IsPrimary: true, CreatedAt: at},
				{ID: "email_3", Address: "info@x.test", CreatedAt: at},
			},
			wantLocals:  []string{"sales", "first.last+tag", "info"},
			wantPrimary: "email_2",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			items, primary := emailAddressItems(tc.list)
			if items == nil {
				t.Fatal("addresses is nil; want an empty list so that Terraform sees [] rather than null")
			}
			if len(items) != len(tc.wantLocals) {
				t.Fatalf("%d items, want %d", len(items), len(tc.wantLocals))
			}
			for i, it := range items {
				if it.LocalPart.ValueString() != tc.wantLocals[i] || it.ID.ValueString() != tc.list[i].ID {
					t.Errorf("item %d = %s/%s, want %s/%s", i, it.ID, it.LocalPart, tc.list[i].ID, tc.wantLocals[i])
				}
				if it.CreatedAt.ValueString() != "2024-01-15T10:30:00Z" {
					t.Errorf("created_at = %s", it.CreatedAt)
				}
			}
			switch {
			case tc.wantPrimary == "" && primary != nil:
				t.Errorf("primary = %s, want none", primary.ID)
			case tc.wantPrimary != "" && (primary == nil || primary.ID.ValueString() != tc.wantPrimary || !primary.IsPrimary.ValueBool()):
				t.Errorf("primary = %+v, want %s", primary, tc.wantPrimary)
			}
		})
	}
}
