package runtimediff

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/vm"
)

// TestComparisonDetectsDifferences checks that the map comparison is not
// blind: gbpf runs one input fewer than the kernel, and every kind of dump
// (hash, per-CPU, queue, stack, ring buffer, global data) must then show a
// difference.
func TestComparisonDetectsDifferences(t *testing.T) {
	need(t, kernelAvailable())
	if _, err := exec.LookPath("clang-19"); err != nil {
		need(t, err)
	}
	if _, err := os.Stat("/usr/include/bpf/bpf_helpers.h"); err != nil {
		need(t, err)
	}
	pkts := packets(t)[:40]
	tests := []struct {
		file, prog string
		want       []string // maps that must differ
	}{
		{"queues.c", "xdp_queues", []string{"map queue ", "map stack ", "map rb ", "map results ", "map .bss "}},
		{"counters.c", "xdp_counters", []string{"map pcpu_arr ", "map hash "}},
		{"globals.c", "xdp_globals", []string{"map .data ", "map .bss ", "map locks "}},
	}
	for _, tt := range tests {
		t.Run(tt.prog, func(t *testing.T) {
			b := load(t, tt.file, tt.prog, "", vm.Interp)
			unpin := pinCPU0(t)
			defer unpin()
			for i, in := range pkts {
				if _, _, _, intr, err := runKernel(b.kprog, in); err != nil || intr {
					t.Fatalf("kernel, input %d: interrupted %v, error %v", i, intr, err)
				}
				if i == len(pkts)-1 {
					break
				}
				if _, err := b.gprog.TestRun(vm.TestRunOptions{Data: in.data}); err != nil {
					t.Fatalf("gbpf, input %d: %v", i, err)
				}
			}
			diffs, _ := compareMaps(b.spec, b.coll, b.kcoll, nil)
			all := strings.Join(diffs, "\n")
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("no difference reported for %q; differences:\n%s", w, all)
				}
			}
		})
	}
}

func TestDiffLines(t *testing.T) {
	tests := []struct {
		name string
		k, g []string
		want string
	}{
		{"equal", []string{"a", "b"}, []string{"a", "b"}, ""},
		{"both empty", nil, nil, ""},
		{"changed", []string{"a", "b"}, []string{"a", "c"}, "kernel 2 lines, gbpf 2 lines\n- b\n+ c\n"},
		{"missing", []string{"a", "b"}, []string{"a"}, "kernel 2 lines, gbpf 1 lines\n- b\n"},
		{"reordered", []string{"#0 01", "#1 02"}, []string{"#0 02", "#1 01"}, "kernel 2 lines, gbpf 2 lines\n- #0 01\n- #1 02\n+ #0 02\n+ #1 01\n"},
		{"duplicate", []string{"a", "a"}, []string{"a"}, "kernel 2 lines, gbpf 1 lines\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := diffLines(tt.k, tt.g); got != tt.want {
				t.Errorf("diffLines(%q, %q) = %q, want %q", tt.k, tt.g, got, tt.want)
			}
		})
	}
}

func TestLineForms(t *testing.T) {
	if got, want := perCPULine([]byte{1, 0}, [][]byte{{2}, {3, 4}}), "0100 => [02 | 0304]"; got != want {
		t.Errorf("perCPULine = %q, want %q", got, want)
	}
	if got, want := strings.Join(seqLines([][]byte{{0xab}, {}}), ","), "#0 ab,#1 "; got != want {
		t.Errorf("seqLines = %q, want %q", got, want)
	}
}
