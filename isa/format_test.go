package isa

import "testing"

func TestString(t *testing.T) {
	tests := []struct {
		ins  Instruction
		want string
	}{
		{Instruction{OpCode: OpMov64, Dst: R0, Constant: 1}, "r0 = 1"},
		{Instruction{OpCode: OpMov64, Dst: R3, Constant: -7}, "r3 = -7"},
		{Instruction{OpCode: uint8(ClassALU) | ALUAdd | SrcX, Dst: R0, Src: R1}, "w0 += w1"},
		{Instruction{OpCode: uint8(ClassALU64) | ALUArsh | SrcK, Dst: R2, Constant: 3}, "r2 s>>= 3"},
		{Instruction{OpCode: uint8(ClassALU64) | ALUDiv | SrcX, Dst: R2, Src: R3, Offset: 1}, "r2 s/= r3"},
		{Instruction{OpCode: uint8(ClassALU) | ALUMod | SrcK, Dst: R2, Offset: 1, Constant: 5}, "w2 s%= 5"},
		{Instruction{OpCode: uint8(ClassALU64) | ALUNeg, Dst: R4}, "r4 = -r4"},
		{Instruction{OpCode: uint8(ClassALU) | ALUNeg, Dst: R4}, "w4 = -w4"},
		{Instruction{OpCode: uint8(ClassALU) | ALUEnd | EndToBE, Dst: R1, Constant: 16}, "r1 = be16 r1"},
		{Instruction{OpCode: uint8(ClassALU) | ALUEnd | EndToLE, Dst: R1, Constant: 32}, "r1 = le32 r1"},
		{Instruction{OpCode: uint8(ClassALU64) | ALUEnd, Dst: R1, Constant: 64}, "r1 = bswap64 r1"},
		{Instruction{OpCode: OpMovX, Dst: R0, Src: R1, Offset: 8}, "r0 = (s8)r1"},
		{Instruction{OpCode: uint8(ClassALU) | ALUMov | SrcX, Dst: R0, Src: R1, Offset: 16}, "w0 = (s16)w1"},
		{Instruction{OpCode: OpLdxDW, Dst: R1, Src: R10, Offset: -8}, "r1 = *(u64 *)(r10 -8)"},
		{Instruction{OpCode: uint8(ClassLDX) | ModeMEMSX | SizeH, Dst: R1, Src: R2, Offset: 2}, "r1 = *(s16 *)(r2 +2)"},
		{Instruction{OpCode: OpStxW, Dst: R1, Src: R2, Offset: 4}, "*(u32 *)(r1 +4) = r2"},
		{Instruction{OpCode: uint8(ClassST) | ModeMEM | SizeB, Dst: R1, Offset: 0, Constant: 5}, "*(u8 *)(r1 +0) = 5"},
		{Instruction{OpCode: uint8(ClassJMP) | JmpJGT | SrcK, Dst: R1, Offset: 3, Constant: 5}, "if r1 > 0x5 goto pc+3"},
		{Instruction{OpCode: uint8(ClassJMP) | JmpJNE | SrcK, Dst: R1, Offset: -2, Constant: -1}, "if r1 != 0xffffffff goto pc-2"},
		{Instruction{OpCode: uint8(ClassJMP32) | JmpJSLT | SrcX, Dst: R1, Src: R2, Offset: 0}, "if w1 s< w2 goto pc+0"},
		{Instruction{OpCode: uint8(ClassJMP) | JmpJSET | SrcX, Dst: R1, Src: R2, Offset: 1}, "if r1 & r2 goto pc+1"},
		{Instruction{OpCode: opAtomD, Dst: R10, Src: R1, Offset: -8, Constant: AtomicAdd}, "lock *(u64 *)(r10 -8) += r1"},
		{Instruction{OpCode: opAtomW, Dst: R10, Src: R1, Offset: -8, Constant: AtomicXor}, "lock *(u32 *)(r10 -8) ^= r1"},
		{Instruction{OpCode: opAtomD, Dst: R10, Src: R1, Offset: -8, Constant: AtomicOr | AtomicFetch}, "r1 = atomic64_fetch_or((u64 *)(r10 -8), r1)"},
		{Instruction{OpCode: opAtomW, Dst: R10, Src: R1, Offset: -8, Constant: AtomicAnd | AtomicFetch}, "r1 = atomic_fetch_and((u32 *)(r10 -8), r1)"},
		{Instruction{OpCode: opAtomD, Dst: R10, Src: R1, Offset: -8, Constant: AtomicXchg}, "r1 = atomic64_xchg((u64 *)(r10 -8), r1)"},
		{Instruction{OpCode: opAtomW, Dst: R2, Src: R1, Constant: AtomicCmpXchg}, "r0 = atomic_cmpxchg((u32 *)(r2 +0), r0, r1)"},
		{Instruction{OpCode: OpLDDW, Dst: R0, Constant: 0x1122334455667788}, "r0 = 0x1122334455667788"},
		{Instruction{OpCode: OpLDDW, Dst: R0, Constant: -1}, "r0 = 0xffffffffffffffff"},
		{Instruction{OpCode: OpLDDW, Dst: R1, Src: PseudoMapFD, Constant: 5}, "r1 = map_fd(5)"},
		{Instruction{OpCode: OpLDDW, Dst: R1, Src: PseudoMapValue, Constant: 8<<32 | 5}, "r1 = map_value(5, 8)"},
		{Instruction{OpCode: OpLDDW, Dst: R1, Src: PseudoFunc, Constant: 3}, "r1 = func(+3)"},
		{Instruction{OpCode: OpLDDW, Dst: R1, Src: PseudoBTFID, Constant: 1 << 32}, "r1 = pseudo(3, 0, 1)"},
		{Instruction{OpCode: OpCall, Constant: 5}, "call 5"},
		{Instruction{OpCode: OpCall, Src: PseudoCallLocal, Constant: 3}, "call pc+3"},
		{Instruction{OpCode: OpCall, Src: PseudoCallLocal, Constant: -4}, "call pc-4"},
		{Instruction{OpCode: OpCall, Src: PseudoCallKfunc, Constant: 1234}, "call kernel-function#1234"},
		{Instruction{OpCode: OpCallX, Dst: R2}, "callx r2"},
		{Instruction{OpCode: OpExit}, "exit"},
		{Instruction{OpCode: OpJA, Offset: -1}, "goto pc-1"},
		{Instruction{OpCode: OpJA32, Constant: 70000}, "gotol pc+70000"},
		{Instruction{OpCode: opLDABS | SizeB, Constant: 14}, "r0 = *(u8 *)skb[14]"},
		{Instruction{OpCode: opLDIND | SizeH, Src: R1, Constant: 2}, "r0 = *(u16 *)skb[r1 + 2]"},
		{Instruction{OpCode: 0xff, Dst: 1, Src: 2, Offset: 3, Constant: 4}, "invalid(0xff) dst=1 src=2 off=3 imm=4"},
	}
	for _, tt := range tests {
		if got := tt.ins.String(); got != tt.want {
			t.Errorf("%#02x: got %q, want %q", tt.ins.OpCode, got, tt.want)
		}
	}
}
