package cbpf

import (
	"fmt"
	"math"

	"github.com/gbpf/gbpf/isa"
)

// Registers of translated programs, after the prologue.
const (
	regA       = isa.R0 // the accumulator; r0 so that "ret a" is a plain exit
	regX       = isa.R9 // the index register
	regPkt     = isa.R6 // first byte of the packet
	regCapLen  = isa.R7 // captured length
	regWireLen = isa.R3 // wire length, where it arrives (nothing else uses r3)
	regBack    = isa.R5 // backward jumps left (programs with backward jumps only)
	regTmp     = isa.R1
	regTmp2    = isa.R2
)

// scratchOff is the stack offset of M[0]; M[k] is the 32-bit word at
// r10 + scratchOff + 4k.
const scratchOff = -4 * MemWords

// ToEBPF translates a classic program into eBPF the way the kernel converts
// socket filters (net/core/filter.c, bpf_convert_filter), for a raw calling
// convention since there is no socket buffer: on entry r1 points at the
// packet's first captured byte, r2 is the captured length and r3 the length
// on the wire. A lives in r0 and X in r9 (both 32-bit, zero-extended), the
// scratch words M[0..15] in the 64 bytes below the frame pointer. Every packet
// load is checked against r2 in the generated code and returns 0 when out of
// bounds, as libpcap does; so do division and modulo by a zero X. A shift by
// X of 32 or more gives 0, as in libpcap. Backward jumps (libpcap's
// protochain) count down a budget of MaxBackwardJumps + r2/8 and return 0
// when it runs out, exactly as Run does. The translation therefore returns,
// in r0, what Run returns for every packet.
//
// insns must pass Validate. The result uses the ALU32 and JMP32 classes and
// no lddw, so instruction indexes are slot indexes.
func ToEBPF(insns []Instruction) ([]isa.Instruction, error) {
	code, _, err := translate(insns)
	return code, err
}

// translate is ToEBPF, also returning what the program uses.
func translate(insns []Instruction) ([]isa.Instruction, usage, error) {
	if err := Validate(insns); err != nil {
		return nil, usage{}, err
	}
	u := usageOf(insns)
	t := &translator{pos: make([]int, len(insns)+1)}
	t.prologue(u)
	for i, ins := range insns {
		t.pos[i] = len(t.out)
		t.insn(i, ins)
	}
	t.pos[len(insns)] = len(t.out)
	// The shared "return 0" of failed checks, where some check needs it
	// (an unreachable tail is one the kernel's verifier rejects).
	t.ret0 = len(t.out)
	for _, f := range t.fixups {
		if f.target < 0 {
			t.emit(mov32Imm(regA, 0), isa.Instruction{OpCode: isa.OpExit})
			break
		}
	}
	for _, f := range t.fixups {
		target := t.ret0
		if f.target >= 0 {
			target = t.pos[f.target]
		}
		off := target - f.at - 1
		if off < math.MinInt16 || off > math.MaxInt16 {
			return nil, usage{}, &Error{PC: f.from, Msg: fmt.Sprintf("eBPF jump offset %d does not fit in 16 bits", off)}
		}
		t.out[f.at].Offset = int16(off)
	}
	return t.out, u, nil
}

// ToEBPFMem is ToEBPF for the raw program type of `gbpf run` and vm.Run,
// where r1 points at a memory block and r2 is its length: the block is the
// wire length as a 4-byte little-endian number followed by the captured
// packet bytes. A prologue loads the wire length into r3 and moves r1 and r2
// past it. PacketMem builds such a block.
func ToEBPFMem(insns []Instruction) ([]isa.Instruction, error) {
	body, u, err := translate(insns)
	if err != nil {
		return nil, err
	}
	// The body reads r1 and r2 only for packets, r3 only for the wire
	// length (see prologue), so the block is unpacked only as far as that.
	var pro []isa.Instruction
	if u.wireLen {
		pro = append(pro, isa.Instruction{OpCode: uint8(isa.ClassLDX) | isa.ModeMEM | isa.SizeW, Dst: isa.R3, Src: isa.R1}) // r3 = *(u32 *)(r1 + 0)
	}
	if u.pkt || u.backward {
		pro = append(pro, alu64Imm(isa.ALUAdd, isa.R1, 4), alu64Imm(isa.ALUSub, isa.R2, 4))
	}
	return append(pro, body...), nil
}

