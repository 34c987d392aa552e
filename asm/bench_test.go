package asm

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/isa"
)

// benchSource returns a kernel- or conformance-syntax program of about n
// instructions with labels, jumps, loads, stores and lddw.
func benchSource(n int, syntax Syntax) string {
	var b strings.Builder
	for i := 0; i < n/8; i++ {
		if syntax == Kernel {
			fmt.Fprintf(&b, "L%d:\n\tr0 = 0x1122334455667788 ll\n\tr1 = *(u64 *)(r10 - 0x8)\n\tw2 += w1\n\tif r1 s> -0x3 goto L%d\n\t*(u32 *)(r10 - 0x4) = r2\n\tlock *(u64 *)(r10 - 0x8) += r1\n\tcall 0x1\n\tr0 = be16 r0\n", i, i)
		} else {
			fmt.Fprintf(&b, "L%d:\n\tlddw %%r0, 0x1122334455667788\n\tldxdw %%r1, [%%r10-8]\n\tadd32 %%r2, %%r1\n\tjsgt %%r1, -3, L%d\n\tstxw [%%r10-4], %%r2\n\tlock add [%%r10-8], %%r1\n\tcall 1\n\tbe16 %%r0\n", i, i)
		}
	}
	b.WriteString("exit\n")
	return b.String()
}

// BenchmarkAssemble shows that assembling is linear: ns/insn stays the same
// from 1,000 to 1,000,000 instructions.
func BenchmarkAssemble(b *testing.B) {
	for _, syntax := range []Syntax{Kernel, Conformance} {
		for _, n := range []int{1_000, 100_000, 1_000_000} {
			src := benchSource(n, syntax)
			b.Run(fmt.Sprintf("%s/%d", syntax, n), func(b *testing.B) {
				b.SetBytes(int64(len(src)))
				for b.Loop() {
					if _, err := Assemble(src, syntax); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/insn")
			})
		}
	}
}

func BenchmarkDisassemble(b *testing.B) {
	insns, err := Assemble(benchSource(1_000_000, Kernel), Kernel)
	if err != nil {
		b.Fatal(err)
	}
	for _, syntax := range []Syntax{Kernel, Conformance} {
		b.Run(syntax.String(), func(b *testing.B) {
			for b.Loop() {
				_ = Disassemble(insns, syntax)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(insns)), "ns/insn")
		})
	}
}

// TestBenchSource keeps the benchmark programs honest: they assemble to
// the same instructions in both syntaxes.
func TestBenchSource(t *testing.T) {
	k, err := Assemble(benchSource(800, Kernel), Kernel)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Assemble(benchSource(800, Conformance), Conformance)
	if err != nil {
		t.Fatal(err)
	}
	if !equalInsns(k, c) || len(k) != 801 || k[3].OpCode != uint8(isa.ClassJMP)|isa.JmpJSGT {
		t.Errorf("benchmark programs differ or are malformed: %d and %d instructions", len(k), len(c))
	}
}
