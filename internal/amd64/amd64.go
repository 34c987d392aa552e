// Package amd64 encodes the x86-64 instructions gbpf's JIT compiler emits:
// 64- and 32-bit integer arithmetic, moves, loads and stores of 1 to 8
// bytes with zero or sign extension, shifts, multiplication and division,
// byte swaps, compares and tests, and jumps to labels resolved when the
// code is finished.
//
// Memory operands are always [base + disp]; every jump to a label uses a
// 32-bit displacement, so code size does not depend on label positions.
package amd64

import (
	"errors"
	"fmt"
	"math"
)

// Reg is a general-purpose register, numbered as in the instruction
// encoding.
type Reg uint8

// The sixteen general-purpose registers.
const (
	RAX Reg = iota
	RCX
	RDX
	RBX
	RSP
	RBP
	RSI
	RDI
	R8
	R9
	R10
	R11
	R12
	R13
	R14
	R15
)

var regNames = [16]string{"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"}

func (r Reg) String() string {
	if int(r) < len(regNames) {
		return regNames[r]
	}
	return fmt.Sprintf("reg%d", uint8(r))
}

// ALU is a two-operand arithmetic or logic operation; its value is the
// operation's /digit in the 0x81 group.
type ALU uint8

// The ALU operations.
const (
	Add ALU = 0
	Or  ALU = 1
	And ALU = 4
	Sub ALU = 5
	Xor ALU = 6
	Cmp ALU = 7
)

// Shift is a shift or rotate; its value is the /digit in the 0xc1 group.
type Shift uint8

// The shifts and rotates.
const (
	Rol Shift = 0
	Ror Shift = 1
	Shl Shift = 4
	Shr Shift = 5
	Sar Shift = 7
)

// Unary is a one-operand operation of the 0xf7 group; its value is the
// /digit.
type Unary uint8

// The one-operand operations. Div and Idiv divide rdx:rax (edx:eax) by the
// operand, leaving the quotient in rax and the remainder in rdx.
const (
	Not  Unary = 2
	Neg  Unary = 3
	Div  Unary = 6
	Idiv Unary = 7
)

// Cond is a condition code: the low nibble of a jcc opcode.
type Cond uint8

// The condition codes. Above and below compare unsigned; greater and less
// compare signed.
const (
	CondB  Cond = 0x2 // below (carry)
	CondAE Cond = 0x3 // above or equal (no carry)
	CondE  Cond = 0x4 // equal (zero)
	CondNE Cond = 0x5 // not equal
	CondBE Cond = 0x6 // below or equal
	CondA  Cond = 0x7 // above
	CondL  Cond = 0xc // less
	CondGE Cond = 0xd // greater or equal
	CondLE Cond = 0xe // less or equal
	CondG  Cond = 0xf // greater
)

// Label is a position in the code, bound once with Bind and targeted by
// jumps before or after it is bound.
type Label int

// Asm accumulates machine code.
type Asm struct {
	buf    []byte
	labels []int // position of each label, -1 while unbound
	fixups []fixup
}

type fixup struct {
	at    int // position of the 32-bit displacement
	label Label
}

// ErrUnbound is returned by Finish when a jump targets a label that was
// never bound.
var ErrUnbound = errors.New("amd64: jump to an unbound label")

// Len returns the number of bytes emitted so far.
func (a *Asm) Len() int { return len(a.buf) }

// NewLabel returns a new unbound label.
func (a *Asm) NewLabel() Label {
	a.labels = append(a.labels, -1)
	return Label(len(a.labels) - 1)
}

// Bind binds l to the current position.
func (a *Asm) Bind(l Label) { a.labels[l] = len(a.buf) }

// Bound reports whether l is bound, and where.
func (a *Asm) Bound(l Label) (int, bool) {
	p := a.labels[l]
	return p, p >= 0
}

// Finish resolves every jump and returns the code.
func (a *Asm) Finish() ([]byte, error) {
	for _, f := range a.fixups {
		p := a.labels[f.label]
		if p < 0 {
			return nil, fmt.Errorf("%w (label %d)", ErrUnbound, f.label)
		}
		d := int64(p) - int64(f.at+4)
		if d < math.MinInt32 || d > math.MaxInt32 {
			return nil, fmt.Errorf("amd64: jump displacement %d does not fit in 32 bits", d)
		}
		putU32(a.buf[f.at:], uint32(int32(d)))
	}
	a.fixups = a.fixups[:0]
	return a.buf, nil
}

