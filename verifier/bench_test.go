package verifier_test

import (
	"testing"

	"github.com/gbpf/gbpf/verifier"
)

// BenchmarkComplexityLimit verifies a loop that never ends, which the
// verifier explores to the 1,000,000-instruction limit, as the kernel's
// selftest verifier_loops1/loop_after_a_conditional_jump does.
func BenchmarkComplexityLimit(b *testing.B) {
	insns := assemble(b, "r0 = 5\nif r0 < 4 goto +2\nr0 += 1\ngoto -2\nexit")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := verifier.Verify(insns, verifier.Options{ProgType: verifier.Tracepoint}); err == nil {
			b.Fatal("accepted an endless loop")
		}
	}
}
