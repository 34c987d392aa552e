package verifier

import (
	"math"
)

// RegType is the kind of value the verifier knows a register or stack slot
// to hold, as the kernel's enum bpf_reg_type.
type RegType uint8

// The register types gbpf's verifier tracks.
const (
	NotInit               RegType = iota // never written: reading it is an error
	Scalar                               // a number (SCALAR_VALUE)
	PtrToCtx                             // the program's context (PTR_TO_CTX)
	PtrToStack                           // a frame's stack (PTR_TO_STACK)
	PtrToMem                             // memory of known size (PTR_TO_MEM): the raw type's input
	PtrToPacket                          // packet data (PTR_TO_PACKET), readable up to its proven range
	PtrToPacketEnd                       // the end of the packet (PTR_TO_PACKET_END), only for comparisons
	PtrToPacketMeta                      // packet metadata (PTR_TO_PACKET_META)
	ConstPtrToMap                        // a map (CONST_PTR_TO_MAP), from lddw src=1 or 5: only a helper argument
	PtrToMapValue                        // a map value (PTR_TO_MAP_VALUE), ValueSize bytes
	PtrToMapValueOrNull                  // a map value or NULL (PTR_TO_MAP_VALUE | PTR_MAYBE_NULL), from a lookup
	PtrToRingbufMem                      // a ring buffer record of known size (PTR_TO_MEM | MEM_RINGBUF), a reference to submit or discard
	PtrToRingbufMemOrNull                // a ring buffer record or NULL, as ringbuf_reserve returns it
	PtrToFunc                            // a subprogram (PTR_TO_FUNC), from lddw src=4: a callback argument
	PtrToMapKey                          // a map key (PTR_TO_MAP_KEY), KeySize read-only bytes, in a for_each_map_elem callback
	PtrToSockCommon                      // a socket's struct bpf_sock, common fields (PTR_TO_SOCK_COMMON), read-only
	PtrToSockCommonOrNull                // a socket or NULL, as __sk_buff.sk loads it (PTR_TO_SOCK_COMMON_OR_NULL)
)

// String returns the kernel's name of the type as the verifier log prints it.
func (t RegType) String() string {
	switch t {
	case NotInit:
		return "?"
	case Scalar:
		return "scalar"
	case PtrToCtx:
		return "ctx"
	case PtrToStack:
		return "fp"
	case PtrToMem:
		return "mem"
	case PtrToPacket:
		return "pkt"
	case PtrToPacketEnd:
		return "pkt_end"
	case PtrToPacketMeta:
		return "pkt_meta"
	case ConstPtrToMap:
		return "map_ptr"
	case PtrToMapValue:
		return "map_value"
	case PtrToMapValueOrNull:
		return "map_value_or_null"
	case PtrToRingbufMem:
		return "ringbuf_mem"
	case PtrToRingbufMemOrNull:
		return "ringbuf_mem_or_null"
	case PtrToFunc:
		return "func"
	case PtrToMapKey:
		return "map_key"
	case PtrToSockCommon:
		return "sock_common"
	case PtrToSockCommonOrNull:
		return "sock_common_or_null"
	}
	return "unknown"
}

// reg is the abstract value of one register: its type, for pointers the
// fixed offset off and the variable offset given by the bounds, for scalars
// the value given by the bounds. The bounds and varOff are kept consistent by
// sync, as the kernel's reg_bounds_sync does.
type reg struct {
	typ    RegType
	off    int32  // fixed offset of a pointer
	frame  uint8  // frame a stack pointer points into
	id     uint32 // scalars copied from one another share an id
	size   uint32 // size of the memory a PtrToMem points to
	rng    int32  // bytes from the packet pointer's base proven readable
	mapIdx int32  // index into Options.Maps of a map pointer, key or value; the subprogram of a PtrToFunc
	refObj uint32 // the reference a ring buffer record holds (ref_obj_id)
	varOff tnum
	smin   int64
	smax   int64
	umin   uint64
	umax   uint64
	s32min int32
	s32max int32
	u32min uint32
	u32max uint32
}

