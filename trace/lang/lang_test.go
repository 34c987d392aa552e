package lang

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the .golden files under testdata")

// needs skips the test when a prerequisite is missing, except under
// CI=true where everything must be installed and a missing piece fails.
func needs(t *testing.T, ok bool, why string) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("missing prerequisite under CI=true: %s", why)
	}
	t.Skip(why)
}

// roundTrip checks that Format's output parses back to the same tree.
func roundTrip(t *testing.T, name string, p *Program) {
	t.Helper()
	out := Format(p)
	p2, err := Parse(name, out)
	if err != nil {
		t.Fatalf("%s: Format output does not parse: %v\n%s", name, err, out)
	}
	if a, b := Dump(p), Dump(p2); a != b {
		t.Fatalf("%s: round trip changed the tree\nformatted:\n%s\nbefore:\n%s\nafter:\n%s", name, out, a, b)
	}
	if out2 := Format(p2); out2 != out {
		t.Fatalf("%s: Format is not stable:\n%s\n---\n%s", name, out, out2)
	}
}

// allTyped checks that Check gave every expression outside macro
// definitions a type, as the code generator relies on.
func allTyped(t *testing.T, name string, p *Program) {
	t.Helper()
	Inspect(p, func(n Node) bool {
		if _, ok := n.(*Macro); ok {
			return false
		}
		if e, ok := n.(Expr); ok && e.Type() == nil {
			t.Errorf("%s: %s at %s has no type after Check", name, exprText(e), e.Location().Start)
		}
		return true
	})
}

// debianTools lists the .bt tools of the installed bpftrace package.
func debianTools(t *testing.T) []string {
	t.Helper()
	out, err := exec.Command("dpkg", "-L", "bpftrace").Output()
	var files []string
	if err == nil {
		for _, l := range strings.Split(string(out), "\n") {
			if strings.HasSuffix(l, ".bt") {
				files = append(files, l)
			}
		}
	}
	needs(t, len(files) > 0, "the Debian bpftrace package (its .bt tools) is not installed")
	sort.Strings(files)
	return files
}

func TestDebianTools(t *testing.T) {
	files := debianTools(t)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Parse(filepath.Base(f), string(b))
		if err != nil {
			t.Errorf("%s:\n%v", f, err)
			continue
		}
		if _, err := Check(p, Options{}); err != nil {
			t.Errorf("%s: Check:\n%s", f, err.(*Error).String())
		} else {
			allTyped(t, f, p)
		}
		roundTrip(t, f, p)
	}
	t.Logf("parsed, checked and round-tripped %d tools", len(files))
}

func readOneLiners(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("testdata/oneliners.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		out = append(out, l)
	}
	return out
}

func TestOneLiners(t *testing.T) {
	progs := readOneLiners(t)
	if len(progs) < 60 {
		t.Fatalf("only %d one-liners", len(progs))
	}
	for _, src := range progs {
		p, err := Parse("stdin", src)
		if err != nil {
			t.Errorf("%s\n%v", src, err)
			continue
		}
		if _, err := Check(p, Options{Unsafe: true, Params: []string{"1", "vfs_read"}}); err != nil {
			t.Errorf("%s\nCheck:\n%s", src, err.(*Error).String())
		} else {
			allTyped(t, src, p)
		}
		roundTrip(t, src, p)
	}
	t.Logf("%d one-liners", len(progs))
}

// renderAll returns every diagnostic for a program as bpftrace prints
// them: the syntax error, or Check's warnings and errors (safe mode, no
// positional parameters).
func renderAll(src string) string {
	p, err := Parse("stdin", src)
	if err != nil {
		return err.(*Error).String()
	}
	warns, err := Check(p, Options{})
	var b strings.Builder
	for _, w := range warns {
		b.WriteString(p.Source.Render(w))
	}
	if err != nil {
		b.WriteString(err.(*Error).String())
	}
	return b.String()
}

// firstError returns the location prefix ("stdin:1:9-17: ERROR"), the
// message, the source line and the tilde line of the first error in a
// rendering.
func firstError(out string) (loc, msg, line, tildes string, ok bool) {
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if j := strings.Index(l, ": ERROR: "); j >= 0 && i+2 < len(lines) {
			return l[:j+7], l[j+9:], lines[i+1], lines[i+2], true
		}
	}
	return "", "", "", "", false
}

