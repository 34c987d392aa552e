package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/internal/conformance"
)

// conformanceTest is one bpf_conformance .data file.
type conformanceTest struct {
	name, asm, mem string
	result         uint64
	hasResult      bool
}

// readDataFile splits a .data file into its "-- name" sections.
func readDataFile(t *testing.T, path string) conformanceTest {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sections := map[string]*strings.Builder{}
	var cur *strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if name, ok := strings.CutPrefix(line, "-- "); ok {
			cur = &strings.Builder{}
			sections[strings.TrimSpace(name)] = cur
			continue
		}
		if cur != nil {
			cur.WriteString(line)
			cur.WriteByte('\n')
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	ct := conformanceTest{name: strings.TrimSuffix(filepath.Base(path), ".data")}
	if s := sections["asm"]; s != nil {
		ct.asm = s.String()
	}
	if s := sections["mem"]; s != nil {
		ct.mem = stripComments(s.String())
	}
	if s := sections["result"]; s != nil {
		v := strings.TrimSpace(stripComments(s.String()))
		r, err := strconv.ParseUint(strings.TrimPrefix(v, "0x"), 16, 64)
		if err != nil {
			t.Fatalf("%s: result %q: %v", path, v, err)
		}
		ct.result, ct.hasResult = r, true
	}
	return ct
}

func stripComments(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// sharedDir returns ../shared relative to the module root, failing the test
// when it is missing: a test that reads it must never pass silently.
func sharedDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../../../shared")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "conformance", "tests")); err != nil {
		t.Fatalf("../shared/conformance is missing (expected beside the project at %s): %v", dir, err)
	}
	return dir
}

// TestConformanceThroughCLI runs every conformance test end to end through
// the command line: the .data file's assembly through our assembler, its
// memory through --mem, the program through the interpreter.
func TestConformanceThroughCLI(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(sharedDir(t), "conformance", "tests", "*.data"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 313 {
		t.Fatalf("found %d conformance tests, want 313", len(files))
	}
	passed := 0
	for _, path := range files {
		ct := readDataFile(t, path)
		t.Run(ct.name, func(t *testing.T) {
			if !ct.hasResult || ct.asm == "" {
				t.Fatalf("test has no asm or result section")
			}
			src := writeFile(t, "prog.s", ct.asm)
			args := []string{"run", "--syntax", "conformance", "--mem", ct.mem}
			if why, ok := conformance.Unverifiable[ct.name]; ok {
				// The verifier refuses it, as the kernel's does: exit 1 with
				// the reason, then run it with --unverified.
				if _, errs, st := gbpf(t, append(args, src)...); st != 1 || !strings.Contains(errs, why) {
					t.Fatalf("verified: status %d, stderr %q; want 1 and %q", st, errs, why)
				}
				args = append(args, "--unverified")
			}
			out, errs, st := gbpf(t, append(args, src)...)
			want := "0x" + strconv.FormatUint(ct.result, 16) + "\n"
			if st != 0 || out != want {
				t.Fatalf("status %d, stdout %q, stderr %q; want %q", st, out, errs, want)
			}
			passed++
		})
	}
	t.Logf("conformance through the CLI: %d/%d passed", passed, len(files))
}