func (r *reg) markUnbounded() {
	r.smin, r.smax = math.MinInt64, math.MaxInt64
	r.umin, r.umax = 0, math.MaxUint64
	r.s32min, r.s32max = math.MinInt32, math.MaxInt32
	r.u32min, r.u32max = 0, math.MaxUint32
}

func (r *reg) mark64Unbounded() {
	r.smin, r.smax = math.MinInt64, math.MaxInt64
	r.umin, r.umax = 0, math.MaxUint64
}

func (r *reg) mark32Unbounded() {
	r.s32min, r.s32max = math.MinInt32, math.MaxInt32
	r.u32min, r.u32max = 0, math.MaxUint32
}

// unknownScalar is a scalar about which nothing is known.
func unknownScalar() reg {
	r := reg{typ: Scalar, varOff: tnumUnknown}
	r.markUnbounded()
	return r
}

// knownScalar is the scalar v.
func knownScalar(v uint64) reg {
	r := reg{typ: Scalar}
	r.setKnown(v)
	return r
}

func (r *reg) setKnown(v uint64) {
	r.varOff = tnumConst(v)
	r.smin, r.smax = int64(v), int64(v)
	r.umin, r.umax = v, v
	r.s32min, r.s32max = int32(v), int32(v)
	r.u32min, r.u32max = uint32(v), uint32(v)
}

func (r *reg) set32Known(v uint32) {
	r.varOff = r.varOff.withSubreg(tnumConst(uint64(v)))
	r.s32min, r.s32max = int32(v), int32(v)
	r.u32min, r.u32max = v, v
}

// pointerTo is a pointer of type t with fixed offset off and no variable part.
func pointerTo(t RegType, off int32) reg {
	r := reg{typ: t, off: off}
	r.setKnown(0)
	return r
}

// scalarRange is an unknown scalar in [0, max] (zero-extended loads).
func scalarUpTo(max uint64) reg {
	r := unknownScalar()
	r.umin, r.umax = 0, max
	r.sync()
	return r
}

// addConst flags the id of a scalar linked to others by a constant delta
// (BPF_ADD_CONST): rX = rY; rX += off gives rX the id of rY with this flag
// and the delta in off, so that what a branch learns about one holds for
// the other, shifted.
const addConst uint32 = 1 << 31

func (r *reg) isConst() bool { return r.typ == Scalar && r.varOff.isConst() }

func (r *reg) isConst32() bool {
	return r.typ == Scalar && r.varOff.subreg().isConst()
}

func (r *reg) isPointer() bool { return r.typ > Scalar }

// isMapType reports whether t points to a map or into its values (the
// kernel's type_is_map_ptr): such registers carry mapIdx.
func isMapType(t RegType) bool {
	return t == ConstPtrToMap || t == PtrToMapValue || t == PtrToMapValueOrNull
}

// update64 and update32 learn bounds from varOff (__update_reg*_bounds).
func (r *reg) update32() {
	v := r.varOff.subreg()
	r.s32min = max(r.s32min, int32(uint32(v.v|(v.m&0x80000000))))
	r.s32max = min(r.s32max, int32(uint32(v.v|(v.m&0x7fffffff))))
	r.u32min = max(r.u32min, uint32(v.v))
	r.u32max = min(r.u32max, uint32(v.v|v.m))
}

func (r *reg) update64() {
	v := r.varOff
	r.smin = max(r.smin, int64(v.v|(v.m&(1<<63))))
	r.smax = min(r.smax, int64(v.v|(v.m&math.MaxInt64)))
	r.umin = max(r.umin, v.v)
	r.umax = min(r.umax, v.v|v.m)
}

func (r *reg) updateBounds() {
	r.update32()
	r.update64()
}

