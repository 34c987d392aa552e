package vm_test

import (
	"testing"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/internal/conformance"
	"github.com/gbpf/gbpf/vm"
)

// BenchmarkConformance runs each conformance program on the interpreter
// and reports ns per executed instruction and allocations per run.
func BenchmarkConformance(b *testing.B) {
	for _, tc := range conformance.Require(b) {
		b.Run(tc.Name, func(b *testing.B) {
			p, err := vm.Load(tc.Program, vm.Options{Unverified: true, Helpers: vm.ConformanceHelpers()})
			if err != nil {
				b.Fatal(err)
			}
			mem := append([]byte(nil), tc.Mem...)
			st, err := p.RunStats(mem)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				copy(mem, tc.Mem)
				if _, err := p.Run(mem); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(st.Insns), "ns/insn")
			b.ReportMetric(float64(st.Insns), "insns/run")
		})
	}
}

// BenchmarkEntry measures what a run costs besides the program: an empty
// program (r0 = 0; exit) through Program.Run, which takes a run state
// from the pool, and through a Runner, which owns one, on each engine.
func BenchmarkEntry(b *testing.B) {
	insns, err := asm.Assemble("r0 = 0\nexit", asm.Kernel)
	if err != nil {
		b.Fatal(err)
	}
	mem := make([]byte, 64)
	for _, e := range vm.Engines() {
		p, err := vm.Load(insns, vm.Options{Unverified: true, Engine: e})
		if err != nil {
			b.Fatal(err)
		}
		b.Run("engine="+string(e)+"/run=Program", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Run(mem); err != nil {
					b.Fatal(err)
				}
			}
		})
		r, err := p.NewRunner()
		if err != nil {
			b.Fatal(err)
		}
		b.Run("engine="+string(e)+"/run=Runner", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Run(mem); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
