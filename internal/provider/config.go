package provider

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vastal/terraform-provider-vastal/internal/backend"
	"github.com/vastal/terraform-provider-vastal/internal/dnscheck"
	"github.com/vastal/terraform-provider-vastal/internal/vastal"
)

const (
	defaultEndpoint     = "https://api.vastal.com"
	defaultEmbeddedPath = ".vastal/embedded.db"
	defaultDNSTimeout   = 2 * time.Second

	// embeddedBaseURL is never dialled: requests go to the in-process handler.
	embeddedBaseURL = "http://127.0.0.1"

	// readCacheTTL bounds how long one refresh may reuse a list response.
	// Terraform refreshes a domain, its verification and its addresses at
	// different moments of one walk (a plan of 100 domains and 1,000
	// addresses takes about 20 s in make bench), so a few seconds would fetch each domain
	// several times. Each walk configures a fresh client, and writes through
	// it invalidate what they touch, so the cache never outlives a command.
	readCacheTTL = 60 * time.Second
)

// settings is the provider configuration after environment fallbacks and checks.
type settings struct {
	APIKey       string
	Endpoint     string
	Embedded     bool
	EmbeddedPath string
	DNS          dnscheck.Config
	// NoBackend is set when neither an API key nor the embedded backend is
	// chosen.
	NoBackend bool
}

// noBackendChosen is the error every resource and data source reports when
// the provider has no backend.
func noBackendChosen() diag.Diagnostic {
	return diag.NewErrorDiagnostic("No Vastal Backend Chosen",
		"The provider needs either an API key for the hosted Vastal API or the embedded backend. "+
			"Set api_key (or VASTAL_API_KEY) to use the hosted API, or add `embedded = {}` to the provider block "+
			"(or set VASTAL_EMBEDDED_PATH) to keep domains in a local SQLite file.")
}

func lookupEnv(name string) string { return os.Getenv(name) }

// resolveSettings applies the environment fallbacks and the rules that choose
// between the hosted API and the embedded backend.
func resolveSettings(_ context.Context, cfg providerModel, env func(string) string) (settings, diag.Diagnostics) {
	var (
		s     settings
		diags diag.Diagnostics
	)
	unknown := func(p path.Path, what string) {
		diags.AddAttributeError(p, "Unknown "+what,
			"The provider cannot be configured while "+p.String()+" is unknown. "+
				"Set it to a value known at plan time, or use the matching VASTAL_* environment variable.")
	}
	if cfg.APIKey.IsUnknown() {
		unknown(path.Root("api_key"), "Vastal API Key")
	}
	if cfg.Endpoint.IsUnknown() {
		unknown(path.Root("endpoint"), "Vastal Endpoint")
	}
	if cfg.Embedded != nil && cfg.Embedded.Path.IsUnknown() {
		unknown(path.Root("embedded").AtName("path"), "Embedded Backend Path")
	}
	if diags.HasError() {
		return s, diags
	}

	s.APIKey = stringOr(cfg.APIKey, env("VASTAL_API_KEY"))
	endpointSet := !cfg.Endpoint.IsNull() || env("VASTAL_ENDPOINT") != ""
	s.Endpoint = stringOr(cfg.Endpoint, env("VASTAL_ENDPOINT"))
	if s.Endpoint == "" {
		s.Endpoint = defaultEndpoint
	}
	envPath := env("VASTAL_EMBEDDED_PATH")
	s.Embedded = cfg.Embedded != nil || envPath != ""
	if s.Embedded {
		if cfg.Embedded != nil {
			s.EmbeddedPath = cfg.Embedded.Path.ValueString()
		}
		if s.EmbeddedPath == "" {
			s.EmbeddedPath = envPath
		}
		if s.EmbeddedPath == "" {
			s.EmbeddedPath = defaultEmbeddedPath
		}
	}

	switch {
	case s.Embedded && s.APIKey != "":
		diags.AddError("Conflicting Vastal Backends",
			"Both an API key (api_key or VASTAL_API_KEY) and the embedded backend (embedded or VASTAL_EMBEDDED_PATH) are set. "+
				"Choose one: remove the API key to use the embedded backend, or remove the embedded settings to use the hosted API.")
	case s.Embedded && endpointSet:
		diags.AddError("Conflicting Vastal Backends",
			"Both an endpoint (endpoint or VASTAL_ENDPOINT) and the embedded backend (embedded or VASTAL_EMBEDDED_PATH) are set. "+
				"The embedded backend runs in-process and takes no endpoint: remove one of them.")
	case !s.Embedded && s.APIKey == "":
		// Not an error yet: provider functions need no backend, and OpenTofu
		// configures the provider before calling them. Resources and data
		// sources report it (see configureData).
		s.NoBackend = true
	}
	if !s.Embedded {
		if err := vastal.ValidateBaseURL(s.Endpoint); err != nil {
			diags.AddAttributeError(path.Root("endpoint"), "Invalid Vastal Endpoint",
				fmt.Sprintf("The endpoint %q cannot be used: %s. Set endpoint (or VASTAL_ENDPOINT) to the https URL of the Vastal API.",
					s.Endpoint, strings.TrimPrefix(err.Error(), "vastal: ")))
		}
	}

	dnsDiags := resolveDNS(cfg.DNS, env, &s.DNS)
	diags.Append(dnsDiags...)
	return s, diags
}

