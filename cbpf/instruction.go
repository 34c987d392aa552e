package cbpf

// Instruction is one classic BPF instruction, laid out as the kernel's
// struct sock_filter and libpcap's struct bpf_insn: a 16-bit opcode, the
// true and false jump offsets of conditional jumps (relative to the next
// instruction), and the 32-bit constant K.
type Instruction struct {
	Op uint16 // opcode: class | size | mode, or class | op | source
	Jt uint8  // conditional jump: instructions to skip when true
	Jf uint8  // conditional jump: instructions to skip when false
	K  uint32 // constant: offset, immediate, scratch index or jump distance
}

// Instruction classes (the low three bits of Op).
const (
	ClassLD   uint16 = 0x00 // load into A
	ClassLDX  uint16 = 0x01 // load into X
	ClassST   uint16 = 0x02 // store A into scratch memory
	ClassSTX  uint16 = 0x03 // store X into scratch memory
	ClassALU  uint16 = 0x04 // arithmetic on A
	ClassJMP  uint16 = 0x05 // jumps
	ClassRET  uint16 = 0x06 // return
	ClassMISC uint16 = 0x07 // register transfers
)

// Load sizes (bits 3-4 of load opcodes).
const (
	SizeW uint16 = 0x00 // 32-bit word
	SizeH uint16 = 0x08 // 16-bit half word
	SizeB uint16 = 0x10 // byte
)

// Load addressing modes (bits 5-7 of load opcodes).
const (
	ModeIMM uint16 = 0x00 // the constant K
	ModeABS uint16 = 0x20 // packet data at offset K
	ModeIND uint16 = 0x40 // packet data at offset X + K
	ModeMEM uint16 = 0x60 // scratch memory word M[K]
	ModeLEN uint16 = 0x80 // the packet's wire length
	ModeMSH uint16 = 0xa0 // 4*(packet[K]&0xf), the IPv4 header length
)

// ALU and jump operations (bits 4-7).
const (
	ALUAdd uint16 = 0x00
	ALUSub uint16 = 0x10
	ALUMul uint16 = 0x20
	ALUDiv uint16 = 0x30
	ALUOr  uint16 = 0x40
	ALUAnd uint16 = 0x50
	ALULsh uint16 = 0x60
	ALURsh uint16 = 0x70
	ALUNeg uint16 = 0x80
	ALUMod uint16 = 0x90
	ALUXor uint16 = 0xa0

	JmpJA   uint16 = 0x00
	JmpJEQ  uint16 = 0x10
	JmpJGT  uint16 = 0x20
	JmpJGE  uint16 = 0x30
	JmpJSET uint16 = 0x40
)

// Operand sources (bit 3 of ALU, jump and return opcodes).
const (
	SrcK uint16 = 0x00 // the constant K
	SrcX uint16 = 0x08 // the X register
	SrcA uint16 = 0x10 // the A register (return only)
)

// MISC operations.
const (
	MiscTAX uint16 = 0x00 // X = A
	MiscTXA uint16 = 0x80 // A = X
)

// Whole opcodes of every instruction libpcap's interpreter runs.
const (
	OpLdW    = ClassLD | SizeW | ModeABS  // ld [k]
	OpLdH    = ClassLD | SizeH | ModeABS  // ldh [k]
	OpLdB    = ClassLD | SizeB | ModeABS  // ldb [k]
	OpLdIndW = ClassLD | SizeW | ModeIND  // ld [x + k]
	OpLdIndH = ClassLD | SizeH | ModeIND  // ldh [x + k]
	OpLdIndB = ClassLD | SizeB | ModeIND  // ldb [x + k]
	OpLdLen  = ClassLD | SizeW | ModeLEN  // ld #pktlen
	OpLdImm  = ClassLD | ModeIMM          // ld #k
	OpLdMem  = ClassLD | ModeMEM          // ld M[k]
	OpLdxImm = ClassLDX | ModeIMM         // ldx #k
	OpLdxMem = ClassLDX | ModeMEM         // ldx M[k]
	OpLdxLen = ClassLDX | SizeW | ModeLEN // ldx #pktlen
	OpLdxMsh = ClassLDX | SizeB | ModeMSH // ldxb 4*([k]&0xf)
	OpSt     = ClassST                    // st M[k]
	OpStx    = ClassSTX                   // stx M[k]

	OpAddK = ClassALU | ALUAdd | SrcK
	OpSubK = ClassALU | ALUSub | SrcK
	OpMulK = ClassALU | ALUMul | SrcK
	OpDivK = ClassALU | ALUDiv | SrcK
	OpModK = ClassALU | ALUMod | SrcK
	OpAndK = ClassALU | ALUAnd | SrcK
	OpOrK  = ClassALU | ALUOr | SrcK
	OpXorK = ClassALU | ALUXor | SrcK
	OpLshK = ClassALU | ALULsh | SrcK
	OpRshK = ClassALU | ALURsh | SrcK
	OpAddX = ClassALU | ALUAdd | SrcX
	OpSubX = ClassALU | ALUSub | SrcX
	OpMulX = ClassALU | ALUMul | SrcX
	OpDivX = ClassALU | ALUDiv | SrcX
	OpModX = ClassALU | ALUMod | SrcX
	OpAndX = ClassALU | ALUAnd | SrcX
	OpOrX  = ClassALU | ALUOr | SrcX
	OpXorX = ClassALU | ALUXor | SrcX
	OpLshX = ClassALU | ALULsh | SrcX
	OpRshX = ClassALU | ALURsh | SrcX
	OpNeg  = ClassALU | ALUNeg

	OpJA    = ClassJMP | JmpJA
	OpJEQK  = ClassJMP | JmpJEQ | SrcK
	OpJGTK  = ClassJMP | JmpJGT | SrcK
	OpJGEK  = ClassJMP | JmpJGE | SrcK
	OpJSETK = ClassJMP | JmpJSET | SrcK
	OpJEQX  = ClassJMP | JmpJEQ | SrcX
	OpJGTX  = ClassJMP | JmpJGT | SrcX
	OpJGEX  = ClassJMP | JmpJGE | SrcX
	OpJSETX = ClassJMP | JmpJSET | SrcX

	OpRetK = ClassRET | SrcK // ret #k
	OpRetA = ClassRET | SrcA // ret a
	OpRetX = ClassRET | SrcX // ret x: accepted by bpf_asm, rejected by libpcap and the kernel

	OpTAX = ClassMISC | MiscTAX
	OpTXA = ClassMISC | MiscTXA
)

