// Package progen generates random eBPF programs from a seed, for
// differential tests: the kernel against gbpf's interpreter, the interpreter
// against the JIT, gbpf's verifier against the kernel's.
//
// Every generated program is valid by construction, for the Linux verifier
// as for any correct interpreter:
//   - it terminates: every jump goes forward, and its only exit is its last
//     instruction;
//   - every instruction is reachable (the kernel refuses unreachable code);
//   - every memory access is in bounds: stack accesses are aligned and lie
//     in the Config.StackSize bytes below r10, memory accesses lie inside
//     the Config.MemSize bytes of input; both go through r10, MemReg or a
//     pointer derived from them by adding a constant, at constant offsets;
//   - every register and every stack byte is written before it is read, and
//     a pointer is only ever copied, moved by a constant and used as a base:
//     never stored, compared, computed with or left in a register past the
//     short group of instructions that uses it (no jump lands inside such
//     a group), so results never depend on where memory lives.
//
// The program follows the raw convention of the conformance suite: at entry
// r1 points to the memory and r2 holds its length. A prologue copies r1 to
// MemReg, which nothing else writes, and gives every other register and
// every stack slot a random value; the random body follows; an epilogue then
// folds every register r1 to r8 and every stack slot into r0 with a
// bijective mix (multiply by an odd constant, xor), so that every
// computation of the body can influence r0, and exits.
//
// The body draws from the whole non-call instruction set: ALU and ALU64
// with register and immediate operands (every operation, signed division
// and modulo, division and modulo by zero through registers, movsx, neg,
// shifts with out-of-range register amounts, le/be/bswap), lddw, forward
// JMP and JMP32 jumps with every condition, ja and gotol, stores and loads
// of every size on the stack and in memory (sign-extending loads
// included), accesses through pointers derived from r10 and MemReg, and
// every atomic operation on the stack in 32 and 64 bits.
//
// Two shapes are avoided because Linux 6.18 runs them against the RFC, as
// the kernel differential test found: "goto +0" (the kernel deletes it as
// a nop and then removes the wrong instructions as dead code; gotol +0
// takes its place) and a 32-bit cmpxchg with a non-zero upper half in r0
// (the x86-64 JIT keeps that half when the exchange succeeds and the
// verifier missed the zero extension; w0 = w0 comes first).
package progen

import (
	"fmt"
	"math/rand/v2"

	"github.com/gbpf/gbpf/isa"
)

// MemReg is the register that holds the memory pointer from the prologue to
// the exit. The body never writes it and never reads it except as the base
// of a memory access.
const MemReg = isa.R9

// scratch are the registers the body computes with: every register but
// MemReg and r10.
var scratch = [...]isa.Register{isa.R0, isa.R1, isa.R2, isa.R3, isa.R4, isa.R5, isa.R6, isa.R7, isa.R8}

// Limits of a Config.
const (
	MaxStackSize = 512    // the kernel's stack size
	MaxMemSize   = 0x7fff // offsets are signed 16-bit
	MaxInsns     = 100_000
)

// Config shapes the generated programs.
type Config struct {
	// Insns is the number of random body instructions, between 1 and
	// MaxInsns; the prologue and epilogue come on top. 0 means 64.
	Insns int
	// MemSize is the number of bytes of input memory the program reads and
	// writes through MemReg, at most MaxMemSize. 0 means no memory
	// accesses. The program must be run with at least this much memory.
	MemSize int
	// StackSize is the number of bytes below r10 the program uses, a
	// multiple of 8 between 8 and MaxStackSize. 0 means 64.
	StackSize int
	// MaxCondJumps bounds the number of conditional jumps in the body.
	// Branches on values a verifier cannot know fork its exploration, so
	// this keeps verification cheap. 0 means 8; a negative value means no
	// conditional jumps.
	MaxCondJumps int
}

