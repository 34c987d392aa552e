package verifier

import (
	"github.com/gbpf/gbpf/isa"
)

// Jump operation codes (bits 4-7 of the opcode).
const (
	jmpJEQ  = 0x10
	jmpJGT  = 0x20
	jmpJGE  = 0x30
	jmpJSET = 0x40
	jmpJNE  = 0x50
	jmpJSGT = 0x60
	jmpJSGE = 0x70
	jmpJLT  = 0xa0
	jmpJLE  = 0xb0
	jmpJSLT = 0xc0
	jmpJSLE = 0xd0
	// jmpJSETNot is the negation of JSET, the kernel's BPF_JSET | BPF_X.
	jmpJSETNot = 0x48
)

// negate gives the condition of the fall-through branch.
func negate(op uint8) uint8 {
	switch op {
	case jmpJEQ:
		return jmpJNE
	case jmpJNE:
		return jmpJEQ
	case jmpJSET:
		return jmpJSETNot
	case jmpJSETNot:
		return jmpJSET
	case jmpJGT:
		return jmpJLE
	case jmpJLE:
		return jmpJGT
	case jmpJGE:
		return jmpJLT
	case jmpJLT:
		return jmpJGE
	case jmpJSGT:
		return jmpJSLE
	case jmpJSLE:
		return jmpJSGT
	case jmpJSGE:
		return jmpJSLT
	case jmpJSLT:
		return jmpJSGE
	}
	return op
}

// flip gives the condition with the operands swapped.
func flip(op uint8) uint8 {
	switch op {
	case jmpJGT:
		return jmpJLT
	case jmpJLT:
		return jmpJGT
	case jmpJGE:
		return jmpJLE
	case jmpJLE:
		return jmpJGE
	case jmpJSGT:
		return jmpJSLT
	case jmpJSLT:
		return jmpJSGT
	case jmpJSGE:
		return jmpJSLE
	case jmpJSLE:
		return jmpJSGE
	}
	return op
}

func (v *verifier) checkCondJump(st *state, i int, ins isa.Instruction) (bool, *state, error) {
	f := st.cur()
	op := ins.OpCode & 0xf0
	jmp32 := ins.Class() == isa.ClassJMP32
	x := ins.OpCode&isa.SrcX != 0
	var src reg
	if x {
		s, err := v.readReg(st, i, ins.Src)
		if err != nil {
			return false, nil, err
		}
		if v.opts.Unprivileged && s.isPointer() {
			return false, nil, v.fail(i, "R%d pointer comparison prohibited", ins.Src)
		}
		src = *s
	} else {
		src = knownScalar(uint64(ins.Constant))
	}
	d, err := v.readReg(st, i, ins.Dst)
	if err != nil {
		return false, nil, err
	}
	// A test of a pointer that may be NULL against 0 (the kernel never
	// does this for 32-bit jumps).
	nullCheck := !jmp32 && !x && ins.Constant == 0 && (op == jmpJEQ || op == jmpJNE) && maybeNull(d.typ)
	if v.opts.Unprivileged && d.isPointer() && !nullCheck {
		return false, nil, v.fail(i, "R%d pointer comparison prohibited", ins.Dst)
	}
	taken := branchTaken(d, &src, op, jmp32)
	switch taken {
	case 1, 0:
		// The branch the program cannot take, unprivileged, is still
		// explored as a CPU may execute it speculatively
		// (sanitize_speculative_path), with the compared registers
		// unknown.
		var spec *state
		if v.opts.Unprivileged {
			spec = v.clone(st)
			spec.from, spec.spec = i, true
			spec.insn = i + 1
			if taken == 0 {
				spec.insn = v.target[i]
			}
			c := spec.cur()
			c.regs[ins.Dst] = unknownScalar()
			if x {
				c.regs[ins.Src] = unknownScalar()
			}
		}
		if taken == 1 {
			st.insn = v.target[i]
		} else {
			st.insn++
		}
		return false, spec, nil
	}
	bothScalar := d.typ == Scalar && src.typ == Scalar
	other := v.clone(st)
	other.insn = v.target[i]
	other.from = i
	st.insn++
	if x && !jmp32 {
		matchPacketPointers(st, other, ins, op)
	}
	if nullCheck {
		id := d.id
		v.markPtrOrNull(st, id, op == jmpJNE)
		v.markPtrOrNull(other, id, op == jmpJEQ)
	}
	if x && !jmp32 && d.isPointer() && src.isPointer() && (op == jmpJEQ || op == jmpJNE) {
		// Equal to a pointer that is not NULL: not NULL either.
		eq := other
		if op == jmpJNE {
			eq = st
		}
		if regNotNull(d) && maybeNull(src.typ) {
			v.notNull(&eq.cur().regs[ins.Src])
		}
		if regNotNull(&src) && maybeNull(d.typ) {
			v.notNull(&eq.cur().regs[ins.Dst])
		}
	}
	if bothScalar {
		// Fall-through: the negated condition.
		fd := &f.regs[ins.Dst]
		fs := src
		if x {
			fs = f.regs[ins.Src]
		}
		refine(fd, &fs, negate(op), jmp32)
		if x {
			f.regs[ins.Src] = fs
		}
		td := &other.cur().regs[ins.Dst]
		ts := src
		if x {
			ts = other.cur().regs[ins.Src]
		}
		refine(td, &ts, op, jmp32)
		if x {
			other.cur().regs[ins.Src] = ts
		}
		fallOK := fd.sane() && fs.sane()
		takenOK := td.sane() && ts.sane()
		if fallOK {
			propagateIDs(st, ins.Dst)
			if x {
				propagateIDs(st, ins.Src)
			}
		}
		if takenOK {
			propagateIDs(other, ins.Dst)
			if x {
				propagateIDs(other, ins.Src)
			}
		}
		switch {
		case !fallOK && !takenOK:
			return true, nil, nil
		case !fallOK:
			// Only the jump is possible: continue with it.
			*st = *other
			return false, nil, nil
		case !takenOK:
			return false, nil, nil
		}
	}
	return false, other, nil
}

