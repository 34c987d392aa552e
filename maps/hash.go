package maps

import (
	"bytes"
	"hash/maphash"
	"sync"
	"sync/atomic"
)

const (
	slabShift = 6
	slabElems = 1 << slabShift
)

// retiredElem is storage unlinked at an epoch (see epoch.go).
type retiredElem struct {
	id    int32
	epoch uint64
}

// hashMap is Hash, PerCPUHash, LRUHash and LRUPerCPUHash: chained buckets
// of element ids; elements live in fixed slabs that never move. Unlinked
// elements are reused only after a grace period, so a value a run holds
// stays intact; the entry count, not storage, enforces MaxEntries.
type hashMap struct {
	base
	mu     sync.RWMutex
	seed   maphash.Seed
	ks     int
	koff   int // offset of the value in an element
	esize  int
	vsize  int // value storage: vs, or ncpu*stride
	stride int
	ncpu   int
	max    int
	percpu bool
	lru    bool
	cp     valueCopier

	buckets []int32 // first element of each chain, -1 empty
	bmask   uint32
	next    []int32  // chain link per element
	hashes  []uint32 // hash per element
	slabs   [][]byte
	free    []int32
	retired []retiredElem
	n       int

	// LRU: a list from most (head) to least (tail) recently inserted,
	// with a reference bit set by lookups (second chance).
	lprev, lnext []int32
	ref          []uint32
	head, tail   int32
}

func newHash(s *Spec, ncpu int) *hashMap {
	h := &hashMap{
		seed: maphash.MakeSeed(), ks: int(s.KeySize), koff: int(round8(s.KeySize)),
		stride: int(round8(s.ValueSize)), ncpu: ncpu, max: int(s.MaxEntries),
		percpu: s.Type.PerCPU(), lru: s.Type == LRUHash || s.Type == LRUPerCPUHash,
		cp: newCopier(s), head: -1, tail: -1,
	}
	h.vsize = int(s.ValueSize)
	if h.percpu {
		h.vsize = h.stride * ncpu
	}
	h.esize = h.koff + int(round8(uint32(h.vsize)))
	nb := 1
	for nb < h.max && nb < 1<<24 {
		nb <<= 1
	}
	h.buckets = make([]int32, nb)
	for i := range h.buckets {
		h.buckets[i] = -1
	}
	h.bmask = uint32(nb - 1)
	return h
}

func (h *hashMap) hash(key []byte) uint32 {
	v := maphash.Bytes(h.seed, key)
	return uint32(v) ^ uint32(v>>32)
}

func (h *hashMap) elem(id int32) []byte {
	off := int(id&(slabElems-1)) * h.esize
	return h.slabs[id>>slabShift][off : off+h.esize : off+h.esize]
}

func (h *hashMap) keyOf(id int32) []byte { return h.elem(id)[:h.ks] }

func (h *hashMap) valOf(id int32) []byte {
	e := h.elem(id)
	return e[h.koff : h.koff+h.vsize : h.koff+h.vsize]
}

// find returns the element with key and its predecessor in the chain.
func (h *hashMap) find(key []byte, hv uint32) (id, prev int32) {
	prev = -1
	for id = h.buckets[hv&h.bmask]; id >= 0; id = h.next[id] {
		if h.hashes[id] == hv && bytes.Equal(h.keyOf(id), key) {
			return id, prev
		}
		prev = id
	}
	return -1, prev
}

func (h *hashMap) lookupPtr(key []byte, cpu int) []byte {
	hv := h.hash(key)
	h.mu.RLock()
	id, _ := h.find(key, hv)
	if id < 0 {
		h.mu.RUnlock()
		return nil
	}
	v := h.valOf(id)
	if h.lru {
		if atomic.LoadUint32(&h.ref[id]) == 0 {
			atomic.StoreUint32(&h.ref[id], 1)
		}
	}
	h.mu.RUnlock()
	if h.percpu {
		if uint(cpu) >= uint(h.ncpu) {
			return nil
		}
		off := cpu * h.stride
		return v[off : off+h.cp.vs : off+h.cp.vs]
	}
	return v[:h.cp.vs:h.cp.vs]
}

