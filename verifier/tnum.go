package verifier

import (
	"fmt"
	"math/bits"
)

// tnum is a tristate number, the kernel's "known bits" abstraction: every
// bit set in m is unknown; every other bit has the value of the same bit in v.
// The invariant v&m == 0 always holds.
type tnum struct {
	v, m uint64
}

var tnumUnknown = tnum{0, ^uint64(0)}

func tnumConst(v uint64) tnum { return tnum{v, 0} }

// tnumRange returns the smallest tnum containing every value in [min, max].
func tnumRange(min, max uint64) tnum {
	chi := min ^ max
	n := bits.Len64(chi)
	if n > 63 {
		return tnumUnknown
	}
	delta := uint64(1)<<n - 1
	return tnum{min &^ delta, delta}
}

func (a tnum) isConst() bool { return a.m == 0 }

func (a tnum) isUnknown() bool { return a.m == ^uint64(0) }

func (a tnum) lsh(s uint8) tnum { return tnum{a.v << s, a.m << s} }

func (a tnum) rsh(s uint8) tnum { return tnum{a.v >> s, a.m >> s} }

// arsh shifts arithmetically, in 32 or 64 bits.
func (a tnum) arsh(s uint8, width int) tnum {
	if width == 32 {
		return tnum{uint64(uint32(int32(uint32(a.v)) >> s)), uint64(uint32(int32(uint32(a.m)) >> s))}
	}
	return tnum{uint64(int64(a.v) >> s), uint64(int64(a.m) >> s)}
}

func tnumAdd(a, b tnum) tnum {
	sm := a.m + b.m
	sv := a.v + b.v
	sigma := sm + sv
	chi := sigma ^ sv
	mu := chi | a.m | b.m
	return tnum{sv &^ mu, mu}
}

func tnumSub(a, b tnum) tnum {
	dv := a.v - b.v
	alpha := dv + a.m
	beta := dv - b.m
	chi := alpha ^ beta
	mu := chi | a.m | b.m
	return tnum{dv &^ mu, mu}
}

func tnumAnd(a, b tnum) tnum {
	alpha := a.v | a.m
	beta := b.v | b.m
	v := a.v & b.v
	return tnum{v, alpha & beta &^ v}
}

func tnumOr(a, b tnum) tnum {
	v := a.v | b.v
	mu := a.m | b.m
	return tnum{v, mu &^ v}
}

func tnumXor(a, b tnum) tnum {
	v := a.v ^ b.v
	mu := a.m | b.m
	return tnum{v &^ mu, mu}
}

// tnumMul is the kernel's half-multiply: the product of the known values
// plus, for every possibly-set bit of a, the partial products it may add.
func tnumMul(a, b tnum) tnum {
	accV := a.v * b.v
	accM := tnum{}
	for a.v != 0 || a.m != 0 {
		if a.v&1 != 0 {
			accM = tnumAdd(accM, tnum{0, b.m})
		} else if a.m&1 != 0 {
			accM = tnumAdd(accM, tnum{0, b.v | b.m})
		}
		a = a.rsh(1)
		b = b.lsh(1)
	}
	return tnumAdd(tnumConst(accV), accM)
}

// tnumIntersect combines two facts known about the same value.
func tnumIntersect(a, b tnum) tnum {
	v := a.v | b.v
	mu := a.m & b.m
	return tnum{v &^ mu, mu}
}

// in reports whether every value b may hold is one a may hold.
func (a tnum) in(b tnum) bool {
	if b.m&^a.m != 0 {
		return false
	}
	return a.v == b.v&^a.m
}

func (a tnum) subreg() tnum { return tnum{a.v & 0xffffffff, a.m & 0xffffffff} }

func (a tnum) clearSubreg() tnum { return a.rsh(32).lsh(32) }

func (a tnum) withSubreg(sub tnum) tnum { return tnumOr(a.clearSubreg(), sub.subreg()) }

func (a tnum) isAligned(size uint64) bool {
	if size == 0 {
		return true
	}
	return (a.v|a.m)&(size-1) == 0
}

// String prints as the kernel's tnum_strn: "(0x0; 0xff)".
func (a tnum) String() string { return fmt.Sprintf("(%#x; %#x)", a.v, a.m) }

// logValue is how alignment messages print a variable offset: a number
// when it is known, the tnum otherwise.
func (a tnum) logValue() any {
	if a.isConst() {
		return int64(a.v)
	}
	return a
}
