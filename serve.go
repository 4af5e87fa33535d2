package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/vastal/terraform-provider-vastal/internal/backend"
	"github.com/vastal/terraform-provider-vastal/internal/dnscheck"
)

// serve runs the embedded backend as an HTTP server, for teams that share one
// backend in CI. It returns the process exit code.
func serve(args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:8080", "address to listen on (host:port)")
	db := fs.String("db", ".vastal/embedded.db", "path of the SQLite file")
	keyFile := fs.String("api-key-file", "", "file holding the API key clients must send as a bearer token")
	nameservers := fs.String("dns-nameservers", "", "authoritative DNS servers to ask directly (comma-separated host:port)")
	resolvers := fs.String("dns-resolvers", "", "recursive resolvers for discovery (comma-separated host:port)")
	dnsTimeout := fs.Duration("dns-timeout", 2*time.Second, "timeout of one DNS query")
	fs.SetOutput(os.Stderr)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	logger := log.New(os.Stderr, "vastal-serve ", log.LstdFlags|log.LUTC)

	key := ""
	if *keyFile != "" {
		b, err := os.ReadFile(*keyFile)
		if err != nil {
			logger.Printf("reading the API key file: %v", err)
			return 1
		}
		key = strings.TrimSpace(string(b))
		if key == "" {
			logger.Printf("the API key file %s is empty", *keyFile)
			return 1
		}
	}
	host, _, err := net.SplitHostPort(*listen)
	if err != nil {
		logger.Printf("--listen %q is not host:port: %v", *listen, err)
		return 2
	}
	if ip := net.ParseIP(host); key == "" && (ip == nil || !ip.IsLoopback()) && host != "localhost" {
		logger.Printf("refusing to listen on %s without an API key: pass --api-key-file, or listen on a loopback address", *listen)
		return 2
	}

	checker, err := dnscheck.New(dnscheck.Config{
		Nameservers: dnscheck.SplitServers(*nameservers),
		Resolvers:   dnscheck.SplitServers(*resolvers),
		Timeout:     *dnsTimeout,
	})
	if err != nil {
		logger.Printf("DNS settings: %v", err)
		return 2
	}
	b, err := backend.Open(*db, backend.Options{APIKey: key, Checker: checker})
	if err != nil {
		logger.Printf("opening %s: %v", *db, err)
		return 1
	}
	defer func() {
		if err := b.Close(); err != nil {
			logger.Printf("closing %s: %v", *db, err)
		}
	}()

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		logger.Printf("listen: %v", err)
		return 1
	}
	srv := &http.Server{Handler: accessLog(logger, b), ReadHeaderTimeout: 10 * time.Second}
	// Catch the signals before announcing the address: a supervisor (or a
	// test) may send SIGTERM as soon as it reads that line.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	logger.Printf("serving the Vastal API on http://%s (database %s, auth %t)", ln.Addr(), *db, key != "")

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		logger.Printf("server stopped: %v", err)
		return 1
	case <-ctx.Done():
	}
	logger.Printf("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Printf("shutdown: %v", err)
		return 1
	}
	return 0
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// accessLog logs one line a request; never headers, so never the key.
func accessLog(l *log.Logger, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		l.Printf("%s %s %s %d %s", r.RemoteAddr, r.Method, r.URL.Path, rec.status, fmt.Sprint(time.Since(start).Round(time.Microsecond)))
	})
}
