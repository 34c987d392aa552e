package maps

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// PossibleCPUs returns the number of CPUs (VM execution slots) of per-CPU
// maps: the kernel's count of possible CPUs where
// /sys/devices/system/cpu/possible is readable (so per-CPU values have the
// same user-space layout as in the kernel on this machine), and never less
// than runtime.NumCPU(). It is fixed for the life of the process. The
// program-side operations of per-CPU maps take a slot index in
// [0, PossibleCPUs()); runs that share a slot at the same time share its
// values, as preempted programs would.
func PossibleCPUs() int {
	possibleOnce.Do(func() {
		possibleN = runtime.NumCPU()
		if b, err := os.ReadFile("/sys/devices/system/cpu/possible"); err == nil {
			if n, ok := parseCPURange(strings.TrimSpace(string(b))); ok && n > possibleN {
				possibleN = n
			}
		}
	})
	return possibleN
}

var (
	possibleOnce sync.Once
	possibleN    int
)

// parseCPURange parses "0-3" or "0" or "0-1,3" and returns the highest
// CPU number plus one.
func parseCPURange(s string) (int, bool) {
	max := -1
	for _, part := range strings.Split(s, ",") {
		hi := part
		if i := strings.IndexByte(part, '-'); i >= 0 {
			hi = part[i+1:]
		}
		n, err := strconv.Atoi(hi)
		if err != nil || n < 0 {
			return 0, false
		}
		if n > max {
			max = n
		}
	}
	return max + 1, max >= 0
}

// impl is what each map type implements; the zero-op defaults come from
// embedding base.
type impl interface {
	// program side
	lookupPtr(key []byte, cpu int) []byte
	update(key, value []byte, flags uint64, cpu int) error
	delete(key []byte) error
	// user side: value is the user-space layout (all CPUs for per-CPU maps)
	lookupUser(key, out []byte) error
	updateUser(key, value []byte, flags uint64) error
	nextKey(key, out []byte) error
	lookupAndDelete(key, out []byte) error
	push(value []byte, flags uint64) error
	pop(out []byte) error
	peek(out []byte) error
	count() int
}

// base supplies the kernel's answers for operations a type lacks.
type base struct{}

func (base) lookupPtr([]byte, int) []byte             { return nil }
func (base) update([]byte, []byte, uint64, int) error { return ErrNotSupported }
func (base) delete([]byte) error                      { return ErrNotSupported }
func (base) lookupUser([]byte, []byte) error          { return ErrNotSupported }
func (base) updateUser([]byte, []byte, uint64) error  { return ErrNotSupported }
func (base) nextKey([]byte, []byte) error             { return ErrNotSupported }
func (base) lookupAndDelete([]byte, []byte) error     { return ErrNotSupported }
func (base) push([]byte, uint64) error                { return ErrNotSupported }
func (base) pop([]byte) error                         { return ErrNotSupported }
func (base) peek([]byte) error                        { return ErrNotSupported }
func (base) count() int                               { return 0 }

// Map is a live map. All methods are safe for concurrent use.
type Map struct {
	spec    Spec // a copy; Contents cleared
	impl    impl
	ncpu    int
	uvsize  int // user-space value size (all CPUs for per-CPU maps)
	rdProg  bool
	wrProg  bool
	ringbuf *ringBuf
	perf    *perfArray
	progs   *progArray
	outer   *mapOfMaps
	frozen  atomic.Bool // Freeze was called: user space may no longer write
}

