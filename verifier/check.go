package verifier

import (
	"fmt"
	"math"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/isa"
)

// maxVarOff bounds pointer offsets (BPF_MAX_VAR_OFF).
const maxVarOff = 1 << 29

func (v *verifier) initialState() *state {
	f := &frame{callsite: -1}
	f.regs[isa.R10] = pointerTo(PtrToStack, 0)
	switch v.opts.ProgType {
	case Raw:
		f.regs[isa.R1] = pointerTo(PtrToMem, 0)
		f.regs[isa.R1].size = uint32(v.opts.MemSize)
		f.regs[isa.R2] = knownScalar(uint64(v.opts.MemSize))
	default:
		f.regs[isa.R1] = pointerTo(PtrToCtx, 0)
	}
	return &state{frames: []*frame{f}, from: -1}
}

// run explores every path of the program depth first, as the kernel's
// do_check: one current state, a stack of states forked at conditional
// jumps, and states kept at prune points to cut paths already proven safe.
func (v *verifier) run() error {
	if err := v.checkStructure(); err != nil {
		return err
	}
	if err := v.checkMapLoads(); err != nil {
		return err
	}
	v.scanSubprogs()
	if err := v.checkFuncInfo(); err != nil {
		return err
	}
	v.computeLiveness()
	n := len(v.insns)
	v.info = make([]InsnInfo, n)
	v.explored = make([][]*checkpoint, n)
	v.loops = map[loopKey][]*checkpoint{}
	v.cbActive = map[cbKey][]*checkpoint{}
	v.inProgress = make([]int, n)
	v.stackDepth = make([]int, len(v.subprogs))
	cur := v.initialState()
	var pending []*state
	printState := false
	for {
		if cur == nil {
			if len(pending) == 0 {
				break
			}
			cur = pending[len(pending)-1]
			pending = pending[:len(pending)-1]
			printState = v.opts.LogLevel > 0
		}
		i := cur.insn
		v.processed++
		if v.processed > MaxProcessedInsns {
			return v.fail(i, "BPF program is too large. Processed %d insn", v.processed)
		}
		if v.prune[i] {
			pruned, err := v.visit(cur)
			if err != nil {
				return err
			}
			if pruned {
				if v.opts.LogLevel > 0 {
					if printState {
						v.logf("\nfrom %d to %d: safe\n", v.slot(cur.from), v.slot(i))
					} else {
						v.logf("%d: safe\n", v.slot(i))
					}
				}
				v.done(cur.parent)
				v.recycle(cur)
				cur = nil
				continue
			}
		}
		if v.opts.LogLevel > 1 || printState {
			if printState && cur.from >= 0 {
				v.logf("\nfrom %d to %d: ", v.slot(cur.from), v.slot(i))
			} else {
				v.logf("%d: ", v.slot(i))
			}
			v.logState(cur)
			printState = false
		}
		if v.opts.LogLevel > 0 {
			v.logf("%d: (%02x) %s\n", v.slot(i), v.insns[i].OpCode, v.insnText(i))
		}
		v.info[i].Reached = true
		ended, forked, err := v.exec(cur)
		if err != nil {
			return err
		}
		if forked != nil {
			if forked.parent != nil {
				forked.parent.branches++
			}
			pending = append(pending, forked)
		}
		if ended {
			v.done(cur.parent)
			v.recycle(cur)
			cur = nil
		}
	}
	return v.checkStackDepth()
}

