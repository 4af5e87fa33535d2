// Package examples holds no Go code: its test parses every Terraform file
// under examples/ with the HCL parser Terraform uses, so that examples which
// cannot be applied here (no registry) still fail CI when they do not parse
// or refer to something they do not declare.
package examples

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// TestExamples_parse parses every .tf and .tftest.hcl file under examples/.
func TestExamples_parse(t *testing.T) {
	t.Parallel()
	files := 0
	err := filepath.WalkDir(".", func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".terraform" || strings.HasPrefix(d.Name(), ".")) && p != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || (!strings.HasSuffix(p, ".tf") && !strings.HasSuffix(p, ".tftest.hcl")) {
			return nil
		}
		files++
		if _, diags := hclparse.NewParser().ParseHCLFile(p); diags.HasErrors() {
			t.Errorf("%s does not parse: %s", p, diags.Error())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 20 {
		t.Fatalf("found only %d Terraform files under examples/; is the walk broken?", files)
	}
}

// completeConfigs are the examples meant to be whole root (or reusable)
// modules: every reference in them must resolve to a declaration.
var completeConfigs = []string{
	"chaining/route53",
	"chaining/cloudflare",
	"chaining/google",
	"chaining/rfc2136",
	"chaining/zone-file",
	"modules/email-domain",
	"modules/email-domain/records/rfc2136",
	"modules/email-domain/records/nsupdate",
	"modules/email-domain/tests/chain",
	"quickstart",
}

// TestExamples_references checks that every var., local., data., module. and
// resource reference in a complete configuration is declared in it.
func TestExamples_references(t *testing.T) {
	t.Parallel()
	for _, dir := range completeConfigs {
		t.Run(dir, func(t *testing.T) {
			t.Parallel()
			m := loadModule(t, dir)
			for _, ref := range m.refs {
				if msg := m.resolve(ref); msg != "" {
					t.Errorf("%s: %s", ref.pos, msg)
				}
			}
		})
	}
}

// TestExamples_chaining checks the shape every chaining example promises: a
// domain, one records resource with for_each over its dns_records (or over a
// split of them), a verification whose record_fqdns come from those records,
// and an address on the verified domain.
func TestExamples_chaining(t *testing.T) {
	t.Parallel()
	for _, dir := range completeConfigs {
		if !strings.HasPrefix(dir, "chaining/") {
			continue
		}
		t.Run(dir, func(t *testing.T) {
			t.Parallel()
			m := loadModule(t, dir)
			if len(m.ofType("vastal_domain")) != 1 {
				t.Errorf("want one vastal_domain, have %d", len(m.ofType("vastal_domain")))
			}
			ver := m.ofType("vastal_domain_verification")
			if len(ver) != 1 {
				t.Fatalf("want one vastal_domain_verification, have %d", len(ver))
			}
			fqdns, ok := ver[0].body.Attributes["record_fqdns"]
			if !ok {
				t.Fatal("the verification has no record_fqdns")
			}
			// record_fqdns must depend on a resource other than vastal's own,
			// so that Terraform writes the records before it waits.
			writers := map[string]bool{}
			for _, tr := range fqdns.Expr.Variables() {
				if root := tr.RootName(); !strings.HasPrefix(root, "vastal_") && !isReserved(root) && root != "var" {
					writers[root] = true
				}
			}
			if len(writers) == 0 {
				t.Error("record_fqdns does not refer to the resources that write the records")
			}
			// Some resource iterates over the domain's dns_records, directly or
			// through a local.
			if !m.forEachOverDNSRecords() {
				t.Error("no resource has for_each over vastal_domain.<name>.dns_records")
			}
			addrs := m.ofType("vastal_email_address")
			if len(addrs) == 0 {
				t.Fatal("no vastal_email_address")
			}
			if !refersTo(addrs[0].body.Attributes["domain_id"], "vastal_domain_verification") {
				t.Error("the address should take domain_id from the verification, so that it waits for it")
			}
		})
	}
}

type block struct {
	typ, name string
	body      *hclsyntax.Body
}

type ref struct {
	pos string
	tr  hcl.Traversal
}

type module struct {
	vars, locals, modules map[string]bool
	resources, data       map[string]bool // "type.name"
	blocks                []block
	localExprs            map[string]hclsyntax.Expression
	refs                  []ref
}

func loadModule(t *testing.T, dir string) *module {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no .tf files in %s (%v)", dir, err)
	}
	sort.Strings(paths)
	m := &module{vars: map[string]bool{}, locals: map[string]bool{}, modules: map[string]bool{},
		resources: map[string]bool{}, data: map[string]bool{}, localExprs: map[string]hclsyntax.Expression{}}
	p := hclparse.NewParser()
	for _, path := range paths {
		f, diags := p.ParseHCLFile(path)
		if diags.HasErrors() {
			t.Fatalf("%s: %s", path, diags.Error())
		}
		body, ok := f.Body.(*hclsyntax.Body)
		if !ok {
			t.Fatalf("%s: the body is a %T, want *hclsyntax.Body", path, f.Body)
		}
		for _, b := range body.Blocks {
			switch b.Type {
			case "variable":
				m.vars[b.Labels[0]] = true
			case "locals":
				for n, a := range b.Body.Attributes {
					m.locals[n] = true
					m.localExprs[n] = a.Expr
				}
			case "module":
				m.modules[b.Labels[0]] = true
			case "resource":
				m.resources[b.Labels[0]+"."+b.Labels[1]] = true
				m.blocks = append(m.blocks, block{typ: b.Labels[0], name: b.Labels[1], body: b.Body})
			case "data":
				m.data[b.Labels[0]+"."+b.Labels[1]] = true
			}
			if b.Type == "terraform" {
				continue
			}
			collectRefs(b.Body, b.Type == "variable", &m.refs)
		}
	}
	return m
}