func (r *reg) deduce32() {
	if r.umin>>32 == r.umax>>32 {
		r.u32min = max(r.u32min, uint32(r.umin))
		r.u32max = min(r.u32max, uint32(r.umax))
		if int32(uint32(r.umin)) <= int32(uint32(r.umax)) {
			r.s32min = max(r.s32min, int32(uint32(r.umin)))
			r.s32max = min(r.s32max, int32(uint32(r.umax)))
		}
	}
	if r.smin>>32 == r.smax>>32 {
		r.u32min = max(r.u32min, uint32(r.smin))
		r.u32max = min(r.u32max, uint32(r.smax))
		if int32(r.smin) <= int32(r.smax) {
			r.s32min = max(r.s32min, int32(r.smin))
			r.s32max = min(r.s32max, int32(r.smax))
		}
	}
	// A 64-bit range that crosses into the next 32-bit block once, its
	// low halves going from negative to non-negative as s32, still bounds
	// the s32 subregister.
	if uint32(r.umin>>32)+1 == uint32(r.umax>>32) && int32(uint32(r.umin)) < 0 && int32(uint32(r.umax)) >= 0 {
		r.s32min = max(r.s32min, int32(uint32(r.umin)))
		r.s32max = min(r.s32max, int32(uint32(r.umax)))
	}
	if uint32(r.smin>>32)+1 == uint32(r.smax>>32) && int32(r.smin) < 0 && int32(r.smax) >= 0 {
		r.s32min = max(r.s32min, int32(r.smin))
		r.s32max = min(r.s32max, int32(r.smax))
	}
	if int32(r.u32min) <= int32(r.u32max) {
		r.s32min = max(r.s32min, int32(r.u32min))
		r.s32max = min(r.s32max, int32(r.u32max))
	}
	if uint32(r.s32min) <= uint32(r.s32max) {
		r.u32min = max(uint32(r.s32min), r.u32min)
		r.u32max = min(uint32(r.s32max), r.u32max)
	} else if r.u32max < uint32(r.s32min) {
		// The s32 range crosses the sign boundary and the u32 range
		// overlaps only its non-negative part.
		r.s32min = int32(r.u32min)
		r.u32max = min(r.u32max, uint32(r.s32max))
	} else if uint32(r.s32max) < r.u32min {
		// ... or only its negative part.
		r.s32max = int32(r.u32max)
		r.u32min = max(r.u32min, uint32(r.s32min))
	}
}

func (r *reg) deduce64() {
	if int64(r.umin) <= int64(r.umax) {
		r.smin = max(r.smin, int64(r.umin))
		r.smax = min(r.smax, int64(r.umax))
	}
	if uint64(r.smin) <= uint64(r.smax) {
		r.umin = max(uint64(r.smin), r.umin)
		r.umax = min(uint64(r.smax), r.umax)
	} else if r.umax < uint64(r.smin) {
		// The s64 range crosses the sign boundary and the u64 range
		// overlaps only its non-negative part.
		r.smin = int64(r.umin)
		r.umax = min(r.umax, uint64(r.smax))
	} else if uint64(r.smax) < r.umin {
		// ... or only its negative part.
		r.smax = int64(r.umax)
		r.umin = max(r.umin, uint64(r.smin))
	}
}

func (r *reg) deduceMixed() {
	const hi = ^uint64(0xffffffff)
	newUmin := r.umin&hi | uint64(r.u32min)
	newUmax := r.umax&hi | uint64(r.u32max)
	r.umin = max(r.umin, newUmin)
	r.umax = min(r.umax, newUmax)
	newSmin := int64(uint64(r.smin)&hi | uint64(r.u32min))
	newSmax := int64(uint64(r.smax)&hi | uint64(r.u32max))
	r.smin = max(r.smin, newSmin)
	r.smax = min(r.smax, newSmax)
}

func (r *reg) deduce() {
	r.deduce32()
	r.deduce64()
	r.deduceMixed()
}

func (r *reg) boundOffset() {
	v64 := tnumIntersect(r.varOff, tnumRange(r.umin, r.umax))
	v32 := tnumIntersect(v64.subreg(), tnumRange(uint64(r.u32min), uint64(r.u32max)))
	r.varOff = tnumOr(v64.clearSubreg(), v32)
}

// sync makes bounds and known bits agree (the kernel's reg_bounds_sync).
func (r *reg) sync() {
	r.updateBounds()
	r.deduce()
	r.deduce()
	r.boundOffset()
	r.updateBounds()
}

