package verifier

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

func (v *verifier) logf(format string, args ...any) {
	fmt.Fprintf(&v.log, format, args...)
}

// logState prints the current frame's registers and stack as the kernel's
// print_verifier_state: "R1=ctx() R10=fp0 fp-8=mmmmmmmm".
func (v *verifier) logState(st *state) {
	f := st.cur()
	cur := uint8(len(st.frames) - 1)
	var parts []string
	if cur > 0 {
		parts = append(parts, fmt.Sprintf("frame%d:", cur))
	}
	for r := range f.regs {
		if f.regs[r].typ == NotInit {
			continue
		}
		parts = append(parts, fmt.Sprintf("R%d=%s", r, v.formatReg(&f.regs[r], cur)))
	}
	for k := range f.stack {
		s := &f.stack[k]
		off := -8 * (k + 1)
		if s.isSpill() && s.spillSize == 8 {
			parts = append(parts, fmt.Sprintf("fp%d=%s", off, v.formatReg(&s.spill, cur)))
			continue
		}
		var b strings.Builder
		empty := true
		for j := 7; j >= 0; j-- {
			c := "?mr0"[s.kinds[j]]
			if s.kinds[j] != stackInvalid {
				empty = false
			}
			b.WriteByte(c)
		}
		if !empty {
			parts = append(parts, fmt.Sprintf("fp%d=%s", off, b.String()))
		}
	}
	v.log.WriteString(strings.Join(parts, " "))
	v.log.WriteString("\n")
}

// snum prints a number as verbose_snum: decimal when small, hex otherwise.
func snum(n int64) string {
	if n >= -512 && n <= 512 {
		return strconv.FormatInt(n, 10)
	}
	return fmt.Sprintf("%#x", uint64(n))
}

func (v *verifier) formatReg(r *reg, frame uint8) string {
	if r.typ == Scalar && r.varOff.isConst() {
		return snum(int64(r.varOff.v))
	}
	name := r.typ.String()
	if r.typ == PtrToStack {
		if r.frame != frame {
			name += fmt.Sprintf("[%d]", r.frame)
		}
		if r.varOff.isConst() {
			return name + strconv.FormatInt(int64(r.off)+int64(r.varOff.v), 10)
		}
	}
	var fields []string
	if r.id != 0 {
		fields = append(fields, fmt.Sprintf("id=%d", r.id))
	}
	if r.refObj != 0 {
		fields = append(fields, fmt.Sprintf("ref_obj_id=%d", r.refObj))
	}
	if isMapType(r.typ) && int(r.mapIdx) < len(v.maps) {
		m := &v.maps[r.mapIdx]
		if name := mapName(m.Name); name != "" {
			fields = append(fields, "map="+name)
		}
		fields = append(fields, fmt.Sprintf("ks=%d,vs=%d", m.KeySize, m.ValueSize))
	}
	if r.typ != Scalar && r.off != 0 {
		fields = append(fields, "off="+snum(int64(r.off)))
	}
	if r.typ == PtrToMem || r.typ == PtrToRingbufMem || r.typ == PtrToRingbufMemOrNull {
		fields = append(fields, fmt.Sprintf("sz=%d", r.size))
	}
	if r.typ == PtrToPacket || r.typ == PtrToPacketMeta {
		fields = append(fields, fmt.Sprintf("r=%d", r.rng))
	}
	if !(r.typ != Scalar && r.varOff.isConst()) {
		fields = append(fields, scalarRanges(r)...)
		if !r.varOff.isUnknown() {
			fields = append(fields, "var_off="+r.varOff.String())
		}
	}
	return name + "(" + strings.Join(fields, ",") + ")"
}

// scalarRanges prints the bounds that say something, merging equal ones
// as the kernel does ("smin=umin=0").
func scalarRanges(r *reg) []string {
	type bound struct {
		name  string
		val   int64
		isDef bool
	}
	bs := []bound{
		{"smin", r.smin, r.smin == math.MinInt64},
		{"smax", r.smax, r.smax == math.MaxInt64},
		{"umin", int64(r.umin), r.umin == 0},
		{"umax", int64(r.umax), r.umax == math.MaxUint64},
		{"smin32", int64(r.s32min), r.s32min == math.MinInt32},
		{"smax32", int64(r.s32max), r.s32max == math.MaxInt32},
		{"umin32", int64(r.u32min), r.u32min == 0},
		{"umax32", int64(r.u32max), r.u32max == math.MaxUint32},
	}
	done := make([]bool, len(bs))
	var out []string
	for k, b := range bs {
		if done[k] || b.isDef {
			continue
		}
		names := b.name
		for j := k + 1; j < len(bs); j++ {
			if !done[j] && !bs[j].isDef && bs[j].val == b.val {
				names += "=" + bs[j].name
				done[j] = true
			}
		}
		val := strconv.FormatInt(b.val, 10)
		if strings.HasPrefix(b.name, "u") {
			val = strconv.FormatUint(uint64(b.val), 10)
			if strings.HasSuffix(b.name, "32") {
				val = strconv.FormatUint(uint64(uint32(b.val)), 10)
			}
		}
		if uint64(b.val) > 512 && strings.HasPrefix(b.name, "u") {
			val = fmt.Sprintf("%#x", uint64(b.val))
		}
		out = append(out, names+"="+val)
	}
	return out
}

// mapName is a map's name as the kernel keeps it (BPF_OBJ_NAME_LEN - 1
// characters).
func mapName(name string) string {
	if len(name) > 15 {
		return name[:15]
	}
	return name
}
