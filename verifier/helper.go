package verifier

import (
	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/isa"
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
	}
	return helpers.Raw
}

// expectedMem is the kernel's list of what a memory argument may be.
const expectedMem = "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_"

// checkHelperCall checks a helper call against its prototype
// (check_helper_call) for the argument kinds that need no maps: any value,
// the context, memory with its size, writable 8 bytes. The call clobbers
// r1 to r5 and defines r0 by the return type.
func (v *verifier) checkHelperCall(st *state, i int, ins isa.Instruction) error {
	id := helpers.ID(ins.Imm32())
	p, ok := helpers.Lookup(id)
	if !ok {
		if id > 0 && id < helpers.Max {
			return v.unsupported(i, "helper #%d has no prototype in package helpers yet", id)
		}
		return v.fail(i, "invalid func unknown#%d", ins.Imm32())
	}
	if !p.AllowedIn(v.opts.ProgType.helperProgType()) {
		return v.fail(i, "program of this type cannot use helper %s#%d", p.Name(), id)
	}
	f := st.cur()
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
			if err := v.helperMem(st, i, regno, *size, arg, p.Args[k+1]); err != nil {
				return err
			}
			k++
		case helpers.ArgPtrToLong:
			if err := v.helperMem(st, i, regno, knownScalar(8), helpers.ArgPtrToUninitMem, helpers.ArgConstSize); err != nil {
				return err
			}
		default:
			return v.unsupported(i, "helper %s#%d: argument %d (%v) is not supported yet", p.Name(), id, k+1, arg)
		}
	}
	for r := isa.R1; r <= isa.R5; r++ {
		f.regs[r] = reg{}
	}
	switch p.Ret {
	case helpers.RetInteger:
		f.regs[isa.R0] = unknownScalar()
	case helpers.RetVoid:
		f.regs[isa.R0] = reg{}
	default:
		return v.unsupported(i, "helper %s#%d: return type %v is not supported yet", p.Name(), id, p.Ret)
	}
	return nil
}

// helperMem checks a memory argument and its size (check_mem_size_reg,
// check_helper_mem_access); writable memory on the stack becomes data.
func (v *verifier) helperMem(st *state, i int, regno isa.Register, size reg, arg, sizeArg helpers.ArgType) error {
	b := st.cur().regs[regno]
	if size.typ != Scalar {
		return v.fail(i, "R%d type=%s expected=scalar", regno+1, size.typ)
	}
	if size.smin < 0 {
		return v.fail(i, "R%d min value is negative, either use unsigned index or do a if (index >=0) check.", regno+1)
	}
	if size.umax == 0 && sizeArg == helpers.ArgConstSize {
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
	write := arg == helpers.ArgPtrToUninitMem
	switch b.typ {
	case PtrToMem:
		_, err := v.memRegionAccess(access{i: i, base: regno, size: int(n)}, b)
		return err
	case PtrToPacket, PtrToPacketMeta:
		// Only helpers the kernel marks pkt_access may take packet
		// memory; the helpers package does not say which, so none do.
		return v.fail(i, "helper access to the packet is not allowed")
	case PtrToStack:
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
