// Package isa is the eBPF instruction set of RFC 9669 as Go values: opcodes,
// one Instruction type in which a 16-byte lddw is a single value, and exact
// decoding from and encoding to raw little-endian bytecode.
//
// Jump and call offsets in an Instruction are raw, as encoded: they count
// 8-byte slots, in which an lddw occupies two. Slots and Index convert
// between slot positions and slice indexes.
package isa

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Register is one of the eleven eBPF registers, R0 to R10.
type Register uint8

// The registers. R10 is the read-only frame pointer.
const (
	R0 Register = iota
	R1
	R2
	R3
	R4
	R5
	R6
	R7
	R8
	R9
	R10
)

// RFP is the frame pointer, R10.
const RFP = R10

// String returns "r0" to "r10".
func (r Register) String() string { return fmt.Sprintf("r%d", uint8(r)) }

// InstructionSize is the size in bytes of one instruction slot.
const InstructionSize = 8

// Instruction is one eBPF instruction. An lddw is a single Instruction whose
// Constant holds the whole 64-bit immediate; for the lddw forms whose second
// slot carries an offset (map value, map index value) the high 32 bits of
// Constant are that second immediate, exactly as encoded.
type Instruction struct {
	OpCode   uint8    // the whole opcode byte
	Dst      Register // destination register (low nibble of byte 1)
	Src      Register // source register (high nibble of byte 1)
	Offset   int16    // signed offset: memory displacement or jump distance in slots
	Constant int64    // immediate, sign-extended from 32 bits; full 64 bits for lddw
}

// Class returns the instruction class.
func (ins Instruction) Class() Class { return Class(ins.OpCode & 0x07) }

// IsLoadImm64 reports whether ins is the 16-byte lddw.
func (ins Instruction) IsLoadImm64() bool { return ins.OpCode == OpLDDW }

// Slots returns how many 8-byte slots ins occupies: 2 for lddw, otherwise 1.
func (ins Instruction) Slots() int {
	if ins.IsLoadImm64() {
		return 2
	}
	return 1
}

// Imm32 returns the low 32 bits of the immediate as a signed value.
func (ins Instruction) Imm32() int32 { return int32(ins.Constant) }

// IsJump reports whether ins is a jump (conditional or not) whose target is
// given by Offset, or by Constant for gotol. Calls and exit are not jumps.
func (ins Instruction) IsJump() bool {
	c := ins.Class()
	if c != ClassJMP && c != ClassJMP32 {
		return false
	}
	op := ins.OpCode & 0xf0
	return op != JmpCall && op != JmpExit
}

// JumpOffset returns the jump distance in slots, relative to the slot after
// the instruction: Offset, or the 32-bit immediate for gotol (JMP32|JA).
func (ins Instruction) JumpOffset() int64 {
	if ins.OpCode == OpJA32 {
		return int64(ins.Imm32())
	}
	return int64(ins.Offset)
}

// IsLocalCall reports whether ins is a bpf-to-bpf call whose Constant is a
// relative slot offset to the callee.
func (ins Instruction) IsLocalCall() bool { return ins.OpCode == OpCall && ins.Src == PseudoCallLocal }

// IsHelperCall reports whether ins calls a helper by id.
func (ins Instruction) IsHelperCall() bool {
	return ins.OpCode == OpCall && ins.Src == PseudoCallHelper
}

// IsKfuncCall reports whether ins calls a kernel function by BTF id.
func (ins Instruction) IsKfuncCall() bool { return ins.OpCode == OpCall && ins.Src == PseudoCallKfunc }

// ErrInvalid is wrapped by every decoding and validation error.
var ErrInvalid = errors.New("invalid instruction")

// Error is a decoding or validation error at an instruction.
type Error struct {
	Index  int    // slice index of the offending instruction
	Slot   int    // raw slot position of the offending instruction
	OpCode uint8  // its opcode byte
	Reason string // what is wrong
}

func (e *Error) Error() string {
	return fmt.Sprintf("insn %d (slot %d, opcode %#02x): %s", e.Index, e.Slot, e.OpCode, e.Reason)
}

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *Error) Unwrap() error { return ErrInvalid }

