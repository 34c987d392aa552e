package maps

import (
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Redirect maps: DevMap, DevMapHash, CPUMap and XSKMap, the targets of
// bpf_redirect_map. gbpf sends no packets anywhere: as in the kernel's
// BPF_PROG_TEST_RUN, a redirect is recorded, and these maps keep what user
// space stores in them with the kernel's checks and answers.
//
//   - DevMap and DevMapHash hold struct bpf_devmap_val: an ifindex, which
//     must name an interface of this host's network namespace (0 clears a
//     DevMap slot), and in 8-byte values a program fd, which reads back
//     as program id 0. Both are read-only to programs (the kernel sets
//     BPF_F_RDONLY_PROG on them).
//   - CPUMap holds struct bpf_cpumap_val: a queue size (0 clears the slot,
//     at most 16384) for a possible CPU.
//   - XSKMap holds AF_XDP sockets, which gbpf does not have: it is always
//     empty, user-space lookups fail with EOPNOTSUPP as in the kernel, and
//     updates fail with ErrNotSupported.
//
// Program fds in devmap and cpumap values (per-destination XDP programs)
// are refused with ErrNotSupported.
type redirMap struct {
	base
	typ   Type
	vs    int
	max   uint32
	slots []atomic.Pointer[[]byte] // DevMap, CPUMap, XSKMap: the value of each index, nil when empty

	// DevMapHash: buckets indexed by key & (len-1), as the kernel's; each
	// holds an immutable list, newest first, replaced under mu.
	mu      sync.Mutex
	buckets []atomic.Pointer[[]redirEntry]
	n       int
}

type redirEntry struct {
	key uint32
	val []byte
}

const cpumapMaxQsize = 16384 // the kernel's sanity limit on bpf_cpumap_val.qsize

// nrCPUs is the host kernel's NR_CPUS (kernel_max + 1), cpumap's limit on
// max_entries; 8192, Debian's, where sysfs does not say.
var nrCPUs = sync.OnceValue(func() uint32 {
	if b, err := os.ReadFile("/sys/devices/system/cpu/kernel_max"); err == nil {
		if n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 31); err == nil {
			return uint32(n) + 1
		}
	}
	return 8192
})

func newRedir(s *Spec) *redirMap {
	r := &redirMap{typ: s.Type, vs: int(s.ValueSize), max: s.MaxEntries}
	if s.Type == DevMapHash {
		nb := 1
		for nb < int(s.MaxEntries) {
			nb <<= 1
		}
		r.buckets = make([]atomic.Pointer[[]redirEntry], nb)
	} else {
		r.slots = make([]atomic.Pointer[[]byte], s.MaxEntries)
	}
	return r
}

func (r *redirMap) bucket(k uint32) *atomic.Pointer[[]redirEntry] {
	return &r.buckets[k&uint32(len(r.buckets)-1)]
}

// get returns the value at key k, or nil: __dev_map_lookup_elem and its
// kin, what bpf_redirect_map looks up.
func (r *redirMap) get(k uint32) []byte {
	if r.buckets != nil {
		if l := r.bucket(k).Load(); l != nil {
			for _, e := range *l {
				if e.key == k {
					return e.val
				}
			}
		}
		return nil
	}
	if k >= r.max {
		return nil
	}
	if v := r.slots[k].Load(); v != nil {
		return *v
	}
	return nil
}

// lookupPtr is bpf_map_lookup_elem from a program. Values are never
// written in place (an update stores a new one), so a program may keep
// the pointer for the rest of its run.
func (r *redirMap) lookupPtr(key []byte, _ int) []byte {
	if r.typ == XSKMap {
		return nil
	}
	return r.get(binary.LittleEndian.Uint32(key))
}

func (r *redirMap) lookupUser(key, out []byte) error {
	if r.typ == XSKMap {
		return ErrOpNotSupported
	}
	v := r.get(binary.LittleEndian.Uint32(key))
	if v == nil {
		return ErrKeyNotExist
	}
	copy(out, v)
	return nil
}

// stored checks a user-space value and returns what the map keeps (the
// program fd read back as id 0), or nil for a value that clears a slot.
func (r *redirMap) stored(value []byte) ([]byte, error) {
	first := binary.LittleEndian.Uint32(value)
	fd := int32(0)
	if r.vs >= 8 {
		fd = int32(binary.LittleEndian.Uint32(value[4:]))
	}
	switch r.typ {
	case DevMap, DevMapHash:
		if first == 0 {
			if fd > 0 || r.typ == DevMapHash {
				return nil, ErrInvalid
			}
			return nil, nil
		}
		if first > 1<<31-1 {
			return nil, ErrInvalid
		}
		if _, err := net.InterfaceByIndex(int(first)); err != nil {
			return nil, fmt.Errorf("ifindex %d: no such interface here: %w", first, ErrInvalid)
		}
	case CPUMap:
		if first > cpumapMaxQsize {
			return nil, ErrOverflow
		}
		if first == 0 {
			return nil, nil
		}
	}
	if fd > 0 {
		return nil, fmt.Errorf("program fd %d in a %v value: per-destination XDP programs: %w", fd, r.typ, ErrNotSupported)
	}
	v := make([]byte, r.vs)
	binary.LittleEndian.PutUint32(v, first)
	return v, nil
}