// DefaultConfig is the configuration of the differential tests: 64 body
// instructions, 64 bytes of memory, 64 bytes of stack, at most 8
// conditional jumps.
func DefaultConfig() Config {
	return Config{Insns: 64, MemSize: 64, StackSize: 64, MaxCondJumps: 8}
}

// normalize applies the defaults of zero fields and panics on a Config
// that cannot be honoured.
func (c Config) normalize() Config {
	if c.Insns == 0 {
		c.Insns = 64
	}
	if c.StackSize == 0 {
		c.StackSize = 64
	}
	if c.MaxCondJumps == 0 {
		c.MaxCondJumps = 8
	}
	if c.MaxCondJumps < 0 {
		c.MaxCondJumps = 0
	}
	if c.Insns < 1 || c.Insns > MaxInsns {
		panic(fmt.Sprintf("progen: Config.Insns %d out of range [1, %d]", c.Insns, MaxInsns))
	}
	if c.MemSize < 0 || c.MemSize > MaxMemSize {
		panic(fmt.Sprintf("progen: Config.MemSize %d out of range [0, %d]", c.MemSize, MaxMemSize))
	}
	if c.StackSize < 8 || c.StackSize > MaxStackSize || c.StackSize%8 != 0 {
		panic(fmt.Sprintf("progen: Config.StackSize %d is not a multiple of 8 in [8, %d]", c.StackSize, MaxStackSize))
	}
	return c
}

// mixFactor is the odd multiplier of the epilogue's mix; as a sign-extended
// 32-bit immediate it is still odd, so multiplying by it is a bijection.
const mixFactor = -0x61c88647 // 0x9e3779b9, the golden ratio

// pending is a jump of the body whose target is chosen, and written as a
// slot offset, once the program is complete.
type pending struct {
	at   int  // index of the jump
	cond bool // conditional (not ja or gotol)
}

// gen holds the state of one generation.
type gen struct {
	r     *rand.Rand
	cfg   Config
	out   []isa.Instruction
	inner []bool // inner[i]: out[i] continues a group, so no jump may land on it
	jumps []pending
}

// Generate returns a random program drawn from r and shaped by cfg (see
// the package documentation for what every program guarantees). The same
// generator state and Config always give the same program. It panics if
// cfg is out of range.
func Generate(r *rand.Rand, cfg Config) []isa.Instruction {
	g := &gen{r: r, cfg: cfg.normalize()}
	g.prologue()
	g.body()
	end := len(g.out) // jumps may land here: the first instruction of the epilogue
	g.epilogue()
	g.resolve(end)
	return g.out
}

func (g *gen) emit(ins isa.Instruction) {
	g.out = append(g.out, ins)
	g.inner = append(g.inner, false)
}

// emitGroup emits instructions that must run together: jumps land only on
// the first.
func (g *gen) emitGroup(insns ...isa.Instruction) {
	for i, ins := range insns {
		g.out = append(g.out, ins)
		g.inner = append(g.inner, i > 0)
	}
}

// prologue saves the memory pointer and initialises every register and
// stack byte the body may read.
func (g *gen) prologue() {
	g.emit(isa.Instruction{OpCode: isa.OpMovX, Dst: MemReg, Src: isa.R1})
	// r2 keeps the memory length; the others get random values, in a
	// random order.
	regs := []isa.Register{isa.R0, isa.R1, isa.R3, isa.R4, isa.R5, isa.R6, isa.R7, isa.R8}
	g.r.Shuffle(len(regs), func(i, j int) { regs[i], regs[j] = regs[j], regs[i] })
	for _, reg := range regs {
		g.loadConst(reg)
	}
	for off := 8; off <= g.cfg.StackSize; off += 8 {
		g.fillStack(-off, 8)
	}
}

