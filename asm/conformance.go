package asm

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gbpf/gbpf/isa"
)

// conformanceALU maps ALU mnemonics (without the "32" suffix) to operation
// codes and offsets (1 for sdiv/smod).
var conformanceALU = map[string]struct {
	code uint8
	off  int16
}{
	"add": {isa.ALUAdd, 0}, "sub": {isa.ALUSub, 0}, "mul": {isa.ALUMul, 0}, "div": {isa.ALUDiv, 0},
	"sdiv": {isa.ALUDiv, 1}, "or": {isa.ALUOr, 0}, "and": {isa.ALUAnd, 0}, "lsh": {isa.ALULsh, 0},
	"rsh": {isa.ALURsh, 0}, "mod": {isa.ALUMod, 0}, "smod": {isa.ALUMod, 1}, "xor": {isa.ALUXor, 0},
	"mov": {isa.ALUMov, 0}, "arsh": {isa.ALUArsh, 0},
}

var conformanceALUNames = [16]string{"add", "sub", "mul", "div", "or", "and", "lsh", "rsh", "neg", "mod", "xor", "mov", "arsh"}

var conformanceJump = map[string]uint8{
	"jeq": isa.JmpJEQ, "jgt": isa.JmpJGT, "jge": isa.JmpJGE, "jset": isa.JmpJSET, "jne": isa.JmpJNE,
	"jsgt": isa.JmpJSGT, "jsge": isa.JmpJSGE, "jlt": isa.JmpJLT, "jle": isa.JmpJLE, "jslt": isa.JmpJSLT, "jsle": isa.JmpJSLE,
}

var conformanceJumpNames = [16]string{"ja", "jeq", "jgt", "jge", "jset", "jne", "jsgt", "jsge", "", "", "jlt", "jle", "jslt", "jsle"}

var conformanceSize = map[string]uint8{"b": isa.SizeB, "h": isa.SizeH, "w": isa.SizeW, "dw": isa.SizeDW}

var conformanceSizeNames = [4]string{"w", "h", "b", "dw"}

var conformanceAtomic = map[string]int64{
	"add": isa.AtomicAdd, "or": isa.AtomicOr, "and": isa.AtomicAnd, "xor": isa.AtomicXor,
	"xchg": isa.AtomicXchg, "cmpxchg": isa.AtomicCmpXchg,
}

