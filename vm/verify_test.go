package vm_test

import (
	"errors"
	"strings"
	"syscall"
	"testing"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/verifier"
	"github.com/gbpf/gbpf/vm"
)

// TestLoadVerifies checks that Load verifies by default: an unsafe
// program is refused with the verifier's error, and runs only when loaded
// unverified, in checked mode, where the bad access stops the run.
func TestLoadVerifies(t *testing.T) {
	prog := assemble(t, "r0 = *(u64 *)(r1 +8)\nexit")
	for _, e := range vm.Engines() {
		_, err := vm.Load(prog, vm.Options{Engine: e, MemSize: 8})
		var ve *verifier.Error
		if !errors.As(err, &ve) || ve.Index != 0 || ve.Reason != "invalid access to memory, mem_size=8 off=8 size=8" {
			t.Fatalf("%s: Load: %v, want the verifier's error", e, err)
		}
		p, err := vm.Load(prog, vm.Options{Engine: e, Unverified: true})
		if err != nil {
			t.Fatal(err)
		}
		if p.Verified() || p.Verification() != nil {
			t.Errorf("%s: an unverified program reports a verification", e)
		}
		if _, err := p.Run(make([]byte, 8)); !errors.Is(err, vm.ErrBadAccess) {
			t.Errorf("%s: unverified run: %v, want ErrBadAccess", e, err)
		}
	}
}

// TestVerifiedMemSize checks that a verified raw program runs only on
// memory of the size it was verified for.
func TestVerifiedMemSize(t *testing.T) {
	p, err := vm.Load(assemble(t, "r0 = *(u64 *)(r1 +8)\nexit"), vm.Options{MemSize: 16})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Verified() || p.Verification().Insns[0].Base != verifier.PtrToMem {
		t.Fatalf("verification facts missing: %+v", p.Verification())
	}
	mem := u64le(1, 42)
	if r0, err := p.Run(mem); err != nil || r0 != 42 {
		t.Errorf("Run: %d, %v; want 42", r0, err)
	}
	for _, n := range []int{8, 24} {
		if _, err := p.Run(make([]byte, n)); !errors.Is(err, vm.ErrMemSize) {
			t.Errorf("Run with %d bytes: %v, want ErrMemSize", n, err)
		}
		if _, _, err := p.RunRepeat(make([]byte, n), 2); !errors.Is(err, vm.ErrMemSize) {
			t.Errorf("RunRepeat with %d bytes: %v, want ErrMemSize", n, err)
		}
		r, err := p.NewRunner()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Run(make([]byte, n)); !errors.Is(err, vm.ErrMemSize) {
			t.Errorf("Runner.Run with %d bytes: %v, want ErrMemSize", n, err)
		}
	}
}

// TestVerifiedHasNoBudget checks that a verified program, proven to end,
// runs past the budget unverified programs get, unless one is asked for.
func TestVerifiedHasNoBudget(t *testing.T) {
	// bpf_loop(1 << 20, cb, NULL, 0): over three million instructions.
	prog := assemble(t, "r1 = 0x100000\nld_pseudo r2, 4, 5\nr3 = 0\nr4 = 0\ncall 181\nexit\nr0 = 0\nexit")
	p, err := vm.Load(prog, vm.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := p.RunStats(nil)
	if err != nil || st.R0 != 1<<20 || st.Insns <= vm.DefaultMaxInsns {
		t.Fatalf("RunStats: %+v, %v; want r0 = %d after more than %d instructions", st, err, 1<<20, vm.DefaultMaxInsns)
	}
	p, err = vm.Load(prog, vm.Options{MaxInsns: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Run(nil); !errors.Is(err, vm.ErrBudgetExhausted) {
		t.Errorf("with MaxInsns: %v, want ErrBudgetExhausted", err)
	}
}

// TestEmbedderHelperDeclaration checks that the verifier checks calls to
// an embedder's helper against the argument types it was registered with.
func TestEmbedderHelperDeclaration(t *testing.T) {
	sum := func(c *vm.Call, r1, r2, _, _, _ uint64) (uint64, error) {
		b, err := c.Memory(r1, r2, false)
		if err != nil {
			return 0, err
		}
		s := uint64(0)
		for _, x := range b {
			s += uint64(x)
		}
		return s, nil
	}
	h := vm.NewHelpers()
	h.Register(1000, "sum", sum, helpers.ArgPtrToMem, helpers.ArgConstSize)
	ok := assemble(t, "r2 = 4\ncall 1000\nexit")
	p, err := vm.Load(ok, vm.Options{Helpers: h, MemSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	if r0, err := p.Run([]byte{1, 2, 3, 4}); err != nil || r0 != 10 {
		t.Errorf("Run: %d, %v; want 10", r0, err)
	}
	_, err = vm.Load(assemble(t, "r2 = 5\ncall 1000\nexit"), vm.Options{Helpers: h, MemSize: 4})
	var ve *verifier.Error
	if !errors.As(err, &ve) || !strings.Contains(ve.Reason, "invalid access to memory, mem_size=4 off=0 size=5") {
		t.Errorf("oversized argument: %v, want the verifier's refusal", err)
	}
}

// TestUnsupportedNamesUnverified checks that a program the verifier does
// not model yet is refused with ErrUnsupported and a pointer to the
// unverified mode.
func TestUnsupportedNamesUnverified(t *testing.T) {
	_, err := vm.Load(assemble(t, "r0 = 0\nr2 = 5\ncallx r2\nexit"), vm.Options{Helpers: vm.ConformanceHelpers()})
	if !errors.Is(err, verifier.ErrUnsupported) || !strings.Contains(err.Error(), "unverified") {
		t.Errorf("callx: %v, want ErrUnsupported naming the unverified mode", err)
	}
}

// TestSyscallContextSize checks that a verified syscall program runs only
// with as much context as it reads (max_ctx_offset), as the kernel's
// BPF_PROG_TEST_RUN refuses less.
func TestSyscallContextSize(t *testing.T) {
	p, err := vm.Load(assemble(t, "r0 = *(u64 *)(r1 +96)\nexit"), vm.Options{Type: helpers.Syscall})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.TestRun(vm.TestRunOptions{Context: make([]byte, 100)}); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("100 bytes: %v, want EINVAL", err)
	}
	ctx := make([]byte, 104)
	ctx[96] = 9
	if res, err := p.TestRun(vm.TestRunOptions{Context: ctx}); err != nil || res.R0 != 9 {
		t.Errorf("104 bytes: %+v, %v; want r0 = 9", res, err)
	}
}

// TestSignExtendingContextLoad checks that a sign-extending load of a
// context field the verifier allows sign-extends the field's value, on
// both engines.
func TestSignExtendingContextLoad(t *testing.T) {
	prog := assemble(t, "r0 = *(s32 *)(r1 +8)\nr0 >>= 32\nexit") // __sk_buff.mark, the upper half of its sign extension
	ctx := make([]byte, 192)
	ctx[8], ctx[9], ctx[10], ctx[11] = 0xf0, 0xff, 0xff, 0xff // mark = 0xfffffff0
	for _, e := range vm.Engines() {
		p, err := vm.Load(prog, vm.Options{Engine: e, Type: helpers.SchedCLS})
		if err != nil {
			t.Fatal(err)
		}
		res, err := p.TestRun(vm.TestRunOptions{Data: make([]byte, 14), Context: ctx})
		if err != nil || res.R0 != 0xffffffff {
			t.Errorf("%s: %+v, %v; want r0 = 0xffffffff", e, res, err)
		}
	}
}
