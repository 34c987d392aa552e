package maps

import (
	"encoding/binary"
	"sync"
)

// arrayMap is Array and PerCPUArray: preallocated, updated in place.
type arrayMap struct {
	base
	max    uint32
	percpu bool
	ncpu   int
	stride int // round8(value size)
	esize  int // bytes per element: stride, or ncpu*stride
	data   []byte
	cp     valueCopier

	keysOnce sync.Once
	keys     []byte // index i as a u32 at 4*i, for forEach
}

func newArray(s *Spec, ncpu int) *arrayMap {
	a := &arrayMap{max: s.MaxEntries, percpu: s.Type == PerCPUArray, ncpu: ncpu, stride: int(round8(s.ValueSize)), cp: newCopier(s)}
	a.esize = a.stride
	if a.percpu {
		a.esize = a.stride * ncpu
	}
	a.data = alignedBytes(a.esize * int(s.MaxEntries))
	return a
}

func (a *arrayMap) index(key []byte) (uint32, bool) {
	i := binary.LittleEndian.Uint32(key)
	return i, i < a.max
}

func (a *arrayMap) elem(i uint32) []byte {
	off := int(i) * a.esize
	return a.data[off : off+a.esize : off+a.esize]
}

func (a *arrayMap) lookupPtr(key []byte, cpu int) []byte {
	i, ok := a.index(key)
	if !ok {
		return nil
	}
	e := a.elem(i)
	if a.percpu {
		if uint(cpu) >= uint(a.ncpu) {
			return nil
		}
		off := cpu * a.stride
		return e[off : off+a.cp.vs : off+a.cp.vs]
	}
	return e[:a.cp.vs:a.cp.vs]
}

// check applies the kernel's checks of an update. Programs reach
// array_map_update_elem (BPF_F_LOCK passes the flag check even for
// per-CPU arrays); user space reaches bpf_percpu_array_update for per-CPU
// arrays, which refuses it.
func (a *arrayMap) check(key []byte, flags uint64, user bool) (uint32, error) {
	if err := checkFlags(flags, !(a.percpu && user)); err != nil {
		return 0, err
	}
	i, ok := a.index(key)
	if !ok {
		return 0, ErrFull
	}
	if flags&uint64(UpdateNoExist) != 0 {
		return 0, ErrKeyExist
	}
	if flags&uint64(UpdateLock) != 0 && a.cp.lockOff < 0 {
		return 0, ErrInvalid
	}
	return i, nil
}

func (a *arrayMap) update(key, value []byte, flags uint64, cpu int) error {
	i, err := a.check(key, flags, false)
	if err != nil {
		return err
	}
	e := a.elem(i)
	switch {
	case a.percpu:
		if uint(cpu) >= uint(a.ncpu) {
			return ErrInvalid
		}
		a.cp.in(e[cpu*a.stride:], value)
	case flags&uint64(UpdateLock) != 0:
		a.cp.inLocked(e, value)
	default:
		a.cp.in(e, value)
	}
	return nil
}

func (a *arrayMap) updateUser(key, value []byte, flags uint64) error {
	if !a.percpu {
		return a.update(key, value, flags, 0)
	}
	i, err := a.check(key, flags, true)
	if err != nil {
		return err
	}
	e := a.elem(i)
	for c := 0; c < a.ncpu; c++ {
		a.cp.in(e[c*a.stride:], value[c*a.stride:])
	}
	return nil
}

func (a *arrayMap) delete([]byte) error { return ErrInvalid }

func (a *arrayMap) lookupUser(key, out []byte) error {
	i, ok := a.index(key)
	if !ok {
		return ErrKeyNotExist
	}
	e := a.elem(i)
	if !a.percpu {
		a.cp.out(out, e)
		return nil
	}
	for c := 0; c < a.ncpu; c++ {
		a.cp.out(out[c*a.stride:], e[c*a.stride:])
	}
	return nil
}

func (a *arrayMap) nextKey(key, out []byte) error {
	var next uint32
	if key != nil {
		i := binary.LittleEndian.Uint32(key)
		if i < a.max {
			if i == a.max-1 {
				return ErrKeyNotExist
			}
			next = i + 1
		}
	}
	binary.LittleEndian.PutUint32(out, next)
	return nil
}

func (a *arrayMap) count() int { return int(a.max) }

// forEach calls fn with each index (as stable little-endian u32 key
// storage) and the live value of slot cpu.
func (a *arrayMap) forEach(cpu int, fn func(key, value []byte) bool) int {
	a.keysOnce.Do(func() {
		a.keys = alignedBytes(4 * int(a.max))
		for i := uint32(0); i < a.max; i++ {
			binary.LittleEndian.PutUint32(a.keys[4*i:], i)
		}
	})
	n := 0
	for i := uint32(0); i < a.max; i++ {
		n++
		if fn(a.keys[4*i:4*i+4:4*i+4], a.lookupPtr(a.keys[4*i:4*i+4], cpu)) {
			break
		}
	}
	return n
}
