package provider_test

import "github.com/hashicorp/terraform-plugin-testing/compare"

var compareSame = compare.ValuesSame()
