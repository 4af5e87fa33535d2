package vastal_test

import (
	"context"
	"testing"
	"time"

	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

// BenchmarkGetEmailAddressCoalesced reads the 100 addresses of one domain
// from many goroutines, as a refresh of 100 vastal_email_address resources
// does; requests/op shows how few reach the server.
func BenchmarkGetEmailAddressCoalesced(b *testing.B) {
	for _, ttl := range []time.Duration{time.Hour, 0} {
		b.Run("ttl="+ttl.String(), func(b *testing.B) {
			cs := newCountingServer(b, 100)
			c, err := vastal.New(vastal.Config{BaseURL: cs.srv.URL, CacheTTL: ttl})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			ids := make([]string, 100)
			for i := range ids {
				ids[i] = "email_" + jsonNumber(i)
			}
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					if _, err := c.GetEmailAddress(ctx, "dom_abc123", ids[i%len(ids)]); err != nil && ttl > 0 {
						b.Error(err)
						return
					}
					i++
				}
			})
			b.ReportMetric(float64(cs.total.Load())/float64(b.N), "requests/op")
		})
	}
}
