package acctest

import (
	"fmt"
	"testing"

	"github.com/vastal/terraform-provider-vastal/internal/dnstest"
)

// DNSZone starts an authoritative DNS server on loopback serving an empty
// zone for origin, stopped when the test ends.
func DNSZone(t *testing.T, origin string) (*dnstest.Server, *dnstest.Zone) {
	t.Helper()
	z := dnstest.NewZone(origin)
	s, err := dnstest.NewServer(z)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, z
}

// RecordsConfig writes every key of vastal_domain.<domainRes>.dns_records
// into the loopback server with dnstest_record, as a user's DNS provider would.
func RecordsConfig(domainRes, server, zone string) string {
	return fmt.Sprintf(`
resource "dnstest_record" "r" {
  for_each = vastal_domain.%[1]s.dns_records

  server  = %[2]q
  zone    = %[3]q
  name    = each.value.name
  type    = each.value.type
  records = [each.value.type == "MX" ? "${each.value.priority} ${each.value.value}." : each.value.type == "TXT" ? jsonencode(each.value.value) : "${each.value.value}."]
}
`, domainRes, server, zone)
}
