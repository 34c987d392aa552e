package verifier

import (
	"math"

	"github.com/gbpf/gbpf/isa"
)

// access is one load or store being checked.
type access struct {
	i      int
	base   isa.Register
	off    int32 // instruction offset
	size   int
	write  bool
	value  *reg  // a copy of the stored register, nil for an immediate store or a load
	src    *reg  // the stored register itself, which a spill may give an id
	imm    int64 // the stored immediate
	isImm  bool
	signed bool // sign-extending load
}

// noteBase records the pointer type an instruction accesses; the kernel
// refuses one instruction that reaches the context on one path and other
// memory on another, since the context access is rewritten.
func (v *verifier) noteBase(i int, t RegType) error {
	prev := v.info[i].Base
	if prev != NotInit && prev != t && (prev == PtrToCtx || t == PtrToCtx) {
		return v.fail(i, "same insn cannot be used with different pointers")
	}
	v.info[i].Base = t
	return nil
}

func (v *verifier) checkLoad(st *state, i int, ins isa.Instruction) error {
	if _, err := v.readReg(st, i, ins.Src); err != nil {
		return err
	}
	if err := v.writable(i, ins.Dst); err != nil {
		return err
	}
	a := access{i: i, base: ins.Src, off: int32(ins.Offset), size: isa.SizeBytes(ins.OpCode), signed: ins.OpCode&0xe0 == isa.ModeMEMSX}
	r, err := v.memAccess(st, a)
	if err != nil {
		return err
	}
	if r.typ == Scalar && a.size < 8 {
		if a.signed {
			r.signExtend(a.size)
		} else {
			id, off, fits := r.id, r.off, fitsIn(&r, a.size)
			r.truncate(a.size)
			if fits {
				r.id, r.off = id, off // the fill of a spill that fits keeps its link
			}
		}
	}
	st.cur().regs[ins.Dst] = r
	return nil
}

func (v *verifier) checkStore(st *state, i int, ins isa.Instruction) error {
	a := access{i: i, base: ins.Dst, off: int32(ins.Offset), size: isa.SizeBytes(ins.OpCode), write: true}
	if ins.Class() == isa.ClassSTX {
		s, err := v.readReg(st, i, ins.Src)
		if err != nil {
			return err
		}
		c := *s
		a.value, a.src = &c, s
	} else {
		a.isImm, a.imm = true, int64(ins.Imm32())
	}
	d, err := v.readReg(st, i, ins.Dst)
	if err != nil {
		return err
	}
	if a.isImm && d.typ == PtrToCtx {
		return v.fail(i, "BPF_ST stores into R%d %s is not allowed", ins.Dst, d.typ)
	}
	_, err = v.memAccess(st, a)
	return err
}

func (v *verifier) checkAtomic(st *state, i int, ins isa.Instruction) error {
	s, err := v.readReg(st, i, ins.Src)
	if err != nil {
		return err
	}
	d, err := v.readReg(st, i, ins.Dst)
	if err != nil {
		return err
	}
	if ins.Constant == isa.AtomicCmpXchg {
		if _, err := v.readReg(st, i, isa.R0); err != nil {
			return err
		}
	}
	if v.opts.Unprivileged && s.isPointer() {
		return v.fail(i, "R%d leaks addr into mem", ins.Src)
	}
	if d.typ == PtrToCtx || d.typ == PtrToPacket || d.typ == PtrToPacketMeta {
		return v.fail(i, "BPF_ATOMIC stores into R%d %s is not allowed", ins.Dst, d.typ)
	}
	size := isa.SizeBytes(ins.OpCode)
	if d.typ == PtrToMapValue && size > 1 {
		// Atomics are always checked strictly.
		if err := v.checkAlign(i, "value ", d, int64(ins.Offset), size); err != nil {
			return err
		}
	}
	a := access{i: i, base: ins.Dst, off: int32(ins.Offset), size: size}
	loaded, err := v.memAccess(st, a)
	if err != nil {
		return err
	}
	if loaded.typ != Scalar && !(ins.Constant == isa.AtomicXchg || ins.Constant == isa.AtomicCmpXchg) {
		loaded = unknownScalar()
	}
	// The memory afterwards holds some scalar, as the kernel's check of
	// the write (value_regno -1) has it: computed from memory and src,
	// and for cmpxchg src only if the comparison succeeded.
	a.write = true
	u := unknownScalar()
	a.value = &u
	if _, err := v.memAccess(st, a); err != nil {
		return err
	}
	if ins.Constant&isa.AtomicFetch != 0 {
		if loaded.typ == Scalar && size < 8 {
			loaded.truncate(size)
		}
		if ins.Constant == isa.AtomicCmpXchg {
			st.cur().regs[isa.R0] = loaded
		} else {
			if err := v.writable(i, ins.Src); err != nil {
				return err
			}
			st.cur().regs[ins.Src] = loaded
		}
	}
	return nil
}

