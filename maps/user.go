package maps

import (
	"errors"
	"fmt"
	"reflect"
)

// ErrIterationAborted is returned by MapIterator.Err when keys kept
// disappearing under the iterator (as cilium/ebpf's iterator does).
var ErrIterationAborted = errors.New("iteration aborted")

func (m *Map) opErr(op string, err error) error {
	return fmt.Errorf("map %q (%v): %s: %w", m.spec.Name, m.spec.Type, op, err)
}

func (m *Map) keyBytes(key any) ([]byte, error) {
	if m.spec.KeySize == 0 && key == nil {
		return nil, nil
	}
	b, err := marshal(key, int(m.spec.KeySize))
	if err != nil {
		return nil, fmt.Errorf("key: %w", err)
	}
	return b, nil
}

func (m *Map) userCanRead() error {
	if m.spec.Flags&FlagWrOnly != 0 {
		return ErrPerm
	}
	return nil
}

func (m *Map) userCanWrite() error {
	if m.spec.Flags&FlagRdOnly != 0 || m.frozen.Load() {
		return ErrPerm
	}
	return nil
}

// Freeze makes the map read-only to user space, as bpf(BPF_MAP_FREEZE):
// later updates and deletes from user space fail with ErrPerm, while
// programs keep the access their flags give them. Freezing a frozen map
// fails with ErrBusy, and a map user space may not write with ErrPerm. A
// frozen map with FlagRdOnlyProg never changes, so the verifier may read
// its values as constants (read-only global data, .rodata).
func (m *Map) Freeze() error {
	if m.spec.Flags&FlagRdOnly != 0 {
		return fmt.Errorf("freezing map %q: %w", m.spec.Name, ErrPerm)
	}
	if !m.frozen.CompareAndSwap(false, true) {
		return fmt.Errorf("freezing map %q: %w", m.spec.Name, ErrBusy)
	}
	return nil
}

// Frozen reports whether the map has been frozen.
func (m *Map) Frozen() bool { return m.frozen.Load() }

// Lookup copies key's value into valueOut (bpf(BPF_MAP_LOOKUP_ELEM)). For
// queues and stacks key must be nil and Lookup peeks. For a bloom filter
// key is nil and valueOut is the value to test (input): nil means "maybe
// present", ErrKeyNotExist "absent". For map-in-maps valueOut may be a
// **Map.
func (m *Map) Lookup(key, valueOut any) error {
	if err := m.userCanRead(); err != nil {
		return m.opErr("lookup", err)
	}
	k, err := m.keyBytes(key)
	if err != nil {
		return m.opErr("lookup", err)
	}
	switch m.spec.Type {
	case Queue, Stack:
		out := make([]byte, m.spec.ValueSize)
		if err := m.impl.peek(out); err != nil {
			return m.opErr("lookup", err)
		}
		return m.unmarshalValue(out, valueOut)
	case BloomFilter:
		v, err := m.marshalValue(valueOut)
		if err != nil {
			return m.opErr("lookup", err)
		}
		if err := m.impl.peek(v); err != nil {
			return m.opErr("lookup", err)
		}
		return nil
	case ArrayOfMaps, HashOfMaps:
		if p, ok := valueOut.(**Map); ok {
			inner := m.outer.get(k)
			if inner == nil {
				return m.opErr("lookup", ErrKeyNotExist)
			}
			*p = inner
			return nil
		}
	}
	out := make([]byte, m.uvsize)
	if err := m.impl.lookupUser(k, out); err != nil {
		return m.opErr("lookup", err)
	}
	if err := m.unmarshalValue(out, valueOut); err != nil {
		return m.opErr("lookup", err)
	}
	return nil
}

