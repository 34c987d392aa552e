package vm

import (
	"fmt"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/isa"
)

// inst is a pre-decoded instruction: an internal opcode that selects one
// case of the interpreter's switch, with operands ready to use.
type inst struct {
	imm  int32  // immediate (shifts: masked; helper calls: index into Program.helpers)
	off  int32  // memory displacement, absolute target index of a jump or local call, or index into Program.consts for lddw
	cost uint32 // instructions from here to the next control transfer inclusive
	op   uint8  // internal opcode, one of the op* constants
	dst  uint8  // destination register
	src  uint8  // source register
	aux  uint8  // third register of a fused instruction
}

// Internal opcodes. K forms take the immediate, X forms the src register.
const (
	opFellOff uint8 = iota // sentinel after the last instruction
	opNop

	opAdd64X
	opAdd64K
	opSub64X
	opSub64K
	opMul64X
	opMul64K
	opDiv64X
	opDiv64K
	opSdiv64X
	opSdiv64K
	opMod64X
	opMod64K
	opSmod64X
	opSmod64K
	opOr64X
	opOr64K
	opAnd64X
	opAnd64K
	opXor64X
	opXor64K
	opLsh64X
	opLsh64K
	opRsh64X
	opRsh64K
	opArsh64X
	opArsh64K
	opMov64X
	opMov64K
	opMovsx64B
	opMovsx64H
	opMovsx64W
	opNeg64
	opBswap16
	opBswap32
	opBswap64

	opAdd32X
	opAdd32K
	opSub32X
	opSub32K
	opMul32X
	opMul32K
	opDiv32X
	opDiv32K
	opSdiv32X
	opSdiv32K
	opMod32X
	opMod32K
	opSmod32X
	opSmod32K
	opOr32X
	opOr32K
	opAnd32X
	opAnd32K
	opXor32X
	opXor32K
	opLsh32X
	opLsh32K
	opRsh32X
	opRsh32K
	opArsh32X
	opArsh32K
	opMov32X
	opMov32K
	opMovsx32B
	opMovsx32H
	opNeg32
	opLe16
	opLe32
	opBe16
	opBe32
	opBe64

	opJa
	opJeq64X
	opJeq64K
	opJne64X
	opJne64K
	opJgt64X
	opJgt64K
	opJge64X
	opJge64K
	opJlt64X
	opJlt64K
	opJle64X
	opJle64K
	opJsgt64X
	opJsgt64K
	opJsge64X
	opJsge64K
	opJslt64X
	opJslt64K
	opJsle64X
	opJsle64K
	opJset64X
	opJset64K
	opJeq32X
	opJeq32K
	opJne32X
	opJne32K
	opJgt32X
	opJgt32K
	opJge32X
	opJge32K
	opJlt32X
	opJlt32K
	opJle32X
	opJle32K
	opJsgt32X
	opJsgt32K
	opJsge32X
	opJsge32K
	opJslt32X
	opJslt32K
	opJsle32X
	opJsle32K
	opJset32X
	opJset32K

	opLdxB
	opLdxH
	opLdxW
	opLdxDW
	opLdxSB
	opLdxSH
	opLdxSW
	opStB
	opStH
	opStW
	opStDW
	opStxB
	opStxH
	opStxW
	opStxDW

	opAtomicAdd32
	opAtomicOr32
	opAtomicAnd32
	opAtomicXor32
	opAtomicFetchAdd32
	opAtomicFetchOr32
	opAtomicFetchAnd32
	opAtomicFetchXor32
	opAtomicXchg32
	opAtomicCmpXchg32
	opAtomicAdd64
	opAtomicOr64
	opAtomicAnd64
	opAtomicXor64
	opAtomicFetchAdd64
	opAtomicFetchOr64
	opAtomicFetchAnd64
	opAtomicFetchXor64
	opAtomicXchg64
	opAtomicCmpXchg64

	opLddw
	opCall
	opCallLocal
	opCallX
	opExit
	opLdAbsB // r0 = packet byte at imm (LD_ABS)
	opLdAbsH
	opLdAbsW
	opLdIndB // r0 = packet byte at src + imm (LD_IND)
	opLdIndH
	opLdIndW

	// Fused pairs (superinstructions), made by fuse. The second
	// instruction of a pair stays in place for jumps that land on it.
	opMovAdd64X // dst = src; dst += aux
	opMovAdd64K // dst = src; dst += imm
	opZext32    // dst <<= 32; dst >>= 32
	opAddJeq64X // aux += imm; if dst == src goto off
	opAddJne64X // aux += imm; if dst != src goto off
	opAddJgt64X // aux += imm; if dst > src goto off
	opAddJlt64X // aux += imm; if dst < src goto off
	opMovJeq64X // aux = imm; if dst == src goto off
	opMovJne64X // aux = imm; if dst != src goto off
	opMovJgt64X // aux = imm; if dst > src goto off
	opMovJlt64X // aux = imm; if dst < src goto off
)

