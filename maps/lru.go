package maps

import (
	"bytes"
	"sync"
	"sync/atomic"
)

// LRU hash maps (LRUHash, LRUPerCPUHash) model the kernel's bpf_lru_list
// (kernel/bpf/bpf_lru_list.c and the LRU paths of kernel/bpf/hashtab.c)
// step by step, so that a sequence of operations, each on a known CPU,
// evicts exactly the elements the kernel evicts.
//
// The kernel preallocates max_entries nodes. In the common-LRU mode (the
// default) they sit on one global LRU (an active and an inactive list,
// each node with a reference bit, and a free list) and on per-CPU local
// lists: a local free list and a pending list of nodes handed out by
// updates on that CPU since its last refill. An update takes a node from
// its CPU's local free list; when that is empty it refills it with up to
// target_free nodes: it flushes the pending list into the global lists,
// rotates them (the active list when the inactive list is shorter, then
// the inactive list from its rotation cursor), takes free nodes, and
// shrinks the inactive list from its tail (evicting unreferenced
// elements, moving referenced ones to the active list), or evicts one
// element by force. When even that yields nothing, it steals a free or
// pending node from the CPUs' local lists, round robin. With
// FlagNoCommonLRU each CPU has its own LRU of max_entries/ncpu nodes
// (max_entries rounded to a multiple of the CPU count) and no local lists.
//
// Free nodes carry no state, so free lists are counts here; nodes in use
// are the elements' storage. Program lookups set an element's reference
// bit; Go-side lookups do not, as in the kernel. Every LRU operation runs
// under the map's mutex, which makes the kernel's per-CPU locking
// sequential; program lookups stay lock-free.
//
// The CPU of an operation: program-side updates use their execution slot.
// Go-side updates, deletes and batch operations act as the kernel does on
// CPU 0 (LRUUserCPU), the CPU a caller pins itself to for comparisons.

// LRUUserCPU is the CPU (execution slot) that Go-side operations on LRU
// hash maps act on: the kernel runs bpf() map operations on the calling
// CPU, and gbpf's convention is that the caller is on CPU 0.
const LRUUserCPU = 0

// Kernel constants of kernel/bpf/bpf_lru_list.c.
const (
	lruLocalFreeTarget  = 128 // LOCAL_FREE_TARGET and LOCAL_NR_SCANS
	lruPerCPUFreeTarget = 4   // PERCPU_FREE_TARGET and PERCPU_NR_SCANS
)

// Node types (the kernel's enum bpf_lru_list_type, less the free ones).
const (
	lruActive uint8 = iota
	lruInactive
	lruPending
)

// Element layout: header (next id, hash, reference bit, padding), key,
// value. Elements live in slabs that never move.
const (
	lruHdrNext   = 0
	lruHdrHash   = 4
	lruHdrRef    = 8
	lruHdrSize   = 16
	lruSlabShift = 6
	lruSlabElems = 1 << lruSlabShift
	lruNone      = -1
)

// lruList is one struct bpf_lru_list: sentinel links of its active and
// inactive lists, their lengths, the inactive rotation cursor and the
// number of free nodes.
type lruList struct {
	active, inactive int32
	counts           [2]int
	rot              int32 // next_inactive_rotation: a node of inactive, or its sentinel
	free             int
}

// lruLocal is one CPU's struct bpf_lru_locallist.
type lruLocal struct {
	pending   int32 // sentinel link
	free      int
	nextSteal int
}

type lruRetired struct {
	id    int32
	epoch uint64
}

