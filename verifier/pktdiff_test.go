package verifier_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cilium/ebpf"

	"github.com/gbpf/gbpf/internal/kerneldiff"
	"github.com/gbpf/gbpf/verifier"
)

// genPacketProgram writes a random XDP program in kernel assembly: a
// bounds check of data + A against data_end in one of the kernel's forms
// (or a signed form that proves nothing), a load at data + B, perhaps
// through a variable offset added before or after the check, perhaps a
// bounded counting loop. Whether it is safe depends on A, B, the size and
// where the offset is added, near the edges on purpose.
func genPacketProgram(r *rand.Rand) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	a := r.IntN(40)
	off := a - 8 + r.IntN(12) // around the checked length
	if off < 0 {
		off = 0
	}
	size := []string{"u8", "u16", "u32", "u64"}[r.IntN(4)]
	varOff := r.IntN(3) // 0 none, 1 added before the check, 2 after it
	w("r6 = r1")
	if varOff != 0 {
		w("call 7")
		w("r7 = r0")
		w("r7 &= %d", []int{0, 1, 3, 15, 255}[r.IntN(5)])
	}
	w("r2 = *(u32 *)(r6 +0)")
	w("r3 = *(u32 *)(r6 +4)")
	if varOff == 1 {
		w("r2 += r7")
	}
	w("r4 = r2")
	w("r4 += %d", a)
	switch r.IntN(5) {
	case 0:
		w("if r4 > r3 goto out")
	case 1:
		w("if r3 < r4 goto out")
	case 2:
		w("if r4 <= r3 goto ok")
		w("goto out")
		w("ok:")
	case 3:
		w("if r3 >= r4 goto ok")
		w("goto out")
		w("ok:")
	default:
		w("if r4 s> r3 goto out") // signed: no range learnt
	}
	if varOff == 2 {
		w("r2 += r7")
	}
	w("r0 = *(%s *)(r2 +%d)", size, off)
	if r.IntN(3) == 0 {
		w("r8 = 0")
		w("loop:")
		w("r8 += %d", 1+r.IntN(3))
		w("if r8 < %d goto loop", 1+r.IntN(60))
	}
	w("out:")
	w("r0 = 2")
	w("exit")
	return b.String()
}

// TestPacketKernelDifferential gives random XDP programs that read the
// packet after a bounds check, some with loops, to this machine's kernel
// and to gbpf's verifier. Every program gbpf accepts must be accepted by
// the kernel; the verdicts should agree.
func TestPacketKernelDifferential(t *testing.T) {
	if err := kerneldiff.Available(); err != nil {
		skipOrFail(t, err.Error())
	}
	n := 1000
	if testing.Short() {
		n = 200
	}
	r := rand.New(rand.NewPCG(6, 2026))
	var agree, accepted, rejAcc int
	for k := 0; k < n; k++ {
		src := genPacketProgram(r)
		prog := assemble(t, src)
		_, err := verifier.Verify(prog, verifier.Options{ProgType: verifier.XDP})
		if errors.Is(err, verifier.ErrUnsupported) {
			t.Fatalf("program %d: %v\n%s", k, err, src)
		}
		insns, cerr := kerneldiff.ToCilium(prog)
		if cerr != nil {
			t.Fatal(cerr)
		}
		kp, kerr := ebpf.NewProgram(&ebpf.ProgramSpec{Type: ebpf.XDP, Instructions: insns, License: "GPL"})
		if kerr == nil {
			kp.Close()
			accepted++
		}
		switch {
		case (err == nil) == (kerr == nil):
			agree++
		case err == nil:
			t.Errorf("program %d: gbpf accepts, the kernel rejects: %v\n%s", k, kerr, src)
		default:
			rejAcc++
			t.Logf("program %d: gbpf rejects (%v), the kernel accepts\n%s", k, err, src)
		}
	}
	t.Logf("verdict agreement %d/%d (%.1f%%), %d accepted by the kernel; gbpf-rejects-kernel-accepts %d",
		agree, n, 100*float64(agree)/float64(n), accepted, rejAcc)
	if accepted == 0 || accepted == n {
		t.Errorf("the generator gives no mix of safe and unsafe programs (%d of %d accepted)", accepted, n)
	}
}