// New creates a map from spec. Invalid specs are refused as the kernel
// refuses them (ErrInvalid, ErrTooBig, ErrNotSupported), naming the field.
// Spec.Contents are then stored with UpdateAny.
func New(spec *Spec) (*Map, error) {
	if spec == nil {
		return nil, fmt.Errorf("maps: nil spec: %w", ErrInvalid)
	}
	if err := validate(spec); err != nil {
		return nil, fmt.Errorf("map %q (%v): %w", spec.Name, spec.Type, err)
	}
	if size := storageSize(spec, PossibleCPUs()); size > maxStorage {
		return nil, fmt.Errorf("map %q (%v): %d bytes of storage exceed gbpf's limit of %d: %w", spec.Name, spec.Type, size, uint64(maxStorage), ErrNoMemory)
	}
	m := &Map{spec: *spec, ncpu: PossibleCPUs()}
	m.spec.Contents = nil
	m.spec.MaxEntries = lruMaxEntries(spec, m.ncpu)
	m.spec.InnerMap = spec.InnerMap.Copy()
	m.rdProg = spec.Flags&FlagRdOnlyProg != 0
	m.wrProg = spec.Flags&FlagWrOnlyProg != 0
	m.uvsize = int(spec.ValueSize)
	if spec.Type.PerCPU() {
		m.uvsize = int(round8(spec.ValueSize)) * m.ncpu
	}
	switch spec.Type {
	case Array, PerCPUArray:
		m.impl = newArray(spec, m.ncpu)
	case Hash, PerCPUHash:
		m.impl = newHash(spec, m.ncpu)
	case LRUHash, LRUPerCPUHash:
		m.impl = newLRU(spec, m.ncpu)
	case LPMTrie:
		m.impl = newTrie(spec)
	case DevMap, DevMapHash, CPUMap, XSKMap:
		m.impl = newRedir(spec)
		if spec.Type == DevMap || spec.Type == DevMapHash {
			// As dev_map_init_map: lookups return the device's value itself.
			m.spec.Flags |= FlagRdOnlyProg
			m.rdProg = true
		}
	case Queue, Stack:
		m.impl = newQueue(spec)
	case BloomFilter:
		m.impl = newBloom(spec)
	case RingBuf:
		m.ringbuf = newRingBuf(spec)
		m.impl = m.ringbuf
	case PerfEventArray:
		m.perf = newPerfArray(spec)
		m.impl = m.perf
	case ProgArray:
		m.progs = newProgArray(spec)
		m.impl = m.progs
	case ArrayOfMaps, HashOfMaps:
		m.outer = newMapOfMaps(spec)
		m.impl = m.outer
	default:
		return nil, fmt.Errorf("map %q: type %v: %w", spec.Name, spec.Type, ErrNotSupported)
	}
	for i, kv := range spec.Contents {
		var err error
		switch {
		case m.progs != nil:
			err = m.SetProg(kv.Key, kv.Value)
		case m.outer != nil:
			inner, ok := kv.Value.(*Map)
			if !ok {
				err = fmt.Errorf("value is %T, not *maps.Map: %w", kv.Value, ErrBadFD)
			} else {
				err = m.SetInner(kv.Key, inner)
			}
		default:
			err = m.Update(kv.Key, kv.Value, UpdateAny)
		}
		if err != nil {
			return nil, fmt.Errorf("map %q: contents[%d]: %w", spec.Name, i, err)
		}
	}
	return m, nil
}

// maxStorage bounds what New preallocates (arrays, queues, ring buffers,
// bloom filters, hash buckets) so that an absurd spec is an error, not an
// out-of-memory crash.
const maxStorage = 1 << 32

func storageSize(s *Spec, ncpu int) uint64 {
	n := uint64(s.MaxEntries)
	switch s.Type {
	case Array:
		return n * uint64(round8(s.ValueSize))
	case PerCPUArray:
		return n * uint64(round8(s.ValueSize)) * uint64(ncpu)
	case Queue, Stack:
		return (n + 1) * uint64(s.ValueSize)
	case RingBuf:
		return 2 * n
	case BloomFilter:
		return n * 15 / 8
	case Hash, PerCPUHash, LRUHash, LRUPerCPUHash:
		return n * 4
	case PerfEventArray, ProgArray, ArrayOfMaps, DevMap, CPUMap, XSKMap:
		return n * 8
	}
	return 0
}

// Spec returns a copy of the spec the map was created from, without its
// Contents.
func (m *Map) Spec() *Spec { return m.spec.Copy() }

// Name returns the map's name.
func (m *Map) Name() string { return m.spec.Name }

// Type returns the map's type.
func (m *Map) Type() Type { return m.spec.Type }

// KeySize returns the key size in bytes.
func (m *Map) KeySize() uint32 { return m.spec.KeySize }

// ValueSize returns the value size in bytes (of one CPU's value for
// per-CPU maps).
func (m *Map) ValueSize() uint32 { return m.spec.ValueSize }

// MaxEntries returns the capacity: Spec.MaxEntries, except for LRU maps
// with FlagNoCommonLRU, where the kernel rounds it up to a multiple of
// PossibleCPUs().
func (m *Map) MaxEntries() uint32 { return m.spec.MaxEntries }

// Flags returns the creation flags.
func (m *Map) Flags() uint32 { return m.spec.Flags }

// UserValueSize returns the size of a value as user space sees it: for
// per-CPU maps, ValueSize rounded up to 8 times PossibleCPUs().
func (m *Map) UserValueSize() int { return m.uvsize }

