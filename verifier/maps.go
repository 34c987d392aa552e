package verifier

import (
	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
)

// mapTypeModelled reports whether the verifier models what programs may do
// with a map of type t: plain key/value maps, queues and stacks, bloom
// filters, ring buffers, perf event arrays, program arrays (tail calls),
// maps of maps and the redirect maps (bpf_redirect_map; device map values
// are read-only).
func mapTypeModelled(t maps.Type) bool {
	switch t {
	case maps.Hash, maps.Array, maps.PerCPUHash, maps.PerCPUArray, maps.LRUHash, maps.LRUPerCPUHash,
		maps.LPMTrie, maps.Queue, maps.Stack, maps.BloomFilter, maps.RingBuf, maps.PerfEventArray,
		maps.ProgArray, maps.ArrayOfMaps, maps.HashOfMaps, maps.DevMap, maps.DevMapHash, maps.CPUMap, maps.XSKMap:
		return true
	}
	return false
}

// checkMapLoads checks every lddw that refers to a map before the program
// is explored, as the kernel's resolve_pseudo_ldimm64: the index names a
// map of Options.Maps, and a direct value load points inside the value of
// a one-element array.
func (v *verifier) checkMapLoads() error {
	for i, ins := range v.insns {
		if !ins.IsLoadImm64() {
			continue
		}
		hi := uint32(uint64(ins.Constant) >> 32)
		idx := uint32(ins.Constant)
		switch ins.Src {
		case isa.PseudoMapFD, isa.PseudoMapIdx:
			if hi != 0 {
				return v.fail(i, "unrecognized bpf_ld_imm64 insn")
			}
		case isa.PseudoMapValue, isa.PseudoMapIdxValue:
		default:
			continue
		}
		if v.opts.Maps == nil {
			// The caller described no maps: not a judgement on the program.
			return v.unsupported(i, "the program refers to map %d, but Options.Maps describes no maps", int32(idx))
		}
		if int64(idx) >= int64(len(v.opts.Maps)) {
			return v.fail(i, "fd %d is not pointing to valid bpf_map", int32(idx))
		}
		m := &v.maps[idx]
		if v.opts.Unprivileged {
			// Unprivileged, the kernel also explores the paths a CPU may
			// take speculatively and masks map value offsets
			// (sanitize_ptr_alu); gbpf does not model that yet.
			return v.unsupported(i, "maps in unprivileged programs are not supported yet")
		}
		if !mapTypeModelled(m.Type) {
			return v.unsupported(i, "map %d of type %v is not supported yet", idx, m.Type)
		}
		if m.Frozen != nil && (m.Type != maps.Array || m.MaxEntries != 1 || m.Flags&maps.FlagRdOnlyProg == 0) {
			return v.unsupported(i, "MapInfo.Frozen describes map %d, which is not a read-only one-element array", idx)
		}
		if err := v.checkMapProg(i, m); err != nil {
			return err
		}
		if m.Type == maps.ArrayOfMaps || m.Type == maps.HashOfMaps {
			in := m.Inner
			if in == nil {
				return v.unsupported(i, "map %d of type %v has no MapInfo.Inner", idx, m.Type)
			}
			if !mapTypeModelled(in.Type) || in.Type == maps.ArrayOfMaps || in.Type == maps.HashOfMaps {
				return v.unsupported(i, "inner maps of type %v are not supported yet", in.Type)
			}
		}
		if ins.Src == isa.PseudoMapValue || ins.Src == isa.PseudoMapIdxValue {
			if hi >= maxVarOff {
				return v.fail(i, "direct value offset of %d is not allowed", hi)
			}
			if m.Type != maps.Array {
				return v.fail(i, "no direct value access support for this map type")
			}
			if m.MaxEntries != 1 || hi >= m.ValueSize {
				return v.fail(i, "invalid access to map value pointer, value_size=%d off=%d", m.ValueSize, hi)
			}
		}
	}
	return nil
}

