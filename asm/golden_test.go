package asm

import (
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/isa"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/golden")

// TestGolden assembles each testdata/golden/NAME.SYNTAX.s and compares the
// encoding, both disassemblies and the verifier-log form with
// NAME.SYNTAX.golden (go test -update rewrites them).
func TestGolden(t *testing.T) {
	inputs, _ := filepath.Glob("testdata/golden/*.s")
	if len(inputs) == 0 {
		t.Fatal("no golden inputs")
	}
	for _, in := range inputs {
		base := strings.TrimSuffix(in, ".s")
		syntax, err := ParseSyntax(filepath.Ext(base)[1:])
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		src, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		insns, err := Assemble(string(src), syntax)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		roundTrip(t, insns)
		var b strings.Builder
		b.WriteString("== encoding ==\n")
		for _, ins := range insns {
			b.WriteString(hex.EncodeToString(ins.Append(nil)))
			b.WriteByte('\n')
		}
		b.WriteString("== kernel ==\n")
		b.WriteString(Disassemble(insns, Kernel))
		b.WriteString("== conformance ==\n")
		b.WriteString(Disassemble(insns, Conformance))
		b.WriteString("== verifier log (isa.Instruction.String) ==\n")
		for _, ins := range insns {
			b.WriteString(ins.String())
			b.WriteByte('\n')
		}
		golden := base + ".golden"
		if *update {
			if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if b.String() != string(want) {
			t.Errorf("%s differs from %s:\n%s", in, golden, b.String())
		}
	}
}

// TestVerifierLogAssembles checks that what isa.Instruction.String prints
// assembles in the kernel syntax, for every program of the golden files.
func TestVerifierLogAssembles(t *testing.T) {
	inputs, _ := filepath.Glob("testdata/golden/*.s")
	for _, in := range inputs {
		src, _ := os.ReadFile(in)
		syntax, _ := ParseSyntax(filepath.Ext(strings.TrimSuffix(in, ".s"))[1:])
		insns, err := Assemble(string(src), syntax)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		for i, ins := range insns {
			got, err := Assemble(ins.String(), Kernel)
			want := ins
			if ins.IsLoadImm64() && ins.Src == isa.PseudoImm && uint64(ins.Constant) <= 0xffffffff {
				// "r0 = 0x5" is a mov: only values beyond 32 bits make an lddw.
				continue
			}
			if err != nil || len(got) != 1 || got[0] != want {
				t.Errorf("%s: insn %d: Assemble(%q) = %v, %v; want %v", in, i, ins.String(), got, err, want)
			}
		}
	}
}

// TestAnnotations checks llvm-objdump's jump target annotations.
func TestAnnotations(t *testing.T) {
	insns, err := Assemble("r0 = 0\nif r0 == 1 goto -2\ngoto -4\ngoto +0\nexit\nexit", Kernel)
	if err != nil {
		t.Fatal(err)
	}
	got := DisassembleWith(insns, Options{Syntax: Kernel, Symbols: map[int]string{0: "f", 5: "g"}})
	want := "r0 = 0x0\nif r0 == 0x1 goto -0x2 <f>\ngoto -0x4 <f+0xfffffffffffffff8>\ngoto +0x0 <f+0x20>\nexit\nexit\n"
	if got != want {
		t.Errorf("got\n%swant\n%s", got, want)
	}
	got = DisassembleWith(insns[3:4], Options{Syntax: Kernel, Symbols: map[int]string{0: "f", 5: "g"}, Base: 4})
	if want := "goto +0x0 <g>\n"; got != want {
		t.Errorf("with Base: got %q, want %q", got, want)
	}
}
