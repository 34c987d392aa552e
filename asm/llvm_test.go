package asm

import (
	"bufio"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/internal/elfcode"
	"github.com/gbpf/gbpf/isa"
)

var (
	llvmLine = regexp.MustCompile(`^\s*([0-9]+):\s+(.*)$`)
	llvmFunc = regexp.MustCompile(`^([0-9a-f]{16}) <(.*)>:$`)
)

// objdump runs llvm-objdump-19 -d --no-show-raw-insn [extra] and returns,
// per section, the text of each instruction by slot position, and the
// functions it lists as "section name byte-offset".
func objdump(t *testing.T, obj string, extra ...string) (map[string]map[int]string, []string) {
	t.Helper()
	args := append([]string{"-d", "--no-show-raw-insn"}, extra...)
	out, err := exec.Command("llvm-objdump-19", append(args, obj)...).CombinedOutput()
	if err != nil {
		t.Fatalf("llvm-objdump-19 %s: %v\n%s", obj, err, out)
	}
	res := map[string]map[int]string{}
	var cur map[int]string
	var funcs []string
	section := ""
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		line := sc.Text()
		if name, ok := strings.CutPrefix(line, "Disassembly of section "); ok {
			cur = map[int]string{}
			section = strings.TrimSuffix(name, ":")
			res[section] = cur
			continue
		}
		if m := llvmFunc.FindStringSubmatch(line); m != nil {
			off, _ := strconv.ParseUint(m[1], 16, 64)
			funcs = append(funcs, fmt.Sprintf("%s %s %d", section, m[2], off))
			continue
		}
		if m := llvmLine.FindStringSubmatch(line); m != nil && cur != nil {
			slot, _ := strconv.Atoi(m[1])
			cur[slot] = normalize(m[2])
		}
	}
	return res, funcs
}

func normalize(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestLLVMObjdump compiles the C programs of testdata and checks that
// the kernel-syntax disassembly of every executable section equals
// llvm-objdump-19's, instruction for instruction. Two llvm-objdump quirks
// are followed: instructions it prints as <unknown> without +alu32 (32-bit
// atomics other than add) are compared with its +alu32 output, and so is the
// 32-bit atomic_fetch_add, which it prints without +alu32 as a plain
// "lock ... += r1".
func TestLLVMObjdump(t *testing.T) {
	_, errC := exec.LookPath("clang-19")
	_, errD := exec.LookPath("llvm-objdump-19")
	need(t, errC == nil && errD == nil, "clang-19 and llvm-objdump-19 are needed")
	sources, _ := filepath.Glob("testdata/*.c")
	if len(sources) == 0 {
		t.Fatal("no C programs in testdata")
	}
	dir := t.TempDir()
	total := 0
	for _, src := range sources {
		name := strings.TrimSuffix(filepath.Base(src), ".c")
		obj := filepath.Join(dir, name+".o")
		out, err := exec.Command("clang-19", "-O2", "-g", "-target", "bpf", "-mcpu=v4", "-c", src, "-o", obj).CombinedOutput()
		if err != nil {
			t.Fatalf("clang-19 %s: %v\n%s", src, err, out)
		}
		plain, funcs := objdump(t, obj)
		alu32, _ := objdump(t, obj, "--mattr=+alu32")
		f, err := elfcode.Open(obj)
		if err != nil {
			t.Fatal(err)
		}
		// elfcode finds the functions llvm-objdump lists.
		var progs []string
		for _, p := range f.Programs() {
			progs = append(progs, fmt.Sprintf("%s %s %d", p.Section, p.Name, p.Offset))
		}
		if len(funcs) == 0 || strings.Join(progs, "\n") != strings.Join(funcs, "\n") {
			t.Errorf("%s: elfcode programs\n%s\nllvm-objdump functions\n%s", name, strings.Join(progs, "\n"), strings.Join(funcs, "\n"))
		}
		for _, sec := range f.Sections() {
			want := plain[sec.Name]
			if len(sec.Insns) == 0 {
				continue // llvm-objdump skips empty sections
			}
			if want == nil {
				t.Errorf("%s: llvm-objdump printed no section %s", name, sec.Name)
				continue
			}
			text := DisassembleWith(sec.Insns, Options{Syntax: Kernel, Symbols: sec.Symbols, LLVM: true})
			lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
			slot := 0
			for i, ins := range sec.Insns {
				w := want[slot]
				if w == "<unknown>" || ins.OpCode == uint8(isa.ClassSTX)|isa.ModeATOMIC|isa.SizeW && ins.Constant&isa.AtomicFetch != 0 {
					w = alu32[sec.Name][slot]
				}
				if got := normalize(lines[i]); got != w {
					t.Errorf("%s: section %s slot %d: got %q, llvm-objdump prints %q", name, sec.Name, slot, got, w)
				}
				// The assembler reads llvm-objdump's text back, except that
				// a call prints as "call IMM" whatever its kind.
				back, err := Assemble(w, Kernel)
				expect := ins
				if ins.OpCode == isa.OpCall {
					expect.Src = isa.PseudoCallHelper
				}
				if err != nil || len(back) != 1 || back[0] != expect {
					t.Errorf("%s: section %s slot %d: Assemble(%q) = %v, %v; want %v", name, sec.Name, slot, w, back, err, expect)
				}
				slot += ins.Slots()
				total++
			}
			if len(want) != len(sec.Insns) {
				t.Errorf("%s: section %s: llvm-objdump printed %d instructions, we decoded %d", name, sec.Name, len(want), len(sec.Insns))
			}
		}
	}
	t.Logf("%d instructions in %d objects compared with llvm-objdump-19", total, len(sources))
}
