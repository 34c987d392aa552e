package vm_test

import (
	"testing"

	"github.com/gbpf/gbpf/internal/conformance"
	"github.com/gbpf/gbpf/vm"
)

// BenchmarkConformance runs each conformance program on the interpreter
// and reports ns per executed instruction and allocations per run.
func BenchmarkConformance(b *testing.B) {
	for _, tc := range conformance.Require(b) {
		b.Run(tc.Name, func(b *testing.B) {
			p, err := vm.Load(tc.Program, vm.Options{Helpers: vm.ConformanceHelpers()})
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