// checkMapProg is the kernel's check_map_prog_compatibility for the
// special fields of a map's values.
func (v *verifier) checkMapProg(i int, m *MapInfo) error {
	has := m.has
	if m.Inner != nil && len(m.Inner.Fields) > 0 {
		return v.unsupported(i, "inner maps with special fields are not supported yet")
	}
	if has(Kptr) {
		return v.unsupported(i, "map values with kptrs are not supported yet")
	}
	pt := v.opts.ProgType
	tracing := pt == Tracepoint || pt == Kprobe || pt == RawTracepoint
	if pt == Syscall {
		switch m.Type {
		case maps.Hash, maps.LRUHash, maps.Array, maps.PerCPUHash, maps.PerCPUArray, maps.LRUPerCPUHash,
			maps.ArrayOfMaps, maps.HashOfMaps, maps.RingBuf, maps.UserRingBuf, maps.Queue, maps.Stack,
			maps.InodeStorage, maps.SkStorage, maps.TaskStorage, maps.CgrpStorage, maps.Arena:
		default:
			return v.fail(i, "Sleepable programs can only use array, hash, ringbuf and local storage maps")
		}
	}
	switch {
	case tracing && (has(ListHead) || has(RBRoot)):
		return v.fail(i, "tracing progs cannot use bpf_{list_head,rb_root} yet")
	case has(SpinLock) && pt == SocketFilter:
		return v.fail(i, "socket filter progs cannot use bpf_spin_lock yet")
	case has(SpinLock) && tracing:
		return v.fail(i, "tracing progs cannot use bpf_spin_lock yet")
	case has(Timer) && tracing:
		return v.fail(i, "tracing progs cannot use bpf_timer yet")
	case has(Workqueue) && tracing:
		return v.fail(i, "tracing progs cannot use bpf_wq yet")
	}
	return nil
}

// has reports whether the map's values hold a field of kind k.
func (m *MapInfo) has(k FieldKind) bool {
	for _, f := range m.Fields {
		if f.Kind == k {
			return true
		}
	}
	return false
}

// spinLock checks a bpf_spin_lock or bpf_spin_unlock argument and takes or
// releases the lock (process_spin_lock).
func (v *verifier) spinLock(st *state, i int, regno isa.Register, r *reg, lock bool) error {
	if r.typ != PtrToMapValue {
		return v.fail(i, "R%d type=%s expected=map_value, ptr_", regno, r.typ)
	}
	if !r.varOff.isConst() {
		return v.fail(i, "R%d doesn't have constant offset. bpf_spin_lock has to be at the constant offset", regno)
	}
	m := &v.maps[r.mapIdx]
	var lockOff int64 = -1
	for _, f := range m.Fields {
		if f.Kind == SpinLock {
			lockOff = int64(f.Off)
		}
	}
	if lockOff < 0 {
		return v.fail(i, "map '%s' has no valid bpf_spin_lock", mapName(m.Name))
	}
	if off := int64(r.varOff.v) + int64(r.off); off != lockOff {
		return v.fail(i, "off %d doesn't point to 'struct bpf_spin_lock' that is at %d", off, lockOff)
	}
	held := heldLock{mapIdx: r.mapIdx + 1, id: r.id}
	if lock {
		if st.lock.mapIdx != 0 {
			return v.fail(i, "Locking two bpf_spin_locks are not allowed")
		}
		st.lock = held
		return nil
	}
	if st.lock.mapIdx == 0 {
		return v.fail(i, "bpf_spin_unlock without taking a lock")
	}
	if st.lock != held {
		return v.fail(i, "bpf_spin_unlock of different lock")
	}
	st.lock = heldLock{}
	return nil
}

// loadMap gives the register of an lddw with a map source (check_ld_imm).
func (v *verifier) loadMap(ins isa.Instruction) reg {
	idx := int32(uint32(ins.Constant))
	if ins.Src == isa.PseudoMapFD || ins.Src == isa.PseudoMapIdx {
		r := pointerTo(ConstPtrToMap, 0)
		r.mapIdx = idx
		return r
	}
	r := pointerTo(PtrToMapValue, int32(uint32(uint64(ins.Constant)>>32)))
	r.mapIdx = idx
	return r
}

