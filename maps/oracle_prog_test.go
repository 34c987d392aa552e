package maps

import (
	"encoding/binary"
	"fmt"
	"math/rand"
	"os"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
)

// Program-side oracle: each operation is a small XDP program calling a
// map helper, run in the kernel with BPF_PROG_TEST_RUN and reporting the
// helper's result and the CPU it ran on; the same operation is applied to
// our map on that CPU slot. Map contents are compared through user space.

type progOp struct {
	kind  string // update, delete, lookup, push, pop, peek
	key   []byte
	value []byte
	flags int32
}

// result packs what the kernel program reports: errno (low byte), CPU
// (second byte), the low 16 bits of a looked-up or popped value.
func packResult(errno, cpu int, v uint16) uint32 {
	return uint32(errno&0xff) | uint32(cpu&0xff)<<8 | uint32(v)<<16
}

func storeBytes(off int16, b []byte) asm.Instructions {
	var out asm.Instructions
	buf := make([]byte, (len(b)+3)&^3)
	copy(buf, b)
	for i := 0; i < len(buf); i += 4 {
		out = append(out, asm.StoreImm(asm.RFP, off+int16(i), int64(int32(binary.LittleEndian.Uint32(buf[i:]))), asm.Word))
	}
	return out
}

func (o *oracle) runKernelOp(op progOp) uint32 {
	insns := asm.Instructions{asm.FnGetSmpProcessorId.Call(), asm.Mov.Reg(asm.R6, asm.R0), asm.Mov.Imm(asm.R8, 0)}
	insns = append(insns, storeBytes(-8, op.key)...)
	insns = append(insns, storeBytes(-16, op.value)...)
	fp := func(r asm.Register, off int32) asm.Instructions {
		return asm.Instructions{asm.Mov.Reg(r, asm.RFP), asm.Add.Imm(r, off)}
	}
	insns = append(insns, asm.LoadMapPtr(asm.R1, o.k.FD()))
	switch op.kind {
	case "update":
		insns = append(insns, fp(asm.R2, -8)...)
		insns = append(insns, fp(asm.R3, -16)...)
		insns = append(insns, asm.Mov.Imm(asm.R4, op.flags), asm.FnMapUpdateElem.Call())
	case "delete":
		insns = append(insns, fp(asm.R2, -8)...)
		insns = append(insns, asm.FnMapDeleteElem.Call())
	case "lookup":
		insns = append(insns, fp(asm.R2, -8)...)
		insns = append(insns,
			asm.FnMapLookupElem.Call(),
			asm.JNE.Imm(asm.R0, 0, "found"),
			asm.Mov.Imm(asm.R0, -2),
			asm.Ja.Label("done"),
			asm.LoadMem(asm.R8, asm.R0, 0, asm.Half).WithSymbol("found"),
			asm.Mov.Imm(asm.R0, 0),
		)
	case "push":
		insns = append(insns, fp(asm.R2, -16)...)
		insns = append(insns, asm.Mov.Imm(asm.R3, op.flags), asm.FnMapPushElem.Call())
	case "pop", "peek":
		insns = append(insns, fp(asm.R2, -16)...)
		fn := asm.FnMapPopElem
		if op.kind == "peek" {
			fn = asm.FnMapPeekElem
		}
		insns = append(insns, fn.Call(), asm.LoadMem(asm.R8, asm.RFP, -16, asm.Half))
	}
	// r0 = (-r0 & 0xff) | cpu<<8 | r8<<16
	insns = append(insns,
		asm.Mov.Reg(asm.R1, asm.R0).WithSymbol("done"),
		asm.Mov.Imm(asm.R0, 0),
		asm.Sub.Reg(asm.R0, asm.R1),
		asm.And.Imm(asm.R0, 0xff),
		asm.And.Imm(asm.R6, 0xff),
		asm.LSh.Imm(asm.R6, 8),
		asm.Or.Reg(asm.R0, asm.R6),
		asm.LSh.Imm(asm.R8, 16),
		asm.Or.Reg(asm.R0, asm.R8),
		asm.Return(),
	)
	p, err := ebpf.NewProgram(&ebpf.ProgramSpec{Type: ebpf.XDP, License: "GPL", Instructions: insns})
	if err != nil {
		o.fail("load %s program: %v", op.kind, err)
	}
	defer p.Close()
	ret, err := p.Run(&ebpf.RunOptions{Data: make([]byte, 14)})
	if err != nil {
		o.fail("test run: %v", err)
	}
	return ret
}