// loadConst sets reg to a random constant with mov, mov32 or lddw.
func (g *gen) loadConst(reg isa.Register) {
	switch g.r.IntN(3) {
	case 0:
		g.emit(isa.Instruction{OpCode: isa.OpMov64, Dst: reg, Constant: int64(g.imm32())})
	case 1:
		g.emit(isa.Instruction{OpCode: uint8(isa.ClassALU) | isa.ALUMov | isa.SrcK, Dst: reg, Constant: int64(g.imm32())})
	default:
		g.emit(isa.Instruction{OpCode: isa.OpLDDW, Dst: reg, Constant: g.imm64()})
	}
}

// fillStack writes every byte of [r10+off, r10+off+size), size a power of
// two and off aligned to it, as one store or as two halves.
func (g *gen) fillStack(off, size int) {
	if size > 1 && g.r.IntN(4) == 0 {
		g.fillStack(off, size/2)
		g.fillStack(off+size/2, size/2)
		return
	}
	g.store(isa.R10, off, sizeCode(size))
}

// store emits a ST or STX of the given size at base+off.
func (g *gen) store(base isa.Register, off int, size uint8) {
	if g.r.IntN(2) == 0 {
		g.emit(isa.Instruction{OpCode: uint8(isa.ClassST) | isa.ModeMEM | size, Dst: base, Offset: int16(off), Constant: int64(g.imm32())})
		return
	}
	g.emit(isa.Instruction{OpCode: uint8(isa.ClassSTX) | isa.ModeMEM | size, Dst: base, Src: g.reg(), Offset: int16(off)})
}

// sizeCode returns the size bits of an access of n bytes.
func sizeCode(n int) uint8 {
	switch n {
	case 1:
		return isa.SizeB
	case 2:
		return isa.SizeH
	case 4:
		return isa.SizeW
	}
	return isa.SizeDW
}

var sizes = [...]uint8{isa.SizeB, isa.SizeH, isa.SizeW, isa.SizeDW}

// reg returns a random scratch register.
func (g *gen) reg() isa.Register { return scratch[g.r.IntN(len(scratch))] }

// interesting32 are immediates that exercise edge cases.
var interesting32 = [...]int32{0, 1, -1, 2, 7, 8, 16, 31, 32, 63, 64, 0xff, 0x7f, 0x80, 0xffff, 0x8000, 0x7fff,
	0x7fffffff, -0x80000000, -2, -0x80, -0x8000}

// imm32 returns a random 32-bit immediate: an interesting value, a small
// one or any.
func (g *gen) imm32() int32 {
	switch g.r.IntN(4) {
	case 0:
		return interesting32[g.r.IntN(len(interesting32))]
	case 1:
		return int32(g.r.IntN(33)) - 16
	default:
		return int32(g.r.Uint32())
	}
}

// interesting64 are 64-bit constants that exercise edge cases.
var interesting64 = [...]int64{0, 1, -1, 0x7fffffffffffffff, -0x8000000000000000, 0xffffffff, 0x80000000,
	0x100000000, -0x80000000, 0x7fffffff, 0x0123456789abcdef, -0x100000000}

// imm64 returns a random 64-bit constant.
func (g *gen) imm64() int64 {
	switch g.r.IntN(4) {
	case 0:
		return interesting64[g.r.IntN(len(interesting64))]
	case 1:
		return int64(g.imm32())
	default:
		return int64(g.r.Uint64())
	}
}

// The kinds of body instruction, by weight.
type kind int

const (
	kALU kind = iota
	kMov
	kUnary // neg, le, be, bswap
	kLDDW
	kCondJump
	kJA
	kStackStore
	kStackLoad
	kAtomic
	kMemStore
	kMemLoad
	kDerived // an access through a pointer computed in a scratch register
	nKinds
)

var weights = [nKinds]int{
	kALU:        30,
	kMov:        8,
	kUnary:      6,
	kLDDW:       3,
	kCondJump:   10,
	kJA:         3,
	kStackStore: 6,
	kStackLoad:  6,
	kAtomic:     6,
	kMemStore:   5,
	kMemLoad:    5,
	kDerived:    5,
}

