package verifier

import (
	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
)

// helperProgType is the helpers package's number of a program type.
func (t ProgType) helperProgType() helpers.ProgType {
	switch t {
	case SocketFilter:
		return helpers.SocketFilter
	case XDP:
		return helpers.XDP
	case SchedCLS:
		return helpers.SchedCLS
	case Tracepoint:
		return helpers.Tracepoint
	case Kprobe:
		return helpers.Kprobe
	case RawTracepoint:
		return helpers.RawTracepoint
	case Syscall:
		return helpers.Syscall
	}
	return helpers.Raw
}

// expectedMem is the kernel's list of what a memory argument may be.
const expectedMem = "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_"

// checkHelperCall checks a helper call against its prototype
// (check_helper_call): any value, the context, memory with its size,
// writable 8 bytes, a map and pointers to its keys and values. The call
// clobbers r1 to r5 and defines r0 by the return type (a lookup's
// map_value_or_null gets a fresh id).
func (v *verifier) checkHelperCall(st *state, i int, ins isa.Instruction) error {
	id := helpers.ID(ins.Imm32())
	if st.lock.mapIdx != 0 && id != helpers.SpinUnlock {
		return v.fail(i, "function calls are not allowed while holding a lock")
	}
	p, ok := v.opts.Helpers[id]
	if !ok {
		p, ok = helpers.Lookup(id)
	}
	if !ok {
		if id > 0 && id < helpers.Max {
			return v.unsupported(i, "helper #%d has no prototype in package helpers yet", id)
		}
		return v.fail(i, "invalid func unknown#%d", ins.Imm32())
	}
	if !p.AllowedIn(v.opts.ProgType.helperProgType()) {
		return v.fail(i, "program of this type cannot use helper bpf_%s#%d", p.Name(), id)
	}
	f := st.cur()
	var m *MapInfo // the map argument (meta->map_ptr)
	mapIdx := int32(-1)
	var allocSize uint64  // the size argument of ringbuf_reserve (meta->mem_size)
	var releaseRef uint32 // the reference a release function gets (meta->ref_obj_id)
	callback := -1        // the callback subprogram (meta->subprogno)
	for k := 0; k < 5; k++ {
		regno := isa.R1 + isa.Register(k)
		arg := p.Args[k]
		if arg == helpers.ArgDontCare {
			continue
		}
		r, err := v.readReg(st, i, regno)
		if err != nil {
			return err
		}
		switch arg {
		case helpers.ArgAnything:
		case helpers.ArgPtrToCtx:
			if r.typ != PtrToCtx {
				return v.fail(i, "R%d type=%s expected=ctx", regno, r.typ)
			}
			if r.off != 0 || !r.varOff.isConst() || r.varOff.v != 0 {
				return v.fail(i, "dereference of modified ctx ptr R%d off=%d disallowed", regno, r.off)
			}
		case helpers.ArgPtrToMem, helpers.ArgPtrToMemOrNull, helpers.ArgPtrToUninitMem:
			if k == 4 || (p.Args[k+1] != helpers.ArgConstSize && p.Args[k+1] != helpers.ArgConstSizeOrZero) {
				return v.unsupported(i, "helper %s#%d: argument %d (%v) is not supported yet", p.Name(), id, k+1, arg)
			}
			size, err := v.readReg(st, i, regno+1)
			if err != nil {
				return err
			}
			if err := v.helperMem(st, i, regno, *size, arg, p.Args[k+1], p.PktAccess); err != nil {
				return err
			}
			k++
		case helpers.ArgConstMapPtr:
			if r.typ != ConstPtrToMap {
				return v.fail(i, "R%d type=%s expected=%s", regno, r.typ, ConstPtrToMap)
			}
			m, mapIdx = &v.maps[r.mapIdx], r.mapIdx
		case helpers.ArgPtrToMapKey:
			if m == nil {
				return v.fail(i, "invalid map_ptr to access map->key")
			}
			if err := v.helperAccess(st, i, regno, int64(m.KeySize), false, false, p.PktAccess); err != nil {
				return err
			}
		case helpers.ArgPtrToMapValue, helpers.ArgPtrToUninitMapValue:
			if m == nil {
				return v.fail(i, "invalid map_ptr to access map->value")
			}
			if err := v.helperAccess(st, i, regno, int64(m.ValueSize), arg == helpers.ArgPtrToUninitMapValue, false, p.PktAccess); err != nil {
				return err
			}
		case helpers.ArgConstAllocSizeOrZero:
			if r.typ != Scalar {
				return v.fail(i, "R%d type=%s expected=scalar", regno, r.typ)
			}
			if !r.varOff.isConst() {
				return v.fail(i, "R%d is not a known constant'", regno)
			}
			allocSize = r.varOff.v
		case helpers.ArgPtrToAllocMem:
			// ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE.
			if r.typ != PtrToRingbufMem {
				return v.fail(i, "R%d type=%s expected=%s", regno, r.typ, PtrToRingbufMem)
			}
			if r.off != 0 {
				return v.fail(i, "R%d must have zero offset when passed to release func or trusted arg to kfunc", regno)
			}
			if !r.varOff.isConst() || r.varOff.v != 0 {
				return v.fail(i, "variable %s access var_off=%v disallowed", r.typ, r.varOff)
			}
			if r.refObj == 0 {
				return v.fail(i, "R%d must be referenced when passed to release function", regno)
			}
			releaseRef = r.refObj
		case helpers.ArgPtrToSpinLock:
			if err := v.spinLock(st, i, regno, r, p.ID == helpers.SpinLock); err != nil {
				return err
			}
		case helpers.ArgPtrToConstStr:
			if err := v.constStr(i, regno, *r); err != nil {
				return err
			}
		case helpers.ArgPtrToFunc:
			if r.typ != PtrToFunc {
				return v.fail(i, "R%d type=%s expected=func", regno, r.typ)
			}
			if r.off != 0 || !r.varOff.isConst() || r.varOff.v != 0 {
				return v.fail(i, "dereference of modified func ptr R%d off=%d disallowed", regno, r.off)
			}
			callback = int(r.mapIdx)
		case helpers.ArgPtrToStackOrNull:
			if r.typ == Scalar && r.isConst() && r.varOff.v == 0 {
				break
			}
			if r.typ != PtrToStack {
				return v.fail(i, "R%d type=%s expected=fp", regno, r.typ)
			}
		case helpers.ArgPtrToLong:
			if err := v.helperMem(st, i, regno, knownScalar(8), helpers.ArgPtrToUninitMem, helpers.ArgConstSize, p.PktAccess); err != nil {
				return err
			}
		default:
			return v.unsupported(i, "helper %s#%d: argument %d (%v) is not supported yet", p.Name(), id, k+1, arg)
		}
	}
	if err := v.checkCallMap(i, p, m); err != nil {
		return err
	}
	if p.ID == helpers.TailCall && len(st.refs) > 0 {
		for _, r := range st.refs {
			v.logf("Unreleased reference id=%d alloc_insn=%d\n", r.id, v.slot(r.insn))
		}
		return v.fail(i, "tail_call would lead to reference leak")
	}
	if releaseRef != 0 && !st.ownsReference(releaseRef) {
		// Callbacks cannot release their caller's references.
		return v.fail(i, "func bpf_%s#%d reference has not been acquired before", p.Name(), id)
	}
	if releaseRef != 0 && !st.releaseReference(releaseRef) {
		return v.fail(i, "verifier internal error: reference %d is not held", releaseRef)
	}
	if callback >= 0 {
		if p.ID == helpers.ForEachMapElem && !forEachMap(m.Type) {
			return v.fail(i, "callback function not allowed for map")
		}
		cb, err := v.pushCallback(st, i, p.ID, callback, mapIdx)
		if err != nil {
			return err
		}
		v.cbFork = cb
	}
	if changesPacket(p.ID) {
		// The packet may move: every pointer into it is stale
		// (clear_all_pkt_pointers).
		st.eachReg(func(r *reg) {
			if r.typ == PtrToPacket || r.typ == PtrToPacketMeta || r.typ == PtrToPacketEnd {
				if v.opts.Unprivileged {
					*r = reg{}
				} else {
					*r = unknownScalar()
				}
			}
		})
	}
	for r := isa.R1; r <= isa.R5; r++ {
		f.regs[r] = reg{}
	}
	switch p.Ret {
	case helpers.RetInteger:
		f.regs[isa.R0] = unknownScalar()
	case helpers.RetVoid:
		f.regs[isa.R0] = reg{}
	case helpers.RetPtrToMapValueOrNull:
		if m == nil {
			return v.fail(i, "kernel subsystem misconfigured verifier")
		}
		if m.Type == maps.XSKMap {
			return v.unsupported(i, "lookups in an XSK map (struct xdp_sock pointers) are not supported yet")
		}
		r0 := pointerTo(PtrToMapValueOrNull, 0)
		r0.mapIdx = mapIdx
		v.nextID++
		r0.id = v.nextID
		f.regs[isa.R0] = r0
	case helpers.RetPtrToAllocMemOrNull:
		// ringbuf_reserve: a record of the constant size, or NULL, and
		// a reference to release.
		if allocSize >= 1<<32 {
			return v.unsupported(i, "ringbuf_reserve of %d bytes", allocSize)
		}
		r0 := pointerTo(PtrToRingbufMemOrNull, 0)
		r0.size = uint32(allocSize)
		v.nextID++
		r0.id, r0.refObj = v.nextID, v.nextID
		st.refs = append(st.refs, ref{id: v.nextID, insn: i, cbFrame: st.callbackFrame()})
		f.regs[isa.R0] = r0
	default:
		return v.unsupported(i, "helper %s#%d: return type %v is not supported yet", p.Name(), id, p.Ret)
	}
	return nil
}

