package maps

import (
	"hash/maphash"
	"math/bits"
	"sync/atomic"
)

// bloomMap is BloomFilter: a bit set probed by nrHash hash functions
// (double hashing). There are no false negatives; false positives occur
// at the rate the kernel's sizing gives.
type bloomMap struct {
	base
	seed   maphash.Seed
	nrHash uint32
	mask   uint64 // bits - 1
	words  []uint64
	n      atomic.Int64
}

func newBloom(s *Spec) *bloomMap {
	b := &bloomMap{seed: maphash.MakeSeed(), nrHash: uint32(s.MapExtra & 0xf)}
	if b.nrHash == 0 {
		b.nrHash = 5
	}
	// As the kernel: nr_bits = max_entries * nr_hash_funcs / ln(2),
	// rounded up to a power of two, at least 64 here.
	want := uint64(s.MaxEntries) * uint64(b.nrHash) * 100 / 69
	nb := uint64(64)
	if want > 64 {
		nb = 1 << bits.Len64(want-1)
	}
	if nb > 1<<32 {
		nb = 1 << 32
	}
	b.mask = nb - 1
	b.words = make([]uint64, nb/64)
	return b
}

func (b *bloomMap) probes(value []byte) (h1, h2 uint64) {
	h := maphash.Bytes(b.seed, value)
	return h, (h>>32 | h<<32) | 1
}

func (b *bloomMap) push(value []byte, flags uint64) error {
	if flags != 0 {
		return ErrInvalid
	}
	h1, h2 := b.probes(value)
	for i := uint64(0); i < uint64(b.nrHash); i++ {
		bit := (h1 + i*h2) & b.mask
		w := &b.words[bit/64]
		m := uint64(1) << (bit % 64)
		for {
			old := atomic.LoadUint64(w)
			if old&m != 0 || atomic.CompareAndSwapUint64(w, old, old|m) {
				break
			}
		}
	}
	b.n.Add(1)
	return nil
}

func (b *bloomMap) peek(value []byte) error {
	h1, h2 := b.probes(value)
	for i := uint64(0); i < uint64(b.nrHash); i++ {
		bit := (h1 + i*h2) & b.mask
		if atomic.LoadUint64(&b.words[bit/64])&(uint64(1)<<(bit%64)) == 0 {
			return ErrKeyNotExist
		}
	}
	return nil
}

func (b *bloomMap) pop([]byte) error                         { return ErrOpNotSupported }
func (b *bloomMap) delete([]byte) error                      { return ErrOpNotSupported }
func (b *bloomMap) nextKey([]byte, []byte) error             { return ErrOpNotSupported }
func (b *bloomMap) update([]byte, []byte, uint64, int) error { return ErrInvalid }
func (b *bloomMap) updateUser([]byte, []byte, uint64) error  { return ErrInvalid }
func (b *bloomMap) lookupUser([]byte, []byte) error          { return ErrInvalid }

// count returns the number of values added (not distinct values).
func (b *bloomMap) count() int { return int(b.n.Load()) }
