# The verifier log's forms (kernel/bpf/disasm.c), with labels.
start:
	r0 = 1
	w0 += w1
	r1 = *(u64 *)(r10 -8)
	*(u32 *)(r1 +4) = r2
	*(u64 *)(r10 -16) = 7
	if r1 > 0x5 goto pc+3
	if w1 != 0xffffffff goto pc-2
	lock *(u64 *)(r10 -8) += r1
	r1 = atomic64_fetch_and((u64 *)(r10 -8), r1)
	r1 = atomic_fetch_add((u32 *)(r10 -4), r1)
	r2 = atomic64_xchg((u64 *)(r10 -8), r2)
	r0 = atomic_cmpxchg((u32 *)(r10 -4), r0, r3)
	r0 = 0x1122334455667788
	call 5
	call bpf_map_lookup_elem#1
	call pc+3
	call kernel-function#1234
	callx r2
	r0 = *(u8 *)skb[14]
	r0 = *(u32 *)skb[r1 + 2]
	r1 = map_fd(3)
	r1 = map_value(3, 16)
	r1 = btf_id(9)
	r1 = func(+2)
	r1 = map_idx(0)
	r1 = map_idx_value(1, 4)
	goto start
loop: r0 -= 1 ; count down
	if r0 s> 0 goto loop // again
	gotol start
	call sub
	exit
sub:
	exit