func resolveDNS(m *dnsModel, env func(string) string, out *dnscheck.Config) diag.Diagnostics {
	var diags diag.Diagnostics
	out.Timeout = defaultDNSTimeout
	var resolvers, nameservers []string
	timeout := ""
	if m != nil {
		if m.Resolvers.IsUnknown() || m.Nameservers.IsUnknown() || m.Timeout.IsUnknown() {
			diags.AddAttributeError(path.Root("dns"), "Unknown DNS Settings",
				"The dns settings must be known at plan time.")
			return diags
		}
		resolvers = listStrings(m.Resolvers)
		nameservers = listStrings(m.Nameservers)
		timeout = m.Timeout.ValueString()
	}
	if resolvers == nil {
		resolvers = dnscheck.SplitServers(env("VASTAL_DNS_RESOLVERS"))
	}
	if nameservers == nil {
		nameservers = dnscheck.SplitServers(env("VASTAL_DNS_NAMESERVERS"))
	}
	check := func(attr string, list []string) {
		for _, hp := range list {
			if _, _, err := net.SplitHostPort(hp); err != nil {
				diags.AddAttributeError(path.Root("dns").AtName(attr), "Invalid DNS Server Address",
					fmt.Sprintf("%q is not a host:port address (for example 127.0.0.1:53 or [::1]:53): %v.", hp, err))
			}
		}
	}
	check("resolvers", resolvers)
	check("nameservers", nameservers)
	if timeout != "" {
		d, err := time.ParseDuration(timeout)
		if err != nil || d <= 0 {
			diags.AddAttributeError(path.Root("dns").AtName("timeout"), "Invalid DNS Timeout",
				fmt.Sprintf("%q is not a positive Go duration such as \"2s\" or \"500ms\".", timeout))
		} else {
			out.Timeout = d
		}
	}
	out.Resolvers = resolvers
	out.Nameservers = nameservers
	return diags
}

func stringOr(v types.String, fallback string) string {
	if !v.IsNull() && !v.IsUnknown() && v.ValueString() != "" {
		return v.ValueString()
	}
	return fallback
}

func listStrings(l types.List) []string {
	if l.IsNull() || l.IsUnknown() {
		return nil
	}
	out := make([]string, 0, len(l.Elements()))
	for _, e := range l.Elements() {
		if s, ok := e.(types.String); ok && !s.IsNull() && !s.IsUnknown() {
			out = append(out, s.ValueString())
		}
	}
	return out
}

// providerData is what resources and data sources receive from Configure.
type providerData struct {
	// Unconfigured, when set, is reported by every resource and data source
	// instead of doing anything.
	Unconfigured diag.Diagnostic

	Client   *vastal.Client
	Checker  *dnscheck.Checker
	Embedded bool
}

func newProviderData(s settings, version string) (*providerData, error) {
	checker, err := dnscheck.New(s.DNS)
	if err != nil {
		return nil, fmt.Errorf("setting up DNS checks: %w", err)
	}
	cfg := vastal.Config{
		BaseURL:   s.Endpoint,
		APIKey:    s.APIKey,
		UserAgent: "terraform-provider-vastal/" + version,
		CacheTTL:  readCacheTTL,
	}
	if s.Embedded {
		cfg.BaseURL = embeddedBaseURL
		cfg.APIKey = ""
		cfg.Transport = &lazyEmbedded{path: s.EmbeddedPath, opts: backend.Options{Checker: checker}}
	}
	client, err := vastal.New(cfg)
	if err != nil {
		return nil, err
	}
	return &providerData{Client: client, Checker: checker, Embedded: s.Embedded}, nil
}

// lazyEmbedded opens the embedded backend on the first request, so that
// serving the schema, validating or planning new resources never touches the
// SQLite file.
type lazyEmbedded struct {
	path string
	opts backend.Options

	once sync.Once
	rt   http.RoundTripper
	err  error
}

func (l *lazyEmbedded) RoundTrip(req *http.Request) (*http.Response, error) {
	l.once.Do(func() {
		p := l.path
		if !filepath.IsAbs(p) {
			if abs, err := filepath.Abs(p); err == nil {
				p = abs
			}
		}
		b, err := backend.Open(p, l.opts)
		if err != nil {
			l.err = fmt.Errorf("opening the embedded backend at %s: %w", p, err)
			return
		}
		l.rt = backend.Transport(b)
	})
	if l.err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, l.err
	}
	return l.rt.RoundTrip(req)
}
