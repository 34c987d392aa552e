package vm

// stackWindow returns how many bytes at the top of the stack a run of the
// program can reach, which are the bytes each run must find zeroed and
// leave to be cleared: StackSize in general, fewer for a program that can
// only address its stack as r10 plus a constant. That holds when the
// program makes no calls (helpers, local calls, callbacks), never writes
// r10 and never uses it except as the base of a load or store: then r10
// stays the top of the one frame and no other register can be derived
// from it. The window is the deepest such access (8 bytes at least), so every access the
// program makes through r10 lies in it; a pointer into the stack forged
// from an integer finds only the window, as the run's regions.
func stackWindow(code []inst) uint64 {
	deepest := int64(0)
	for _, c := range code {
		var base uint8 = 255 // the register used as an address, if any
		switch {
		case c.op == opCall || c.op == opCallX || c.op == opCallLocal:
			return StackSize
		case c.op >= opLdxB && c.op <= opLdxSW:
			if c.dst == 10 {
				return StackSize
			}
			base = c.src
		case c.op >= opStB && c.op <= opStDW:
			base = c.dst
		case c.op >= opStxB && c.op <= opAtomicCmpXchg64:
			if c.src == 10 {
				return StackSize
			}
			base = c.dst
		case c.op == opExit || c.op == opFellOff || c.op == opNop || c.op == opJa:
		case c.op >= opLdAbsB && c.op <= opLdIndW:
			if c.op >= opLdIndB && c.src == 10 {
				return StackSize
			}
		case c.op == opLddw:
			if c.dst == 10 {
				return StackSize
			}
		default: // ALU and conditional jumps read dst and src and write dst
			if c.dst == 10 || c.src == 10 {
				return StackSize
			}
		}
		if base == 10 && int64(c.off) < deepest {
			deepest = int64(c.off)
		}
	}
	switch {
	case -deepest > StackSize:
		return StackSize
	case -deepest < 8: // never below the largest access: the fast checks subtract the size from the window
		return 8
	}
	return uint64(-deepest)
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

// storesToStack reports whether an instruction stores through r10, which
// for a program with a stack window is the only way it can write its stack.
func storesToStack(code []inst) bool {
	for _, c := range code {
		if c.op >= opStB && c.op <= opAtomicCmpXchg64 && c.dst == 10 {
			return true
		}
	}
	return false
}