// markPtrOrNull resolves every register and spilled register of st holding
// the maybe-NULL pointer id after a test against 0 (mark_ptr_or_null_regs):
// the scalar 0 where it is NULL (a ring buffer record's reference goes with
// it), the pointer known not to be NULL elsewhere.
func (v *verifier) markPtrOrNull(st *state, id uint32, isNull bool) {
	if isNull {
		// A NULL record holds no reference.
		st.release(id)
	}
	mark := func(r *reg) {
		if !maybeNull(r.typ) || r.id != id {
			return
		}
		if isNull {
			*r = knownScalar(0)
			return
		}
		v.notNull(r)
		if !(r.typ == PtrToMapValue && v.maps[r.mapIdx].has(SpinLock)) {
			// Only a value that may hold a lock keeps its id
			// (reg_may_point_to_spin_lock).
			r.id = 0
		}
	}
	st.eachReg(mark)
}

// regNotNull reports whether a pointer is known not to be NULL
// (reg_not_null): the context and the stack are not among them.
func regNotNull(r *reg) bool {
	return r.typ == PtrToMem || r.typ == PtrToMapValue || r.typ == PtrToRingbufMem || r.typ == PtrToSockCommon
}

// maybeNull reports whether t is a pointer that may be NULL
// (type_may_be_null).
func maybeNull(t RegType) bool {
	return t == PtrToMapValueOrNull || t == PtrToRingbufMemOrNull || t == PtrToSockCommonOrNull
}

// propagateIDs copies the refined register r to every register and spill
// sharing its id (sync_linked_regs).
func propagateIDs(st *state, r isa.Register) {
	src := st.cur().regs[r]
	if src.id == 0 || src.typ != Scalar {
		return
	}
	base := src.id &^ addConst
	st.eachReg(func(x *reg) {
		if x.typ != Scalar || x.id&^addConst != base {
			return
		}
		if (x.id&addConst == 0 && src.id&addConst == 0) || x.off == src.off {
			*x = src
			return
		}
		// x = src + (x.off - src.off): the same value, shifted.
		id, off := x.id, x.off
		*x = src
		scalarALU(x, knownScalar(uint64(int64(off)-int64(src.off))), aluAdd, false)
		x.id, x.off = id, off
	})
}

