package dnscheck

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"
)

// Watch checks one domain round after round, for a wait loop. Each Round
// asks only what is not yet confirmed per (server, record): an answer that
// already passed is reused. Once every record looks verified, the same Round
// runs one final full round, so AllVerified is only ever reported from fresh
// answers of every server. Rounds of one Watch run one at a time.
//
// Every round asks each server at most one question per record: MX and TXT
// at the apex, and TXT at each DKIM name, whose answer carries the CNAME
// when the name has one (see Requirement.Qtype).
type Watch struct {
	c      *Checker
	domain string
	err    error

	mu        sync.Mutex
	prev      map[string]map[string]recAnswer // server address → record key
	confirmed map[string]map[string]bool
}

// recAnswer is one server's answer for one required record.
type recAnswer struct {
	answer
	txt []dns.RR // DKIM only: TXT records found where the CNAME should be (only when there is no CNAME)
}

// Watch returns a Watch for domain. An invalid domain makes every Round fail.
func (c *Checker) Watch(domain string) *Watch {
	d, err := canonical(domain)
	return &Watch{c: c, domain: d, err: err}
}

// Round runs one round of the wait loop (see Watch) and returns the verdict.
// It returns an error only when it cannot check at all.
func (w *Watch) Round(ctx context.Context) (*Result, error) {
	if w.err != nil {
		return nil, w.err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	zi, err := w.c.zoneOf(ctx, w.domain)
	if err != nil {
		return nil, err
	}
	res, full, err := w.round(ctx, zi, false)
	if err != nil {
		return nil, err
	}
	if res.AllVerified() && !full {
		res, _, err = w.round(ctx, zi, true)
	}
	return res, err
}

// round asks every (server, record) not yet confirmed, or all of them, and
// judges the lot. full reports whether every pair was asked afresh.
func (w *Watch) round(ctx context.Context, zi *zoneInfo, all bool) (*Result, bool, error) {
	reqs := Required(w.domain)
	servers := zi.servers
	answers := make([][]recAnswer, len(servers))
	fresh := make([][]bool, len(servers))
	dead := make([]atomic.Pointer[string], len(servers))
	full := true
	var wg sync.WaitGroup
	for si, s := range servers {
		answers[si] = make([]recAnswer, len(reqs))
		fresh[si] = make([]bool, len(reqs))
		for ri, req := range reqs {
			if !all && w.confirmed[s.addr][req.Key] {
				answers[si][ri] = w.prev[s.addr][req.Key]
				full = false
				continue
			}
			fresh[si][ri] = true
			wg.Go(func() { answers[si][ri] = w.c.askRecord(ctx, s, req, &dead[si]) })
		}
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}

	// Judge each authoritative answer on its own.
	issues := make([][]string, len(servers))
	serials := make([]uint32, len(servers))
	for si := range servers {
		issues[si] = make([]string, len(reqs))
		for ri, req := range reqs {
			a := answers[si][ri]
			if fresh[si][ri] && a.hasSOA {
				serials[si] = max(serials[si], a.serial)
			}
			if authoritative(a.state) {
				issues[si][ri] = judgeAnswer(w.domain, req, a)
			}
		}
	}

	// Serials name the servers that disagree; ask the SOA of those that did
	// not send one.
	needSerial := make([]bool, len(servers))
	for ri := range reqs {
		pass, fail := false, false
		for si := range servers {
			if authoritative(answers[si][ri].state) {
				pass = pass || issues[si][ri] == ""
				fail = fail || issues[si][ri] != ""
			}
		}
		for si := range servers {
			if pass && fail && authoritative(answers[si][ri].state) && serials[si] == 0 {
				needSerial[si] = true
			}
		}
	}
	for si, s := range servers {
		if needSerial[si] {
			wg.Go(func() { serials[si] = w.c.serial(ctx, s, zi.zone) })
		}
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}

	res := &Result{Domain: w.domain, Checked: time.Now().UTC(), Warnings: slices.Clone(zi.warnings)}
	for _, s := range servers {
		res.Servers = append(res.Servers, s.addr)
	}
	for ri, req := range reqs {
		col := make([]recAnswer, len(servers))
		colIssues := make([]string, len(servers))
		for si := range servers {
			col[si], colIssues[si] = answers[si][ri], issues[si][ri]
		}
		res.Records = append(res.Records, judgeRecord(req, zi, col, colIssues, serials))
	}
	for si, s := range servers {
		for ri := range reqs {
			if a := answers[si][ri]; !authoritative(a.state) {
				res.Warnings = append(res.Warnings, serverWarning(s, a))
				break
			}
		}
	}

	w.prev = map[string]map[string]recAnswer{}
	w.confirmed = map[string]map[string]bool{}
	for si, s := range servers {
		w.prev[s.addr] = map[string]recAnswer{}
		w.confirmed[s.addr] = map[string]bool{}
		for ri, req := range reqs {
			w.prev[s.addr][req.Key] = answers[si][ri]
			w.confirmed[s.addr][req.Key] = answers[si][ri].state == StateData && issues[si][ri] == ""
		}
	}
	return res, full, nil
}

func authoritative(state string) bool { return state == StateData || state == StateNotYet }

func serverWarning(s server, a recAnswer) string {
	if a.state == StateUnreachable {
		return fmt.Sprintf("Name server %s did not answer (%s); it was left out of the verdict", s.label(), a.detail)
	}
	return fmt.Sprintf("Name server %s is lame: %s; it was left out of the verdict", s.label(), a.detail)
}

// askRecord asks one server the one question for one required record
// (req.Qtype) and classifies the reply.
func (c *Checker) askRecord(ctx context.Context, s server, req Requirement, dead *atomic.Pointer[string]) recAnswer {
	qtype := req.Qtype()
	r, failed := c.ask(ctx, s, req.Name, qtype, dead)
	switch {
	case r == nil:
		return recAnswer{answer: failed}
	case req.Type == "CNAME":
		return classifyDKIM(r, req.Name)
	}
	return recAnswer{answer: classify(r, req.Name, qtype)}
}

// ask sends one question and returns the reply, or, when there is none, the
// unreachable answer. Once a server has not answered in a round, the rest of
// its questions in that round are not sent: a blackholed server must not
// cost a timeout per record.
func (c *Checker) ask(ctx context.Context, s server, name string, qtype uint16, dead *atomic.Pointer[string]) (*dns.Msg, answer) {
	release, err := c.acquire(ctx, s.addr)
	if err != nil {
		return nil, answer{state: StateUnreachable, detail: err.Error()}
	}
	defer release()
	// Checked after waiting for a slot: the server may have failed meanwhile.
	if d := dead.Load(); d != nil {
		return nil, answer{state: StateUnreachable, detail: *d}
	}
	r, err := c.exchangeHeld(ctx, s.addr, name, qtype)
	if err != nil {
		d := err.Error()
		if ctx.Err() == nil {
			dead.CompareAndSwap(nil, &d)
		}
		return nil, answer{state: StateUnreachable, detail: d}
	}
	return r, answer{}
}

// serial asks a server for the zone's SOA serial; 0 when it cannot say.
func (c *Checker) serial(ctx context.Context, s server, zone string) uint32 {
	r, err := c.exchange(ctx, s.addr, zone, dns.TypeSOA)
	if err != nil || !r.Authoritative {
		return 0
	}
	for _, sec := range [][]dns.RR{r.Answer, r.Ns} {
		for _, rr := range sec {
			if soa, ok := rr.(*dns.SOA); ok {
				return soa.Serial
			}
		}
	}
	return 0
}

// judgeAnswer judges one server's authoritative answer; "" when it passes.
func judgeAnswer(domain string, req Requirement, a recAnswer) string {
	switch req.Key {
	case KeyMX:
		return JudgeMX(domain, mxOf(a.rrs))
	case KeySPF:
		return JudgeSPF(domain, txtOf(a.rrs))
	}
	cname := ""
	for _, rr := range a.rrs {
		if c, ok := rr.(*dns.CNAME); ok {
			cname = c.Target
		}
	}
	return JudgeDKIM(domain, req.Host, req.Value, cname, txtOf(a.txt))
}

func mxOf(rrs []dns.RR) []MX {
	var out []MX
	for _, rr := range rrs {
		if m, ok := rr.(*dns.MX); ok {
			out = append(out, MX{Preference: m.Preference, Host: strings.ToLower(trimDot(m.Mx))})
		}
	}
	slices.SortFunc(out, func(a, b MX) int {
		return cmp.Or(cmp.Compare(a.Preference, b.Preference), cmp.Compare(a.Host, b.Host))
	})
	return out
}

func txtOf(rrs []dns.RR) []string {
	var out []string
	for _, rr := range rrs {
		if t, ok := rr.(*dns.TXT); ok {
			out = append(out, TXTString(t))
		}
	}
	// RRset order carries no meaning and servers shuffle it; sorting keeps
	// sentences and Found the same from server to server and round to round.
	slices.Sort(out)
	return out
}

// presentation gives what a server returned as Found strings: MX
// "10 mx.vastal.com", TXT the joined text, CNAME the target; a TXT found in
// place of a DKIM CNAME is prefixed "TXT ".
func presentation(a recAnswer) []string {
	var out []string
	for _, m := range mxOf(a.rrs) {
		out = append(out, m.String())
	}
	out = append(out, txtOf(a.rrs)...)
	for _, rr := range a.rrs {
		if c, ok := rr.(*dns.CNAME); ok {
			out = append(out, strings.ToLower(trimDot(c.Target)))
		}
	}
	for _, t := range txtOf(a.txt) {
		out = append(out, "TXT "+t)
	}
	return out
}

// expected is what a check looks for, as api.md shows it.
func expected(req Requirement) string {
	if req.Key == KeySPF {
		return "include:" + SPFInclude
	}
	return req.Value
}

// judgeRecord combines the servers' answers for one record: it passes when
// every server that answered authoritatively passes and at least
// min(2, servers) did.
func judgeRecord(req Requirement, zi *zoneInfo, col []recAnswer, issues []string, serials []uint32) RecordResult {
	rr := RecordResult{Key: req.Key, Type: req.Type, Name: req.Name, Expected: expected(req), Found: []string{}}
	var pass, fail []ServerAnswer
	var failIssues []string
	for si, a := range col {
		sa := ServerAnswer{Server: zi.servers[si].name, State: a.state, Found: presentation(a), Serial: serials[si], Detail: a.detail}
		if sa.Serial == 0 && a.hasSOA {
			sa.Serial = a.serial
		}
		rr.Servers = append(rr.Servers, sa)
		for _, f := range sa.Found {
			if !slices.Contains(rr.Found, f) {
				rr.Found = append(rr.Found, f)
			}
		}
		if !authoritative(a.state) {
			continue
		}
		if issues[si] == "" {
			pass = append(pass, sa)
		} else {
			fail = append(fail, sa)
			failIssues = append(failIssues, issues[si])
		}
	}
	asked := len(col)
	need := min(2, asked)
	switch {
	case len(pass)+len(fail) < need:
		domain := strings.TrimPrefix(req.Name, req.Host+".")
		rr.Issue = quorumIssue(recordWhat(req), domain, len(pass)+len(fail), asked, need)
	case len(fail) == 0:
		rr.Verified = true
	case len(pass) > 0:
		rr.Issue = laggingIssue(recordWhat(req), zi.zone, fail, pass)
	default:
		// Every server fails: the newest zone's reason is the one to fix.
		best := 0
		for i := range fail {
			if fail[i].Serial > fail[best].Serial {
				best = i
			}
		}
		rr.Issue = failIssues[best]
	}
	return rr
}
