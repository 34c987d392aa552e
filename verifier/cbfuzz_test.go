package verifier_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/verifier"
	"github.com/gbpf/gbpf/vm"
)

// genLoopProgram writes a random raw program (64 bytes of memory) that
// runs bpf_loop over a callback updating a counter on the caller's stack,
// then indexes the memory with the counter, with or without a bounds
// check. Loop counts, updates, checks and offsets vary around the edges,
// so that whether it is safe depends on what the verifier learns from
// the iterations.
func genLoopProgram(r *rand.Rand) (main, cb string) {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	w("r6 = r1")
	w("r1 = %d", r.IntN(4))
	w("*(u64 *)(r10 -8) = r1")
	count := []int{0, 1, 2, 3, 5, 8, 64, 2000, 1 << 20}[r.IntN(9)]
	if r.IntN(4) == 0 {
		w("call 7") // an unknown count
		w("r1 = r0")
		w("r1 &= %d", []int{1, 3, 15, 4095}[r.IntN(4)])
	} else {
		w("r1 = %d", count)
	}
	w("ld_pseudo r2, 4, CB")
	w("r3 = r10")
	w("r3 += -8")
	w("r4 = 0")
	w("call 181")
	w("r1 = *(u64 *)(r10 -8)")
	if r.IntN(3) != 0 {
		w("if r1 > %d goto out", r.IntN(70))
	}
	w("r6 += r1")
	w("r0 = *(u8 *)(r6 +%d)", r.IntN(8))
	w("out:")
	w("r0 = 0")
	w("exit")

	var c strings.Builder
	cw := func(format string, args ...any) { fmt.Fprintf(&c, format+"\n", args...) }
	cw("r3 = *(u64 *)(r2 +0)")
	switch r.IntN(5) {
	case 0:
		cw("r3 += %d", 1+r.IntN(3))
	case 1:
		cw("r3 = r1") // the iteration index
	case 2:
		cw("r3 *= 2")
		cw("r3 += 1")
	case 3:
		cw("r3 += %d", 1+r.IntN(3))
		cw("r3 &= %d", []int{7, 31, 63}[r.IntN(3)])
	default:
		cw("if r3 > %d goto +1", r.IntN(40))
		cw("r3 += %d", 1+r.IntN(8))
	}
	cw("*(u64 *)(r2 +0) = r3")
	cw("r0 = %d", r.IntN(2))
	cw("exit")
	return b.String(), c.String()
}

// runLoopProgram verifies the program of seed and, if it is accepted,
// runs it in checked mode over mem, failing t on any error. It reports
// whether the program was accepted.
func runLoopProgram(t *testing.T, seed uint64, mem []byte) bool {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, seed^0x51ed))
	main, cb := genLoopProgram(r)
	insns := withCallback(t, main, cb)
	if _, err := verifier.Verify(insns, verifier.Options{MemSize: 64}); err != nil {
		if errors.Is(err, verifier.ErrUnsupported) {
			t.Fatalf("unsupported: %v\n%s\n%s", err, main, cb)
		}
		return false
	}
	p, err := vm.Load(insns, vm.Options{MemSize: 64, Unverified: true, MaxInsns: 50_000_000})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Run(mem); err != nil {
		t.Fatalf("seed %d: accepted program fails: %v\n%s\n%s", seed, err, main, cb)
	}
	return true
}

// FuzzCallbackSound is FuzzVerifySound for bpf_loop callbacks: every
// accepted program runs in checked mode, on any memory, without a fault
// and within the budget.
func FuzzCallbackSound(f *testing.F) {
	for s := uint64(0); s < 8; s++ {
		f.Add(s, []byte{1, 2, 3})
	}
	f.Fuzz(func(t *testing.T, seed uint64, input []byte) {
		mem := make([]byte, 64)
		copy(mem, input)
		runLoopProgram(t, seed, mem)
	})
}

// TestCallbackSoundness runs a bounded number of FuzzCallbackSound's
// programs, for CI, and checks that the generator gives both verdicts.
func TestCallbackSoundness(t *testing.T) {
	accepted, n := 0, 600
	for seed := uint64(0); seed < uint64(n); seed++ {
		if runLoopProgram(t, seed, make([]byte, 64)) {
			accepted++
		}
	}
	t.Logf("%d of %d programs accepted and run", accepted, n)
	if accepted == 0 || accepted == n {
		t.Errorf("the generator gives no mix of verdicts (%d of %d accepted)", accepted, n)
	}
}