// checkCallMap applies the kernel's rules on a helper's map argument:
// read-only maps (record_func_map), the map and helper pairs that go
// together (check_map_func_compatibility), and what gbpf models of tail
// calls.
func (v *verifier) checkCallMap(i int, p helpers.Proto, m *MapInfo) error {
	if m == nil {
		return nil
	}
	if m.Flags&maps.FlagRdOnlyProg != 0 {
		switch p.ID {
		case helpers.MapDeleteElem, helpers.MapUpdateElem, helpers.MapPushElem, helpers.MapPopElem:
			return v.fail(i, "write into map forbidden")
		}
	}
	if err := v.checkMapFunc(i, m, p.ID); err != nil {
		return err
	}
	return nil
}

// helperMem checks a memory argument and its size (check_mem_size_reg,
// check_helper_mem_access); writable memory on the stack becomes data.
func (v *verifier) helperMem(st *state, i int, regno isa.Register, size reg, arg, sizeArg helpers.ArgType, pkt bool) error {
	b := st.cur().regs[regno]
	if size.typ != Scalar {
		return v.fail(i, "R%d type=%s expected=scalar", regno+1, size.typ)
	}
	if size.smin < 0 {
		return v.fail(i, "R%d min value is negative, either use unsigned or 'var &= const'", regno+1)
	}
	if size.umin == 0 && sizeArg == helpers.ArgConstSize {
		return v.fail(i, "R%d invalid zero-sized read: u64=[%d,%d]", regno+1, size.umin, size.umax)
	}
	if size.umax >= maxVarOff {
		return v.fail(i, "R%d unbounded memory access, use 'var &= const' or 'if (var < const)'", regno+1)
	}
	n := int64(size.umax)
	if b.typ == Scalar && b.isConst() && b.varOff.v == 0 && arg == helpers.ArgPtrToMemOrNull {
		if size.umax != 0 {
			return v.fail(i, "R%d type=scalar expected=%s", regno, expectedMem)
		}
		return nil
	}
	return v.helperAccess(st, i, regno, n, arg == helpers.ArgPtrToUninitMem, sizeArg == helpers.ArgConstSizeOrZero, pkt)
}

