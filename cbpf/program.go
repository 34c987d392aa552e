package cbpf

import (
	"errors"
	"fmt"
)

// ErrInvalid is wrapped by every validation error.
var ErrInvalid = errors.New("cbpf: invalid program")

// Error is a validation error at an instruction index.
type Error struct {
	PC  int    // instruction index, or -1 for the program as a whole
	Msg string // what is wrong
}

func (e *Error) Error() string {
	if e.PC < 0 {
		return "cbpf: " + e.Msg
	}
	return fmt.Sprintf("cbpf: insn %d: %s", e.PC, e.Msg)
}

// Unwrap returns ErrInvalid.
func (e *Error) Unwrap() error { return ErrInvalid }

// MaxProgramLen is the longest program NewProgram accepts: libpcap's
// userland limit (its BPF_MAXINSNS for the interpreter).
const MaxProgramLen = 3060000

// MaxBackwardJumps is the base of the limit on backward jumps in one run:
// a run over a packet of n captured bytes may take MaxBackwardJumps + n/8
// backward jumps; the next one rejects the packet. libpcap uses backward
// jumps only for "protochain", which takes one per extension header (each at
// least 8 bytes), so the limit never cuts a protochain walk short (libpcap
// 1.10.3 has no limit; master stops at 64, which rejects long header chains
// that its own test suite accepts), and every run terminates.
const MaxBackwardJumps = 64

// Internal opcodes of the pre-decoded program: dense small integers so that
// the interpreter's switch compiles to a jump table.
const (
	iRetK uint8 = iota
	iRetA
	iLdW
	iLdH
	iLdB
	iLdIndW
	iLdIndH
	iLdIndB
	iLdLen
	iLdxLen
	iLdxMsh
	iLdImm
	iLdxImm
	iLdMem
	iLdxMem
	iSt
	iStx
	iJA
	iJABack
	iJGTK
	iJGEK
	iJEQK
	iJSETK
	iJGTX
	iJGEX
	iJEQX
	iJSETX
	iAddX
	iSubX
	iMulX
	iDivX
	iModX
	iAndX
	iOrX
	iXorX
	iLshX
	iRshX
	iAddK
	iSubK
	iMulK
	iDivK
	iModK
	iAndK
	iOrK
	iXorK
	iLshK
	iRshK
	iNeg
	iTAX
	iTXA
	// Fused pairs: a packet load (or len) followed by a conditional jump on K,
	// run as one dispatch (the load's A stays visible to later code).
	iLdWJEQ
	iLdWJGT
	iLdWJGE
	iLdWJSET
	iLdHJEQ
	iLdHJGT
	iLdHJGE
	iLdHJSET
	iLdBJEQ
	iLdBJGT
	iLdBJGE
	iLdBJSET
	iLdIndWJEQ
	iLdIndWJGT
	iLdIndWJGE
	iLdIndWJSET
	iLdIndHJEQ
	iLdIndHJGT
	iLdIndHJGE
	iLdIndHJSET
	iLdIndBJEQ
	iLdIndBJGT
	iLdIndBJGE
	iLdIndBJSET
	iLdLenJEQ
	iLdLenJGT
	iLdLenJGE
	iLdLenJSET
)

var internalOp = map[uint16]uint8{
	OpRetK: iRetK, OpRetA: iRetA,
	OpLdW: iLdW, OpLdH: iLdH, OpLdB: iLdB,
	OpLdIndW: iLdIndW, OpLdIndH: iLdIndH, OpLdIndB: iLdIndB,
	OpLdLen: iLdLen, OpLdxLen: iLdxLen, OpLdxMsh: iLdxMsh,
	OpLdImm: iLdImm, OpLdxImm: iLdxImm, OpLdMem: iLdMem, OpLdxMem: iLdxMem,
	OpSt: iSt, OpStx: iStx,
	OpJA:   iJA,
	OpJGTK: iJGTK, OpJGEK: iJGEK, OpJEQK: iJEQK, OpJSETK: iJSETK,
	OpJGTX: iJGTX, OpJGEX: iJGEX, OpJEQX: iJEQX, OpJSETX: iJSETX,
	OpAddX: iAddX, OpSubX: iSubX, OpMulX: iMulX, OpDivX: iDivX, OpModX: iModX,
	OpAndX: iAndX, OpOrX: iOrX, OpXorX: iXorX, OpLshX: iLshX, OpRshX: iRshX,
	OpAddK: iAddK, OpSubK: iSubK, OpMulK: iMulK, OpDivK: iDivK, OpModK: iModK,
	OpAndK: iAndK, OpOrK: iOrK, OpXorK: iXorK, OpLshK: iLshK, OpRshK: iRshK,
	OpNeg: iNeg, OpTAX: iTAX, OpTXA: iTXA,
}

