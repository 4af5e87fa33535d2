// Package acctest holds what the acceptance tests share: provider factories
// and the two transports every test runs against (the embedded backend
// in-process, and the same backend behind an HTTP server with an API key).
package acctest

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/vastal/terraform-provider-vastal/internal/backend"
	"github.com/vastal/terraform-provider-vastal/internal/dnscheck"
	"github.com/vastal/terraform-provider-vastal/internal/provider"
	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

func init() {
	// The configurations say source = "vastal/vastal" (and "vastal/dnstest"),
	// so the in-process providers are registered under that namespace.
	if os.Getenv("TF_ACC_PROVIDER_NAMESPACE") == "" {
		_ = os.Setenv("TF_ACC_PROVIDER_NAMESPACE", "vastal")
	}
}

// ProtoV6ProviderFactories serves the vastal provider (and the test-only
// dnstest provider) to terraform-plugin-testing.
func ProtoV6ProviderFactories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"vastal":  providerserver.NewProtocol6WithError(provider.New("test")()),
		"dnstest": providerserver.NewProtocol6WithError(NewDNSTestProvider()),
	}
}

// Transport is one way of reaching a backend in an acceptance test.
type Transport struct {
	Name string
	// ProviderBlock is the provider "vastal" block that selects this transport.
	ProviderBlock string
	// Backend is the backend the provider talks to, for out-of-band changes.
	Backend *backend.Backend
	// APIKey is the key the backend wants, if any.
	APIKey string
}

// Transports returns the embedded (in-process) and HTTP transports, each with
// a fresh database, and the DNS checks pointed at nameservers.
func Transports(t *testing.T, nameservers ...string) []Transport {
	t.Helper()
	dir := t.TempDir()
	dnsBlock := dnsSettings(nameservers)

	embeddedPath := filepath.Join(dir, "embedded.db")
	embedded := Transport{
		Name: "embedded",
		ProviderBlock: fmt.Sprintf("provider \"vastal\" {\n  embedded = { path = %q }\n%s}\n",
			embeddedPath, dnsBlock),
	}
	// The provider process and the test share the file, as two Terraform
	// processes would.
	eb, err := backend.Open(embeddedPath, backend.Options{Checker: mustChecker(t, nameservers)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = eb.Close() })
	embedded.Backend = eb

	const key = "vk_test_0123456789abcdef"
	hb, err := backend.Open(filepath.Join(dir, "http.db"), backend.Options{APIKey: key, Checker: mustChecker(t, nameservers)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(hb)
	t.Cleanup(func() { srv.Close(); _ = hb.Close() })
	httpTransport := Transport{
		Name: "http",
		ProviderBlock: fmt.Sprintf("provider \"vastal\" {\n  endpoint = %q\n  api_key  = %q\n%s}\n",
			srv.URL, key, dnsBlock),
		Backend: hb,
		APIKey:  key,
	}
	return []Transport{embedded, httpTransport}
}

func dnsSettings(nameservers []string) string {
	if len(nameservers) == 0 {
		return ""
	}
	q := make([]string, len(nameservers))
	for i, n := range nameservers {
		q[i] = strconv.Quote(n)
	}
	return fmt.Sprintf("  dns = {\n    nameservers = [%s]\n    timeout     = \"500ms\"\n  }\n", strings.Join(q, ", "))
}

// PreCheck skips nothing: every acceptance test brings its own backend and
// DNS servers, so it only makes sure TF_ACC is what runs it.
func PreCheck(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance tests run with TF_ACC=1")
	}
}

func mustChecker(t *testing.T, nameservers []string) backend.DNSChecker {
	t.Helper()
	if len(nameservers) == 0 {
		// No test without its own DNS servers may ask real DNS.
		return backend.NotFoundChecker{}
	}
	c, err := dnscheck.New(dnscheck.Config{Nameservers: nameservers, Timeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Client returns an API client that talks to the transport's backend
// directly, for changes made out of band.
func (tr Transport) Client(t *testing.T) *vastal.Client {
	t.Helper()
	c, err := vastal.New(vastal.Config{BaseURL: "http://127.0.0.1", APIKey: tr.APIKey, Transport: backend.Transport(tr.Backend), BaseDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Config joins the transport's provider block with the rest of a configuration.
func (tr Transport) Config(body string) string {
	return providerRequirements + tr.ProviderBlock + body
}

const providerRequirements = `terraform {
  required_providers {
    vastal = {
      source = "vastal/vastal"
    }
    dnstest = {
      source = "vastal/dnstest"
    }
  }
}
`