// checkLD handles lddw and the legacy packet loads.
func (v *verifier) checkLD(st *state, i int, ins isa.Instruction) error {
	f := st.cur()
	if ins.IsLoadImm64() {
		if err := v.writable(i, ins.Dst); err != nil {
			return err
		}
		switch ins.Src {
		case isa.PseudoImm:
			f.regs[ins.Dst] = knownScalar(uint64(ins.Constant))
		case isa.PseudoMapFD, isa.PseudoMapIdx, isa.PseudoMapValue, isa.PseudoMapIdxValue:
			// checkMapLoads has checked the index and offset.
			f.regs[ins.Dst] = v.loadMap(ins)
		case isa.PseudoFunc:
			// checkStructure has checked the target.
			r := pointerTo(PtrToFunc, 0)
			r.mapIdx = int32(v.subprogOf[v.target[i]])
			f.regs[ins.Dst] = r
		default:
			return v.unsupported(i, "lddw with pseudo source %d (BTF ids, functions) is not supported yet", ins.Src)
		}
		return nil
	}
	if v.opts.ProgType != SocketFilter && v.opts.ProgType != SchedCLS {
		return v.fail(i, "BPF_LD_[ABS|IND] instructions not allowed for this program type")
	}
	if len(st.refs) > 0 {
		return v.fail(i, "BPF_LD_[ABS|IND] cannot be mixed with socket references")
	}
	if st.lock.mapIdx != 0 {
		return v.fail(i, "BPF_LD_[ABS|IND] cannot be used inside bpf_spin_lock-ed region")
	}
	r6, err := v.readReg(st, i, isa.R6)
	if err != nil {
		return err
	}
	if r6.typ != PtrToCtx {
		return v.fail(i, "at the time of BPF_LD_ABS|IND R6 != pointer to skb")
	}
	if ins.OpCode&0xe0 == isa.ModeIND {
		if _, err := v.readReg(st, i, ins.Src); err != nil {
			return err
		}
	}
	if r6.off != 0 || !r6.varOff.isConst() {
		return v.fail(i, "dereference of modified ctx ptr R6 off=%d disallowed", r6.off)
	}
	for r := isa.R0; r <= isa.R5; r++ {
		f.regs[r] = reg{}
	}
	f.regs[isa.R0] = unknownScalar()
	return nil
}

// memAccess checks one access through register a.base and returns the
// loaded value (an unknown scalar for stores).
func (v *verifier) memAccess(st *state, a access) (reg, error) {
	f := st.cur()
	b := &f.regs[a.base]
	if err := v.noteBase(a.i, b.typ); err != nil {
		return reg{}, err
	}
	if v.opts.Unprivileged && a.write && a.value != nil && a.value.isPointer() && b.typ != PtrToStack {
		into := "mem"
		if b.typ == PtrToMapValue {
			into = "map"
		}
		return reg{}, v.fail(a.i, "R%d leaks addr into %s", v.insns[a.i].Src, into)
	}
	if err := v.strictAlignment(a, b); err != nil {
		return reg{}, err
	}
	switch b.typ {
	case ConstPtrToMap:
		// The kernel reads struct bpf_map fields through vmlinux BTF
		// (check_ptr_to_map_access).
		return reg{}, v.unsupported(a.i, "access to the fields of a map (struct bpf_map) is not supported yet")
	case PtrToMapValue:
		off := int64(b.off) + int64(a.off)
		if err := v.mapValueAccess(a.i, a.base, *b, off, int64(a.size), a.write, false); err != nil {
			return reg{}, err
		}
		if m := &v.maps[b.mapIdx]; !a.write && m.Frozen != nil && b.varOff.isConst() {
			// bpf_map_is_rdonly: the value cannot change; read it.
			return knownScalar(frozenRead(m, off+int64(b.varOff.v), a.size)), nil
		}
		return unknownScalar(), nil
	case PtrToSockCommon:
		return v.sockAccess(a, *b)
	case PtrToMapKey:
		if a.write {
			return reg{}, v.fail(a.i, "write to change key R%d not allowed", a.base)
		}
		off := int64(b.off) + int64(a.off)
		return unknownScalar(), v.memRegion(a.i, a.base, *b, off, int64(a.size), int64(v.maps[b.mapIdx].KeySize), false, "map key, key_size")
	case PtrToStack:
		return v.stackAccess(st, a, *b)
	case PtrToMem:
		return v.memRegionAccess(a, *b)
	case PtrToRingbufMem:
		off := int64(b.off) + int64(a.off)
		return unknownScalar(), v.memRegion(a.i, a.base, *b, off, int64(a.size), int64(b.size), false, "memory, mem_size")
	case PtrToCtx:
		return v.ctxAccess(a, *b)
	case PtrToPacket, PtrToPacketMeta:
		return v.packetAccess(a, *b)
	}
	return reg{}, v.fail(a.i, "R%d invalid mem access '%s'", a.base, b.typ)
}

