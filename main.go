// Command terraform-provider-vastal serves the Vastal Terraform provider, and
// with the serve subcommand runs the embedded backend as an HTTP server.
package main

import (
	"context"
	"flag"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/vastal/terraform-provider-vastal/internal/provider"
)

// version is set by the release build (goreleaser -ldflags).
var version = "dev"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "serve" {
		os.Exit(serve(os.Args[2:]))
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
