// Package conformance runs the bpf_conformance instruction-set suite
// (../shared/conformance next to the repository) against any engine of
// package vm, with one test function parameterised by engine so that every
// engine runs the same 313 programs.
package conformance

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/verifier"
	"github.com/gbpf/gbpf/vm"
)

// Test is one assembled conformance program.
type Test struct {
	Name    string
	Program []isa.Instruction
	Mem     []byte
	Result  uint64 // expected r0
	Error   string // expected error text, when the test expects failure
}

// DirEnv names an environment variable that overrides the location of the
// suite's directory.
const DirEnv = "GBPF_CONFORMANCE_DIR"

// Dir returns the suite's directory: $GBPF_CONFORMANCE_DIR, or
// ../shared/conformance beside the module root found from the working
// directory.
func Dir() (string, error) {
	if d := os.Getenv(DirEnv); d != "" {
		return d, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, "..", "shared", "conformance"), nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("no go.mod above %s", wd)
		}
		d = parent
	}
}

// Load reads and decodes dir/assembled.jsonl.
func Load(dir string) ([]Test, error) {
	name := filepath.Join(dir, "assembled.jsonl")
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var tests []Test
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var raw struct {
			Name, Program, Mem, Result, Error string
		}
		if err := json.Unmarshal(sc.Bytes(), &raw); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, line, err)
		}
		t, err := decode(raw.Name, raw.Program, raw.Mem, raw.Result)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: test %q: %v", name, line, raw.Name, err)
		}
		t.Error = raw.Error
		tests = append(tests, t)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return tests, nil
}

func decode(name, program, mem, result string) (Test, error) {
	t := Test{Name: name}
	code, err := hex.DecodeString(program)
	if err != nil {
		return t, fmt.Errorf("program: %v", err)
	}
	if t.Program, err = isa.Decode(code); err != nil {
		return t, fmt.Errorf("program: %v", err)
	}
	if t.Mem, err = hex.DecodeString(mem); err != nil {
		return t, fmt.Errorf("mem: %v", err)
	}
	if result != "" {
		if t.Result, err = strconv.ParseUint(result, 0, 64); err != nil {
			return t, fmt.Errorf("result: %v", err)
		}
	}
	return t, nil
}

// Require loads the suite, failing tb with the reason when the suite is
// missing: a test that reads ../shared never passes silently.
func Require(tb testing.TB) []Test {
	tb.Helper()
	dir, err := Dir()
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "assembled.jsonl"))
	}
	if err != nil {
		msg := fmt.Sprintf("conformance suite not found (need ../shared/conformance/assembled.jsonl beside the repository, or $%s): %v", DirEnv, err)
		tb.Fatal(msg)
	}
	tests, err := Load(dir)
	if err != nil {
		tb.Fatal(err)
	}
	return tests
}

// Unverifiable lists the suite's programs that the verifier refuses, as
// the kernel's verifier does, with its reason: shifts by immediates outside
// the operand width and callx, which the kernel does not accept. They run
// unverified, in checked mode; every other program runs verified.
var Unverifiable = map[string]string{
	"arsh32-imm-high": "invalid shift 48",
	"arsh32-imm-neg":  "invalid shift -16",
	"arsh64-imm-high": "invalid shift 124",
	"arsh64-imm-neg":  "invalid shift -4",
	"lsh32-imm-high":  "invalid shift 60",
	"lsh32-imm-neg":   "invalid shift -4",
	"lsh64-imm-high":  "invalid shift 68",
	"lsh64-imm-neg":   "invalid shift -60",
	"rsh32-imm-high":  "invalid shift 40",
	"rsh32-imm-neg":   "invalid shift -24",
	"rsh64-imm-high":  "invalid shift 68",
	"rsh64-imm-neg":   "invalid shift -60",
	"callx":           "callx is not supported",
}

// RunSuite runs every conformance program on engine, one subtest per
// program, and fails each whose r0 or error differs from the expectation.
// Programs run verified, except those in Unverifiable, which must be
// refused by the verifier with the listed reason.
func RunSuite(t *testing.T, engine vm.Engine) {
	tests := Require(t)
	for _, tc := range tests {
		t.Run(tc.Name, func(t *testing.T) {
			why, unverified := Unverifiable[tc.Name]
			if unverified {
				_, err := RunOne(engine, tc, false)
				var ve *verifier.Error
				if !errors.As(err, &ve) || ve.Reason != why {
					t.Fatalf("verifier: got %v, want the reason %q", err, why)
				}
			}
			got, err := RunOne(engine, tc, unverified)
			if tc.Error != "" {
				if err == nil {
					t.Fatalf("got r0 = %#x, want error %q", got, tc.Error)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.Result {
				t.Fatalf("r0 = %#x, want %#x", got, tc.Result)
			}
		})
	}
}

// RunOne loads tc on engine with the suite's helpers, verified for its
// memory's size unless unverified is set, and runs it over a copy of its
// memory.
func RunOne(engine vm.Engine, tc Test, unverified bool) (uint64, error) {
	p, err := vm.Load(tc.Program, vm.Options{Engine: engine, Helpers: vm.ConformanceHelpers(), MemSize: len(tc.Mem), Unverified: unverified})
	if err != nil {
		return 0, fmt.Errorf("load: %w", err)
	}
	mem := append([]byte(nil), tc.Mem...)
	r0, err := p.Run(mem)
	if err != nil {
		return 0, fmt.Errorf("run: %w", err)
	}
	return r0, nil
}

// ErrNotFound reports a conformance test name that is not in the suite.
var ErrNotFound = errors.New("conformance test not found")

// Find returns the test with the given name.
func Find(tests []Test, name string) (Test, error) {
	for _, t := range tests {
		if t.Name == name {
			return t, nil
		}
	}
	return Test{}, fmt.Errorf("%w: %q", ErrNotFound, name)
}
