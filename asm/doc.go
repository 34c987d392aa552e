// Package asm assembles and disassembles eBPF programs in two dialects.
//
// The Kernel syntax is the one llvm-objdump prints for BPF objects and the
// kernel's verifier log prints (the assembler reads both):
//
//	r1 = *(u64 *)(r10 - 0x8)
//	if r1 > 0x5 goto +0x3 <prog+0x40>
//	lock *(u64 *)(r10 - 0x8) += r1
//	r0 = 0x1122334455667788 ll
//	call 0x1
//	exit
//
// The Conformance syntax is the bpf_conformance suite's:
//
//	ldxdw %r1, [%r10-8]
//	jgt %r1, 5, +3
//	lock add [%r10-8], %r1
//	lddw %r0, 0x1122334455667788
//	call 1
//	exit
//
// Both accept labels ("name:") as jump and local call targets, and comments
// after "//", ";" or "#". Disassemble prints jump targets as slot offsets,
// and its output assembles back to the same instructions.
//
// Where llvm-objdump's text does not say everything an instruction holds,
// the kernel syntax has extra forms, which Disassemble uses:
// "call pc+3" (bpf-to-bpf call; llvm-objdump prints "call 0x3", which is a
// helper call), "call kernel-function#5" (kfunc), "skb[r1 + 0x4]" (LD_IND with
// an offset) and "ld_pseudo r1, 0x2, 0x5, 0x8" (lddw with a pseudo source and
// a second immediate). The conformance syntax adds "call local +3",
// "call kfunc 5", "ldabsw 14", "ldindh %r1, 2" and pseudo-source lddw
// operands such as "lddw %r1, map_fd(5)". DisassembleWith with Options.LLVM
// prints calls exactly as llvm-objdump does instead.
//
// llvm-objdump-19 prints some 32-bit atomics only with --mattr=+alu32, and
// then with w registers; the kernel syntax follows what it prints by
// default where that is correct and its +alu32 output elsewhere:
// "lock *(u32 *)(r1 + 0x0) += r2", "lock *(u32 *)(r1 + 0x0) |= w2",
// "w2 = atomic_fetch_add((u32 *)(r1 + 0x0), w2)".
package asm