// LookupWithFlags is Lookup with lookup flags: UpdateLock (BPF_F_LOCK)
// copies the value under its bpf_spin_lock; other flags are ErrInvalid.
func (m *Map) LookupWithFlags(key, valueOut any, flags UpdateFlags) error {
	if flags == 0 {
		return m.Lookup(key, valueOut)
	}
	if flags != UpdateLock || m.spec.SpinLockOff == 0 {
		return m.opErr("lookup", fmt.Errorf("flags %#x: %w", uint64(flags), ErrInvalid))
	}
	if err := m.userCanRead(); err != nil {
		return m.opErr("lookup", err)
	}
	k, err := m.keyBytes(key)
	if err != nil {
		return m.opErr("lookup", err)
	}
	out := make([]byte, m.uvsize)
	lockAt := int(m.spec.SpinLockOff - 1)
	err = ErrInvalid
	if m.spec.Type == Array || m.spec.Type == Hash {
		// The element's storage stays valid: take a run for the duration.
		run := EnterRun()
		if v := m.impl.lookupPtr(k, 0); v != nil {
			SpinLock(v[lockAt:])
			copy(out, v)
			SpinUnlock(v[lockAt:])
			clear(out[lockAt : lockAt+4])
			err = nil
		} else {
			err = ErrKeyNotExist
		}
		run.Exit()
	}
	if err != nil {
		return m.opErr("lookup", err)
	}
	return m.unmarshalValue(out, valueOut)
}

// LookupBytes returns key's value as user space sees it, or nil if absent.
func (m *Map) LookupBytes(key any) ([]byte, error) {
	var out []byte
	err := m.Lookup(key, &out)
	if errors.Is(err, ErrKeyNotExist) {
		return nil, nil
	}
	return out, err
}

// Update stores value at key (bpf(BPF_MAP_UPDATE_ELEM)). For queues,
// stacks and bloom filters key is nil and Update pushes. For map-in-maps
// value is a *Map; for prog arrays, the program (see SetProg).
func (m *Map) Update(key, value any, flags UpdateFlags) error {
	if err := m.userCanWrite(); err != nil {
		return m.opErr("update", err)
	}
	if flags&UpdateLock != 0 && m.spec.SpinLockOff == 0 {
		return m.opErr("update", fmt.Errorf("BPF_F_LOCK on a map without a bpf_spin_lock: %w", ErrInvalid))
	}
	k, err := m.keyBytes(key)
	if err != nil {
		return m.opErr("update", err)
	}
	switch m.spec.Type {
	case ProgArray:
		if flags != UpdateAny {
			return m.opErr("update", ErrInvalid) // fd arrays take BPF_ANY only
		}
		return m.SetProg(key, value)
	case ArrayOfMaps, HashOfMaps:
		inner, ok := value.(*Map)
		if !ok {
			return m.opErr("update", fmt.Errorf("value is %T, not *maps.Map: %w", value, ErrBadFD))
		}
		if err := m.outer.set(k, inner, uint64(flags)); err != nil {
			return m.opErr("update", err)
		}
		return nil
	}
	v, err := m.marshalValue(value)
	if err != nil {
		return m.opErr("update", fmt.Errorf("value: %w", err))
	}
	switch m.spec.Type {
	case Queue, Stack, BloomFilter:
		err = m.impl.push(v, uint64(flags))
	default:
		err = m.impl.updateUser(k, v, uint64(flags))
	}
	if err != nil {
		return m.opErr("update", err)
	}
	return nil
}

// Put stores value at key with UpdateAny.
func (m *Map) Put(key, value any) error { return m.Update(key, value, UpdateAny) }

// Delete removes key (bpf(BPF_MAP_DELETE_ELEM)).
func (m *Map) Delete(key any) error {
	if err := m.userCanWrite(); err != nil {
		return m.opErr("delete", err)
	}
	k, err := m.keyBytes(key)
	if err != nil {
		return m.opErr("delete", err)
	}
	if err := m.impl.delete(k); err != nil {
		return m.opErr("delete", err)
	}
	return nil
}

// LookupAndDelete copies key's value into valueOut and removes it: pop for
// queues and stacks (key nil); hash maps support it too.
func (m *Map) LookupAndDelete(key, valueOut any) error {
	if err := m.userCanRead(); err != nil {
		return m.opErr("lookup and delete", err)
	}
	if err := m.userCanWrite(); err != nil {
		return m.opErr("lookup and delete", err)
	}
	k, err := m.keyBytes(key)
	if err != nil {
		return m.opErr("lookup and delete", err)
	}
	out := make([]byte, m.uvsize)
	switch m.spec.Type {
	case Queue, Stack:
		err = m.impl.pop(out)
	default:
		err = m.impl.lookupAndDelete(k, out)
	}
	if err != nil {
		return m.opErr("lookup and delete", err)
	}
	return m.unmarshalValue(out, valueOut)
}

