package verifier

import (
	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/isa"
)

// regSet is a set of registers, bit r for register r.
type regSet uint16

const allRegs regSet = 1<<11 - 1

// computeLiveness finds, for every instruction, the registers of its frame
// that some path from it may read before writing them (classic backward
// liveness over each subprogram's control-flow graph). A register outside
// the set cannot affect what follows, so pruning ignores it in the
// current frame, as the kernel ignores registers its liveness marks have
// not reached (REG_LIVE_READ). The analysis is static, so it keeps every
// register some path may read: never less than the kernel's.
func (v *verifier) computeLiveness() {
	n := len(v.insns)
	use := make([]regSet, n)
	def := make([]regSet, n)
	for i, ins := range v.insns {
		use[i], def[i] = v.useDef(ins)
	}
	v.live = make([]regSet, n)
	for changed := true; changed; {
		changed = false
		for i := n - 1; i >= 0; i-- {
			var out regSet
			for _, s := range v.frameSuccessors(i) {
				out |= v.live[s]
			}
			in := use[i] | out&^def[i]
			if in != v.live[i] {
				v.live[i] = in
				changed = true
			}
		}
	}
}

// frameSuccessors are the instructions of the same frame control may reach
// after i: a call returns to the next instruction, and a callback's lddw
// does not enter it.
func (v *verifier) frameSuccessors(i int) []int {
	ins := v.insns[i]
	if ins.IsLocalCall() || (ins.IsLoadImm64() && ins.Src == isa.PseudoFunc) {
		if i+1 < len(v.insns) {
			return []int{i + 1}
		}
		return nil
	}
	return v.successors(i)
}

// useDef returns the registers ins reads and those it sets without reading.
func (v *verifier) useDef(ins isa.Instruction) (use, def regSet) {
	r := func(rs ...isa.Register) regSet {
		var s regSet
		for _, x := range rs {
			s |= 1 << x
		}
		return s
	}
	args := r(isa.R1, isa.R2, isa.R3, isa.R4, isa.R5)
	clobbered := args | r(isa.R0)
	src := ins.OpCode&0x08 != 0 // BPF_X
	switch ins.Class() {
	case isa.ClassALU, isa.ClassALU64:
		op := ins.OpCode & 0xf0
		if op != aluMov {
			use |= r(ins.Dst)
		}
		if src && op != aluNeg && op != aluEnd {
			use |= r(ins.Src)
		}
		if op == aluEnd {
			use |= r(ins.Dst)
		}
		if op == aluMov {
			def |= r(ins.Dst)
		}
	case isa.ClassLDX:
		use |= r(ins.Src)
		def |= r(ins.Dst)
	case isa.ClassST:
		use |= r(ins.Dst)
	case isa.ClassSTX:
		use |= r(ins.Dst, ins.Src)
		if ins.OpCode&0xe0 == isa.ModeATOMIC {
			use |= r(isa.R0) // cmpxchg compares r0
		}
	case isa.ClassLD:
		if ins.IsLoadImm64() {
			def |= r(ins.Dst)
			break
		}
		use |= r(isa.R6)
		if ins.OpCode&0xe0 == isa.ModeIND {
			use |= r(ins.Src)
		}
		def |= clobbered
	default: // jumps, calls, exit
		switch {
		case ins.OpCode == isa.OpExit:
			use |= r(isa.R0)
		case ins.OpCode == isa.OpJA || ins.OpCode == isa.OpJA32:
		case ins.IsHelperCall():
			use |= args
			if p, ok := v.opts.Helpers[helpers.ID(ins.Imm32())]; ok {
				use = argRegs(p)
			} else if p, ok := helpers.Lookup(helpers.ID(ins.Imm32())); ok {
				use = argRegs(p)
			}
			def |= clobbered
		case ins.IsLocalCall(), ins.IsKfuncCall(), ins.OpCode == isa.OpCallX:
			use |= args
			if ins.OpCode == isa.OpCallX {
				use |= r(ins.Dst, ins.Src)
			}
			def |= clobbered
		default: // conditional jumps
			use |= r(ins.Dst)
			if src {
				use |= r(ins.Src)
			}
		}
	}
	use &= allRegs
	def &= allRegs &^ use
	return use, def
}

// argRegs are the registers a helper reads: its declared arguments.
func argRegs(p helpers.Proto) regSet {
	var s regSet
	for k, a := range p.Args {
		if a != helpers.ArgDontCare {
			s |= 1 << (isa.R1 + isa.Register(k))
		}
	}
	return s
}