// sane reports whether the bounds describe at least one value; a branch
// whose refinement leaves them empty cannot be taken.
func (r *reg) sane() bool {
	if r.typ != Scalar {
		return true
	}
	return r.smin <= r.smax && r.umin <= r.umax && r.s32min <= r.s32max && r.u32min <= r.u32max &&
		r.umin <= r.varOff.v|r.varOff.m && r.umax >= r.varOff.v
}

// zext32 zero-extends the 32-bit subregister into 64 bits.
func (r *reg) zext32() {
	r.varOff = r.varOff.subreg()
	r.umin, r.umax = uint64(r.u32min), uint64(r.u32max)
	if r.s32min >= 0 && r.s32max >= 0 {
		r.smin, r.smax = int64(r.s32min), int64(r.s32max)
	} else {
		r.smin, r.smax = 0, math.MaxUint32
	}
}

// truncate keeps only the low size bytes of a scalar, zero-extended
// (coerce_reg_to_size).
func (r *reg) truncate(size int) {
	if size >= 8 {
		return
	}
	mask := uint64(1)<<(8*size) - 1
	r.varOff = tnum{r.varOff.v & mask, r.varOff.m & mask}
	if r.umin&^mask == r.umax&^mask {
		r.umin &= mask
		r.umax &= mask
	} else {
		r.umin, r.umax = 0, mask
	}
	r.smin, r.smax = int64(r.umin), int64(r.umax)
	r.mark32Unbounded()
	r.id, r.off = 0, 0
	r.sync()
}

// signExtend replaces a scalar by the sign extension of its low size bytes
// (movsx, ldsx); 32-bit results are then zero-extended by the caller.
func (r *reg) signExtend(size int) {
	bits := uint(8 * size)
	sx := func(v int64) int64 { return int64(uint64(v)<<(64-bits)) >> (64 - bits) }
	r.id, r.off = 0, 0
	if r.varOff.isConst() {
		r.setKnown(uint64(sx(int64(r.varOff.v))))
		return
	}
	// coerce_reg_to_size_sx: bounds survive when the bits above the
	// narrow type agree at both ends and the results share a sign.
	if uint64(r.smax)>>bits == uint64(r.smin)>>bits {
		a, b := sx(r.smax), sx(r.smin)
		lo, hi := min(a, b), max(a, b)
		if (lo >= 0) == (hi >= 0) {
			r.smin, r.smax = lo, hi
			r.s32min, r.s32max = int32(lo), int32(hi)
			r.umin, r.umax = uint64(lo), uint64(hi)
			r.u32min, r.u32max = uint32(lo), uint32(hi)
			r.varOff = tnumRange(uint64(lo), uint64(hi))
			r.sync()
			return
		}
	}
	lo, hi := -(int64(1) << (bits - 1)), int64(1)<<(bits-1)-1
	r.smin, r.smax = lo, hi
	r.s32min, r.s32max = int32(lo), int32(hi)
	r.umin, r.umax = 0, math.MaxUint64
	r.u32min, r.u32max = 0, math.MaxUint32
	r.varOff = tnumUnknown
	r.sync()
}

// signExtend32 sign-extends the low size bytes (1 or 2) of a scalar's
// 32-bit subregister into the subregister (coerce_subreg_to_size_sx); the
// caller zero-extends the result to 64 bits.
func (r *reg) signExtend32(size int) {
	bits := uint(8 * size)
	sx := func(v int32) int32 { return int32(uint32(v)<<(32-bits)) >> (32 - bits) }
	r.id, r.off = 0, 0
	if r.varOff.subreg().isConst() {
		v := uint32(sx(int32(uint32(r.varOff.v))))
		r.varOff = tnumConst(uint64(v))
		r.s32min, r.s32max = int32(v), int32(v)
		r.u32min, r.u32max = v, v
		return
	}
	if uint32(r.s32max)>>bits == uint32(r.s32min)>>bits {
		a, b := sx(r.s32max), sx(r.s32min)
		lo, hi := min(a, b), max(a, b)
		if (lo >= 0) == (hi >= 0) {
			r.s32min, r.s32max = lo, hi
			r.u32min, r.u32max = uint32(lo), uint32(hi)
			r.varOff = tnumRange(uint64(int64(lo)), uint64(int64(hi))).subreg()
			return
		}
	}
	r.s32min, r.s32max = -(int32(1) << (bits - 1)), int32(1)<<(bits-1)-1
	r.u32min, r.u32max = 0, math.MaxUint32
	r.varOff = tnumUnknown.subreg()
}