func putU32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

func (a *Asm) byte1(b ...byte) { a.buf = append(a.buf, b...) }

func (a *Asm) imm32(v int32) {
	u := uint32(v)
	a.buf = append(a.buf, byte(u), byte(u>>8), byte(u>>16), byte(u>>24))
}

// noByte is rex's byteReg when no operand is a byte register.
const noByte Reg = 0xff

// rex emits a REX prefix when one is needed: w for 64-bit operand size,
// reg the ModRM reg field, rm the ModRM rm (or base) field; byteReg is the
// operand used as a byte register (or noByte), and forces a prefix when it
// is register 4 to 7 so that it means spl, bpl, sil or dil rather than ah,
// ch, dh or bh. Only the byte operand counts: a memory base or a wider
// destination in 4 to 7 needs no prefix (objdump shows one as an unused
// "rex").
func (a *Asm) rex(w bool, reg, rm Reg, byteReg Reg) {
	var p byte = 0x40
	if w {
		p |= 8
	}
	if reg >= 8 {
		p |= 4
	}
	if rm >= 8 {
		p |= 1
	}
	if p != 0x40 || (byteReg >= 4 && byteReg < 8) {
		a.byte1(p)
	}
}

// modRR emits a register-direct ModRM byte.
func (a *Asm) modRR(reg, rm Reg) { a.byte1(0xc0 | byte(reg&7)<<3 | byte(rm&7)) }

// modMem emits the ModRM (and SIB, displacement) bytes of [base + disp].
func (a *Asm) modMem(reg, base Reg, disp int32) {
	r := byte(reg&7) << 3
	b := byte(base & 7)
	switch {
	case disp == 0 && b != 5: // rbp and r13 have no displacement-free form
		a.byte1(r | b)
	case disp >= -128 && disp <= 127:
		a.byte1(0x40 | r | b)
	default:
		a.byte1(0x80 | r | b)
	}
	if b == 4 { // rsp and r12 need a SIB byte
		a.byte1(0x24)
	}
	switch {
	case disp == 0 && b != 5:
	case disp >= -128 && disp <= 127:
		a.byte1(byte(int8(disp)))
	default:
		a.imm32(disp)
	}
}

// ALURR emits dst = dst op src (op Cmp only sets the flags).
func (a *Asm) ALURR(op ALU, w64 bool, dst, src Reg) {
	a.rex(w64, src, dst, noByte)
	a.byte1(byte(op)<<3 | 1)
	a.modRR(src, dst)
}

// ALURI emits dst = dst op imm; for 64 bits imm is sign-extended.
func (a *Asm) ALURI(op ALU, w64 bool, dst Reg, imm int32) {
	a.rex(w64, 0, dst, noByte)
	if imm >= -128 && imm <= 127 {
		a.byte1(0x83)
		a.modRR(Reg(op), dst)
		a.byte1(byte(int8(imm)))
		return
	}
	a.byte1(0x81)
	a.modRR(Reg(op), dst)
	a.imm32(imm)
}

// ALURM emits dst = dst op [base + disp].
func (a *Asm) ALURM(op ALU, w64 bool, dst, base Reg, disp int32) {
	a.rex(w64, dst, base, noByte)
	a.byte1(byte(op)<<3 | 3)
	a.modMem(dst, base, disp)
}

// ALUMI emits [base + disp] = [base + disp] op imm, 64 or 32 bits wide.
func (a *Asm) ALUMI(op ALU, w64 bool, base Reg, disp int32, imm int32) {
	a.rex(w64, 0, base, noByte)
	if imm >= -128 && imm <= 127 {
		a.byte1(0x83)
		a.modMem(Reg(op), base, disp)
		a.byte1(byte(int8(imm)))
		return
	}
	a.byte1(0x81)
	a.modMem(Reg(op), base, disp)
	a.imm32(imm)
}

// MovRR emits dst = src; the 32-bit form zero-extends into 64 bits.
func (a *Asm) MovRR(w64 bool, dst, src Reg) {
	a.rex(w64, src, dst, noByte)
	a.byte1(0x89)
	a.modRR(src, dst)
}