// memRegionAccess checks an access to PTR_TO_MEM (check_mem_region_access).
func (v *verifier) memRegionAccess(a access, b reg) (reg, error) {
	off := int64(b.off) + int64(a.off)
	size := int64(a.size)
	memSize := int64(b.size)
	if b.smin < 0 && (b.smin == math.MinInt64 || off+b.smin != int64(int32(off+b.smin)) || b.smin+off < 0) {
		return reg{}, v.fail(a.i, "R%d min value is negative, either use unsigned index or do a if (index >=0) check.", a.base)
	}
	if lo := off + b.smin; lo < 0 || lo+size > memSize {
		return reg{}, v.fail(a.i, "invalid access to memory, mem_size=%d off=%d size=%d", memSize, lo, size)
	}
	if b.umax >= maxVarOff {
		return reg{}, v.fail(a.i, "R%d unbounded memory access, make sure to bounds check any such access", a.base)
	}
	if hi := off + int64(b.umax); hi+size > memSize {
		return reg{}, v.fail(a.i, "invalid access to memory, mem_size=%d off=%d size=%d", memSize, hi, size)
	}
	return unknownScalar(), nil
}

// stackAccess checks and performs an access to a stack frame.
func (v *verifier) stackAccess(st *state, a access, b reg) (reg, error) {
	if int(b.frame) >= len(st.frames) {
		return reg{}, v.fail(a.i, "verifier internal error: R%d points into a frame that has returned", a.base)
	}
	fr := st.frames[b.frame]
	off := int64(b.off) + int64(a.off)
	if err := v.checkAlign(a.i, "stack ", &b, int64(a.off), a.size); err != nil {
		return reg{}, err
	}
	what := " read from"
	if a.write {
		what = " write to"
	}
	var lo, hi int64
	if b.varOff.isConst() {
		lo = int64(b.varOff.v) + off
		hi = lo + int64(a.size)
		if lo < -MaxStack || hi > 0 {
			return reg{}, v.fail(a.i, "invalid%s stack R%d off=%d size=%d", what, a.base, off, a.size)
		}
	} else {
		if b.smax >= maxVarOff || b.smin <= -maxVarOff {
			return reg{}, v.fail(a.i, "invalid unbounded variable-offset%s stack R%d", what, a.base)
		}
		lo = b.smin + off
		hi = b.smax + off + int64(a.size)
		if lo < -MaxStack || hi > 0 {
			return reg{}, v.fail(a.i, "invalid variable-offset%s stack R%d var_off=%v off=%d size=%d", what, a.base, b.varOff, off, a.size)
		}
	}
	fr.depth = max(fr.depth, int(-lo))
	v.stackDepth[fr.subprog] = max(v.stackDepth[fr.subprog], fr.depth)
	if a.write && st.frames[b.frame] != st.cur() && a.value != nil && a.value.typ == PtrToStack && a.size == 8 {
		// Any stack pointer, not only the current frame's: one to an
		// intermediate frame would dangle once that frame returns.
		return reg{}, v.fail(a.i, "cannot spill pointers to stack into stack frame of the caller")
	}
	if !b.varOff.isConst() {
		return v.stackVarAccess(fr, a, int(lo), int(hi))
	}
	if a.write {
		return unknownScalar(), v.stackWrite(fr, a, int(lo))
	}
	return v.stackRead(fr, a, int(lo))
}

