package vm_test

import (
	"bytes"
	"errors"
	"slices"
	"syscall"
	"testing"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/vm"
)

// FuzzInterpret decodes random bytecode, loads it and runs it over a small
// memory with a small budget. It must never panic, never write outside the
// run's memory (guard bytes around the input stay intact), never exceed
// its budget, and fail only with a *vm.LoadError or a *vm.RunError. The
// same program without fused instruction pairs, and on the JIT (through
// Program.Run and a Runner), must behave identically.
func FuzzInterpret(f *testing.F) {
	f.Add([]byte{0xb7, 0, 0, 0, 1, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0}, []byte{1, 2, 3, 4})
	f.Fuzz(func(t *testing.T, code, input []byte) {
		insns, err := isa.Decode(code)
		if err != nil {
			return
		}
		const budget = 4096
		p, err := vm.Load(insns, vm.Options{Unverified: true, MaxInsns: budget, Helpers: vm.ConformanceHelpers()})
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
		plain, err := vm.LoadUnfused(insns, vm.Options{Unverified: true, MaxInsns: budget, Helpers: vm.ConformanceHelpers()})
		if err != nil {
			t.Fatalf("loads fused but not plain: %v", err)
		}
		of, op := vm.RunBoth(p, plain, mem)
		if of.Stats != op.Stats || of.Err != op.Err || !bytes.Equal(of.Mem, op.Mem) {
			t.Fatalf("fused run %+v; plain run %+v", of, op)
		}
		if slices.Contains(vm.Engines(), vm.JIT) {
			jp, err := vm.Load(insns, vm.Options{Unverified: true, MaxInsns: budget, Helpers: vm.ConformanceHelpers(), Engine: vm.JIT})
			if err != nil {
				t.Fatalf("loads on the interpreter but not on the JIT: %v", err)
			}
			ip, oj := vm.RunBoth(plain, jp, mem)
			if ip.Stats != oj.Stats || ip.Err != oj.Err || !bytes.Equal(ip.Mem, oj.Mem) {
				t.Fatalf("interpreter run %+v; JIT run %+v", ip, oj)
			}
			// A Runner, which enters the code directly, gives the same.
			ip, ors := vm.RunThroughRunner(plain, jp, mem)
			for _, or := range ors {
				if or.Stats.R0 != ip.Stats.R0 || or.Err != ip.Err || !bytes.Equal(or.Mem, ip.Mem) {
					t.Fatalf("interpreter run %+v; JIT Runner run %+v", ip, or)
				}
			}
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

// FuzzTestRun loads random bytecode as an XDP, socket filter or tc
// program and test-runs it on a random packet in checked mode: it must
// never panic and fail only with a *vm.LoadError, a *vm.RunError or an
// input error wrapping a syscall.Errno.
func FuzzTestRun(f *testing.F) {
	f.Add(uint8(6), []byte{0x61, 0x12, 0, 0, 0, 0, 0, 0, 0x61, 0x13, 4, 0, 0, 0, 0, 0, 0xb7, 0, 0, 0, 2, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0}, bytes.Repeat([]byte{1}, 20))
	f.Add(uint8(1), []byte{0x30, 0, 0, 0, 9, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0}, bytes.Repeat([]byte{8}, 40))
	f.Add(uint8(3), []byte{0xb7, 2, 0, 0, 0xf0, 0xff, 0xff, 0xff, 0x85, 0, 0, 0, 44, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0}, bytes.Repeat([]byte{3}, 30))
	f.Fuzz(func(t *testing.T, typ uint8, code, data []byte) {
		insns, err := isa.Decode(code)
		if err != nil {
			return
		}
		types := []helpers.ProgType{helpers.XDP, helpers.SocketFilter, helpers.SchedCLS}
		pt := types[int(typ)%len(types)]
		p, err := vm.Load(insns, vm.Options{Unverified: true, Type: pt, MaxInsns: 4096})
		if err != nil {
			var le *vm.LoadError
			if !errors.As(err, &le) && !errors.Is(err, vm.ErrEmptyProgram) {
				t.Fatalf("Load error of type %T: %v", err, err)
			}
			return
		}
		if len(data) > 256 {
			data = data[:256]
		}
		_, err = p.TestRun(vm.TestRunOptions{Data: data})
		if err != nil {
			var re *vm.RunError
			var en syscall.Errno
			if !errors.As(err, &re) && !errors.As(err, &en) {
				t.Fatalf("TestRun error of type %T: %v", err, err)
			}
		}
	})
}
