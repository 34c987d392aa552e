package vm

import (
	"fmt"
	"sync"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
)

// pseudoLoad resolves an lddw with a pseudo source at instruction i to the
// 64-bit value its register receives:
//   - src 1 (map fd) and 5 (map index): the map's handle, an address the
//     map helpers recognise (gbpf has no file descriptors, so the
//     immediate of src 1 is an index into Options.Maps as well);
//   - src 2 (map value) and 6 (map index value): the address of the first
//     value of an array map plus the offset in the constant's high 32 bits,
//     as the kernel allows for global data; the value becomes a region of
//     every run;
//   - src 4 (func): the callback pointer of the subprogram at the relative
//     slot offset in the immediate, for bpf_loop and for_each_map_elem.
func (p *Program) pseudoLoad(si *isa.SlotIndex, i int, ins isa.Instruction) (uint64, error) {
	imm := uint32(ins.Constant)
	switch ins.Src {
	case isa.PseudoMapFD, isa.PseudoMapIdx:
		if _, err := p.mapIndex(imm); err != nil {
			return 0, err
		}
		p.needsEnv = true
		return addrOf(p.handles[imm:]), nil
	case isa.PseudoMapValue, isa.PseudoMapIdxValue:
		m, err := p.mapIndex(imm)
		if err != nil {
			return 0, err
		}
		off := uint32(uint64(ins.Constant) >> 32)
		if m.Type() != maps.Array {
			return 0, fmt.Errorf("%w: map %d (%s): direct value access needs an array map", ErrBadMap, imm, m)
		}
		if off >= m.ValueSize() {
			return 0, fmt.Errorf("%w: map %d (%s): value offset %d beyond value size %d", ErrBadMap, imm, m, off, m.ValueSize())
		}
		tok := maps.EnterRun()
		v := m.LookupPtr(make([]byte, 4), 0)
		tok.Exit()
		if v == nil {
			return 0, fmt.Errorf("%w: map %d (%s) has no element 0", ErrBadMap, imm, m)
		}
		p.static = append(p.static, valueRegion(v, m))
		p.needsEnv = true
		return addrOf(v) + uint64(off), nil
	case isa.PseudoFunc:
		slot := int64(si.Slot(i)) + 1 + int64(int32(imm))
		t := -1
		if slot >= 0 && slot < int64(si.Len()) {
			t = si.Index(int(slot))
		}
		if t < 0 {
			return 0, fmt.Errorf("%w: callback at slot %d, outside the program or inside an lddw", ErrJumpOutOfRange, slot)
		}
		p.isFunc[t] = true
		return addrOf(p.funcs[t:]), nil
	}
	return 0, fmt.Errorf("%w: lddw with pseudo source %d (BTF ids and kernel variables) needs kernel objects, which this VM does not have", ErrUnsupported, ins.Src)
}

func (p *Program) mapIndex(imm uint32) (*maps.Map, error) {
	if uint64(imm) >= uint64(len(p.maps)) {
		return nil, fmt.Errorf("%w: map index %d, the program has %d maps (Options.Maps)", ErrBadMap, imm, len(p.maps))
	}
	return p.maps[imm], nil
}

// mapAt returns the map whose handle is the address a, or nil: one of
// the program's maps, or an inner map a map-in-map lookup returned.
func (p *Program) mapAt(a uint64) *maps.Map {
	d := a - addrOf(p.handles)
	if d < uint64(len(p.maps)) {
		return p.maps[d]
	}
	if m, ok := innerByHandle.Load(a); ok {
		return m.(*maps.Map)
	}
	return nil
}

// Handles of inner maps: a map-in-map lookup returns the address of a
// byte allocated for the inner map, the same for every lookup of it.
var (
	innerHandles  sync.Map // *maps.Map -> *byte
	innerByHandle sync.Map // uint64 address -> *maps.Map
)

// innerHandle returns the handle of an inner map.
func innerHandle(m *maps.Map) uint64 {
	if h, ok := innerHandles.Load(m); ok {
		return addrOf(h.([]byte))
	}
	h, loaded := innerHandles.LoadOrStore(m, make([]byte, 1))
	a := addrOf(h.([]byte))
	if !loaded {
		innerByHandle.Store(a, m)
	}
	return a
}

// funcAt returns the instruction index of the callback pointer a, or -1.
func (p *Program) funcAt(a uint64) int {
	d := a - addrOf(p.funcs)
	if d < uint64(len(p.isFunc)) && p.isFunc[d] {
		return int(d)
	}
	return -1
}

// decodeLdAbs decodes the legacy packet loads, which only program types
// with an sk_buff context have.
func (p *Program) decodeLdAbs(ins isa.Instruction) (inst, error) {
	switch p.typ {
	case helpers.SocketFilter, helpers.SchedCLS, helpers.SchedACT:
	default:
		return inst{}, fmt.Errorf("%w: legacy packet load (LD_ABS/LD_IND) needs a packet context, which the %s program type does not have", ErrUnsupported, p.typ)
	}
	c := inst{imm: ins.Imm32(), src: uint8(ins.Src)}
	var size int
	switch ins.OpCode & 0x18 {
	case isa.SizeB:
		size = 0
	case isa.SizeH:
		size = 1
	case isa.SizeW:
		size = 2
	default:
		return c, fmt.Errorf("%w: LD_ABS/LD_IND of 8 bytes", ErrUnsupported)
	}
	if ins.OpCode&0xe0 == isa.ModeABS {
		c.op = opLdAbsB + uint8(size)
	} else {
		c.op = opLdIndB + uint8(size)
	}
	p.needsEnv = true
	return c, nil
}