// pick returns a random kind by weight, among those allowed.
func (g *gen) pick(condLeft int) kind {
	total := 0
	for k, w := range weights {
		if g.allowed(kind(k), condLeft) {
			total += w
		}
	}
	n := g.r.IntN(total)
	for k, w := range weights {
		if !g.allowed(kind(k), condLeft) {
			continue
		}
		if n < w {
			return kind(k)
		}
		n -= w
	}
	panic("progen: unreachable: weights exhausted")
}

func (g *gen) allowed(k kind, condLeft int) bool {
	switch k {
	case kCondJump:
		return condLeft > 0
	case kMemStore, kMemLoad:
		return g.cfg.MemSize > 0
	}
	return true
}

// body emits cfg.Insns random instructions.
func (g *gen) body() {
	condLeft := g.cfg.MaxCondJumps
	for range g.cfg.Insns {
		switch g.pick(condLeft) {
		case kALU:
			g.alu()
		case kMov:
			g.mov()
		case kUnary:
			g.unary()
		case kLDDW:
			g.emit(isa.Instruction{OpCode: isa.OpLDDW, Dst: g.reg(), Constant: g.imm64()})
		case kCondJump:
			condLeft--
			g.condJump()
		case kJA:
			g.jumps = append(g.jumps, pending{at: len(g.out)})
			if g.r.IntN(2) == 0 {
				g.emit(isa.Instruction{OpCode: isa.OpJA})
			} else {
				g.emit(isa.Instruction{OpCode: isa.OpJA32})
			}
		case kStackStore:
			size := sizes[g.r.IntN(len(sizes))]
			g.store(isa.R10, g.stackOff(size), size)
		case kStackLoad:
			g.load(isa.R10, g.stackOff)
		case kAtomic:
			g.atomic()
		case kMemStore:
			size := g.fits(MemReg, sizes[g.r.IntN(len(sizes))])
			g.store(MemReg, g.memOff(size), size)
		case kMemLoad:
			g.load(MemReg, g.memOff)
		case kDerived:
			g.derived()
		}
	}
}

// derived emits a group that copies r10 or MemReg into a scratch register,
// moves it by a random amount with add (or, in the memory, sub), accesses the stack or the
// memory through it (a load, possibly into the pointer register itself, a
// store, or on the stack an atomic operation) and, unless the load
// overwrote it, overwrites the pointer with a constant: no pointer outlives
// the group.
func (g *gen) derived() {
	onStack := g.cfg.MemSize == 0 || g.r.IntN(2) == 0
	what := g.r.IntN(3) // 0 load, 1 store, 2 atomic (stack only)
	if !onStack && what == 2 {
		what = 1
	}
	var base isa.Register
	var size uint8
	var eff, delta int
	if onStack {
		base = isa.R10
		size = sizes[g.r.IntN(len(sizes))]
		if what == 2 && size != isa.SizeDW {
			size = isa.SizeW
		}
		eff = g.stackOff(size)
		delta = -g.r.IntN(g.cfg.StackSize + 1)
	} else {
		base = MemReg
		size = g.fits(MemReg, sizes[g.r.IntN(len(sizes))])
		eff = g.memOff(size)
		delta = g.r.IntN(g.cfg.MemSize + 1) // the access offset may be negative
	}
	ptr := g.reg()
	other := func() isa.Register { // a scratch register other than ptr
		for {
			if r := g.reg(); r != ptr {
				return r
			}
		}
	}
	group := []isa.Instruction{{OpCode: isa.OpMovX, Dst: ptr, Src: base}}
	switch {
	case delta == 0 && g.r.IntN(2) == 0:
	case onStack || g.r.IntN(2) == 0: // the kernel refuses sub on stack pointers
		group = append(group, isa.Instruction{OpCode: uint8(isa.ClassALU64) | isa.ALUAdd | isa.SrcK, Dst: ptr, Constant: int64(delta)})
	default:
		group = append(group, isa.Instruction{OpCode: uint8(isa.ClassALU64) | isa.ALUSub | isa.SrcK, Dst: ptr, Constant: int64(-delta)})
	}
	off := int16(eff - delta)
	overwritten := false
	switch what {
	case 0:
		dst := ptr
		if g.r.IntN(2) == 0 {
			dst = other()
		}
		overwritten = dst == ptr
		mode := isa.ModeMEM
		if size != isa.SizeDW && g.r.IntN(3) == 0 {
			mode = isa.ModeMEMSX
		}
		group = append(group, isa.Instruction{OpCode: uint8(isa.ClassLDX) | mode | size, Dst: dst, Src: ptr, Offset: off})
	case 1:
		if g.r.IntN(2) == 0 {
			group = append(group, isa.Instruction{OpCode: uint8(isa.ClassST) | isa.ModeMEM | size, Dst: ptr, Offset: off, Constant: int64(g.imm32())})
		} else {
			group = append(group, isa.Instruction{OpCode: uint8(isa.ClassSTX) | isa.ModeMEM | size, Dst: ptr, Src: other(), Offset: off})
		}
	default:
		op := atomicOps[g.r.IntN(len(atomicOps))]
		if op == isa.AtomicCmpXchg && ptr == isa.R0 { // r0 is cmpxchg's operand
			op = isa.AtomicXchg
		}
		if op == isa.AtomicCmpXchg && size == isa.SizeW {
			group = append(group, zeroExtendR0)
		}
		group = append(group, isa.Instruction{OpCode: isa.OpAtom | size, Dst: ptr, Src: other(), Offset: off, Constant: op})
	}
	if !overwritten {
		group = append(group, isa.Instruction{OpCode: isa.OpMov64, Dst: ptr, Constant: int64(g.imm32())})
	}
	g.emitGroup(group...)
}

