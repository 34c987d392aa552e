package asm

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/gbpf/gbpf/isa"
)

// kernelALU maps the kernel syntax's assignment operators to ALU
// operation codes; signed division and modulo set offset 1.
var kernelALU = map[string]struct {
	code   uint8
	signed bool
}{
	"+=": {isa.ALUAdd, false}, "-=": {isa.ALUSub, false}, "*=": {isa.ALUMul, false},
	"/=": {isa.ALUDiv, false}, "s/=": {isa.ALUDiv, true}, "|=": {isa.ALUOr, false},
	"&=": {isa.ALUAnd, false}, "<<=": {isa.ALULsh, false}, ">>=": {isa.ALURsh, false},
	"%=": {isa.ALUMod, false}, "s%=": {isa.ALUMod, true}, "^=": {isa.ALUXor, false},
	"s>>=": {isa.ALUArsh, false},
}

var kernelALUNames = [16]string{"+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "", "%=", "^=", "=", "s>>="}

// kernelJump maps comparison operators to jump operation codes.
var kernelJump = map[string]uint8{
	"==": isa.JmpJEQ, ">": isa.JmpJGT, ">=": isa.JmpJGE, "&": isa.JmpJSET, "!=": isa.JmpJNE,
	"s>": isa.JmpJSGT, "s>=": isa.JmpJSGE, "<": isa.JmpJLT, "<=": isa.JmpJLE, "s<": isa.JmpJSLT, "s<=": isa.JmpJSLE,
}

var kernelJumpNames = [16]string{"", "==", ">", ">=", "&", "!=", "s>", "s>=", "", "", "<", "<=", "s<", "s<="}

// kernelAtomic maps the atomic assignment operators of "lock" statements.
var kernelAtomic = map[string]int64{"+=": isa.AtomicAdd, "|=": isa.AtomicOr, "&=": isa.AtomicAnd, "^=": isa.AtomicXor}

var atomicOpNames = map[int64]string{isa.AtomicAdd: "add", isa.AtomicOr: "or", isa.AtomicAnd: "and", isa.AtomicXor: "xor"}

var sizeByName = map[string]uint8{"u8": isa.SizeB, "u16": isa.SizeH, "u32": isa.SizeW, "u64": isa.SizeDW}

var sizeNames = [4]string{"32", "16", "8", "64"}

// kernelStatement parses one instruction of the kernel syntax.
func (p *parser) kernelStatement() (stmt, error) {
	first := p.peek()
	switch first.text {
	case "exit":
		p.next()
		return stmt{ins: isa.Instruction{OpCode: isa.OpExit}}, nil
	case "call":
		p.next()
		return p.kernelCall()
	case "callx":
		p.next()
		r, _, err := p.register(false)
		return stmt{ins: isa.Instruction{OpCode: isa.OpCallX, Dst: r}}, err
	case "goto", "gotol":
		p.next()
		var st stmt
		if first.text == "goto" {
			st.ins.OpCode = isa.OpJA
		} else {
			st.ins.OpCode = isa.OpJA32
		}
		return st, p.kernelTarget(&st)
	case "if":
		p.next()
		return p.kernelCond()
	case "lock":
		p.next()
		return p.kernelLock()
	case "ld_pseudo":
		p.next()
		return p.kernelPseudo()
	case "*":
		return p.kernelStore()
	}
	if first.kind != tIdent || !isRegister(first, false) {
		return stmt{}, p.errorf(first, "expected an instruction (register, \"*\", if, goto, gotol, call, callx, lock, exit), found %s", first.describe())
	}
	dst, w, _ := p.register(false)
	cls := uint8(isa.ClassALU64)
	if w {
		cls = uint8(isa.ClassALU)
	}
	opTok := p.next()
	if opTok.text == "=" {
		return p.kernelAssign(dst, w)
	}
	alu, ok := kernelALU[opTok.text]
	if !ok {
		return stmt{}, p.errorf(opTok, "expected an assignment operator (=, +=, -=, *=, /=, s/=, %%=, s%%=, |=, &=, ^=, <<=, >>=, s>>=), found %s", opTok.describe())
	}
	ins := isa.Instruction{Dst: dst}
	if alu.signed {
		ins.Offset = 1
	}
	if isRegister(p.peek(), false) {
		if err := p.sameWidth(w); err != nil {
			return stmt{}, err
		}
		ins.Src, _, _ = p.register(false)
		ins.OpCode = cls | alu.code | isa.SrcX
		return stmt{ins: ins}, nil
	}
	imm, err := p.imm32("register or immediate")
	ins.OpCode = cls | alu.code | isa.SrcK
	ins.Constant = imm
	return stmt{ins: ins}, err
}

// sameWidth checks that the register at the cursor is a w register iff w.
func (p *parser) sameWidth(w bool) error {
	t := p.peek()
	_, w2, _ := parseRegister(t.text)
	if w2 != w {
		if w {
			return p.errorf(t, "expected a w register in a 32-bit operation, found %s", t.describe())
		}
		return p.errorf(t, "expected an r register in a 64-bit operation, found %s", t.describe())
	}
	return nil
}

// kernelTarget parses a jump target and a trailing llvm-objdump
// annotation ("<prog+0x58>"), which it ignores.
func (p *parser) kernelTarget(st *stmt) error {
	off, label, lt, err := p.jumpTarget(true)
	if err != nil {
		return err
	}
	if label != "" {
		st.label, st.col = label, lt.col
		if st.ins.OpCode == isa.OpJA32 {
			st.fix = fixImm
		} else {
			st.fix = fixOffset
		}
	} else if st.ins.OpCode == isa.OpJA32 {
		st.ins.Constant = off
	} else {
		if off < -32768 || off > 32767 {
			return p.errorf(lt, "jump offset %d does not fit in 16 bits (use gotol)", off)
		}
		st.ins.Offset = int16(off)
	}
	if p.accept("<") {
		for !p.atEnd() && p.peek().text != ">" {
			p.next()
		}
		return p.expect(">")
	}
	return nil
}

func (p *parser) kernelCall() (stmt, error) {
	t := p.peek()
	switch {
	case t.kind == tIdent && t.text == "pc":
		off, _, _, err := p.jumpTarget(true)
		return stmt{ins: isa.Instruction{OpCode: isa.OpCall, Src: isa.PseudoCallLocal, Constant: off}}, err
	case t.kind == tIdent && t.text == "kernel" && p.peekAt(1).text == "-" && p.peekAt(2).text == "function":
		p.pos += 3
		if err := p.expect("#"); err != nil {
			return stmt{}, err
		}
		imm, err := p.imm32("kfunc BTF id")
		return stmt{ins: isa.Instruction{OpCode: isa.OpCall, Src: isa.PseudoCallKfunc, Constant: imm}}, err
	case t.kind == tIdent && p.peekAt(1).text == "#":
		// The verifier log's "call bpf_map_lookup_elem#1": the id counts.
		p.pos += 2
		imm, err := p.imm32("helper id")
		return stmt{ins: isa.Instruction{OpCode: isa.OpCall, Constant: imm}}, err
	case t.kind == tIdent && isLabelName(t.text):
		p.next()
		return stmt{ins: isa.Instruction{OpCode: isa.OpCall, Src: isa.PseudoCallLocal}, fix: fixImm, label: t.text, col: t.col}, nil
	}
	imm, err := p.imm32("helper id, pc+OFFSET, kernel-function#ID or function label")
	return stmt{ins: isa.Instruction{OpCode: isa.OpCall, Constant: imm}}, err
}

func (p *parser) kernelCond() (stmt, error) {
	dst, w, err := p.register(false)
	if err != nil {
		return stmt{}, err
	}
	cls := uint8(isa.ClassJMP)
	if w {
		cls = uint8(isa.ClassJMP32)
	}
	opTok := p.next()
	code, ok := kernelJump[opTok.text]
	if !ok {
		return stmt{}, p.errorf(opTok, "expected a comparison (==, !=, >, >=, <, <=, s>, s>=, s<, s<=, &), found %s", opTok.describe())
	}
	st := stmt{ins: isa.Instruction{Dst: dst}}
	if isRegister(p.peek(), false) {
		if err := p.sameWidth(w); err != nil {
			return stmt{}, err
		}
		st.ins.Src, _, _ = p.register(false)
		st.ins.OpCode = cls | code | isa.SrcX
	} else {
		if st.ins.Constant, err = p.imm32("register or immediate"); err != nil {
			return stmt{}, err
		}
		st.ins.OpCode = cls | code | isa.SrcK
	}
	if err := p.expect("goto"); err != nil {
		return stmt{}, err
	}
	return st, p.kernelTarget(&st)
}

// sizeCast parses "(u32 *)" (after the "*" of a dereference, or inside an
// atomic call) and returns the size code and whether it was signed.
func (p *parser) sizeCast() (uint8, bool, error) {
	if err := p.expect("("); err != nil {
		return 0, false, err
	}
	t := p.next()
	size, ok := sizeByName[t.text]
	signed := false
	if !ok && len(t.text) > 1 && t.text[0] == 's' {
		size, ok = sizeByName["u"+t.text[1:]]
		signed = ok && t.text != "s64"
	}
	if !ok {
		return 0, false, p.errorf(t, "expected a type u8, u16, u32, u64, s8, s16 or s32, found %s", t.describe())
	}
	if err := p.expect("*"); err != nil {
		return 0, false, err
	}
	return size, signed, p.expect(")")
}

// address parses "r1 + 0x8", "r10 -8" or "r1" (without parentheses).
func (p *parser) address() (isa.Register, int16, error) {
	r, w, err := p.register(false)
	if err != nil {
		return 0, 0, err
	}
	if w {
		return 0, 0, p.errorf(p.toks[p.pos-1], "expected an r register as address, found %s", p.toks[p.pos-1].describe())
	}
	var off int16
	if t := p.peek(); t.text == "+" || t.text == "-" {
		off, err = p.off16("offset")
	}
	return r, off, err
}

// memory parses "(r1 + 0x8)".
func (p *parser) memory() (isa.Register, int16, error) {
	if err := p.expect("("); err != nil {
		return 0, 0, err
	}
	r, off, err := p.address()
	if err != nil {
		return 0, 0, err
	}
	return r, off, p.expect(")")
}

func (p *parser) kernelStore() (stmt, error) {
	p.next() // "*"
	size, signed, err := p.sizeCast()
	if err != nil {
		return stmt{}, err
	}
	if signed {
		return stmt{}, p.errorf(p.toks[p.pos-3], "expected an unsigned type in a store, found %s", p.toks[p.pos-3].describe())
	}
	dst, off, err := p.memory()
	if err != nil {
		return stmt{}, err
	}
	if err := p.expect("="); err != nil {
		return stmt{}, err
	}
	ins := isa.Instruction{Dst: dst, Offset: off}
	if isRegister(p.peek(), false) {
		ins.Src, _, _ = p.register(false)
		ins.OpCode = uint8(isa.ClassSTX) | isa.ModeMEM | size
		return stmt{ins: ins}, nil
	}
	ins.OpCode = uint8(isa.ClassST) | isa.ModeMEM | size
	ins.Constant, err = p.imm32("register or immediate")
	return stmt{ins: ins}, err
}

func (p *parser) kernelLock() (stmt, error) {
	if err := p.expect("*"); err != nil {
		return stmt{}, err
	}
	sizeTok := p.peekAt(1)
	size, signed, err := p.sizeCast()
	if err != nil {
		return stmt{}, err
	}
	if signed || size != isa.SizeW && size != isa.SizeDW {
		return stmt{}, p.errorf(sizeTok, "expected u32 or u64 in an atomic operation, found %s", sizeTok.describe())
	}
	dst, off, err := p.memory()
	if err != nil {
		return stmt{}, err
	}
	opTok := p.next()
	op, ok := kernelAtomic[opTok.text]
	if !ok {
		return stmt{}, p.errorf(opTok, "expected +=, |=, &= or ^=, found %s", opTok.describe())
	}
	src, _, err := p.register(false)
	return stmt{ins: isa.Instruction{OpCode: uint8(isa.ClassSTX) | isa.ModeATOMIC | size, Dst: dst, Src: src, Offset: off, Constant: op}}, err
}

func (p *parser) kernelPseudo() (stmt, error) {
	dst, w, err := p.register(false)
	if err != nil {
		return stmt{}, err
	}
	if w {
		return stmt{}, p.errorf(p.toks[p.pos-1], "expected an r register, found %s", p.toks[p.pos-1].describe())
	}
	if err := p.expect(","); err != nil {
		return stmt{}, err
	}
	t := p.peek()
	n, err := p.parseNumber("pseudo source 1..6")
	if err != nil {
		return stmt{}, err
	}
	if n.neg || n.mag > 6 {
		return stmt{}, p.errorf(t, "expected pseudo source 0..6, found %s", numText(n))
	}
	if err := p.expect(","); err != nil {
		return stmt{}, err
	}
	lo, err := p.imm32("immediate")
	if err != nil {
		return stmt{}, err
	}
	var hi int64
	if p.accept(",") {
		if hi, err = p.imm32("second immediate"); err != nil {
			return stmt{}, err
		}
	}
	return stmt{ins: isa.Instruction{OpCode: isa.OpLDDW, Dst: dst, Src: isa.Register(n.mag),
		Constant: int64(uint64(uint32(lo)) | uint64(uint32(hi))<<32)}}, nil
}

// kernelAssign parses what follows "rD =".
func (p *parser) kernelAssign(dst isa.Register, w bool) (stmt, error) {
	cls := uint8(isa.ClassALU64)
	if w {
		cls = uint8(isa.ClassALU)
	}
	t := p.peek()
	r64 := func() error {
		if w {
			return p.errorf(t, "expected an r register on the left of this instruction")
		}
		return nil
	}
	switch {
	case t.text == "*":
		// Load: "*(u32 *)(r1 + 4)" or "*(u8 *)skb[...]".
		p.next()
		sizeTok := p.peekAt(1)
		size, signed, err := p.sizeCast()
		if err != nil {
			return stmt{}, err
		}
		if p.accept("skb") {
			if signed || size == isa.SizeDW || dst != isa.R0 || w {
				return stmt{}, p.errorf(sizeTok, "expected r0 = *(u8|u16|u32 *)skb[...]")
			}
			if err := p.expect("["); err != nil {
				return stmt{}, err
			}
			ins := isa.Instruction{OpCode: uint8(isa.ClassLD) | isa.ModeABS | size}
			if isRegister(p.peek(), false) {
				ins.OpCode = uint8(isa.ClassLD) | isa.ModeIND | size
				ins.Src, _, _ = p.register(false)
				if s := p.peek(); s.text == "+" || s.text == "-" {
					if s.text == "+" && p.peekAt(1).text == "-" {
						p.next() // the verifier log's "skb[r1 + -4]"
					}
					if ins.Constant, err = p.imm32("offset"); err != nil {
						return stmt{}, err
					}
				}
			} else if ins.Constant, err = p.imm32("offset or register"); err != nil {
				return stmt{}, err
			}
			return stmt{ins: ins}, p.expect("]")
		}
		src, off, err := p.memory()
		if err != nil {
			return stmt{}, err
		}
		mode := isa.ModeMEM
		if signed {
			mode = isa.ModeMEMSX
		}
		return stmt{ins: isa.Instruction{OpCode: uint8(isa.ClassLDX) | mode | size, Dst: dst, Src: src, Offset: off}}, nil
	case t.text == "-" && isRegister(p.peekAt(1), false):
		p.next()
		rt := p.peek()
		r, w2, _ := p.register(false)
		if r != dst || w2 != w {
			return stmt{}, p.errorf(rt, "expected the destination register again in a negation, found %s", rt.describe())
		}
		return stmt{ins: isa.Instruction{OpCode: cls | isa.ALUNeg, Dst: dst}}, nil
	case t.text == "(":
		// Sign-extending move: "(s8)r1".
		p.next()
		st := p.next()
		var off int16
		switch st.text {
		case "s8":
			off = 8
		case "s16":
			off = 16
		case "s32":
			off = 32
		default:
			return stmt{}, p.errorf(st, "expected s8, s16 or s32, found %s", st.describe())
		}
		if err := p.expect(")"); err != nil {
			return stmt{}, err
		}
		if err := p.sameWidth(w); err != nil {
			return stmt{}, err
		}
		src, _, err := p.register(false)
		return stmt{ins: isa.Instruction{OpCode: cls | isa.ALUMov | isa.SrcX, Dst: dst, Src: src, Offset: off}}, err
	case isRegister(t, false):
		if err := p.sameWidth(w); err != nil {
			return stmt{}, err
		}
		src, _, _ := p.register(false)
		return stmt{ins: isa.Instruction{OpCode: cls | isa.ALUMov | isa.SrcX, Dst: dst, Src: src}}, nil
	case t.kind == tIdent:
		name := t.text
		if bits, kind, ok := endianName(name); ok {
			p.next()
			rt := p.peek()
			r, _, err := p.register(false)
			if err != nil {
				return stmt{}, err
			}
			if r != dst {
				return stmt{}, p.errorf(rt, "expected the destination register again in a byte swap, found %s", rt.describe())
			}
			var op uint8
			switch kind {
			case "le":
				op = uint8(isa.ClassALU) | isa.ALUEnd | isa.EndToLE
			case "be":
				op = uint8(isa.ClassALU) | isa.ALUEnd | isa.EndToBE
			default:
				op = uint8(isa.ClassALU64) | isa.ALUEnd
			}
			return stmt{ins: isa.Instruction{OpCode: op, Dst: dst, Constant: bits}}, nil
		}
		if isPseudoLoadName(name) {
			if err := r64(); err != nil {
				return stmt{}, err
			}
			p.next()
			src, c, err := p.pseudoLoad(t)
			return stmt{ins: isa.Instruction{OpCode: isa.OpLDDW, Dst: dst, Src: src, Constant: c}}, err
		}
		p.next()
		return p.kernelAtomicCall(t, dst, w)
	}
	// Immediate: mov, or lddw with "ll" or when it needs 64 bits.
	n, err := p.parseNumber("register, immediate or expression")
	if err != nil {
		return stmt{}, err
	}
	if p.accept("ll") {
		if err := r64(); err != nil {
			return stmt{}, err
		}
		return stmt{ins: isa.Instruction{OpCode: isa.OpLDDW, Dst: dst, Constant: n.value()}}, nil
	}
	fits := n.neg && n.mag <= 1<<31 || !n.neg && n.mag <= 1<<32-1
	if !fits {
		if w {
			return stmt{}, p.errorf(n.tok, "immediate %s does not fit in 32 bits", numText(n))
		}
		return stmt{ins: isa.Instruction{OpCode: isa.OpLDDW, Dst: dst, Constant: n.value()}}, nil
	}
	return stmt{ins: isa.Instruction{OpCode: cls | isa.ALUMov | isa.SrcK, Dst: dst, Constant: int64(int32(uint32(n.value())))}}, nil
}

// endianName parses "be16", "le32", "bswap64".
func endianName(s string) (int64, string, bool) {
	for _, kind := range []string{"bswap", "be", "le"} {
		if rest, ok := strings.CutPrefix(s, kind); ok {
			switch rest {
			case "16":
				return 16, kind, true
			case "32":
				return 32, kind, true
			case "64":
				return 64, kind, true
			}
		}
	}
	return 0, "", false
}

// kernelAtomicCall parses the function-call forms of fetching atomics after
// "rD = NAME": llvm's atomic_fetch_add((u64 *)(r1 + 0x0), r0),
// xchg_64(r1 + 0x0, r0), cmpxchg_64(r1 + 0x0, r0, r2) and their 32-bit
// forms, and the verifier log's atomic64_fetch_add((u64 *)(r1 +0), r0),
// atomic64_xchg(...), atomic64_cmpxchg((u64 *)(r1 +0), r0, r2).
func (p *parser) kernelAtomicCall(name token, dst isa.Register, w bool) (stmt, error) {
	var op int64
	var size uint8
	llvmForm := false // register plus offset without a type cast
	s := name.text
	switch {
	case s == "xchg_64" || s == "xchg32_32":
		op, llvmForm = isa.AtomicXchg, true
		size = map[bool]uint8{false: isa.SizeDW, true: isa.SizeW}[s == "xchg32_32"]
	case s == "cmpxchg_64" || s == "cmpxchg32_32":
		op, llvmForm = isa.AtomicCmpXchg, true
		size = map[bool]uint8{false: isa.SizeDW, true: isa.SizeW}[s == "cmpxchg32_32"]
	case s == "atomic_xchg" || s == "atomic64_xchg":
		op = isa.AtomicXchg
	case s == "atomic_cmpxchg" || s == "atomic64_cmpxchg":
		op = isa.AtomicCmpXchg
	case strings.HasPrefix(s, "atomic_fetch_") || strings.HasPrefix(s, "atomic64_fetch_"):
		found := false
		for code, n := range atomicOpNames {
			if strings.HasSuffix(s, "_fetch_"+n) {
				op, found = code|isa.AtomicFetch, true
			}
		}
		if !found {
			return stmt{}, p.errorf(name, "expected atomic_fetch_add, _or, _and or _xor, found %s", name.describe())
		}
	default:
		return stmt{}, p.errorf(name, "expected an immediate, register, byte swap (be16, le32, bswap64) or atomic operation, found %s", name.describe())
	}
	if err := p.expect("("); err != nil {
		return stmt{}, err
	}
	var addr isa.Register
	var off int16
	var err error
	if llvmForm {
		addr, off, err = p.address()
	} else {
		sizeTok := p.peekAt(1)
		var signed bool
		size, signed, err = p.sizeCast()
		if err == nil && (signed || size != isa.SizeW && size != isa.SizeDW) {
			err = p.errorf(sizeTok, "expected u32 or u64 in an atomic operation, found %s", sizeTok.describe())
		}
		if err == nil {
			addr, off, err = p.memory()
		}
	}
	if err != nil {
		return stmt{}, err
	}
	if err := p.expect(","); err != nil {
		return stmt{}, err
	}
	if op == isa.AtomicCmpXchg {
		rt := p.peek()
		r, _, err := p.register(false)
		if err != nil {
			return stmt{}, err
		}
		if r != isa.R0 || dst != isa.R0 {
			return stmt{}, p.errorf(rt, "expected r0 (cmpxchg compares with and loads into r0)")
		}
		if err := p.expect(","); err != nil {
			return stmt{}, err
		}
	}
	rt := p.peek()
	src, _, err := p.register(false)
	if err != nil {
		return stmt{}, err
	}
	if op != isa.AtomicCmpXchg && src != dst {
		return stmt{}, p.errorf(rt, "expected %s: the fetched value goes to the source register", regName(dst, w))
	}
	return stmt{ins: isa.Instruction{OpCode: uint8(isa.ClassSTX) | isa.ModeATOMIC | size, Dst: addr, Src: src, Offset: off, Constant: op}}, p.expect(")")
}

func regName(r isa.Register, w bool) string {
	if w {
		return "w" + strconv.Itoa(int(r))
	}
	return "r" + strconv.Itoa(int(r))
}

// hexSigned prints v as llvm-objdump prints immediates: "0x1f", "-0x1".
func hexSigned(v int64) string {
	if v < 0 {
		return "-0x" + strconv.FormatUint(uint64(-v), 16)
	}
	return "0x" + strconv.FormatUint(uint64(v), 16)
}

// memText prints "(r1 + 0x8)" or "(r10 - 0x8)".
func memText(r isa.Register, off int16) string {
	if off < 0 {
		return fmt.Sprintf("(r%d - 0x%x)", r, -int(off))
	}
	return fmt.Sprintf("(r%d + 0x%x)", r, off)
}

func offsetText(off int64) string {
	if off < 0 {
		return "-0x" + strconv.FormatUint(uint64(-off), 16)
	}
	return "+0x" + strconv.FormatUint(uint64(off), 16)
}

// formatKernel prints one instruction as llvm-objdump does.
func formatKernel(ins isa.Instruction, llvm bool) string {
	if ins.Validate() != nil {
		return fmt.Sprintf("<invalid %#02x>", ins.OpCode)
	}
	op := ins.OpCode
	code := op & 0xf0
	switch ins.Class() {
	case isa.ClassALU, isa.ClassALU64:
		w := ins.Class() == isa.ClassALU
		d := regName(ins.Dst, w)
		switch code {
		case isa.ALUNeg:
			return d + " = -" + d
		case isa.ALUEnd:
			kind := "le"
			if !w {
				kind = "bswap"
			} else if op&isa.SrcX == isa.EndToBE {
				kind = "be"
			}
			return fmt.Sprintf("r%d = %s%d r%d", ins.Dst, kind, ins.Constant, ins.Dst)
		}
		opText := kernelALUNames[code>>4]
		if ins.Offset == 1 && (code == isa.ALUDiv || code == isa.ALUMod) {
			opText = "s" + opText
		}
		if op&isa.SrcX == isa.SrcK {
			return d + " " + opText + " " + hexSigned(ins.Constant)
		}
		if code == isa.ALUMov && ins.Offset != 0 {
			return fmt.Sprintf("%s = (s%d)%s", d, ins.Offset, regName(ins.Src, w))
		}
		return d + " " + opText + " " + regName(ins.Src, w)
	case isa.ClassJMP, isa.ClassJMP32:
		switch {
		case op == isa.OpExit:
			return "exit"
		case op == isa.OpCallX:
			return fmt.Sprintf("callx r%d", ins.Dst)
		case op == isa.OpCall:
			if !llvm && ins.Src == isa.PseudoCallLocal {
				return fmt.Sprintf("call pc%+d", ins.Constant)
			}
			if !llvm && ins.Src == isa.PseudoCallKfunc {
				return fmt.Sprintf("call kernel-function#%d", ins.Constant)
			}
			return "call " + hexSigned(ins.Constant)
		case op == isa.OpJA:
			return "goto " + offsetText(int64(ins.Offset))
		case op == isa.OpJA32:
			return "gotol " + offsetText(ins.Constant)
		}
		w := ins.Class() == isa.ClassJMP32
		rhs := hexSigned(ins.Constant)
		if op&isa.SrcX != 0 {
			rhs = regName(ins.Src, w)
		}
		return fmt.Sprintf("if %s %s %s goto %s", regName(ins.Dst, w), kernelJumpNames[code>>4], rhs, offsetText(int64(ins.Offset)))
	case isa.ClassLDX:
		sign := "u"
		if op&0xe0 == isa.ModeMEMSX {
			sign = "s"
		}
		return fmt.Sprintf("r%d = *(%s%s *)%s", ins.Dst, sign, sizeNames[op&0x18>>3], memText(ins.Src, ins.Offset))
	case isa.ClassST:
		return fmt.Sprintf("*(u%s *)%s = %s", sizeNames[op&0x18>>3], memText(ins.Dst, ins.Offset), hexSigned(ins.Constant))
	case isa.ClassSTX:
		size := sizeNames[op&0x18>>3]
		if op&0xe0 == isa.ModeMEM {
			return fmt.Sprintf("*(u%s *)%s = r%d", size, memText(ins.Dst, ins.Offset), ins.Src)
		}
		w := op&0x18 == isa.SizeW
		s := regName(ins.Src, w)
		addr := strings.Trim(memText(ins.Dst, ins.Offset), "()")
		suffix := "_64"
		if w {
			suffix = "32_32"
		}
		switch ins.Constant {
		case isa.AtomicXchg:
			return fmt.Sprintf("%s = xchg%s(%s, %s)", s, suffix, addr, s)
		case isa.AtomicCmpXchg:
			return fmt.Sprintf("%s = cmpxchg%s(%s, %s, %s)", regName(isa.R0, w), suffix, addr, regName(isa.R0, w), s)
		}
		if ins.Constant&isa.AtomicFetch != 0 {
			return fmt.Sprintf("%s = atomic_fetch_%s((u%s *)%s, %s)", s, atomicOpNames[ins.Constant&^isa.AtomicFetch], size, memText(ins.Dst, ins.Offset), s)
		}
		// llvm-objdump 19 decodes only the 32-bit add without +alu32, and
		// prints its operand as an r register; with +alu32 it prints the
		// others, with w registers.
		if w && ins.Constant != isa.AtomicAdd {
			s = "w" + s[1:]
		} else {
			s = "r" + s[1:]
		}
		return fmt.Sprintf("lock *(u%s *)%s %s %s", size, memText(ins.Dst, ins.Offset), kernelALUNames[ins.Constant>>4], s)
	}
	// ClassLD.
	if op == isa.OpLDDW {
		if ins.Src == isa.PseudoImm {
			return fmt.Sprintf("r%d = %s ll", ins.Dst, hexSigned(ins.Constant))
		}
		s := fmt.Sprintf("ld_pseudo r%d, %s, %s", ins.Dst, hexSigned(int64(ins.Src)), hexSigned(int64(ins.Imm32())))
		if hi := int32(uint64(ins.Constant) >> 32); hi != 0 {
			s += ", " + hexSigned(int64(hi))
		}
		return s
	}
	size := sizeNames[op&0x18>>3]
	if op&0xe0 == isa.ModeABS {
		return fmt.Sprintf("r0 = *(u%s *)skb[%s]", size, hexSigned(ins.Constant))
	}
	if ins.Constant == 0 {
		return fmt.Sprintf("r0 = *(u%s *)skb[r%d]", size, ins.Src)
	}
	if ins.Constant < 0 {
		return fmt.Sprintf("r0 = *(u%s *)skb[r%d - 0x%x]", size, ins.Src, -ins.Constant)
	}
	return fmt.Sprintf("r0 = *(u%s *)skb[r%d + 0x%x]", size, ins.Src, ins.Constant)
}

// symbolTable finds the symbol at or before a slot position.
type symbolTable struct {
	slots []int
	names []string
}

func newSymbolTable(m map[int]string) *symbolTable {
	st := &symbolTable{}
	for s := range m {
		st.slots = append(st.slots, s)
	}
	sort.Ints(st.slots)
	for _, s := range st.slots {
		st.names = append(st.names, m[s])
	}
	return st
}

// annotate returns llvm-objdump's " <sym+0xOFF>" for a target slot.
func (st *symbolTable) annotate(target int64) string {
	i := sort.Search(len(st.slots), func(i int) bool { return int64(st.slots[i]) > target }) - 1
	if i < 0 {
		if len(st.slots) == 0 {
			return ""
		}
		i = 0
	}
	off := uint64(target-int64(st.slots[i])) * isa.InstructionSize
	if off == 0 {
		return " <" + st.names[i] + ">"
	}
	return fmt.Sprintf(" <%s+0x%x>", st.names[i], off)
}