// PacketMem returns the memory block ToEBPFMem's programs expect: wireLen
// as 4 little-endian bytes, then pkt.
func PacketMem(pkt []byte, wireLen uint32) []byte {
	mem := make([]byte, 4+len(pkt))
	mem[0], mem[1], mem[2], mem[3] = byte(wireLen), byte(wireLen>>8), byte(wireLen>>16), byte(wireLen>>24)
	copy(mem[4:], pkt)
	return mem
}

type fixup struct {
	at     int // index of the eBPF jump
	target int // cBPF index, or -1 for the shared "return 0"
	from   int // cBPF index being translated, for errors
}

type translator struct {
	out    []isa.Instruction
	pos    []int // eBPF index of each cBPF instruction
	fixups []fixup
	ret0   int
}

func (t *translator) emit(ins ...isa.Instruction) { t.out = append(t.out, ins...) }

// jump emits a jump whose offset is fixed up to target (a cBPF index or -1).
func (t *translator) jump(ins isa.Instruction, target, from int) {
	t.fixups = append(t.fixups, fixup{at: len(t.out), target: target, from: from})
	t.emit(ins)
}

func mov32Imm(dst isa.Register, k uint32) isa.Instruction {
	return isa.Instruction{OpCode: uint8(isa.ClassALU) | isa.ALUMov | isa.SrcK, Dst: dst, Constant: int64(int32(k))}
}

func mov32Reg(dst, src isa.Register) isa.Instruction {
	return isa.Instruction{OpCode: uint8(isa.ClassALU) | isa.ALUMov | isa.SrcX, Dst: dst, Src: src}
}

func mov64Reg(dst, src isa.Register) isa.Instruction {
	return isa.Instruction{OpCode: isa.OpMovX, Dst: dst, Src: src}
}

func alu64Imm(op uint8, dst isa.Register, k int32) isa.Instruction {
	return isa.Instruction{OpCode: uint8(isa.ClassALU64) | op | isa.SrcK, Dst: dst, Constant: int64(k)}
}

func alu64Reg(op uint8, dst, src isa.Register) isa.Instruction {
	return isa.Instruction{OpCode: uint8(isa.ClassALU64) | op | isa.SrcX, Dst: dst, Src: src}
}

func alu32Imm(op uint8, dst isa.Register, k uint32) isa.Instruction {
	return isa.Instruction{OpCode: uint8(isa.ClassALU) | op | isa.SrcK, Dst: dst, Constant: int64(int32(k))}
}

func alu32Reg(op uint8, dst, src isa.Register) isa.Instruction {
	return isa.Instruction{OpCode: uint8(isa.ClassALU) | op | isa.SrcX, Dst: dst, Src: src}
}

func jmpImm(class isa.Class, op uint8, dst isa.Register, k uint32) isa.Instruction {
	return isa.Instruction{OpCode: uint8(class) | op | isa.SrcK, Dst: dst, Constant: int64(int32(k))}
}

func jmpReg(class isa.Class, op uint8, dst, src isa.Register) isa.Instruction {
	return isa.Instruction{OpCode: uint8(class) | op | isa.SrcX, Dst: dst, Src: src}
}

func goTo() isa.Instruction { return isa.Instruction{OpCode: isa.OpJA} }

// usage says which parts of the machine a classic program uses, so that
// the translation sets up only those.
type usage struct {
	pkt      bool // packet loads (absolute, indexed, msh): r6 and r7
	wireLen  bool // ld/ldx #pktlen: r3, loaded by ToEBPFMem
	readsX   bool // some instruction reads X, which must then start at 0
	readsA   bool // A may be read before it is written, so it starts at 0
	mem      bool // scratch memory is loaded from, so it starts zeroed
	backward bool // backward jumps: r5 counts them down from a budget of r7
}

func usageOf(insns []Instruction) usage {
	var u usage
	// Every path runs instruction 0 first: when it loads A, A is written
	// before anything reads it.
	u.readsA = len(insns) == 0 || insns[0].Class() != ClassLD
	for _, ins := range insns {
		mode := ins.Op & 0xe0
		switch ins.Class() {
		case ClassLD:
			switch mode {
			case ModeABS:
				u.pkt = true
			case ModeIND:
				u.pkt, u.readsX = true, true
			case ModeLEN:
				u.wireLen = true
			case ModeMEM:
				u.mem = true
			}
		case ClassLDX:
			switch ins.Op {
			case OpLdxMsh:
				u.pkt = true
			case OpLdxLen:
				u.wireLen = true
			case OpLdxMem:
				u.mem = true
			}
		case ClassSTX:
			u.readsX = true
		case ClassALU, ClassJMP:
			if ins.Op&SrcX != 0 && ins.Op != OpNeg {
				u.readsX = true
			}
			if ins.Op == OpJA && int32(ins.K) < 0 {
				u.backward = true
			}
		case ClassRET:
			if ins.Op == OpRetX {
				u.readsX = true
			}
		case ClassMISC:
			if ins.Op == OpTXA {
				u.readsX = true
			}
		}
	}
	return u
}