// lruMap is LRUHash and LRUPerCPUHash.
type lruMap struct {
	base
	mu     sync.Mutex // writers and the LRU state
	keys   keyHasher
	ks     int
	voff   int
	esize  int
	vsize  int
	stride int
	ncpu   int
	percpu bool // per-CPU values
	cp     valueCopier

	buckets []atomic.Int32
	bmask   uint32
	dir     atomic.Pointer[[][]byte]
	nslabs  int
	free    []int32
	retired []lruRetired
	n       int

	// LRU state (under mu). Links 0..nsent-1 are list sentinels; element
	// id i is link nsent+i.
	percpuLRU  bool
	nscans     int
	targetFree int
	lists      []lruList  // one (common LRU) or one per CPU
	locals     []lruLocal // common LRU: one per CPU
	nsent      int32
	prev, next []int32
	typ        []uint8
	owner      []int32 // pending list's CPU (common) or LRU's CPU (per-CPU LRU)
}

func newLRU(s *Spec, ncpu int) *lruMap {
	h := &lruMap{
		keys: newKeyHasher(), ks: int(s.KeySize), stride: int(round8(s.ValueSize)),
		ncpu: ncpu, percpu: s.Type.PerCPU(), cp: newCopier(s),
		percpuLRU: s.Flags&FlagNoCommonLRU != 0,
	}
	h.voff = lruHdrSize + int(round8(s.KeySize))
	h.vsize = int(s.ValueSize)
	if h.percpu {
		h.vsize = h.stride * ncpu
	}
	h.esize = h.voff + int(round8(uint32(h.vsize)))
	nodes := int(lruMaxEntries(s, ncpu))
	nb := 1
	for nb < nodes && nb < 1<<24 {
		nb <<= 1
	}
	h.buckets = make([]atomic.Int32, nb)
	for i := range h.buckets {
		h.buckets[i].Store(lruNone)
	}
	h.bmask = uint32(nb - 1)
	h.dir.Store(&[][]byte{})

	newList := func() lruList {
		l := lruList{active: h.addSentinel(), inactive: h.addSentinel()}
		l.rot = l.inactive
		return l
	}
	if h.percpuLRU {
		h.nscans = lruPerCPUFreeTarget
		for c := 0; c < ncpu; c++ {
			l := newList()
			l.free = nodes / ncpu
			h.lists = append(h.lists, l)
		}
	} else {
		h.nscans = lruLocalFreeTarget
		l := newList()
		l.free = nodes
		h.lists = []lruList{l}
		for c := 0; c < ncpu; c++ {
			h.locals = append(h.locals, lruLocal{pending: h.addSentinel(), nextSteal: c})
		}
		h.targetFree = min(max(nodes/ncpu/2, 1), lruLocalFreeTarget)
	}
	return h
}

// lruMaxEntries is the capacity of an LRU map as the kernel sets it: with
// FlagNoCommonLRU, MaxEntries rounded up to a multiple of the CPU count
// (down where that overflows), so that every CPU's LRU has the same number
// of nodes.
func lruMaxEntries(s *Spec, ncpu int) uint32 {
	n := uint64(s.MaxEntries)
	if s.Flags&FlagNoCommonLRU == 0 || (s.Type != LRUHash && s.Type != LRUPerCPUHash) {
		return s.MaxEntries
	}
	c := uint64(ncpu)
	if r := (n + c - 1) / c * c; r <= 1<<32-1 {
		return uint32(r)
	}
	return uint32(n / c * c)
}

// addSentinel adds the head of an empty circular list.
func (h *lruMap) addSentinel() int32 {
	s := h.nsent
	h.nsent++
	h.prev = append(h.prev, s)
	h.next = append(h.next, s)
	h.typ = append(h.typ, 0)
	h.owner = append(h.owner, 0)
	return s
}

// ---- element storage and the hash table ----

func (h *lruMap) hash(key []byte) uint32 { return h.keys.sum(key) }

func (h *lruMap) elem(id int32) []byte {
	dir := *h.dir.Load()
	off := int(id&(lruSlabElems-1)) * h.esize
	return dir[id>>lruSlabShift][off : off+h.esize : off+h.esize]
}