// conformanceStatement parses one instruction of the bpf_conformance
// syntax.
func (p *parser) conformanceStatement() (stmt, error) {
	mt := p.next()
	if mt.kind != tIdent {
		return stmt{}, p.errorf(mt, "expected a mnemonic, found %s", mt.describe())
	}
	m := mt.text
	base, is32 := strings.CutSuffix(m, "32")
	cls, jcls := uint8(isa.ClassALU64), uint8(isa.ClassJMP)
	if is32 {
		cls, jcls = uint8(isa.ClassALU), uint8(isa.ClassJMP32)
	}
	switch {
	case m == "exit":
		return stmt{ins: isa.Instruction{OpCode: isa.OpExit}}, nil
	case m == "call":
		return p.conformanceCall()
	case m == "callx":
		r, _, err := p.register(true)
		return stmt{ins: isa.Instruction{OpCode: isa.OpCallX, Dst: r}}, err
	case m == "ja" || m == "ja32":
		st := stmt{ins: isa.Instruction{OpCode: isa.OpJA}}
		if is32 {
			st.ins.OpCode = isa.OpJA32
		}
		return st, p.conformanceTarget(&st)
	case m == "lock":
		return p.conformanceAtomic()
	case m == "lddw":
		return p.conformanceLDDW()
	case m == "neg" || m == "neg32":
		r, _, err := p.register(true)
		return stmt{ins: isa.Instruction{OpCode: cls | isa.ALUNeg, Dst: r}}, err
	}
	if _, ok := conformanceJump[base]; ok {
		return p.conformanceCond(jcls | conformanceJump[base])
	}
	if alu, ok := conformanceALU[base]; ok {
		dst, err := p.regComma()
		if err != nil {
			return stmt{}, err
		}
		ins := isa.Instruction{Dst: dst, Offset: alu.off}
		if isRegister(p.peek(), true) {
			ins.Src, _, _ = p.register(true)
			ins.OpCode = cls | alu.code | isa.SrcX
			return stmt{ins: ins}, nil
		}
		ins.OpCode = cls | alu.code | isa.SrcK
		ins.Constant, err = p.imm32("register or immediate")
		return stmt{ins: ins}, err
	}
	if rest, ok := strings.CutPrefix(m, "movsx"); ok {
		// movsx{8,16,32}{32,64}: source width then destination width.
		var off int16
		var c uint8
		switch rest {
		case "832":
			off, c = 8, uint8(isa.ClassALU)
		case "1632":
			off, c = 16, uint8(isa.ClassALU)
		case "864":
			off, c = 8, uint8(isa.ClassALU64)
		case "1664":
			off, c = 16, uint8(isa.ClassALU64)
		case "3264":
			off, c = 32, uint8(isa.ClassALU64)
		default:
			return stmt{}, p.errorf(mt, "expected movsx832, movsx1632, movsx864, movsx1664 or movsx3264, found %s", mt.describe())
		}
		dst, err := p.regComma()
		if err != nil {
			return stmt{}, err
		}
		src, _, err := p.register(true)
		return stmt{ins: isa.Instruction{OpCode: c | isa.ALUMov | isa.SrcX, Dst: dst, Src: src, Offset: off}}, err
	}
	if bits, kind, ok := endianName(m); ok || strings.HasPrefix(m, "swap") {
		if !ok {
			// "swap16" is an alias of "bswap16".
			if bits, kind, ok = endianName("b" + m); !ok {
				return stmt{}, p.errorf(mt, "expected swap16, swap32 or swap64, found %s", mt.describe())
			}
		}
		r, _, err := p.register(true)
		var op uint8
		switch kind {
		case "le":
			op = uint8(isa.ClassALU) | isa.ALUEnd | isa.EndToLE
		case "be":
			op = uint8(isa.ClassALU) | isa.ALUEnd | isa.EndToBE
		default:
			op = uint8(isa.ClassALU64) | isa.ALUEnd
		}
		return stmt{ins: isa.Instruction{OpCode: op, Dst: r, Constant: bits}}, err
	}
	if rest, ok := strings.CutPrefix(m, "ldabs"); ok {
		size, ok := conformanceSize[rest]
		if !ok || size == isa.SizeDW {
			return stmt{}, p.errorf(mt, "expected ldabsb, ldabsh or ldabsw, found %s", mt.describe())
		}
		imm, err := p.imm32("offset")
		return stmt{ins: isa.Instruction{OpCode: uint8(isa.ClassLD) | isa.ModeABS | size, Constant: imm}}, err
	}
	if rest, ok := strings.CutPrefix(m, "ldind"); ok {
		size, ok := conformanceSize[rest]
		if !ok || size == isa.SizeDW {
			return stmt{}, p.errorf(mt, "expected ldindb, ldindh or ldindw, found %s", mt.describe())
		}
		src, err := p.regComma()
		if err != nil {
			return stmt{}, err
		}
		imm, err := p.imm32("offset")
		return stmt{ins: isa.Instruction{OpCode: uint8(isa.ClassLD) | isa.ModeIND | size, Src: src, Constant: imm}}, err
	}
	if rest, ok := strings.CutPrefix(m, "ldx"); ok {
		mode := isa.ModeMEM
		if r2, ok := strings.CutPrefix(rest, "s"); ok && r2 != "" && r2 != "dw" {
			mode, rest = isa.ModeMEMSX, r2
		}
		size, ok := conformanceSize[rest]
		if !ok {
			return stmt{}, p.errorf(mt, "expected ldxb, ldxh, ldxw, ldxdw, ldxsb, ldxsh or ldxsw, found %s", mt.describe())
		}
		dst, err := p.regComma()
		if err != nil {
			return stmt{}, err
		}
		src, off, err := p.conformanceMemory()
		return stmt{ins: isa.Instruction{OpCode: uint8(isa.ClassLDX) | mode | size, Dst: dst, Src: src, Offset: off}}, err
	}
	if rest, ok := strings.CutPrefix(m, "st"); ok {
		cl := uint8(isa.ClassST)
		if r2, ok := strings.CutPrefix(rest, "x"); ok {
			cl, rest = uint8(isa.ClassSTX), r2
		}
		if size, ok := conformanceSize[rest]; ok {
			dst, off, err := p.conformanceMemory()
			if err != nil {
				return stmt{}, err
			}
			if err := p.expect(","); err != nil {
				return stmt{}, err
			}
			ins := isa.Instruction{OpCode: cl | isa.ModeMEM | size, Dst: dst, Offset: off}
			if cl == uint8(isa.ClassSTX) {
				ins.Src, _, err = p.register(true)
			} else {
				ins.Constant, err = p.imm32("immediate")
			}
			return stmt{ins: ins}, err
		}
	}
	return stmt{}, p.errorf(mt, "expected a mnemonic (mov, add, ldxw, stxdw, jeq, ja, call, exit, ...), found %s", mt.describe())
}

