package maps

import (
	"bytes"
	"sync"
	"sync/atomic"
)

const (
	slabShift = 6
	slabElems = 1 << slabShift
	// Element header: next id (int32, atomic), hash (uint32), padding.
	hdrNext = 0
	hdrHash = 4
	elemHdr = 16
	noElem  = -1
)

// retiredElem is storage unlinked at an epoch (see epoch.go).
type retiredElem struct {
	id    int32
	epoch uint64
}

// hashMap is Hash and PerCPUHash (lruMap is the LRU types): buckets of
// chained elements. Elements (header, key, value) live in fixed slabs that
// never move. Writers serialize on a mutex and publish with atomic stores;
// program-side lookups (inside a run, see EnterRun) read without locks,
// like the kernel's RCU readers: an unlinked element keeps its link and
// its storage is reused only after the grace period, so a reader standing
// on it still reaches the rest of its chain. Go-side lookups read the
// same way inside a run of their own. The entry count, not storage, enforces MaxEntries.
type hashMap struct {
	base
	mu     sync.Mutex // writers, and Go-side iteration
	keys   keyHasher
	ks     int
	koff   int // offset of the key in an element
	voff   int // offset of the value in an element
	esize  int
	vsize  int // value storage: vs, or ncpu*stride
	stride int
	ncpu   int
	max    int
	percpu bool
	cp     valueCopier

	buckets []atomic.Int32 // first element of each chain, noElem if empty
	bmask   uint32
	dir     atomic.Pointer[[][]byte] // slabs, copy-on-write
	nslabs  int
	free    []int32
	retired []retiredElem
	n       int
}

func newHash(s *Spec, ncpu int) *hashMap {
	h := &hashMap{
		keys: newKeyHasher(), ks: int(s.KeySize), koff: elemHdr,
		stride: int(round8(s.ValueSize)), ncpu: ncpu, max: int(s.MaxEntries),
		percpu: s.Type.PerCPU(), cp: newCopier(s),
	}
	h.voff = elemHdr + int(round8(s.KeySize))
	h.vsize = int(s.ValueSize)
	if h.percpu {
		h.vsize = h.stride * ncpu
	}
	h.esize = h.voff + int(round8(uint32(h.vsize)))
	nb := 1
	for nb < h.max && nb < 1<<24 {
		nb <<= 1
	}
	h.buckets = make([]atomic.Int32, nb)
	for i := range h.buckets {
		h.buckets[i].Store(noElem)
	}
	h.bmask = uint32(nb - 1)
	h.dir.Store(&[][]byte{})
	return h
}

func (h *hashMap) hash(key []byte) uint32 { return h.keys.sum(key) }

func (h *hashMap) elemIn(dir [][]byte, id int32) []byte {
	off := int(id&(slabElems-1)) * h.esize
	return dir[id>>slabShift][off : off+h.esize : off+h.esize]
}

func (h *hashMap) elem(id int32) []byte { return h.elemIn(*h.dir.Load(), id) }