// aluOps are the binary operations of ALU and ALU64.
var aluOps = [...]uint8{isa.ALUAdd, isa.ALUSub, isa.ALUMul, isa.ALUDiv, isa.ALUOr, isa.ALUAnd, isa.ALULsh,
	isa.ALURsh, isa.ALUMod, isa.ALUXor, isa.ALUArsh}

// alu emits a random binary operation, 32 or 64-bit, with a register or an
// immediate operand; div and mod are signed half of the time.
func (g *gen) alu() {
	class := isa.ClassALU64
	bits := int32(64)
	if g.r.IntN(2) == 0 {
		class, bits = isa.ClassALU, 32
	}
	op := aluOps[g.r.IntN(len(aluOps))]
	ins := isa.Instruction{Dst: g.reg()}
	if (op == isa.ALUDiv || op == isa.ALUMod) && g.r.IntN(2) == 0 {
		ins.Offset = 1
	}
	if g.r.IntN(2) == 0 {
		ins.OpCode = uint8(class) | op | isa.SrcX
		ins.Src = g.reg()
		g.edgeOperands(ins, bits)
		g.emit(ins)
		return
	}
	ins.OpCode = uint8(class) | op | isa.SrcK
	imm := g.imm32()
	switch op {
	case isa.ALULsh, isa.ALURsh, isa.ALUArsh:
		// The verifier refuses immediate shifts outside [0, bits);
		// register shift amounts are not limited.
		imm = int32(g.r.IntN(int(bits)))
	case isa.ALUDiv, isa.ALUMod:
		// The verifier refuses division by an immediate zero.
		if imm == 0 {
			imm = -1
		}
	}
	ins.Constant = int64(imm)
	g.emit(ins)
}

// Edge-case operands that random values rarely hit.
var (
	edgeDivisors = [...]int32{0, -1, 1}
	edgeShifts   = [...]int32{0, 1, 31, 32, 33, 63, 64, 65, -1}
)

