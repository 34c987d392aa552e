package verifier

import "math"

// The struct __sk_buff layout (include/uapi/linux/bpf.h), as offsets.
const (
	skbCB           = 48 // cb[0..4]
	skbCBEnd        = 68
	skbMark         = 8
	skbQueueMapping = 12
	skbPriority     = 32
	skbTCIndex      = 44
	skbTCClassid    = 72
	skbData         = 76
	skbDataEnd      = 80
	skbFamily       = 88 // family .. local_port
	skbLocalPortE   = 140
	skbDataMeta     = 140
	skbFlowKeys     = 144
	skbTstamp       = 152
	skbWireLen      = 160
	skbSk           = 168
	skbTstampType   = 180
	skbHwtstamp     = 184
	skbSize         = 192
)

// perfMaxTraceSize is PERF_MAX_TRACE_SIZE, the end of a tracepoint's
// record; ptRegsSize is sizeof(struct pt_regs) on x86-64.
const (
	perfMaxTraceSize = 8192
	ptRegsSize       = 168
	maxBPFFuncArgs   = 12 // MAX_BPF_FUNC_ARGS: a raw tracepoint's u64 arguments
)

// in reports whether off falls in the field [start, start+size).
func in(off, start, size int) bool { return off >= start && off < start+size }

// ctxAccess checks an access to the context (check_ctx_access) and returns
// the loaded value.
func (v *verifier) ctxAccess(a access, b reg) (reg, error) {
	if b.off < 0 {
		return reg{}, v.fail(a.i, "negative offset ctx ptr R%d off=%d disallowed", a.base, b.off)
	}
	if b.off != 0 {
		return reg{}, v.fail(a.i, "dereference of modified ctx ptr R%d off=%d disallowed", a.base, b.off)
	}
	if !b.varOff.isConst() || b.varOff.v != 0 {
		return reg{}, v.fail(a.i, "variable ctx access var_off=%v disallowed", b.varOff)
	}
	if v.opts.Unprivileged && a.write && a.value != nil && a.value.isPointer() {
		return reg{}, v.fail(a.i, "R%d leaks addr into ctx", v.insns[a.i].Src)
	}
	off, size := int(a.off), a.size
	if v.opts.ProgType == XDP {
		// xdp_is_valid_access: 4-byte reads of the six fields.
		if a.write || off < 0 || off >= 24 || off%size != 0 || size != 4 || (a.signed && off <= 8) {
			return reg{}, v.fail(a.i, "invalid bpf_context access off=%d size=%d", off, size)
		}
		switch off {
		case 0:
			return pointerTo(PtrToPacket, 0), nil
		case 4:
			return pointerTo(PtrToPacketEnd, 0), nil
		case 8:
			return pointerTo(PtrToPacketMeta, 0), nil
		}
		return scalarUpTo(math.MaxUint32), nil
	}
	if v.opts.ProgType == Syscall {
		// syscall_prog_is_valid_access: the caller's memory, read and
		// written anywhere below U16_MAX; runs pass max_ctx_offset bytes.
		if off < 0 || off >= math.MaxUint16 || off%size != 0 {
			return reg{}, v.fail(a.i, "invalid bpf_context access off=%d size=%d", off, size)
		}
		v.maxCtxOffset = max(v.maxCtxOffset, off+size)
		return unknownScalar(), nil
	}
	if t := v.opts.ProgType; t == Tracepoint || t == Kprobe || t == RawTracepoint {
		// tp_prog_is_valid_access, kprobe_prog_is_valid_access,
		// bpf_tracing_ctx_access.
		lo, hi := 8, perfMaxTraceSize
		switch t {
		case Kprobe:
			lo, hi = 0, ptRegsSize
		case RawTracepoint:
			lo, hi = 0, 8*maxBPFFuncArgs
		}
		if a.write || off < lo || off+size > hi || off%size != 0 {
			return reg{}, v.fail(a.i, "invalid bpf_context access off=%d size=%d", off, size)
		}
		// Any value; checkLoad narrows it to the loaded size.
		return unknownScalar(), nil
	}
	ok := false
	switch v.opts.ProgType {
	case SocketFilter:
		ok = skFilterAccessOK(off, size, a.write)
	case SchedCLS:
		ok = tcAccessOK(off, size, a.write) && !(a.signed && (off == skbData || off == skbDataEnd || off == skbDataMeta))
	}
	if !ok {
		return reg{}, v.fail(a.i, "invalid bpf_context access off=%d size=%d", off, size)
	}
	if v.opts.ProgType == SchedCLS && !a.write {
		switch off {
		case skbData:
			return pointerTo(PtrToPacket, 0), nil
		case skbDataEnd:
			return pointerTo(PtrToPacketEnd, 0), nil
		case skbDataMeta:
			return pointerTo(PtrToPacketMeta, 0), nil
		}
	}
	if off == skbSk {
		// A socket or NULL, with an id for the null check.
		r := pointerTo(PtrToSockCommonOrNull, 0)
		v.nextID++
		r.id = v.nextID
		return r, nil
	}
	if size == 8 {
		return unknownScalar(), nil
	}
	return scalarUpTo(1<<(8*size) - 1), nil
}

