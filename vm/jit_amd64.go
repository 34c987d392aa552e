//go:build linux && amd64

package vm

import (
	"fmt"

	"github.com/gbpf/gbpf/internal/amd64"
)

// The JIT compiles a program's pre-decoded code into x86-64 machine code
// that does exactly what Program.loop does: it runs from an instruction
// index with a budget until an event, and reports where it stopped, the
// budget left and the event in the run state. Everything loop hands to
// exec (helper calls, atomics, legacy packet loads, accesses outside the
// stack and input memory, errors) leaves the machine code the same way,
// so drive, the helpers and the slow path are shared by both engines.
//
// Registers: eBPF r0-r10 live in machine registers for the whole stretch
// of native execution (rax, rdi, rsi, rdx, rcx, r8, rbx, r13, r14, r15,
// rbp, as the kernel's own JIT maps them); r12 holds the run state, r9 the
// budget left, r10 and r11 are scratch. The native code touches the
// goroutine stack only for the return address of its entry.

// jitRegs maps eBPF registers to machine registers.
var jitRegs = [11]amd64.Reg{amd64.RAX, amd64.RDI, amd64.RSI, amd64.RDX, amd64.RCX, amd64.R8, amd64.RBX, amd64.R13, amd64.R14, amd64.R15, amd64.RBP}

const (
	jitState = amd64.R12 // *runState
	jitLeft  = amd64.R9  // budget left
	jitT0    = amd64.R10 // scratch
	jitT1    = amd64.R11 // scratch
)

// jitSupported reports whether this build has the JIT.
const jitSupported = true

// compiler holds the state of one compilation.
type compiler struct {
	p       *Program
	a       amd64.Asm
	entry   []amd64.Label // entry of each instruction index (with the sentinel)
	exit    amd64.Label   // stores the registers and returns
	stubs   []func()      // out-of-line code, emitted after the program
	exhaust map[int]amd64.Label
	events  map[[2]int]amd64.Label
	fixedFP bool // no instruction writes r10: r10-relative stack accesses are checked at compile time

	localCalls bool // the program makes bpf-to-bpf calls
}

// compileJIT compiles p.code (unfused) into executable memory.
func (p *Program) compileJIT() error {
	c := &compiler{p: p, exhaust: map[int]amd64.Label{}, events: map[[2]int]amd64.Label{}, fixedFP: !writesR10(p.code)}
	for _, x := range p.code {
		c.localCalls = c.localCalls || x.op == opCallLocal
	}
	c.entry = make([]amd64.Label, len(p.code))
	for i := range c.entry {
		c.entry[i] = c.a.NewLabel()
	}
	c.exit = c.a.NewLabel()
	prologue := c.a.NewLabel()

	// Prologue: entered from jitCall with the target address in r11.
	c.a.Bind(prologue)
	used := usedRegs(p.code)
	for r, m := range jitRegs {
		if used[r] {
			c.a.Load(8, false, m, jitState, int32(offRegs)+int32(8*r))
		}
	}
	c.a.Load(8, false, jitLeft, jitState, int32(offJLeft))
	c.a.JmpReg(jitT1)

	// The fresh prologue starts a raw-type run that makes no calls (see
	// Runner.Run): r1 and r2 are the input memory, r10 the top of the
	// stack, the other registers zero, the budget what is left once the
	// first stretch is charged. Only the registers the code names matter.
	// It ignores r11: it runs on into instruction 0, bound next.
	fresh := c.a.NewLabel()
	c.a.Bind(fresh)
	for r, m := range jitRegs {
		switch {
		case !used[r]:
		case r == 1:
			c.a.Load(8, false, m, jitState, int32(offMemLo))
		case r == 2:
			c.a.Load(8, false, m, jitState, int32(offMemN))
		case r == 10:
			c.a.Load(8, false, m, jitState, int32(offStackTop))
		default:
			c.a.ALURR(amd64.Xor, false, m, m)
		}
	}
	if cost := uint64(p.code[0].cost); cost <= p.budget {
		c.a.MovImm(jitLeft, int64(p.budget-cost))
	}
	// Falls through into instruction 0.

	for i := range p.code {
		c.a.Bind(c.entry[i])
		if err := c.insn(i); err != nil {
			return err
		}
	}
	// Stubs may add stubs; run until none is left.
	for k := 0; k < len(c.stubs); k++ {
		c.stubs[k]()
	}
	c.a.Bind(c.exit)
	for r, m := range jitRegs {
		if used[r] {
			c.a.Store(8, jitState, int32(offRegs)+int32(8*r), m)
		}
	}
	c.a.Store(8, jitState, int32(offJLeft), jitLeft)
	c.a.Ret()

	code, err := c.a.Finish()
	if err != nil {
		return fmt.Errorf("jit: %w", err)
	}
	offsets := make([]int, len(c.entry))
	for i, l := range c.entry {
		offsets[i], _ = c.a.Bound(l)
	}
	pro, _ := c.a.Bound(prologue)
	fr, _ := c.a.Bound(fresh)
	j, err := newJITCode(code, pro, fr, offsets)
	if err != nil {
		return err
	}
	p.jit = j
	return nil
}