// Limits shared by libpcap and the kernel.
const (
	MemWords = 16   // scratch memory words M[0] to M[15] (BPF_MEMWORDS)
	MaxInsns = 4096 // the kernel's BPF_MAXINSNS
)

// Linux ancillary-data and negative-offset loads: an absolute load whose K is
// SKFAdOff plus one of the SKFAd* values reads packet metadata instead of
// packet bytes; K from SKFNetOff or SKFLLOff on is relative to the network or
// link-layer header. The values are those of linux/filter.h, as uint32.
const (
	SKFAdOff  uint32 = 0xfffff000 // SKF_AD_OFF, -0x1000
	SKFNetOff uint32 = 0xfff00000 // SKF_NET_OFF, -0x100000
	SKFLLOff  uint32 = 0xffe00000 // SKF_LL_OFF, -0x200000

	SKFAdProtocol       uint32 = 0  // skb->protocol
	SKFAdPktType        uint32 = 4  // skb->pkt_type
	SKFAdIfIndex        uint32 = 8  // skb->dev->ifindex
	SKFAdNlAttr         uint32 = 12 // netlink attribute of type X at offset A
	SKFAdNlAttrNest     uint32 = 16 // nested netlink attribute
	SKFAdMark           uint32 = 20 // skb->mark
	SKFAdQueue          uint32 = 24 // skb->queue_mapping
	SKFAdHaType         uint32 = 28 // skb->dev->type
	SKFAdRxHash         uint32 = 32 // skb->hash
	SKFAdCPU            uint32 = 36 // the current CPU
	SKFAdAluXorX        uint32 = 40 // A ^= X
	SKFAdVlanTag        uint32 = 44 // VLAN TCI
	SKFAdVlanTagPresent uint32 = 48 // VLAN tag present
	SKFAdPayOffset      uint32 = 52 // payload offset
	SKFAdRandom         uint32 = 56 // a random number
	SKFAdVlanTPID       uint32 = 60 // VLAN protocol
	SKFAdMax            uint32 = 64 // SKF_AD_MAX
)

// Class returns the instruction class.
func (ins Instruction) Class() uint16 { return ins.Op & 0x07 }

// IsConditionalJump reports whether ins is a JMP-class instruction other than
// JA, i.e. one whose Jt and Jf are used.
func (ins Instruction) IsConditionalJump() bool {
	return ins.Class() == ClassJMP && ins.Op&0xf0 != JmpJA
}

// Ancillary returns the SKF_AD_* value of an absolute load of Linux ancillary
// data and true, or false when ins is not such a load.
func (ins Instruction) Ancillary() (uint32, bool) {
	switch ins.Op {
	case OpLdW, OpLdH, OpLdB:
		if ins.K >= SKFAdOff && ins.K < SKFAdOff+SKFAdMax {
			return ins.K - SKFAdOff, true
		}
	}
	return 0, false
}

// Stmt returns a non-jump instruction (the BPF_STMT macro).
func Stmt(op uint16, k uint32) Instruction { return Instruction{Op: op, K: k} }

// Jump returns a jump instruction (the BPF_JUMP macro).
func Jump(op uint16, k uint32, jt, jf uint8) Instruction {
	return Instruction{Op: op, Jt: jt, Jf: jf, K: k}
}

// String returns the instruction as `tcpdump -d` prints it at index 0, without
// the "(000) " prefix; jump targets are relative to index 0.
func (ins Instruction) String() string {
	s := Image(ins, 0)
	return s[6:]
}
