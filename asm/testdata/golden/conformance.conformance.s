# bpf_conformance syntax, every form.
	mov %r0, 1
	mov32 %r1, 0xffffffff
	add32 %r1, %r2
	sub %r1, -3
	mul %r1, %r2
	div32 %r1, 7
	sdiv %r1, -7
	smod32 %r1, %r3
	mod %r1, 5
	or %r1, 0x10
	and %r1, %r2
	lsh %r1, 3
	rsh32 %r1, %r2
	arsh %r1, 63
	xor32 %r1, -1
	neg %r1
	neg32 %r2
	movsx832 %r0, %r1
	movsx1632 %r0, %r1
	movsx864 %r0, %r1
	movsx1664 %r0, %r1
	movsx3264 %r0, %r1
	be16 %r0
	be32 %r0
	be64 %r0
	le16 %r0
	le32 %r0
	le64 %r0
	bswap16 %r0
	swap32 %r0
	bswap64 %r0
	ldxdw %r1, [%r2+8]
	ldxw %r1, [%r2-4]
	ldxh %r1, [%r2]
	ldxb %r1, [%r2+1]
	ldxsb %r1, [%r2+1]
	ldxsh %r1, [%r2+2]
	ldxsw %r1, [%r2+4]
	stxdw [%r1-8], %r2
	stxw [%r1-4], %r2
	stxh [%r1+2], %r2
	stxb [%r1], %r2
	stb [%r1], 5
	sth [%r1+2], -1
	stw [%r1+4], 0x12345678
	stdw [%r1+8], -2
	lddw %r0, 0x1122334455667788
	lddw %r1, map_fd(3)
	lddw %r1, map_value(3, 16)
	lock add [%r10-8], %r1
	lock add32 [%r10-4], %r1
	lock or [%r10-8], %r1
	lock and32 [%r10-4], %r1
	lock xor [%r10-8], %r1
	lock fetch add32 [%r10-8], %r1
	lock fetch or [%r10-8], %r1
	lock fetch and [%r10-8], %r1
	lock fetch xor32 [%r10-4], %r1
	lock xchg [%r10-8], %r1
	lock xchg32 [%r10-4], %r1
	lock cmpxchg [%r10-8], %r1
	lock cmpxchg32 [%r10-4], %r1
	ldabsb 14
	ldabsh 12
	ldabsw 0
	ldindb %r1, 0
	ldindw %r1, -4
L1:
	ja +2
	ja32 L2
	ja L1
	jeq %r1, 5, L1
	jne32 %r1, %r2, +1
	jgt %r1, 5, -1
	jge %r1, %r2, +0
	jlt32 %r1, 5, +0
	jle %r1, %r2, +0
	jsgt32 %r1, -5, +0
	jsge %r1, %r2, +0
	jslt %r1, 5, +0
	jsle32 %r1, %r2, +0
	jset %r1, 0x80, +0
L2:
	call 5
	call local f
	call local +1
	call kfunc 42
	call %r2
	callx %r3
	exit
f:	exit