// knownDiffs are the error cases whose first diagnostic differs from
// bpftrace 0.17 in location, with the reason.
var knownDiffs = map[string]string{
	"126.bt": "bpftrace lexes `struct foo *` in a state of its own, and its span for the token after it also covers the following blank",
	"133.bt": "bpftrace reports a stray ',' after the last probe as an unexpected end of file, with a span starting at the blank before it",
}

func TestErrorGoldens(t *testing.T) {
	files, err := filepath.Glob("testdata/errors/*.bt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no error cases: %v", err)
	}
	exact, spans := 0, 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src := strings.TrimSuffix(string(b), "\n")
		got := renderAll(src)
		golden := strings.TrimSuffix(f, ".bt") + ".golden"
		if *update {
			if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%s: %v (run go test -update)", f, err)
		}
		if got != string(want) {
			t.Errorf("%s: %s\ngot:\n%s\nwant:\n%s", f, src, got, want)
		}
		ref, err := os.ReadFile(strings.TrimSuffix(f, ".bt") + ".bpftrace")
		if err != nil {
			t.Fatalf("%s: missing bpftrace reference: %v", f, err)
		}
		rloc, rmsg, rline, rtil, rok := firstError(string(ref))
		gloc, gmsg, gline, gtil, gok := firstError(got)
		if why, ok := knownDiffs[filepath.Base(f)]; ok {
			t.Logf("%s: known difference from bpftrace: %s", f, why)
			continue
		}
		switch {
		case !rok && !gok:
			// bpftrace accepts the program, and so do we.
			spans++
			exact++
		case rok != gok:
			t.Errorf("%s: %s\nbpftrace:\n%s\nours:\n%s", f, src, ref, got)
		case rloc != gloc || rline != gline || rtil != gtil:
			t.Errorf("%s: location differs from bpftrace\nbpftrace:\n%s\nours:\n%s", f, ref, got)
		default:
			spans++
			if rmsg == gmsg {
				exact++
			}
		}
	}
	t.Logf("%d error cases: %d match bpftrace's location and carets, %d also its message text, %d known differences", len(files), spans, exact, len(knownDiffs))
}

func TestProbeSpecs(t *testing.T) {
	tests := []struct {
		raw  string
		want ProbeSpec
	}{
		{"BEGIN", ProbeSpec{Provider: "BEGIN"}},
		{"kprobe:vfs_read", ProbeSpec{Provider: "kprobe", Func: "vfs_read"}},
		{"k:ext4:ext4_sync_file+0x10", ProbeSpec{Provider: "kprobe", Target: "ext4", Func: "ext4_sync_file", Offset: 16, HasOffset: true}},
		{"kr:vfs_*", ProbeSpec{Provider: "kretprobe", Func: "vfs_*", Wildcard: true}},
		{"t:syscalls:sys_enter_openat", ProbeSpec{Provider: "tracepoint", Target: "syscalls", Func: "sys_enter_openat"}},
		{"rt:sched_switch", ProbeSpec{Provider: "rawtracepoint", Func: "sched_switch"}},
		{"uprobe:/bin/bash:readline", ProbeSpec{Provider: "uprobe", Target: "/bin/bash", Func: "readline"}},
		{"ur:libc:malloc", ProbeSpec{Provider: "uretprobe", Target: "libc", Func: "malloc"}},
		{"u:/bin/x:0x4005d0", ProbeSpec{Provider: "uprobe", Target: "/bin/x", Func: "0x4005d0", Address: 0x4005d0, HasAddress: true}},
		{"uprobe:/bin/x:cpp:ns::f", ProbeSpec{Provider: "uprobe", Target: "/bin/x", Namespace: "cpp", Func: "ns::f"}},
		{`uprobe:/bin/x:"ns::f"`, ProbeSpec{Provider: "uprobe", Target: "/bin/x", Func: "ns::f"}},
		{"usdt:/usr/sbin/mysqld:mysql:query__start", ProbeSpec{Provider: "usdt", Target: "/usr/sbin/mysqld", Namespace: "mysql", Func: "query__start"}},
		{"profile:hz:99", ProbeSpec{Provider: "profile", Target: "hz", Count: 99}},
		{"p:ms:10", ProbeSpec{Provider: "profile", Target: "ms", Count: 10}},
		{"interval:s:1", ProbeSpec{Provider: "interval", Target: "s", Count: 1}},
		{"i:1s", ProbeSpec{Provider: "interval", Target: "s", Count: 1}},
		{"software:page-faults:100", ProbeSpec{Provider: "software", Target: "page-faults", Count: 100}},
		{"h:cache-misses", ProbeSpec{Provider: "hardware", Target: "cache-misses"}},
		{"fentry:vmlinux:tcp_connect", ProbeSpec{Provider: "fentry", Target: "vmlinux", Func: "tcp_connect"}},
		{"kretfunc:vfs_read", ProbeSpec{Provider: "fexit", Func: "vfs_read"}},
		{"fr:{vfs_read,vfs_write}", ProbeSpec{Provider: "fexit", Func: "{vfs_read,vfs_write}", Wildcard: true}},
		{"iter:task", ProbeSpec{Provider: "iter", Target: "task"}},
		{"watchpoint:0x1000:8:rw", ProbeSpec{Provider: "watchpoint", Target: "0x1000", Count: 8, Func: "rw"}},
	}
	for _, tc := range tests {
		got, err := parseProbeSpec(tc.raw)
		if err != nil {
			t.Errorf("%s: %v", tc.raw, err)
			continue
		}
		tc.want.Raw = tc.raw
		if *got != tc.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.raw, *got, tc.want)
		}
		again, err := parseProbeSpec(got.String())
		if err != nil {
			t.Errorf("%s: String() = %q does not parse: %v", tc.raw, got.String(), err)
			continue
		}
		again.Raw = got.Raw
		if *again != *got {
			t.Errorf("%s: String() = %q parses to %+v", tc.raw, got.String(), *again)
		}
	}
	for _, bad := range []string{"foo:bar", "BEGIN:x", "tracepoint:x", "profile:hz:0", "profile:days:1", "kprobe:f+zz", "kprobe:a:b:c"} {
		if _, err := parseProbeSpec(bad); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}

