package maps

import (
	"encoding/binary"
	"testing"
)

// TestKeyHasherSpread checks that structured keys (counters, addresses)
// spread over the buckets as a hash table uses them: by the low bits.
func TestKeyHasherSpread(t *testing.T) {
	const n = 1 << 16
	for _, size := range []int{1, 2, 4, 6, 8, 12, 16, 20, 40} {
		h := newKeyHasher()
		counts := make([]int, n)
		key := make([]byte, size)
		keys := n
		if size == 1 {
			keys = 256
		}
		for i := range keys {
			// Vary the middle bytes, as addresses and counters do.
			var w [8]byte
			binary.BigEndian.PutUint64(w[:], uint64(i)<<8)
			if size <= 2 {
				binary.LittleEndian.PutUint16(w[:], uint16(i))
				copy(key, w[:size])
			} else {
				copy(key, w[8-min(size, 8):])
			}
			counts[h.sum(key)&(n-1)]++
		}
		longest := 0
		for _, c := range counts {
			longest = max(longest, c)
		}
		// n balls in n bins: the longest chain is about ln n / ln ln n
		// (about 5 here); a weak mix gives chains of hundreds.
		if longest > 12 {
			t.Errorf("%d-byte keys: longest chain %d, want at most 12", size, longest)
		}
	}
}

// TestKeyHasherLength checks that keys that differ only in length and
// trailing zeros hash apart, and that a hasher is deterministic.
func TestKeyHasherLength(t *testing.T) {
	h := newKeyHasher()
	seen := map[uint32]int{}
	for n := 0; n <= 24; n++ {
		k := make([]byte, n)
		v := h.sum(k)
		if v != h.sum(make([]byte, n)) {
			t.Fatalf("%d zero bytes: hash not deterministic", n)
		}
		if m, dup := seen[v]; dup {
			t.Errorf("%d and %d zero bytes hash alike (%#x)", m, n, v)
		}
		seen[v] = n
	}
	if a, b := newKeyHasher(), newKeyHasher(); a.sum([]byte{1, 2, 3, 4}) == b.sum([]byte{1, 2, 3, 4}) && a.sum([]byte{5, 6, 7, 8}) == b.sum([]byte{5, 6, 7, 8}) {
		t.Error("two hashers agree on two keys: the seed is not used")
	}
}