// skFilterAccessOK is sk_filter_is_valid_access.
func skFilterAccessOK(off, size int, write bool) bool {
	if off < 0 || off >= skbSize || off%size != 0 {
		return false
	}
	switch {
	case in(off, skbTCClassid, 4), in(off, skbData, 4), in(off, skbDataMeta, 4), in(off, skbDataEnd, 4),
		off >= skbFamily && off < skbLocalPortE, in(off, skbTstamp, 8), in(off, skbWireLen, 4), in(off, skbHwtstamp, 8):
		return false
	}
	if write && !(off >= skbCB && off < skbCBEnd) {
		return false
	}
	return skbAccessOK(off, size, write)
}

// tcAccessOK is tc_cls_act_is_valid_access.
func tcAccessOK(off, size int, write bool) bool {
	if off < 0 || off >= skbSize || off%size != 0 {
		return false
	}
	if write {
		switch {
		case in(off, skbMark, 4), in(off, skbTCIndex, 4), in(off, skbPriority, 4), in(off, skbTCClassid, 4),
			off >= skbCB && off < skbCBEnd, in(off, skbTstamp, 8), in(off, skbQueueMapping, 4):
		default:
			return false
		}
	}
	switch {
	case off >= skbFamily && off < skbLocalPortE:
		return false
	case off == skbTstampType:
		return !write && size == 1
	}
	return skbAccessOK(off, size, write)
}

// skbAccessOK is bpf_skb_is_valid_access.
func skbAccessOK(off, size int, write bool) bool {
	switch {
	case off >= skbCB && off < skbCBEnd:
		return off+size <= skbCBEnd
	case in(off, skbData, 4), in(off, skbDataMeta, 4), in(off, skbDataEnd, 4), off >= 92 && off < 132:
		return size == 4
	case in(off, skbFlowKeys, 8):
		return false
	case in(off, skbHwtstamp, 8):
		return !write && size == 8
	case in(off, skbTstamp, 8):
		return size == 8
	case off == skbSk:
		return !write && size == 8
	case in(off, skbTstampType, 4):
		return false
	}
	if write {
		return size == 4
	}
	// Narrow reads of a 4-byte field.
	return size <= 4
}

// The struct bpf_sock layout (include/uapi/linux/bpf.h), as offsets.
const (
	sockFamily     = 4
	sockType       = 8  // type .. priority: not in struct sock_common
	sockSrcIP4     = 24 // src_ip4, src_ip6[4]
	sockSrcPort    = 44
	sockDstPort    = 48 // __be16, then 16 bits of padding
	sockDstIP4     = 52 // dst_ip4, dst_ip6[4]
	sockState      = 72
	sockRxQueueMap = 76
	sockSize       = 80
)

// sockAccess checks a load from a socket's common fields (check_sock_access
// with bpf_sock_common_is_valid_access).
func (v *verifier) sockAccess(a access, b reg) (reg, error) {
	if a.write {
		return reg{}, v.fail(a.i, "R%d cannot write into %s", a.base, b.typ)
	}
	if b.smin < 0 {
		return reg{}, v.fail(a.i, "R%d min value is negative, either use unsigned index or do a if (index >=0) check.", a.base)
	}
	off := int(b.off) + int(a.off)
	if !b.varOff.isConst() || b.varOff.v != 0 || !sockCommonAccessOK(off, a.size) {
		return reg{}, v.fail(a.i, "R%d invalid %s access off=%d size=%d", a.base, b.typ, off, a.size)
	}
	return unknownScalar(), nil
}

// sockCommonAccessOK is bpf_sock_common_is_valid_access for reads.
func sockCommonAccessOK(off, size int) bool {
	if off < 0 || off >= sockSize || off%size != 0 || in(off, sockType, sockSrcIP4-sockType) {
		return false
	}
	narrow := func(field int) bool { return size <= field && size&(size-1) == 0 }
	switch {
	case off == sockFamily, off == sockSrcPort, off == sockState, off == sockRxQueueMap,
		in(off, sockSrcIP4, sockSrcPort-sockSrcIP4), in(off, sockDstIP4, sockState-sockDstIP4):
		return narrow(4)
	case in(off, sockDstPort, 2):
		if size == 4 {
			return narrow(4)
		}
		return narrow(2)
	case in(off, sockDstPort+2, 2):
		return false
	}
	return size == 4
}