func TestParseFormat(t *testing.T) {
	tests := []struct {
		format string
		verbs  string // the Spec fields joined with spaces
	}{
		{"hello\n", ""},
		{"%d %s\n", "d s"},
		{"%-8d %-16s %6.2lu", "-8d -16s 6.2lu"},
		{"100%% %llx %hhd %zu", "llx hhd zu"},
		{"%f %q %d", "d"},
		{"%r %rx %rh", "r rx rh"},
		{"%08x %c %p %X %o %i", "08x c p X o i"},
		{"trailing %", ""},
	}
	for _, tc := range tests {
		var got []string
		for _, v := range ParseFormat(tc.format) {
			got = append(got, v.Spec)
		}
		if strings.Join(got, " ") != tc.verbs {
			t.Errorf("%q: got %q, want %q", tc.format, strings.Join(got, " "), tc.verbs)
		}
	}
}

func TestCheckTypes(t *testing.T) {
	src := `BEGIN { @c[comm, pid] = count(); @h = hist(5); @s = "abc"; @t[1] = (pid, comm); $x = (uint8)1; $y = (int16)-1; @v = $x; }`
	p, err := Parse("stdin", src)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Check(p, Options{}); err != nil {
		t.Fatal(err)
	}
	maps := map[string]string{}
	for name, mi := range p.Maps {
		maps[name] = "[" + typeList(mi.Keys) + "] " + mi.Value.String()
	}
	want := map[string]string{
		"c": "[string[16], unsigned int64] count",
		"h": "[] hist",
		"s": "[] string[4]",
		"t": "[unsigned int64] (unsigned int64,string[16])",
		"v": "[] unsigned int64",
	}
	for k, w := range want {
		if maps[k] != w {
			t.Errorf("@%s: got %q, want %q", k, maps[k], w)
		}
	}
	vars := p.Probes[0].Vars
	if vars["x"].String() != "unsigned int8" || vars["y"].String() != "int16" {
		t.Errorf("vars: $x %s, $y %s", vars["x"], vars["y"])
	}
}

func TestPositions(t *testing.T) {
	src := "BEGIN\n{\n  @x[pid] = 1 + 2;\n}\n"
	p, err := Parse("stdin", src)
	if err != nil {
		t.Fatal(err)
	}
	a := p.Probes[0].Body.Stmts[0].(*Assign)
	b := a.Value.(*Binary)
	checks := []struct {
		what string
		sp   Span
		want string
	}{
		{"assign", a.Loc, "3:3-3:18"},
		{"map", a.Target.Location(), "3:3-3:10"},
		{"op", a.OpLoc, "3:11-3:12"},
		{"binary", b.Loc, "3:13-3:18"},
		{"rhs", b.Y.Location(), "3:17-3:18"},
	}
	for _, c := range checks {
		got := c.sp.Start.String() + "-" + c.sp.End.String()
		if got != c.want {
			t.Errorf("%s: got %s, want %s", c.what, got, c.want)
		}
		if text := src[c.sp.Start.Offset:c.sp.End.Offset]; c.what == "binary" && text != "1 + 2" {
			t.Errorf("binary offsets cover %q", text)
		}
	}
}

