package vm

import (
	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/isa"
)

// stackWindow returns how many bytes at the top of the stack a run of the
// program can reach, which are the bytes each run must find zeroed and
// leave to be cleared: StackSize in general, fewer when a forward
// dataflow over the entry frame's control flow proves that every pointer
// into the stack is r10 plus a constant (or one of a few constants):
// copies of r10 moved and offset by immediates, used as the base of loads
// and stores or handed to helpers. A helper reaches memory upward from
// the pointer it is given, so the deepest offset handed to it bounds what
// it can touch in the stack; what lies above the frame is outside it.
//
// The analysis gives up (StackSize) on anything it does not follow: a
// write to r10, a stack pointer spilled to memory or combined with a
// register, 32-bit or other arithmetic on one, local calls and callx
// (which open frames), tail calls (whose target runs in this frame), and
// programs too large to follow cheaply. The window is a semantic choice,
// not a safety one: every access is still checked against it at run time
// (or proven inside it at compile time by the JIT), so a wrong window
// could only refuse an access, never allow one.
//
// writes reports whether a run may write the stack: a store or atomic
// through a stack pointer, a helper call (helpers write through the
// pointers they are given), or an analysis that gave up.
func stackWindow(code []inst, insns []isa.Instruction) (window uint64, writes bool) {
	deepest, stores, ok := deepestStackOffset(code, insns)
	switch {
	case !ok || -deepest > StackSize:
		return StackSize, true
	case -deepest < 8: // never below the largest access: the fast checks subtract the size from the window
		return 8, stores || makesCalls(code)
	}
	return uint64(-deepest), stores || makesCalls(code)
}

// stackReg is what the window analysis knows of a register: whether it
// may hold a pointer into the entry frame, and then the lowest offset
// from r10 it may have.
type stackReg struct {
	stack bool
	lo    int64
}

func (a stackReg) join(b stackReg) stackReg {
	switch {
	case !a.stack:
		return b
	case !b.stack:
		return a
	}
	return stackReg{stack: true, lo: min(a.lo, b.lo)}
}

type stackRegs [11]stackReg

// deepestStackOffset runs the window analysis: the deepest offset from
// r10 reached, and whether a store may write through a stack pointer; ok
// is false when it gives up.
func deepestStackOffset(code []inst, insns []isa.Instruction) (deepest int64, stores, ok bool) {
	n := len(insns)
	if n == 0 || n > 1<<16 {
		return 0, false, false
	}
	in := make([]stackRegs, n)
	seen := make([]bool, n)
	queued := make([]bool, n)
	var entry stackRegs
	entry[10] = stackReg{stack: true}
	in[0], seen[0], queued[0] = entry, true, true
	work := []int{0}
	flow := func(to int, s *stackRegs) {
		if to < 0 || to >= n {
			return // falling off the end: the run stops there
		}
		changed := !seen[to]
		if seen[to] {
			for r := range s {
				if j := in[to][r].join(s[r]); j != in[to][r] {
					in[to][r] = j
					changed = true
				}
			}
		} else {
			in[to], seen[to] = *s, true
		}
		if changed && !queued[to] {
			queued[to] = true
			work = append(work, to)
		}
	}
	budget := 32*n + 1024 // visits; a pointer walked by a loop would never settle
	for len(work) > 0 {
		if budget--; budget < 0 {
			return 0, false, false
		}
		pc := work[len(work)-1]
		work = work[:len(work)-1]
		queued[pc] = false
		s := in[pc]
		c := code[pc]
		isStack := func(r uint8) bool { return r <= 10 && s[r].stack }
		// access notes a memory access at base+off; false when it
		// reaches below the frame.
		access := func(base uint8, off int64) bool {
			if !isStack(base) {
				return true
			}
			deepest = min(deepest, s[base].lo+off)
			return deepest >= -StackSize
		}
		op := c.op
		switch {
		case c.dst == 10 && !(op >= opStB && op <= opAtomicCmpXchg64) && !(op >= opJa && op <= opJset32K) && op != opExit && op != opCall:
			return 0, false, false // a write to r10
		case op == opCallLocal || op == opCallX:
			return 0, false, false
		case op == opCall:
			if helpers.ID(insns[pc].Imm32()) == helpers.TailCall {
				return 0, false, false
			}
			for r := uint8(1); r <= 5; r++ {
				if !access(r, 0) {
					return 0, false, false
				}
			}
			for r := 0; r <= 5; r++ {
				s[r] = stackReg{}
			}
		case op == opExit:
			continue
		case op == opJa:
			flow(int(c.off), &s)
			continue
		case op >= opJeq64X && op <= opJset32K:
			flow(int(c.off), &s)
		case op >= opLdxB && op <= opLdxSW:
			if !access(c.src, int64(c.off)) {
				return 0, false, false
			}
			s[c.dst] = stackReg{}
		case op >= opStB && op <= opStDW:
			stores = stores || isStack(c.dst)
			if !access(c.dst, int64(c.off)) {
				return 0, false, false
			}
		case op >= opStxB && op <= opAtomicCmpXchg64:
			stores = stores || isStack(c.dst)
			if isStack(c.src) || !access(c.dst, int64(c.off)) {
				return 0, false, false // a stack pointer spilled to memory, or too deep
			}
			switch {
			case op == opAtomicCmpXchg32 || op == opAtomicCmpXchg64:
				s[0] = stackReg{}
			case op >= opAtomicFetchAdd32 && op <= opAtomicXchg32, op >= opAtomicFetchAdd64 && op <= opAtomicXchg64:
				s[c.src] = stackReg{}
			}
		case op >= opLdAbsB && op <= opLdIndW:
			if op >= opLdIndB && isStack(c.src) {
				return 0, false, false
			}
			s[0] = stackReg{}
		case op == opLddw:
			s[c.dst] = stackReg{}
		case op == opMov64X:
			s[c.dst] = s[c.src]
		case op == opMov64K || op == opMov32K:
			s[c.dst] = stackReg{}
		case op == opAdd64K && isStack(c.dst):
			s[c.dst].lo += int64(c.imm)
		case op == opSub64K && isStack(c.dst):
			s[c.dst].lo -= int64(c.imm)
		case op == opFellOff || op == opNop:
		default: // other ALU: fine unless a stack pointer takes part
			if isStack(c.dst) || isStack(c.src) && aluReadsSrc(op) {
				return 0, false, false
			}
			s[c.dst] = stackReg{}
		}
		flow(pc+1, &s)
	}
	return deepest, stores, true
}

// aluReadsSrc reports whether an ALU instruction reads its src register
// (the X forms).
func aluReadsSrc(op uint8) bool {
	switch op {
	case opAdd64X, opSub64X, opMul64X, opDiv64X, opSdiv64X, opMod64X, opSmod64X, opOr64X, opAnd64X, opXor64X,
		opLsh64X, opRsh64X, opArsh64X, opMov64X, opMovsx64B, opMovsx64H, opMovsx64W,
		opAdd32X, opSub32X, opMul32X, opDiv32X, opSdiv32X, opMod32X, opSmod32X, opOr32X, opAnd32X, opXor32X,
		opLsh32X, opRsh32X, opArsh32X, opMov32X, opMovsx32B, opMovsx32H:
		return true
	}
	return false
}

// makesCalls reports whether the code calls helpers, kfuncs or local
// functions.
func makesCalls(code []inst) bool {
	for _, c := range code {
		if c.op == opCall || c.op == opCallX || c.op == opCallLocal {
			return true
		}
	}
	return false
}