// MovImm emits dst = v with the shortest encoding: a zero-extended 32-bit
// move, a sign-extended 32-bit move or a 64-bit immediate.
func (a *Asm) MovImm(dst Reg, v int64) {
	switch {
	case v >= 0 && v <= math.MaxUint32:
		a.rex(false, 0, dst, noByte)
		a.byte1(0xb8 | byte(dst&7))
		a.imm32(int32(uint32(v)))
	case v >= math.MinInt32 && v < 0:
		a.rex(true, 0, dst, noByte)
		a.byte1(0xc7)
		a.modRR(0, dst)
		a.imm32(int32(v))
	default:
		a.rex(true, 0, dst, noByte)
		a.byte1(0xb8 | byte(dst&7))
		u := uint64(v)
		for i := 0; i < 8; i++ {
			a.byte1(byte(u >> (8 * i)))
		}
	}
}

// Load emits dst = the size-byte value at [base + disp] (size 1, 2, 4 or
// 8), zero-extended, or sign-extended into 64 bits when signed.
func (a *Asm) Load(size int, signed bool, dst, base Reg, disp int32) {
	switch {
	case size == 8:
		a.rex(true, dst, base, noByte)
		a.byte1(0x8b)
	case size == 4 && signed: // movsxd
		a.rex(true, dst, base, noByte)
		a.byte1(0x63)
	case size == 4:
		a.rex(false, dst, base, noByte)
		a.byte1(0x8b)
	case signed: // movsx r64, r/m8 or r/m16
		a.rex(true, dst, base, noByte)
		a.byte1(0x0f, 0xbe|byte(size>>1))
	default: // movzx r32, r/m8 or r/m16
		a.rex(false, dst, base, noByte)
		a.byte1(0x0f, 0xb6|byte(size>>1))
	}
	a.modMem(dst, base, disp)
}

// Store emits: the low size bytes of src to [base + disp].
func (a *Asm) Store(size int, base Reg, disp int32, src Reg) {
	if size == 2 {
		a.byte1(0x66)
	}
	byteReg := noByte
	if size == 1 {
		byteReg = src
	}
	a.rex(size == 8, src, base, byteReg)
	if size == 1 {
		a.byte1(0x88)
	} else {
		a.byte1(0x89)
	}
	a.modMem(src, base, disp)
}

// StoreImm emits: the low size bytes of imm to [base + disp]; an 8-byte
// store sign-extends imm.
func (a *Asm) StoreImm(size int, base Reg, disp int32, imm int32) {
	if size == 2 {
		a.byte1(0x66)
	}
	a.rex(size == 8, 0, base, noByte)
	if size == 1 {
		a.byte1(0xc6)
	} else {
		a.byte1(0xc7)
	}
	a.modMem(0, base, disp)
	switch size {
	case 1:
		a.byte1(byte(imm))
	case 2:
		a.byte1(byte(imm), byte(imm>>8))
	default:
		a.imm32(imm)
	}
}

// Lea emits dst = base + disp, 64 bits.
func (a *Asm) Lea(dst, base Reg, disp int32) {
	a.rex(true, dst, base, noByte)
	a.byte1(0x8d)
	a.modMem(dst, base, disp)
}

// Imul emits dst = dst * src (the low 64 or 32 bits).
func (a *Asm) Imul(w64 bool, dst, src Reg) {
	a.rex(w64, dst, src, noByte)
	a.byte1(0x0f, 0xaf)
	a.modRR(dst, src)
}

// ImulImm emits dst = src * imm; for 64 bits imm is sign-extended.
func (a *Asm) ImulImm(w64 bool, dst, src Reg, imm int32) {
	a.rex(w64, dst, src, noByte)
	a.byte1(0x69)
	a.modRR(dst, src)
	a.imm32(imm)
}

// Unary emits op r.
func (a *Asm) Unary(op Unary, w64 bool, r Reg) {
	a.rex(w64, 0, r, noByte)
	a.byte1(0xf7)
	a.modRR(Reg(op), r)
}

// ShiftImm emits r = r op n.
func (a *Asm) ShiftImm(op Shift, w64 bool, r Reg, n uint8) {
	a.rex(w64, 0, r, noByte)
	a.byte1(0xc1)
	a.modRR(Reg(op), r)
	a.byte1(n)
}