func lruNextOf(e []byte) *atomic.Int32 { return int32At(e[lruHdrNext:]) }
func lruRefOf(e []byte) *atomic.Int32  { return int32At(e[lruHdrRef:]) }
func lruHashOf(e []byte) uint32 {
	return uint32(e[lruHdrHash]) | uint32(e[lruHdrHash+1])<<8 | uint32(e[lruHdrHash+2])<<16 | uint32(e[lruHdrHash+3])<<24
}

func (h *lruMap) keyOf(e []byte) []byte { return e[lruHdrSize : lruHdrSize+h.ks] }
func (h *lruMap) valOf(e []byte) []byte { return e[h.voff : h.voff+h.vsize : h.voff+h.vsize] }

// find returns the element with key, its predecessor in the chain
// (lruNone if first) and its storage, reading links atomically.
func (h *lruMap) find(key []byte, hv uint32) (id, prev int32, e []byte) {
	prev = lruNone
	for id = h.buckets[hv&h.bmask].Load(); id >= 0; {
		e = h.elem(id)
		if lruHashOf(e) == hv && bytes.Equal(h.keyOf(e), key) {
			return id, prev, e
		}
		prev = id
		id = lruNextOf(e).Load()
	}
	return lruNone, prev, nil
}

// alloc returns unused element storage (under mu): free, reclaimed after
// its grace period, or from a new slab.
func (h *lruMap) alloc() int32 {
	if len(h.free) == 0 && len(h.retired) > 0 {
		safe := safeEpoch()
		i := 0
		for i < len(h.retired) && h.retired[i].epoch <= safe {
			h.free = append(h.free, h.retired[i].id)
			i++
		}
		h.retired = h.retired[:copy(h.retired, h.retired[i:])]
	}
	if len(h.free) == 0 {
		old := *h.dir.Load()
		dir := make([][]byte, len(old)+1)
		copy(dir, old)
		dir[len(old)] = alignedBytes(h.esize * lruSlabElems)
		h.dir.Store(&dir)
		base := int32(h.nslabs) << lruSlabShift
		h.nslabs++
		for i := int32(lruSlabElems - 1); i >= 0; i-- {
			h.free = append(h.free, base+i)
		}
		h.prev = append(h.prev, make([]int32, lruSlabElems)...)
		h.next = append(h.next, make([]int32, lruSlabElems)...)
		h.typ = append(h.typ, make([]uint8, lruSlabElems)...)
		h.owner = append(h.owner, make([]int32, lruSlabElems)...)
	}
	id := h.free[len(h.free)-1]
	h.free = h.free[:len(h.free)-1]
	return id
}

func (h *lruMap) setLink(bucket uint32, prev, id int32) {
	if prev < 0 {
		h.buckets[bucket].Store(id)
	} else {
		lruNextOf(h.elem(prev)).Store(id)
	}
}

// unhash removes element id from its chain and retires its storage; the
// element keeps its own link for readers standing on it.
func (h *lruMap) unhash(id int32) {
	e := h.elem(id)
	b := lruHashOf(e) & h.bmask
	prev := int32(lruNone)
	for c := h.buckets[b].Load(); c != id; c = lruNextOf(h.elem(c)).Load() {
		prev = c
	}
	h.setLink(b, prev, lruNextOf(e).Load())
	h.n--
	h.retired = append(h.retired, lruRetired{id: id, epoch: retireEpoch()})
}

// ---- the LRU lists ----

func (h *lruMap) link(id int32) int32 { return h.nsent + id }

func (h *lruMap) isRef(x int32) bool { return lruRefOf(h.elem(x-h.nsent)).Load() != 0 }

func (h *lruMap) clearRef(x int32) { lruRefOf(h.elem(x - h.nsent)).Store(0) }

func (h *lruMap) listDel(x int32) {
	p, n := h.prev[x], h.next[x]
	h.next[p] = n
	h.prev[n] = p
}

