// Command nsupdate is a tiny RFC 2136 client, enough to play the part of a
// DNS provider in demos:
//
//	go run ./internal/demo/nsupdate -server 127.0.0.1:5353 -zone example.test add NAME TTL TYPE VALUE...
//	go run ./internal/demo/nsupdate -server 127.0.0.1:5353 -zone example.test delete NAME [TTL] TYPE [VALUE...]
//
// NAME is relative to the zone unless it ends with a dot ("@" is the apex).
// delete without VALUE deletes the whole RRset, with VALUE that one record.
// It exits non-zero with a message saying what failed.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/vastal/terraform-provider-vastal/internal/names"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "nsupdate:", err)
		os.Exit(1)
	}
}

func run(args []string, out, log io.Writer) error {
	fs := flag.NewFlagSet("nsupdate", flag.ContinueOnError)
	fs.SetOutput(log)
	server := fs.String("server", "", "the authoritative server, host:port (required)")
	zoneFlag := fs.String("zone", "", "the zone to update, e.g. example.test (required)")
	timeout := fs.Duration("timeout", 5*time.Second, "how long to wait for the server")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *server == "" || *zoneFlag == "" {
		return errors.New("-server and -zone are required")
	}
	zone, err := names.Domain(*zoneFlag)
	if err != nil {
		return err
	}
	m, err := buildUpdate(dns.Fqdn(zone), fs.Args())
	if err != nil {
		return err
	}
	c := &dns.Client{Net: "tcp", Timeout: *timeout}
	in, _, err := c.Exchange(m, *server)
	if err != nil {
		return fmt.Errorf("send the update to %s: %w", *server, err)
	}
	if in.Rcode != dns.RcodeSuccess {
		return fmt.Errorf("%s refused the update of %s: %s", *server, zone, dns.RcodeToString[in.Rcode])
	}
	if _, err := fmt.Fprintf(out, "updated %s on %s\n", zone, *server); err != nil {
		return err
	}
	return nil
}

// buildUpdate turns "add|delete NAME [TTL] TYPE [VALUE...]" into an UPDATE message.
func buildUpdate(zone string, args []string) (*dns.Msg, error) {
	const usage = "want add|delete NAME [TTL] TYPE [VALUE...]"
	if len(args) < 3 {
		return nil, fmt.Errorf("too few arguments; %s", usage)
	}
	op, name, rest := args[0], args[1], args[2:]
	switch {
	case name == "@":
		name = zone
	case !strings.HasSuffix(name, "."):
		name = name + "." + zone
	}
	if !dns.IsSubDomain(zone, dns.CanonicalName(name)) {
		return nil, fmt.Errorf("%s is not in the zone %s", name, zone)
	}
	ttl := uint32(300)
	if n, err := strconv.ParseUint(rest[0], 10, 32); err == nil {
		ttl, rest = uint32(n), rest[1:]
	}
	if len(rest) == 0 {
		return nil, fmt.Errorf("no record type; %s", usage)
	}
	rrtype, ok := dns.StringToType[strings.ToUpper(rest[0])]
	if !ok {
		return nil, fmt.Errorf("unknown record type %q", rest[0])
	}
	value := strings.Join(rest[1:], " ")
	m := new(dns.Msg)
	m.SetUpdate(zone)
	switch op {
	case "add":
		if value == "" {
			return nil, fmt.Errorf("add needs a VALUE; %s", usage)
		}
		rr, err := dns.NewRR(fmt.Sprintf("%s %d IN %s %s", name, ttl, dns.TypeToString[rrtype], value))
		if err != nil {
			return nil, fmt.Errorf("record: %w", err)
		}
		m.Insert([]dns.RR{rr})
	case "delete":
		if value == "" {
			m.RemoveRRset([]dns.RR{&dns.ANY{Hdr: dns.RR_Header{Name: name, Rrtype: rrtype, Class: dns.ClassINET}}})
			break
		}
		rr, err := dns.NewRR(fmt.Sprintf("%s 0 IN %s %s", name, dns.TypeToString[rrtype], value))
		if err != nil {
			return nil, fmt.Errorf("record: %w", err)
		}
		m.Remove([]dns.RR{rr})
	default:
		return nil, fmt.Errorf("unknown operation %q; %s", op, usage)
	}
	return m, nil
}
