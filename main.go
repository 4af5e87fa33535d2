// Command terraform-provider-vastal serves the Vastal Terraform provider, and
// with the serve subcommand runs the embedded backend as an HTTP server.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"runtime/debug"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/vastal/terraform-provider-vastal/internal/provider"
)

// version is set by the release build (goreleaser -ldflags).
var version = "dev"

// logEnv lists the variables with which a user asks for provider logs.
var logEnv = []string{
	"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_PROVIDER_VASTAL",
	"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK",
}

// quietLogsUnlessAsked turns the plugin SDK's logs off when no log is asked
// for. Left alone they default to TRACE: every RPC writes several JSON lines
// that Terraform parses only to discard, which measured about a quarter of the
// provider's CPU in a plan of 1,200 resources.
func quietLogsUnlessAsked(getenv func(string) string, setenv func(string, string) error) {
	for _, name := range logEnv {
		if getenv(name) != "" {
			return
		}
	}
	for _, name := range logEnv[1:] {
		_ = setenv(name, "OFF")
	}
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "serve" {
		os.Exit(serve(os.Args[2:]))
	}

	quietLogsUnlessAsked(os.Getenv, os.Setenv)
	if os.Getenv("GOGC") == "" {
		// A provider process lives for one command and holds little; fewer
		// collections leave more of the CPU to Terraform.
		debug.SetGCPercent(400)
	}

	var debug bool
	flag.BoolVar(&debug, "debug", false, "set to true to run the provider with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/vastal/vastal",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