// NextKey stores in nextKeyOut the key after key (the first key when key
// is nil or absent, as the kernel does for hash maps); ErrKeyNotExist after
// the last key.
func (m *Map) NextKey(key, nextKeyOut any) error {
	if err := m.userCanRead(); err != nil {
		return m.opErr("next key", err)
	}
	var k []byte
	if key != nil {
		var err error
		if k, err = m.keyBytes(key); err != nil {
			return m.opErr("next key", err)
		}
	}
	out := make([]byte, m.spec.KeySize)
	if err := m.impl.nextKey(k, out); err != nil {
		return m.opErr("next key", err)
	}
	return unmarshal(out, nextKeyOut)
}

// MapIterator iterates over a map's elements (see Map.Iterate).
type MapIterator struct {
	m     *Map
	prev  []byte
	count int
	done  bool
	err   error
}

// Iterate returns an iterator over the map's keys and values. Elements
// added or removed during iteration may or may not be seen.
func (m *Map) Iterate() *MapIterator { return &MapIterator{m: m} }

// Next stores the next key and value; it returns false at the end or on
// error (see Err).
func (it *MapIterator) Next(keyOut, valueOut any) bool {
	if it.done {
		return false
	}
	m := it.m
	next := make([]byte, m.spec.KeySize)
	val := make([]byte, m.uvsize)
	limit := int(m.spec.MaxEntries) + 1
	if err := m.userCanRead(); err != nil {
		it.err, it.done = m.opErr("iterate", err), true
		return false
	}
	for {
		err := m.impl.nextKey(it.prev, next)
		if errors.Is(err, ErrKeyNotExist) {
			it.done = true
			return false
		}
		if err != nil {
			it.err, it.done = m.opErr("iterate", err), true
			return false
		}
		it.count++
		if it.count > limit {
			it.err, it.done = m.opErr("iterate", ErrIterationAborted), true
			return false
		}
		it.prev = append(it.prev[:0], next...)
		if m.outer != nil {
			if p, ok := valueOut.(**Map); ok {
				inner := m.outer.get(next)
				if inner == nil {
					continue
				}
				*p = inner
				if err := unmarshal(next, keyOut); err != nil {
					it.err, it.done = m.opErr("iterate", err), true
					return false
				}
				return true
			}
		}
		err = m.impl.lookupUser(next, val)
		if errors.Is(err, ErrKeyNotExist) {
			continue
		}
		if err == nil {
			err = unmarshal(next, keyOut)
		}
		if err == nil {
			err = m.unmarshalValue(val, valueOut)
		}
		if err != nil {
			it.err, it.done = m.opErr("iterate", err), true
			return false
		}
		return true
	}
}

// Err returns the error that stopped the iteration, if any.
func (it *MapIterator) Err() error { return it.err }

// MapBatchCursor remembers where a batch operation stopped. The zero value
// starts at the beginning.
type MapBatchCursor struct {
	key     []byte
	started bool
}

// BatchOptions are the options of batch operations, as the kernel's.
type BatchOptions struct {
	ElemFlags uint64 // per-element flags (UpdateFlags for BatchUpdate)
	Flags     uint64 // must be 0
}

func (m *Map) batchSupported(del bool) error {
	switch m.spec.Type {
	case Hash, PerCPUHash, LRUHash, LRUPerCPUHash, HashOfMaps:
		return nil
	case Array, PerCPUArray, ArrayOfMaps:
		if del {
			return ErrNotSupported
		}
		return nil
	}
	return ErrNotSupported
}

// slots gives indexed access to the byte units of a batch argument: a
// []byte of n*size bytes or a slice of fixed-size elements.
type slots struct {
	b  []byte
	rv reflect.Value
	n  int
}