func (r *redirMap) updateUser(key, value []byte, flags uint64) error {
	k := binary.LittleEndian.Uint32(key)
	if r.typ == DevMapHash {
		return r.updateHash(k, value, flags)
	}
	if flags > uint64(UpdateExist) {
		return ErrInvalid
	}
	if k >= r.max {
		return ErrFull // E2BIG
	}
	if r.typ == XSKMap {
		return fmt.Errorf("XSKMap values are AF_XDP sockets, which gbpf does not have: %w", ErrNotSupported)
	}
	if flags == uint64(UpdateNoExist) {
		return ErrKeyExist // the kernel's answer for every index
	}
	if r.typ == CPUMap && int(k) >= PossibleCPUs() {
		if binary.LittleEndian.Uint32(value) > cpumapMaxQsize {
			return ErrOverflow
		}
		return ErrNoDevice
	}
	v, err := r.stored(value)
	if err != nil {
		return err
	}
	if v == nil {
		r.slots[k].Store(nil)
	} else {
		r.slots[k].Store(&v)
	}
	return nil
}

func (r *redirMap) updateHash(k uint32, value []byte, flags uint64) error {
	if flags > uint64(UpdateExist) || binary.LittleEndian.Uint32(value) == 0 {
		return ErrInvalid
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.bucket(k)
	var old []redirEntry
	if l := b.Load(); l != nil {
		old = *l
	}
	at := -1
	for i, e := range old {
		if e.key == k {
			at = i
		}
	}
	if at >= 0 && flags == uint64(UpdateNoExist) {
		return ErrKeyExist
	}
	v, err := r.stored(value)
	if err != nil {
		return err
	}
	if at < 0 && r.n >= int(r.max) {
		return ErrFull
	}
	l := make([]redirEntry, 0, len(old)+1)
	l = append(l, redirEntry{key: k, val: v}) // hlist_add_head: newest first
	for i, e := range old {
		if i != at {
			l = append(l, e)
		}
	}
	b.Store(&l)
	if at < 0 {
		r.n++
	}
	return nil
}

func (r *redirMap) delete(key []byte) error {
	k := binary.LittleEndian.Uint32(key)
	if r.typ != DevMapHash {
		if k >= r.max {
			return ErrInvalid
		}
		r.slots[k].Store(nil)
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.bucket(k)
	l := b.Load()
	if l == nil {
		return ErrKeyNotExist
	}
	for i, e := range *l {
		if e.key == k {
			nl := make([]redirEntry, 0, len(*l)-1)
			nl = append(append(nl, (*l)[:i]...), (*l)[i+1:]...)
			b.Store(&nl)
			r.n--
			return nil
		}
	}
	return ErrKeyNotExist
}

func (r *redirMap) nextKey(key, out []byte) error {
	if r.typ != DevMapHash {
		i := uint32(1<<32 - 1)
		if key != nil {
			i = binary.LittleEndian.Uint32(key)
		}
		switch {
		case i >= r.max:
			i = 0
		case i == r.max-1:
			return ErrKeyNotExist
		default:
			i++
		}
		binary.LittleEndian.PutUint32(out, i)
		return nil
	}
	start := 0
	if key != nil {
		k := binary.LittleEndian.Uint32(key)
		if l := r.bucket(k).Load(); l != nil {
			for i, e := range *l {
				if e.key != k {
					continue
				}
				if i+1 < len(*l) {
					binary.LittleEndian.PutUint32(out, (*l)[i+1].key)
					return nil
				}
				start = int(k&uint32(len(r.buckets)-1)) + 1
				break
			}
		}
	}
	for b := start; b < len(r.buckets); b++ {
		if l := r.buckets[b].Load(); l != nil && len(*l) > 0 {
			binary.LittleEndian.PutUint32(out, (*l)[0].key)
			return nil
		}
	}
	return ErrKeyNotExist
}

func (r *redirMap) count() int {
	if r.typ == DevMapHash {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.n
	}
	n := 0
	for i := range r.slots {
		if r.slots[i].Load() != nil {
			n++
		}
	}
	return n
}

// RedirectTarget reports whether bpf_redirect_map finds an entry at
// index in m (a DevMap, DevMapHash, CPUMap or XSKMap); the index is
// truncated to 32 bits as the kernel's lookups take it.
func (m *Map) RedirectTarget(index uint64) bool {
	r, ok := m.impl.(*redirMap)
	return ok && r.get(uint32(index)) != nil
}
