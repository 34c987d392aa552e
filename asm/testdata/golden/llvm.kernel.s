// llvm-objdump's syntax, as printed by llvm-objdump-19 -d --no-show-raw-insn.
r1 = *(u64 *)(r0 + 0x0)
if r0 == 0x0 goto +0x4 <LBB0_2>
r0 = 0x1234 ll
lock *(u64 *)(r10 - 0x8) += r1
lock *(u32 *)(r10 - 0x8) |= w1
w0 = -w0
r0 = be16 r0
r0 = le32 r0
r0 = bswap64 r0
r0 = (s8)r1
w0 = (s16)w1
r0 = *(s16 *)(r1 + 0x2)
*(u8 *)(r10 - 0x1) = -0x1
*(u16 *)(r1 + 0x7fff) = r2
call 0x1
callx r2
gotol +0x1
goto -0x1 <prog+0x10>
r0 = atomic_fetch_add((u64 *)(r1 + 0x0), r0)
w0 = atomic_fetch_xor((u32 *)(r1 + 0x4), w0)
r0 = cmpxchg_64(r1 + 0x0, r0, r2)
w0 = cmpxchg32_32(r1 + 0x0, w0, w2)
r0 = xchg_64(r1 + 0x0, r0)
w3 = xchg32_32(r1 - 0x8, w3)
r0 s/= r1
w0 s%= -0x7
r0 s>>= 0x3f
if w1 s<= w2 goto +0x0
if r1 & 0x10 goto +0x0
r0 = *(u8 *)skb[0xe]
r0 = *(u16 *)skb[r1]
r1 = -0x1 ll
r0 = -0x80000000
exit