// usedRegs reports which eBPF registers the native code must load on
// entry and store on exit: those the instructions name, or all of them
// when the program makes calls (helpers read their arguments from the run
// state, callbacks and tail calls enter with registers set there).
func usedRegs(code []inst) (used [11]bool) {
	used[0] = true // the result
	if makesCalls(code) {
		for r := range used {
			used[r] = true
		}
		return used
	}
	for _, c := range code {
		if c.dst < 11 {
			used[c.dst] = true
		}
		if c.src < 11 {
			used[c.src] = true
		}
	}
	return used
}

// writesR10 reports whether any instruction may write r10.
func writesR10(code []inst) bool {
	for _, c := range code {
		switch {
		case c.op >= opAtomicFetchAdd32 && c.op <= opAtomicXchg32, c.op >= opAtomicFetchAdd64 && c.op <= opAtomicXchg64:
			if c.src == 10 {
				return true
			}
		case c.op >= opStB && c.op <= opAtomicCmpXchg64, c.op >= opJa && c.op <= opJset32K,
			c.op == opCall, c.op == opCallX, c.op == opCallLocal, c.op == opExit, c.op == opFellOff, c.op == opNop,
			c.op >= opLdAbsB && c.op <= opLdIndW:
		default: // ALU, loads, lddw write dst
			if c.dst == 10 {
				return true
			}
		}
	}
	return false
}

// event returns a stub that leaves the native code with event ev and pc.
func (c *compiler) event(ev, pc int) amd64.Label {
	k := [2]int{ev, pc}
	if l, ok := c.events[k]; ok {
		return l
	}
	l := c.a.NewLabel()
	c.events[k] = l
	c.stubs = append(c.stubs, func() {
		c.a.Bind(l)
		c.a.StoreImm(8, jitState, int32(offJPC), int32(pc))
		c.a.StoreImm(8, jitState, int32(offJEv), int32(ev))
		c.a.Jmp(c.exit)
	})
	return l
}

// leave ends the drive with evExit at pc. Only r0 and the budget outlive
// an exit from the frame that ends the drive (a callback's caller keeps
// its own registers), so only they are stored, not every register as at
// an event the run resumes from.
func (c *compiler) leave(pc int) {
	a := &c.a
	a.Store(8, jitState, int32(offRegs), jitRegs[0])
	a.Store(8, jitState, int32(offJLeft), jitLeft)
	a.StoreImm(8, jitState, int32(offJPC), int32(pc))
	a.StoreImm(8, jitState, int32(offJEv), evExit)
	a.Ret()
}

// leaveStub returns a stub that runs leave(pc), emitted after the code.
func (c *compiler) leaveStub(pc int) amd64.Label {
	l := c.a.NewLabel()
	c.stubs = append(c.stubs, func() {
		c.a.Bind(l)
		c.leave(pc)
	})
	return l
}

// charge emits the budget charge of the straight-line stretch that starts
// at instruction t, leaving with evExhausted (and the charge undone) when
// it does not fit. Control continues after it.
func (c *compiler) charge(t int) {
	cost := int32(c.p.code[t].cost)
	c.a.ALURI(amd64.Sub, true, jitLeft, cost)
	l, ok := c.exhaust[t]
	if !ok {
		l = c.a.NewLabel()
		c.exhaust[t] = l
		c.stubs = append(c.stubs, func() {
			c.a.Bind(l)
			c.a.ALURI(amd64.Add, true, jitLeft, cost)
			c.a.Jmp(c.event(evExhausted, t))
		})
	}
	c.a.Jcc(amd64.CondB, l)
}

