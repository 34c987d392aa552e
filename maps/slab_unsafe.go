package maps

import (
	"runtime"
	"sync/atomic"
	"unsafe"
)

// This file holds every use of unsafe in the package.

// alignedBytes returns n zeroed bytes of Go heap memory aligned to 8
// bytes (allocated as []uint64), which never moves.
func alignedBytes(n int) []byte {
	if n == 0 {
		return []byte{}
	}
	w := make([]uint64, (n+7)/8)
	return unsafe.Slice((*byte)(unsafe.Pointer(&w[0])), n)[:n:n]
}

// addrOf returns the address of b's first byte (0 if empty).
func addrOf(b []byte) uintptr {
	if cap(b) == 0 {
		return 0
	}
	return uintptr(unsafe.Pointer(unsafe.SliceData(b)))
}

// lockWord returns the bpf_spin_lock at the start of b (4 aligned bytes).
func lockWord(b []byte) *atomic.Uint32 {
	return (*atomic.Uint32)(unsafe.Pointer(&b[0]))
}

// SpinLock takes the struct bpf_spin_lock stored in the 4 bytes of lock
// (bpf_spin_lock); the same lock guards updates with UpdateLock. lock must
// be 4-byte aligned map value memory.
func SpinLock(lock []byte) {
	w := lockWord(lock)
	for i := 0; ; i++ {
		if w.Load() == 0 && w.CompareAndSwap(0, 1) {
			return
		}
		if i > 64 {
			runtime.Gosched()
		}
	}
}

// SpinUnlock releases a lock taken by SpinLock (bpf_spin_unlock).
func SpinUnlock(lock []byte) { lockWord(lock).Store(0) }

// int32At returns the 4 aligned bytes at the start of b as an atomic.
func int32At(b []byte) *atomic.Int32 { return (*atomic.Int32)(unsafe.Pointer(&b[0])) }
