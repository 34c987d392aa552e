package vm_test

import (
	"testing"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/vm"
)

// TestTailCallFromSubprogram checks that a tail call in a called frame
// replaces that frame only: the target's exit returns its r0 to the
// caller, whose r6-r9 and stack survive, on both engines.
func TestTailCallFromSubprogram(t *testing.T) {
	for _, e := range vm.Engines() {
		t.Run(string(e), func(t *testing.T) {
			pa, err := maps.New(&maps.Spec{Type: maps.ProgArray, KeySize: 4, ValueSize: 4, MaxEntries: 2})
			if err != nil {
				t.Fatal(err)
			}
			target, err := vm.Load(assemble(t, "*(u64 *)(r10 - 8) = 5\nr0 = 40\nexit"), vm.Options{Unverified: true, Type: helpers.XDP, Engine: e})
			if err != nil {
				t.Fatal(err)
			}
			if err := pa.SetProg(uint32(1), target); err != nil {
				t.Fatal(err)
			}
			p, err := vm.Load(assemble(t, `
				r6 = 2
				*(u64 *)(r10 - 8) = 100
				r1 = 1
				call sub
				r0 += r6
				r1 = *(u64 *)(r10 - 8)
				r0 += r1
				r7 = r0
				r1 = 0
				call sub
				r0 += r6
				r0 += r7
				exit
			sub:
				r6 = 1000
				r3 = r1
				r2 = map_fd(0)
				call 12
				r0 = 7
				exit`), vm.Options{Unverified: true, Type: helpers.XDP, Engine: e, Maps: []*maps.Map{pa}})
			if err != nil {
				t.Fatal(err)
			}
			res, err := p.TestRun(vm.TestRunOptions{Data: make([]byte, 64), Repeat: 3})
			if err != nil {
				t.Fatal(err)
			}
			// 40 from the target + r6 2 + the caller's stack 100, then the
			// empty slot 0 falls through to r0 = 7, + r6 2.
			if res.Retval != 151 {
				t.Errorf("r0 %d, want 151", res.Retval)
			}
		})
	}
}