func (h *lruMap) listAdd(head, x int32) {
	n := h.next[head]
	h.prev[x], h.next[x] = head, n
	h.prev[n] = x
	h.next[head] = x
}

func (l *lruList) head(t uint8) int32 {
	if t == lruActive {
		return l.active
	}
	return l.inactive
}

// move is __bpf_lru_node_move: node x of list l to the head of its
// active or inactive list, reference bit cleared.
func (h *lruMap) move(l *lruList, x int32, t uint8) {
	if h.typ[x] != t {
		l.counts[h.typ[x]]--
		l.counts[t]++
		h.typ[x] = t
	}
	h.clearRef(x)
	if x == l.rot {
		l.rot = h.prev[x]
	}
	h.listDel(x)
	h.listAdd(l.head(t), x)
}

// toFree takes node x off list l (__bpf_lru_node_move_to_free); the
// caller counts it on a free list.
func (h *lruMap) toFree(l *lruList, x int32) {
	if x == l.rot {
		l.rot = h.prev[x]
	}
	l.counts[h.typ[x]]--
	h.listDel(x)
}

// evict deletes node x's element from the hash table
// (htab_lru_map_delete_node) and takes x off l.
func (h *lruMap) evict(l *lruList, x int32) {
	h.unhash(x - h.nsent)
	h.toFree(l, x)
}

func (h *lruMap) rotateActive(l *lruList) {
	first := h.next[l.active]
	i := 0
	for x := h.prev[l.active]; x != l.active; {
		p := h.prev[x]
		if h.isRef(x) {
			h.move(l, x, lruActive)
		} else {
			h.move(l, x, lruInactive)
		}
		i++
		if i == h.nscans || x == first {
			break
		}
		x = p
	}
}

func (h *lruMap) rotateInactive(l *lruList) {
	s := l.inactive
	if h.next[s] == s {
		return
	}
	last := h.next[l.rot]
	if last == s {
		last = h.next[last]
	}
	cur, nxt := l.rot, s
	for i := 0; i < h.nscans; {
		if cur == s {
			cur = h.prev[cur]
			continue
		}
		nxt = h.prev[cur]
		if h.isRef(cur) {
			h.move(l, cur, lruActive)
		}
		if cur == last {
			break
		}
		cur = nxt
		i++
	}
	l.rot = nxt
}

func (h *lruMap) rotate(l *lruList) {
	if l.counts[lruInactive] < l.counts[lruActive] {
		h.rotateActive(l)
	}
	h.rotateInactive(l)
}

// shrink frees up to want nodes from the inactive list's tail; failing
// any, it evicts the tail of the inactive (else the active) list
// regardless of reference bits. It returns how many nodes it freed.
func (h *lruMap) shrink(l *lruList, want int) int {
	got, i := 0, 0
	for x := h.prev[l.inactive]; x != l.inactive; {
		p := h.prev[x]
		if h.isRef(x) {
			h.move(l, x, lruActive)
		} else {
			h.evict(l, x)
			if got++; got == want {
				break
			}
		}
		if i++; i == h.nscans {
			break
		}
		x = p
	}
	if got > 0 {
		return got
	}
	force := l.inactive
	if h.next[force] == force {
		force = l.active
	}
	if x := h.prev[force]; x != force {
		h.evict(l, x)
		return 1
	}
	return 0
}

// refill is bpf_lru_list_pop_free_to_local for CPU cpu.
func (h *lruMap) refill(cpu int) {
	l, loc := &h.lists[0], &h.locals[cpu]
	for x := h.prev[loc.pending]; x != loc.pending; {
		p := h.prev[x]
		t := lruInactive
		if h.isRef(x) {
			t = lruActive
		}
		l.counts[t]++
		h.typ[x] = t
		h.clearRef(x)
		h.listDel(x)
		h.listAdd(l.head(t), x)
		x = p
	}
	h.rotate(l)
	n := min(l.free, h.targetFree)
	l.free -= n
	loc.free += n
	if n < h.targetFree {
		loc.free += h.shrink(l, h.targetFree-n)
	}
}

