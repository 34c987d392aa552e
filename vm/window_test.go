package vm_test

import (
	"testing"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/vm"
)

func TestStackWindow(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		window uint64
		writes bool
	}{
		{"no stack", "r0 = 0\nexit", 8, false},
		{"read only", "r0 = *(u64 *)(r10 - 24)\nexit", 24, false},
		{"store through r10", "*(u32 *)(r10 - 4) = 1\nr0 = 0\nexit", 8, true},
		{"store through a copy", "r9 = r10\n*(u64 *)(r9 - 16) = 1\nr0 = 0\nexit", 16, true},
		{"offset copy", "r2 = r10\nr2 += -40\nr0 = *(u64 *)(r2 + 8)\nexit", 32, false},
		{"sub immediate", "r2 = r10\nr2 -= 64\nr0 = *(u8 *)(r2 + 0)\nexit", 64, false},
		{"down and back up", "r2 = r10\nr2 += -600\nr2 += 592\nr0 = *(u64 *)(r2 + 0)\nexit", 8, false},
		{"helper argument", `
			r1 = r10
			r1 += -48
			r2 = 8
			r3 = 0
			call 113
			r0 = 0
			exit`, 48, true},
		{"helper clobbers the copy", `
			r1 = r10
			r1 += -8
			r2 = 8
			r3 = 0
			call 113
			r0 = 0
			exit`, 8, true},
		{"deepest of two paths", `
			r2 = r10
			if r1 == 0 goto deep
			r2 += -8
			goto use
		deep:
			r2 += -96
		use:
			r0 = *(u8 *)(r2 + 0)
			exit`, 96, false},
		{"overwritten copy", "r2 = r10\nr2 = 5\nr2 += r1\nr0 = r2\nexit", 8, false},
		{"spilled stack pointer", "r1 = r10\n*(u64 *)(r10 - 8) = r1\nr0 = 0\nexit", vm.StackSize, true},
		{"variable offset", "r2 = r10\nr2 += r1\nr0 = 0\nexit", vm.StackSize, true},
		{"register added to the pointer", "r2 = r10\nr3 = r2\nr3 *= 2\nr0 = 0\nexit", vm.StackSize, true},
		{"32-bit copy", "w2 = w10\nr0 = 0\nexit", vm.StackSize, true},
		{"pointer into other arithmetic", "r2 = r10\nr3 = 1\nr3 += r2\nr0 = 0\nexit", vm.StackSize, true},
		{"walking loop", `
			r2 = r10
		again:
			r2 += -8
			*(u64 *)(r2 + 0) = 0
			if r2 != r1 goto again
			r0 = 0
			exit`, vm.StackSize, true},
		{"local call", "call fn\nexit\nfn:\nr0 = 0\nexit", vm.StackSize, true},
		{"deeper than the frame", "r0 = *(u64 *)(r10 - 520)\nexit", vm.StackSize, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := vm.Load(assemble(t, tc.src), vm.Options{Unverified: true})
			if err != nil {
				t.Fatal(err)
			}
			w, writes := vm.StackWindow(p)
			if w != tc.window || writes != tc.writes {
				t.Errorf("window %d, writes %v; want %d, %v", w, writes, tc.window, tc.writes)
			}
		})
	}

	// A tail call runs its target in the caller's frame: full window.
	pa, err := maps.New(&maps.Spec{Type: maps.ProgArray, KeySize: 4, ValueSize: 4, MaxEntries: 1})
	if err != nil {
		t.Fatal(err)
	}
	p, err := vm.Load(assemble(t, "r2 = map_fd(0)\nr3 = 0\ncall 12\nr0 = 0\nexit"), vm.Options{Unverified: true, Type: helpers.XDP, Maps: []*maps.Map{pa}})
	if err != nil {
		t.Fatal(err)
	}
	if w, _ := vm.StackWindow(p); w != vm.StackSize {
		t.Errorf("tail call: window %d, want %d", w, vm.StackSize)
	}
}

// TestStackWindowHelperWrites checks that what a helper writes into a
// narrowed window is cleared before the next run.
func TestStackWindowHelperWrites(t *testing.T) {
	for _, e := range vm.Engines() {
		t.Run(string(e), func(t *testing.T) {
			// With input, copy 8 input bytes into the stack; without,
			// read them back: a fresh run must find zeros.
			p, err := vm.Load(assemble(t, `
				r3 = r1
				r0 = *(u64 *)(r10 - 32)
				if r2 == 0 goto out
				r1 = r10
				r1 += -32
				r2 = 8
				call 113
				r0 = 0
			out:
				exit`), vm.Options{Unverified: true, Engine: e})
			if err != nil {
				t.Fatal(err)
			}
			if w, _ := vm.StackWindow(p); w != 32 {
				t.Fatalf("window %d, want 32", w)
			}
			run, err := p.NewRunner()
			if err != nil {
				t.Fatal(err)
			}
			in := []byte{1, 2, 3, 4, 5, 6, 7, 8}
			for _, r := range []struct {
				name string
				run  func([]byte) (uint64, error)
			}{{"Program.Run", p.Run}, {"Runner.Run", run.Run}} {
				for k := range 3 {
					if r0, err := r.run(in); err != nil || r0 != 0 {
						t.Fatalf("%s: writing run %d: r0 %d, %v", r.name, k, r0, err)
					}
					if r0, err := r.run(nil); err != nil || r0 != 0 {
						t.Fatalf("%s: reading run %d: r0 %#x, %v; want 0 from a cleared stack", r.name, k, r0, err)
					}
				}
			}
		})
	}
}
