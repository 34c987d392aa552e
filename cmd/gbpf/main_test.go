package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// gbpf runs the command line in-process and returns its outputs.
func gbpf(t *testing.T, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	var out, errb bytes.Buffer
	status = run(args, &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb})
	return out.String(), errb.String(), status
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAsmDisasmRun(t *testing.T) {
	src := "r0 = 42\nexit\n"
	in := writeFile(t, "p.s", src)
	bin := filepath.Join(t.TempDir(), "p.bin")
	if out, errs, st := gbpf(t, "asm", in, "-o", bin); st != 0 || out != "" || errs != "" {
		t.Fatalf("asm: status %d, stdout %q, stderr %q", st, out, errs)
	}
	code, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{0xb7, 0, 0, 0, 42, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0}
	if !bytes.Equal(code, want) {
		t.Fatalf("asm wrote % x, want % x", code, want)
	}
	out, errs, st := gbpf(t, "disasm", bin)
	if st != 0 || errs != "" {
		t.Fatalf("disasm: status %d, stderr %q", st, errs)
	}
	if !strings.Contains(out, "r0 = 0x2a") || !strings.Contains(out, "exit") {
		t.Fatalf("disasm output %q", out)
	}
	// The disassembly reassembles to the same bytes.
	re := writeFile(t, "re.s", out)
	if out2, errs, st := gbpf(t, "asm", re); st != 0 || out2 != string(want) {
		t.Fatalf("reassembly: status %d, stderr %q, bytes % x", st, errs, out2)
	}
	for _, f := range []string{in, bin} {
		out, errs, st := gbpf(t, "run", f)
		if st != 0 || out != "0x2a\n" || errs != "" {
			t.Errorf("run %s: status %d, stdout %q, stderr %q", f, st, out, errs)
		}
	}
}

func TestRunMemoryAndFlagsAnywhere(t *testing.T) {
	sum := "../../examples/sum.s"
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"run", "--mem", "01 02 03 04", sum}, "0xa\n"},
		{[]string{"run", sum, "--mem", "01020304"}, "0xa\n"},
		{[]string{"run", sum, "--mem=ff ff"}, "0x1fe\n"},
		{[]string{"run", "-mem", "", sum}, "0x0\n"},
		{[]string{"run", "--engine", "interp", sum, "--repeat", "3", "--mem", "05"}, "0x5\n"},
	}
	for _, c := range cases {
		out, errs, st := gbpf(t, c.args...)
		if st != 0 || out != c.want || errs != "" {
			t.Errorf("gbpf %q: status %d, stdout %q, stderr %q; want %q", c.args, st, out, errs, c.want)
		}
	}
}

func TestRunJSONAndDataOut(t *testing.T) {
	prog := writeFile(t, "w.s", "*(u32 *)(r1 + 0) = 0x44332211\nr0 = -1\nexit\n")
	memFile := writeFile(t, "mem.bin", "\x00\x00\x00\x00\xaa")
	outFile := filepath.Join(t.TempDir(), "out.bin")
	out, errs, st := gbpf(t, "run", prog, "--json", "--mem-file", memFile, "--data-out", outFile, "--repeat", "10")
	if st != 0 || errs != "" {
		t.Fatalf("status %d, stderr %q", st, errs)
	}
	var res struct {
		Retval     uint64 `json:"retval"`
		DurationNS *int64 `json:"duration_ns"`
	}
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&res); err != nil || strings.Count(out, "\n") != 1 {
		t.Fatalf("stdout %q is not one JSON line: %v", out, err)
	}
	if res.Retval != 0xffffffffffffffff || res.DurationNS == nil || *res.DurationNS < 0 {
		t.Errorf("json = %s", out)
	}
	got, err := os.ReadFile(outFile)
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte{0x11, 0x22, 0x33, 0x44, 0xaa}; !bytes.Equal(got, want) {
		t.Errorf("data out % x, want % x", got, want)
	}
}