func TestPreambleAndConfig(t *testing.T) {
	src := `#!/usr/bin/env bpftrace
#include <linux/sched.h>
#define X 1
struct foo {
	int a; // comment
	struct { int b; } c;
};
config = { max_map_keys = 100; stack_mode = perf }
macro twice($x) { $x * 2 }
BEGIN { @ = twice(X); }
`
	p, err := Parse("stdin", src)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Preamble) != 4 || p.Preamble[3].Kind != CDefinition || !strings.HasSuffix(p.Preamble[3].Text, "};") {
		t.Fatalf("preamble: %s", Dump(p))
	}
	if p.Config == nil || len(p.Config.Entries) != 2 || p.Config.Entries[1].Name != "stack_mode" {
		t.Fatalf("config: %s", Dump(p))
	}
	if len(p.Macros) != 1 || p.Macros[0].Name != "twice" {
		t.Fatalf("macros: %s", Dump(p))
	}
	if _, err := Check(p, Options{}); err != nil {
		t.Fatal(err)
	}
	roundTrip(t, "preamble", p)
}

// TestFormatGolden pins Format's layout: testdata/format/NAME.bt prints
// as NAME.golden, and the AST dump of NAME.bt is NAME.ast.
func TestFormatGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/format/*.bt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no format cases: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Parse(filepath.Base(f), string(b))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if _, err := Check(p, Options{}); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		roundTrip(t, f, p)
		base := strings.TrimSuffix(f, ".bt")
		for ext, got := range map[string]string{".golden": Format(p), ".ast": Dump(p)} {
			if *update {
				if err := os.WriteFile(base+ext, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(base + ext)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if got != string(want) {
				t.Errorf("%s%s differs:\n%s", base, ext, got)
			}
		}
	}
}

// fakeCTypes knows one tracepoint field and two structs.
type fakeCTypes struct{}

func (fakeCTypes) ArgField(p *Probe, field string) *Type {
	if field == "comm" {
		return strType(16)
	}
	return nil
}

func (fakeCTypes) Member(s, field string) (*Type, error) {
	switch s + "." + field {
	case "struct task_struct.pid":
		return intType(4, true), nil
	case "struct task_struct.real_parent":
		return &Type{Kind: KindPointer, Struct: "struct task_struct"}, nil
	case "struct task_struct.se":
		return &Type{Kind: KindRecord, Struct: "struct sched_entity"}, nil
	case "struct sched_entity.vruntime":
		return intType(8, false), nil
	}
	return nil, fmt.Errorf("Struct/union of type '%s' does not contain a field named '%s'", s, field)
}

// TestCheckCTypes types tracepoint fields, curtask and struct fields
// through Options.CTypes, and reports a missing field once, at the field.
func TestCheckCTypes(t *testing.T) {
	src := `tracepoint:sched:sched_switch { @a[args->comm] = count(); $t = (struct task_struct *)curtask; @p = $t->real_parent->pid; @v = curtask->se.vruntime; }`
	p, err := Parse("stdin", src)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Check(p, Options{CTypes: fakeCTypes{}}); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for name, mi := range p.Maps {
		got[name] = "[" + typeList(mi.Keys) + "] " + mi.Value.String()
	}
	want := map[string]string{"a": "[string[16]] count", "p": "[] int64", "v": "[] unsigned int64"}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("@%s: got %q, want %q", k, got[k], w)
		}
	}
	if vt := p.Probes[0].Vars["t"]; vt.String() != "struct task_struct *" {
		t.Errorf("$t: %s", vt)
	}

	p, err = Parse("stdin", "BEGIN { $x = curtask->nope; printf(\"%d\\n\", $x); }")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Check(p, Options{CTypes: fakeCTypes{}})
	if err == nil {
		t.Fatal("curtask->nope was accepted")
	}
	msg := err.Error()
	if !strings.Contains(msg, "1:14-27: ERROR: Struct/union of type 'struct task_struct' does not contain a field named 'nope'") || strings.Count(msg, "ERROR") != 1 {
		t.Errorf("error:\n%s", msg)
	}
}
