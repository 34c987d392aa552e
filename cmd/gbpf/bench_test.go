package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func TestBench(t *testing.T) {
	out, errs, st := gbpf(t, "bench", "--repeat", "1000", "../../examples/sum.s", "--mem", "0102030405")
	if st != 0 || !strings.HasPrefix(out, "engine ") || !strings.Contains(out, "\ninterp ") || !strings.HasSuffix(out, "  15\n") {
		t.Errorf("status %d, stdout %q, stderr %q", st, out, errs)
	}
	_, errs, st = gbpf(t, "bench", "--vs-kernel", "../../examples/sum.s")
	if st != 1 || !strings.Contains(errs, "no BPF_PROG_TEST_RUN in the kernel") {
		t.Errorf("raw type vs kernel: status %d, stderr %q", st, errs)
	}
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("--vs-kernel needs root under CI=true")
		}
		t.Skip("--vs-kernel needs root")
	}
	obj := compileC(t, "testdata/counter.c")
	pkt := "ffffffffffff0200000000010800" + strings.Repeat("45", 20)
	out, errs, st = gbpf(t, "bench", "--vs-kernel", "--json", "--repeat", "2000", obj+":count", "--mem", pkt)
	var rows []struct {
		Engine string  `json:"engine"`
		NsRun  float64 `json:"ns_per_run"`
		Retval uint64  `json:"retval"`
	}
	if st != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) < 2 {
		t.Fatalf("status %d, stdout %q, stderr %q", st, out, errs)
	}
	// Every engine and the kernel run the same program on the same packet:
	// XDP_TX (3). The kernel's row comes last.
	if rows[0].Engine != "interp" || rows[len(rows)-1].Engine != "kernel" {
		t.Errorf("rows %+v", rows)
	}
	for _, r := range rows {
		if r.Retval != 3 {
			t.Errorf("engine %s returned %d, want 3", r.Engine, r.Retval)
		}
	}
}