// branchTaken returns 1 if the jump is always taken, 0 if never, -1 if
// either may happen (is_branch_taken).
func branchTaken(a, b *reg, op uint8, jmp32 bool) int {
	if a.isPointer() || b.isPointer() {
		if jmp32 {
			return -1
		}
		p, o := a, b
		if !a.isPointer() {
			p, o = b, a
		}
		// Only some pointer types are known not to be NULL
		// (reg_not_null): the context and the stack are not among them.
		if o.isPointer() || !o.isConst() || o.varOff.v != 0 || !regNotNull(p) {
			return -1
		}
		switch op {
		case jmpJEQ:
			return 0
		case jmpJNE:
			return 1
		}
		return -1
	}
	return scalarBranchTaken(a, b, op, jmp32)
}

func scalarBranchTaken(r1, r2 *reg, op uint8, jmp32 bool) int {
	t1, t2 := r1.varOff, r2.varOff
	umin1, umax1, umin2, umax2 := r1.umin, r1.umax, r2.umin, r2.umax
	smin1, smax1, smin2, smax2 := r1.smin, r1.smax, r2.smin, r2.smax
	if jmp32 {
		t1, t2 = t1.subreg(), t2.subreg()
		umin1, umax1 = uint64(r1.u32min), uint64(r1.u32max)
		umin2, umax2 = uint64(r2.u32min), uint64(r2.u32max)
		smin1, smax1 = int64(r1.s32min), int64(r1.s32max)
		smin2, smax2 = int64(r2.s32min), int64(r2.s32max)
	}
	switch op {
	case jmpJEQ, jmpJNE:
		eq := 0
		if op == jmpJNE {
			eq = 1
		}
		if t1.isConst() && t2.isConst() {
			if (t1.v == t2.v) == (op == jmpJEQ) {
				return 1
			}
			return 0
		}
		if umin1 > umax2 || umax1 < umin2 || smin1 > smax2 || smax1 < smin2 {
			return eq
		}
		if !jmp32 {
			if r1.u32min > r2.u32max || r1.u32max < r2.u32min || r1.s32min > r2.s32max || r1.s32max < r2.s32min {
				return eq
			}
		}
	case jmpJSET:
		if !t2.isConst() {
			t1, t2 = t2, t1
		}
		if !t2.isConst() {
			return -1
		}
		if (t1.v&^t1.m)&t2.v != 0 {
			return 1
		}
		if (t1.m|t1.v)&t2.v == 0 {
			return 0
		}
	case jmpJGT:
		if umin1 > umax2 {
			return 1
		} else if umax1 <= umin2 {
			return 0
		}
	case jmpJSGT:
		if smin1 > smax2 {
			return 1
		} else if smax1 <= smin2 {
			return 0
		}
	case jmpJLT:
		if umax1 < umin2 {
			return 1
		} else if umin1 >= umax2 {
			return 0
		}
	case jmpJSLT:
		if smax1 < smin2 {
			return 1
		} else if smin1 >= smax2 {
			return 0
		}
	case jmpJGE:
		if umin1 >= umax2 {
			return 1
		} else if umax1 < umin2 {
			return 0
		}
	case jmpJSGE:
		if smin1 >= smax2 {
			return 1
		} else if smax1 < smin2 {
			return 0
		}
	case jmpJLE:
		if umax1 <= umin2 {
			return 1
		} else if umin1 > umax2 {
			return 0
		}
	case jmpJSLE:
		if smax1 <= smin2 {
			return 1
		} else if smin1 > smax2 {
			return 0
		}
	}
	return -1
}

// refine narrows r1 and r2 given that "r1 op r2" holds
// (regs_refine_cond_op), then syncs their bounds.
func refine(r1, r2 *reg, op uint8, jmp32 bool) {
	refineOp(r1, r2, op, jmp32)
	r1.sync()
	r2.sync()
}

func isConstW(r *reg, jmp32 bool) bool {
	if jmp32 {
		return r.varOff.subreg().isConst()
	}
	return r.varOff.isConst()
}