// fusedJumps maps a 64-bit register jump to its fusions with a preceding
// add of a constant and move of a constant.
var fusedJumps = map[uint8][2]uint8{
	opJeq64X: {opAddJeq64X, opMovJeq64X},
	opJne64X: {opAddJne64X, opMovJne64X},
	opJgt64X: {opAddJgt64X, opMovJgt64X},
	opJlt64X: {opAddJlt64X, opMovJlt64X},
}

// fuse replaces common pairs of adjacent instructions by one fused
// instruction at the first's index. The second keeps its own entry, so a
// jump to it still runs it alone, and the pair's cost is unchanged.
func fuse(code []inst) {
	for i := 0; i+2 < len(code); i++ { // code ends with the sentinel
		a, b := code[i], code[i+1]
		switch {
		case a.op == opMov64X && b.op == opAdd64X && b.dst == a.dst:
			t := b.src
			if t == a.dst {
				t = a.src
			}
			code[i] = inst{op: opMovAdd64X, dst: a.dst, src: a.src, aux: t, cost: a.cost}
		case a.op == opMov64X && b.op == opAdd64K && b.dst == a.dst:
			code[i] = inst{op: opMovAdd64K, dst: a.dst, src: a.src, imm: b.imm, cost: a.cost}
		case a.op == opLsh64K && a.imm == 32 && b.op == opRsh64K && b.imm == 32 && b.dst == a.dst:
			code[i] = inst{op: opZext32, dst: a.dst, cost: a.cost}
		case a.op == opAdd64K && fusedJumps[b.op][0] != 0:
			code[i] = inst{op: fusedJumps[b.op][0], aux: a.dst, imm: a.imm, dst: b.dst, src: b.src, off: b.off, cost: a.cost}
		case a.op == opMov64K && fusedJumps[b.op][1] != 0:
			code[i] = inst{op: fusedJumps[b.op][1], aux: a.dst, imm: a.imm, dst: b.dst, src: b.src, off: b.off, cost: a.cost}
		}
	}
}

// aluOps maps an ALU operation code to its X form for 64 and 32 bits; the
// K form is the next internal opcode.
var aluOps = map[uint8][2]uint8{
	isa.ALUAdd:  {opAdd64X, opAdd32X},
	isa.ALUSub:  {opSub64X, opSub32X},
	isa.ALUMul:  {opMul64X, opMul32X},
	isa.ALUOr:   {opOr64X, opOr32X},
	isa.ALUAnd:  {opAnd64X, opAnd32X},
	isa.ALUXor:  {opXor64X, opXor32X},
	isa.ALULsh:  {opLsh64X, opLsh32X},
	isa.ALURsh:  {opRsh64X, opRsh32X},
	isa.ALUArsh: {opArsh64X, opArsh32X},
	isa.ALUMov:  {opMov64X, opMov32X},
}

