package cbpf

import "fmt"

// kernelAllowed is the kernel's chk_code_allowed() table: the opcodes a
// socket filter may use.
var kernelAllowed = map[uint16]bool{
	OpAddK: true, OpAddX: true, OpSubK: true, OpSubX: true, OpMulK: true, OpMulX: true,
	OpDivK: true, OpDivX: true, OpModK: true, OpModX: true, OpAndK: true, OpAndX: true,
	OpOrK: true, OpOrX: true, OpXorK: true, OpXorX: true, OpLshK: true, OpLshX: true,
	OpRshK: true, OpRshX: true, OpNeg: true,
	OpLdW: true, OpLdH: true, OpLdB: true, OpLdIndW: true, OpLdIndH: true, OpLdIndB: true,
	OpLdLen: true, OpLdImm: true, OpLdMem: true,
	OpLdxLen: true, OpLdxMsh: true, OpLdxImm: true, OpLdxMem: true,
	OpSt: true, OpStx: true, OpTAX: true, OpTXA: true, OpRetK: true, OpRetA: true,
	OpJA: true, OpJEQK: true, OpJEQX: true, OpJGEK: true, OpJGEX: true,
	OpJGTK: true, OpJGTX: true, OpJSETK: true, OpJSETX: true,
}

// CheckKernel applies the Linux kernel's checks for a classic socket filter
// (bpf_check_basics_ok, bpf_check_classic and check_load_and_stores in
// net/core/filter.c): 1 to MaxInsns instructions; every opcode in
// chk_code_allowed; no constant division or modulo by zero; no constant shift
// by 32 or more; scratch indexes below MemWords; every jump forward and inside
// the program; absolute loads at SKFAdOff and above only for known ancillary
// data; the last instruction a return of K or A; and no scratch word read on
// any path before it is written. The kernel answers every failure with
// EINVAL; the error here names the first offending instruction and the rule.
func CheckKernel(insns []Instruction) error {
	flen := len(insns)
	if flen == 0 || flen > MaxInsns {
		return &Error{PC: -1, Msg: fmt.Sprintf("flen %d not in 1..BPF_MAXINSNS (%d)", flen, MaxInsns)}
	}
	for pc, ins := range insns {
		if !kernelAllowed[ins.Op] {
			return &Error{PC: pc, Msg: fmt.Sprintf("code 0x%02x not allowed (chk_code_allowed)", ins.Op)}
		}
		switch ins.Op {
		case OpDivK, OpModK:
			if ins.K == 0 {
				return &Error{PC: pc, Msg: "division by zero (BPF_ALU|BPF_DIV/BPF_MOD|BPF_K, k == 0)"}
			}
		case OpLshK, OpRshK:
			if ins.K >= 32 {
				return &Error{PC: pc, Msg: fmt.Sprintf("shift by k = %d >= 32", ins.K)}
			}
		case OpLdMem, OpLdxMem, OpSt, OpStx:
			if ins.K >= MemWords {
				return &Error{PC: pc, Msg: fmt.Sprintf("invalid memory address M[%d] (k >= BPF_MEMWORDS)", ins.K)}
			}
		case OpJA:
			if ins.K >= uint32(flen-pc-1) {
				return &Error{PC: pc, Msg: fmt.Sprintf("BPF_JA k = %d out of range", ins.K)}
			}
		case OpLdW, OpLdH, OpLdB:
			if ins.K >= SKFAdOff {
				if _, ok := ins.Ancillary(); !ok || (ins.K-SKFAdOff)%4 != 0 {
					return &Error{PC: pc, Msg: fmt.Sprintf("unknown ancillary operation at k = 0x%x (SKF_AD_OFF%+d)", ins.K, int32(ins.K-SKFAdOff))}
				}
			}
		}
		if ins.IsConditionalJump() && (pc+int(ins.Jt)+1 >= flen || pc+int(ins.Jf)+1 >= flen) {
			return &Error{PC: pc, Msg: fmt.Sprintf("conditional jump out of range (jt %d, jf %d)", ins.Jt, ins.Jf)}
		}
	}
	if last := insns[flen-1].Op; last != OpRetK && last != OpRetA {
		return &Error{PC: flen - 1, Msg: "last instruction is not BPF_RET|BPF_K or BPF_RET|BPF_A"}
	}
	return checkLoadAndStores(insns)
}

// checkLoadAndStores is the kernel's check_load_and_stores(): every M[k]
// read must follow a write to M[k] on every path reaching it.
func checkLoadAndStores(insns []Instruction) error {
	const all = uint16(0xffff)
	masks := make([]uint16, len(insns))
	for i := range masks {
		masks[i] = all
	}
	memvalid := uint16(0)
	for pc, ins := range insns {
		memvalid &= masks[pc]
		switch ins.Op {
		case OpSt, OpStx:
			memvalid |= 1 << ins.K
		case OpLdMem, OpLdxMem:
			if memvalid&(1<<ins.K) == 0 {
				return &Error{PC: pc, Msg: fmt.Sprintf("M[%d] read before it is written (check_load_and_stores)", ins.K)}
			}
		case OpJA:
			masks[pc+1+int(ins.K)] &= memvalid
			memvalid = all
		case OpJEQK, OpJEQX, OpJGEK, OpJGEX, OpJGTK, OpJGTX, OpJSETK, OpJSETX:
			masks[pc+1+int(ins.Jt)] &= memvalid
			masks[pc+1+int(ins.Jf)] &= memvalid
			memvalid = all
		}
	}
	return nil
}