// edgeOperands sometimes sets the operands of a register-operand ALU
// instruction ins to an edge case first: a divisor of 0, -1 or 1 and a
// dividend of the most negative value (sdiv and smod of INT_MIN by -1),
// or a shift amount at or beyond the operand width.
func (g *gen) edgeOperands(ins isa.Instruction, bits int32) {
	mov := isa.OpMov64
	if g.r.IntN(2) == 0 {
		mov = uint8(isa.ClassALU) | isa.ALUMov | isa.SrcK
	}
	switch ins.OpCode & 0xf0 {
	case isa.ALUDiv, isa.ALUMod:
		if g.r.IntN(3) == 0 {
			g.emit(isa.Instruction{OpCode: mov, Dst: ins.Src, Constant: int64(edgeDivisors[g.r.IntN(len(edgeDivisors))])})
		}
		if ins.Src != ins.Dst && g.r.IntN(4) == 0 {
			if bits == 64 {
				g.emit(isa.Instruction{OpCode: isa.OpLDDW, Dst: ins.Dst, Constant: -1 << 63})
			} else {
				g.emit(isa.Instruction{OpCode: mov, Dst: ins.Dst, Constant: -1 << 31})
			}
		}
	case isa.ALULsh, isa.ALURsh, isa.ALUArsh:
		if g.r.IntN(3) == 0 {
			g.emit(isa.Instruction{OpCode: mov, Dst: ins.Src, Constant: int64(edgeShifts[g.r.IntN(len(edgeShifts))])})
		}
	}
}

// mov emits mov or mov32 from a register or an immediate, or a
// sign-extending movsx.
func (g *gen) mov() {
	alu64 := g.r.IntN(2) == 0
	class := isa.ClassALU
	if alu64 {
		class = isa.ClassALU64
	}
	ins := isa.Instruction{Dst: g.reg()}
	switch g.r.IntN(3) {
	case 0:
		ins.OpCode = uint8(class) | isa.ALUMov | isa.SrcK
		ins.Constant = int64(g.imm32())
	case 1:
		ins.OpCode = uint8(class) | isa.ALUMov | isa.SrcX
		ins.Src = g.reg()
	default:
		ins.OpCode = uint8(class) | isa.ALUMov | isa.SrcX
		ins.Src = g.reg()
		offs := []int16{8, 16, 32}
		if !alu64 {
			offs = offs[:2]
		}
		ins.Offset = offs[g.r.IntN(len(offs))]
	}
	g.emit(ins)
}

// unary emits neg (32 or 64-bit), le, be or bswap of 16, 32 or 64 bits.
func (g *gen) unary() {
	dst := g.reg()
	width := int64([]int{16, 32, 64}[g.r.IntN(3)])
	switch g.r.IntN(5) {
	case 0:
		g.emit(isa.Instruction{OpCode: uint8(isa.ClassALU) | isa.ALUNeg, Dst: dst})
	case 1:
		g.emit(isa.Instruction{OpCode: uint8(isa.ClassALU64) | isa.ALUNeg, Dst: dst})
	case 2:
		g.emit(isa.Instruction{OpCode: uint8(isa.ClassALU) | isa.ALUEnd | isa.EndToLE, Dst: dst, Constant: width})
	case 3:
		g.emit(isa.Instruction{OpCode: uint8(isa.ClassALU) | isa.ALUEnd | isa.EndToBE, Dst: dst, Constant: width})
	default:
		g.emit(isa.Instruction{OpCode: uint8(isa.ClassALU64) | isa.ALUEnd, Dst: dst, Constant: width})
	}
}

// condOps are the conditional jumps.
var condOps = [...]uint8{isa.JmpJEQ, isa.JmpJGT, isa.JmpJGE, isa.JmpJSET, isa.JmpJNE, isa.JmpJSGT, isa.JmpJSGE,
	isa.JmpJLT, isa.JmpJLE, isa.JmpJSLT, isa.JmpJSLE}

