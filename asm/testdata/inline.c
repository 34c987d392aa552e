// Instructions reached only through inline assembly: atomics, gotol,
// callx, legacy packet loads, byte order, negation, 64-bit immediates.
#include "common.h"

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

SEC("socket") int legacy(void *skb)
{
	u64 off = load_byte(skb, 14) & 0xf;
	return load_half(skb, 12) + load_word(skb, off * 4) + load_byte(skb, off + 23);
}

SEC("socket") int atomics(void *ctx)
{
	asm volatile(
		"r1 = 1\n"
		"*(u64 *)(r10 - 8) = r1\n"
		"*(u32 *)(r10 - 16) = r1\n"
		"lock *(u64 *)(r10 - 8) += r1\n"
		"lock *(u64 *)(r10 - 8) |= r1\n"
		"lock *(u64 *)(r10 - 8) &= r1\n"
		"lock *(u64 *)(r10 - 8) ^= r1\n"
		"lock *(u32 *)(r10 - 16) += w1\n"
		"lock *(u32 *)(r10 - 16) |= w1\n"
		"lock *(u32 *)(r10 - 16) &= w1\n"
		"lock *(u32 *)(r10 - 16) ^= w1\n"
		"r1 = atomic_fetch_add((u64 *)(r10 - 8), r1)\n"
		"r1 = atomic_fetch_or((u64 *)(r10 - 8), r1)\n"
		"r1 = atomic_fetch_and((u64 *)(r10 - 8), r1)\n"
		"r1 = atomic_fetch_xor((u64 *)(r10 - 8), r1)\n"
		"w1 = atomic_fetch_add((u32 *)(r10 - 16), w1)\n"
		"w1 = atomic_fetch_or((u32 *)(r10 - 16), w1)\n"
		"w1 = atomic_fetch_and((u32 *)(r10 - 16), w1)\n"
		"w1 = atomic_fetch_xor((u32 *)(r10 - 16), w1)\n"
		"r1 = xchg_64(r10 - 8, r1)\n"
		"w1 = xchg32_32(r10 - 16, w1)\n"
		"r0 = cmpxchg_64(r10 - 8, r0, r1)\n"
		"w0 = cmpxchg32_32(r10 - 16, w0, w1)\n"
		::: "r0", "r1", "memory");
	return 0;
}

SEC("socket") int jumps(void *ctx)
{
	asm volatile(
		"r0 = 0\n"
		"if r0 == 0 goto +1\n"
		"gotol +2\n"
		"goto +1\n"
		"r0 = 1\n"
		"if w0 s> -3 goto -1\n"
		"if w0 != w1 goto +0\n"
		"if r0 s>= r1 goto +0\n"
		"if r0 & 0x7fffffff goto +0\n"
		"if w0 & w1 goto +0\n"
		"if r0 <= 4 goto +0\n"
		"if r0 < r1 goto +0\n"
		"if r0 s<= -1 goto +0\n"
		"if r0 s< r1 goto +0\n"
		"if w0 >= 0xffff goto +0\n"
		"if w0 > w1 goto +0\n"
		"r2 = 0 ll\n"
		"callx r2\n"
		::: "r0", "r1", "r2", "r3", "r4", "r5", "memory");
	return 0;
}

SEC("socket") int misc(void *ctx)
{
	asm volatile(
		"r0 = 0x1122334455667788 ll\n"
		"r1 = -1 ll\n"
		"r0 = be16 r0\n"
		"r0 = be32 r0\n"
		"r0 = be64 r0\n"
		"r0 = le16 r0\n"
		"r0 = le32 r0\n"
		"r0 = le64 r0\n"
		"r0 = bswap16 r0\n"
		"r0 = bswap32 r0\n"
		"r0 = bswap64 r0\n"
		"r0 = -r0\n"
		"w0 = -w0\n"
		"r0 s/= 3\n"
		"w0 s/= w1\n"
		"r0 s%%= r1\n"
		"w0 s%%= -7\n"
		"r0 = (s8)r1\n"
		"r0 = (s16)r1\n"
		"r0 = (s32)r1\n"
		"w0 = (s8)w1\n"
		"w0 = (s16)w1\n"
		"r0 = *(s8 *)(r1 + 1)\n"
		"r0 = *(s16 *)(r1 - 2)\n"
		"r0 = *(s32 *)(r1 + 0x7fff)\n"
		"*(u8 *)(r10 - 1) = 0x7f\n"
		"*(u16 *)(r10 - 4) = -2\n"
		"*(u32 *)(r10 - 8) = 0x12345678\n"
		"*(u64 *)(r10 - 16) = -0x80000000\n"
		"*(u8 *)(r10 - 17) = r0\n"
		"*(u16 *)(r10 - 20) = r0\n"
		"r0 s>>= 63\n"
		"w0 s>>= w1\n"
		"r0 <<= r1\n"
		"w0 >>= 31\n"
		"w0 = 0x7fffffff\n"
		"r0 = -0x80000000\n"
		"r0 *= r1\n"
		"w0 -= w1\n"
		"r0 %%= 10\n"
		"w0 /= 10\n"
		"r0 = *(u8 *)skb[14]\n"
		"r0 = *(u16 *)skb[r1]\n"
		"r0 = *(u32 *)skb[-1]\n"
		"call 6\n"
		::: "r0", "r1", "r2", "r3", "r4", "r5", "memory");
	return 0;
}