// decoded is one pre-decoded instruction: jump targets are absolute indexes.
type decoded struct {
	op     uint8
	jt, jf uint32 // absolute targets of conditional jumps; jt is the JA target
	k      uint32
	k2     uint32 // fused pairs: the jump's constant (k is the load offset)
}

// Program is a validated classic BPF program, ready to run. Its only
// constructor is NewProgram. A Program is immutable and safe for concurrent
// use.
type Program struct {
	insns []Instruction
	code  []decoded
}

// Validate applies libpcap's validator (bpf_validate) to insns: 1 to
// MaxProgramLen instructions, every opcode one the interpreter knows,
// scratch indexes below MemWords, no constant division or modulo by zero,
// no constant shift by 32 or more, every jump inside the program (backward
// unconditional jumps are allowed, as libpcap's protochain uses them, but not
// a jump to itself), and a return as the last instruction.
func Validate(insns []Instruction) error {
	if len(insns) == 0 {
		return &Error{PC: -1, Msg: "empty program"}
	}
	if len(insns) > MaxProgramLen {
		return &Error{PC: -1, Msg: fmt.Sprintf("%d instructions, more than %d", len(insns), MaxProgramLen)}
	}
	n := uint32(len(insns))
	for i, ins := range insns {
		if _, ok := internalOp[ins.Op]; !ok {
			return &Error{PC: i, Msg: fmt.Sprintf("unknown opcode 0x%02x", ins.Op)}
		}
		switch ins.Op {
		case OpLdMem, OpLdxMem, OpSt, OpStx:
			if ins.K >= MemWords {
				return &Error{PC: i, Msg: fmt.Sprintf("scratch memory index %d out of range", ins.K)}
			}
		case OpDivK, OpModK:
			if ins.K == 0 {
				return &Error{PC: i, Msg: "division by constant zero"}
			}
		case OpLshK, OpRshK:
			if ins.K >= 32 {
				return &Error{PC: i, Msg: fmt.Sprintf("constant shift by %d", ins.K)}
			}
		case OpJA:
			from := uint32(i) + 1
			if from+ins.K >= n {
				return &Error{PC: i, Msg: fmt.Sprintf("jump out of range (ja %d)", int32(ins.K))}
			}
			if int32(ins.K) == -1 {
				return &Error{PC: i, Msg: "jump to itself"}
			}
		}
		if ins.IsConditionalJump() {
			from := uint32(i) + 1
			if from+uint32(ins.Jt) >= n || from+uint32(ins.Jf) >= n {
				return &Error{PC: i, Msg: fmt.Sprintf("jump out of range (jt %d, jf %d)", ins.Jt, ins.Jf)}
			}
		}
	}
	if insns[n-1].Class() != ClassRET {
		return &Error{PC: int(n - 1), Msg: "last instruction is not a return"}
	}
	return nil
}