// stealPending evicts the oldest element of CPU c's pending list,
// preferring unreferenced ones (__local_list_pop_pending).
func (h *lruMap) stealPending(c int) bool {
	s := h.locals[c].pending
	for _, force := range []bool{false, true} {
		for x := h.prev[s]; x != s; x = h.prev[x] {
			if force || !h.isRef(x) {
				h.unhash(x - h.nsent)
				h.listDel(x)
				return true
			}
		}
	}
	return false
}

// obtain takes a free node for an update on cpu (bpf_lru_pop_free),
// evicting elements as the kernel does; false if there is none.
func (h *lruMap) obtain(cpu int) bool {
	if h.percpuLRU {
		l := &h.lists[cpu]
		h.rotate(l)
		if l.free == 0 {
			l.free += h.shrink(l, lruPerCPUFreeTarget)
		}
		if l.free == 0 {
			return false
		}
		l.free--
		return true
	}
	loc := &h.locals[cpu]
	if loc.free == 0 {
		h.refill(cpu)
	}
	if loc.free > 0 {
		loc.free--
		return true
	}
	first := loc.nextSteal
	steal, got := first, false
	for {
		if sl := &h.locals[steal]; sl.free > 0 {
			sl.free--
			got = true
		} else {
			got = h.stealPending(steal)
		}
		steal = (steal + 1) % h.ncpu
		if got || steal == first {
			break
		}
	}
	loc.nextSteal = steal
	return got
}

// place puts the new element id on the list of a node obtained on cpu:
// the CPU's pending list, or the inactive list of its own LRU.
func (h *lruMap) place(id int32, cpu int) {
	x := h.link(id)
	h.owner[x] = int32(cpu)
	if h.percpuLRU {
		l := &h.lists[cpu]
		h.typ[x] = lruInactive
		l.counts[lruInactive]++
		h.listAdd(l.inactive, x)
		return
	}
	h.typ[x] = lruPending
	h.listAdd(h.locals[cpu].pending, x)
}

// release returns element id's node to a free list (bpf_lru_push_free).
func (h *lruMap) release(id int32) {
	x := h.link(id)
	switch {
	case h.percpuLRU:
		l := &h.lists[h.owner[x]]
		h.toFree(l, x)
		l.free++
	case h.typ[x] == lruPending:
		h.listDel(x)
		h.locals[h.owner[x]].free++
	default:
		h.toFree(&h.lists[0], x)
		h.lists[0].free++
	}
}

// ---- map operations ----

