package maps

import (
	"encoding/binary"
	"fmt"
	"sync/atomic"
)

// progArray is ProgArray: slots holding program references (any value;
// package vm stores its programs) for tail calls.
type progArray struct {
	base
	slots   []atomic.Pointer[progRef]
	retired retireList
}

type progRef struct{ prog any }

func newProgArray(s *Spec) *progArray {
	return &progArray{slots: make([]atomic.Pointer[progRef], s.MaxEntries)}
}

func (p *progArray) lookupUser([]byte, []byte) error { return ErrNotSupported }

func (p *progArray) nextKey(key, out []byte) error {
	var next uint32
	if key != nil {
		i := binary.LittleEndian.Uint32(key)
		if i < uint32(len(p.slots)) {
			if i == uint32(len(p.slots))-1 {
				return ErrKeyNotExist
			}
			next = i + 1
		}
	}
	binary.LittleEndian.PutUint32(out, next)
	return nil
}

func (p *progArray) delete(key []byte) error {
	i := binary.LittleEndian.Uint32(key)
	if i >= uint32(len(p.slots)) {
		return ErrFull
	}
	old := p.slots[i].Swap(nil)
	if old == nil {
		return ErrKeyNotExist
	}
	return nil
}

func (p *progArray) count() int {
	n := 0
	for i := range p.slots {
		if p.slots[i].Load() != nil {
			n++
		}
	}
	return n
}

// ProgArrayGet returns the program at index i of a ProgArray, or nil for
// an empty slot or an index out of range (the kernel's tail call then
// falls through). It does not allocate.
func (m *Map) ProgArrayGet(i uint32) any {
	if m.progs == nil || i >= uint32(len(m.progs.slots)) {
		return nil
	}
	r := m.progs.slots[i].Load()
	if r == nil {
		return nil
	}
	return r.prog
}

// SetProg stores prog at index key (marshaled like Update's key) of a
// ProgArray; a nil prog empties the slot.
func (m *Map) SetProg(key, prog any) error {
	if m.progs == nil {
		return m.opErr("set program", ErrInvalid)
	}
	k, err := m.keyBytes(key)
	if err != nil {
		return m.opErr("set program", err)
	}
	i := binary.LittleEndian.Uint32(k)
	if i >= uint32(len(m.progs.slots)) {
		return m.opErr("set program", fmt.Errorf("index %d of %d: %w", i, len(m.progs.slots), ErrFull))
	}
	if prog == nil {
		m.progs.slots[i].Store(nil)
		return nil
	}
	m.progs.slots[i].Store(&progRef{prog: prog})
	return nil
}