// jmpOps maps a conditional jump code to its X form for 64 and 32 bits.
var jmpOps = map[uint8][2]uint8{
	isa.JmpJEQ:  {opJeq64X, opJeq32X},
	isa.JmpJNE:  {opJne64X, opJne32X},
	isa.JmpJGT:  {opJgt64X, opJgt32X},
	isa.JmpJGE:  {opJge64X, opJge32X},
	isa.JmpJLT:  {opJlt64X, opJlt32X},
	isa.JmpJLE:  {opJle64X, opJle32X},
	isa.JmpJSGT: {opJsgt64X, opJsgt32X},
	isa.JmpJSGE: {opJsge64X, opJsge32X},
	isa.JmpJSLT: {opJslt64X, opJslt32X},
	isa.JmpJSLE: {opJsle64X, opJsle32X},
	isa.JmpJSET: {opJset64X, opJset32X},
}

var atomicOps = map[int64]uint8{
	isa.AtomicAdd:                   opAtomicAdd32,
	isa.AtomicOr:                    opAtomicOr32,
	isa.AtomicAnd:                   opAtomicAnd32,
	isa.AtomicXor:                   opAtomicXor32,
	isa.AtomicAdd | isa.AtomicFetch: opAtomicFetchAdd32,
	isa.AtomicOr | isa.AtomicFetch:  opAtomicFetchOr32,
	isa.AtomicAnd | isa.AtomicFetch: opAtomicFetchAnd32,
	isa.AtomicXor | isa.AtomicFetch: opAtomicFetchXor32,
	isa.AtomicXchg:                  opAtomicXchg32,
	isa.AtomicCmpXchg:               opAtomicCmpXchg32,
}

// predecode checks the program's structure and fills p.code and p.helpers.
func (p *Program) predecode(fused bool) error {
	si := isa.NewSlotIndex(p.insns)
	p.code = make([]inst, len(p.insns)+1)
	helperIndex := map[int32]int{}
	for i, ins := range p.insns {
		fail := func(err error) error { return &LoadError{Index: i, Insn: ins, Err: err} }
		if err := ins.Validate(); err != nil {
			return fail(err)
		}
		var c inst
		var err error
		switch {
		case ins.OpCode == isa.OpLDDW && ins.Src != isa.PseudoImm:
			v, err := p.pseudoLoad(si, i, ins)
			if err != nil {
				return fail(err)
			}
			c = inst{op: opLddw, dst: uint8(ins.Dst), off: int32(len(p.consts))}
			p.consts = append(p.consts, v)
			p.code[i] = c
			continue
		case ins.Class() == isa.ClassLD && ins.OpCode != isa.OpLDDW:
			if c, err = p.decodeLdAbs(ins); err != nil {
				return fail(err)
			}
			p.code[i] = c
			continue
		}
		c, err = decodeInsn(ins)
		if err != nil {
			return fail(err)
		}
		if c.op == opCallX {
			p.needsEnv = true
		}
		switch {
		case ins.IsJump() || ins.IsLocalCall():
			dist := ins.JumpOffset()
			if ins.IsLocalCall() {
				dist = int64(ins.Imm32())
			}
			slot := int64(si.Slot(i)) + 1 + dist
			t := -1
			if slot >= 0 && slot < int64(si.Len()) {
				t = si.Index(int(slot))
			}
			if t < 0 {
				what := "jump"
				if ins.IsLocalCall() {
					what = "call"
				}
				if slot >= 0 && slot < int64(si.Len()) {
					return fail(fmt.Errorf("%w: %s to slot %d, the middle of an lddw", ErrJumpOutOfRange, what, slot))
				}
				return fail(fmt.Errorf("%w: %s to slot %d, outside the program's %d slots", ErrJumpOutOfRange, what, slot, si.Len()))
			}
			c.off = int32(t)
		case ins.IsHelperCall():
			id := ins.Imm32()
			h, ok := p.registry[id]
			if !ok {
				if proto, known := helpers.Lookup(helpers.ID(id)); known && !proto.AllowedIn(p.typ) {
					return fail(fmt.Errorf("%w: %s (helper id %d) in a %s program", ErrHelperNotAllowed, proto.Name(), id, p.typ))
				}
				return fail(fmt.Errorf("%w: helper id %d (%s) is not registered", ErrUnknownHelper, id, helpers.ID(id)))
			}
			p.needsEnv = true
			k, seen := helperIndex[id]
			if !seen {
				k = len(p.helpers)
				helperIndex[id] = k
				p.helpers = append(p.helpers, h.fn)
			}
			c.imm = int32(k)
		case ins.OpCode == isa.OpLDDW:
			c.off = int32(len(p.consts))
			p.consts = append(p.consts, uint64(ins.Constant))
		}
		p.code[i] = c
	}
	p.code[len(p.insns)] = inst{op: opFellOff}
	for i := len(p.insns) - 1; i >= 0; i-- {
		ins := p.insns[i]
		if ins.IsJump() || ins.IsLocalCall() || ins.OpCode == isa.OpExit {
			p.code[i].cost = 1
		} else {
			p.code[i].cost = 1 + p.code[i+1].cost
		}
	}
	p.window, p.writesStack = stackWindow(p.code, p.insns) // before fusion: fused instructions have a third register
	if fused {
		fuse(p.code)
	}
	return nil
}