func nextOf(e []byte) *atomic.Int32 { return int32At(e[hdrNext:]) }
func hashOf(e []byte) uint32 {
	return uint32(e[hdrHash]) | uint32(e[hdrHash+1])<<8 | uint32(e[hdrHash+2])<<16 | uint32(e[hdrHash+3])<<24
}
func setHash(e []byte, v uint32) {
	e[hdrHash], e[hdrHash+1], e[hdrHash+2], e[hdrHash+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

func (h *hashMap) keyOf(e []byte) []byte { return e[h.koff : h.koff+h.ks] }
func (h *hashMap) valOf(e []byte) []byte { return e[h.voff : h.voff+h.vsize : h.voff+h.vsize] }

// find returns the element with key and its predecessor in the chain
// (noElem if none), reading links atomically. The slab directory is
// loaded after each link: a writer publishes a new slab before linking
// any element in it.
func (h *hashMap) find(key []byte, hv uint32) (id, prev int32, e []byte) {
	prev = noElem
	for id = h.buckets[hv&h.bmask].Load(); id >= 0; {
		e = h.elem(id)
		if hashOf(e) == hv && bytes.Equal(h.keyOf(e), key) {
			return id, prev, e
		}
		prev = id
		id = nextOf(e).Load()
	}
	return noElem, prev, nil
}

// lookupPtr is the program-side lookup: lock-free, valid inside a run.
func (h *hashMap) lookupPtr(key []byte, cpu int) []byte {
	hv := h.hash(key)
	id, _, e := h.find(key, hv)
	if id < 0 {
		return nil
	}
	v := h.valOf(e)
	if h.percpu {
		if uint(cpu) >= uint(h.ncpu) {
			return nil
		}
		off := cpu * h.stride
		return v[off : off+h.cp.vs : off+h.cp.vs]
	}
	return v[:h.cp.vs:h.cp.vs]
}

// alloc returns a free element id, reclaiming retired storage or growing
// by a slab (under mu).
func (h *hashMap) alloc() int32 {
	if len(h.free) == 0 {
		h.reclaim()
	}
	if len(h.free) == 0 {
		old := *h.dir.Load()
		dir := make([][]byte, len(old)+1)
		copy(dir, old)
		dir[len(old)] = alignedBytes(h.esize * slabElems)
		h.dir.Store(&dir)
		base := int32(h.nslabs) << slabShift
		h.nslabs++
		for i := int32(slabElems - 1); i >= 0; i-- {
			h.free = append(h.free, base+i)
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

// setLink points prev's link (or the bucket head) at id.
func (h *hashMap) setLink(bucket uint32, prev, id int32) {
	if prev < 0 {
		h.buckets[bucket].Store(id)
	} else {
		nextOf(h.elem(prev)).Store(id)
	}
}

// unlink removes id (with chain predecessor prev) from its bucket and
// retires it. The element keeps its own link.
func (h *hashMap) unlink(id, prev int32) {
	e := h.elem(id)
	h.setLink(hashOf(e)&h.bmask, prev, nextOf(e).Load())
	h.n--
	h.retire(id)
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
	lockOK := !h.percpu
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
	old, prev, oe := h.find(key, hv)
	mode := flags &^ uint64(UpdateLock)
	if old >= 0 && mode == uint64(UpdateNoExist) {
		return ErrKeyExist
	}
	if old < 0 && mode == uint64(UpdateExist) {
		return ErrKeyNotExist
	}
	if old >= 0 && (h.percpu || flags&uint64(UpdateLock) != 0) {
		v := h.valOf(oe)
		if flags&uint64(UpdateLock) != 0 {
			h.cp.inLocked(v, value)
		} else {
			h.store(v, value, cpu, false)
		}
		return nil
	}
	if old < 0 && h.n >= h.max {
		return ErrFull
	}
	id := h.alloc()
	e := h.elem(id)
	setHash(e, hv)
	copy(e[h.koff:], key)
	v := h.valOf(e)
	clear(v)
	h.store(v, value, cpu, true)
	b := hv & h.bmask
	if old >= 0 {
		// Take the old element's place in the chain; it is retired and
		// keeps its link for readers standing on it.
		nextOf(e).Store(nextOf(oe).Load())
		h.setLink(b, prev, id)
		h.retire(old)
	} else {
		nextOf(e).Store(h.buckets[b].Load())
		h.buckets[b].Store(id)
		h.n++
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
	id, prev, _ := h.find(key, hv)
	if id < 0 {
		return ErrKeyNotExist
	}
	h.unlink(id, prev)
	return nil
}

func (h *hashMap) lookupUser(key, out []byte) error {
	hv := h.hash(key)
	run := EnterRun() // a lock-free reader like the program side
	defer run.Exit()
	id, _, e := h.find(key, hv)
	if id < 0 {
		return ErrKeyNotExist
	}
	h.copyOut(out, h.valOf(e))
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
	id, prev, e := h.find(key, hv)
	if id < 0 {
		return ErrKeyNotExist
	}
	h.copyOut(out, h.valOf(e))
	h.unlink(id, prev)
	return nil
}

// nextKey follows the kernel: the element after key in its chain, else
// the first of the next non-empty bucket; the very first element when key
// is nil or absent.
func (h *hashMap) nextKey(key, out []byte) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	start := uint32(0)
	if key != nil {
		hv := h.hash(key)
		if id, _, e := h.find(key, hv); id >= 0 {
			if n := nextOf(e).Load(); n >= 0 {
				copy(out, h.keyOf(h.elem(n)))
				return nil
			}
			start = hv&h.bmask + 1
		}
	}
	for b := int(start); b < len(h.buckets); b++ {
		if id := h.buckets[b].Load(); id >= 0 {
			copy(out, h.keyOf(h.elem(id)))
			return nil
		}
	}
	return ErrKeyNotExist
}

// forEach calls fn with the live key and value storage of each element,
// without locks (inside a run): fn may update or delete elements.
func (h *hashMap) forEach(cpu int, fn func(key, value []byte) bool) int {
	n := 0
	for b := range h.buckets {
		for id := h.buckets[b].Load(); id >= 0; {
			e := h.elem(id)
			v := h.valOf(e)
			if h.percpu {
				v = v[cpu*h.stride : cpu*h.stride+h.cp.vs]
			} else {
				v = v[:h.cp.vs]
			}
			n++
			if fn(h.keyOf(e), v) {
				return n
			}
			id = nextOf(e).Load()
		}
	}
	return n
}

func (h *hashMap) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n
}