// NewProgram validates insns with Validate and pre-decodes them for Run.
// The instructions are copied.
func NewProgram(insns []Instruction) (*Program, error) {
	if err := Validate(insns); err != nil {
		return nil, err
	}
	p := &Program{insns: append([]Instruction(nil), insns...), code: make([]decoded, len(insns))}
	for i, ins := range insns {
		d := decoded{op: internalOp[ins.Op], k: ins.K}
		switch {
		case ins.Op == OpJA:
			d.jt = uint32(i) + 1 + ins.K
			if int32(ins.K) < 0 {
				d.op = iJABack
			}
		case ins.IsConditionalJump():
			d.jt = uint32(i) + 1 + uint32(ins.Jt)
			d.jf = uint32(i) + 1 + uint32(ins.Jf)
		}
		p.code[i] = d
	}
	// Fuse a packet load with the conditional jump after it. The jump
	// keeps its own slot, so jumps that land on it still work.
	for i := 0; i+1 < len(insns); i++ {
		base, ok := fuseBase[insns[i].Op]
		if !ok {
			continue
		}
		cond, ok := fuseCond[insns[i+1].Op]
		if !ok {
			continue
		}
		j := p.code[i+1]
		p.code[i] = decoded{op: base + cond, jt: j.jt, jf: j.jf, k: insns[i].K, k2: insns[i+1].K}
	}
	return p, nil
}

var (
	fuseBase = map[uint16]uint8{
		OpLdW: iLdWJEQ, OpLdH: iLdHJEQ, OpLdB: iLdBJEQ,
		OpLdIndW: iLdIndWJEQ, OpLdIndH: iLdIndHJEQ, OpLdIndB: iLdIndBJEQ,
		OpLdLen: iLdLenJEQ,
	}
	fuseCond = map[uint16]uint8{OpJEQK: 0, OpJGTK: 1, OpJGEK: 2, OpJSETK: 3}
)

// MustProgram is NewProgram for programs known to be valid; it panics on an
// invalid program.
func MustProgram(insns []Instruction) *Program {
	p, err := NewProgram(insns)
	if err != nil {
		panic(err)
	}
	return p
}

// Instructions returns a copy of the program's instructions.
func (p *Program) Instructions() []Instruction {
	return append([]Instruction(nil), p.insns...)
}

// Len returns the number of instructions.
func (p *Program) Len() int { return len(p.insns) }