// Decode decodes raw little-endian bytecode into instructions. It rejects
// input whose length is not a multiple of 8, an lddw cut in half, unknown
// opcodes, reserved fields that are set and registers above r10, naming the
// instruction. Encode(Decode(b)) == b for every b Decode accepts.
func Decode(code []byte) ([]Instruction, error) {
	if len(code)%InstructionSize != 0 {
		return nil, &Error{Index: len(code) / InstructionSize, Slot: len(code) / InstructionSize,
			Reason: fmt.Sprintf("program length %d is not a multiple of %d", len(code), InstructionSize)}
	}
	n := len(code) / InstructionSize
	insns := make([]Instruction, 0, n)
	for slot := 0; slot < n; slot++ {
		raw := code[slot*InstructionSize:]
		ins := decodeSlot(raw)
		if raw[1]&0x0f > 10 || raw[1]>>4 > 10 {
			return nil, &Error{Index: len(insns), Slot: slot, OpCode: ins.OpCode,
				Reason: fmt.Sprintf("register out of range (dst r%d, src r%d)", raw[1]&0x0f, raw[1]>>4)}
		}
		if ins.OpCode == OpLDDW {
			if slot+1 >= n {
				return nil, &Error{Index: len(insns), Slot: slot, OpCode: ins.OpCode, Reason: "lddw is missing its second slot"}
			}
			next := code[(slot+1)*InstructionSize:]
			if next[0] != 0 || next[1] != 0 || next[2] != 0 || next[3] != 0 {
				return nil, &Error{Index: len(insns), Slot: slot, OpCode: ins.OpCode, Reason: "lddw second slot uses reserved fields"}
			}
			ins.Constant = int64(uint64(uint32(ins.Constant)) | uint64(binary.LittleEndian.Uint32(next[4:]))<<32)
			slot++
		}
		if reason := check(ins); reason != "" {
			return nil, &Error{Index: len(insns), Slot: slot - (ins.Slots() - 1), OpCode: ins.OpCode, Reason: reason}
		}
		insns = append(insns, ins)
	}
	return insns, nil
}

func decodeSlot(raw []byte) Instruction {
	return Instruction{
		OpCode:   raw[0],
		Dst:      Register(raw[1] & 0x0f),
		Src:      Register(raw[1] >> 4),
		Offset:   int16(binary.LittleEndian.Uint16(raw[2:])),
		Constant: int64(int32(binary.LittleEndian.Uint32(raw[4:]))),
	}
}

// Validate checks one instruction as Decode does (opcode known, reserved
// fields zero, registers in range). It returns a description of the
// problem, or nil.
func (ins Instruction) Validate() error {
	if ins.Dst > R10 || ins.Src > R10 {
		return fmt.Errorf("%w: register out of range (dst r%d, src r%d)", ErrInvalid, ins.Dst, ins.Src)
	}
	if reason := check(ins); reason != "" {
		return fmt.Errorf("%w: %s", ErrInvalid, reason)
	}
	if !ins.IsLoadImm64() && int64(ins.Imm32()) != ins.Constant {
		return fmt.Errorf("%w: immediate %#x does not fit in 32 bits", ErrInvalid, ins.Constant)
	}
	return nil
}

// check returns why ins is not a valid instruction, or "".
func check(ins Instruction) string {
	op := ins.OpCode
	switch ins.Class() {
	case ClassALU, ClassALU64:
		return checkALU(ins)
	case ClassJMP, ClassJMP32:
		return checkJump(ins)
	case ClassLD:
		switch {
		case op == OpLDDW:
			if ins.Src > maxPseudoLoad {
				return fmt.Sprintf("lddw with unknown source %d", ins.Src)
			}
			if ins.Offset != 0 {
				return "lddw uses reserved fields"
			}
			return ""
		case op&0xe0 == ModeABS || op&0xe0 == ModeIND:
			if op&0x18 == SizeDW {
				return "unknown opcode (LD_ABS/LD_IND of size dw)"
			}
			if ins.Dst != R0 || ins.Offset != 0 || (op&0xe0 == ModeABS && ins.Src != R0) {
				return "BPF_LD_[ABS|IND] uses reserved fields"
			}
			return ""
		}
		return "unknown opcode"
	case ClassLDX:
		mode := op & 0xe0
		if mode != ModeMEM && !(mode == ModeMEMSX && op&0x18 != SizeDW) {
			return "unknown opcode"
		}
		if ins.Constant != 0 {
			return "BPF_LDX uses reserved fields"
		}
		return ""
	case ClassST:
		if op&0xe0 != ModeMEM {
			return "unknown opcode"
		}
		if ins.Src != R0 {
			return "BPF_ST uses reserved fields"
		}
		return ""
	case ClassSTX:
		switch op & 0xe0 {
		case ModeMEM:
			if ins.Constant != 0 {
				return "BPF_STX uses reserved fields"
			}
			return ""
		case ModeATOMIC:
			if op&0x18 != SizeW && op&0x18 != SizeDW {
				return "invalid atomic operand size"
			}
			switch ins.Constant {
			case AtomicAdd, AtomicOr, AtomicAnd, AtomicXor,
				AtomicAdd | AtomicFetch, AtomicOr | AtomicFetch, AtomicAnd | AtomicFetch, AtomicXor | AtomicFetch,
				AtomicXchg, AtomicCmpXchg:
				return ""
			}
			return fmt.Sprintf("invalid atomic operation %#x", ins.Constant)
		}
		return "unknown opcode"
	}
	return "unknown opcode"
}

