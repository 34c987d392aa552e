// Bounded loops, struct copies, read-only data and subprograms calling
// each other in .text.
#include "common.h"

struct rec { u64 a, b, c, d; u32 e; u16 f; u8 g; };

static const u32 table[8] = { 3, 1, 4, 1, 5, 9, 2, 6 };
struct rec last;

static __attribute__((noinline)) u32 hash(const u8 *p, int n)
{
	u32 h = 2166136261u;
	for (int i = 0; i < n && i < 64; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static __attribute__((noinline)) u32 mix(u32 x)
{
	return hash((const u8 *)&x, 4) ^ table[x & 7];
}

SEC("socket") int loops(struct rec *r)
{
	struct rec copy = *r;
	u32 h = 0;
	#pragma clang loop unroll(disable)
	for (int i = 0; i < 8; i++)
		h += mix(h + table[i]);
	last = copy;
	last.e = h;
	if (copy.g > 200)
		return (int)hash((const u8 *)&copy, sizeof(copy));
	return (int)(h % 1000);
}