// helperAccess checks that a helper may access n bytes through register
// regno (check_helper_mem_access); pkt says that the helper may take
// packet memory. Writable memory on the stack becomes data.
func (v *verifier) helperAccess(st *state, i int, regno isa.Register, n int64, write, zeroOK, pkt bool) error {
	b := st.cur().regs[regno]
	switch b.typ {
	case PtrToMapValue:
		return v.mapValueAccess(i, regno, b, int64(b.off), n, write, zeroOK)
	case PtrToMapKey:
		if write {
			return v.fail(i, "R%d cannot write into %s", regno, b.typ)
		}
		return v.memRegion(i, regno, b, int64(b.off), n, int64(v.maps[b.mapIdx].KeySize), zeroOK, "map key, key_size")
	case PtrToMem:
		_, err := v.memRegionAccess(access{i: i, base: regno, size: int(n)}, b)
		return err
	case PtrToRingbufMem:
		return v.memRegion(i, regno, b, int64(b.off), n, int64(b.size), zeroOK, "memory, mem_size")
	case PtrToPacket, PtrToPacketMeta:
		if !pkt || (v.opts.ProgType != XDP && v.opts.ProgType != SchedCLS) {
			return v.fail(i, "helper access to the packet is not allowed")
		}
		// check_packet_access: the fixed offset against the proven range.
		if b.smin < 0 {
			return v.fail(i, "R%d min value is negative, either use unsigned index or do a if (index >=0) check.", regno)
		}
		off := int64(b.off)
		if off < 0 || !(n > 0 || (n == 0 && zeroOK)) || off+n > int64(b.rng) {
			v.logf("invalid access to packet, off=%d size=%d, R%d(id=%d,off=%d,r=%d)\n", off, n, regno, b.id, off, b.rng)
			return v.fail(i, "R%d offset is outside of the packet", regno)
		}
		return nil
	case PtrToStack:
		if int(b.frame) >= len(st.frames) {
			return v.fail(i, "verifier internal error: R%d points into a frame that has returned", regno)
		}
		fr := st.frames[b.frame]
		off := int64(b.off)
		var lo, hi int64
		if b.varOff.isConst() {
			lo = int64(b.varOff.v) + off
			hi = lo + n
			if lo < -MaxStack || lo > -1 || hi > 0 {
				return v.fail(i, "invalid indirect access to stack R%d off=%d size=%d", regno, off, n)
			}
		} else {
			if b.smax >= maxVarOff || b.smin <= -maxVarOff {
				return v.fail(i, "invalid unbounded variable-offset indirect access to stack R%d", regno)
			}
			lo, hi = b.smin+off, b.smax+off+n
			if lo < -MaxStack || lo > -1 || hi > 0 {
				return v.fail(i, "invalid variable-offset indirect access to stack R%d var_off=%v off=%d size=%d", regno, b.varOff, off, n)
			}
		}
		fr.depth = max(fr.depth, int(-lo))
		v.stackDepth[fr.subprog] = max(v.stackDepth[fr.subprog], fr.depth)
		for o := lo; o < hi; o++ {
			slot, k := fr.slotAt(int(o))
			if write {
				if slot.isSpill() {
					for j := range slot.kinds {
						if slot.kinds[j] == stackSpill {
							slot.kinds[j] = stackMisc
						}
					}
					slot.spill, slot.spillSize = reg{}, 0
				}
				slot.kinds[k] = stackMisc
			} else if v.opts.Unprivileged && slot.kinds[k] == stackInvalid {
				return v.fail(i, "invalid indirect read from stack R%d off %d+%d size %d", regno, lo, o-lo, n)
			}
		}
		return nil
	}
	return v.fail(i, "R%d type=%s expected=%s", regno, b.typ, expectedMem)
}

