package maps

import (
	"encoding/binary"
	"fmt"
	"sort"
	"sync"
)

// mapOfMaps is ArrayOfMaps and HashOfMaps: values are references to maps
// compatible with the inner map template. Removed inner maps stay
// referenced through the grace period.
type mapOfMaps struct {
	base
	mu      sync.RWMutex
	array   bool
	max     uint32
	inner   *Spec
	slots   []*Map          // ArrayOfMaps
	byKey   map[string]*Map // HashOfMaps
	retired retireList
}

func newMapOfMaps(s *Spec) *mapOfMaps {
	o := &mapOfMaps{array: s.Type == ArrayOfMaps, max: s.MaxEntries, inner: s.InnerMap.Copy()}
	if o.array {
		o.slots = make([]*Map, s.MaxEntries)
	} else {
		o.byKey = map[string]*Map{}
	}
	return o
}

// compatible is the kernel's bpf_map_meta_equal (and the array rule on
// max entries).
func (o *mapOfMaps) compatible(m *Map) error {
	t := o.inner
	s := &m.spec
	if s.Type != t.Type || s.KeySize != t.KeySize || s.ValueSize != t.ValueSize || s.Flags != t.Flags {
		return fmt.Errorf("inner map %v (key %d, value %d, flags %#x) does not match the template %v (key %d, value %d, flags %#x): %w",
			s.Type, s.KeySize, s.ValueSize, s.Flags, t.Type, t.KeySize, t.ValueSize, t.Flags, ErrInvalid)
	}
	if (t.Type == Array || t.Type == PerCPUArray) && t.Flags&FlagInnerMap == 0 && s.MaxEntries != t.MaxEntries {
		return fmt.Errorf("inner array has %d entries, the template %d (without BPF_F_INNER_MAP): %w", s.MaxEntries, t.MaxEntries, ErrInvalid)
	}
	switch s.Type {
	case ProgArray, ArrayOfMaps, HashOfMaps:
		return fmt.Errorf("%v cannot be an inner map: %w", s.Type, ErrInvalid)
	}
	return nil
}

func (o *mapOfMaps) get(key []byte) *Map {
	o.mu.RLock()
	defer o.mu.RUnlock()
	if o.array {
		i := binary.LittleEndian.Uint32(key)
		if i >= o.max {
			return nil
		}
		return o.slots[i]
	}
	return o.byKey[string(key)]
}

func (o *mapOfMaps) set(key []byte, m *Map, flags uint64) error {
	if flags > uint64(UpdateExist) {
		return ErrInvalid
	}
	if m == nil {
		return ErrBadFD
	}
	if o.array {
		// The kernel checks flags and index before the inner map.
		i := binary.LittleEndian.Uint32(key)
		if flags != uint64(UpdateAny) {
			return ErrInvalid // fd arrays take BPF_ANY only
		}
		if i >= o.max {
			return ErrFull
		}
	}
	if err := o.compatible(m); err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.array {
		i := binary.LittleEndian.Uint32(key)
		if old := o.slots[i]; old != nil {
			o.retired.add(old)
		}
		o.slots[i] = m
		return nil
	}
	old, ok := o.byKey[string(key)]
	if ok && flags == uint64(UpdateNoExist) {
		return ErrKeyExist
	}
	if !ok && flags == uint64(UpdateExist) {
		return ErrKeyNotExist
	}
	if !ok && uint32(len(o.byKey)) >= o.max {
		return ErrFull
	}
	if ok {
		o.retired.add(old)
	}
	o.byKey[string(key)] = m
	return nil
}

func (o *mapOfMaps) delete(key []byte) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.array {
		i := binary.LittleEndian.Uint32(key)
		if i >= o.max {
			return ErrFull
		}
		if o.slots[i] == nil {
			return ErrKeyNotExist
		}
		o.retired.add(o.slots[i])
		o.slots[i] = nil
		return nil
	}
	old, ok := o.byKey[string(key)]
	if !ok {
		return ErrKeyNotExist
	}
	delete(o.byKey, string(key))
	o.retired.add(old)
	return nil
}

// lookupUser reports presence; the kernel returns the inner map's id,
// which gbpf does not have: out is zeroed.
func (o *mapOfMaps) lookupUser(key, out []byte) error {
	if o.get(key) == nil {
		return ErrKeyNotExist
	}
	clear(out)
	return nil
}

func (o *mapOfMaps) nextKey(key, out []byte) error {
	o.mu.RLock()
	defer o.mu.RUnlock()
	if o.array {
		var next uint32
		if key != nil {
			i := binary.LittleEndian.Uint32(key)
			if i < o.max {
				if i == o.max-1 {
					return ErrKeyNotExist
				}
				next = i + 1
			}
		}
		binary.LittleEndian.PutUint32(out, next)
		return nil
	}
	keys := make([]string, 0, len(o.byKey))
	for k := range o.byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	pos := 0
	if key != nil {
		if _, ok := o.byKey[string(key)]; ok {
			pos = sort.SearchStrings(keys, string(key)) + 1
		}
	}
	if pos >= len(keys) {
		return ErrKeyNotExist
	}
	copy(out, keys[pos])
	return nil
}

func (o *mapOfMaps) count() int {
	o.mu.RLock()
	defer o.mu.RUnlock()
	if o.array {
		return int(o.max)
	}
	return len(o.byKey)
}

// LookupInner is bpf_map_lookup_elem on a map-in-map from a program: the
// inner map at key, or nil.
func (m *Map) LookupInner(key []byte) *Map {
	if m.outer == nil || len(key) != int(m.spec.KeySize) {
		return nil
	}
	return m.outer.get(key)
}

// SetInner stores inner at key of a map-in-map (UpdateAny), checking that
// it is compatible with the inner map template as the kernel does.
func (m *Map) SetInner(key any, inner *Map) error {
	if m.outer == nil {
		return m.opErr("set inner map", ErrInvalid)
	}
	k, err := m.keyBytes(key)
	if err != nil {
		return m.opErr("set inner map", err)
	}
	if err := m.outer.set(k, inner, 0); err != nil {
		return m.opErr("set inner map", err)
	}
	return nil
}
