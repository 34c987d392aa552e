package isa

import (
	"fmt"
	"strconv"
)

// aluOperators are the kernel's assignment operators, indexed by ALU
// operation code >> 4 (kernel/bpf/disasm.c's table of ALU strings).
var aluOperators = [16]string{
	"+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=",
	"neg", "%=", "^=", "=", "s>>=", "endian", "", "",
}

// jumpOperators are the kernel's comparison operators, indexed by jump
// operation code >> 4.
var jumpOperators = [16]string{
	"", "==", ">", ">=", "&", "!=", "s>", "s>=",
	"", "", "<", "<=", "s<", "s<=", "", "",
}

// atomicNames are the kernel's names of atomic ALU operations, indexed by
// the operation (immediate without the fetch flag) >> 4.
var atomicNames = [16]string{0x0: "add", 0x4: "or", 0x5: "and", 0xa: "xor"}

// sizeNames are the kernel's access type names, indexed by size code >> 3.
var sizeNames = [4]string{"u32", "u16", "u8", "u64"}

// signedSizeNames are the sign-extending access type names.
var signedSizeNames = [4]string{"s32", "s16", "s8", "s64"}

// String returns ins in the Linux verifier-log syntax (kernel/bpf/disasm.c,
// without the "(b7)" opcode prefix): "r0 = 1", "w0 += w1",
// "r1 = *(u64 *)(r10 -8)", "if r1 > 0x5 goto pc+3",
// "lock *(u64 *)(r10 -8) += r1", "r0 = 0x1122334455667788", "call 5",
// "call pc+3", "callx r2", "exit", "r0 = *(u8 *)skb[14]".
//
// Helper calls print their id ("call 5"): names belong to the helpers
// package. Where the kernel would consult its own tables, String prints what
// the instruction itself says: a kfunc call is "call kernel-function#ID", an
// lddw with a pseudo source prints as "r1 = map_fd(5)",
// "r1 = map_value(5, 8)", "r1 = btf_id(5)", "r1 = func(+3)", "r1 = map_idx(5)"
// or "r1 = map_idx_value(5, 8)". An instruction Decode would reject prints as
// "invalid(OPCODE)" followed by its fields.
func (ins Instruction) String() string {
	if ins.Dst > R10 || ins.Src > R10 || check(ins) != "" {
		return fmt.Sprintf("invalid(%#02x) dst=%d src=%d off=%d imm=%d", ins.OpCode, ins.Dst, ins.Src, ins.Offset, ins.Constant)
	}
	op := ins.OpCode
	switch ins.Class() {
	case ClassALU, ClassALU64:
		return formatALU(ins)
	case ClassJMP, ClassJMP32:
		return formatJump(ins)
	case ClassLDX:
		names := sizeNames
		if op&0xe0 == ModeMEMSX {
			names = signedSizeNames
		}
		return fmt.Sprintf("r%d = *(%s *)(r%d %+d)", ins.Dst, names[op&0x18>>3], ins.Src, ins.Offset)
	case ClassST:
		return fmt.Sprintf("*(%s *)(r%d %+d) = %d", sizeNames[op&0x18>>3], ins.Dst, ins.Offset, ins.Imm32())
	case ClassSTX:
		size := sizeNames[op&0x18>>3]
		if op&0xe0 == ModeMEM {
			return fmt.Sprintf("*(%s *)(r%d %+d) = r%d", size, ins.Dst, ins.Offset, ins.Src)
		}
		width := ""
		if op&0x18 == SizeDW {
			width = "64"
		}
		switch ins.Constant {
		case AtomicXchg:
			return fmt.Sprintf("r%d = atomic%s_xchg((%s *)(r%d %+d), r%d)", ins.Src, width, size, ins.Dst, ins.Offset, ins.Src)
		case AtomicCmpXchg:
			return fmt.Sprintf("r0 = atomic%s_cmpxchg((%s *)(r%d %+d), r0, r%d)", width, size, ins.Dst, ins.Offset, ins.Src)
		}
		name := atomicNames[ins.Constant>>4&0xf]
		if ins.Constant&AtomicFetch != 0 {
			return fmt.Sprintf("r%d = atomic%s_fetch_%s((%s *)(r%d %+d), r%d)", ins.Src, width, name, size, ins.Dst, ins.Offset, ins.Src)
		}
		return fmt.Sprintf("lock *(%s *)(r%d %+d) %s r%d", size, ins.Dst, ins.Offset, aluOperators[ins.Constant>>4&0xf], ins.Src)
	}
	// ClassLD: lddw, LD_ABS, LD_IND.
	if op == OpLDDW {
		return fmt.Sprintf("r%d = %s", ins.Dst, PseudoLoadOperand(ins))
	}
	size := sizeNames[op&0x18>>3]
	if op&0xe0 == ModeABS {
		return fmt.Sprintf("r0 = *(%s *)skb[%d]", size, ins.Imm32())
	}
	return fmt.Sprintf("r0 = *(%s *)skb[r%d + %d]", size, ins.Src, ins.Imm32())
}

