package vm

import (
	"sync/atomic"
	"unsafe"
)

// This file holds every use of unsafe in the package: turning the real host
// addresses that eBPF registers hold back into pointers. Callers convert an
// address only after checking it against the regions of the run, which are
// Go heap memory kept referenced for the whole run (Go's collector does not
// move heap objects).

// pointerAt reinterprets the address a as a pointer. It reads the integer's
// storage as a pointer rather than converting uintptr to unsafe.Pointer,
// which is the same machine operation.
func pointerAt(a uint64) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&a)) }

// addrOf returns the address of the first byte of b, or 0 for an empty b.
func addrOf(b []byte) uint64 {
	if len(b) == 0 {
		return 0
	}
	return uint64(uintptr(unsafe.Pointer(unsafe.SliceData(b))))
}

// bytesAt returns the n bytes at address a as a slice.
func bytesAt(a, n uint64) []byte {
	if n == 0 {
		return []byte{}
	}
	return unsafe.Slice((*byte)(pointerAt(a)), n)
}

func load8(a uint64) uint64  { return uint64(*(*uint8)(pointerAt(a))) }
func load16(a uint64) uint64 { return uint64(*(*uint16)(pointerAt(a))) }
func load32(a uint64) uint64 { return uint64(*(*uint32)(pointerAt(a))) }
func load64(a uint64) uint64 { return *(*uint64)(pointerAt(a)) }

func loadS8(a uint64) uint64  { return uint64(int64(*(*int8)(pointerAt(a)))) }
func loadS16(a uint64) uint64 { return uint64(int64(*(*int16)(pointerAt(a)))) }
func loadS32(a uint64) uint64 { return uint64(int64(*(*int32)(pointerAt(a)))) }

func store8(a, v uint64)  { *(*uint8)(pointerAt(a)) = uint8(v) }
func store16(a, v uint64) { *(*uint16)(pointerAt(a)) = uint16(v) }
func store32(a, v uint64) { *(*uint32)(pointerAt(a)) = uint32(v) }
func store64(a, v uint64) { *(*uint64)(pointerAt(a)) = v }

func atomic32(a uint64) *uint32 { return (*uint32)(pointerAt(a)) }
func atomic64(a uint64) *uint64 { return (*uint64)(pointerAt(a)) }

// Sequentially consistent read-modify-write operations. Each returns the
// old value, zero-extended.

func atomicAdd32(a, v uint64) uint64 {
	return uint64(atomic.AddUint32(atomic32(a), uint32(v)) - uint32(v))
}
func atomicAdd64(a, v uint64) uint64 { return atomic.AddUint64(atomic64(a), v) - v }
func atomicOr32(a, v uint64) uint64  { return uint64(atomic.OrUint32(atomic32(a), uint32(v))) }
func atomicOr64(a, v uint64) uint64  { return atomic.OrUint64(atomic64(a), v) }
func atomicAnd32(a, v uint64) uint64 { return uint64(atomic.AndUint32(atomic32(a), uint32(v))) }
func atomicAnd64(a, v uint64) uint64 { return atomic.AndUint64(atomic64(a), v) }

func atomicXor32(a, v uint64) uint64 {
	p := atomic32(a)
	for {
		old := atomic.LoadUint32(p)
		if atomic.CompareAndSwapUint32(p, old, old^uint32(v)) {
			return uint64(old)
		}
	}
}

func atomicXor64(a, v uint64) uint64 {
	p := atomic64(a)
	for {
		old := atomic.LoadUint64(p)
		if atomic.CompareAndSwapUint64(p, old, old^v) {
			return old
		}
	}
}

func atomicXchg32(a, v uint64) uint64 { return uint64(atomic.SwapUint32(atomic32(a), uint32(v))) }
func atomicXchg64(a, v uint64) uint64 { return atomic.SwapUint64(atomic64(a), v) }

// atomicCmpXchg32 stores v at a if the value there equals the low 32 bits
// of expect, and returns the value that was there, zero-extended.
func atomicCmpXchg32(a, expect, v uint64) uint64 {
	p := atomic32(a)
	for {
		old := atomic.LoadUint32(p)
		if old != uint32(expect) {
			return uint64(old)
		}
		if atomic.CompareAndSwapUint32(p, old, uint32(v)) {
			return uint64(old)
		}
	}
}

// atomicCmpXchg64 stores v at a if the value there equals expect, and
// returns the value that was there.
func atomicCmpXchg64(a, expect, v uint64) uint64 {
	p := atomic64(a)
	for {
		old := atomic.LoadUint64(p)
		if old != expect {
			return old
		}
		if atomic.CompareAndSwapUint64(p, old, v) {
			return old
		}
	}
}