func (o *oracle) runOurOp(op progOp, cpu int) uint32 {
	var err error
	var v uint16
	m := o.g
	switch op.kind {
	case "update":
		err = m.UpdateFromProg(op.key, op.value, uint64(uint32(op.flags)), cpu)
	case "delete":
		err = m.DeleteFromProg(op.key)
	case "lookup":
		if p := m.LookupPtr(op.key, cpu); p != nil {
			v = binary.LittleEndian.Uint16(p)
		} else {
			err = ErrKeyNotExist
		}
	case "push":
		err = m.Push(op.value, uint64(uint32(op.flags)))
	case "pop", "peek":
		out := append([]byte(nil), op.value...)
		if op.kind == "pop" {
			err = m.Pop(out)
		} else {
			err = m.Peek(out)
		}
		v = binary.LittleEndian.Uint16(out)
	}
	return packResult(int(Errno(err)), cpu, v)
}

func progOracle(t *testing.T, s *Spec, nops int, gen func(r *rand.Rand) progOp, keyed bool) {
	needKernel(t)
	if _, err := ebpf.NewProgram(&ebpf.ProgramSpec{Type: ebpf.XDP, License: "GPL", Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, 0), asm.Return()}}); err != nil {
		msg := fmt.Sprintf("cannot load programs: %v", err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	o := newOracle(t, s)
	r := rand.New(rand.NewSource(seed(t)))
	added := map[string]bool{} // bloom filter: values pushed successfully
	for o.ops < nops {
		op := gen(r)
		o.note("program %s %x %x flags %d", op.kind, op.key, op.value, op.flags)
		kr := o.runKernelOp(op)
		cpu := int(kr>>8) & 0xff
		gr := o.runOurOp(op, cpu)
		if s.Type == BloomFilter {
			if op.kind == "push" && kr&0xff == 0 {
				added[string(op.value)] = true
			}
			// A value never pushed may be a false positive in either
			// filter (their hashes differ); pushed values must be found.
			if op.kind == "peek" && !added[string(op.value)] {
				continue
			}
		}
		if kr != gr {
			o.fail("program %s: kernel errno %d value %#x, gbpf errno %d value %#x (cpu %d)", op.kind, kr&0xff, kr>>16, gr&0xff, gr>>16, cpu)
		}
		if keyed && o.ops%25 == 0 {
			o.contents()
		}
	}
	if keyed {
		o.contents()
	}
	t.Logf("%v from programs: %d operations, 0 mismatches", s.Type, o.ops)
}

func TestOracleProgramKeyed(t *testing.T) {
	flags := []int32{0, 0, 1, 2, 3, 4}
	for _, c := range []struct {
		typ  Type
		max  uint32
		keys int
	}{{Hash, 8, 12}, {PerCPUHash, 8, 12}, {LRUHash, 256, 12}, {LRUPerCPUHash, 256, 12}, {Array, 6, 8}, {PerCPUArray, 6, 8}} {
		t.Run(c.typ.String(), func(t *testing.T) {
			s := &Spec{Name: "p", Type: c.typ, KeySize: 4, ValueSize: 8, MaxEntries: c.max}
			progOracle(t, s, 400, func(r *rand.Rand) progOp {
				op := progOp{key: le32(uint32(r.Intn(c.keys))), value: le64(r.Uint64()), flags: flags[r.Intn(len(flags))]}
				op.kind = []string{"update", "update", "lookup", "delete"}[r.Intn(4)]
				return op
			}, true)
		})
	}
}

func TestOracleProgramQueue(t *testing.T) {
	for _, typ := range []Type{Queue, Stack, BloomFilter} {
		t.Run(typ.String(), func(t *testing.T) {
			s := &Spec{Name: "p", Type: typ, ValueSize: 8, MaxEntries: 4}
			progOracle(t, s, 300, func(r *rand.Rand) progOp {
				op := progOp{value: le64(uint64(r.Intn(6))), flags: []int32{0, 0, 1, 2, 3}[r.Intn(5)]}
				op.kind = []string{"push", "push", "pop", "peek"}[r.Intn(4)]
				if typ == BloomFilter && op.kind == "pop" {
					op.kind = "push"
				}
				return op
			}, false)
		})
	}
}

func TestOracleProgramLPM(t *testing.T) {
	s := &Spec{Name: "p", Type: LPMTrie, KeySize: 8, ValueSize: 8, MaxEntries: 10, Flags: FlagNoPrealloc}
	progOracle(t, s, 400, func(r *rand.Rand) progOp {
		plen := uint32([]int{0, 8, 16, 24, 32, 33, 12, 30}[r.Intn(8)])
		key := append(le32(plen), 10, byte(r.Intn(2)), byte(r.Intn(3)), byte(r.Intn(2)))
		op := progOp{key: key, value: le64(r.Uint64()), flags: []int32{0, 0, 1, 2, 3}[r.Intn(5)]}
		op.kind = []string{"update", "update", "lookup", "lookup", "delete"}[r.Intn(5)]
		return op
	}, true)
}
