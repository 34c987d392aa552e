package verifier

import "math/bits"

// slotType is what the verifier knows about one byte of stack (the kernel's
// STACK_INVALID, STACK_MISC, STACK_ZERO, STACK_SPILL).
type slotType uint8

const (
	stackInvalid slotType = iota // never written
	stackMisc                    // some data
	stackZero                    // known zero
	stackSpill                   // part of a spilled register
)

// stackSlot is 8 bytes of stack; kinds[0] is the byte at the lowest
// address. A spill covers the first spillSize bytes.
type stackSlot struct {
	kinds     [8]slotType
	spill     reg
	spillSize uint8
}

func (s *stackSlot) isSpill() bool { return s.kinds[0] == stackSpill }

// frame is one call frame: registers and stack.
type frame struct {
	regs     [11]reg
	stack    []stackSlot // stack[k] covers offsets [-8(k+1), -8k)
	callsite int         // instruction index of the call, -1 for the entry
	subprog  int
	depth    int  // bytes of stack touched
	callback bool // the frame is a callback's: its exit goes back to the helper call (in_callback_fn)
	cbIter   int  // callback iterations explored from this frame's current call (callback_depth)
	// cbCall numbers the frame's current arrival at a callback-calling
	// helper: iterations of one call may prune each other, not those of
	// an earlier pass of a loop around the call.
	cbCall uint32
}

// slotAt returns the slot holding stack offset off (negative), growing the
// stack as needed.
func (f *frame) slotAt(off int) (*stackSlot, int) {
	k := (-off - 1) / 8
	for len(f.stack) <= k {
		f.stack = append(f.stack, stackSlot{})
	}
	return &f.stack[k], (off + MaxStack) % 8
}

// state is one path's abstract machine state.
// eachReg calls fn for every register and spilled register of every
// frame of s (the kernel's bpf_for_each_reg_in_vstate).
func (s *state) eachReg(fn func(*reg)) {
	for _, f := range s.frames {
		for k := range f.regs {
			fn(&f.regs[k])
		}
		for k := range f.stack {
			if f.stack[k].isSpill() {
				fn(&f.stack[k].spill)
			}
		}
	}
}

type state struct {
	frames []*frame
	parent *checkpoint
	insn   int
	from   int // instruction that forked this state, for the log; -1 if none
	// refs are the references the program holds and must release (the
	// kernel's acquired_refs): ring buffer records from ringbuf_reserve.
	refs []ref
	// lock is the bpf_spin_lock the program holds (active_lock).
	lock heldLock
	// cbReturn marks a state that a callback's exit has just brought
	// back to its helper call: only such a state is another iteration
	// that an earlier one, still being explored, may cover.
	cbReturn bool
	// spec marks a path a CPU may only execute speculatively (the
	// kernel's speculative states): it prunes no path that is not.
	spec bool
	// cbDepth counts the callback visits on the path
	// (callback_unroll_depth): states at different depths are not an
	// infinite loop.
	cbDepth int
}

// heldLock names a held bpf_spin_lock: the map (index plus one, 0 if no
// lock is held) and the id of the value pointer it was taken through (0
// for global data, whose value is unique).
type heldLock struct {
	mapIdx int32
	id     uint32
}

// ref is one acquired reference: its id (the ref_obj_id of the registers
// holding it) and the instruction that acquired it.
type ref struct {
	id      uint32
	insn    int
	cbFrame int // the callback frame that acquired it (callback_ref); 0 outside callbacks
}

// callbackFrame is the frame number of the current frame if it is a
// callback's, else 0.
func (s *state) callbackFrame() int {
	if s.cur().callback {
		return len(s.frames) - 1
	}
	return 0
}

// ownsReference reports whether the current frame may release reference
// id: outside callbacks every held reference, in a callback only those it
// acquired.
func (s *state) ownsReference(id uint32) bool {
	cb := s.callbackFrame()
	for _, r := range s.refs {
		if r.id == id {
			return cb == 0 || r.cbFrame == cb
		}
	}
	return true // not held: releaseReference reports it
}