// constStr checks a helper's string argument (ARG_PTR_TO_CONST_STR,
// check_reg_const_str): a constant address in a frozen read-only map
// value, NUL-terminated inside the value.
func (v *verifier) constStr(i int, regno isa.Register, r reg) error {
	if r.typ != PtrToMapValue {
		return v.fail(i, "R%d type=%s expected=%s", regno, r.typ, PtrToMapValue)
	}
	m := &v.maps[r.mapIdx]
	if m.Frozen == nil || m.Flags&maps.FlagRdOnlyProg == 0 {
		return v.fail(i, "R%d does not point to a readonly map'", regno)
	}
	if !r.varOff.isConst() {
		return v.fail(i, "R%d is not a constant address'", regno)
	}
	if err := v.mapValueAccess(i, regno, r, int64(r.off), int64(m.ValueSize)-int64(r.off), false, false); err != nil {
		return err
	}
	off := int64(r.off) + int64(r.varOff.v)
	for k := off; k < int64(m.ValueSize); k++ {
		if k >= int64(len(m.Frozen)) || m.Frozen[k] == 0 {
			return nil
		}
	}
	return v.fail(i, "string is not zero-terminated")
}

// changesPacket reports whether a helper may move or resize the packet
// (bpf_helper_changes_pkt_data); a tail-called program may call any of
// them.
func changesPacket(id helpers.ID) bool {
	switch id {
	case helpers.CloneRedirect, helpers.L3CsumReplace, helpers.L4CsumReplace, helpers.LWTPushEncap,
		helpers.LWTSeg6Action, helpers.LWTSeg6AdjustSrh, helpers.LWTSeg6StoreBytes, helpers.MsgPopData,
		helpers.MsgPullData, helpers.MsgPushData, helpers.SKBAdjustRoom, helpers.SKBChangeHead,
		helpers.SKBChangeProto, helpers.SKBChangeTail, helpers.SKBPullData, helpers.SKBStoreBytes,
		helpers.SKBVlanPop, helpers.SKBVlanPush, helpers.StoreHdrOpt, helpers.XDPAdjustHead,
		helpers.XDPAdjustMeta, helpers.XDPAdjustTail, helpers.TailCall:
		return true
	}
	return false
}