// mapAccessType checks the program's right to read or write a map's
// values (check_map_access_type); off includes the register's fixed offset.
func (v *verifier) mapAccessType(i int, b reg, off int64, size int64, write bool) error {
	m := &v.maps[b.mapIdx]
	if write && m.Flags&maps.FlagRdOnlyProg != 0 {
		return v.fail(i, "write into map forbidden, value_size=%d off=%d size=%d", m.ValueSize, off, size)
	}
	if !write && m.Flags&maps.FlagWrOnlyProg != 0 {
		return v.fail(i, "read from map forbidden, value_size=%d off=%d size=%d", m.ValueSize, off, size)
	}
	return nil
}

// mapValueAccess checks an access of size bytes at offset off (the
// instruction's offset plus the register's fixed one) through a map value
// pointer held in register regno (check_map_access_type, check_map_access).
func (v *verifier) mapValueAccess(i int, regno isa.Register, b reg, off, size int64, write, zeroOK bool) error {
	if err := v.mapAccessType(i, b, off, size, write); err != nil {
		return err
	}
	m := &v.maps[b.mapIdx]
	if err := v.memRegion(i, regno, b, off, size, int64(m.ValueSize), zeroOK, "map value, value_size"); err != nil {
		return err
	}
	for _, f := range m.Fields {
		// Any byte of the field the access may touch (check_map_access).
		if b.smin+off < int64(f.Off)+int64(f.Size) && int64(f.Off) < int64(b.umax)+off+size {
			return v.fail(i, "%s cannot be accessed directly by load/store", f.Kind)
		}
	}
	return nil
}

// memRegion is the kernel's check_mem_region_access: the access must fit
// in [0, memSize) for the smallest and the largest offset the register
// may hold. what names the region in the first line of the message.
func (v *verifier) memRegion(i int, regno isa.Register, b reg, off, size, memSize int64, zeroOK bool, what string) error {
	if b.smin < 0 && (b.smin == minInt64 || off+b.smin != int64(int32(off+b.smin)) || b.smin+off < 0) {
		return v.fail(i, "R%d min value is negative, either use unsigned index or do a if (index >=0) check.", regno)
	}
	inside := func(o int64) bool {
		return o >= 0 && (size > 0 || (size == 0 && zeroOK)) && o+size <= memSize
	}
	if lo := b.smin + off; !inside(lo) {
		v.logf("invalid access to %s=%d off=%d size=%d\n", what, memSize, lo, size)
		return v.fail(i, "R%d min value is outside of the allowed memory range", regno)
	}
	if b.umax >= maxVarOff {
		return v.fail(i, "R%d unbounded memory access, make sure to bounds check any such access", regno)
	}
	if hi := int64(b.umax) + off; !inside(hi) {
		v.logf("invalid access to %s=%d off=%d size=%d\n", what, memSize, hi, size)
		return v.fail(i, "R%d max value is outside of the allowed memory range", regno)
	}
	return nil
}

const minInt64 = -1 << 63

// frozenRead reads size bytes at off of a frozen value, little endian,
// zero-extended (the load sign-extends them if it must).
func frozenRead(m *MapInfo, off int64, size int) uint64 {
	var x uint64
	for k := size - 1; k >= 0; k-- {
		x <<= 8
		if o := off + int64(k); o >= 0 && o < int64(len(m.Frozen)) {
			x |= uint64(m.Frozen[o])
		}
	}
	return x
}