func (s *state) cur() *frame { return s.frames[len(s.frames)-1] }

// clone copies s, taking frames from v's free list.
func (v *verifier) clone(s *state) *state {
	t := &state{parent: s.parent, insn: s.insn, from: s.from, lock: s.lock, cbDepth: s.cbDepth, spec: s.spec}
	if len(s.refs) > 0 {
		t.refs = append([]ref(nil), s.refs...)
	}
	t.frames = make([]*frame, len(s.frames))
	for i, f := range s.frames {
		g := v.newFrame()
		stack := g.stack[:0]
		*g = *f
		g.stack = append(stack, f.stack...)
		t.frames[i] = g
	}
	return t
}

// newFrame returns a frame from the free list, or a new one.
func (v *verifier) newFrame() *frame {
	if n := len(v.freeFrames); n > 0 {
		f := v.freeFrames[n-1]
		v.freeFrames = v.freeFrames[:n-1]
		return f
	}
	return &frame{}
}

// recycle puts the frames of a state no longer used on the free list.
func (v *verifier) recycle(s *state) {
	v.freeFrames = append(v.freeFrames, s.frames...)
	s.frames = nil
}

// checkpoint is a state kept at a prune point. branches counts the paths
// still being explored from it; while it is non-zero the checkpoint is an
// ancestor of the current path and cannot be used for pruning.
type checkpoint struct {
	st        *state
	branches  int
	parent    *checkpoint
	insn      int
	key       loopKey
	hit, miss int
}

// loopKey finds the in-progress checkpoints a state may equal exactly: a
// hash of the instruction and the state (see loopKeyOf). Checkpoints under
// one key may belong to other instructions.
type loopKey uint64

func loopKeyOf(insn int, s *state) loopKey {
	return loopKey(hashState(s) ^ uint64(insn)*0x9e3779b97f4a7c15)
}

// hashState hashes what exact equality compares first: the registers of
// every frame, without ids.
func hashState(s *state) uint64 {
	h := uint64(14695981039346656037)
	mix := func(x uint64) {
		h = (h ^ x) * 1099511628211
	}
	// One multiply per register: the bounds folded by rotation and
	// exclusive or are as good a hash and cost a cycle each.
	fold := func(r *reg) uint64 {
		return r.varOff.v ^ bits.RotateLeft64(r.varOff.m, 11) ^ bits.RotateLeft64(uint64(r.smin), 19) ^
			bits.RotateLeft64(uint64(r.smax), 27) ^ bits.RotateLeft64(r.umin, 35) ^ bits.RotateLeft64(r.umax, 43) ^
			bits.RotateLeft64(uint64(uint32(r.s32min))|uint64(uint32(r.s32max))<<32, 51) ^
			bits.RotateLeft64(uint64(r.u32min)|uint64(r.u32max)<<32, 59)
	}
	mix(uint64(s.cbDepth)) // exact equality compares it
	for _, f := range s.frames {
		mix(uint64(f.callsite))
		for k := range f.regs {
			r := &f.regs[k]
			mix(uint64(r.typ) | uint64(uint32(r.off))<<8 | uint64(r.frame)<<40)
			if r.typ != NotInit {
				mix(fold(r))
			}
		}
		// The stack too: states that differ only there (a counter kept
		// on the stack) must not share a key. Empty slots hash as
		// missing ones, as exact equality treats them.
		for k := range f.stack {
			sl := &f.stack[k]
			var kinds uint64
			for b, t := range sl.kinds {
				kinds |= uint64(t) << (8 * b)
			}
			if kinds == 0 && sl.spillSize == 0 {
				continue
			}
			mix(kinds ^ uint64(k)<<56 ^ uint64(sl.spillSize)<<48)
			if sl.isSpill() {
				sp := &sl.spill
				mix(uint64(sp.typ) | uint64(uint32(sp.off))<<8 | uint64(sp.frame)<<40)
				mix(fold(sp))
			}
		}
	}
	return h ^ h>>29
}