// goTo emits a charged jump to instruction t.
func (c *compiler) goTo(t int) {
	c.charge(t)
	c.a.Jmp(c.entry[t])
}

var aluX = map[uint8]amd64.ALU{
	opAdd64X: amd64.Add, opSub64X: amd64.Sub, opOr64X: amd64.Or, opAnd64X: amd64.And, opXor64X: amd64.Xor,
	opAdd32X: amd64.Add, opSub32X: amd64.Sub, opOr32X: amd64.Or, opAnd32X: amd64.And, opXor32X: amd64.Xor,
}

var shiftX = map[uint8]amd64.Shift{
	opLsh64X: amd64.Shl, opRsh64X: amd64.Shr, opArsh64X: amd64.Sar,
	opLsh32X: amd64.Shl, opRsh32X: amd64.Shr, opArsh32X: amd64.Sar,
}

// jump conditions of the X forms; the K form is the next opcode.
var jumpConds = map[uint8]amd64.Cond{
	opJeq64X: amd64.CondE, opJne64X: amd64.CondNE, opJgt64X: amd64.CondA, opJge64X: amd64.CondAE,
	opJlt64X: amd64.CondB, opJle64X: amd64.CondBE, opJsgt64X: amd64.CondG, opJsge64X: amd64.CondGE,
	opJslt64X: amd64.CondL, opJsle64X: amd64.CondLE, opJset64X: amd64.CondNE,
	opJeq32X: amd64.CondE, opJne32X: amd64.CondNE, opJgt32X: amd64.CondA, opJge32X: amd64.CondAE,
	opJlt32X: amd64.CondB, opJle32X: amd64.CondBE, opJsgt32X: amd64.CondG, opJsge32X: amd64.CondGE,
	opJslt32X: amd64.CondL, opJsle32X: amd64.CondLE, opJset32X: amd64.CondNE,
}