func (v *verifier) stackWrite(fr *frame, a access, off int) error {
	slot, byteIdx := fr.slotAt(off)
	if v.opts.Unprivileged && slot.isSpill() && slot.spill.isPointer() && a.size != 8 {
		return v.fail(a.i, "attempt to corrupt spilled pointer on stack")
	}
	if byteIdx == 0 && a.value != nil && a.value.typ == Scalar {
		if a.src != nil && !v.opts.Unprivileged && fitsIn(a.value, a.size) && a.value.id == 0 && !a.value.varOff.isConst() {
			// assign_scalar_id_before_mov: the register and its spilled
			// copy are linked, so that what a branch learns about one
			// holds for the other.
			v.nextID++
			a.value.id, a.src.id = v.nextID, v.nextID
			a.value.off, a.src.off = 0, 0
		}
		v.saveSpill(slot, *a.value, a.size)
		return nil
	}
	if byteIdx == 0 && a.isImm {
		v.saveSpill(slot, knownScalar(uint64(a.imm)), a.size)
		return nil
	}
	if a.value != nil && a.value.isPointer() {
		if a.size != 8 {
			return v.fail(a.i, "invalid size of register spill")
		}
		v.saveSpill(slot, *a.value, 8)
		return nil
	}
	// A plain data write destroys any spill in the slot.
	if slot.isSpill() {
		for k := range slot.kinds {
			if slot.kinds[k] != stackInvalid {
				slot.kinds[k] = stackMisc
			}
		}
		slot.spill, slot.spillSize = reg{}, 0
	}
	kind := stackMisc
	if (a.value != nil && a.value.isConst() && a.value.varOff.v == 0) || (a.isImm && a.imm == 0) {
		kind = stackZero
	}
	for k := byteIdx; k < byteIdx+a.size; k++ {
		slot.kinds[k] = kind
	}
	return nil
}

// saveSpill stores a register's state in the first size bytes of a slot.
func (v *verifier) saveSpill(slot *stackSlot, r reg, size int) {
	if r.typ == Scalar && size < 8 && !fitsIn(&r, size) {
		// The stored bytes are the register's low bytes; the kernel
		// keeps the register (and its id) only if it fits.
		r.truncate(size)
		r.id, r.off = 0, 0
	}
	if slot.isSpill() || slot.spillSize > 0 {
		for k := range slot.kinds {
			if slot.kinds[k] == stackSpill {
				slot.kinds[k] = stackMisc
			}
		}
	}
	slot.spill = r
	slot.spillSize = uint8(size)
	for k := 0; k < 8; k++ {
		if k < size {
			slot.kinds[k] = stackSpill
		} else if slot.kinds[k] == stackSpill {
			slot.kinds[k] = stackMisc
		}
	}
}

func (v *verifier) stackRead(fr *frame, a access, off int) (reg, error) {
	slot, byteIdx := fr.slotAt(off)
	if slot.isSpill() {
		if a.size == 8 && slot.spillSize == 8 {
			return slot.spill, nil
		}
		if slot.spill.typ != Scalar {
			return reg{}, v.fail(a.i, "invalid size of register fill")
		}
		if byteIdx == 0 && a.size <= int(slot.spillSize) {
			r := slot.spill
			if !fitsIn(&r, a.size) {
				r.id, r.off = 0, 0 // a narrowing fill breaks the link
			}
			return r, nil
		}
	}
	zeros, spills := 0, 0
	for k := byteIdx; k < byteIdx+a.size; k++ {
		switch slot.kinds[k] {
		case stackZero:
			zeros++
		case stackSpill:
			spills++
		case stackInvalid:
			if v.opts.Unprivileged {
				return reg{}, v.fail(a.i, "invalid read from stack off %d+%d size %d", off, k-byteIdx, a.size)
			}
		}
	}
	if zeros == a.size || (spills == a.size && slot.spill.isConst() && slot.spill.varOff.v == 0) {
		return knownScalar(0), nil
	}
	return unknownScalar(), nil
}

