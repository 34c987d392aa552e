// log2: floor(log2(x)) of every 64-bit word of the memory, by binary search
// over the bit positions, summed (a zero word counts as 0).

typedef unsigned long long u64;

static inline __attribute__((always_inline)) u64 log2_u64(u64 v)
{
	u64 r = 0;

	if (v >> 32) {
		v >>= 32;
		r += 32;
	}
	if (v >> 16) {
		v >>= 16;
		r += 16;
	}
	if (v >> 8) {
		v >>= 8;
		r += 8;
	}
	if (v >> 4) {
		v >>= 4;
		r += 4;
	}
	if (v >> 2) {
		v >>= 2;
		r += 2;
	}
	if (v >> 1)
		r += 1;
	return r;
}

u64 prog(void *mem, u64 len)
{
	const u64 *w = mem;
	u64 n = len / 8;
	u64 s = 0;

	for (u64 i = 0; i < n; i++)
		s += log2_u64(w[i]);
	return s;
}
