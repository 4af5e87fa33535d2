// Command dnsserver runs a loopback authoritative DNS server for one zone
// that accepts RFC 2136 updates, for demos of the provider with a DNS
// provider writing the records Vastal needs:
//
//	go run ./internal/demo/dnsserver -listen 127.0.0.1:0 -zone example.test -addr-file F
//
// It writes the address it listens on (UDP and TCP, same port) to F, and
// stops on SIGINT or SIGTERM. It refuses any address but loopback.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/vastal/terraform-provider-vastal/internal/dnstest"
	"github.com/vastal/terraform-provider-vastal/internal/names"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "dnsserver:", err)
		os.Exit(1)
	}
}

// run serves until ctx is done.
func run(ctx context.Context, args []string, log io.Writer) error {
	fs := flag.NewFlagSet("dnsserver", flag.ContinueOnError)
	fs.SetOutput(log)
	listen := fs.String("listen", "127.0.0.1:0", "loopback address to listen on, UDP and TCP (port 0 picks a free one)")
	zone := fs.String("zone", "", "the zone to serve, e.g. example.test (required)")
	addrFile := fs.String("addr-file", "", "write the actual listen address to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *zone == "" {
		return errors.New("-zone is required")
	}
	origin, err := names.Domain(*zone)
	if err != nil {
		return err
	}
	srv, err := dnstest.ListenServer(*listen, dnstest.NewZone(origin))
	if err != nil {
		return err
	}
	defer func() { _ = srv.Close() }() // for the early returns; the end returns the error of Close
	if *addrFile != "" {
		// Written whole then renamed, so a reader polling for it never sees half an address.
		tmp := filepath.Join(filepath.Dir(*addrFile), "."+filepath.Base(*addrFile)+".tmp")
		if err := os.WriteFile(tmp, []byte(srv.Addr+"\n"), 0o644); err != nil {
			return err
		}
		if err := os.Rename(tmp, *addrFile); err != nil {
			return err
		}
	}
	if _, err := fmt.Fprintf(log, "dnsserver: serving %s on %s (UDP and TCP), accepting RFC 2136 updates\n", origin, srv.Addr); err != nil {
		return err
	}
	<-ctx.Done()
	_, err = fmt.Fprintln(log, "dnsserver: stopping")
	return errors.Join(srv.Close(), err)
}
