package acctest

import (
	_ "github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	_ "github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	_ "github.com/hashicorp/terraform-plugin-framework/provider"
	_ "github.com/hashicorp/terraform-plugin-log/tflog"
	_ "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	_ "github.com/hashicorp/terraform-plugin-go/tfprotov6"
	_ "github.com/miekg/dns"
	_ "golang.org/x/sync/singleflight"
	_ "modernc.org/sqlite"
	_ "github.com/google/go-cmp/cmp"
)