// done decrements the branch counts of c and its ancestors whose counts
// reach zero (update_branch_counts).
func (v *verifier) done(c *checkpoint) {
	for c != nil {
		c.branches--
		if c.branches > 0 {
			return
		}
		// Fully explored: usable for pruning from now on.
		l := v.loops[c.key]
		for k, x := range l {
			if x == c {
				l[k] = l[len(l)-1]
				l = l[:len(l)-1]
				break
			}
		}
		if len(l) == 0 {
			delete(v.loops, c.key)
		} else {
			v.loops[c.key] = l
		}
		v.inProgress[c.insn]--
		if key := (cbKey{c.insn, c.st.cur().cbCall}); len(v.cbActive[key]) > 0 {
			l := v.cbActive[key]
			for k, x := range l {
				if x == c {
					v.cbActive[key] = append(l[:k], l[k+1:]...)
					break
				}
			}
		}
		v.explored[c.insn] = append(v.explored[c.insn], c)
		c = c.parent
	}
}

// idMap checks that scalar ids correspond one to one between two states.
type idMap struct {
	n     int           // pairs used in fixed
	fixed [16][2]uint32 // old, cur id pairs: states have few ids
	extra [][2]uint32   // pairs beyond fixed
}

func (m *idMap) check(old, cur uint32) bool {
	if old == 0 && cur == 0 {
		return true
	}
	if old == 0 {
		// The old state knew no relation; the current one has one: fine.
		return true
	}
	if cur == 0 {
		return false
	}
	for _, p := range m.fixed[:m.n] {
		if p[0] == old || p[1] == cur {
			return p[0] == old && p[1] == cur
		}
	}
	for _, p := range m.extra {
		if p[0] == old || p[1] == cur {
			return p[0] == old && p[1] == cur
		}
	}
	if m.n < len(m.fixed) {
		m.fixed[m.n] = [2]uint32{old, cur}
		m.n++
	} else {
		m.extra = append(m.extra, [2]uint32{old, cur})
	}
	return true
}

// checkBoth is the kernel's check_ids: both ids set and corresponding one
// to one, or both zero.
func (m *idMap) checkBoth(old, cur uint32) bool {
	if (old == 0) != (cur == 0) {
		return false
	}
	return m.check(old, cur)
}

func rangeWithin(old, cur *reg) bool {
	return old.umin <= cur.umin && old.umax >= cur.umax &&
		old.smin <= cur.smin && old.smax >= cur.smax &&
		old.u32min <= cur.u32min && old.u32max >= cur.u32max &&
		old.s32min <= cur.s32min && old.s32max >= cur.s32max
}

// regSafe reports whether every continuation safe from old is safe from
// cur (regsafe); exact asks for equality, used to detect infinite loops.
func regSafe(old, cur *reg, m *idMap, exact bool) bool {
	if exact {
		o, c := *old, *cur
		o.id, c.id = 0, 0
		return o == c && m.check(old.id, cur.id)
	}
	if old.typ == NotInit {
		return true
	}
	if old.typ != cur.typ {
		return false
	}
	switch old.typ {
	case Scalar:
		// Links by a constant delta must agree (BPF_ADD_CONST).
		if old.id&addConst != cur.id&addConst && old.id != 0 {
			return false
		}
		if old.id&addConst != 0 && (old.off != cur.off || !m.check(old.id&^addConst, cur.id&^addConst)) {
			return false
		}
		return m.check(old.id, cur.id) && rangeWithin(old, cur) && old.varOff.in(cur.varOff)
	case PtrToPacket, PtrToPacketMeta:
		return old.off == cur.off && old.rng <= cur.rng && m.check(old.id, cur.id) &&
			rangeWithin(old, cur) && old.varOff.in(cur.varOff)
	case PtrToMapValueOrNull:
		return old.off == cur.off && old.mapIdx == cur.mapIdx && m.checkBoth(old.id, cur.id) &&
			rangeWithin(old, cur) && old.varOff.in(cur.varOff)
	case PtrToMapValue:
		// The id names the value for bpf_spin_lock.
		return old.off == cur.off && old.mapIdx == cur.mapIdx && m.checkBoth(old.id, cur.id) &&
			rangeWithin(old, cur) && old.varOff.in(cur.varOff)
	case PtrToRingbufMem, PtrToRingbufMemOrNull:
		return old.off == cur.off && old.size == cur.size && m.checkBoth(old.id, cur.id) &&
			m.checkBoth(old.refObj, cur.refObj) && rangeWithin(old, cur) && old.varOff.in(cur.varOff)
	default:
		return old.off == cur.off && old.frame == cur.frame && old.size == cur.size && old.mapIdx == cur.mapIdx &&
			rangeWithin(old, cur) && old.varOff.in(cur.varOff)
	}
}

