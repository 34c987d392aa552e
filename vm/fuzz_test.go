package vm_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/vm"
)

// FuzzInterpret decodes random bytecode, loads it and runs it over a small
// memory with a small budget. It must never panic, never write outside the
// run's memory (guard bytes around the input stay intact), never exceed
// its budget, and fail only with a *vm.LoadError or a *vm.RunError. The
// same program without fused instruction pairs must behave identically.
func FuzzInterpret(f *testing.F) {
	f.Add([]byte{0xb7, 0, 0, 0, 1, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0}, []byte{1, 2, 3, 4})
	f.Fuzz(func(t *testing.T, code, input []byte) {
		insns, err := isa.Decode(code)
		if err != nil {
			return
		}
		const budget = 4096
		p, err := vm.Load(insns, vm.Options{MaxInsns: budget, Helpers: vm.ConformanceHelpers()})
		if err != nil {
			var le *vm.LoadError
			if !errors.As(err, &le) && !errors.Is(err, vm.ErrEmptyProgram) {
				t.Fatalf("Load error of type %T: %v", err, err)
			}
			return
		}
		if len(input) > 64 {
			input = input[:64]
		}
		const guard = 64
		buf := make([]byte, guard+len(input)+guard)
		for i := range buf {
			buf[i] = 0xa5
		}
		copy(buf[guard:], input)
		mem := buf[guard : guard+len(input) : guard+len(input)]
		plain, err := vm.LoadUnfused(insns, vm.Options{MaxInsns: budget, Helpers: vm.ConformanceHelpers()})
		if err != nil {
			t.Fatalf("loads fused but not plain: %v", err)
		}
		of, op := vm.RunBoth(p, plain, mem)
		if of.Stats != op.Stats || of.Err != op.Err || !bytes.Equal(of.Mem, op.Mem) {
			t.Fatalf("fused run %+v; plain run %+v", of, op)
		}
		copy(mem, input)
		st, err := p.RunStats(mem)
		if err != nil {
			var re *vm.RunError
			if !errors.As(err, &re) {
				t.Fatalf("Run error of type %T: %v", err, err)
			}
			if re.Index < 0 || re.Index >= len(insns) || re.Insn != insns[re.Index] {
				t.Fatalf("RunError names instruction %d (%v) of %d", re.Index, re.Insn, len(insns))
			}
		}
		if st.Insns > budget {
			t.Fatalf("executed %d instructions, budget %d", st.Insns, budget)
		}
		g := bytes.Repeat([]byte{0xa5}, guard)
		if !bytes.Equal(buf[:guard], g) || !bytes.Equal(buf[guard+len(input):], g) {
			t.Fatalf("run wrote outside its memory: %x", buf)
		}
	})
}
