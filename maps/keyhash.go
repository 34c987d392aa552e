package maps

import (
	"encoding/binary"
	"hash/maphash"
	"math/bits"
)

// keyHasher hashes map keys with a per-map random seed, as the kernel's
// hash tables use jhash with a random seed. Keys of up to 16 bytes (u32
// and u64 keys, IPv4 and IPv6 tuples) take a short keyed multiply-mix
// path; longer ones go through hash/maphash.
type keyHasher struct {
	seed   maphash.Seed
	k0, k1 uint64 // keys for the short path, derived from seed
}

func newKeyHasher() keyHasher {
	h := keyHasher{seed: maphash.MakeSeed()}
	h.k0 = maphash.Bytes(h.seed, []byte("k0")) | 1
	h.k1 = maphash.Bytes(h.seed, []byte("k1")) | 1
	return h
}

// sum returns the 32-bit hash of key.
func (h *keyHasher) sum(key []byte) uint32 {
	var a, b uint64
	switch n := len(key); {
	case n == 4:
		a = uint64(binary.LittleEndian.Uint32(key))
	case n == 8:
		a = binary.LittleEndian.Uint64(key)
	case n < 8:
		for i, c := range key {
			a |= uint64(c) << (8 * i)
		}
	case n <= 16:
		a = binary.LittleEndian.Uint64(key)
		for i, c := range key[8:] {
			b |= uint64(c) << (8 * i)
		}
	default:
		v := maphash.Bytes(h.seed, key)
		return uint32(v) ^ uint32(v>>32)
	}
	// Two keyed 64x64->128 multiplies folded together (the wyhash mix),
	// with the length in the second so that keys differing only in
	// trailing zero bytes and length still differ.
	hi, lo := bits.Mul64(a^h.k0, b^h.k1^uint64(len(key)))
	v := hi ^ lo
	hi, lo = bits.Mul64(v^h.k1, h.k0)
	v = hi ^ lo
	return uint32(v) ^ uint32(v>>32)
}