// Run runs the program over the captured bytes pkt of a packet whose length
// on the wire was wireLen, with libpcap's semantics (pcap_offline_filter):
// it returns the filter's verdict, the number of bytes to keep, 0 meaning
// reject. A load outside pkt, a division or modulo by zero and too many
// backward jumps reject the packet; `len` loads wireLen. Linux ancillary
// loads (K at SKFAdOff and above) are outside every packet and reject it, as
// in pcap_offline_filter. Backward jumps are limited (see MaxBackwardJumps).
// Run does not allocate.
//
// Where libpcap and the kernel's socket filters differ, Run follows libpcap:
// a shift by X of 32 or more gives 0 (the kernel masks X to 5 bits); an
// indexed load whose X + K passes 2^32 rejects (the kernel wraps around);
// ancillary and SKF_NET_OFF/SKF_LL_OFF loads reject (the kernel reads
// metadata and headers).
func (p *Program) Run(pkt []byte, wireLen uint32) uint32 {
	code := p.code
	buflen := uint64(len(pkt))
	var a, x uint32
	var mem [MemWords]uint32
	backward := MaxBackwardJumps + len(pkt)/8
	pc := uint32(0)
	for {
		ins := &code[pc] // a validated program never runs past its last return
		pc++
		switch ins.op {
		case iRetK:
			return ins.k
		case iRetA:
			return a
		case iLdW:
			k := uint64(ins.k)
			if k+4 > buflen {
				return 0
			}
			b := pkt[k : k+4 : k+4]
			a = uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		case iLdH:
			k := uint64(ins.k)
			if k+2 > buflen {
				return 0
			}
			b := pkt[k : k+2 : k+2]
			a = uint32(b[0])<<8 | uint32(b[1])
		case iLdB:
			k := uint64(ins.k)
			if k >= buflen {
				return 0
			}
			a = uint32(pkt[k])
		case iLdIndW:
			k := uint64(ins.k) + uint64(x)
			if k+4 > buflen {
				return 0
			}
			b := pkt[k : k+4 : k+4]
			a = uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		case iLdIndH:
			k := uint64(ins.k) + uint64(x)
			if k+2 > buflen {
				return 0
			}
			b := pkt[k : k+2 : k+2]
			a = uint32(b[0])<<8 | uint32(b[1])
		case iLdIndB:
			k := uint64(ins.k) + uint64(x)
			if k >= buflen {
				return 0
			}
			a = uint32(pkt[k])
		case iLdLen:
			a = wireLen
		case iLdxLen:
			x = wireLen
		case iLdxMsh:
			k := uint64(ins.k)
			if k >= buflen {
				return 0
			}
			x = uint32(pkt[k]&0xf) << 2
		case iLdImm:
			a = ins.k
		case iLdxImm:
			x = ins.k
		case iLdMem:
			a = mem[ins.k&(MemWords-1)]
		case iLdxMem:
			x = mem[ins.k&(MemWords-1)]
		case iSt:
			mem[ins.k&(MemWords-1)] = a
		case iStx:
			mem[ins.k&(MemWords-1)] = x
		case iJA:
			pc = ins.jt
		case iJABack:
			if backward == 0 {
				return 0
			}
			backward--
			pc = ins.jt
		case iJGTK:
			if a > ins.k {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iJGEK:
			if a >= ins.k {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iJEQK:
			if a == ins.k {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iJSETK:
			if a&ins.k != 0 {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iJGTX:
			if a > x {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iJGEX:
			if a >= x {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iJEQX:
			if a == x {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iJSETX:
			if a&x != 0 {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iAddX:
			a += x
		case iSubX:
			a -= x
		case iMulX:
			a *= x
		case iDivX:
			if x == 0 {
				return 0
			}
			a /= x
		case iModX:
			if x == 0 {
				return 0
			}
			a %= x
		case iAndX:
			a &= x
		case iOrX:
			a |= x
		case iXorX:
			a ^= x
		case iLshX:
			a <<= x // Go: a shift by 32 or more gives 0, as libpcap
		case iRshX:
			a >>= x
		case iAddK:
			a += ins.k
		case iSubK:
			a -= ins.k
		case iMulK:
			a *= ins.k
		case iDivK:
			if ins.k == 0 {
				return 0
			}
			a /= ins.k
		case iModK:
			if ins.k == 0 {
				return 0
			}
			a %= ins.k
		case iAndK:
			a &= ins.k
		case iOrK:
			a |= ins.k
		case iXorK:
			a ^= ins.k
		case iLshK:
			a <<= ins.k
		case iRshK:
			a >>= ins.k
		case iNeg:
			a = -a
		case iTAX:
			x = a
		case iTXA:
			a = x
		case iLdWJEQ:
			k := uint64(ins.k)
			if k+4 > buflen {
				return 0
			}
			b := pkt[k : k+4 : k+4]
			a = uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
			if a == ins.k2 {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iLdWJGT:
			k := uint64(ins.k)
			if k+4 > buflen {
				return 0
			}
			b := pkt[k : k+4 : k+4]
			a = uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
			if a > ins.k2 {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iLdWJGE:
			k := uint64(ins.k)
			if k+4 > buflen {
				return 0
			}
			b := pkt[k : k+4 : k+4]
			a = uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
			if a >= ins.k2 {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iLdWJSET:
			k := uint64(ins.k)
			if k+4 > buflen {
				return 0
			}
			b := pkt[k : k+4 : k+4]
			a = uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
			if a&ins.k2 != 0 {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iLdHJEQ:
			k := uint64(ins.k)
			if k+2 > buflen {
				return 0
			}
			b := pkt[k : k+2 : k+2]
			a = uint32(b[0])<<8 | uint32(b[1])
			if a == ins.k2 {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iLdHJGT:
			k := uint64(ins.k)
			if k+2 > buflen {
				return 0
			}
			b := pkt[k : k+2 : k+2]
			a = uint32(b[0])<<8 | uint32(b[1])
			if a > ins.k2 {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iLdHJGE:
			k := uint64(ins.k)
			if k+2 > buflen {
				return 0
			}
			b := pkt[k : k+2 : k+2]
			a = uint32(b[0])<<8 | uint32(b[1])
			if a >= ins.k2 {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iLdHJSET:
			k := uint64(ins.k)
			if k+2 > buflen {
				return 0
			}
			b := pkt[k : k+2 : k+2]
			a = uint32(b[0])<<8 | uint32(b[1])
			if a&ins.k2 != 0 {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iLdBJEQ:
			k := uint64(ins.k)
			if k >= buflen {
				return 0
			}
			a = uint32(pkt[k])
			if a == ins.k2 {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iLdBJGT:
			k := uint64(ins.k)
			if k >= buflen {
				return 0
			}
			a = uint32(pkt[k])
			if a > ins.k2 {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iLdBJGE:
			k := uint64(ins.k)
			if k >= buflen {
				return 0
			}
			a = uint32(pkt[k])
			if a >= ins.k2 {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iLdBJSET:
			k := uint64(ins.k)
			if k >= buflen {
				return 0
			}
			a = uint32(pkt[k])
			if a&ins.k2 != 0 {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iLdIndWJEQ:
			k := uint64(ins.k) + uint64(x)
			if k+4 > buflen {
				return 0
			}
			b := pkt[k : k+4 : k+4]
			a = uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
			if a == ins.k2 {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iLdIndWJGT:
			k := uint64(ins.k) + uint64(x)
			if k+4 > buflen {
				return 0
			}
			b := pkt[k : k+4 : k+4]
			a = uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
			if a > ins.k2 {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iLdIndWJGE:
			k := uint64(ins.k) + uint64(x)
			if k+4 > buflen {
				return 0
			}
			b := pkt[k : k+4 : k+4]
			a = uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
			if a >= ins.k2 {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iLdIndWJSET:
			k := uint64(ins.k) + uint64(x)
			if k+4 > buflen {
				return 0
			}
			b := pkt[k : k+4 : k+4]
			a = uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
			if a&ins.k2 != 0 {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iLdIndHJEQ:
			k := uint64(ins.k) + uint64(x)
			if k+2 > buflen {
				return 0
			}
			b := pkt[k : k+2 : k+2]
			a = uint32(b[0])<<8 | uint32(b[1])
			if a == ins.k2 {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iLdIndHJGT:
			k := uint64(ins.k) + uint64(x)
			if k+2 > buflen {
				return 0
			}
			b := pkt[k : k+2 : k+2]
			a = uint32(b[0])<<8 | uint32(b[1])
			if a > ins.k2 {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iLdIndHJGE:
			k := uint64(ins.k) + uint64(x)
			if k+2 > buflen {
				return 0
			}
			b := pkt[k : k+2 : k+2]
			a = uint32(b[0])<<8 | uint32(b[1])
			if a >= ins.k2 {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iLdIndHJSET:
			k := uint64(ins.k) + uint64(x)
			if k+2 > buflen {
				return 0
			}
			b := pkt[k : k+2 : k+2]
			a = uint32(b[0])<<8 | uint32(b[1])
			if a&ins.k2 != 0 {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iLdIndBJEQ:
			k := uint64(ins.k) + uint64(x)
			if k >= buflen {
				return 0
			}
			a = uint32(pkt[k])
			if a == ins.k2 {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iLdIndBJGT:
			k := uint64(ins.k) + uint64(x)
			if k >= buflen {
				return 0
			}
			a = uint32(pkt[k])
			if a > ins.k2 {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iLdIndBJGE:
			k := uint64(ins.k) + uint64(x)
			if k >= buflen {
				return 0
			}
			a = uint32(pkt[k])
			if a >= ins.k2 {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iLdIndBJSET:
			k := uint64(ins.k) + uint64(x)
			if k >= buflen {
				return 0
			}
			a = uint32(pkt[k])
			if a&ins.k2 != 0 {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iLdLenJEQ:
			a = wireLen
			if a == ins.k2 {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iLdLenJGT:
			a = wireLen
			if a > ins.k2 {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iLdLenJGE:
			a = wireLen
			if a >= ins.k2 {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		case iLdLenJSET:
			a = wireLen
			if a&ins.k2 != 0 {
				pc = ins.jt
			} else {
				pc = ins.jf
			}
		default:
			return 0
		}
	}
}

// Matches reports whether the program accepts a packet whose captured bytes
// are the whole packet (wire length = len(pkt)).
func (p *Program) Matches(pkt []byte) bool {
	return p.Run(pkt, uint32(len(pkt))) != 0
}
