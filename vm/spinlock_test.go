package vm_test

import (
	"errors"
	"os"
	"testing"

	"github.com/cilium/ebpf"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/internal/kerneldiff"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/vm"
)

// spinLockProgram looks up element 0 of map 0 into r6 (returning 1 when
// it is missing), then runs body.
func spinLockProgram(body string) string {
	return `
		r7 = r1
		r1 = 0
		*(u32 *)(r10 - 4) = r1
		r1 = map_fd(0)
		r2 = r10
		r2 += -4
		call 1
		if r0 == 0 goto out
		r6 = r0
` + body + `
		r0 = 0
		exit
	out:
		r0 = 1
		exit`
}

// TestSpinLockRules checks that each misuse of bpf_spin_lock the kernel's
// verifier refuses fails an unverified gbpf run with ErrSpinLock instead
// of spinning forever, that a lock left held is released, and that the
// kernel and gbpf both accept the correct use.
func TestSpinLockRules(t *testing.T) {
	spec := maps.Spec{Name: "sl", Type: maps.Array, KeySize: 4, ValueSize: 16, MaxEntries: 1, SpinLockOff: 1}
	cases := []struct {
		name, body string
		ok         bool
	}{
		{"lock of packet memory", "r1 = *(u32 *)(r7 + 0)\ncall 93", false},
		{"lock of the stack", "r1 = r10\nr1 += -8\ncall 93", false},
		{"lock at the wrong offset of the value", "r1 = r6\nr1 += 8\ncall 93\nr1 = r6\nr1 += 8\ncall 94", false},
		{"lock taken twice", "r1 = r6\ncall 93\nr1 = r6\ncall 93", false},
		{"unlock of a lock not held", "r1 = r6\ncall 94", false},
		{"exit holding the lock", "r1 = r6\ncall 93", false},
		{"lock and unlock", "r1 = r6\ncall 93\nr1 = r6\ncall 94", true},
	}
	m, err := maps.New(&spec)
	if err != nil {
		t.Fatal(err)
	}
	var km *ebpf.Map
	if err := kerneldiff.Available(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but the kernel is unavailable: %v", err)
		}
		t.Logf("kernel unavailable, checking gbpf only: %v", err)
	} else {
		km, err = ebpf.NewMap(kernelMapSpec(&spec))
		if err != nil {
			t.Fatal(err)
		}
		defer km.Close()
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			insns := assemble(t, spinLockProgram(c.body))
			for _, engine := range vm.Engines() {
				p, err := vm.Load(insns, vm.Options{Unverified: true, Type: helpers.XDP, Maps: []*maps.Map{m}, Engine: engine})
				if err != nil {
					t.Fatal(err)
				}
				res, err := p.TestRun(vm.TestRunOptions{Data: ipv4UDP, Repeat: 2})
				switch {
				case c.ok && (err != nil || res.Retval != 0):
					t.Errorf("%s: got %v, %v; want retval 0", engine, res.Retval, err)
				case !c.ok && !errors.Is(err, vm.ErrSpinLock):
					t.Errorf("%s: got %v, %v; want an error wrapping ErrSpinLock", engine, res.Retval, err)
				}
				if !c.ok {
					var re *vm.RunError
					if !errors.As(err, &re) {
						t.Errorf("%s: %v is not a *vm.RunError", engine, err)
					}
				}
			}
			if km == nil {
				return
			}
			kp, kerr := kernelLoad(t, helpers.XDP, insns, []*ebpf.Map{km})
			if kerr == nil {
				kp.Close()
			}
			if (kerr == nil) != c.ok {
				t.Errorf("kernel verifier: %v; want acceptance %v", kerr, c.ok)
			}
		})
	}
	// The lock left held by "exit holding the lock" was released: the
	// last case took it again, and user space can too.
	if err := m.Update(make([]byte, 4), make([]byte, 16), maps.UpdateLock); err != nil {
		t.Fatal(err)
	}
}