func stackSafe(old, cur *frame, m *idMap, exact, unpriv bool) bool {
	var empty stackSlot
	n := max(len(old.stack), len(cur.stack))
	for k := 0; k < n; k++ {
		o, c := &empty, &empty
		if k < len(old.stack) {
			o = &old.stack[k]
		}
		if k < len(cur.stack) {
			c = &cur.stack[k]
		}
		if exact {
			if o.kinds != c.kinds || o.spillSize != c.spillSize ||
				(o.isSpill() && !regSafe(&o.spill, &c.spill, m, true)) {
				return false
			}
			continue
		}
		if o.isSpill() {
			if !c.isSpill() || o.spillSize != c.spillSize || !regSafe(&o.spill, &c.spill, m, false) {
				return false
			}
			for b := int(o.spillSize); b < 8; b++ {
				if !byteSafe(o.kinds[b], c.kinds[b], unpriv) {
					return false
				}
			}
			continue
		}
		for b := 0; b < 8; b++ {
			ok := byteSafe(o.kinds[b], c.kinds[b], unpriv)
			if ok && c.kinds[b] == stackSpill && c.spill.typ != Scalar && o.kinds[b] != stackInvalid {
				// A pointer where the old state had data: a fill gives
				// a pointer instead of a scalar.
				ok = false
			}
			if !ok {
				return false
			}
		}
	}
	return true
}

func byteSafe(old, cur slotType, unpriv bool) bool {
	switch old {
	case stackInvalid:
		return true
	case stackMisc:
		return !unpriv || cur == stackMisc || cur == stackZero
	case stackZero:
		return cur == stackZero
	}
	return false
}

// statesEqual reports whether cur is covered by old (states_equal).
func statesEqual(old, cur *state, exact, unpriv bool, live regSet) bool {
	if len(old.frames) != len(cur.frames) || len(old.refs) != len(cur.refs) || (exact && old.cbDepth != cur.cbDepth) ||
		(old.spec && !cur.spec) {
		return false
	}
	var m idMap
	if old.lock.mapIdx != cur.lock.mapIdx || !m.checkBoth(old.lock.id, cur.lock.id) {
		return false
	}
	for k := range old.refs {
		// refsafe: the same references, ids corresponding.
		if !m.checkBoth(old.refs[k].id, cur.refs[k].id) {
			return false
		}
	}
	for i := range old.frames {
		of, cf := old.frames[i], cur.frames[i]
		if of.callsite != cf.callsite || of.cbIter > cf.cbIter {
			return false
		}
		inner := i == len(old.frames)-1
		for r := range of.regs {
			if inner && !exact && live&(1<<r) == 0 {
				continue // dead: no path reads it
			}
			if !regSafe(&of.regs[r], &cf.regs[r], &m, exact) {
				return false
			}
		}
		if !stackSafe(of, cf, &m, exact, unpriv) {
			return false
		}
	}
	return true
}
