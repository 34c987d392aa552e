package progen

import (
	"fmt"

	"github.com/gbpf/gbpf/isa"
)

// ptrKind says what a register holds, for Check.
type ptrKind uint8

const (
	scalar   ptrKind = iota // a number
	memPtr                  // a pointer into the input memory
	stackPtr                // a pointer into the stack
	mixed                   // different things on different paths: unusable
)

// ptrVal is what a register holds: for a pointer, its offset from the start
// of the memory or from r10.
type ptrVal struct {
	kind ptrKind
	off  int
}

// state is what holds before an instruction on every path to it.
type state struct {
	regs  [11]bool   // written
	ptr   [11]ptrVal // what each register holds
	stack []bool     // stack[b]: byte r10-StackSize+b written
}

// meet narrows s to what also holds in o; s nil takes o.
func meet(s *state, o state) *state {
	if s == nil {
		c := state{regs: o.regs, ptr: o.ptr, stack: append([]bool(nil), o.stack...)}
		return &c
	}
	for r := range s.regs {
		s.regs[r] = s.regs[r] && o.regs[r]
		if s.ptr[r] != o.ptr[r] {
			s.ptr[r] = ptrVal{kind: mixed}
		}
	}
	for b := range s.stack {
		s.stack[b] = s.stack[b] && o.stack[b]
	}
	return s
}

// Check verifies every guarantee of the package documentation on prog, for
// the Config it was generated with, and returns the first violation naming
// the instruction, or nil. Tools that transform generated programs (a
// minimiser, say) use it to keep only programs that still hold them. It
// panics if cfg is out of range, as Generate does.
//
// It is a forward data-flow analysis: a register or stack byte counts as
// written before an instruction only if it is written on every path to it,
// and a register counts as a pointer (into the memory or the stack, at a
// known offset) only if it is the same pointer on every path. Pointers may
// be copied with mov, moved with add and sub of an immediate and used as
// the base of accesses; any other use, and a pointer left in a register at
// the exit, is a violation. So are the two shapes the generator avoids
// because Linux mishandles them (see Generate): goto +0, and a 32-bit
// cmpxchg not right after w0 = w0.
func Check(prog []isa.Instruction, cfg Config) error {
	cfg = cfg.normalize()
	if len(prog) == 0 {
		return fmt.Errorf("empty program")
	}
	si := isa.NewSlotIndex(prog)
	last := len(prog) - 1
	if prog[last].OpCode != isa.OpExit {
		return fmt.Errorf("insn %d: last instruction is %s, not exit", last, prog[last])
	}
	if prog[0] != (isa.Instruction{OpCode: isa.OpMovX, Dst: MemReg, Src: isa.R1}) {
		return fmt.Errorf("insn 0: %s does not save r1 in %s", prog[0], MemReg)
	}
	in := make([]*state, len(prog)+1)
	entry := state{stack: make([]bool, cfg.StackSize)}
	entry.regs[isa.R1], entry.regs[isa.R2], entry.regs[isa.R10] = true, true, true
	entry.ptr[isa.R1], entry.ptr[isa.R10] = ptrVal{kind: memPtr}, ptrVal{kind: stackPtr}
	in[0] = &entry
	conds := 0
	for i, ins := range prog {
		if in[i] == nil {
			return fmt.Errorf("insn %d (%s): unreachable", i, ins)
		}
		st := *in[i]
		st.stack = append([]bool(nil), st.stack...)
		if err := ins.Validate(); err != nil {
			return fmt.Errorf("insn %d (%s): %v", i, ins, err)
		}
		if ins.OpCode == isa.OpExit && i != last {
			return fmt.Errorf("insn %d: exit before the end", i)
		}
		if ins.OpCode == isa.OpJA && ins.Offset == 0 {
			return fmt.Errorf("insn %d: goto +0 (Linux 6.18 mishandles it)", i)
		}
		if ins.OpCode == isa.OpAtom|isa.SizeW && ins.Constant == isa.AtomicCmpXchg && (i == 0 || prog[i-1] != zeroExtendR0) {
			return fmt.Errorf("insn %d (%s): 32-bit cmpxchg not preceded by %s", i, ins, zeroExtendR0)
		}
		class := ins.Class()
		reads, writes, base, size, memAccess := effects(ins)

		// The pointer-preserving forms: a plain 64-bit mov of a pointer,
		// and adding or subtracting an immediate to one.
		var result ptrVal
		ptrOp := false
		if code, x := ins.OpCode&0xf0, ins.OpCode&isa.SrcX != 0; class == isa.ClassALU64 {
			isPtr := func(r isa.Register) bool {
				return st.regs[r] && (st.ptr[r].kind == memPtr || st.ptr[r].kind == stackPtr)
			}
			if code == isa.ALUMov && x && ins.Offset == 0 && isPtr(ins.Src) {
				result, ptrOp = st.ptr[ins.Src], true
			}
			if (code == isa.ALUAdd || code == isa.ALUSub) && !x && isPtr(ins.Dst) {
				result, ptrOp = st.ptr[ins.Dst], true
				if code == isa.ALUAdd {
					result.off += int(ins.Constant)
				} else {
					result.off -= int(ins.Constant)
				}
			}
		}
		for _, r := range reads {
			if !st.regs[r] {
				return fmt.Errorf("insn %d (%s): reads %s before it is written", i, ins, r)
			}
			if st.ptr[r].kind != scalar && !ptrOp {
				return fmt.Errorf("insn %d (%s): uses %s, which may hold a pointer, as a value", i, ins, r)
			}
		}
		if ins.OpCode == isa.OpExit && (!st.regs[isa.R0] || st.ptr[isa.R0].kind != scalar) {
			return fmt.Errorf("insn %d: r0 is unwritten or may hold a pointer at the exit", i)
		}
		if memAccess {
			p := st.ptr[base]
			if !st.regs[base] || p.kind != memPtr && p.kind != stackPtr {
				return fmt.Errorf("insn %d (%s): memory access through %s, which does not hold a known pointer", i, ins, base)
			}
			off := p.off + int(ins.Offset)
			if p.kind == stackPtr {
				if off < -cfg.StackSize || off+size > 0 || off%size != 0 {
					return fmt.Errorf("insn %d (%s): stack access of %d bytes at r10%+d outside [-%d, 0) or misaligned", i, ins, size, off, cfg.StackSize)
				}
				if class == isa.ClassST || class == isa.ClassSTX && ins.OpCode&0xe0 == isa.ModeMEM {
					for b := off; b < off+size; b++ {
						st.stack[cfg.StackSize+b] = true
					}
				} else {
					for b := off; b < off+size; b++ {
						if !st.stack[cfg.StackSize+b] {
							return fmt.Errorf("insn %d (%s): reads stack byte r10%+d before it is written", i, ins, b)
						}
					}
				}
			} else {
				if off < 0 || off+size > cfg.MemSize {
					return fmt.Errorf("insn %d (%s): memory access of %d bytes at %d outside [0, %d)", i, ins, size, off, cfg.MemSize)
				}
				if class == isa.ClassSTX && ins.OpCode&0xe0 == isa.ModeATOMIC {
					return fmt.Errorf("insn %d (%s): atomic access to the memory", i, ins)
				}
			}
		}
		for _, r := range writes {
			if r == MemReg && i != 0 || r == isa.R10 {
				return fmt.Errorf("insn %d (%s): writes %s", i, ins, r)
			}
			st.regs[r] = true
			st.ptr[r] = ptrVal{}
		}
		if ptrOp {
			st.ptr[ins.Dst] = result
		}
		switch {
		case ins.IsJump():
			off := ins.JumpOffset()
			if off < 0 {
				return fmt.Errorf("insn %d (%s): backward jump", i, ins)
			}
			t := si.Index(si.Slot(i) + 1 + int(off))
			if t < 0 || t > last {
				return fmt.Errorf("insn %d (%s): jump target outside the program or inside an lddw", i, ins)
			}
			in[t] = meet(in[t], st)
			if ins.OpCode != isa.OpJA && ins.OpCode != isa.OpJA32 {
				conds++
				in[i+1] = meet(in[i+1], st)
			}
		case ins.OpCode == isa.OpExit:
		default:
			if class == isa.ClassJMP && ins.OpCode&0xf0 == isa.JmpCall {
				return fmt.Errorf("insn %d (%s): call", i, ins)
			}
			in[i+1] = meet(in[i+1], st)
		}
	}
	if conds > cfg.MaxCondJumps {
		return fmt.Errorf("%d conditional jumps, more than %d", conds, cfg.MaxCondJumps)
	}
	return nil
}