// PseudoLoadOperand returns the right-hand side of an lddw as String prints
// it: "0x1122334455667788" for a plain immediate, or the pseudo-source form
// ("map_fd(5)", "map_value(5, 8)", "btf_id(5)", "func(+3)", "map_idx(5)",
// "map_idx_value(5, 8)"). The second number of the value forms is the
// immediate of the second slot, printed unsigned.
func PseudoLoadOperand(ins Instruction) string {
	lo := uint32(ins.Constant)
	hi := uint32(uint64(ins.Constant) >> 32)
	switch ins.Src {
	case PseudoMapFD:
		if hi == 0 {
			return fmt.Sprintf("map_fd(%d)", int32(lo))
		}
	case PseudoMapValue:
		return fmt.Sprintf("map_value(%d, %d)", int32(lo), hi)
	case PseudoBTFID:
		if hi == 0 {
			return fmt.Sprintf("btf_id(%d)", int32(lo))
		}
	case PseudoFunc:
		if hi == 0 {
			return fmt.Sprintf("func(%+d)", int32(lo))
		}
	case PseudoMapIdx:
		if hi == 0 {
			return fmt.Sprintf("map_idx(%d)", int32(lo))
		}
	case PseudoMapIdxValue:
		return fmt.Sprintf("map_idx_value(%d, %d)", int32(lo), hi)
	case PseudoImm:
		return "0x" + strconv.FormatUint(uint64(ins.Constant), 16)
	}
	// A pseudo source whose second slot is not zero although the kernel
	// gives it no meaning: show every field.
	return fmt.Sprintf("pseudo(%d, %d, %d)", ins.Src, int32(lo), hi)
}

func formatALU(ins Instruction) string {
	op := ins.OpCode
	code := op & 0xf0
	reg := 'r'
	if ins.Class() == ClassALU {
		reg = 'w'
	}
	switch code {
	case ALUNeg:
		return fmt.Sprintf("%c%d = -%c%d", reg, ins.Dst, reg, ins.Dst)
	case ALUEnd:
		kind := "le"
		if ins.Class() == ClassALU64 {
			kind = "bswap"
		} else if op&SrcX == EndToBE {
			kind = "be"
		}
		return fmt.Sprintf("r%d = %s%d r%d", ins.Dst, kind, ins.Constant, ins.Dst)
	}
	operator := aluOperators[code>>4]
	if ins.Offset == 1 && (code == ALUDiv || code == ALUMod) {
		operator = "s" + operator
	}
	if op&SrcX == SrcK {
		return fmt.Sprintf("%c%d %s %d", reg, ins.Dst, operator, ins.Imm32())
	}
	if code == ALUMov && ins.Offset != 0 {
		return fmt.Sprintf("%c%d = (s%d)%c%d", reg, ins.Dst, ins.Offset, reg, ins.Src)
	}
	return fmt.Sprintf("%c%d %s %c%d", reg, ins.Dst, operator, reg, ins.Src)
}

func formatJump(ins Instruction) string {
	op := ins.OpCode
	switch {
	case op == OpExit:
		return "exit"
	case op == OpCallX:
		return fmt.Sprintf("callx r%d", ins.Dst)
	case op == OpCall:
		switch ins.Src {
		case PseudoCallLocal:
			return fmt.Sprintf("call pc%+d", ins.Imm32())
		case PseudoCallKfunc:
			return fmt.Sprintf("call kernel-function#%d", ins.Imm32())
		}
		return fmt.Sprintf("call %d", ins.Imm32())
	case op == OpJA:
		return fmt.Sprintf("goto pc%+d", ins.Offset)
	case op == OpJA32:
		return fmt.Sprintf("gotol pc%+d", ins.Imm32())
	}
	reg := 'r'
	if ins.Class() == ClassJMP32 {
		reg = 'w'
	}
	operator := jumpOperators[op>>4]
	if op&SrcX == SrcX {
		return fmt.Sprintf("if %c%d %s %c%d goto pc%+d", reg, ins.Dst, operator, reg, ins.Src, ins.Offset)
	}
	return fmt.Sprintf("if %c%d %s %#x goto pc%+d", reg, ins.Dst, operator, uint32(ins.Imm32()), ins.Offset)
}
