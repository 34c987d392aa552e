package seccomp

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/cbpf"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/policies")

// TestGolden compiles each testdata/policies/*.json and compares the
// `tcpdump -d` text with its .golden file.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/policies/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no policies: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			p, err := ParsePolicy(src)
			if err != nil {
				t.Fatal(err)
			}
			insns, err := p.Compile()
			if err != nil {
				t.Fatal(err)
			}
			got := cbpf.Disasm(insns)
			golden := strings.TrimSuffix(file, ".json") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("program differs from %s:\n%s", golden, got)
			}
			back, err := cbpf.ParseDisasm(got)
			if err != nil || !reflect.DeepEqual(back, insns) {
				t.Errorf("ParseDisasm does not read the text back: %v", err)
			}
		})
	}
}

func TestParsePolicy(t *testing.T) {
	p, err := ParsePolicy([]byte(`{"arch": "x86_64", "default": "errno:1", "bad_arch": "kill_thread",
		"rules": [{"syscalls": ["getpid"], "action": "errno:38"},
		          {"syscalls": ["mmap", "9"], "action": "ERRNO:eperm",
		           "args": [{"index": 2, "op": "&=", "mask": "0x4", "value": 4}, {"index": 5, "op": "<", "value": 18446744073709551615}, {"index": 0, "op": "!=", "value": -2}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := &Policy{Arch: "x86_64", DefaultAction: Errno(1), BadArchAction: KillThread, BadArchSet: true, Rules: []Rule{
		{Syscalls: []string{"getpid"}, Action: Errno(38)},
		{Syscalls: []string{"mmap", "9"}, Action: Errno(1), Args: []ArgCmp{
			{Index: 2, Op: OpMaskedEq, Mask: 4, Value: 4}, {Index: 5, Op: OpLt, Value: maxU}, {Index: 0, Op: OpNe, Value: maxU - 1}}},
	}}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("got %+v\nwant %+v", p, want)
	}
	text, err := MarshalPolicy(p)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParsePolicy(text)
	if err != nil || !reflect.DeepEqual(back, p) {
		t.Fatalf("round trip: %v\n%s", err, text)
	}
}

func TestParsePolicyErrors(t *testing.T) {
	cases := []struct{ src, want string }{
		{``, "seccomp: policy: EOF"},
		{`{"default": "allow",}`, "seccomp: policy: 1:21: invalid character '}'"},
		{"{\n  \"default\": 5}", "seccomp: policy: 2:15: json: cannot unmarshal number"},
		{`{"rules": []}`, `seccomp: policy: missing "default" action`},
		{`{"default": "deny"}`, `seccomp: policy: default: seccomp: unknown action "deny"`},
		{`{"default": "errno:70000"}`, `seccomp: policy: default: seccomp: action "errno:70000": errno data must be a number from 0 to 65535`},
		{`{"default": "allow", "bad_arch": "trace:x"}`, `seccomp: policy: bad_arch: seccomp: action "trace:x"`},
		{`{"default": "allow", "colour": 1}`, `seccomp: policy: json: unknown field "colour"`},
		{`{"default": "allow"} {}`, "seccomp: policy: 1:22: data after the policy object"},
		{`{"default": "allow", "rules": [{"syscalls": ["read"]}]}`, `seccomp: policy: rule 0: missing "action"`},
		{`{"default": "allow", "rules": [{"syscalls": ["nope"], "action": "allow"}]}`, `seccomp: policy: rule 0: seccomp: unknown system call "nope" on`},
		{`{"default": "allow", "rules": [{"syscalls": ["read"], "action": "allow", "args": [{"index": 0, "op": "=", "value": 1}]}]}`, `seccomp: policy: rule 0, comparison 0: seccomp: unknown comparison "="`},
		{`{"default": "allow", "rules": [{"syscalls": ["read"], "action": "allow", "args": [{"index": 0, "op": "=="}]}]}`, `seccomp: policy: rule 0, comparison 0: "index", "op" and "value" are required`},
		{`{"default": "allow", "rules": [{"syscalls": ["read"], "action": "allow", "args": [{"index": 0, "op": "&=", "value": 1}]}]}`, `seccomp: policy: rule 0, comparison 0: op "&=" needs "mask"`},
		{`{"default": "allow", "rules": [{"syscalls": ["read"], "action": "allow", "args": [{"index": 0, "op": "==", "value": 1, "mask": 1}]}]}`, `seccomp: policy: rule 0, comparison 0: "mask" needs op "&="`},
		{`{"default": "allow", "rules": [{"syscalls": ["read"], "action": "allow", "args": [{"index": 9, "op": "==", "value": 1}]}]}`, `seccomp: policy: seccomp: rule 0, comparison 0: argument index 9 outside 0 to 5`},
		{`{"default": "allow", "rules": [{"syscalls": ["read"], "action": "allow", "args": [{"index": 0, "op": "==", "value": 1.5}]}]}`, `seccomp: policy: 1.5 is not a 64-bit integer`},
		{`{"default": "allow", "rules": [{"syscalls": ["read"], "action": "allow", "args": [{"index": 0, "op": "==", "value": "0x1ffffffffffffffff"}]}]}`, `seccomp: policy: `},
	}
	for _, c := range cases {
		p, err := ParsePolicy([]byte(c.src))
		if err == nil || p != nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s:\n  error %v\n  want prefix %q", c.src, err, c.want)
		}
	}
}

func TestActions(t *testing.T) {
	cases := []struct {
		text string
		act  Action
		kind Action
		out  string
	}{
		{"allow", Allow, Allow, "allow"},
		{"LOG", Log, Log, "log"},
		{"trap", Trap, Trap, "trap"},
		{"kill", KillProcess, KillProcess, "kill_process"},
		{"kill_thread", KillThread, KillThread, "kill_thread"},
		{"notify", UserNotif, UserNotif, "user_notif"},
		{"errno:0", Errno(0), errnoBase, "errno:0"},
		{"errno:ENOSYS", Errno(38), errnoBase, "errno:38"},
		{"errno:65535", Errno(65535), errnoBase, "errno:65535"},
		{"trace:7", Trace(7), traceBase, "trace:7"},
	}
	for _, c := range cases {
		a, err := ParseAction(c.text)
		if err != nil || a != c.act || a.Kind() != c.kind || a.String() != c.out {
			t.Errorf("%q: %v (kind %v, %q), %v", c.text, a, a.Kind(), a.String(), err)
		}
	}
	if e, ok := Errno(5000).ErrnoValue(); !ok || e != 4095 {
		t.Errorf("errno:5000 is seen as %d, %v; want 4095 (MAX_ERRNO)", e, ok)
	}
	odd := Action(0x7ffe0000)
	if odd.Kind() != KillProcess || odd.String() != "0x7ffe0000" {
		t.Errorf("unknown action: kind %v, %q", odd.Kind(), odd.String())
	}
	if (Allow | 5).String() != "0x7fff0005" {
		t.Errorf("allow with data: %q", (Allow | 5).String())
	}
}

// TestEvaluateRaw runs hand-written programs: ld #len is 64, ret A returns
// the computed action, and a program the kernel would refuse is an error.
func TestEvaluateRaw(t *testing.T) {
	prog := []cbpf.Instruction{
		cbpf.Stmt(cbpf.OpLdLen, 0),
		cbpf.Stmt(cbpf.OpOrK, uint32(errnoBase)),
		cbpf.Stmt(cbpf.OpRetA, 0),
	}
	if a, err := Evaluate(prog, Data{}); err != nil || a != Errno(64) {
		t.Errorf("ld #len: %v, %v; want errno:64", a, err)
	}
	// ret A of args[1]'s high word (little-endian: offset 28).
	prog = []cbpf.Instruction{cbpf.Stmt(cbpf.OpLdW, 28), cbpf.Stmt(cbpf.OpRetA, 0)}
	if a, err := Evaluate(prog, Data{Arch: ArchX86_64, Args: [6]uint64{0, 0x7fff0000_00000001}}); err != nil || a != Allow {
		t.Errorf("ret A: %v, %v; want allow", a, err)
	}
	if _, err := Evaluate([]cbpf.Instruction{cbpf.Stmt(cbpf.OpLdH, 0), cbpf.Stmt(cbpf.OpRetA, 0)}, Data{}); err == nil || !strings.Contains(err.Error(), "not allowed in a seccomp filter") {
		t.Errorf("ldh: %v", err)
	}
}