// prologue sets up what the program uses (u): the packet registers, A
// and X at 0 where they may be read first, zeroed scratch memory and the
// backward-jump budget. The kernel's converter sets up all of them always;
// skipping what a program cannot observe changes no result.
func (t *translator) prologue(u usage) {
	if u.pkt || u.backward {
		t.emit(mov64Reg(regPkt, isa.R1), mov64Reg(regCapLen, isa.R2))
	}
	if u.readsA {
		t.emit(mov32Imm(regA, 0))
	}
	if u.readsX {
		t.emit(mov32Imm(regX, 0))
	}
	if u.mem {
		for off := int16(scratchOff); off < 0; off += 8 {
			t.emit(isa.Instruction{OpCode: isa.OpStDW, Dst: isa.R10, Offset: off})
		}
	}
	if u.backward {
		t.emit(mov64Reg(regBack, regCapLen), alu64Imm(isa.ALURsh, regBack, 3), alu64Imm(isa.ALUAdd, regBack, MaxBackwardJumps))
	}
}

// boundsConst emits "if capLen < k+size return 0" for a constant offset.
func (t *translator) boundsConst(k uint32, size int32, from int) {
	end := uint64(k) + uint64(size)
	if end <= math.MaxInt32 {
		t.jump(jmpImm(isa.ClassJMP, isa.JmpJLT, regCapLen, uint32(end)), -1, from)
		return
	}
	t.emit(mov32Imm(regTmp, k), alu64Imm(isa.ALUAdd, regTmp, size))
	t.jump(jmpReg(isa.ClassJMP, isa.JmpJLT, regCapLen, regTmp), -1, from)
}

// loadPacket emits dst = the size-byte big-endian value at regPkt + k, after
// the bounds check.
func (t *translator) loadAbs(dst isa.Register, k uint32, size int32, from int) {
	t.boundsConst(k, size, from)
	base, off := regPkt, int16(0)
	if k <= math.MaxInt16 {
		off = int16(k)
	} else {
		t.emit(mov32Imm(regTmp, k), alu64Reg(isa.ALUAdd, regTmp, regPkt))
		base = regTmp
	}
	t.loadSwap(dst, base, off, size)
}

func (t *translator) loadSwap(dst, base isa.Register, off int16, size int32) {
	sz := map[int32]uint8{1: isa.SizeB, 2: isa.SizeH, 4: isa.SizeW}[size]
	t.emit(isa.Instruction{OpCode: uint8(isa.ClassLDX) | isa.ModeMEM | sz, Dst: dst, Src: base, Offset: off})
	if size > 1 {
		t.emit(isa.Instruction{OpCode: uint8(isa.ClassALU) | isa.ALUEnd | isa.EndToBE, Dst: dst, Constant: int64(size * 8)})
	}
}

var sizeBytes = map[uint16]int32{SizeW: 4, SizeH: 2, SizeB: 1}

var aluToEBPF = map[uint16]uint8{
	ALUAdd: isa.ALUAdd, ALUSub: isa.ALUSub, ALUMul: isa.ALUMul, ALUDiv: isa.ALUDiv,
	ALUMod: isa.ALUMod, ALUAnd: isa.ALUAnd, ALUOr: isa.ALUOr, ALUXor: isa.ALUXor,
	ALULsh: isa.ALULsh, ALURsh: isa.ALURsh,
}

func scratch(k uint32) int16 { return int16(scratchOff + 4*int(k)) }

