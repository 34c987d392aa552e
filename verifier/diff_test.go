package verifier_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf"

	"github.com/gbpf/gbpf/internal/kerneldiff"
	"github.com/gbpf/gbpf/internal/progen"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/verifier"
)

// skipOrFail skips the test with reason, or fails it when CI=true, where
// everything a test needs is installed.
func skipOrFail(t testing.TB, reason string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true but %s", reason)
	}
	t.Skip(reason)
}

// mutate breaks a generated program in one of the ways the kernel must
// reject, or perturbs one field at random. It returns the new program and
// the name of the mutation.
func mutate(r *rand.Rand, prog []isa.Instruction) ([]isa.Instruction, string) {
	out := append([]isa.Instruction(nil), prog...)
	switch r.IntN(5) {
	case 0: // read of a register not written yet at entry
		// r3 and r4 are written by kerneldiff's prologue; r5 to r8 are not.
		src := isa.Register(5 + r.IntN(4))
		ins := isa.Instruction{OpCode: isa.OpMovX, Dst: isa.R0, Src: src}
		return append([]isa.Instruction{ins}, out...), "uninit-reg"
	case 1: // a stack access moved out of the frame
		var idx []int
		for i, ins := range out {
			c := ins.Class()
			if (c == isa.ClassLDX && ins.Src == isa.R10) || ((c == isa.ClassST || c == isa.ClassSTX) && ins.Dst == isa.R10) {
				idx = append(idx, i)
			}
		}
		if len(idx) == 0 {
			break
		}
		i := idx[r.IntN(len(idx))]
		out[i].Offset = []int16{-520, -512 - 8*int16(r.IntN(4)), 8, 0}[r.IntN(4)]
		return out, "stack-oob"
	case 2: // pointer arithmetic the kernel forbids
		ops := []isa.Instruction{
			{OpCode: uint8(isa.ClassALU64) | isa.ALUMul | isa.SrcK, Dst: isa.R1, Constant: 2},
			{OpCode: uint8(isa.ClassALU64) | isa.ALUAnd | isa.SrcK, Dst: isa.R1, Constant: 0xff},
			{OpCode: uint8(isa.ClassALU) | isa.ALUAdd | isa.SrcK, Dst: isa.R1, Constant: 1},
			{OpCode: uint8(isa.ClassALU64) | isa.ALUAdd | isa.SrcX, Dst: isa.R1, Src: isa.R10},
		}
		return append([]isa.Instruction{ops[r.IntN(len(ops))]}, out...), "bad-ptr-arith"
	case 3: // an access through memory at an unbounded offset
		pre := []isa.Instruction{
			{OpCode: isa.OpLdxDW, Dst: isa.R3, Src: isa.R1},
			{OpCode: uint8(isa.ClassALU64) | isa.ALUAdd | isa.SrcX, Dst: isa.R1, Src: isa.R3},
		}
		return append(pre, out...), "unbounded-offset"
	}
	// Perturb one field of one body instruction.
	i := r.IntN(len(out) - 1)
	switch r.IntN(3) {
	case 0:
		out[i].Offset += int16(r.IntN(17) - 8)
	case 1:
		out[i].Src = isa.Register(r.IntN(11))
	default:
		out[i].Dst = isa.Register(r.IntN(10))
	}
	if out[i].Validate() != nil {
		out[i] = prog[i]
	}
	return out, "perturb"
}

// kernelVerdict loads the program into the kernel as kerneldiff wraps it
// and returns the kernel's reason for rejecting it ("" if accepted) and its
// own verification time.
func kernelVerdict(t *testing.T, body []isa.Instruction, memSize int) (string, time.Duration, bool) {
	wrapped, err := kerneldiff.Wrap(body, progen.MemReg, memSize)
	if err != nil {
		return "", 0, false
	}
	insns, err := kerneldiff.ToCilium(wrapped)
	if err != nil {
		t.Fatalf("converting for cilium/ebpf: %v", err)
	}
	prog, err := ebpf.NewProgramWithOptions(&ebpf.ProgramSpec{Type: ebpf.XDP, Instructions: insns, License: "GPL"},
		ebpf.ProgramOptions{LogLevel: ebpf.LogLevelStats | ebpf.LogLevelBranch, LogSizeStart: 1 << 20})
	if err != nil {
		var ve *ebpf.VerifierError
		if !errors.As(err, &ve) {
			t.Fatalf("loading: %v", err)
		}
		lines := ve.Log
		reason := ""
		for k := len(lines) - 1; k >= 0; k-- {
			l := lines[k]
			if l != "" && !strings.HasPrefix(l, "processed ") && !strings.HasPrefix(l, "verification time") &&
				!strings.HasPrefix(l, "stack depth") {
				reason = l
				break
			}
		}
		return reason, 0, true
	}
	defer prog.Close()
	var usec int
	for _, l := range strings.Split(prog.VerifierLog, "\n") {
		if _, err := fmt.Sscanf(l, "verification time %d usec", &usec); err == nil {
			break
		}
	}
	return "", time.Duration(usec) * time.Microsecond, true
}

// TestKernelDifferential gives random programs, and mutations of them
// meant to break them, to this machine's kernel and to gbpf's verifier.
// Every program gbpf accepts must be accepted by the kernel.
func TestKernelDifferential(t *testing.T) {
	if err := kerneldiff.Available(); err != nil {
		skipOrFail(t, err.Error())
	}
	n := 300
	if testing.Short() {
		n = 60
	}
	cfg := progen.DefaultConfig()
	r := rand.New(rand.NewPCG(4, 2026))
	var agree, total, usAccKernelRej, usRejKernelAcc, unsupported int
	var ourTime, kernelTime time.Duration
	kinds := map[string][2]int{}
	for k := 0; k < n; k++ {
		prog := progen.Generate(r, cfg)
		name := "generated"
		if k%2 == 1 {
			prog, name = mutate(r, prog)
		}
		kr, ktime, ok := kernelVerdict(t, prog, cfg.MemSize)
		if !ok {
			continue
		}
		start := time.Now()
		_, err := verifier.Verify(prog, verifier.Options{MemSize: cfg.MemSize})
		elapsed := time.Since(start)
		if errors.Is(err, verifier.ErrUnsupported) {
			unsupported++
			continue
		}
		total++
		st := kinds[name]
		st[1]++
		ours := err == nil
		theirs := kr == ""
		if ours == theirs {
			agree++
			st[0]++
		} else if ours {
			usAccKernelRej++
			t.Errorf("program %d (%s): gbpf accepts, the kernel rejects: %s\n%v", k, name, kr, prog)
		} else {
			usRejKernelAcc++
			t.Logf("program %d (%s): gbpf rejects (%v), the kernel accepts", k, name, err)
		}
		kinds[name] = st
		if ours && theirs {
			ourTime += elapsed
			kernelTime += ktime
		}
	}
	t.Logf("verdict agreement %d/%d (%.1f%%); gbpf-accepts-kernel-rejects %d, gbpf-rejects-kernel-accepts %d, unsupported %d",
		agree, total, 100*float64(agree)/float64(max(total, 1)), usAccKernelRej, usRejKernelAcc, unsupported)
	for name, st := range kinds {
		t.Logf("  %-16s %d/%d agree", name, st[0], st[1])
	}
	t.Logf("verification time of programs both accept: gbpf %v, kernel %v", ourTime, kernelTime)
}
