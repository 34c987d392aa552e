package trace

import (
	"fmt"

	"github.com/gbpf/gbpf/isa"
)

// label names a position in the instruction stream of an emitter.
type label int

// emitter builds one eBPF program: instructions plus symbolic jump targets,
// resolved to raw slot offsets by finish.
type emitter struct {
	insns  []isa.Instruction
	labels []int         // label -> instruction index, -1 while unbound
	fixups map[int]label // jump instruction index -> target label
	// funcs are the lddw instructions that load a subprogram's address
	// (BPF_PSEUDO_FUNC), by index, and the subprogram's label.
	funcs map[int]label
}

func newEmitter() *emitter {
	return &emitter{fixups: map[int]label{}, funcs: map[int]label{}}
}

func (e *emitter) emit(ins isa.Instruction) { e.insns = append(e.insns, ins) }

func (e *emitter) newLabel() label {
	e.labels = append(e.labels, -1)
	return label(len(e.labels) - 1)
}

func (e *emitter) bind(l label) { e.labels[l] = len(e.insns) }

// alu64 emits DST op= imm.
func (e *emitter) aluImm(op uint8, dst isa.Register, imm int32) {
	e.emit(isa.Instruction{OpCode: uint8(isa.ClassALU64) | isa.SrcK | op, Dst: dst, Constant: int64(imm)})
}

// aluReg emits DST op= SRC.
func (e *emitter) aluReg(op uint8, dst, src isa.Register) {
	e.emit(isa.Instruction{OpCode: uint8(isa.ClassALU64) | isa.SrcX | op, Dst: dst, Src: src})
}

func (e *emitter) mov(dst, src isa.Register) { e.aluReg(isa.ALUMov, dst, src) }

// loadImm puts a 64-bit constant in dst (mov for small values, lddw otherwise).
func (e *emitter) loadImm(dst isa.Register, v int64) {
	if v >= -1<<31 && v < 1<<31 {
		e.aluImm(isa.ALUMov, dst, int32(v))
		return
	}
	e.emit(isa.Instruction{OpCode: isa.OpLDDW, Dst: dst, Constant: v})
}

// loadMap puts the address of a map (by file descriptor) in dst.
func (e *emitter) loadMap(dst isa.Register, fd int) {
	e.emit(isa.Instruction{OpCode: isa.OpLDDW, Dst: dst, Src: isa.PseudoMapFD, Constant: int64(fd)})
}

// used reports whether a jump goes to l.
func (e *emitter) used(l label) bool {
	for _, t := range e.fixups {
		if t == l {
			return true
		}
	}
	return false
}

// loadFunc puts the address of the subprogram at l in dst, for helpers
// that take a callback.
func (e *emitter) loadFunc(dst isa.Register, l label) {
	e.funcs[len(e.insns)] = l
	e.emit(isa.Instruction{OpCode: isa.OpLDDW, Dst: dst, Src: isa.PseudoFunc})
}

// ldx emits DST = *(size *)(SRC + off).
func (e *emitter) ldx(size uint8, dst, src isa.Register, off int16) {
	e.emit(isa.Instruction{OpCode: uint8(isa.ClassLDX) | isa.ModeMEM | size, Dst: dst, Src: src, Offset: off})
}

// stx emits *(size *)(DST + off) = SRC.
func (e *emitter) stx(size uint8, dst isa.Register, off int16, src isa.Register) {
	e.emit(isa.Instruction{OpCode: uint8(isa.ClassSTX) | isa.ModeMEM | size, Dst: dst, Src: src, Offset: off})
}

// st emits *(size *)(DST + off) = imm.
func (e *emitter) st(size uint8, dst isa.Register, off int16, imm int32) {
	e.emit(isa.Instruction{OpCode: uint8(isa.ClassST) | isa.ModeMEM | size, Dst: dst, Offset: off, Constant: int64(imm)})
}

// atomicAdd emits lock *(u64 *)(DST + off) += SRC.
func (e *emitter) atomicAdd(dst isa.Register, off int16, src isa.Register) {
	e.emit(isa.Instruction{OpCode: uint8(isa.ClassSTX) | isa.ModeATOMIC | isa.SizeDW, Dst: dst, Src: src, Offset: off, Constant: isa.AtomicAdd})
}

// jmpImm emits if DST op imm goto l.
func (e *emitter) jmpImm(op uint8, dst isa.Register, imm int32, l label) {
	e.fixups[len(e.insns)] = l
	e.emit(isa.Instruction{OpCode: uint8(isa.ClassJMP) | isa.SrcK | op, Dst: dst, Constant: int64(imm)})
}

// jmpReg emits if DST op SRC goto l.
func (e *emitter) jmpReg(op uint8, dst, src isa.Register, l label) {
	e.fixups[len(e.insns)] = l
	e.emit(isa.Instruction{OpCode: uint8(isa.ClassJMP) | isa.SrcX | op, Dst: dst, Src: src})
}

// ja emits goto l.
func (e *emitter) ja(l label) {
	e.fixups[len(e.insns)] = l
	e.emit(isa.Instruction{OpCode: uint8(isa.ClassJMP) | isa.JmpJA})
}

// call emits a helper call by the kernel's helper id.
func (e *emitter) call(id int32) {
	e.emit(isa.Instruction{OpCode: uint8(isa.ClassJMP) | isa.JmpCall, Constant: int64(id)})
}

func (e *emitter) exit() {
	e.emit(isa.Instruction{OpCode: uint8(isa.ClassJMP) | isa.JmpExit})
}

// finish resolves jump targets to slot offsets.
func (e *emitter) finish() ([]isa.Instruction, error) {
	si := isa.NewSlotIndex(e.insns)
	for i, l := range e.fixups {
		t := e.labels[l]
		if t < 0 {
			return nil, fmt.Errorf("code generation: jump at insn %d to an unbound label", i)
		}
		var ts int
		if t == len(e.insns) {
			ts = si.Len()
		} else {
			ts = si.Slot(t)
		}
		d := ts - si.Slot(i) - 1
		if d < -1<<15 || d >= 1<<15 {
			return nil, fmt.Errorf("code generation: jump at insn %d too far (%d slots)", i, d)
		}
		e.insns[i].Offset = int16(d)
	}
	for i, l := range e.funcs {
		t := e.labels[l]
		if t < 0 || t >= len(e.insns) {
			return nil, fmt.Errorf("code generation: function load at insn %d of an unbound label", i)
		}
		e.insns[i].Constant = int64(si.Slot(t) - si.Slot(i) - 1)
	}
	return e.insns, nil
}
