// sum: add up every 32-bit little-endian word of the memory.
// The loop is bounded by len; a trailing partial word is ignored.

typedef unsigned int u32;
typedef unsigned long long u64;

u64 prog(void *mem, u64 len)
{
	const u32 *w = mem;
	u64 n = len / 4;
	u64 s = 0;

	for (u64 i = 0; i < n; i++)
		s += w[i];
	return s;
}
