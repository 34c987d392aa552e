// memcpy: copy the first half of the memory onto the second half one byte at
// a time; return the number of bytes copied.

typedef unsigned char u8;
typedef unsigned long long u64;

u64 prog(void *mem, u64 len)
{
	u8 *src = mem;
	u64 n = len / 2;
	u8 *dst = src + n;

	for (u64 i = 0; i < n; i++)
		dst[i] = src[i];
	return n;
}