// condJump emits a JMP or JMP32 conditional jump, its target resolved
// later.
func (g *gen) condJump() {
	class := isa.ClassJMP
	if g.r.IntN(2) == 0 {
		class = isa.ClassJMP32
	}
	ins := isa.Instruction{OpCode: uint8(class) | condOps[g.r.IntN(len(condOps))], Dst: g.reg()}
	if g.r.IntN(2) == 0 {
		ins.OpCode |= isa.SrcX
		ins.Src = g.reg()
	} else {
		ins.Constant = int64(g.imm32())
	}
	g.jumps = append(g.jumps, pending{at: len(g.out), cond: true})
	g.emit(ins)
}

// stackOff returns a random offset from r10, aligned to the access size,
// of an access of that size inside the stack area.
func (g *gen) stackOff(size uint8) int {
	n := isa.SizeBytes(size)
	slots := g.cfg.StackSize / n
	return -n * (1 + g.r.IntN(slots))
}

// memOff returns a random offset of an access of the given size, which
// fits, inside the memory; unaligned offsets are allowed.
func (g *gen) memOff(size uint8) int {
	n := isa.SizeBytes(size)
	return g.r.IntN(g.cfg.MemSize - n + 1)
}

// fits returns the largest access size code not above size that fits in
// the memory (the stack always fits every size).
func (g *gen) fits(base isa.Register, size uint8) uint8 {
	for base == MemReg && isa.SizeBytes(size) > g.cfg.MemSize {
		switch size {
		case isa.SizeDW:
			size = isa.SizeW
		case isa.SizeW:
			size = isa.SizeH
		default:
			size = isa.SizeB
		}
	}
	return size
}

// load emits a zero- or sign-extending load of a random size from base at
// an offset chosen by off.
func (g *gen) load(base isa.Register, off func(uint8) int) {
	size := g.fits(base, sizes[g.r.IntN(len(sizes))])
	mode := isa.ModeMEM
	if size != isa.SizeDW && g.r.IntN(3) == 0 {
		mode = isa.ModeMEMSX
	}
	g.emit(isa.Instruction{OpCode: uint8(isa.ClassLDX) | mode | size, Dst: g.reg(), Src: base, Offset: int16(off(size))})
}

// atomicOps are the atomic operations.
var atomicOps = [...]int64{isa.AtomicAdd, isa.AtomicOr, isa.AtomicAnd, isa.AtomicXor,
	isa.AtomicAdd | isa.AtomicFetch, isa.AtomicOr | isa.AtomicFetch, isa.AtomicAnd | isa.AtomicFetch,
	isa.AtomicXor | isa.AtomicFetch, isa.AtomicXchg, isa.AtomicCmpXchg}

// atomic emits a 32 or 64-bit atomic operation on an aligned stack slot.
func (g *gen) atomic() {
	size := isa.SizeW
	if g.r.IntN(2) == 0 {
		size = isa.SizeDW
	}
	ins := isa.Instruction{
		OpCode:   isa.OpAtom | size,
		Dst:      isa.R10,
		Src:      g.reg(),
		Offset:   int16(g.stackOff(size)),
		Constant: atomicOps[g.r.IntN(len(atomicOps))],
	}
	if ins.Constant == isa.AtomicCmpXchg && size == isa.SizeW {
		g.emitGroup(zeroExtendR0, ins)
		return
	}
	g.emit(ins)
}

// zeroExtendR0 is w0 = w0, emitted before every 32-bit cmpxchg: Linux
// 6.18's x86-64 JIT leaves the upper half of r0 unchanged when a 32-bit
// cmpxchg succeeds, unless the verifier inserted a zero extension, which
// it fails to do when the 64-bit use of r0 lies on a path it pruned
// (found by the kernel differential test). With the upper half already
// zero both behaviours agree, and the RFC's (r0 = the old value,
// zero-extended) is still what is tested.
var zeroExtendR0 = isa.Instruction{OpCode: uint8(isa.ClassALU) | isa.ALUMov | isa.SrcX, Dst: isa.R0, Src: isa.R0}

