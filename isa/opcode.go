package isa

// Class is the low three bits of an opcode: the instruction class.
type Class uint8

// The eight instruction classes of RFC 9669.
const (
	ClassLD    Class = 0x00 // non-standard loads: lddw, LD_ABS, LD_IND
	ClassLDX   Class = 0x01 // load into register
	ClassST    Class = 0x02 // store immediate
	ClassSTX   Class = 0x03 // store register, atomics
	ClassALU   Class = 0x04 // 32-bit arithmetic
	ClassJMP   Class = 0x05 // 64-bit jumps, call, exit
	ClassJMP32 Class = 0x06 // 32-bit jumps
	ClassALU64 Class = 0x07 // 64-bit arithmetic
)

// Source is bit 3 of ALU and jump opcodes: immediate (K) or register (X) operand.
const (
	SrcK uint8 = 0x00 // operand is the immediate
	SrcX uint8 = 0x08 // operand is the src register
)

// Arithmetic operation codes (bits 4-7 of ALU and ALU64 opcodes).
const (
	ALUAdd  uint8 = 0x00
	ALUSub  uint8 = 0x10
	ALUMul  uint8 = 0x20
	ALUDiv  uint8 = 0x30 // offset 1: signed (sdiv)
	ALUOr   uint8 = 0x40
	ALUAnd  uint8 = 0x50
	ALULsh  uint8 = 0x60
	ALURsh  uint8 = 0x70
	ALUNeg  uint8 = 0x80
	ALUMod  uint8 = 0x90 // offset 1: signed (smod)
	ALUXor  uint8 = 0xa0
	ALUMov  uint8 = 0xb0 // offset 8/16/32: sign-extending (movsx)
	ALUArsh uint8 = 0xc0
	ALUEnd  uint8 = 0xd0 // byte swap: ALU class with SrcK = to little endian, SrcX = to big endian; ALU64 = bswap
)

// Byte-order flags of ALUEnd, in the source bit.
const (
	EndToLE uint8 = 0x00
	EndToBE uint8 = 0x08
)

// Jump operation codes (bits 4-7 of JMP and JMP32 opcodes).
const (
	JmpJA   uint8 = 0x00 // JMP: goto off; JMP32: gotol imm
	JmpJEQ  uint8 = 0x10
	JmpJGT  uint8 = 0x20
	JmpJGE  uint8 = 0x30
	JmpJSET uint8 = 0x40
	JmpJNE  uint8 = 0x50
	JmpJSGT uint8 = 0x60
	JmpJSGE uint8 = 0x70
	JmpCall uint8 = 0x80 // SrcX: callx (register in dst)
	JmpExit uint8 = 0x90
	JmpJLT  uint8 = 0xa0
	JmpJLE  uint8 = 0xb0
	JmpJSLT uint8 = 0xc0
	JmpJSLE uint8 = 0xd0
)

// Size is bits 3-4 of load and store opcodes.
const (
	SizeW  uint8 = 0x00 // 4 bytes
	SizeH  uint8 = 0x08 // 2 bytes
	SizeB  uint8 = 0x10 // 1 byte
	SizeDW uint8 = 0x18 // 8 bytes
)

// Mode is bits 5-7 of load and store opcodes.
const (
	ModeIMM    uint8 = 0x00 // lddw
	ModeABS    uint8 = 0x20 // legacy packet load, absolute offset
	ModeIND    uint8 = 0x40 // legacy packet load, offset from src register
	ModeMEM    uint8 = 0x60
	ModeMEMSX  uint8 = 0x80 // sign-extending load
	ModeATOMIC uint8 = 0xc0
)

// Atomic operations, in the immediate of an STX|ATOMIC instruction.
const (
	AtomicAdd     int64 = 0x00
	AtomicOr      int64 = 0x40
	AtomicAnd     int64 = 0x50
	AtomicXor     int64 = 0xa0
	AtomicFetch   int64 = 0x01 // flag: the old value is loaded into src
	AtomicXchg    int64 = 0xe0 | AtomicFetch
	AtomicCmpXchg int64 = 0xf0 | AtomicFetch
)

// Pseudo source registers of lddw (the kernel's BPF_PSEUDO_*).
const (
	PseudoImm           Register = 0 // plain 64-bit immediate
	PseudoMapFD         Register = 1 // imm is a map file descriptor
	PseudoMapValue      Register = 2 // imm is a map fd, next imm an offset into its value
	PseudoBTFID         Register = 3 // imm is a BTF id of a kernel variable
	PseudoFunc          Register = 4 // imm is a relative instruction offset of a function
	PseudoMapIdx        Register = 5 // imm is an index into the program's map array
	PseudoMapIdxValue   Register = 6 // map index, next imm an offset into its value
	PseudoCallHelper    Register = 0 // call: helper by id
	PseudoCallLocal     Register = 1 // call: bpf-to-bpf, imm is a relative slot offset
	PseudoCallKfunc     Register = 2 // call: kernel function by BTF id
	maxPseudoLoad                = PseudoMapIdxValue
	maxPseudoCallSource          = PseudoCallKfunc
)

// Frequently used whole opcodes.
const (
	OpLDDW  uint8 = uint8(ClassLD) | ModeIMM | SizeDW     // 0x18
	OpCall  uint8 = uint8(ClassJMP) | JmpCall | SrcK      // 0x85
	OpCallX uint8 = uint8(ClassJMP) | JmpCall | SrcX      // 0x8d
	OpExit  uint8 = uint8(ClassJMP) | JmpExit             // 0x95
	OpJA    uint8 = uint8(ClassJMP) | JmpJA               // 0x05
	OpJA32  uint8 = uint8(ClassJMP32) | JmpJA             // 0x06 (gotol)
	OpMov64 uint8 = uint8(ClassALU64) | ALUMov | SrcK     // 0xb7
	OpMovX  uint8 = uint8(ClassALU64) | ALUMov | SrcX     // 0xbf
	OpAtom  uint8 = uint8(ClassSTX) | ModeATOMIC          // 0xc3 with SizeW, 0xdb with SizeDW
	OpLdxDW uint8 = uint8(ClassLDX) | ModeMEM | SizeDW    // 0x79
	OpStxDW uint8 = uint8(ClassSTX) | ModeMEM | SizeDW    // 0x7b
	OpStDW  uint8 = uint8(ClassST) | ModeMEM | SizeDW     // 0x7a
	OpLdxW  uint8 = uint8(ClassLDX) | ModeMEM | SizeW     // 0x61
	OpStxW  uint8 = uint8(ClassSTX) | ModeMEM | SizeW     // 0x63
	opAtomW uint8 = uint8(ClassSTX) | ModeATOMIC | SizeW  // 0xc3
	opAtomD uint8 = uint8(ClassSTX) | ModeATOMIC | SizeDW // 0xdb
	opLDABS uint8 = uint8(ClassLD) | ModeABS              // 0x20 | size
	opLDIND uint8 = uint8(ClassLD) | ModeIND              // 0x40 | size
)

// SizeBytes returns the access width in bytes of a load/store size code.
func SizeBytes(size uint8) int {
	switch size & 0x18 {
	case SizeW:
		return 4
	case SizeH:
		return 2
	case SizeB:
		return 1
	default:
		return 8
	}
}