func (h *lruMap) lookupPtr(key []byte, cpu int) []byte {
	id, _, e := h.find(key, h.hash(key))
	if id < 0 {
		return nil
	}
	if r := lruRefOf(e); r.Load() == 0 {
		r.Store(1)
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

// store writes value into storage v: one CPU's part (others zeroed when
// fresh) or, for user (all CPUs) values, every part.
func (h *lruMap) store(v, value []byte, cpu int, user, fresh bool) {
	if !h.percpu {
		h.cp.in(v, value)
		return
	}
	if user {
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

// upsert is htab_lru_map_update_elem and __htab_lru_percpu_map_update_elem
// on cpu: a node is taken (possibly evicting) before the key is looked up,
// and returned if the flags refuse the update or a per-CPU value is
// updated in place.
func (h *lruMap) upsert(key, value []byte, flags uint64, cpu int, user bool) error {
	if err := checkFlags(flags, false); err != nil {
		return err
	}
	if uint(cpu) >= uint(h.ncpu) {
		return ErrInvalid
	}
	hv := h.hash(key)
	h.mu.Lock()
	defer h.mu.Unlock()
	nid := int32(lruNone)
	if !h.percpu || flags != uint64(UpdateExist) {
		if !h.obtain(cpu) {
			return ErrNoMemory
		}
		nid = h.alloc()
		e := h.elem(nid)
		clear(e)
		lruNextOf(e).Store(lruNone)
		e[lruHdrHash], e[lruHdrHash+1], e[lruHdrHash+2], e[lruHdrHash+3] = byte(hv), byte(hv>>8), byte(hv>>16), byte(hv>>24)
		copy(e[lruHdrSize:], key)
		h.place(nid, cpu)
	}
	// unused returns the new node and its never published storage.
	unused := func() {
		if nid >= 0 {
			h.release(nid)
			h.free = append(h.free, nid)
		}
	}
	old, prev, oe := h.find(key, hv)
	if old >= 0 && flags == uint64(UpdateNoExist) {
		unused()
		return ErrKeyExist
	}
	if old < 0 && flags == uint64(UpdateExist) {
		unused()
		return ErrKeyNotExist
	}
	if h.percpu && old >= 0 {
		if r := lruRefOf(oe); r.Load() == 0 {
			r.Store(1)
		}
		h.store(h.valOf(oe), value, cpu, user, false)
		unused()
		return nil
	}
	e := h.elem(nid)
	h.store(h.valOf(e), value, cpu, user, true)
	b := hv & h.bmask
	lruNextOf(e).Store(h.buckets[b].Load())
	h.buckets[b].Store(nid)
	h.n++
	if old >= 0 {
		lruRefOf(e).Store(1)
		if prev < 0 {
			prev = nid
		}
		h.setLink(b, prev, lruNextOf(oe).Load())
		h.n--
		h.retired = append(h.retired, lruRetired{id: old, epoch: retireEpoch()})
		h.release(old)
	}
	return nil
}

func (h *lruMap) update(key, value []byte, flags uint64, cpu int) error {
	return h.upsert(key, value, flags, cpu, false)
}

func (h *lruMap) updateUser(key, value []byte, flags uint64) error {
	return h.upsert(key, value, flags, LRUUserCPU, true)
}

// remove deletes key's element, copying its value to out when non-nil.
func (h *lruMap) remove(key, out []byte) error {
	hv := h.hash(key)
	h.mu.Lock()
	defer h.mu.Unlock()
	id, _, e := h.find(key, hv)
	if id < 0 {
		return ErrKeyNotExist
	}
	if out != nil {
		h.copyOut(out, h.valOf(e))
	}
	h.unhash(id)
	h.release(id)
	return nil
}

func (h *lruMap) delete(key []byte) error { return h.remove(key, nil) }

func (h *lruMap) lookupAndDelete(key, out []byte) error { return h.remove(key, out) }

func (h *lruMap) lookupUser(key, out []byte) error {
	hv := h.hash(key)
	run := EnterRun()
	defer run.Exit()
	id, _, e := h.find(key, hv)
	if id < 0 {
		return ErrKeyNotExist
	}
	h.copyOut(out, h.valOf(e))
	return nil
}

func (h *lruMap) copyOut(out, v []byte) {
	if !h.percpu {
		h.cp.out(out, v)
		return
	}
	for c := 0; c < h.ncpu; c++ {
		h.cp.out(out[c*h.stride:], v[c*h.stride:])
	}
}

// nextKey follows the kernel: the element after key in its chain, else
// the first of the next non-empty bucket; the very first element when key
// is nil or absent.
func (h *lruMap) nextKey(key, out []byte) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	start := uint32(0)
	if key != nil {
		hv := h.hash(key)
		if id, _, e := h.find(key, hv); id >= 0 {
			if n := lruNextOf(e).Load(); n >= 0 {
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
// without locks (inside a run): fn may update or delete elements. It
// leaves reference bits alone, as bpf_for_each_map_elem does.
func (h *lruMap) forEach(cpu int, fn func(key, value []byte) bool) int {
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
			id = lruNextOf(e).Load()
		}
	}
	return n
}

func (h *lruMap) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n
}