// visit looks for an explored state at cur's instruction that covers cur
// (is_state_visited). A covering state prunes the path; an equal state
// still being explored is an infinite loop; otherwise cur may be kept.
func (v *verifier) visit(cur *state) (bool, error) {
	i := cur.insn
	addNew := v.jmps-v.prevJmps >= 2 && v.processed-v.prevInsns >= 8
	// Hash only where a loop may be closing or a checkpoint is added.
	var key loopKey
	hashed := false
	iteration := v.callsCB[i] && cur.cbReturn
	cur.cbReturn = false
	if v.callsCB[i] && !iteration {
		// A new call: its iterations are its own.
		v.nextCall++
		cur.cur().cbCall = v.nextCall
	}
	if iteration {
		// A callback iteration that an earlier iteration of the same
		// call, still being explored, covers adds nothing: the
		// iterations have converged. (A state that comes back to the
		// call any other way, around a loop of the program, is checked
		// as any loop is.)
		for _, c := range v.cbActive[cbKey{i, cur.cur().cbCall}] {
			if statesEqual(c.st, cur, false, v.opts.Unprivileged, v.live[i]) {
				c.hit++
				return true, nil
			}
		}
	}
	if v.callsCB[i] {
		addNew = true
	}
	if !iteration && v.inProgress[i] > 0 {
		key, hashed = loopKeyOf(i, cur), true
		for _, c := range v.loops[key] {
			if c.insn == i && statesEqual(c.st, cur, true, v.opts.Unprivileged, allRegs) {
				return false, v.fail(i, "infinite loop detected at insn %d", v.slot(i))
			}
		}
	}
	if v.inProgress[i] > 0 && v.jmps-v.prevJmps < 20 && v.processed-v.prevInsns < 100 && !v.callsCB[i] {
		addNew = false
	}
	l := v.explored[i]
	for k := 0; k < len(l); k++ {
		c := l[k]
		if statesEqual(c.st, cur, false, v.opts.Unprivileged, v.live[i]) {
			c.hit++
			return true, nil
		}
		c.miss++
		if c.miss > c.hit*3+3 {
			// A state that keeps missing costs more than it saves.
			l[k] = l[len(l)-1]
			l = l[:len(l)-1]
			k--
			v.curStates--
		}
	}
	v.explored[i] = l
	if !addNew {
		return false, nil
	}
	v.prevJmps, v.prevInsns = v.jmps, v.processed
	if !hashed {
		key = loopKeyOf(i, cur)
	}
	cp := &checkpoint{st: v.clone(cur), branches: 1, parent: cur.parent, insn: i, key: key}
	cur.parent = cp
	v.loops[key] = append(v.loops[key], cp)
	if v.callsCB[i] {
		k := cbKey{i, cur.cur().cbCall}
		v.cbActive[k] = append(v.cbActive[k], cp)
	}
	v.inProgress[i]++
	v.totalStates++
	v.curStates++
	v.peakStates = max(v.peakStates, v.curStates)
	return false, nil
}