// addOverflows reports whether a+b overflows int64.
func addOverflows(a, b int64) bool {
	s := a + b
	return (s > a) != (b > 0)
}

func subOverflows(a, b int64) bool {
	s := a - b
	return (s < a) != (b > 0)
}

func add32Overflows(a, b int32) bool {
	s := a + b
	return (s > a) != (b > 0)
}

func sub32Overflows(a, b int32) bool {
	s := a - b
	return (s < a) != (b > 0)
}

// scalarALU applies a binary ALU operation to two scalars, as the kernel's
// adjust_scalar_min_max_vals. op is the operation code (isa.ALUAdd ...),
// alu32 selects the 32-bit form.
func scalarALU(dst *reg, src reg, op uint8, alu32 bool) {
	dst.id, dst.off = 0, 0
	if !safeToCompute(src, op, alu32) {
		*dst = unknownScalar()
		if alu32 {
			dst.zext32()
			dst.sync()
		}
		return
	}
	switch op {
	case aluAdd:
		add32(dst, src)
		add64(dst, src)
		dst.varOff = tnumAdd(dst.varOff, src.varOff)
	case aluSub:
		sub32(dst, src)
		sub64(dst, src)
		dst.varOff = tnumSub(dst.varOff, src.varOff)
	case aluMul:
		dst.varOff = tnumMul(dst.varOff, src.varOff)
		mul32(dst, src)
		mul64(dst, src)
	case aluAnd:
		dst.varOff = tnumAnd(dst.varOff, src.varOff)
		and32(dst, src)
		and64(dst, src)
	case aluOr:
		dst.varOff = tnumOr(dst.varOff, src.varOff)
		or32(dst, src)
		or64(dst, src)
	case aluXor:
		dst.varOff = tnumXor(dst.varOff, src.varOff)
		xor32(dst, src)
		xor64(dst, src)
	case aluLsh:
		if alu32 {
			lsh32(dst, src)
		} else {
			lsh64(dst, src)
		}
	case aluRsh:
		if alu32 {
			rsh32(dst, src)
		} else {
			rsh64(dst, src)
		}
	case aluArsh:
		if alu32 {
			arsh32(dst, src)
		} else {
			arsh64(dst, src)
		}
	}
	if alu32 {
		dst.zext32()
	}
	dst.sync()
}

// Operation codes, as in isa (bits 4-7 of the opcode).
const (
	aluAdd  = 0x00
	aluSub  = 0x10
	aluMul  = 0x20
	aluDiv  = 0x30
	aluOr   = 0x40
	aluAnd  = 0x50
	aluLsh  = 0x60
	aluRsh  = 0x70
	aluNeg  = 0x80
	aluMod  = 0x90
	aluXor  = 0xa0
	aluMov  = 0xb0
	aluArsh = 0xc0
	aluEnd  = 0xd0
)

func safeToCompute(src reg, op uint8, alu32 bool) bool {
	var srcConst bool
	width := uint64(64)
	if alu32 {
		width = 32
		srcConst = src.varOff.subreg().isConst() && src.s32min == src.s32max && src.u32min == src.u32max
	} else {
		srcConst = src.varOff.isConst() && src.smin == src.smax && src.umin == src.umax
	}
	switch op {
	case aluAdd, aluSub, aluAnd, aluXor, aluOr, aluMul:
		return true
	case aluLsh, aluRsh, aluArsh:
		if alu32 {
			return srcConst && uint64(src.u32max) < width
		}
		return srcConst && src.umax < width
	}
	return false
}