// TestErrors checks that every kind of bad input ends with exactly one line
// on stderr, nothing on stdout, and a non-zero status.
func TestErrors(t *testing.T) {
	garbage := writeFile(t, "garbage.bin", "\x01\x02\x03\x00\xff")
	badop := writeFile(t, "badop.bin", "\xff\x00\x00\x00\x00\x00\x00\x00")
	syntax := writeFile(t, "bad.s", "r0 = 1\nr0 +== 2\nexit\n")
	fault := writeFile(t, "fault.s", "r0 = *(u64 *)(r1 + 64)\nexit\n")
	loop := writeFile(t, "loop.s", "l:\ngoto l\nexit\n")
	ok := writeFile(t, "ok.s", "r0 = 0\nexit\n")
	cases := []struct {
		name   string
		args   []string
		status int
		msg    string
	}{
		{"no command", []string{"frobnicate"}, 2, "unknown command"},
		{"missing file", []string{"run", "/nonexistent/prog.s"}, 1, "no such file"},
		{"garbage bytes", []string{"run", garbage}, 1, "not a multiple of 8"},
		{"unknown opcode", []string{"disasm", badop}, 1, "unknown opcode"},
		{"bad hex", []string{"run", ok, "--mem", "0g"}, 1, "invalid hex"},
		{"odd hex", []string{"run", ok, "--mem", "123"}, 1, "odd number"},
		{"syntax error", []string{"asm", syntax}, 1, "line 2"},
		{"fault", []string{"run", fault, "--mem", "00"}, 1, "insn 0"},
		{"budget", []string{"run", loop, "--max-insns", "1000"}, 1, "insn"},
		{"unknown flag", []string{"run", "--bogus", ok}, 2, "unknown flag --bogus"},
		{"missing value", []string{"run", ok, "--mem"}, 2, "needs a value"},
		{"two inputs", []string{"run", ok, "--mem", "00", "--mem-file", ok}, 2, "at most one"},
		{"bad engine", []string{"run", "--engine", "warp", ok}, 1, "interp"},
		{"bad type", []string{"run", "--type", "kprobe", ok}, 2, "supported: raw, socket, xdp, tc, syscall"},
		{"short xdp packet", []string{"run", "--type", "xdp", ok, "--mem", "00"}, 1, "shorter than an Ethernet header"},
		{"dump maps of text", []string{"run", ok, "--dump-maps", "/dev/null"}, 2, "needs an ELF object"},
		{"bad syntax flag", []string{"asm", "--syntax", "intel", ok}, 2, "intel"},
		{"no args", []string{"run"}, 2, "usage"},
		{"not ELF with prog", []string{"run", ok + ":main"}, 1, "not an ELF object"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errs, st := gbpf(t, c.args...)
			if st != c.status {
				t.Errorf("status %d, want %d (stderr %q)", st, c.status, errs)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
			if strings.Count(errs, "\n") != 1 || !strings.HasSuffix(errs, "\n") {
				t.Errorf("stderr %q is not exactly one line", errs)
			}
			if !strings.Contains(errs, c.msg) {
				t.Errorf("stderr %q does not mention %q", errs, c.msg)
			}
			if strings.Contains(errs, "panic") || strings.Contains(errs, "goroutine") {
				t.Errorf("stderr shows a panic: %q", errs)
			}
		})
	}
}

func TestVersionAndHelp(t *testing.T) {
	out, _, st := gbpf(t, "version")
	if st != 0 || !strings.HasPrefix(out, "gbpf ") {
		t.Errorf("version: %d %q", st, out)
	}
	out, _, st = gbpf(t, "help")
	if st != 0 || !strings.Contains(out, "Examples:") {
		t.Errorf("help: %d %q", st, out)
	}
	out, _, st = gbpf(t, "help", "run")
	if st != 0 || !strings.Contains(out, "--mem HEX") {
		t.Errorf("help run: %d %q", st, out)
	}
}