// checkStackDepth checks the combined stack of every call chain
// (check_max_stack_depth): each frame rounded up to 32 bytes. It also
// applies the rules of tail calls and legacy packet loads in call chains:
// a subprogram that tail calls may not be entered with 256 bytes or more
// of stack below it, and no callback may reach LD_ABS or LD_IND.
func (v *verifier) checkStackDepth() error {
	sub := &v.sub
	calls, tailCall, ldAbs, isCB := sub.calls, sub.tail, sub.ldAbs, sub.isCB
	round := func(d int) int { return (max(d, 1) + 31) &^ 31 }
	var walk func(sp, depth, frames int, inCB bool) error
	walk = func(sp, depth, frames int, inCB bool) error {
		inCB = inCB || isCB[sp]
		if ldAbs[sp] && inCB {
			return v.fail(-1, "cannot use BPF_LD_[ABS|IND] within callback")
		}
		if tailCall[sp] && inCB {
			return v.unsupported(-1, "tail calls from callbacks are not supported yet")
		}
		if sp != 0 && tailCall[sp] && depth >= 256 {
			return v.fail(-1, "tail_calls are not allowed when call stack of previous frames is %d bytes. Too large", depth)
		}
		depth += round(v.stackDepth[sp])
		if depth > MaxStack {
			return v.fail(-1, "combined stack size of %d calls is %d. Too large", frames, depth)
		}
		if frames >= MaxCallFrames {
			if len(calls[sp]) > 0 {
				// The static walk of check_max_stack_depth: recursion
				// is refused even when every path is bounded.
				return v.fail(-1, "the call stack of %d frames is too deep !", frames)
			}
			return nil
		}
		for _, c := range calls[sp] {
			if err := walk(c, depth, frames+1, inCB); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(0, 0, 1, false)
}

func (v *verifier) result() *Result {
	v.finishLog()
	r := &Result{
		StackDepth:        v.stackDepth[0],
		SubprogStackDepth: v.stackDepth,
		Subprogs:          v.subprogs,
		ProcessedInsns:    v.processed,
		TotalStates:       v.totalStates,
		PeakStates:        v.peakStates,
		Log:               v.log.String(),
		Insns:             v.info,
		MaxCtxOffset:      v.maxCtxOffset,
		Time:              v.took,
	}
	return r
}

// exec runs one instruction on st. ended reports that the path is over;
// forked is a second path to explore later.
func (v *verifier) exec(st *state) (ended bool, forked *state, err error) {
	i := st.insn
	ins := v.insns[i]
	switch ins.Class() {
	case isa.ClassALU, isa.ClassALU64:
		err = v.checkALU(st, i, ins)
		st.insn++
		return false, nil, err
	case isa.ClassLDX:
		err = v.checkLoad(st, i, ins)
		st.insn++
		return false, nil, err
	case isa.ClassST, isa.ClassSTX:
		if ins.OpCode&0xe0 == isa.ModeATOMIC {
			err = v.checkAtomic(st, i, ins)
		} else {
			err = v.checkStore(st, i, ins)
		}
		st.insn++
		return false, nil, err
	case isa.ClassLD:
		err = v.checkLD(st, i, ins)
		st.insn++
		if err == nil && !ins.IsLoadImm64() && len(st.frames) > 1 {
			// A legacy packet load that fails returns 0 from the
			// current function at once: explore that exit too.
			other := v.clone(st)
			other.insn = i
			other.from = i
			other.cur().regs[isa.R0] = knownScalar(0)
			if _, _, err := v.checkExit(other, i); err != nil {
				return false, nil, err
			}
			return false, other, nil
		}
		return false, nil, err
	}
	// Jumps, calls, exit.
	switch {
	case ins.OpCode == isa.OpJA || ins.OpCode == isa.OpJA32:
		v.jmps++
		st.insn = v.target[i]
		return false, nil, nil
	case ins.OpCode == isa.OpExit:
		v.jmps++
		return v.checkExit(st, i)
	case ins.IsLocalCall():
		v.jmps++
		return false, nil, v.checkLocalCall(st, i)
	case ins.IsHelperCall():
		err = v.checkHelperCall(st, i, ins)
		st.insn++
		forked, v.cbFork = v.cbFork, nil
		return false, forked, err
	case ins.IsKfuncCall():
		return false, nil, v.unsupported(i, "kernel function calls are not supported")
	case ins.OpCode == isa.OpCallX:
		return false, nil, v.unsupported(i, "callx is not supported")
	}
	v.jmps++
	return v.checkCondJump(st, i, ins)
}

func (v *verifier) readReg(st *state, i int, r isa.Register) (*reg, error) {
	f := st.cur()
	if f.regs[r].typ == NotInit {
		return nil, v.fail(i, "R%d !read_ok", r)
	}
	return &f.regs[r], nil
}

func (v *verifier) writable(i int, r isa.Register) error {
	if r == isa.R10 {
		return v.fail(i, "frame pointer is read only")
	}
	return nil
}

var aluNames = [16]string{"+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "neg", "%=", "^=", "=", "s>>=", "endian", "", ""}

func (v *verifier) checkALU(st *state, i int, ins isa.Instruction) error {
	f := st.cur()
	op := ins.OpCode & 0xf0
	alu32 := ins.Class() == isa.ClassALU
	x := ins.OpCode&isa.SrcX != 0
	switch op {
	case aluNeg, aluEnd:
		d, err := v.readReg(st, i, ins.Dst)
		if err != nil {
			return err
		}
		if v.opts.Unprivileged && d.isPointer() {
			return v.fail(i, "R%d pointer arithmetic prohibited", ins.Dst)
		}
		if err := v.writable(i, ins.Dst); err != nil {
			return err
		}
		// Negation makes the register unknown, as in Linux 6.12.
		if op == aluEnd {
			toLE := alu32 && ins.OpCode&isa.SrcX == 0
			if !(toLE && d.typ == Scalar) {
				// A byte swap: nothing is known but the width.
				*d = unknownScalar()
			}
			d.id, d.off = 0, 0 // truncate(8) returns at once
			d.truncate(int(ins.Constant / 8))
			return nil
		}
		*d = unknownScalar()
		if alu32 {
			d.zext32()
			d.sync()
		}
		return nil
	case aluMov:
		if !x {
			if err := v.writable(i, ins.Dst); err != nil {
				return err
			}
			if alu32 {
				f.regs[ins.Dst] = knownScalar(uint64(uint32(ins.Imm32())))
			} else {
				f.regs[ins.Dst] = knownScalar(uint64(ins.Constant))
			}
			return nil
		}
		s, err := v.readReg(st, i, ins.Src)
		if err != nil {
			return err
		}
		if err := v.writable(i, ins.Dst); err != nil {
			return err
		}
		if s.isPointer() {
			if ins.Offset == 0 && !alu32 {
				f.regs[ins.Dst] = *s
				return nil
			}
			if v.opts.Unprivileged {
				if ins.Offset != 0 {
					return v.fail(i, "R%d sign-extension part of pointer", ins.Src)
				}
				return v.fail(i, "R%d partial copy of pointer", ins.Src)
			}
			f.regs[ins.Dst] = unknownScalar()
			if alu32 {
				f.regs[ins.Dst].zext32()
				f.regs[ins.Dst].sync()
			}
			return nil
		}
		// A 64-bit copy, or a 32-bit one of a value that fits in 32 bits,
		// links the two registers (assign_scalar_id_before_mov).
		if ins.Offset == 0 && (!alu32 || s.umax <= math.MaxUint32) {
			if s.id&addConst != 0 {
				// Links do not chain: rX = rY where rY = rZ + c.
				s.id, s.off = 0, 0
			}
			if s.id == 0 && !s.varOff.isConst() {
				v.nextID++
				s.id, s.off = v.nextID, 0
			}
			if !alu32 {
				f.regs[ins.Dst] = *s
				return nil
			}
		}
		r := *s
		if alu32 && ins.Offset == 0 && s.umax <= math.MaxUint32 {
			r.zext32() // the same value: keep the link
			r.sync()
			f.regs[ins.Dst] = r
			return nil
		}
		r.id, r.off = 0, 0
		if ins.Offset != 0 {
			// movsx: a value that needs no sign extension stays linked
			// to its source.
			noSext := s.umax < 1<<(ins.Offset-1)
			if noSext && s.id&addConst != 0 {
				s.id, s.off = 0, 0
			}
			if noSext && s.id == 0 && !s.varOff.isConst() {
				v.nextID++
				s.id, s.off = v.nextID, 0
			}
			r = *s
			if alu32 {
				r.signExtend32(int(ins.Offset / 8))
				r.zext32()
				r.sync()
			} else {
				r.signExtend(int(ins.Offset / 8))
			}
			if noSext {
				r.id = s.id
			}
		} else {
			r.zext32()
			r.sync()
		}
		f.regs[ins.Dst] = r
		return nil
	}
	var src reg
	if x {
		s, err := v.readReg(st, i, ins.Src)
		if err != nil {
			return err
		}
		src = *s
	} else {
		src = knownScalar(uint64(ins.Constant))
	}
	d, err := v.readReg(st, i, ins.Dst)
	if err != nil {
		return err
	}
	if !x {
		if (op == aluDiv || op == aluMod) && ins.Constant == 0 {
			return v.fail(i, "div by zero")
		}
		if op == aluLsh || op == aluRsh || op == aluArsh {
			width := int64(64)
			if alu32 {
				width = 32
			}
			if ins.Constant < 0 || ins.Constant >= width {
				return v.fail(i, "invalid shift %d", ins.Constant)
			}
		}
	}
	if err := v.writable(i, ins.Dst); err != nil {
		return err
	}
	if d.isPointer() || src.isPointer() {
		return v.pointerALU(st, i, ins, d, src)
	}
	linked := d.id
	scalarALU(d, src, op, alu32)
	if !v.opts.Unprivileged && op == aluAdd && !alu32 && linked != 0 && src.isConst() && !(x && ins.Src == ins.Dst) &&
		linked&addConst == 0 && src.varOff.v <= math.MaxInt32 {
		// rX += c keeps rX linked to the registers it was copied from,
		// with the delta (BPF_ADD_CONST).
		d.id, d.off = linked|addConst, int32(src.varOff.v)
	}
	return nil
}

// pointerALU is the kernel's adjust_ptr_min_max_vals: only 64-bit addition
// of a scalar to a pointer, or subtraction of one from it, keeps a pointer.
func (v *verifier) pointerALU(st *state, i int, ins isa.Instruction, d *reg, src reg) error {
	op := ins.OpCode & 0xf0
	alu32 := ins.Class() == isa.ClassALU
	dst := ins.Dst
	if d.isPointer() && src.isPointer() {
		if op == aluSub && !v.opts.Unprivileged {
			*d = unknownScalar()
			if alu32 {
				d.zext32()
				d.sync()
			}
			return nil
		}
		return v.fail(i, "R%d pointer %s pointer prohibited", dst, aluNames[op>>4])
	}
	ptr, off := *d, src
	dstIsPtr := true
	if !d.isPointer() {
		ptr, off = src, *d
		dstIsPtr = false
	}
	if alu32 {
		if op == aluSub && !v.opts.Unprivileged {
			*d = unknownScalar()
			d.zext32()
			d.sync()
			return nil
		}
		return v.fail(i, "R%d 32-bit pointer arithmetic prohibited", dst)
	}
	name := ptr.typ.String()
	known := off.varOff.isConst()
	switch ptr.typ {
	case PtrToMapValueOrNull, PtrToRingbufMemOrNull, PtrToSockCommonOrNull:
		return v.fail(i, "R%d pointer arithmetic on %s prohibited, null-check it first", dst, name)
	case PtrToSockCommon:
		return v.fail(i, "R%d pointer arithmetic on %s prohibited", dst, name)
	case ConstPtrToMap:
		if !(known && off.smin == 0 && op == aluAdd) {
			return v.fail(i, "R%d pointer arithmetic on %s prohibited", dst, name)
		}
	case PtrToPacketEnd:
		return v.fail(i, "R%d pointer arithmetic on %s prohibited", dst, name)
	}
	switch op {
	case aluAdd, aluSub:
	case aluAnd, aluOr, aluXor:
		return v.fail(i, "R%d bitwise operator %s on pointer prohibited", dst, aluNames[op>>4])
	default:
		return v.fail(i, "R%d pointer arithmetic with %s operator prohibited", dst, aluNames[op>>4])
	}

	if err := v.saneOffset(i, &off, name, known); err != nil {
		return err
	}
	if err := v.saneOffset(i, &ptr, name, false); err != nil {
		return err
	}
	if v.opts.Unprivileged && ins.OpCode&isa.SrcX != 0 && (op == aluAdd || op == aluSub) &&
		ptr.typ != PtrToStack && ptr.typ != PtrToMapValue {
		// sanitize_ptr_alu: only stack and map value pointers can be
		// masked against speculation (REASON_TYPE).
		r := ins.Dst
		if !dstIsPtr {
			r = ins.Src
		}
		return v.fail(i, "R%d has pointer with unsupported alu operation, pointer arithmetic with it prohibited for !root", r)
	}
	res := ptr
	if res.typ != PtrToPacket && res.typ != PtrToPacketMeta && res.typ != PtrToMapValue {
		// A map value keeps its id, which names it for bpf_spin_lock.
		res.id = 0
	}
	switch op {
	case aluAdd:
		if known && int64(ptr.off)+off.smin == int64(int32(int64(ptr.off)+off.smin)) {
			res.off = int32(int64(ptr.off) + off.smin)
			break
		}
		add64(&res, off)
		res.varOff = tnumAdd(ptr.varOff, off.varOff)
	case aluSub:
		if !dstIsPtr {
			return v.fail(i, "R%d tried to subtract pointer from scalar", dst)
		}
		if ptr.typ == PtrToStack {
			return v.fail(i, "R%d subtraction from stack pointer prohibited", dst)
		}
		if known && int64(ptr.off)-off.smin == int64(int32(int64(ptr.off)-off.smin)) {
			res.off = int32(int64(ptr.off) - off.smin)
			break
		}
		sub64(&res, off)
		res.varOff = tnumSub(ptr.varOff, off.varOff)
	}
	res.mark32Unbounded()
	if (res.typ == PtrToPacket || res.typ == PtrToPacketMeta) && !known {
		// A new variable offset: nothing is proven about it yet.
		v.nextID++
		res.id = v.nextID
		res.rng = 0
	}
	if err := v.saneOffset(i, &res, name, false); err != nil {
		return err
	}
	res.sync()
	if v.opts.Unprivileged && res.typ == PtrToStack {
		// check_stack_access_for_ptr_arithmetic: no speculation past
		// the frame.
		if !res.varOff.isConst() {
			return v.fail(i, "R%d variable stack access prohibited for !root, var_off=%v off=%d", dst, res.varOff, res.off)
		}
		if off := int64(res.off) + int64(res.varOff.v); off >= 0 || off < -MaxStack {
			return v.fail(i, "R%d stack pointer arithmetic goes out of range, prohibited for !root; off=%d", dst, off)
		}
	}

	*d = res
	return nil
}

// saneOffset is check_reg_sane_offset.
func (v *verifier) saneOffset(i int, r *reg, name string, known bool) error {
	val := r.smin
	if known && (val >= maxVarOff || val <= -maxVarOff) {
		return v.fail(i, "math between %s pointer and %d is not allowed", name, val)
	}
	if r.off >= maxVarOff || r.off <= -maxVarOff {
		return v.fail(i, "%s pointer offset %d is not allowed", name, r.off)
	}
	if r.smin == math.MinInt64 {
		return v.fail(i, "math between %s pointer and register with unbounded min value is not allowed", name)
	}
	if r.smin >= maxVarOff || r.smin <= -maxVarOff {
		return v.fail(i, "value %d makes %s pointer be out of bounds", r.smin, name)
	}
	return nil
}

// insnText prints instruction i as the kernel's log does: helper calls by
// name ("call bpf_map_lookup_elem#1").
func (v *verifier) insnText(i int) string {
	ins := v.insns[i]
	if ins.IsHelperCall() {
		id := helpers.ID(ins.Imm32())
		if _, ok := helpers.Lookup(id); ok {
			return fmt.Sprintf("call bpf_%s#%d", id, ins.Imm32())
		}
	}
	return ins.String()
}

// checkFuncInfo applies the rules the kernel takes from the functions' BTF
// (check_btf_func) or, without it, from their absence
// (check_abnormal_return): a subprogram that uses LD_ABS or LD_IND (which
// return 0 from the function when they fail) or tail calls (whose target's
// r0 comes back in its place) must be declared to return a scalar, and
// without BTF no subprogram may use them. It also records which
// subprograms may end in a tail call (tailReach), whose callers then get
// an unknown scalar in r0.
func (v *verifier) checkFuncInfo() error {
	n := len(v.subprogs)
	ldAbs, tail := v.sub.ldAbs, v.sub.tail
	v.tailReach = make([]bool, n)
	for changed := true; changed; {
		changed = false
		for sp := range v.sub.local {
			r := tail[sp]
			for _, c := range v.sub.local[sp] {
				r = r || v.tailReach[c]
			}
			if r && !v.tailReach[sp] {
				v.tailReach[sp], changed = true, true
			}
		}
	}
	if len(v.opts.Funcs) == 0 {
		for sp := 1; sp < n; sp++ {
			if ldAbs[sp] {
				return v.fail(-1, "LD_ABS is not allowed in subprogs without BTF")
			}
			if tail[sp] {
				return v.fail(-1, "tail_call is not allowed in subprogs without BTF")
			}
		}
		return nil
	}
	for _, fi := range v.opts.Funcs {
		if fi.Insn <= 0 || fi.Insn >= len(v.insns) || fi.ScalarReturn {
			continue
		}
		sp := v.subprogOf[fi.Insn]
		if v.subprogs[sp] != fi.Insn {
			continue
		}
		if ldAbs[sp] {
			return v.fail(-1, "LD_ABS is only allowed in functions that return 'int'.")
		}
		if tail[sp] {
			return v.fail(-1, "tail_call is only allowed in functions that return 'int'.")
		}
	}
	return nil
}

// subprogFacts is what each subprogram contains, found once by
// scanSubprogs for the rules on calls, tail calls and legacy packet loads.
type subprogFacts struct {
	local [][]int // the subprograms each calls directly
	calls [][]int // those and the callbacks it names (check_max_stack_depth's edges)
	isCB  []bool  // named as a callback somewhere
	tail  []bool  // tail calls
	ldAbs []bool  // uses LD_ABS or LD_IND
}

func (v *verifier) scanSubprogs() {
	n := len(v.subprogs)
	f := subprogFacts{local: make([][]int, n), calls: make([][]int, n), isCB: make([]bool, n), tail: make([]bool, n), ldAbs: make([]bool, n)}
	for i, ins := range v.insns {
		sp := v.subprogOf[i]
		switch {
		case ins.IsLocalCall():
			f.local[sp] = append(f.local[sp], v.subprogOf[v.target[i]])
			f.calls[sp] = append(f.calls[sp], v.subprogOf[v.target[i]])
		case ins.IsLoadImm64() && ins.Src == isa.PseudoFunc:
			// A callback counts as called where it is named.
			f.calls[sp] = append(f.calls[sp], v.subprogOf[v.target[i]])
			f.isCB[v.subprogOf[v.target[i]]] = true
		case ins.IsHelperCall() && helpers.ID(ins.Imm32()) == helpers.TailCall:
			f.tail[sp] = true
		case ins.Class() == isa.ClassLD && !ins.IsLoadImm64():
			f.ldAbs[sp] = true
		}
	}
	v.sub = f
}