// ShiftCL emits r = r op cl; the count is masked to 6 (64-bit) or 5
// (32-bit) bits by the processor.
func (a *Asm) ShiftCL(op Shift, w64 bool, r Reg) {
	a.rex(w64, 0, r, noByte)
	a.byte1(0xd3)
	a.modRR(Reg(op), r)
}

// Rol16 emits a 16-bit rotate of r's low word by n bits (a byte swap of
// the word for n = 8); the rest of r is unchanged.
func (a *Asm) Rol16(r Reg, n uint8) {
	a.byte1(0x66)
	a.rex(false, 0, r, noByte)
	a.byte1(0xc1)
	a.modRR(Reg(Rol), r)
	a.byte1(n)
}

// Bswap emits a byte swap of r: all 8 bytes, or the low 4 (zero-extended).
func (a *Asm) Bswap(w64 bool, r Reg) {
	a.rex(w64, 0, r, noByte)
	a.byte1(0x0f, 0xc8|byte(r&7))
}

// MovzxRR emits dst = src's low size bytes (1 or 2), zero-extended.
func (a *Asm) MovzxRR(size int, dst, src Reg) {
	byteReg := noByte
	if size == 1 {
		byteReg = src
	}
	a.rex(false, dst, src, byteReg)
	a.byte1(0x0f, 0xb6|byte(size>>1))
	a.modRR(dst, src)
}

// MovsxRR emits dst = src's low size bytes (1, 2 or 4), sign-extended to
// 64 bits, or to 32 bits (then zero-extended) when w64 is false (size 1
// or 2 only).
func (a *Asm) MovsxRR(w64 bool, size int, dst, src Reg) {
	if size == 4 {
		a.rex(true, dst, src, noByte)
		a.byte1(0x63)
		a.modRR(dst, src)
		return
	}
	byteReg := noByte
	if size == 1 {
		byteReg = src
	}
	a.rex(w64, dst, src, byteReg)
	a.byte1(0x0f, 0xbe|byte(size>>1))
	a.modRR(dst, src)
}

// Test emits the flags of x & y.
func (a *Asm) Test(w64 bool, x, y Reg) {
	a.rex(w64, y, x, noByte)
	a.byte1(0x85)
	a.modRR(y, x)
}

// TestImm emits the flags of r & imm; for 64 bits imm is sign-extended.
func (a *Asm) TestImm(w64 bool, r Reg, imm int32) {
	a.rex(w64, 0, r, noByte)
	a.byte1(0xf7)
	a.modRR(0, r)
	a.imm32(imm)
}

// Cqo emits rdx = the sign of rax (for a 64-bit idiv).
func (a *Asm) Cqo() { a.byte1(0x48, 0x99) }

// Cdq emits edx = the sign of eax (for a 32-bit idiv).
func (a *Asm) Cdq() { a.byte1(0x99) }

// Jcc emits a jump to l taken when cond holds.
func (a *Asm) Jcc(cond Cond, l Label) {
	a.byte1(0x0f, 0x80|byte(cond))
	a.fixups = append(a.fixups, fixup{at: len(a.buf), label: l})
	a.imm32(0)
}

// Jmp emits a jump to l.
func (a *Asm) Jmp(l Label) {
	a.byte1(0xe9)
	a.fixups = append(a.fixups, fixup{at: len(a.buf), label: l})
	a.imm32(0)
}

// JmpReg emits a jump to the address in r.
func (a *Asm) JmpReg(r Reg) {
	a.rex(false, 0, r, noByte)
	a.byte1(0xff)
	a.modRR(4, r)
}

// JmpMem emits a jump to the address stored at [base + disp].
func (a *Asm) JmpMem(base Reg, disp int32) {
	a.rex(false, 0, base, noByte)
	a.byte1(0xff)
	a.modMem(4, base, disp)
}

// LeaLabel emits dst = the address of l (rip-relative).
func (a *Asm) LeaLabel(dst Reg, l Label) {
	a.rex(true, dst, 0, noByte)
	a.byte1(0x8d, byte(dst&7)<<3|5)
	a.fixups = append(a.fixups, fixup{at: len(a.buf), label: l})
	a.imm32(0)
}

// Ret emits a return.
func (a *Asm) Ret() { a.byte1(0xc3) }

// Int3 emits a breakpoint trap, as padding that must never run.
func (a *Asm) Int3() { a.byte1(0xcc) }