func refineOp(r1, r2 *reg, op uint8, jmp32 bool) {
	switch op {
	case jmpJEQ:
		if jmp32 {
			r1.u32min, r1.u32max = max(r1.u32min, r2.u32min), min(r1.u32max, r2.u32max)
			r1.s32min, r1.s32max = max(r1.s32min, r2.s32min), min(r1.s32max, r2.s32max)
			r2.u32min, r2.u32max, r2.s32min, r2.s32max = r1.u32min, r1.u32max, r1.s32min, r1.s32max
			t := tnumIntersect(r1.varOff.subreg(), r2.varOff.subreg())
			r1.varOff = r1.varOff.withSubreg(t)
			r2.varOff = r2.varOff.withSubreg(t)
		} else {
			r1.umin, r1.umax = max(r1.umin, r2.umin), min(r1.umax, r2.umax)
			r1.smin, r1.smax = max(r1.smin, r2.smin), min(r1.smax, r2.smax)
			r2.umin, r2.umax, r2.smin, r2.smax = r1.umin, r1.umax, r1.smin, r1.smax
			t := tnumIntersect(r1.varOff, r2.varOff)
			r1.varOff, r2.varOff = t, t
		}
	case jmpJNE:
		if !isConstW(r2, jmp32) {
			r1, r2 = r2, r1
		}
		if !isConstW(r2, jmp32) {
			return
		}
		val := r2.varOff.v
		if jmp32 {
			if r1.u32min == uint32(val) {
				r1.u32min++
			}
			if r1.u32max == uint32(val) {
				r1.u32max--
			}
			if r1.s32min == int32(val) {
				r1.s32min++
			}
			if r1.s32max == int32(val) {
				r1.s32max--
			}
		} else {
			if r1.umin == val {
				r1.umin++
			}
			if r1.umax == val {
				r1.umax--
			}
			if r1.smin == int64(val) {
				r1.smin++
			}
			if r1.smax == int64(val) {
				r1.smax--
			}
		}
	case jmpJSET, jmpJSETNot:
		if !isConstW(r2, jmp32) {
			r1, r2 = r2, r1
		}
		if !isConstW(r2, jmp32) {
			return
		}
		val := r2.varOff.v
		if jmp32 {
			val &= 0xffffffff
		}
		if op == jmpJSET {
			if val == 0 || val&(val-1) != 0 {
				return
			}
			if jmp32 {
				r1.varOff = r1.varOff.withSubreg(tnumOr(r1.varOff.subreg(), tnumConst(val)))
			} else {
				r1.varOff = tnumOr(r1.varOff, tnumConst(val))
			}
		} else {
			if jmp32 {
				r1.varOff = r1.varOff.withSubreg(tnumAnd(r1.varOff.subreg(), tnumConst(^val)))
			} else {
				r1.varOff = tnumAnd(r1.varOff, tnumConst(^val))
			}
		}
	case jmpJLE:
		if jmp32 {
			r1.u32max = min(r1.u32max, r2.u32max)
			r2.u32min = max(r1.u32min, r2.u32min)
		} else {
			r1.umax = min(r1.umax, r2.umax)
			r2.umin = max(r1.umin, r2.umin)
		}
	case jmpJLT:
		if jmp32 {
			r1.u32max = min(r1.u32max, r2.u32max-1)
			r2.u32min = max(r1.u32min+1, r2.u32min)
		} else {
			r1.umax = min(r1.umax, r2.umax-1)
			r2.umin = max(r1.umin+1, r2.umin)
		}
	case jmpJSLE:
		if jmp32 {
			r1.s32max = min(r1.s32max, r2.s32max)
			r2.s32min = max(r1.s32min, r2.s32min)
		} else {
			r1.smax = min(r1.smax, r2.smax)
			r2.smin = max(r1.smin, r2.smin)
		}
	case jmpJSLT:
		if jmp32 {
			r1.s32max = min(r1.s32max, r2.s32max-1)
			r2.s32min = max(r1.s32min+1, r2.s32min)
		} else {
			r1.smax = min(r1.smax, r2.smax-1)
			r2.smin = max(r1.smin+1, r2.smin)
		}
	case jmpJGE, jmpJGT, jmpJSGE, jmpJSGT:
		refineOp(r2, r1, flip(op), jmp32)
	}
}