// insn compiles instruction i.
func (c *compiler) insn(i int) error {
	ins := c.p.code[i]
	a := &c.a
	var d, s amd64.Reg
	if ins.dst <= 10 {
		d = jitRegs[ins.dst]
	}
	if ins.src <= 10 {
		s = jitRegs[ins.src]
	}
	op := ins.op
	switch {
	case op == opNop:
	case aluX[op] != 0 || op == opAdd64X || op == opAdd32X:
		a.ALURR(aluX[op], op < opAdd32X, d, s)
	case aluX[op-1] != 0 || op == opAdd64K || op == opAdd32K:
		a.ALURI(aluX[op-1], op < opAdd32X, d, ins.imm)
	case op == opMul64X || op == opMul32X:
		a.Imul(op == opMul64X, d, s)
	case op == opMul64K || op == opMul32K:
		a.ImulImm(op == opMul64K, d, d, ins.imm)
	case op >= opDiv64X && op <= opSmod64K, op >= opDiv32X && op <= opSmod32K:
		c.divMod(ins, d, s)
	case shiftX[op] != 0 || op == opLsh64X || op == opLsh32X:
		c.shiftX(shiftX[op], op < opAdd32X, d, s)
	case shiftX[op-1] != 0 || op == opLsh64K || op == opLsh32K:
		w64 := op < opAdd32X
		if !w64 && ins.imm == 0 {
			a.MovRR(false, d, d)
		} else {
			a.ShiftImm(shiftX[op-1], w64, d, uint8(ins.imm))
		}
	case op == opMov64X:
		a.MovRR(true, d, s)
	case op == opMov64K:
		a.MovImm(d, int64(ins.imm))
	case op == opMov32X:
		a.MovRR(false, d, s)
	case op == opMov32K:
		a.MovImm(d, int64(uint32(ins.imm)))
	case op == opMovsx64B:
		a.MovsxRR(true, 1, d, s)
	case op == opMovsx64H:
		a.MovsxRR(true, 2, d, s)
	case op == opMovsx64W:
		a.MovsxRR(true, 4, d, s)
	case op == opMovsx32B:
		a.MovsxRR(false, 1, d, s)
	case op == opMovsx32H:
		a.MovsxRR(false, 2, d, s)
	case op == opNeg64 || op == opNeg32:
		a.Unary(amd64.Neg, op == opNeg64, d)
	case op == opBswap16 || op == opBe16:
		a.Rol16(d, 8)
		a.MovzxRR(2, d, d)
	case op == opBswap32 || op == opBe32:
		a.Bswap(false, d)
	case op == opBswap64 || op == opBe64:
		a.Bswap(true, d)
	case op == opLe16:
		a.MovzxRR(2, d, d)
	case op == opLe32:
		a.MovRR(false, d, d)

	case op == opJa:
		c.goTo(int(ins.off))
	case jumpConds[op] != 0 || jumpConds[op-1] != 0 || op == opJlt64X || op == opJlt64K || op == opJlt32X || op == opJlt32K:
		x := jumpConds[op] != 0 || op == opJlt64X || op == opJlt32X
		xop := op
		if !x {
			xop = op - 1
		}
		w64 := xop < opJeq32X
		set := xop == opJset64X || xop == opJset32X
		switch {
		case set && x:
			a.Test(w64, d, s)
		case set:
			a.TestImm(w64, d, ins.imm)
		case x:
			a.ALURR(amd64.Cmp, w64, d, s)
		default:
			a.ALURI(amd64.Cmp, w64, d, ins.imm)
		}
		t := int(ins.off)
		taken := a.NewLabel()
		a.Jcc(jumpConds[xop], taken)
		c.stubs = append(c.stubs, func() {
			a.Bind(taken)
			c.goTo(t)
		})
		c.charge(i + 1) // falls through into instruction i+1

	case op >= opLdxB && op <= opStxDW:
		c.memory(i, ins, d, s)
	case op >= opAtomicAdd32 && op <= opAtomicCmpXchg64, op >= opLdAbsB && op <= opLdIndW:
		a.Jmp(c.event(evSlow, i+1))
	case op == opLddw:
		a.MovImm(d, int64(c.p.consts[ins.off]))
	case op == opCall || op == opCallX:
		a.Jmp(c.event(evCall, i+1))
	case op == opCallLocal:
		c.callLocal(i, int(ins.off))
	case op == opExit:
		c.exitInsn(i)
	case op == opFellOff:
		a.Jmp(c.event(evFellOff, i+1))
	default:
		return fmt.Errorf("jit: instruction %d: internal opcode %d has no translation", i, op)
	}
	return nil
}

// divMod compiles a division or modulo with the kernel's results for a
// zero divisor and, signed, for -1 (which would trap on x86).
func (c *compiler) divMod(ins inst, d, s amd64.Reg) {
	a := &c.a
	op := ins.op
	w64 := op <= opSmod64K
	if !w64 {
		op -= opDiv32X - opDiv64X
	}
	x := (op-opDiv64X)%2 == 0
	div := op <= opSdiv64K
	signed := op == opSdiv64X || op == opSdiv64K || op == opSmod64X || op == opSmod64K
	done := a.NewLabel()
	if x {
		a.MovRR(w64, jitT1, s)
		normal := a.NewLabel()
		a.Test(w64, jitT1, jitT1)
		if signed {
			nonzero := a.NewLabel()
			a.Jcc(amd64.CondNE, nonzero)
			c.divZero(div, w64, d)
			a.Jmp(done)
			a.Bind(nonzero)
			a.ALURI(amd64.Cmp, w64, jitT1, -1)
			a.Jcc(amd64.CondNE, normal)
			if div { // INT_MIN / -1 wraps to INT_MIN, as -dst does
				a.Unary(amd64.Neg, w64, d)
			} else {
				a.ALURR(amd64.Xor, false, d, d)
			}
			a.Jmp(done)
		} else {
			a.Jcc(amd64.CondNE, normal)
			c.divZero(div, w64, d)
			a.Jmp(done)
		}
		a.Bind(normal)
	} else if w64 {
		a.MovImm(jitT1, int64(ins.imm))
	} else {
		a.MovImm(jitT1, int64(uint32(ins.imm)))
	}
	a.MovRR(true, jitT0, amd64.RDX)
	a.Store(8, jitState, int32(offJTmp), amd64.RAX)
	a.MovRR(w64, amd64.RAX, d)
	switch {
	case signed && w64:
		a.Cqo()
	case signed:
		a.Cdq()
	default:
		a.ALURR(amd64.Xor, false, amd64.RDX, amd64.RDX)
	}
	if signed {
		a.Unary(amd64.Idiv, w64, jitT1)
	} else {
		a.Unary(amd64.Div, w64, jitT1)
	}
	if div {
		a.MovRR(true, jitT1, amd64.RAX)
	} else {
		a.MovRR(true, jitT1, amd64.RDX)
	}
	a.MovRR(true, amd64.RDX, jitT0)
	a.Load(8, false, amd64.RAX, jitState, int32(offJTmp))
	a.MovRR(w64, d, jitT1)
	a.Bind(done)
}