// effects returns the registers ins reads and writes, and for a memory
// access its base register and width.
func effects(ins isa.Instruction) (reads, writes []isa.Register, base isa.Register, size int, mem bool) {
	op := ins.OpCode
	x := op&isa.SrcX != 0
	switch ins.Class() {
	case isa.ClassALU, isa.ClassALU64:
		code := op & 0xf0
		switch {
		case code == isa.ALUMov && x:
			reads = []isa.Register{ins.Src}
		case code == isa.ALUMov:
		case code == isa.ALUNeg || code == isa.ALUEnd:
			reads = []isa.Register{ins.Dst}
		case x:
			reads = []isa.Register{ins.Dst, ins.Src}
		default:
			reads = []isa.Register{ins.Dst}
		}
		writes = []isa.Register{ins.Dst}
	case isa.ClassLD:
		writes = []isa.Register{ins.Dst}
	case isa.ClassLDX:
		writes = []isa.Register{ins.Dst}
		return reads, writes, ins.Src, isa.SizeBytes(op), true
	case isa.ClassST:
		return nil, nil, ins.Dst, isa.SizeBytes(op), true
	case isa.ClassSTX:
		reads = []isa.Register{ins.Src}
		if op&0xe0 == isa.ModeATOMIC {
			if ins.Constant == isa.AtomicCmpXchg {
				reads = append(reads, isa.R0)
				writes = []isa.Register{isa.R0}
			} else if ins.Constant&isa.AtomicFetch != 0 {
				writes = []isa.Register{ins.Src}
			}
		}
		return reads, writes, ins.Dst, isa.SizeBytes(op), true
	case isa.ClassJMP, isa.ClassJMP32:
		if ins.IsJump() && op&0xf0 != isa.JmpJA {
			reads = []isa.Register{ins.Dst}
			if x {
				reads = append(reads, ins.Src)
			}
		}
	}
	return reads, writes, 0, 0, false
}