func (v *verifier) checkLocalCall(st *state, i int) error {
	if len(st.frames) >= MaxCallFrames {
		return v.fail(i, "the call stack of %d frames is too deep !", len(st.frames)+1)
	}
	caller := st.cur()
	t := v.target[i]
	callee := &frame{callsite: i, subprog: v.subprogOf[t]}
	for r := isa.R1; r <= isa.R5; r++ {
		callee.regs[r] = caller.regs[r]
	}
	callee.regs[isa.R10] = pointerTo(PtrToStack, 0)
	callee.regs[isa.R10].frame = uint8(len(st.frames))
	for r := isa.R0; r <= isa.R5; r++ {
		caller.regs[r] = reg{}
	}
	st.frames = append(st.frames, callee)
	st.insn = t
	return nil
}

func (v *verifier) checkExit(st *state, i int) (bool, *state, error) {
	if st.lock.mapIdx != 0 {
		// Every exit, a subprogram's too.
		return false, nil, v.fail(i, "bpf_spin_unlock is missing")
	}
	if len(st.frames) == 1 {
		if err := v.checkReferenceLeak(st, i, -1); err != nil {
			return false, nil, err
		}
		r0, err := v.readReg(st, i, isa.R0)
		if err != nil {
			return false, nil, err
		}
		if v.opts.Unprivileged && r0.isPointer() {
			return false, nil, v.fail(i, "R0 leaks addr as return value")
		}
		return true, nil, nil
	}
	if st.cur().callback {
		return false, nil, v.callbackExit(st, i)
	}
	// A subprogram's r0 goes back to the caller as it is, even
	// uninitialised (prepare_func_exit): the caller may not read it then.
	callee := st.cur()
	r0 := &callee.regs[isa.R0]
	if r0.typ == PtrToStack {
		// Even a caller's, as the kernel refuses it.
		return false, nil, v.fail(i, "cannot return stack pointer to the caller")
	}
	ret := *r0
	if v.tailReach[callee.subprog] {
		// A tail call from the subprogram returns the target's r0
		// instead: some scalar.
		ret = unknownScalar()
	}
	st.frames = st.frames[:len(st.frames)-1]
	caller := st.cur()
	caller.regs[isa.R0] = ret
	st.insn = callee.callsite + 1
	return false, nil, nil
}

// matchPacketPointers learns packet ranges from a comparison of a packet
// pointer with the packet end (try_match_pkt_pointers): fall is the
// fall-through state, jump the state where the jump is taken.
func matchPacketPointers(fall, jump *state, ins isa.Instruction, op uint8) {
	d, s := fall.cur().regs[ins.Dst], fall.cur().regs[ins.Src]
	pktEnd := func(a, b reg) bool {
		return (a.typ == PtrToPacket && b.typ == PtrToPacketEnd) ||
			(a.typ == PtrToPacketMeta && b.typ == PtrToPacket && b.id == 0 && b.off == 0 && b.varOff == tnumConst(0))
	}
	switch {
	case pktEnd(d, s):
		switch op {
		case jmpJGT: // pkt' > end: in range when not taken
			goodPackets(fall, d, false)
		case jmpJLT: // pkt' < end
			goodPackets(jump, d, true)
		case jmpJGE:
			goodPackets(fall, d, true)
		case jmpJLE:
			goodPackets(jump, d, false)
		}
	case pktEnd(s, d):
		switch op {
		case jmpJGT: // end > pkt'
			goodPackets(jump, s, true)
		case jmpJLT: // end < pkt'
			goodPackets(fall, s, false)
		case jmpJGE: // end >= pkt'
			goodPackets(jump, s, false)
		case jmpJLE: // end <= pkt'
			goodPackets(fall, s, true)
		}
	}
}

// goodPackets gives every packet pointer sharing p's base the range p's
// offset proves (find_good_pkt_pointers).
func goodPackets(st *state, p reg, rightOpen bool) {
	if p.off < 0 || (p.off == 0 && rightOpen) {
		return
	}
	if p.umax > maxPacketOff || p.umax+uint64(p.off) > maxPacketOff {
		return
	}
	rng := p.off
	if rightOpen {
		rng++
	}
	upd := func(r *reg) {
		if r.typ == p.typ && r.id == p.id && r.rng < rng {
			r.rng = rng
		}
	}
	st.eachReg(upd)
}