// decodeInsn translates one valid instruction into its internal form.
// Jump targets and helper indexes are filled in by predecode.
func decodeInsn(ins isa.Instruction) (inst, error) {
	c := inst{imm: ins.Imm32(), off: int32(ins.Offset), dst: uint8(ins.Dst), src: uint8(ins.Src)}
	op := ins.OpCode
	x := op&isa.SrcX != 0
	code := op & 0xf0
	switch cls := ins.Class(); cls {
	case isa.ClassALU, isa.ClassALU64:
		is64 := cls == isa.ClassALU64
		w := 1 // index into the [64, 32] tables
		if is64 {
			w = 0
		}
		k := uint8(0)
		if !x {
			k = 1
			if !is64 {
				c.imm = int32(uint32(c.imm))
			}
		}
		switch code {
		case isa.ALUDiv, isa.ALUMod:
			return decodeDivMod(c, code == isa.ALUDiv, ins.Offset == 1, is64, x), nil
		case isa.ALUNeg:
			c.op = opNeg32
			if is64 {
				c.op = opNeg64
			}
			return c, nil
		case isa.ALUEnd:
			return decodeEnd(c, is64, x), nil
		case isa.ALUMov:
			if x && ins.Offset != 0 {
				switch {
				case is64 && ins.Offset == 8:
					c.op = opMovsx64B
				case is64 && ins.Offset == 16:
					c.op = opMovsx64H
				case is64:
					c.op = opMovsx64W
				case ins.Offset == 8:
					c.op = opMovsx32B
				default:
					c.op = opMovsx32H
				}
				return c, nil
			}
		case isa.ALULsh, isa.ALURsh, isa.ALUArsh:
			if !x {
				if is64 {
					c.imm &= 63
				} else {
					c.imm &= 31
				}
			}
		}
		c.op = aluOps[code][w] + k
		return c, nil
	case isa.ClassJMP, isa.ClassJMP32:
		is64 := cls == isa.ClassJMP
		switch code {
		case isa.JmpJA:
			c.op = opJa
			return c, nil
		case isa.JmpExit:
			c.op = opExit
			return c, nil
		case isa.JmpCall:
			switch {
			case x:
				c.op = opCallX
			case ins.IsLocalCall():
				c.op = opCallLocal
			case ins.IsHelperCall():
				c.op = opCall
			default:
				return c, fmt.Errorf("%w: kfunc calls (call with src %d) need kernel functions, which this VM does not have", ErrUnsupported, ins.Src)
			}
			return c, nil
		}
		w := 1
		if is64 {
			w = 0
		}
		c.op = jmpOps[code][w]
		if !x {
			c.op++
		}
		return c, nil
	case isa.ClassLD:
		if op == isa.OpLDDW {
			if ins.Src != isa.PseudoImm {
				return c, fmt.Errorf("%w: lddw with pseudo source %d needs maps or kernel objects, which this VM does not have yet", ErrUnsupported, ins.Src)
			}
			c.op = opLddw
			return c, nil
		}
		return c, fmt.Errorf("%w: legacy packet load (LD_ABS/LD_IND) needs a packet context, which the raw program type does not have", ErrUnsupported)
	case isa.ClassLDX:
		size := op & 0x18
		if op&0xe0 == isa.ModeMEMSX {
			c.op = map[uint8]uint8{isa.SizeB: opLdxSB, isa.SizeH: opLdxSH, isa.SizeW: opLdxSW}[size]
		} else {
			c.op = map[uint8]uint8{isa.SizeB: opLdxB, isa.SizeH: opLdxH, isa.SizeW: opLdxW, isa.SizeDW: opLdxDW}[size]
		}
		return c, nil
	case isa.ClassST:
		c.op = map[uint8]uint8{isa.SizeB: opStB, isa.SizeH: opStH, isa.SizeW: opStW, isa.SizeDW: opStDW}[op&0x18]
		return c, nil
	case isa.ClassSTX:
		if op&0xe0 == isa.ModeATOMIC {
			c.op = atomicOps[ins.Constant]
			if op&0x18 == isa.SizeDW {
				c.op += opAtomicAdd64 - opAtomicAdd32
			}
			return c, nil
		}
		c.op = map[uint8]uint8{isa.SizeB: opStxB, isa.SizeH: opStxH, isa.SizeW: opStxW, isa.SizeDW: opStxDW}[op&0x18]
		return c, nil
	}
	return c, fmt.Errorf("%w: opcode %#02x", ErrUnsupported, op)
}

