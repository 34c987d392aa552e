package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// requireTool returns the path of a tool, skipping the test when it is
// missing — except under CI=true, where .ci/setup installs it and its
// absence is a failure.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required under CI=true: %v", name, err)
		}
		t.Skipf("%s not installed: %v", name, err)
	}
	return p
}

// TestDisasmLLVMMatchesObjdump compiles C programs with clang-19 and checks
// that "gbpf disasm --llvm" prints what llvm-objdump-19 prints, line for line.
func TestDisasmLLVMMatchesObjdump(t *testing.T) {
	clang := requireTool(t, "clang-19")
	objdump := requireTool(t, "llvm-objdump-19")
	sources, err := filepath.Glob("../../asm/testdata/*.c")
	if err != nil || len(sources) == 0 {
		t.Fatalf("no C sources in asm/testdata: %v", err)
	}
	for _, src := range sources {
		t.Run(filepath.Base(src), func(t *testing.T) {
			obj := filepath.Join(t.TempDir(), "prog.o")
			cmd := exec.Command(clang, "-O2", "-g", "-target", "bpf", "-mcpu=v4", "-I../../asm/testdata", "-c", src, "-o", obj)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("clang: %v\n%s", err, out)
			}
			want, err := exec.Command(objdump, "-d", "--no-show-raw-insn", obj).Output()
			if err != nil {
				t.Fatalf("llvm-objdump: %v", err)
			}
			got, errs, st := gbpf(t, "disasm", "--llvm", obj)
			if st != 0 {
				t.Fatalf("gbpf disasm --llvm: status %d: %s", st, errs)
			}
			alu32, err := exec.Command(objdump, "-d", "--no-show-raw-insn", "--mattr=+alu32", obj).Output()
			if err != nil {
				t.Fatalf("llvm-objdump --mattr=+alu32: %v", err)
			}
			wantLines := normalise(string(want))
			alu32Lines := normalise(string(alu32))
			gotLines := normalise(got)
			if len(alu32Lines) != len(wantLines) {
				t.Fatalf("llvm-objdump printed %d lines with +alu32 and %d without", len(alu32Lines), len(wantLines))
			}
			// Without +alu32, llvm-objdump 19 cannot print 32-bit atomics
			// other than add ("<unknown>") and prints a 32-bit fetch-add as
			// a plain add: for those lines its +alu32 text is the reference.
			for i, w := range wantLines {
				if strings.HasSuffix(w, "<unknown>") || strings.Contains(alu32Lines[i], "atomic_fetch_add((u32 *)") {
					wantLines[i] = alu32Lines[i]
				}
			}
			if len(wantLines) != len(gotLines) {
				t.Fatalf("%d lines, llvm-objdump printed %d\ngot:\n%s\nwant:\n%s", len(gotLines), len(wantLines), got, want)
			}
			for i := range wantLines {
				if wantLines[i] != gotLines[i] {
					t.Errorf("line %d: got %q, llvm-objdump %q", i+1, gotLines[i], wantLines[i])
				}
			}
		})
	}
}

// normalise drops blank lines and llvm-objdump's "file format" banner and
// folds white space.
func normalise(s string) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		line = strings.Join(strings.Fields(line), " ")
		if line == "" || strings.Contains(line, "file format") {
			continue
		}
		out = append(out, line)
	}
	return out
}