func checkALU(ins Instruction) string {
	op := ins.OpCode
	code := op & 0xf0
	x := op&SrcX != 0
	alu64 := ins.Class() == ClassALU64
	switch code {
	case ALUEnd:
		if alu64 && x {
			return "unknown opcode"
		}
		if ins.Src != R0 || ins.Offset != 0 || (ins.Constant != 16 && ins.Constant != 32 && ins.Constant != 64) {
			return "BPF_END uses reserved fields"
		}
		return ""
	case ALUNeg:
		if x || ins.Src != R0 || ins.Offset != 0 || ins.Constant != 0 {
			return "BPF_NEG uses reserved fields"
		}
		return ""
	case ALUAdd, ALUSub, ALUMul, ALUDiv, ALUOr, ALUAnd, ALULsh, ALURsh, ALUMod, ALUXor, ALUMov, ALUArsh:
	default:
		return "unknown opcode"
	}
	okOff := ins.Offset == 0
	switch code {
	case ALUDiv, ALUMod:
		okOff = ins.Offset == 0 || ins.Offset == 1
	case ALUMov:
		okOff = ins.Offset == 0 || (x && (ins.Offset == 8 || ins.Offset == 16 || (alu64 && ins.Offset == 32)))
	}
	if !okOff {
		return "BPF_ALU uses reserved fields"
	}
	if x {
		if ins.Constant != 0 {
			return "BPF_ALU uses reserved fields"
		}
	} else if ins.Src != R0 {
		return "BPF_ALU uses reserved fields"
	}
	return ""
}

func checkJump(ins Instruction) string {
	op := ins.OpCode
	code := op & 0xf0
	x := op&SrcX != 0
	jmp32 := ins.Class() == ClassJMP32
	switch code {
	case JmpJA:
		if x || ins.Src != R0 || ins.Dst != R0 {
			return "BPF_JA uses reserved fields"
		}
		if jmp32 && ins.Offset != 0 || !jmp32 && ins.Constant != 0 {
			return "BPF_JA uses reserved fields"
		}
		return ""
	case JmpCall:
		if jmp32 {
			return "unknown opcode"
		}
		if x {
			if ins.Src != R0 || ins.Offset != 0 || ins.Constant != 0 {
				return "BPF_CALLX uses reserved fields"
			}
			return ""
		}
		if ins.Dst != R0 || ins.Offset != 0 || ins.Src > maxPseudoCallSource {
			return "BPF_CALL uses reserved fields"
		}
		return ""
	case JmpExit:
		if jmp32 || x || ins.Src != R0 || ins.Dst != R0 || ins.Offset != 0 || ins.Constant != 0 {
			return "BPF_EXIT uses reserved fields"
		}
		return ""
	case JmpJEQ, JmpJGT, JmpJGE, JmpJSET, JmpJNE, JmpJSGT, JmpJSGE, JmpJLT, JmpJLE, JmpJSLT, JmpJSLE:
		if x && ins.Constant != 0 || !x && ins.Src != R0 {
			return "BPF_JMP/JMP32 uses reserved fields"
		}
		return ""
	}
	return "unknown opcode"
}

// Encode appends the raw little-endian encoding of insns to dst and returns it.
func Encode(dst []byte, insns []Instruction) []byte {
	for _, ins := range insns {
		dst = ins.Append(dst)
	}
	return dst
}

// Append appends the encoding of ins (8 bytes, or 16 for lddw) to dst.
func (ins Instruction) Append(dst []byte) []byte {
	var b [16]byte
	b[0] = ins.OpCode
	b[1] = uint8(ins.Src)<<4 | uint8(ins.Dst)&0x0f
	binary.LittleEndian.PutUint16(b[2:], uint16(ins.Offset))
	binary.LittleEndian.PutUint32(b[4:], uint32(ins.Constant))
	if ins.IsLoadImm64() {
		binary.LittleEndian.PutUint32(b[12:], uint32(uint64(ins.Constant)>>32))
		return append(dst, b[:16]...)
	}
	return append(dst, b[:8]...)
}

// SlotIndex maps instruction indexes to raw slot positions and back.
type SlotIndex struct {
	slotOf  []int // slotOf[i] is the slot of instruction i; slotOf[len] is the total
	indexOf []int // indexOf[s] is the instruction at slot s, -1 inside an lddw
}

// NewSlotIndex builds the slot map of insns.
func NewSlotIndex(insns []Instruction) *SlotIndex {
	si := &SlotIndex{slotOf: make([]int, len(insns)+1)}
	slot := 0
	for i, ins := range insns {
		si.slotOf[i] = slot
		slot += ins.Slots()
	}
	si.slotOf[len(insns)] = slot
	si.indexOf = make([]int, slot+1)
	for i := range si.indexOf {
		si.indexOf[i] = -1
	}
	for i := range insns {
		si.indexOf[si.slotOf[i]] = i
	}
	si.indexOf[slot] = len(insns)
	return si
}

// Slot returns the slot position of instruction i (len(insns) for the end).
func (si *SlotIndex) Slot(i int) int { return si.slotOf[i] }

// Len returns the total number of slots.
func (si *SlotIndex) Len() int { return si.slotOf[len(si.slotOf)-1] }

// Index returns the instruction at slot s, or -1 if s is out of range or
// falls in the second half of an lddw. Index(Len()) is len(insns).
func (si *SlotIndex) Index(s int) int {
	if s < 0 || s >= len(si.indexOf) {
		return -1
	}
	return si.indexOf[s]
}
