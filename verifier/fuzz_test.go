package verifier_test

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/gbpf/gbpf/internal/progen"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/verifier"
	"github.com/gbpf/gbpf/vm"
)

// FuzzVerifySound checks the verifier's promise: a program it accepts runs
// in the VM's checked mode, on any input, without a faulting access. The
// program is generated from the seed and then mutated by the fuzzer's bytes
// (each 8 bytes overwrite one instruction), so that the corpus explores both
// well-formed and broken programs.
func FuzzVerifySound(f *testing.F) {
	f.Add(uint64(1), []byte{}, []byte{1, 2, 3})
	f.Add(uint64(2), []byte{0x61, 0x13, 0, 0, 0, 0, 0, 0, 0x0f, 0x31, 0, 0, 0, 0, 0, 0}, []byte{0xff})
	f.Fuzz(func(t *testing.T, seed uint64, patch []byte, input []byte) {
		r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		cfg := progen.DefaultConfig()
		cfg.Insns = 16 + r.IntN(48)
		prog := progen.Generate(r, cfg)
		for k := 0; k+8 <= len(patch) && k/8 < 4; k += 8 {
			dec, err := isa.Decode(patch[k : k+8])
			if err != nil || len(dec) != 1 {
				continue
			}
			pos := int(binary.LittleEndian.Uint16(patch[k+2:])) % len(prog)
			prog[pos] = dec[0]
		}
		runAccepted(t, prog, cfg.MemSize, input)
		mutated, _ := mutate(r, prog)
		runAccepted(t, mutated, cfg.MemSize, input)
	})
}

func runAccepted(t *testing.T, prog []isa.Instruction, memSize int, input []byte) {
	if _, err := verifier.Verify(prog, verifier.Options{MemSize: memSize}); err != nil {
		return
	}
	// Checked mode finds faults; the budget, far above what a verified
	// program of this size may execute, finds programs that do not end.
	p, err := vm.Load(prog, vm.Options{MaxInsns: 50_000_000, Unverified: true})
	if err != nil {
		t.Fatalf("verified program does not load: %v\n%v", err, prog)
	}
	mem := make([]byte, memSize)
	copy(mem, input)
	if _, err := p.Run(mem); errors.Is(err, vm.ErrBadAccess) {
		t.Fatalf("verified program faults: %v\n%v", err, prog)
	} else if errors.Is(err, vm.ErrBudgetExhausted) {
		t.Fatalf("verified program runs on past 50,000,000 instructions\n%v", prog)
	} else if err != nil && !errors.Is(err, vm.ErrMisaligned) {
		t.Fatalf("verified program fails: %v", err)
	}
}

// TestSoundnessBounded runs a bounded number of generated and mutated
// programs through the soundness check, for CI.
func TestSoundnessBounded(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 300
	}
	r := rand.New(rand.NewPCG(7, 7))
	in := make([]byte, 64)
	for k := 0; k < n; k++ {
		for j := range in {
			in[j] = byte(r.Uint32())
		}
		cfg := progen.DefaultConfig()
		prog := progen.Generate(r, cfg)
		runAccepted(t, prog, cfg.MemSize, in)
		for m := 0; m < 3; m++ {
			mutated, _ := mutate(r, prog)
			runAccepted(t, mutated, cfg.MemSize, in)
		}
	}
}

// BenchmarkVerifyGenerated verifies programs of the differential tests'
// shape (64 random instructions, 8 conditional jumps).
func BenchmarkVerifyGenerated(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	cfg := progen.DefaultConfig()
	progs := make([][]isa.Instruction, 64)
	for k := range progs {
		progs[k] = progen.Generate(r, cfg)
	}
	k := 0
	for b.Loop() {
		if _, err := verifier.Verify(progs[k%len(progs)], verifier.Options{MemSize: cfg.MemSize}); err != nil {
			b.Fatal(err)
		}
		k++
	}
}