func (t *translator) insn(i int, ins Instruction) {
	k := ins.K
	switch ins.Op {
	case OpRetK:
		t.emit(mov32Imm(regA, k), isa.Instruction{OpCode: isa.OpExit})
	case OpRetA:
		t.emit(isa.Instruction{OpCode: isa.OpExit})
	case OpLdW, OpLdH, OpLdB:
		t.loadAbs(regA, k, sizeBytes[ins.Op&0x18], i)
	case OpLdIndW, OpLdIndH, OpLdIndB:
		size := sizeBytes[ins.Op&0x18]
		// tmp = X + k and tmp2 = tmp + size in 64 bits: no wrap-around.
		t.emit(mov32Imm(regTmp, k), alu64Reg(isa.ALUAdd, regTmp, regX),
			mov64Reg(regTmp2, regTmp), alu64Imm(isa.ALUAdd, regTmp2, size))
		t.jump(jmpReg(isa.ClassJMP, isa.JmpJLT, regCapLen, regTmp2), -1, i)
		t.emit(alu64Reg(isa.ALUAdd, regTmp, regPkt))
		t.loadSwap(regA, regTmp, 0, size)
	case OpLdxMsh:
		t.loadAbs(regX, k, 1, i)
		t.emit(alu32Imm(isa.ALUAnd, regX, 0xf), alu32Imm(isa.ALULsh, regX, 2))
	case OpLdLen:
		t.emit(mov32Reg(regA, regWireLen))
	case OpLdxLen:
		t.emit(mov32Reg(regX, regWireLen))
	case OpLdImm:
		t.emit(mov32Imm(regA, k))
	case OpLdxImm:
		t.emit(mov32Imm(regX, k))
	case OpLdMem, OpLdxMem:
		dst := regA
		if ins.Op == OpLdxMem {
			dst = regX
		}
		t.emit(isa.Instruction{OpCode: isa.OpLdxW, Dst: dst, Src: isa.R10, Offset: scratch(k)})
	case OpSt, OpStx:
		src := regA
		if ins.Op == OpStx {
			src = regX
		}
		t.emit(isa.Instruction{OpCode: isa.OpStxW, Dst: isa.R10, Src: src, Offset: scratch(k)})
	case OpNeg:
		t.emit(isa.Instruction{OpCode: uint8(isa.ClassALU) | isa.ALUNeg, Dst: regA})
	case OpTAX:
		t.emit(mov32Reg(regX, regA))
	case OpTXA:
		t.emit(mov32Reg(regA, regX))
	case OpJA:
		if int32(k) < 0 {
			t.jump(jmpImm(isa.ClassJMP, isa.JmpJEQ, regBack, 0), -1, i)
			t.emit(alu64Imm(isa.ALUSub, regBack, 1))
		}
		t.jump(goTo(), int(int64(i)+1+int64(int32(k))), i)
	default:
		switch ins.Class() {
		case ClassALU:
			t.alu(i, ins)
		case ClassJMP:
			t.cond(i, ins)
		}
	}
}

func (t *translator) alu(i int, ins Instruction) {
	op := aluToEBPF[ins.Op&0xf0]
	if ins.Op&SrcX == 0 {
		t.emit(alu32Imm(op, regA, ins.K))
		return
	}
	switch ins.Op & 0xf0 {
	case ALUDiv, ALUMod:
		t.jump(jmpImm(isa.ClassJMP, isa.JmpJEQ, regX, 0), -1, i)
		t.emit(alu32Reg(op, regA, regX))
	case ALULsh, ALURsh:
		// if X < 32 { A op= X } else { A = 0 }
		t.emit(
			isa.Instruction{OpCode: uint8(isa.ClassJMP) | isa.JmpJLT | isa.SrcK, Dst: regX, Offset: 2, Constant: 32},
			mov32Imm(regA, 0),
			isa.Instruction{OpCode: isa.OpJA, Offset: 1},
			alu32Reg(op, regA, regX),
		)
	default:
		t.emit(alu32Reg(op, regA, regX))
	}
}

var jmpToEBPF = map[uint16]uint8{JmpJEQ: isa.JmpJEQ, JmpJGT: isa.JmpJGT, JmpJGE: isa.JmpJGE, JmpJSET: isa.JmpJSET}

// inverse conditions for "jt falls through": jump to jf when not cond.
var jmpInverse = map[uint16]uint8{JmpJEQ: isa.JmpJNE, JmpJGT: isa.JmpJLE, JmpJGE: isa.JmpJLT}

func (t *translator) cond(i int, ins Instruction) {
	jt, jf := i+1+int(ins.Jt), i+1+int(ins.Jf)
	mk := func(op uint8) isa.Instruction {
		if ins.Op&SrcX != 0 {
			return jmpReg(isa.ClassJMP32, op, regA, regX)
		}
		return jmpImm(isa.ClassJMP32, op, regA, ins.K)
	}
	cond := ins.Op & 0xf0
	switch {
	case jt == jf:
		t.jump(goTo(), jt, i)
	case ins.Jf == 0:
		t.jump(mk(jmpToEBPF[cond]), jt, i)
	case ins.Jt == 0 && cond != JmpJSET:
		t.jump(mk(jmpInverse[cond]), jf, i)
	default:
		t.jump(mk(jmpToEBPF[cond]), jt, i)
		t.jump(goTo(), jf, i)
	}
}
