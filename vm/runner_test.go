package vm_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/internal/progen"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/vm"
)

// TestRunnerRandom runs random programs through Program.Run and through
// one Runner per program, twice in a row, on every engine: results,
// errors and memory must agree, and a run must not see the one before.
func TestRunnerRandom(t *testing.T) {
	forRandomPrograms(2000, 11, func(i int, insns []isa.Instruction, mem []byte) {
		for _, e := range vm.Engines() {
			p, err := vm.Load(insns, vm.Options{Unverified: true, Engine: e})
			if err != nil {
				continue
			}
			want, got := vm.RunThroughRunner(p, p, mem)
			for k, g := range got {
				if g.Stats.R0 != want.Stats.R0 || g.Err != want.Err || string(g.Mem) != string(want.Mem) {
					t.Fatalf("program %d, engine %s, Runner run %d: %+v; Program.Run: %+v\n%s",
						i, e, k+1, g, want, asm.Disassemble(insns, asm.Kernel))
				}
			}
		}
	})
}

// forRandomPrograms calls f with n programs of the kernel differential's
// generator (n/10 under -short), each with random input memory, from the
// random stream seeded with seed.
func forRandomPrograms(n int, seed uint64, f func(i int, insns []isa.Instruction, mem []byte)) {
	if testing.Short() {
		n /= 10
	}
	r := rand.New(rand.NewPCG(seed, 0x7e57))
	cfg := progen.DefaultConfig()
	for i := range n {
		insns := progen.Generate(r, cfg)
		mem := make([]byte, cfg.MemSize)
		for j := range mem {
			mem[j] = byte(r.Uint32())
		}
		f(i, insns, mem)
	}
}

// TestRunnerFreshState checks that each run of a Runner starts as the
// first did: registers other than r1, r2 and r10 zero, the stack zero,
// whatever the run before left there; and that a run stopped by an error
// leaves the Runner usable.
func TestRunnerFreshState(t *testing.T) {
	tests := []struct {
		name, src string
	}{
		// A run with a 1-byte input sets r3..r9; with an empty one it returns their sum.
		{"registers", `
			if r2 == 0 goto read
			r3 = 1
			r4 = 2
			r5 = 3
			r6 = 4
			r7 = 5
			r8 = 6
			r9 = 7
			r0 = 0
			exit
		read:
			r0 = r3
			r0 += r4
			r0 += r5
			r0 += r6
			r0 += r7
			r0 += r8
			r0 += r9
			exit`},
		// A run with input writes the stack; one without reads it back.
		{"stack", `
			if r2 == 0 goto read
			*(u64 *)(r10 - 8) = 99
			*(u64 *)(r10 - 512) = 98
			r0 = 0
			exit
		read:
			r0 = *(u64 *)(r10 - 8)
			r1 = *(u64 *)(r10 - 512)
			r0 += r1
			exit`},
		// The stack through a copy of r10, which defeats the stack window.
		{"stack via copy", `
			r9 = r10
			if r2 == 0 goto read
			*(u64 *)(r9 - 16) = 97
			r0 = 0
			exit
		read:
			r0 = *(u64 *)(r9 - 16)
			exit`},
	}
	for _, tc := range tests {
		for _, e := range vm.Engines() {
			t.Run(tc.name+"/"+string(e), func(t *testing.T) {
				insns, err := asm.Assemble(tc.src, asm.Kernel)
				if err != nil {
					t.Fatal(err)
				}
				p, err := vm.Load(insns, vm.Options{Unverified: true, Engine: e})
				if err != nil {
					t.Fatal(err)
				}
				run, err := p.NewRunner()
				if err != nil {
					t.Fatal(err)
				}
				for k := range 3 {
					if r0, err := run.Run([]byte{1}); r0 != 0 || err != nil {
						t.Fatalf("writing run %d: r0 %d, error %v", k, r0, err)
					}
					if r0, err := run.Run(nil); r0 != 0 || err != nil {
						t.Fatalf("reading run %d: r0 %d, error %v, want 0 from a fresh state", k, r0, err)
					}
				}
			})
		}
	}

	// An access outside every region stops the run; the next run works.
	bad, err := asm.Assemble(`
		if r2 == 0 goto out
		r0 = *(u8 *)(r1 + 0)
		exit
	out:
		r1 = 0x1000
		r0 = *(u64 *)(r1 + 0)
		exit`, asm.Kernel)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range vm.Engines() {
		p, err := vm.Load(bad, vm.Options{Unverified: true, Engine: e})
		if err != nil {
			t.Fatal(err)
		}
		run, _ := p.NewRunner()
		for k := range 2 {
			_, err := run.Run(nil)
			var re *vm.RunError
			if !errors.As(err, &re) || re.Index != 4 {
				t.Fatalf("engine %s: bad access: error %v, want a RunError at instruction 4", e, err)
			}
			if r0, err := run.Run([]byte{42}); r0 != 42 || err != nil {
				t.Fatalf("engine %s, after a failed run %d: r0 %d, error %v", e, k, r0, err)
			}
		}
	}
}

// TestRunnerRawOnly checks that NewRunner refuses the kernel's program
// types, which run through TestRun.
func TestRunnerRawOnly(t *testing.T) {
	insns, _ := asm.Assemble("r0 = 2\nexit", asm.Kernel)
	p, err := vm.Load(insns, vm.Options{Unverified: true, Type: helpers.XDP})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.NewRunner(); !errors.Is(err, vm.ErrUnsupported) {
		t.Fatalf("NewRunner on XDP: %v, want ErrUnsupported", err)
	}
}

func ExampleRunner() {
	insns, err := asm.Assemble(`
		r0 = 0
		if r2 < 1 goto out
		r0 = *(u8 *)(r1 + 0)
	out:
		exit`, asm.Kernel)
	if err != nil {
		panic(err)
	}
	p, err := vm.Load(insns, vm.Options{Unverified: true})
	if err != nil {
		panic(err)
	}
	r, err := p.NewRunner()
	if err != nil {
		panic(err)
	}
	for _, pkt := range [][]byte{{7, 1}, {}, {9}} {
		v, err := r.Run(pkt)
		fmt.Println(v, err)
	}
	// Output:
	// 7 <nil>
	// 0 <nil>
	// 9 <nil>
}