func add32(d *reg, s reg) {
	if add32Overflows(d.s32min, s.s32min) || add32Overflows(d.s32max, s.s32max) {
		d.s32min, d.s32max = math.MinInt32, math.MaxInt32
	} else {
		d.s32min += s.s32min
		d.s32max += s.s32max
	}
	lo, c1 := addU32(d.u32min, s.u32min)
	hi, c2 := addU32(d.u32max, s.u32max)
	if c1 || c2 {
		d.u32min, d.u32max = 0, math.MaxUint32
	} else {
		d.u32min, d.u32max = lo, hi
	}
}

func addU32(a, b uint32) (uint32, bool) { s := a + b; return s, s < a }

func add64(d *reg, s reg) {
	if addOverflows(d.smin, s.smin) || addOverflows(d.smax, s.smax) {
		d.smin, d.smax = math.MinInt64, math.MaxInt64
	} else {
		d.smin += s.smin
		d.smax += s.smax
	}
	lo := d.umin + s.umin
	hi := d.umax + s.umax
	if lo < d.umin || hi < d.umax {
		d.umin, d.umax = 0, math.MaxUint64
	} else {
		d.umin, d.umax = lo, hi
	}
}

func sub32(d *reg, s reg) {
	if sub32Overflows(d.s32min, s.s32max) || sub32Overflows(d.s32max, s.s32min) {
		d.s32min, d.s32max = math.MinInt32, math.MaxInt32
	} else {
		d.s32min -= s.s32max
		d.s32max -= s.s32min
	}
	if d.u32min < s.u32max {
		d.u32min, d.u32max = 0, math.MaxUint32
	} else {
		d.u32min -= s.u32max
		d.u32max -= s.u32min
	}
}

func sub64(d *reg, s reg) {
	if subOverflows(d.smin, s.smax) || subOverflows(d.smax, s.smin) {
		d.smin, d.smax = math.MinInt64, math.MaxInt64
	} else {
		d.smin -= s.smax
		d.smax -= s.smin
	}
	if d.umin < s.umax {
		d.umin, d.umax = 0, math.MaxUint64
	} else {
		d.umin -= s.umax
		d.umax -= s.umin
	}
}

func mul32(d *reg, s reg) {
	if s.s32min < 0 || d.s32min < 0 {
		d.mark32Unbounded()
		return
	}
	if s.u32max > math.MaxUint16 || d.u32max > math.MaxUint16 {
		d.mark32Unbounded()
		return
	}
	d.u32min *= s.u32min
	d.u32max *= s.u32max
	if d.u32max > math.MaxInt32 {
		d.s32min, d.s32max = math.MinInt32, math.MaxInt32
	} else {
		d.s32min, d.s32max = int32(d.u32min), int32(d.u32max)
	}
}

func mul64(d *reg, s reg) {
	if s.smin < 0 || d.smin < 0 {
		d.mark64Unbounded()
		return
	}
	if s.umax > math.MaxUint32 || d.umax > math.MaxUint32 {
		d.mark64Unbounded()
		return
	}
	d.umin *= s.umin
	d.umax *= s.umax
	if d.umax > math.MaxInt64 {
		d.smin, d.smax = math.MinInt64, math.MaxInt64
	} else {
		d.smin, d.smax = int64(d.umin), int64(d.umax)
	}
}

func signs32FromUnsigned(d *reg) {
	if int32(d.u32min) <= int32(d.u32max) {
		d.s32min, d.s32max = int32(d.u32min), int32(d.u32max)
	} else {
		d.s32min, d.s32max = math.MinInt32, math.MaxInt32
	}
}

func signs64FromUnsigned(d *reg) {
	if int64(d.umin) <= int64(d.umax) {
		d.smin, d.smax = int64(d.umin), int64(d.umax)
	} else {
		d.smin, d.smax = math.MinInt64, math.MaxInt64
	}
}

func and32(d *reg, s reg) {
	v := d.varOff.subreg()
	if s.varOff.subreg().isConst() && v.isConst() {
		d.set32Known(uint32(v.v))
		return
	}
	d.u32min = uint32(v.v)
	d.u32max = min(d.u32max, s.u32max)
	signs32FromUnsigned(d)
}

