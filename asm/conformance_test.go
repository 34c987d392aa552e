package asm

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/isa"
)

const conformanceDir = "../../shared/conformance"

// need skips the test with reason, or fails it when CI=true, where every
// prerequisite must be present.
func need(t testing.TB, ok bool, reason string) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("prerequisite missing under CI=true: %s", reason)
	}
	t.Skip(reason)
}

type conformanceCase struct {
	name    string
	asm     string // the "-- asm" section
	program []byte // the assembled bytes from assembled.jsonl
}

// conformanceCases reads the suite's .data files and assembled.jsonl.
func conformanceCases(t testing.TB) []conformanceCase {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(conformanceDir, "tests", "*.data"))
	f, err := os.Open(filepath.Join(conformanceDir, "assembled.jsonl"))
	if err != nil || len(files) == 0 {
		t.Fatalf("the conformance suite is missing: no tests at %s (../shared must sit beside the project)", conformanceDir)
	}
	defer f.Close()
	programs := map[string][]byte{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var rec struct{ Name, Program string }
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		b, err := hex.DecodeString(rec.Program)
		if err != nil {
			t.Fatalf("%s: %v", rec.Name, err)
		}
		programs[rec.Name] = b
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	var cases []conformanceCase
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(file), ".data")
		prog, ok := programs[name]
		if !ok {
			t.Fatalf("%s: not in assembled.jsonl", name)
		}
		cases = append(cases, conformanceCase{name: name, asm: section(string(data), "asm"), program: prog})
	}
	sort.Slice(cases, func(i, j int) bool { return cases[i].name < cases[j].name })
	return cases
}

// section returns the body of the "-- name" section of a .data file.
func section(data, name string) string {
	var b strings.Builder
	in := false
	for _, line := range strings.Split(data, "\n") {
		if strings.HasPrefix(line, "-- ") {
			in = strings.TrimSpace(line[3:]) == name
			continue
		}
		if in {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func TestConformanceAssemble(t *testing.T) {
	cases := conformanceCases(t)
	matched := 0
	for _, c := range cases {
		insns, err := Assemble(c.asm, Conformance)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		got := isa.Encode(nil, insns)
		if string(got) != string(c.program) {
			t.Errorf("%s:\n got %x\nwant %x", c.name, got, c.program)
			continue
		}
		matched++
	}
	t.Logf("%d of %d conformance programs assemble to the bytes of assembled.jsonl", matched, len(cases))
	if len(cases) != 313 {
		t.Errorf("found %d conformance tests, want 313", len(cases))
	}
}

func TestConformanceRoundTrip(t *testing.T) {
	for _, c := range conformanceCases(t) {
		want, err := isa.Decode(c.program)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for _, syntax := range []Syntax{Kernel, Conformance} {
			text := Disassemble(want, syntax)
			got, err := Assemble(text, syntax)
			if err != nil {
				t.Errorf("%s (%s): %v\n%s", c.name, syntax, err, text)
				continue
			}
			if !equalInsns(got, want) {
				t.Errorf("%s (%s): round trip differs\n%s", c.name, syntax, text)
			}
		}
	}
}

func equalInsns(a, b []isa.Instruction) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
