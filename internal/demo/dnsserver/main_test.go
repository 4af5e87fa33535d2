package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/vastal/terraform-provider-vastal/internal/dnstest"
)

// syncBuffer is a log the server goroutine writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRun_servesAndAcceptsUpdates(t *testing.T) {
	addrFile := filepath.Join(t.TempDir(), "addr")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var log syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-listen", "127.0.0.1:0", "-zone", "Example.Test", "-addr-file", addrFile}, &log)
	}()

	var addr string
	for addr == "" {
		select {
		case err := <-done:
			t.Fatalf("run ended early: %v\n%s", err, log.String())
		default:
		}
		if b, err := os.ReadFile(addrFile); err == nil {
			addr = strings.TrimSpace(string(b))
		} else {
			time.Sleep(5 * time.Millisecond) // polling for the file the server writes
		}
	}

	m := new(dns.Msg)
	m.SetUpdate("example.test.")
	rr, _ := dns.NewRR("example.test. 60 IN MX 10 mx.vastal.com.")
	m.Insert([]dns.RR{rr})
	if in, _, err := (&dns.Client{Timeout: time.Second}).Exchange(m, addr); err != nil || in.Rcode != dns.RcodeSuccess {
		t.Fatalf("update: %v %v", in, err)
	}
	q := new(dns.Msg)
	q.SetQuestion("example.test.", dns.TypeMX)
	in, _, err := (&dns.Client{Timeout: time.Second}).Exchange(q, addr)
	if err != nil || len(in.Answer) != 1 || !in.Authoritative {
		t.Fatalf("MX after update: %v %v", in, err)
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	if !strings.Contains(log.String(), "serving example.test on "+addr) {
		t.Errorf("log: %s", log.String())
	}
}

func TestRun_refusesBadInput(t *testing.T) {
	for name, args := range map[string][]string{
		"not loopback": {"-listen", "0.0.0.0:0", "-zone", "example.test"},
		"no zone":      {"-listen", "127.0.0.1:0"},
		"bad zone":     {"-zone", "not a zone"},
		"extra args":   {"-zone", "example.test", "extra"},
	} {
		err := run(context.Background(), args, &bytes.Buffer{})
		if err == nil {
			t.Errorf("%s: no error", name)
		}
		if name == "not loopback" && !errors.Is(err, dnstest.ErrNotLoopback) {
			t.Errorf("%s: %v, want ErrNotLoopback", name, err)
		}
	}
}