// checkMapFunc is the kernel's check_map_func_compatibility for the map
// types the verifier models: both what the map allows and what the helper
// needs.
func (v *verifier) checkMapFunc(i int, m *MapInfo, id helpers.ID) error {
	ok := true
	switch m.Type {
	case maps.ProgArray:
		ok = id == helpers.TailCall
	case maps.PerfEventArray:
		ok = id == helpers.PerfEventRead || id == helpers.PerfEventOutput || id == helpers.SKBOutput ||
			id == helpers.PerfEventReadValue || id == helpers.XDPOutput
	case maps.RingBuf:
		ok = id == helpers.RingbufOutput || id == helpers.RingbufReserve || id == helpers.RingbufQuery ||
			id == helpers.RingbufReserveDynptr || id == helpers.RingbufSubmitDynptr || id == helpers.RingbufDiscardDynptr
	case maps.Queue, maps.Stack:
		ok = id == helpers.MapPeekElem || id == helpers.MapPopElem || id == helpers.MapPushElem
	case maps.BloomFilter:
		ok = id == helpers.MapPeekElem || id == helpers.MapPushElem
	case maps.ArrayOfMaps, maps.HashOfMaps:
		ok = id == helpers.MapLookupElem
	case maps.DevMap, maps.DevMapHash, maps.XSKMap:
		ok = id == helpers.RedirectMap || id == helpers.MapLookupElem
	case maps.CPUMap:
		ok = id == helpers.RedirectMap
	}
	if ok {
		switch id {
		case helpers.TailCall:
			ok = m.Type == maps.ProgArray
		case helpers.PerfEventRead, helpers.PerfEventOutput, helpers.PerfEventReadValue, helpers.SKBOutput, helpers.XDPOutput:
			ok = m.Type == maps.PerfEventArray
		case helpers.RingbufOutput, helpers.RingbufReserve, helpers.RingbufQuery,
			helpers.RingbufReserveDynptr, helpers.RingbufSubmitDynptr, helpers.RingbufDiscardDynptr:
			ok = m.Type == maps.RingBuf
		case helpers.MapPopElem:
			ok = m.Type == maps.Queue || m.Type == maps.Stack
		case helpers.MapPeekElem, helpers.MapPushElem:
			ok = m.Type == maps.Queue || m.Type == maps.Stack || m.Type == maps.BloomFilter
		case helpers.RedirectMap:
			ok = m.Type == maps.DevMap || m.Type == maps.DevMapHash || m.Type == maps.CPUMap || m.Type == maps.XSKMap
		case helpers.MapLookupPercpuElem:
			ok = m.Type == maps.PerCPUArray || m.Type == maps.PerCPUHash || m.Type == maps.LRUPerCPUHash
		}
	}
	if !ok {
		return v.fail(i, "cannot pass map_type %d into func bpf_%s#%d", uint32(m.Type), id, id)
	}
	return nil
}

// notNull makes a maybe-NULL pointer known not to be NULL
// (mark_ptr_not_null_reg): a value of a map of maps is its inner map.
func (v *verifier) notNull(r *reg) {
	if r.typ == PtrToRingbufMemOrNull {
		r.typ = PtrToRingbufMem
		return
	}
	if r.typ == PtrToSockCommonOrNull {
		r.typ = PtrToSockCommon
		return
	}
	if r.typ != PtrToMapValueOrNull {
		return
	}
	r.typ = PtrToMapValue
	if in := v.inner[r.mapIdx]; in >= 0 {
		r.typ = ConstPtrToMap
		r.mapIdx = in
	}
}

// MapInfoOf describes a map of package maps: its name, type, sizes, flags,
// spin lock and inner-map template, and, for a frozen one-element array
// that programs may only read (read-only global data), its value.
func MapInfoOf(m *maps.Map) MapInfo {
	mi := specInfo(m.Spec())
	if m.Frozen() && m.Type() == maps.Array && m.MaxEntries() == 1 && m.Flags()&maps.FlagRdOnlyProg != 0 {
		if v := m.LookupPtr(make([]byte, m.KeySize()), 0); v != nil {
			mi.Frozen = append([]byte{}, v...)
		}
	}
	return mi
}

func specInfo(s *maps.Spec) MapInfo {
	mi := MapInfo{Name: s.Name, Type: s.Type, KeySize: s.KeySize, ValueSize: s.ValueSize, MaxEntries: s.MaxEntries, Flags: s.Flags}
	if s.SpinLockOff > 0 {
		mi.Fields = []Field{{Kind: SpinLock, Off: s.SpinLockOff - 1, Size: 4}}
	}
	if s.InnerMap != nil {
		in := specInfo(s.InnerMap)
		mi.Inner = &in
	}
	return mi
}