func and64(d *reg, s reg) {
	if s.varOff.isConst() && d.varOff.isConst() {
		d.setKnown(d.varOff.v)
		return
	}
	d.umin = d.varOff.v
	d.umax = min(d.umax, s.umax)
	signs64FromUnsigned(d)
	d.update64()
}

func or32(d *reg, s reg) {
	v := d.varOff.subreg()
	if s.varOff.subreg().isConst() && v.isConst() {
		d.set32Known(uint32(v.v))
		return
	}
	d.u32min = max(d.u32min, s.u32min)
	d.u32max = uint32(v.v | v.m)
	signs32FromUnsigned(d)
}

func or64(d *reg, s reg) {
	if s.varOff.isConst() && d.varOff.isConst() {
		d.setKnown(d.varOff.v)
		return
	}
	d.umin = max(d.umin, s.umin)
	d.umax = d.varOff.v | d.varOff.m
	signs64FromUnsigned(d)
	d.update64()
}

func xor32(d *reg, s reg) {
	v := d.varOff.subreg()
	if s.varOff.subreg().isConst() && v.isConst() {
		d.set32Known(uint32(v.v))
		return
	}
	d.u32min = uint32(v.v)
	d.u32max = uint32(v.v | v.m)
	signs32FromUnsigned(d)
}

func xor64(d *reg, s reg) {
	if s.varOff.isConst() && d.varOff.isConst() {
		d.setKnown(d.varOff.v)
		return
	}
	d.umin = d.varOff.v
	d.umax = d.varOff.v | d.varOff.m
	signs64FromUnsigned(d)
	d.update64()
}

func lsh32(d *reg, s reg) {
	umin, umax := uint64(s.u32min), uint64(s.u32max)
	sub := d.varOff.subreg()
	d.s32min, d.s32max = math.MinInt32, math.MaxInt32
	if umax > 31 || uint64(d.u32max) > 1<<(31-umax) {
		d.u32min, d.u32max = 0, math.MaxUint32
	} else {
		d.u32min <<= umin
		d.u32max <<= umax
	}
	d.varOff = sub.lsh(uint8(umin)).subreg()
	d.mark64Unbounded()
	d.update32()
}

func lsh64(d *reg, s reg) {
	umin, umax := s.umin, s.umax
	if umin == 32 && umax == 32 && d.s32max >= 0 {
		d.smax = int64(d.s32max) << 32
	} else {
		d.smax = math.MaxInt64
	}
	if umin == 32 && umax == 32 && d.s32min >= 0 {
		d.smin = int64(d.s32min) << 32
	} else {
		d.smin = math.MinInt64
	}
	if d.umax > 1<<(63-umax) {
		d.umin, d.umax = 0, math.MaxUint64
	} else {
		d.umin <<= umin
		d.umax <<= umax
	}
	d.varOff = d.varOff.lsh(uint8(umin))
	d.mark32Unbounded()
	d.update64()
}

func rsh32(d *reg, s reg) {
	umin, umax := s.u32min, s.u32max
	sub := d.varOff.subreg()
	d.s32min, d.s32max = math.MinInt32, math.MaxInt32
	d.varOff = sub.rsh(uint8(umin))
	d.u32min >>= umax
	d.u32max >>= umin
	d.mark64Unbounded()
	d.update32()
}

func rsh64(d *reg, s reg) {
	umin, umax := s.umin, s.umax
	d.smin, d.smax = math.MinInt64, math.MaxInt64
	d.varOff = d.varOff.rsh(uint8(umin))
	d.umin >>= umax
	d.umax >>= umin
	d.mark32Unbounded()
	d.update64()
}

func arsh32(d *reg, s reg) {
	umin := s.u32min
	d.s32min >>= umin
	d.s32max >>= umin
	d.varOff = d.varOff.subreg().arsh(uint8(umin), 32)
	d.u32min, d.u32max = 0, math.MaxUint32
	d.mark64Unbounded()
	d.update32()
}

func arsh64(d *reg, s reg) {
	umin := s.umin
	d.smin >>= umin
	d.smax >>= umin
	d.varOff = d.varOff.arsh(uint8(umin), 64)
	d.umin, d.umax = 0, math.MaxUint64
	d.mark32Unbounded()
	d.update64()
}
