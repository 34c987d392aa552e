// Arithmetic the compiler emits for -mcpu=v4: signed division and modulo,
// sign-extending moves and loads, byte swaps, 32-bit subregisters, loops.
#include "common.h"

struct pkt { s8 a; s16 b; s32 c; s64 d; u8 e; u16 f; u32 g; u64 h; };

SEC("socket") int arith(struct pkt *p)
{
	s64 x = p->d / p->c;       /* sdiv */
	s32 y = p->c % p->b;       /* smod32 */
	s64 z = (s64)p->a + p->b;  /* ldsx */
	u64 sw = __builtin_bswap64(p->h) ^ __builtin_bswap32(p->g) ^ __builtin_bswap16(p->f);
	s32 narrow = (s8)p->g;     /* movsx */
	s64 wide = (s16)p->h;
	u32 u = p->g / p->e;
	u32 m = p->g % (p->f | 1);
	u64 acc = 0;
	for (int i = 0; i < 16; i++)
		acc = (acc << 3) ^ (acc >> 7) ^ (u64)i * 0x9e3779b97f4a7c15ULL;
	if ((s64)acc < -5)
		acc = -acc;
	return (int)(x + y + z + sw + narrow + wide + u + m + acc + (p->h >> 63) + ((s64)p->d >> 3));
}

SEC("socket") int branches(struct pkt *p)
{
	int r = 0;
	switch (p->e) {
	case 0: r = p->c < 0 ? 1 : 2; break;
	case 1: r = p->g > 1000000 ? 3 : 4; break;
	case 2: r = (s32)p->g <= -7 ? 5 : 6; break;
	case 3: r = p->h & 0x10 ? 7 : 8; break;
	case 4: r = p->d >= 9 ? 9 : 10; break;
	default: r = (u32)p->c != 77 ? 11 : 12; break;
	}
	return r;
}
