package maps

import (
	"encoding/binary"
	"sync"
	"testing"
)

// checkLRU verifies the LRU bookkeeping of m: every element of the hash
// table is on exactly one list of the right type, the lists' counts are
// right, and elements plus free nodes make up the capacity.
func checkLRU(t *testing.T, m *Map) {
	t.Helper()
	h := m.impl.(*lruMap)
	h.mu.Lock()
	defer h.mu.Unlock()
	onList := map[int32]bool{}
	walk := func(head int32, typ uint8) int {
		n := 0
		for x := h.next[head]; x != head; x = h.next[x] {
			if h.prev[h.next[x]] != x {
				t.Fatalf("broken links at %d", x)
			}
			if h.typ[x] != typ {
				t.Fatalf("element %d of type %d on a list of type %d", x-h.nsent, h.typ[x], typ)
			}
			if onList[x-h.nsent] {
				t.Fatalf("element %d on two lists", x-h.nsent)
			}
			onList[x-h.nsent] = true
			n++
		}
		return n
	}
	free := 0
	for i := range h.lists {
		l := &h.lists[i]
		for _, typ := range []uint8{lruActive, lruInactive} {
			if n := walk(l.head(typ), typ); n != l.counts[typ] {
				t.Fatalf("list %d type %d: %d nodes, count %d", i, typ, n, l.counts[typ])
			}
		}
		free += l.free
	}
	for c := range h.locals {
		walk(h.locals[c].pending, lruPending)
		free += h.locals[c].free
	}
	hashed := 0
	for b := range h.buckets {
		for id := h.buckets[b].Load(); id >= 0; id = lruNextOf(h.elem(id)).Load() {
			if !onList[id] {
				t.Fatalf("element %d in the table but on no list", id)
			}
			hashed++
		}
	}
	if hashed != len(onList) || hashed != h.n {
		t.Fatalf("%d elements in the table, %d on lists, count %d", hashed, len(onList), h.n)
	}
	if hashed+free != int(m.MaxEntries()) {
		t.Fatalf("%d elements and %d free nodes; capacity %d", hashed, free, m.MaxEntries())
	}
}

// TestLRUConcurrent runs program-side lookups, updates and deletes on all
// slots at once with Go-side operations, and then checks the bookkeeping.
func TestLRUConcurrent(t *testing.T) {
	for _, s := range lruSpecs() {
		t.Run(lruName(s), func(t *testing.T) {
			m := mustNew(t, s)
			var wg sync.WaitGroup
			for g := 0; g < 4; g++ {
				wg.Add(1)
				go func(g int) {
					defer wg.Done()
					cpu := g % PossibleCPUs()
					for i := 0; i < 3000; i++ {
						k := le32(uint32((i*7 + g) % 40))
						run := EnterRun()
						// Per-CPU values are updated in place, as in
						// the kernel: reading them here would race.
						if v := m.LookupPtr(k, cpu); v != nil && !s.Type.PerCPU() {
							_ = binary.LittleEndian.Uint64(v)
						}
						if err := m.UpdateFromProg(k, le64(uint64(i)), 0, cpu); err != nil {
							t.Error(err)
						}
						run.Exit()
						switch i % 5 {
						case 0:
							m.Delete(k)
						case 1:
							m.Put(k, make([]byte, m.UserValueSize()))
						}
					}
				}(g)
			}
			wg.Wait()
			if m.Len() > int(m.MaxEntries()) {
				t.Fatalf("Len %d over capacity %d", m.Len(), m.MaxEntries())
			}
			checkLRU(t, m)
		})
	}
}

// TestLRUGracePeriod checks that an evicted value a run still points at
// keeps its contents until the run exits.
func TestLRUGracePeriod(t *testing.T) {
	m := mustNew(t, &Spec{Type: LRUHash, KeySize: 4, ValueSize: 8, MaxEntries: 4})
	m.Put(uint32(1), uint64(111))
	run := EnterRun()
	p := m.LookupPtr(le32(1), 0)
	for i := uint32(2); i < 200; i++ {
		if err := m.Put(i, uint64(i)); err != nil {
			t.Fatal(err)
		}
	}
	var v uint64
	if m.Lookup(uint32(1), &v) == nil {
		t.Fatal("key 1 not evicted")
	}
	if got := binary.LittleEndian.Uint64(p); got != 111 {
		t.Fatalf("evicted value seen by a run in progress changed to %d", got)
	}
	run.Exit()
	checkLRU(t, m)
}
