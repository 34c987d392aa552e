package maps

import (
	"encoding/binary"
	"sort"
	"sync"
)

// retiredBuf is individually allocated storage unlinked at an epoch; it
// is kept referenced until no run can reach it.
type retiredBuf struct {
	buf   any
	epoch uint64
}

// retireList keeps unlinked buffers alive through their grace period.
type retireList struct{ bufs []retiredBuf }

func (r *retireList) add(b any) {
	r.bufs = append(r.bufs, retiredBuf{buf: b, epoch: retireEpoch()})
	if len(r.bufs) >= 64 {
		r.collect()
	}
}

func (r *retireList) collect() {
	safe := safeEpoch()
	i := 0
	for i < len(r.bufs) && r.bufs[i].epoch <= safe {
		r.bufs[i].buf = nil
		i++
	}
	if i > 0 {
		n := copy(r.bufs, r.bufs[i:])
		clear(r.bufs[n:])
		r.bufs = r.bufs[:n]
	}
}

// trieMap is LPMTrie: longest-prefix match over keys of a 4-byte
// little-endian prefix length and KeySize-4 bytes of data. Entries are
// indexed by (prefix length, masked data); lookups probe the prefix
// lengths present from the longest down.
type trieMap struct {
	base
	mu      sync.RWMutex
	ks      int
	dataLen int
	maxBits uint32
	max     int
	vs      int
	entries map[string]*trieEntry // by (prefix length, masked data)
	tree    tree                  // longest-prefix match
	retired retireList
}

type trieEntry struct {
	key []byte // the key as last stored (data bits beyond the prefix kept)
	val []byte
}

func newTrie(s *Spec) *trieMap {
	return &trieMap{
		ks: int(s.KeySize), dataLen: int(s.KeySize) - 4, maxBits: (s.KeySize - 4) * 8,
		max: int(s.MaxEntries), vs: int(s.ValueSize),
		entries: map[string]*trieEntry{}, tree: tree{maxBits: (s.KeySize - 4) * 8},
	}
}

// index writes the index of (plen, data) into buf and returns it.
func (t *trieMap) index(buf []byte, plen uint32, data []byte) []byte {
	buf = binary.LittleEndian.AppendUint32(buf[:0], plen)
	full := int(plen / 8)
	buf = append(buf, data[:full]...)
	if r := plen % 8; r != 0 {
		buf = append(buf, data[full]&(0xff<<(8-r)))
	}
	return buf
}

func (t *trieMap) lookupPtr(key []byte, _ int) []byte {
	plen := binary.LittleEndian.Uint32(key)
	if plen > t.maxBits {
		return nil
	}
	t.mu.RLock()
	v := t.tree.lookup(plen, key[4:])
	t.mu.RUnlock()
	if v == nil {
		return nil
	}
	return v[:t.vs:t.vs]
}

func (t *trieMap) lookupUser(key, out []byte) error {
	v := t.lookupPtr(key, 0)
	if v == nil {
		return ErrKeyNotExist
	}
	copy(out, v)
	return nil
}

func (t *trieMap) update(key, value []byte, flags uint64, _ int) error {
	if flags > uint64(UpdateExist) {
		return ErrInvalid
	}
	plen := binary.LittleEndian.Uint32(key)
	if plen > t.maxBits {
		return ErrInvalid
	}
	var scratch [4 + 256]byte
	idx := t.index(scratch[:0], plen, key[4:])
	t.mu.Lock()
	defer t.mu.Unlock()
	old, exists := t.entries[string(idx)]
	if exists && flags == uint64(UpdateNoExist) {
		return ErrKeyExist
	}
	if !exists {
		if flags == uint64(UpdateExist) {
			return ErrKeyNotExist
		}
		if len(t.entries) >= t.max {
			return ErrNoSpace
		}
	}
	e := &trieEntry{key: append([]byte(nil), key...), val: alignedBytes(int(round8(uint32(t.vs))))}
	copy(e.val, value)
	t.entries[string(idx)] = e
	t.tree.insert(plen, key[4:], e.val)
	if exists {
		t.retired.add(old.val)
	}
	return nil
}

func (t *trieMap) updateUser(key, value []byte, flags uint64) error {
	return t.update(key, value, flags, 0)
}

func (t *trieMap) delete(key []byte) error {
	plen := binary.LittleEndian.Uint32(key)
	if plen > t.maxBits {
		return ErrInvalid
	}
	var scratch [4 + 256]byte
	idx := t.index(scratch[:0], plen, key[4:])
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.entries[string(idx)]
	if !ok {
		return ErrKeyNotExist
	}
	delete(t.entries, string(idx))
	t.tree.remove(plen, key[4:])
	t.retired.add(e.val)
	return nil
}

// nextKey iterates in a fixed order (by index bytes); an absent key or nil
// starts over, as the kernel does.
func (t *trieMap) nextKey(key, out []byte) error {
	t.mu.RLock()
	defer t.mu.RUnlock()
	idxs := make([]string, 0, len(t.entries))
	for k := range t.entries {
		idxs = append(idxs, k)
	}
	sort.Strings(idxs)
	pos := 0
	if key != nil {
		if plen := binary.LittleEndian.Uint32(key); plen <= t.maxBits {
			var scratch [4 + 256]byte
			idx := string(t.index(scratch[:0], plen, key[4:]))
			if _, ok := t.entries[idx]; ok {
				pos = sort.SearchStrings(idxs, idx) + 1
			}
		}
	}
	if pos >= len(idxs) {
		return ErrKeyNotExist
	}
	copy(out, t.entries[idxs[pos]].key)
	return nil
}

func (t *trieMap) count() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.entries)
}