// epilogue folds r1 to r8 and every stack slot into r0 and exits.
func (g *gen) epilogue() {
	mul := isa.Instruction{OpCode: uint8(isa.ClassALU64) | isa.ALUMul | isa.SrcK, Dst: isa.R0, Constant: mixFactor}
	xor := uint8(isa.ClassALU64) | isa.ALUXor | isa.SrcX
	for _, reg := range scratch[1:] {
		g.emit(mul)
		g.emit(isa.Instruction{OpCode: xor, Dst: isa.R0, Src: reg})
	}
	for off := 8; off <= g.cfg.StackSize; off += 8 {
		g.emit(isa.Instruction{OpCode: isa.OpLdxDW, Dst: isa.R1, Src: isa.R10, Offset: int16(-off)})
		g.emit(mul)
		g.emit(isa.Instruction{OpCode: xor, Dst: isa.R0, Src: isa.R1})
	}
	g.emit(isa.Instruction{OpCode: isa.OpExit})
}

// resolve chooses the targets of the body's jumps, forward and no further
// than end, such that every instruction stays reachable, and writes them as
// slot offsets.
func (g *gen) resolve(end int) {
	target := make([]int, len(g.out)) // target[i] for jumps, -1 otherwise
	for i := range target {
		target[i] = -1
	}
	isCond := make([]bool, len(g.out))
	for _, j := range g.jumps {
		target[j.at] = g.pickTarget(j.at, end)
		isCond[j.at] = j.cond
	}
	// All jumps go forward, so deciding reachability in index order sees
	// every predecessor of an instruction before the instruction. One
	// that nothing reaches follows a ja that jumps over it (everything
	// before it is reachable, by induction). Either an earlier conditional
	// jump over it is redirected to it (its old target lies further on and
	// is decided later) or the ja is shortened to land on it.
	reach := make([]bool, len(g.out))
	incoming := make([]int, len(g.out)+1) // reachable jumps seen so far, by target
	for i := range g.out {
		reach[i] = i == 0 || reach[i-1] && (target[i-1] < 0 || isCond[i-1]) || incoming[i] > 0
		if reach[i] {
			if target[i] >= 0 {
				incoming[target[i]]++
			}
			continue
		}
		if j := g.out[i-1].OpCode; target[i-1] < 0 || isCond[i-1] || (j != isa.OpJA && j != isa.OpJA32) {
			panic(fmt.Sprintf("progen: internal error: insn %d unreachable after insn %d (%s)", i, i-1, g.out[i-1]))
		}
		var over []int
		for k := range i - 1 {
			if isCond[k] && reach[k] && target[k] > i {
				over = append(over, k)
			}
		}
		if len(over) > 0 && g.r.IntN(2) == 0 {
			k := over[g.r.IntN(len(over))]
			incoming[target[k]]--
			target[k] = i
		} else {
			incoming[target[i-1]]--
			target[i-1] = i
		}
		reach[i] = true
		if target[i] >= 0 {
			incoming[target[i]]++
		}
	}
	si := isa.NewSlotIndex(g.out)
	for i, t := range target {
		if t < 0 {
			continue
		}
		off := si.Slot(t) - si.Slot(i) - 1
		switch {
		case g.out[i].OpCode == isa.OpJA && off == 0:
			// Linux 6.18 deletes "goto +0" as a nop and then removes the
			// wrong instructions as dead code (found by the kernel
			// differential test); "gotol +0" is left alone.
			g.out[i] = isa.Instruction{OpCode: isa.OpJA32}
		case g.out[i].OpCode == isa.OpJA32:
			g.out[i].Constant = int64(off)
		default:
			g.out[i].Offset = int16(off)
		}
	}
}

// pickTarget returns a random forward target of a jump at index at: often
// near, sometimes anywhere up to end, never inside a group (the instruction
// after a jump starts one or stands alone, so moving back terminates).
func (g *gen) pickTarget(at, end int) int {
	span := end - at // targets at+1 .. end
	if span > 8 && g.r.IntN(2) == 0 {
		span = 8
	}
	t := at + 1 + g.r.IntN(span)
	for g.inner[t] {
		t--
	}
	return t
}