// regComma parses "%rN,".
func (p *parser) regComma() (isa.Register, error) {
	r, _, err := p.register(true)
	if err != nil {
		return 0, err
	}
	return r, p.expect(",")
}

// conformanceMemory parses "[%r1]", "[%r1+8]", "[%r1-8]".
func (p *parser) conformanceMemory() (isa.Register, int16, error) {
	if err := p.expect("["); err != nil {
		return 0, 0, err
	}
	r, _, err := p.register(true)
	if err != nil {
		return 0, 0, err
	}
	var off int16
	if t := p.peek(); t.text == "+" || t.text == "-" {
		if off, err = p.off16("offset"); err != nil {
			return 0, 0, err
		}
	}
	return r, off, p.expect("]")
}

func (p *parser) conformanceTarget(st *stmt) error {
	off, label, lt, err := p.jumpTarget(false)
	if err != nil {
		return err
	}
	switch {
	case label != "":
		st.label, st.col = label, lt.col
		if st.ins.OpCode == isa.OpJA32 || st.ins.OpCode == isa.OpCall {
			st.fix = fixImm
		} else {
			st.fix = fixOffset
		}
	case st.ins.OpCode == isa.OpJA32 || st.ins.OpCode == isa.OpCall:
		st.ins.Constant = off
	default:
		if off < -32768 || off > 32767 {
			return p.errorf(lt, "jump offset %d does not fit in 16 bits (use ja32)", off)
		}
		st.ins.Offset = int16(off)
	}
	return nil
}

func (p *parser) conformanceCond(op uint8) (stmt, error) {
	dst, err := p.regComma()
	if err != nil {
		return stmt{}, err
	}
	st := stmt{ins: isa.Instruction{Dst: dst}}
	if isRegister(p.peek(), true) {
		st.ins.Src, _, _ = p.register(true)
		st.ins.OpCode = op | isa.SrcX
	} else {
		if st.ins.Constant, err = p.imm32("register or immediate"); err != nil {
			return stmt{}, err
		}
		st.ins.OpCode = op | isa.SrcK
	}
	if err := p.expect(","); err != nil {
		return stmt{}, err
	}
	return st, p.conformanceTarget(&st)
}