func newSlots(v any, size int) (slots, error) {
	if b, ok := v.([]byte); ok {
		if size == 0 || len(b)%size != 0 {
			return slots{}, fmt.Errorf("%d bytes is not a multiple of %d: %w", len(b), size, ErrInvalid)
		}
		return slots{b: b, n: len(b) / size}, nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice {
		return slots{}, fmt.Errorf("batch argument must be a slice, not %T: %w", v, ErrInvalid)
	}
	return slots{rv: rv, n: rv.Len()}, nil
}

func (s slots) get(i, size int) ([]byte, error) {
	if s.b != nil {
		return s.b[i*size : (i+1)*size], nil
	}
	return marshal(s.rv.Index(i).Interface(), size)
}

func (s slots) put(i int, b []byte) error {
	if s.b != nil {
		copy(s.b[i*len(b):], b)
		return nil
	}
	return unmarshal(b, s.rv.Index(i).Addr().Interface())
}

// valueSlots returns the units of a batch value argument and how they
// map to elements: per-CPU maps take PossibleCPUs() units per element.
func (m *Map) valueUnits() (unit, stride, per int) {
	if m.spec.Type.PerCPU() {
		return int(m.spec.ValueSize), int(round8(m.spec.ValueSize)), m.ncpu
	}
	return int(m.spec.ValueSize), int(m.spec.ValueSize), 1
}

func (m *Map) putValue(s slots, i int, v []byte) error {
	unit, stride, per := m.valueUnits()
	if s.b != nil {
		copy(s.b[i*len(v):], v)
		return nil
	}
	for c := 0; c < per; c++ {
		if err := s.put(i*per+c, v[c*stride:c*stride+unit]); err != nil {
			return err
		}
	}
	return nil
}

func (m *Map) getValue(s slots, i int) ([]byte, error) {
	unit, stride, per := m.valueUnits()
	if s.b != nil {
		return s.b[i*m.uvsize : (i+1)*m.uvsize], nil
	}
	out := make([]byte, m.uvsize)
	for c := 0; c < per; c++ {
		b, err := s.get(i*per+c, unit)
		if err != nil {
			return nil, err
		}
		copy(out[c*stride:], b)
	}
	return out, nil
}

func (m *Map) batchLookup(op string, cursor *MapBatchCursor, keysOut, valuesOut any, opts *BatchOptions, del bool) (int, error) {
	if err := m.batchSupported(del); err != nil {
		return 0, m.opErr(op, err)
	}
	if opts != nil && (opts.Flags != 0 || opts.ElemFlags&^uint64(UpdateLock) != 0) {
		return 0, m.opErr(op, ErrInvalid)
	}
	if cursor == nil {
		return 0, m.opErr(op, fmt.Errorf("nil cursor: %w", ErrInvalid))
	}
	ks, err := newSlots(keysOut, int(m.spec.KeySize))
	if err != nil {
		return 0, m.opErr(op, fmt.Errorf("keys: %w", err))
	}
	vs, err := newSlots(valuesOut, m.uvsize)
	if err != nil {
		return 0, m.opErr(op, fmt.Errorf("values: %w", err))
	}
	_, _, per := m.valueUnits()
	count := ks.n
	if vs.b == nil && vs.n != count*per || vs.b != nil && len(vs.b) != count*m.uvsize {
		return 0, m.opErr(op, fmt.Errorf("values do not match %d keys: %w", count, ErrInvalid))
	}
	if count == 0 {
		return 0, m.opErr(op, fmt.Errorf("zero elements: %w", ErrInvalid))
	}
	next := make([]byte, m.spec.KeySize)
	val := make([]byte, m.uvsize)
	n := 0
	for n < count {
		var prev []byte
		if cursor.started {
			prev = cursor.key
		}
		if del && cursor.started {
			prev = nil // deleted elements are gone: restart from the first
		}
		if err := m.impl.nextKey(prev, next); err != nil {
			if errors.Is(err, ErrKeyNotExist) {
				return n, m.opErr(op, ErrKeyNotExist)
			}
			return n, m.opErr(op, err)
		}
		cursor.key = append(cursor.key[:0], next...)
		cursor.started = true
		if del {
			err = m.impl.lookupAndDelete(next, val)
		} else {
			err = m.impl.lookupUser(next, val)
		}
		if errors.Is(err, ErrKeyNotExist) {
			continue
		}
		if err != nil {
			return n, m.opErr(op, err)
		}
		if err := ks.put(n, next); err != nil {
			return n, m.opErr(op, err)
		}
		if err := m.putValue(vs, n, val); err != nil {
			return n, m.opErr(op, err)
		}
		n++
	}
	return n, nil
}

// BatchLookup copies up to len(keysOut) elements following the cursor
// into keysOut and valuesOut (slices; for per-CPU maps valuesOut has
// PossibleCPUs() elements per key) and returns how many. At the end it
// returns ErrKeyNotExist with the final count, as the kernel does.
func (m *Map) BatchLookup(cursor *MapBatchCursor, keysOut, valuesOut any, opts *BatchOptions) (int, error) {
	if err := m.userCanRead(); err != nil {
		return 0, m.opErr("batch lookup", err)
	}
	return m.batchLookup("batch lookup", cursor, keysOut, valuesOut, opts, false)
}

// BatchLookupAndDelete is BatchLookup that also removes the elements it
// returns (hash maps only).
func (m *Map) BatchLookupAndDelete(cursor *MapBatchCursor, keysOut, valuesOut any, opts *BatchOptions) (int, error) {
	if err := m.userCanWrite(); err != nil {
		return 0, m.opErr("batch lookup and delete", err)
	}
	return m.batchLookup("batch lookup and delete", cursor, keysOut, valuesOut, opts, true)
}

// BatchUpdate stores values at keys with opts.ElemFlags, stopping at the
// first error; it returns how many were stored.
func (m *Map) BatchUpdate(keys, values any, opts *BatchOptions) (int, error) {
	const op = "batch update"
	if err := m.batchSupported(false); err != nil || m.outer != nil {
		if err == nil {
			err = ErrNotSupported
		}
		return 0, m.opErr(op, err)
	}
	if err := m.userCanWrite(); err != nil {
		return 0, m.opErr(op, err)
	}
	var flags uint64
	if opts != nil {
		if opts.Flags != 0 {
			return 0, m.opErr(op, ErrInvalid)
		}
		flags = opts.ElemFlags
	}
	if flags&^uint64(UpdateLock) != 0 || flags&uint64(UpdateLock) != 0 && m.spec.SpinLockOff == 0 {
		return 0, m.opErr(op, fmt.Errorf("element flags %#x: %w", flags, ErrInvalid))
	}
	ks, err := newSlots(keys, int(m.spec.KeySize))
	if err != nil {
		return 0, m.opErr(op, fmt.Errorf("keys: %w", err))
	}
	vs, err := newSlots(values, m.uvsize)
	if err != nil {
		return 0, m.opErr(op, fmt.Errorf("values: %w", err))
	}
	_, _, per := m.valueUnits()
	if vs.b == nil && vs.n != ks.n*per || vs.b != nil && len(vs.b) != ks.n*m.uvsize {
		return 0, m.opErr(op, fmt.Errorf("values do not match %d keys: %w", ks.n, ErrInvalid))
	}
	for i := 0; i < ks.n; i++ {
		k, err := ks.get(i, int(m.spec.KeySize))
		if err != nil {
			return i, m.opErr(op, err)
		}
		v, err := m.getValue(vs, i)
		if err != nil {
			return i, m.opErr(op, err)
		}
		if err := m.impl.updateUser(k, v, flags); err != nil {
			return i, m.opErr(op, err)
		}
	}
	return ks.n, nil
}

// BatchDelete removes keys (hash maps only), stopping at the first error;
// it returns how many were removed.
func (m *Map) BatchDelete(keys any, opts *BatchOptions) (int, error) {
	const op = "batch delete"
	if err := m.batchSupported(true); err != nil {
		return 0, m.opErr(op, err)
	}
	if err := m.userCanWrite(); err != nil {
		return 0, m.opErr(op, err)
	}
	if opts != nil && (opts.Flags != 0 || opts.ElemFlags != 0) {
		return 0, m.opErr(op, ErrInvalid)
	}
	ks, err := newSlots(keys, int(m.spec.KeySize))
	if err != nil {
		return 0, m.opErr(op, fmt.Errorf("keys: %w", err))
	}
	for i := 0; i < ks.n; i++ {
		k, err := ks.get(i, int(m.spec.KeySize))
		if err != nil {
			return i, m.opErr(op, err)
		}
		if err := m.impl.delete(k); err != nil {
			return i, m.opErr(op, err)
		}
	}
	return ks.n, nil
}