// divZero emits the result of a division (0) or modulo (dst unchanged,
// zero-extended for 32 bits) by zero.
func (c *compiler) divZero(div, w64 bool, d amd64.Reg) {
	switch {
	case div:
		c.a.ALURR(amd64.Xor, false, d, d)
	case !w64:
		c.a.MovRR(false, d, d)
	}
}

// shiftX compiles a shift by a register: x86 takes the count in cl, which
// holds eBPF r4, so rcx is saved in a scratch register around it. The
// processor masks the count as eBPF does (63 or 31).
func (c *compiler) shiftX(op amd64.Shift, w64 bool, d, s amd64.Reg) {
	a := &c.a
	if !w64 {
		a.MovRR(false, d, d) // zero-extends even when the count is 0
	}
	if s == amd64.RCX {
		a.ShiftCL(op, w64, d)
		return
	}
	a.MovRR(true, jitT0, amd64.RCX)
	a.MovRR(true, amd64.RCX, s)
	if d == amd64.RCX {
		a.ShiftCL(op, w64, jitT0)
		a.MovRR(true, amd64.RCX, jitT0)
		return
	}
	a.ShiftCL(op, w64, d)
	a.MovRR(true, amd64.RCX, jitT0)
}

// memory compiles a load or store. The address must lie in the current
// stack frames or the input memory, as loop checks; otherwise the access
// leaves for the slow path, which checks the context and helper-added
// regions. An r10-relative access inside the frame needs no check when
// nothing writes r10.
func (c *compiler) memory(i int, ins inst, d, s amd64.Reg) {
	a := &c.a
	op := ins.op
	m := memOps[op]
	size := int(m.size)
	baseReg := ins.src
	if m.write {
		baseReg = ins.dst
	}
	base := jitRegs[baseReg]
	off := ins.off
	addr, disp := base, off
	if c.p.ctxAt != nil && c.p.ctxAt[i] {
		// The verifier proved a context access: straight to the context
		// rewriting, without the inline memory checks.
		a.Jmp(c.event(evSlow, i+1))
		return
	}
	if !(c.fixedFP && baseReg == 10 && int64(off) >= -int64(c.p.window) && int64(off)+int64(size) <= 0) {
		slow := c.event(evSlow, i+1)
		ok := a.NewLabel()
		a.Lea(jitT0, base, off)
		check := func(loOff, nOff uintptr, fail amd64.Label) {
			a.MovRR(true, jitT1, jitT0)
			a.ALURM(amd64.Sub, true, jitT1, jitState, int32(loOff))
			a.ALURI(amd64.Add, true, jitT1, int32(size))
			a.Jcc(amd64.CondB, fail)
			a.ALURM(amd64.Cmp, true, jitT1, jitState, int32(nOff))
			if fail == slow {
				a.Jcc(amd64.CondA, slow)
			} else {
				a.Jcc(amd64.CondBE, ok)
			}
		}
		// The region the base most likely points into is checked first.
		if baseReg == 10 {
			next := a.NewLabel()
			check(offStackLo, offStackN, next)
			a.Bind(next)
			check(offMemLo, offMemN, slow)
		} else {
			next := a.NewLabel()
			check(offMemLo, offMemN, next)
			a.Bind(next)
			check(offStackLo, offStackN, slow)
		}
		a.Bind(ok)
		addr, disp = jitT0, 0
	}
	switch op {
	case opLdxB, opLdxH, opLdxW, opLdxDW:
		a.Load(size, false, d, addr, disp)
	case opLdxSB, opLdxSH, opLdxSW:
		a.Load(size, true, d, addr, disp)
	case opStB, opStH, opStW, opStDW:
		a.StoreImm(size, addr, disp, ins.imm)
	default:
		a.Store(size, addr, disp, s)
	}
}