// conformanceCall parses "call 5", "call local LABEL", "call local +3",
// "call kfunc 5" and "call %r2" (callx).
func (p *parser) conformanceCall() (stmt, error) {
	t := p.peek()
	switch {
	case isRegister(t, true):
		r, _, _ := p.register(true)
		return stmt{ins: isa.Instruction{OpCode: isa.OpCallX, Dst: r}}, nil
	case t.kind == tIdent && t.text == "local":
		p.next()
		st := stmt{ins: isa.Instruction{OpCode: isa.OpCall, Src: isa.PseudoCallLocal}}
		return st, p.conformanceTarget(&st)
	case t.kind == tIdent && t.text == "kfunc":
		p.next()
		imm, err := p.imm32("kfunc BTF id")
		return stmt{ins: isa.Instruction{OpCode: isa.OpCall, Src: isa.PseudoCallKfunc, Constant: imm}}, err
	}
	imm, err := p.imm32("helper id, local TARGET, kfunc ID or register")
	return stmt{ins: isa.Instruction{OpCode: isa.OpCall, Constant: imm}}, err
}

// conformanceAtomic parses what follows "lock": "[fetch] OP[32] [%rD+off], %rS".
func (p *parser) conformanceAtomic() (stmt, error) {
	fetch := p.accept("fetch")
	t := p.next()
	base, is32 := strings.CutSuffix(t.text, "32")
	op, ok := conformanceAtomic[base]
	if t.kind != tIdent || !ok || fetch && (op == isa.AtomicXchg || op == isa.AtomicCmpXchg) {
		return stmt{}, p.errorf(t, "expected an atomic operation (add, or, and, xor, fetch OP, xchg, cmpxchg, with 32 for 32 bits), found %s", t.describe())
	}
	if fetch {
		op |= isa.AtomicFetch
	}
	size := isa.SizeDW
	if is32 {
		size = isa.SizeW
	}
	dst, off, err := p.conformanceMemory()
	if err != nil {
		return stmt{}, err
	}
	if err := p.expect(","); err != nil {
		return stmt{}, err
	}
	src, _, err := p.register(true)
	return stmt{ins: isa.Instruction{OpCode: uint8(isa.ClassSTX) | isa.ModeATOMIC | size, Dst: dst, Src: src, Offset: off, Constant: op}}, err
}

func (p *parser) conformanceLDDW() (stmt, error) {
	dst, err := p.regComma()
	if err != nil {
		return stmt{}, err
	}
	if t := p.peek(); t.kind == tIdent && isPseudoLoadName(t.text) {
		p.next()
		src, c, err := p.pseudoLoad(t)
		return stmt{ins: isa.Instruction{OpCode: isa.OpLDDW, Dst: dst, Src: src, Constant: c}}, err
	}
	n, err := p.parseNumber("64-bit immediate")
	return stmt{ins: isa.Instruction{OpCode: isa.OpLDDW, Dst: dst, Constant: n.value()}}, err
}

func conformanceMem(r isa.Register, off int16) string {
	switch {
	case off == 0:
		return fmt.Sprintf("[%%r%d]", r)
	case off < 0:
		return fmt.Sprintf("[%%r%d%d]", r, off)
	}
	return fmt.Sprintf("[%%r%d+%d]", r, off)
}