// stackVarAccess handles an access at a variable offset: writes make every
// byte they may touch data, reads need every byte they may touch
// initialised (unprivileged) and give an unknown scalar.
func (v *verifier) stackVarAccess(fr *frame, a access, lo, hi int) (reg, error) {
	zero := (a.isImm && a.imm == 0) || (a.value != nil && a.value.isConst() && a.value.varOff.v == 0)
	allZero := true
	for off := lo; off < hi; off++ {
		slot, k := fr.slotAt(off)
		if a.write {
			if v.opts.Unprivileged && slot.kinds[k] != stackMisc && slot.kinds[k] != stackZero {
				return reg{}, v.fail(a.i, "spilled ptr in range of var-offset stack write; insn %d, ptr off: %d", v.slot(a.i), off)
			}
			if slot.isSpill() {
				for j := range slot.kinds {
					if slot.kinds[j] == stackSpill {
						slot.kinds[j] = stackMisc
					}
				}
				slot.spill, slot.spillSize = reg{}, 0
			}
			if !(zero && slot.kinds[k] == stackZero) {
				slot.kinds[k] = stackMisc
			}
			continue
		}
		switch slot.kinds[k] {
		case stackZero:
		case stackInvalid:
			allZero = false
			if v.opts.Unprivileged {
				return reg{}, v.fail(a.i, "invalid variable-offset read from stack R%d var_off=%v off=%d size=%d",
					a.base, fr.regs[a.base].varOff, a.off, a.size)
			}
		default:
			allZero = false
		}
	}
	if !a.write && allZero {
		return knownScalar(0), nil
	}
	return unknownScalar(), nil
}

// maxPacketOff bounds packet offsets (MAX_PACKET_OFF).
const maxPacketOff = 0xffff

// packetAccess checks a direct packet access (check_packet_access): the
// fixed offset plus the size must lie inside the range proven by a
// comparison with data_end.
func (v *verifier) packetAccess(a access, b reg) (reg, error) {
	if v.opts.ProgType != XDP && v.opts.ProgType != SchedCLS {
		return reg{}, v.fail(a.i, "cannot write into packet")
	}
	off := int64(b.off) + int64(a.off)
	if b.smin < 0 {
		return reg{}, v.fail(a.i, "R%d min value is negative, either use unsigned index or do a if (index >=0) check.", a.base)
	}
	if off < 0 || off+int64(a.size) > int64(b.rng) {
		v.logf("invalid access to packet, off=%d size=%d, R%d(id=%d,off=%d,r=%d)\n", off, a.size, a.base, b.id, off, b.rng)
		return reg{}, v.fail(a.i, "R%d offset is outside of the packet", a.base)
	}
	if v.opts.Unprivileged && a.write && a.value != nil && a.value.isPointer() {
		return reg{}, v.fail(a.i, "R%d leaks addr into packet", v.insns[a.i].Src)
	}
	return unknownScalar(), nil
}

// fitsIn reports whether every value r may hold fits in size bytes
// (get_reg_width(r) <= 8*size).
func fitsIn(r *reg, size int) bool {
	return size >= 8 || r.umax < 1<<(8*size)
}

// strictAlignment applies BPF_F_STRICT_ALIGNMENT (check_ptr_alignment) to
// an access through b; the stack has its own, always strict, check.
func (v *verifier) strictAlignment(a access, b *reg) error {
	if !v.opts.StrictAlignment || a.size == 1 || b.typ == PtrToStack {
		return nil
	}
	if b.typ == PtrToPacket || b.typ == PtrToPacketMeta {
		const ipAlign = 2 // NET_IP_ALIGN as strict mode emulates it
		if !tnumAdd(b.varOff, tnumConst(uint64(ipAlign+int64(b.off)+int64(a.off)))).isAligned(uint64(a.size)) {
			return v.fail(a.i, "misaligned packet access off %d+%v+%d+%d size %d", ipAlign, b.varOff.logValue(), b.off, a.off, a.size)
		}
		return nil
	}
	return v.checkAlign(a.i, alignDesc[b.typ], b, int64(a.off), a.size)
}

// alignDesc names memory in the alignment messages (check_ptr_alignment).
var alignDesc = map[RegType]string{PtrToMapKey: "key ", PtrToMapValue: "value ", PtrToCtx: "context ", PtrToSockCommon: "sock_common "}

// checkAlign is check_generic_ptr_alignment: b's offsets plus the
// instruction's must be a multiple of size; desc names the memory.
func (v *verifier) checkAlign(i int, desc string, b *reg, insnOff int64, size int) error {
	if tnumAdd(b.varOff, tnumConst(uint64(int64(b.off)+insnOff))).isAligned(uint64(size)) {
		return nil
	}
	return v.fail(i, "misaligned %saccess off %v+%d+%d size %d", desc, b.varOff.logValue(), b.off, insnOff, size)
}
