// The benchmark workloads compiled natively: each testdata file defines
// prog(), renamed here to native_<name> so that all of them link together.
//
// The pragma is -fno-tree-vectorize (which cgo does not accept as a flag):
// native code stays scalar, like the eBPF side.

#pragma GCC optimize("no-tree-vectorize")

#define prog native_sum
#include "sum.c"
#undef prog

#define prog native_log2
#include "log2.c"
#undef prog

#define prog native_primes
#include "primes.c"
#undef prog

#define prog native_strcmp
#include "strcmp.c"
#undef prog
#undef RECORD

#define prog native_switch64
#include "switch64.c"
#undef prog

#define prog native_memcpy
#include "memcpy.c"
#undef prog

// native_empty does no work: its cost is the cost of a cgo call.
unsigned long long native_empty(void *mem, unsigned long long len)
{
	(void)mem;
	return len;
}
