package filter

import "github.com/gbpf/gbpf/cbpf"

// opNOP marks a statement deleted by the optimizer; it is never emitted.
const opNOP uint16 = 0xffff

// Short names for the opcode fields used throughout the code generator.
const (
	bLD   = cbpf.ClassLD
	bLDX  = cbpf.ClassLDX
	bST   = cbpf.ClassST
	bSTX  = cbpf.ClassSTX
	bALU  = cbpf.ClassALU
	bJMP  = cbpf.ClassJMP
	bRET  = cbpf.ClassRET
	bMISC = cbpf.ClassMISC

	bW = cbpf.SizeW
	bH = cbpf.SizeH
	bB = cbpf.SizeB

	bIMM = cbpf.ModeIMM
	bABS = cbpf.ModeABS
	bIND = cbpf.ModeIND
	bMEM = cbpf.ModeMEM
	bLEN = cbpf.ModeLEN
	bMSH = cbpf.ModeMSH

	bADD = cbpf.ALUAdd
	bSUB = cbpf.ALUSub
	bMUL = cbpf.ALUMul
	bDIV = cbpf.ALUDiv
	bOR  = cbpf.ALUOr
	bAND = cbpf.ALUAnd
	bLSH = cbpf.ALULsh
	bRSH = cbpf.ALURsh
	bNEG = cbpf.ALUNeg
	bMOD = cbpf.ALUMod
	bXOR = cbpf.ALUXor

	bJA   = cbpf.JmpJA
	bJEQ  = cbpf.JmpJEQ
	bJGT  = cbpf.JmpJGT
	bJGE  = cbpf.JmpJGE
	bJSET = cbpf.JmpJSET

	bK = cbpf.SrcK
	bX = cbpf.SrcX
	bA = cbpf.SrcA

	bTAX = cbpf.MiscTAX
	bTXA = cbpf.MiscTXA
)

func opClass(c uint16) uint16 { return c & 0x07 }
func opSize(c uint16) uint16  { return c & 0x18 }
func opMode(c uint16) uint16  { return c & 0xe0 }
func opOp(c uint16) uint16    { return c & 0xf0 }
func opSrc(c uint16) uint16   { return c & 0x08 }
func opRval(c uint16) uint16  { return c & 0x18 }
func opMiscOp(c uint16) uint16 {
	return c & 0xf8
}

// Protocol numbers and link-layer constants.
const (
	ethertypeIP     = 0x0800
	ethertypeARP    = 0x0806
	ethertypeRevARP = 0x8035
	ethertypeIPv6   = 0x86dd
	ethertypeATalk  = 0x809b
	ethertypeAARP   = 0x80f3
	ethertypeIPX    = 0x8137
	ethertypeDN     = 0x6003
	ethertypeLAT    = 0x6004
	ethertypeSCA    = 0x6007
	ethertypeMOPDL  = 0x6001
	ethertypeMOPRC  = 0x6002
	ethertypeVLAN   = 0x8100
	ethertypeQinQ   = 0x88a8
	ethertype9100   = 0x9100
	ethertypeMPLS   = 0x8847
	ethertypeMPLSMc = 0x8848
	ethertypePPPoED = 0x8863
	ethertypePPPoES = 0x8864
	etherMTU        = 1500

	llcsapIP      = 0x06
	llcsapISONS   = 0xfe
	llcsapNetBEUI = 0xf0
	llcsapIPX     = 0xe0
	llcsapSNAP    = 0xaa
	llcsap8021D   = 0x42

	ipprotoICMP     = 1
	ipprotoIGMP     = 2
	ipprotoTCP      = 6
	ipprotoIGRP     = 9
	ipprotoUDP      = 17
	ipprotoIPv6     = 41
	ipprotoRouting  = 43
	ipprotoFragment = 44
	ipprotoESP      = 50
	ipprotoAH       = 51
	ipprotoICMPv6   = 58
	ipprotoNone     = 59
	ipprotoDstOpts  = 60
	ipprotoHopOpts  = 0
	ipprotoPIM      = 103
	ipprotoVRRP     = 112
	ipprotoCARP     = 112
	ipprotoSCTP     = 132
	protoUndef      = -1

	iso8473CLNP  = 0x81
	iso9542ESIS  = 0x82
	iso10589ISIS = 0x83
	iso9577IPv4  = 0xcc
	iso9577IPv6  = 0x8e

	ip6HdrLen = 40
)