// alloc returns a free element id, reclaiming retired storage or growing.
func (h *hashMap) alloc() int32 {
	if len(h.free) == 0 {
		h.reclaim()
	}
	if len(h.free) == 0 {
		base := int32(len(h.slabs)) << slabShift
		h.slabs = append(h.slabs, alignedBytes(h.esize*slabElems))
		for i := int32(slabElems - 1); i >= 0; i-- {
			h.free = append(h.free, base+i)
		}
		h.next = append(h.next, make([]int32, slabElems)...)
		h.hashes = append(h.hashes, make([]uint32, slabElems)...)
		if h.lru {
			h.lprev = append(h.lprev, make([]int32, slabElems)...)
			h.lnext = append(h.lnext, make([]int32, slabElems)...)
			h.ref = append(h.ref, make([]uint32, slabElems)...)
		}
	}
	id := h.free[len(h.free)-1]
	h.free = h.free[:len(h.free)-1]
	return id
}

func (h *hashMap) reclaim() {
	if len(h.retired) == 0 {
		return
	}
	safe := safeEpoch()
	i := 0
	for i < len(h.retired) && h.retired[i].epoch <= safe {
		h.free = append(h.free, h.retired[i].id)
		i++
	}
	if i > 0 {
		n := copy(h.retired, h.retired[i:])
		h.retired = h.retired[:n]
	}
}

func (h *hashMap) retire(id int32) {
	h.retired = append(h.retired, retiredElem{id: id, epoch: retireEpoch()})
}

// unlink removes id (with chain predecessor prev) from its bucket and
// the LRU list, and retires it.
func (h *hashMap) unlink(id, prev int32) {
	if prev < 0 {
		h.buckets[h.hashes[id]&h.bmask] = h.next[id]
	} else {
		h.next[prev] = h.next[id]
	}
	if h.lru {
		h.lruRemove(id)
	}
	h.n--
	h.retire(id)
}

func (h *hashMap) lruRemove(id int32) {
	p, n := h.lprev[id], h.lnext[id]
	if p >= 0 {
		h.lnext[p] = n
	} else {
		h.head = n
	}
	if n >= 0 {
		h.lprev[n] = p
	} else {
		h.tail = p
	}
}

func (h *hashMap) lruPush(id int32) {
	h.lprev[id] = -1
	h.lnext[id] = h.head
	if h.head >= 0 {
		h.lprev[h.head] = id
	}
	h.head = id
	if h.tail < 0 {
		h.tail = id
	}
	h.ref[id] = 0
}

// evict removes the least recently used element, giving referenced ones
// a second chance.
func (h *hashMap) evict() {
	for h.tail >= 0 {
		id := h.tail
		if atomic.LoadUint32(&h.ref[id]) != 0 {
			h.lruRemove(id)
			h.lruPush(id)
			continue
		}
		_, prev := h.findID(id)
		h.unlink(id, prev)
		return
	}
}

// findID returns the chain predecessor of element id.
func (h *hashMap) findID(id int32) (int32, int32) {
	prev := int32(-1)
	for e := h.buckets[h.hashes[id]&h.bmask]; e >= 0; e = h.next[e] {
		if e == id {
			return id, prev
		}
		prev = e
	}
	return -1, -1
}

// store writes a value into element storage v: one CPU's (cpu >= 0) with
// the others zeroed when fresh, or all CPUs from a user layout (cpu < 0).
func (h *hashMap) store(v, value []byte, cpu int, fresh bool) {
	if !h.percpu {
		h.cp.in(v, value)
		return
	}
	if cpu < 0 {
		for c := 0; c < h.ncpu; c++ {
			h.cp.in(v[c*h.stride:], value[c*h.stride:])
		}
		return
	}
	if fresh {
		clear(v)
	}
	h.cp.in(v[cpu*h.stride:], value)
}