// decodeDivMod picks the internal opcode of a division or modulo. A
// constant divisor of 0 or (signed) -1 becomes the kernel's result
// directly, so the K forms never see those divisors at run time.
func decodeDivMod(c inst, div, signed, is64, x bool) inst {
	if !x {
		d := c.imm // already truncated to 32 bits for ALU32
		minus1 := (is64 && d == -1) || (!is64 && uint32(d) == 0xffffffff)
		switch {
		case d == 0 && div: // dst = 0
			c.op, c.imm = opMov64K, 0
			return c
		case d == 0: // dst unchanged (zero-extended for 32 bits)
			c.op, c.src = opNop, 0
			if !is64 {
				c.op, c.src = opMov32X, c.dst
			}
			return c
		case signed && minus1 && div: // dst = -dst (INT_MIN stays INT_MIN)
			c.op = opNeg32
			if is64 {
				c.op = opNeg64
			}
			return c
		case signed && minus1: // remainder 0
			c.op, c.imm = opMov64K, 0
			return c
		}
	}
	var op uint8
	switch {
	case div && !signed:
		op = opDiv64X
	case div:
		op = opSdiv64X
	case !signed:
		op = opMod64X
	default:
		op = opSmod64X
	}
	if !is64 {
		op += opDiv32X - opDiv64X
	}
	if !x {
		op++
	}
	c.op = op
	return c
}

// decodeEnd picks the byte-swap opcode: ALU64 is bswap, ALU is to-LE (K)
// or to-BE (X). On this little-endian host to-LE only truncates.
func decodeEnd(c inst, is64, toBE bool) inst {
	switch {
	case is64:
		c.op = map[int32]uint8{16: opBswap16, 32: opBswap32, 64: opBswap64}[c.imm]
	case toBE:
		c.op = map[int32]uint8{16: opBe16, 32: opBe32, 64: opBe64}[c.imm]
	default:
		c.op = map[int32]uint8{16: opLe16, 32: opLe32, 64: opNop}[c.imm]
	}
	c.src = 0
	return c
}