// callLocal compiles a bpf-to-bpf call to instruction t, with the frame
// bookkeeping of loop: the caller's r6-r9 and r10 and the return point are
// saved in st.frames, the callee gets a new 512-byte frame.
func (c *compiler) callLocal(i, t int) {
	a := &c.a
	a.Load(8, false, jitT0, jitState, int32(offDepth))
	a.Lea(jitT1, jitT0, 1)
	a.ALURI(amd64.Cmp, true, jitT1, MaxFrames)
	a.Jcc(amd64.CondAE, c.event(evCallDepth, i+1))
	a.Store(8, jitState, int32(offDepth), jitT1)
	a.ALURM(amd64.Cmp, true, jitT1, jitState, int32(offMaxDepth))
	skip := a.NewLabel()
	a.Jcc(amd64.CondLE, skip)
	a.Store(8, jitState, int32(offMaxDepth), jitT1)
	a.Bind(skip)
	a.ImulImm(true, jitT0, jitT0, int32(sizeFrame))
	a.ALURR(amd64.Add, true, jitT0, jitState)
	fo := int32(offFrames)
	a.StoreImm(8, jitT0, fo+int32(offFrameRet), int32(i+1))
	for k, r := range []int{6, 7, 8, 9} {
		a.Store(8, jitT0, fo+int32(offFrameSaved)+int32(8*k), jitRegs[r])
	}
	a.Store(8, jitT0, fo+int32(offFrameR10), jitRegs[10])
	a.StoreImm(8, jitT0, fo+int32(offFrameCaller), 0)
	landing := a.NewLabel()
	a.LeaLabel(jitT1, landing)
	a.Store(8, jitT0, fo+int32(offFrameRetAddr), jitT1)
	a.Load(8, false, jitRegs[10], jitState, int32(offStackLo))
	a.ALUMI(amd64.Sub, true, jitState, int32(offStackLo), StackSize)
	a.ALUMI(amd64.Add, true, jitState, int32(offStackN), StackSize)
	c.goTo(t)
	// The callee's exit jumps here: charge the stretch after the call.
	a.Bind(landing)
	if i+1 < len(c.p.code) {
		c.charge(i + 1)
	}
}

// exitInsn compiles exit: from the frame that ends the drive it leaves
// with evExit; from a called frame it restores the caller and returns to
// the landing point after its call.
func (c *compiler) exitInsn(i int) {
	a := &c.a
	if !c.localCalls { // every frame that exits is the one that ends the drive
		c.leave(i + 1)
		return
	}
	a.Load(8, false, jitT0, jitState, int32(offDepth))
	a.ALURM(amd64.Cmp, true, jitT0, jitState, int32(offBaseDepth))
	a.Jcc(amd64.CondE, c.leaveStub(i+1))
	a.ALURI(amd64.Sub, true, jitT0, 1)
	a.ImulImm(true, jitT1, jitT0, int32(sizeFrame))
	a.ALURR(amd64.Add, true, jitT1, jitState)
	fo := int32(offFrames)
	// A frame whose code a tail call replaced returns into another
	// program: resume does that return (returnAcross).
	a.ALUMI(amd64.Cmp, true, jitT1, fo+int32(offFrameCaller), 0)
	a.Jcc(amd64.CondNE, c.event(evExit, i+1))
	a.Store(8, jitState, int32(offDepth), jitT0)
	a.MovRR(true, jitT0, jitT1)
	for k, r := range []int{6, 7, 8, 9} {
		a.Load(8, false, jitRegs[r], jitT0, fo+int32(offFrameSaved)+int32(8*k))
	}
	a.Load(8, false, jitRegs[10], jitT0, fo+int32(offFrameR10))
	a.ALUMI(amd64.Add, true, jitState, int32(offStackLo), StackSize)
	a.ALUMI(amd64.Sub, true, jitState, int32(offStackN), StackSize)
	a.JmpMem(jitT0, fo+int32(offFrameRetAddr))
}