// formatConformance prints one instruction in the bpf_conformance syntax.
func formatConformance(ins isa.Instruction) string {
	if ins.Validate() != nil {
		return fmt.Sprintf("<invalid %#02x>", ins.OpCode)
	}
	op := ins.OpCode
	code := op & 0xf0
	imm := strconv.FormatInt(ins.Constant, 10)
	switch ins.Class() {
	case isa.ClassALU, isa.ClassALU64:
		sfx := ""
		if ins.Class() == isa.ClassALU {
			sfx = "32"
		}
		switch code {
		case isa.ALUNeg:
			return fmt.Sprintf("neg%s %%r%d", sfx, ins.Dst)
		case isa.ALUEnd:
			kind := "le"
			if sfx == "" {
				kind = "bswap"
			} else if op&isa.SrcX == isa.EndToBE {
				kind = "be"
			}
			return fmt.Sprintf("%s%d %%r%d", kind, ins.Constant, ins.Dst)
		}
		name := conformanceALUNames[code>>4]
		if ins.Offset == 1 && (code == isa.ALUDiv || code == isa.ALUMod) {
			name = "s" + name
		}
		if op&isa.SrcX == isa.SrcK {
			return fmt.Sprintf("%s%s %%r%d, %s", name, sfx, ins.Dst, imm)
		}
		if code == isa.ALUMov && ins.Offset != 0 {
			to := "64"
			if sfx != "" {
				to = "32"
			}
			return fmt.Sprintf("movsx%d%s %%r%d, %%r%d", ins.Offset, to, ins.Dst, ins.Src)
		}
		return fmt.Sprintf("%s%s %%r%d, %%r%d", name, sfx, ins.Dst, ins.Src)
	case isa.ClassJMP, isa.ClassJMP32:
		switch {
		case op == isa.OpExit:
			return "exit"
		case op == isa.OpCallX:
			return fmt.Sprintf("call %%r%d", ins.Dst)
		case op == isa.OpCall:
			switch ins.Src {
			case isa.PseudoCallLocal:
				return fmt.Sprintf("call local %+d", ins.Constant)
			case isa.PseudoCallKfunc:
				return "call kfunc " + imm
			}
			return "call " + imm
		case op == isa.OpJA:
			return fmt.Sprintf("ja %+d", ins.Offset)
		case op == isa.OpJA32:
			return fmt.Sprintf("ja32 %+d", ins.Constant)
		}
		sfx := ""
		if ins.Class() == isa.ClassJMP32 {
			sfx = "32"
		}
		rhs := imm
		if op&isa.SrcX != 0 {
			rhs = fmt.Sprintf("%%r%d", ins.Src)
		}
		return fmt.Sprintf("%s%s %%r%d, %s, %+d", conformanceJumpNames[code>>4], sfx, ins.Dst, rhs, ins.Offset)
	case isa.ClassLDX:
		s := ""
		if op&0xe0 == isa.ModeMEMSX {
			s = "s"
		}
		return fmt.Sprintf("ldx%s%s %%r%d, %s", s, conformanceSizeNames[op&0x18>>3], ins.Dst, conformanceMem(ins.Src, ins.Offset))
	case isa.ClassST:
		return fmt.Sprintf("st%s %s, %s", conformanceSizeNames[op&0x18>>3], conformanceMem(ins.Dst, ins.Offset), imm)
	case isa.ClassSTX:
		if op&0xe0 == isa.ModeMEM {
			return fmt.Sprintf("stx%s %s, %%r%d", conformanceSizeNames[op&0x18>>3], conformanceMem(ins.Dst, ins.Offset), ins.Src)
		}
		sfx := ""
		if op&0x18 == isa.SizeW {
			sfx = "32"
		}
		var name string
		switch ins.Constant {
		case isa.AtomicXchg:
			name = "xchg"
		case isa.AtomicCmpXchg:
			name = "cmpxchg"
		default:
			name = atomicOpNames[ins.Constant&^isa.AtomicFetch]
			if ins.Constant&isa.AtomicFetch != 0 {
				name = "fetch " + name
			}
		}
		return fmt.Sprintf("lock %s%s %s, %%r%d", name, sfx, conformanceMem(ins.Dst, ins.Offset), ins.Src)
	}
	if op == isa.OpLDDW {
		if ins.Src == isa.PseudoImm {
			return fmt.Sprintf("lddw %%r%d, %#x", ins.Dst, uint64(ins.Constant))
		}
		return fmt.Sprintf("lddw %%r%d, %s", ins.Dst, isa.PseudoLoadOperand(ins))
	}
	size := conformanceSizeNames[op&0x18>>3]
	if op&0xe0 == isa.ModeABS {
		return fmt.Sprintf("ldabs%s %s", size, imm)
	}
	return fmt.Sprintf("ldind%s %%r%d, %s", size, ins.Src, imm)
}
