package main

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/internal/conformance"
	"github.com/gbpf/gbpf/vm"
)

// protocolHex encodes bytes as the runner does: two hex digits and two spaces per byte.
func protocolHex(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		sb.WriteString(hex.EncodeToString([]byte{c}))
		sb.WriteString("  ")
	}
	return sb.String()
}

func plugin(args []string, stdin string) (string, string, int) {
	var out, errb bytes.Buffer
	st := run(args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), st
}

// TestAssembledSuite speaks the plugin protocol for all 313 programs of
// ../shared/conformance/assembled.jsonl, on each engine.
func TestAssembledSuite(t *testing.T) {
	for _, e := range vm.Engines() {
		t.Run(string(e), func(t *testing.T) { assembledSuite(t, []string{"--engine", string(e)}) })
	}
}

func assembledSuite(t *testing.T, engineArgs []string) {
	path, err := filepath.Abs("../../../shared/conformance/assembled.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("../shared/conformance is missing: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n, passed := 0, 0
	for sc.Scan() {
		var tc struct{ Name, Program, Mem, Result string }
		if err := json.Unmarshal(sc.Bytes(), &tc); err != nil {
			t.Fatal(err)
		}
		n++
		code, _ := hex.DecodeString(tc.Program)
		mem, _ := hex.DecodeString(tc.Mem)
		args := append([]string(nil), engineArgs...)
		if len(mem) > 0 {
			args = append(args, protocolHex(mem))
		}
		if why, ok := conformance.Unverifiable[tc.Name]; ok {
			// Refused by the verifier, as by the kernel's; run unverified.
			if _, errs, st := plugin(args, protocolHex(code)); st != 1 || !strings.Contains(errs, why) {
				t.Errorf("%s: verified: status %d, stderr %q; want 1 and %q", tc.Name, st, errs, why)
			}
			args = append(args, "--unverified")
		}
		out, errs, st := plugin(args, protocolHex(code))
		want, _ := strconv.ParseUint(strings.TrimPrefix(tc.Result, "0x"), 16, 64)
		// The runner parses stdout with stoull(s, 16).
		got, perr := strconv.ParseUint(strings.TrimSpace(out), 16, 64)
		if st != 0 || perr != nil || got != want {
			t.Errorf("%s: status %d, stdout %q, stderr %q; want %#x", tc.Name, st, out, errs, want)
			continue
		}
		passed++
	}
	if n != 313 {
		t.Errorf("read %d tests, want 313", n)
	}
	t.Logf("plugin protocol: %d/%d passed", passed, n)
}

func TestPluginErrors(t *testing.T) {
	cases := []struct {
		args  []string
		stdin string
		msg   string
	}{
		{nil, "zz", "invalid hex"},
		{nil, "b7  00  00", "not a multiple of 8"},
		{[]string{"--engine", "warp"}, "95  00  00  00  00  00  00  00", "interp"},
		{[]string{"--frob"}, "", "unknown option"},
		{[]string{"0g"}, "", "memory argument"},
		{nil, protocolHex([]byte{0x79, 0x10, 0, 1, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0}), "insn 0"},
	}
	for _, c := range cases {
		out, errs, st := plugin(c.args, c.stdin)
		if st == 0 || out != "" || !strings.Contains(errs, c.msg) || strings.Count(errs, "\n") != 1 {
			t.Errorf("plugin %q <%q: status %d, stdout %q, stderr %q; want error mentioning %q", c.args, c.stdin, st, out, errs, c.msg)
		}
	}
}