func (h *hashMap) upsert(key, value []byte, flags uint64, cpu int) error {
	lockOK := !h.percpu && !h.lru
	if err := checkFlags(flags, lockOK); err != nil {
		return err
	}
	if flags&uint64(UpdateLock) != 0 && h.cp.lockOff < 0 {
		return ErrInvalid
	}
	if h.percpu && cpu >= h.ncpu {
		return ErrInvalid
	}
	hv := h.hash(key)
	h.mu.Lock()
	defer h.mu.Unlock()
	old, prev := h.find(key, hv)
	mode := flags &^ uint64(UpdateLock)
	if old >= 0 && mode == uint64(UpdateNoExist) {
		return ErrKeyExist
	}
	if old < 0 && mode == uint64(UpdateExist) {
		return ErrKeyNotExist
	}
	if old >= 0 && (h.percpu || flags&uint64(UpdateLock) != 0) {
		v := h.valOf(old)
		if flags&uint64(UpdateLock) != 0 {
			h.cp.inLocked(v, value)
		} else {
			h.store(v, value, cpu, false)
		}
		if h.lru {
			atomic.StoreUint32(&h.ref[old], 1)
		}
		return nil
	}
	if old < 0 && h.n >= h.max {
		if !h.lru {
			return ErrFull
		}
		h.evict()
		old, prev = h.find(key, hv)
	}
	id := h.alloc()
	e := h.elem(id)
	copy(e[:h.ks], key)
	v := e[h.koff : h.koff+h.vsize]
	clear(v)
	h.store(v, value, cpu, true)
	h.hashes[id] = hv
	if old >= 0 {
		// Replace in place in the chain; the old element is retired.
		h.next[id] = h.next[old]
		if prev < 0 {
			h.buckets[hv&h.bmask] = id
		} else {
			h.next[prev] = id
		}
		if h.lru {
			h.lruRemove(old)
		}
		h.retire(old)
	} else {
		b := hv & h.bmask
		h.next[id] = h.buckets[b]
		h.buckets[b] = id
		h.n++
	}
	if h.lru {
		h.lruPush(id)
	}
	return nil
}

func (h *hashMap) update(key, value []byte, flags uint64, cpu int) error {
	if cpu < 0 {
		return ErrInvalid
	}
	return h.upsert(key, value, flags, cpu)
}

func (h *hashMap) updateUser(key, value []byte, flags uint64) error {
	return h.upsert(key, value, flags, -1)
}

func (h *hashMap) delete(key []byte) error {
	hv := h.hash(key)
	h.mu.Lock()
	defer h.mu.Unlock()
	id, prev := h.find(key, hv)
	if id < 0 {
		return ErrKeyNotExist
	}
	h.unlink(id, prev)
	return nil
}

func (h *hashMap) lookupUser(key, out []byte) error {
	hv := h.hash(key)
	h.mu.RLock()
	defer h.mu.RUnlock()
	id, _ := h.find(key, hv)
	if id < 0 {
		return ErrKeyNotExist
	}
	h.copyOut(out, h.valOf(id))
	return nil
}

func (h *hashMap) copyOut(out, v []byte) {
	if !h.percpu {
		h.cp.out(out, v)
		return
	}
	for c := 0; c < h.ncpu; c++ {
		h.cp.out(out[c*h.stride:], v[c*h.stride:])
	}
}

func (h *hashMap) lookupAndDelete(key, out []byte) error {
	hv := h.hash(key)
	h.mu.Lock()
	defer h.mu.Unlock()
	id, prev := h.find(key, hv)
	if id < 0 {
		return ErrKeyNotExist
	}
	h.copyOut(out, h.valOf(id))
	h.unlink(id, prev)
	return nil
}

// nextKey follows the kernel: the element after key in its chain, else
// the first of the next non-empty bucket; the very first element when key
// is nil or absent.
func (h *hashMap) nextKey(key, out []byte) error {
	h.mu.RLock()
	defer h.mu.RUnlock()
	start := uint32(0)
	if key != nil {
		hv := h.hash(key)
		if id, _ := h.find(key, hv); id >= 0 {
			if n := h.next[id]; n >= 0 {
				copy(out, h.keyOf(n))
				return nil
			}
			start = hv&h.bmask + 1
		}
	}
	for b := int(start); b < len(h.buckets); b++ {
		if id := h.buckets[b]; id >= 0 {
			copy(out, h.keyOf(id))
			return nil
		}
	}
	return ErrKeyNotExist
}

func (h *hashMap) count() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.n
}