// ReadOnlyProg reports whether programs may not write the map
// (FlagRdOnlyProg): the verifier refuses stores to its values and the
// program-side update and delete operations fail with ErrPerm.
func (m *Map) ReadOnlyProg() bool { return m.rdProg }

// SpinLockOffset returns the offset of the struct bpf_spin_lock in the
// map's values, or -1 when they have none.
func (m *Map) SpinLockOffset() int { return int(m.spec.SpinLockOff) - 1 }

// WriteOnlyProg reports whether programs may not read the map
// (FlagWrOnlyProg).
func (m *Map) WriteOnlyProg() bool { return m.wrProg }

// Len returns the number of elements currently stored (for arrays, the
// capacity).
func (m *Map) Len() int { return m.impl.count() }

// String describes the map: type, name, sizes.
func (m *Map) String() string {
	return fmt.Sprintf("%v(%s, key %d, value %d, max %d)", m.spec.Type, m.spec.Name, m.spec.KeySize, m.spec.ValueSize, m.spec.MaxEntries)
}

// ---- program side ----

// LookupPtr returns the live storage of key's value for the program
// running on slot cpu, or nil if absent. It must be called inside a run
// (between EnterRun and Exit): hash maps are read without locks, and the
// slice stays valid until that run exits. key must be KeySize bytes. Maps
// without lookup from programs (queues, stacks, ring buffers, perf event
// arrays, prog arrays, map-in-maps) return nil; use their own operations.
func (m *Map) LookupPtr(key []byte, cpu int) []byte {
	if len(key) != int(m.spec.KeySize) {
		return nil
	}
	return m.impl.lookupPtr(key, cpu)
}

// UpdateFromProg is bpf_map_update_elem from a program on slot cpu: value
// is one CPU's value for per-CPU maps (other CPUs of a new element are
// zeroed, as in the kernel).
func (m *Map) UpdateFromProg(key, value []byte, flags uint64, cpu int) error {
	if m.rdProg {
		return ErrPerm
	}
	if len(key) != int(m.spec.KeySize) || len(value) != int(m.spec.ValueSize) {
		return ErrInvalid
	}
	return m.impl.update(key, value, flags, cpu)
}

// DeleteFromProg is bpf_map_delete_elem from a program.
func (m *Map) DeleteFromProg(key []byte) error {
	if m.rdProg {
		return ErrPerm
	}
	if len(key) != int(m.spec.KeySize) {
		return ErrInvalid
	}
	return m.impl.delete(key)
}

// ForEach is bpf_for_each_map_elem for a program on slot cpu: it calls
// fn with the live key and value storage of each element (one CPU's value
// for per-CPU maps) until fn returns true, and returns how many elements
// it visited. Arrays and hash maps of every kind support it; other types
// return ErrNotSupported. Like LookupPtr it must run inside a run
// (EnterRun); fn may update and delete elements of the map.
func (m *Map) ForEach(cpu int, fn func(key, value []byte) (stop bool)) (int, error) {
	if m.spec.Type.PerCPU() && uint(cpu) >= uint(m.ncpu) {
		return 0, ErrInvalid
	}
	switch x := m.impl.(type) {
	case *arrayMap:
		return x.forEach(cpu, fn), nil
	case *hashMap:
		return x.forEach(cpu, fn), nil
	case *lruMap:
		return x.forEach(cpu, fn), nil
	}
	return 0, ErrNotSupported
}

// Push is bpf_map_push_elem: queue and stack (flags UpdateExist replaces
// the oldest element when full) and bloom filter (adds value).
func (m *Map) Push(value []byte, flags uint64) error {
	if len(value) != int(m.spec.ValueSize) {
		return ErrInvalid
	}
	return m.impl.push(value, flags)
}

// Pop is bpf_map_pop_elem: copies the next element of a queue or stack to
// out and removes it; ErrKeyNotExist when empty.
func (m *Map) Pop(out []byte) error {
	if len(out) != int(m.spec.ValueSize) {
		return ErrInvalid
	}
	return m.impl.pop(out)
}

// Peek is bpf_map_peek_elem: copies the next element of a queue or stack
// to out; for a bloom filter, reports (nil or ErrKeyNotExist) whether out's
// contents may be in the set.
func (m *Map) Peek(out []byte) error {
	if len(out) != int(m.spec.ValueSize) {
		return ErrInvalid
	}
	return m.impl.peek(out)
}