func collectRefs(body *hclsyntax.Body, isVariable bool, out *[]ref) {
	for n, a := range body.Attributes {
		if (isVariable && n == "type") || n == "when" || n == "ignore_changes" {
			continue // keywords (string, destroy) and attribute names, not references
		}
		for _, tr := range a.Expr.Variables() {
			*out = append(*out, ref{pos: tr.SourceRange().String(), tr: tr})
		}
	}
	for _, b := range body.Blocks {
		collectRefs(b.Body, false, out)
	}
}

func isReserved(root string) bool {
	switch root {
	case "each", "count", "self", "path", "terraform", "run", "output":
		return true
	}
	return false
}

func (m *module) resolve(r ref) string {
	root := r.tr.RootName()
	name := func(i int) string {
		if len(r.tr) <= i {
			return ""
		}
		if a, ok := r.tr[i].(hcl.TraverseAttr); ok {
			return a.Name
		}
		return ""
	}
	switch {
	case isReserved(root):
		return ""
	case root == "var":
		if !m.vars[name(1)] {
			return "undeclared variable var." + name(1)
		}
	case root == "local":
		if !m.locals[name(1)] {
			return "undeclared local." + name(1)
		}
	case root == "module":
		if !m.modules[name(1)] {
			return "undeclared module." + name(1)
		}
	case root == "data":
		if !m.data[name(1)+"."+name(2)] {
			return "undeclared data." + name(1) + "." + name(2)
		}
	default:
		if !m.resources[root+"."+name(1)] {
			return "undeclared resource " + root + "." + name(1)
		}
	}
	return ""
}

func (m *module) ofType(typ string) []block {
	var out []block
	for _, b := range m.blocks {
		if b.typ == typ {
			out = append(out, b)
		}
	}
	return out
}

// forEachOverDNSRecords reports whether a resource's for_each reads
// vastal_domain.<name>.dns_records, directly or through locals.
func (m *module) forEachOverDNSRecords() bool {
	var reads func(e hclsyntax.Expression, depth int) bool
	reads = func(e hclsyntax.Expression, depth int) bool {
		for _, tr := range e.Variables() {
			if tr.RootName() == "vastal_domain" && len(tr) >= 3 {
				if a, ok := tr[2].(hcl.TraverseAttr); ok && a.Name == "dns_records" {
					return true
				}
			}
			if tr.RootName() == "local" && len(tr) >= 2 && depth < 5 {
				if a, ok := tr[1].(hcl.TraverseAttr); ok && m.localExprs[a.Name] != nil && reads(m.localExprs[a.Name], depth+1) {
					return true
				}
			}
		}
		return false
	}
	for _, b := range m.blocks {
		if strings.HasPrefix(b.typ, "vastal_") {
			continue
		}
		if fe, ok := b.body.Attributes["for_each"]; ok && reads(fe.Expr, 0) {
			return true
		}
		// A writer whose input lists every record (the zone-file example).
		if in, ok := b.body.Attributes["input"]; ok && reads(in.Expr, 0) {
			return true
		}
	}
	return false
}

func refersTo(a *hclsyntax.Attribute, typ string) bool {
	if a == nil {
		return false
	}
	for _, tr := range a.Expr.Variables() {
		if tr.RootName() == typ {
			return true
		}
	}
	return false
}
