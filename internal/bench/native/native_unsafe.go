//go:build cgo

package native

/*
#cgo CFLAGS: -O2 -I${SRCDIR}/../testdata
typedef unsigned long long u64;
u64 native_sum(void *mem, u64 len);
u64 native_log2(void *mem, u64 len);
u64 native_primes(void *mem, u64 len);
u64 native_strcmp(void *mem, u64 len);
u64 native_switch64(void *mem, u64 len);
u64 native_memcpy(void *mem, u64 len);
u64 native_empty(void *mem, u64 len);
*/
import "C"

import "unsafe"

// Available reports whether native code can be run (cgo is enabled).
const Available = true

// Func returns the native entry point of the workload name ("empty" is a
// function that does nothing, for measuring the cost of the call itself).
// The function runs over mem in place and returns the program's result.
func Func(name string) (func(mem []byte) uint64, bool) {
	f, ok := funcs[name]
	return f, ok
}

var funcs = map[string]func(mem []byte) uint64{
	"sum":      func(mem []byte) uint64 { return uint64(C.native_sum(ptr(mem), size(mem))) },
	"log2":     func(mem []byte) uint64 { return uint64(C.native_log2(ptr(mem), size(mem))) },
	"primes":   func(mem []byte) uint64 { return uint64(C.native_primes(ptr(mem), size(mem))) },
	"strcmp":   func(mem []byte) uint64 { return uint64(C.native_strcmp(ptr(mem), size(mem))) },
	"switch64": func(mem []byte) uint64 { return uint64(C.native_switch64(ptr(mem), size(mem))) },
	"memcpy":   func(mem []byte) uint64 { return uint64(C.native_memcpy(ptr(mem), size(mem))) },
	"empty":    func(mem []byte) uint64 { return uint64(C.native_empty(ptr(mem), size(mem))) },
}

// ptr passes the slice's backing array to C; the C code neither keeps it nor
// stores Go pointers into it, as cgo's pointer rules require.
func ptr(mem []byte) unsafe.Pointer { return unsafe.Pointer(unsafe.SliceData(mem)) }

func size(mem []byte) C.u64 { return C.u64(len(mem)) }
