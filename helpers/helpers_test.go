package helpers

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gbpf/gbpf/internal/kerneldiff"
)

func TestNames(t *testing.T) {
	for _, tc := range []struct {
		id   ID
		name string
	}{
		{MapLookupElem, "map_lookup_elem"},
		{TailCall, "tail_call"},
		{XDPAdjustHead, "xdp_adjust_head"},
		{RingbufReserve, "ringbuf_reserve"},
		{ForEachMapElem, "for_each_map_elem"},
		{Loop, "loop"},
		{Strncmp, "strncmp"},
		{KtimeGetTAINS, "ktime_get_tai_ns"},
		{ID(100000), "helper#100000"},
	} {
		if got := tc.id.String(); got != tc.name {
			t.Errorf("ID(%d).String() = %q, want %q", tc.id, got, tc.name)
		}
		if tc.id < Max {
			if id, ok := ByName("bpf_" + tc.name); !ok || id != tc.id {
				t.Errorf("ByName(bpf_%s) = %d, %v", tc.name, id, ok)
			}
		}
	}
	if _, ok := ByName("unspec"); ok {
		t.Error("ByName(unspec) found a helper")
	}
}

func TestProtos(t *testing.T) {
	for _, tc := range []struct {
		id   ID
		want string
		args int
	}{
		{MapLookupElem, "ptr_to_map_value_or_null map_lookup_elem(const_map_ptr, ptr_to_map_key)", 2},
		{MapUpdateElem, "integer map_update_elem(const_map_ptr, ptr_to_map_key, ptr_to_map_value, anything)", 4},
		{KtimeGetNS, "integer ktime_get_ns()", 0},
		{RingbufSubmit, "void ringbuf_submit(ptr_to_alloc_mem, anything)", 2},
		{Loop, "integer loop(anything, ptr_to_func, ptr_to_stack_or_null, anything)", 4},
	} {
		p, ok := Lookup(tc.id)
		if !ok {
			t.Fatalf("Lookup(%s) not found", tc.id)
		}
		if p.String() != tc.want || p.NumArgs() != tc.args {
			t.Errorf("%s: %q (%d args), want %q (%d)", tc.id, p, p.NumArgs(), tc.want, tc.args)
		}
	}
	if len(Implemented()) != len(protos) {
		t.Errorf("Implemented lists %d helpers, protos has %d", len(Implemented()), len(protos))
	}
}

// kernelOrSkip skips when the kernel cannot load programs, and fails under
// CI=true instead.
func kernelOrSkip(t *testing.T) {
	t.Helper()
	if err := kerneldiff.Available(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but the kernel is unavailable: %v", err)
		}
		t.Skipf("kernel oracle unavailable: %v", err)
	}
}

// TestAllowedInKernel compares AllowedIn with the kernel's verifier, which
// names a helper the program type cannot call before it checks arguments.
func TestAllowedInKernel(t *testing.T) {
	kernelOrSkip(t)
	types := map[ProgType]ebpf.ProgramType{
		SocketFilter: ebpf.SocketFilter, SchedCLS: ebpf.SchedCLS, XDP: ebpf.XDP, Syscall: ebpf.Syscall,
	}
	for pt, kt := range types {
		for _, id := range Implemented() {
			p, _ := Lookup(id)
			spec := &ebpf.ProgramSpec{Type: kt, License: "GPL", Instructions: asm.Instructions{
				asm.Mov.Imm(asm.R1, 0), asm.Mov.Imm(asm.R2, 0), asm.Mov.Imm(asm.R3, 0),
				asm.Mov.Imm(asm.R4, 0), asm.Mov.Imm(asm.R5, 0),
				asm.BuiltinFunc(id).Call(), asm.Mov.Imm(asm.R0, 0), asm.Return(),
			}}
			if pt == Syscall {
				spec.Flags = 1 << 4 // BPF_F_SLEEPABLE, required for syscall programs
			}
			prog, err := ebpf.NewProgramWithOptions(spec, ebpf.ProgramOptions{LogLevel: ebpf.LogLevelBranch})
			kernel := true
			if err != nil {
				var ve *ebpf.VerifierError
				if !errors.As(err, &ve) {
					t.Fatalf("%s in %s: %v", id, pt, err)
				}
				log := strings.Join(ve.Log, "\n")
				kernel = !strings.Contains(log, "unknown func") && !strings.Contains(log, "cannot use helper")
			} else {
				prog.Close()
			}
			if got := p.AllowedIn(pt); got != kernel {
				t.Errorf("%s in %s: AllowedIn = %v, kernel says %v", id, pt, got, kernel)
			}
		}
	}
}
