package cbpf

import (
	"encoding/binary"
	"reflect"
	"testing"
)

// checkTextFormat asserts the invariants of a text format on one input:
// an error comes without a result, and printing a parsed program then
// parsing it again gives the same program and the same text.
func checkTextFormat(t *testing.T, text string, parse func(string) ([]Instruction, error), print func([]Instruction) (string, error)) {
	insns, err := parse(text)
	if err != nil {
		if insns != nil {
			t.Fatalf("error %v with a result", err)
		}
		return
	}
	if insns == nil {
		t.Fatalf("no error and no result")
	}
	printed, err := print(insns)
	if err != nil {
		return // a program with no text in this format (bpf_asm only)
	}
	again, err := parse(printed)
	if err != nil {
		t.Fatalf("reparse of printed text: %v\n%s", err, printed)
	}
	if len(insns) == 0 && len(again) == 0 {
		return
	}
	if !reflect.DeepEqual(again, insns) {
		t.Fatalf("print∘parse changed the program:\n%+v\n%+v\n%s", insns, again, printed)
	}
	if reprinted, _ := print(again); reprinted != printed {
		t.Fatalf("printed text not stable:\n%s\n%s", printed, reprinted)
	}
}

func noErr(f func([]Instruction) string) func([]Instruction) (string, error) {
	return func(insns []Instruction) (string, error) { return f(insns), nil }
}

func FuzzParseDisasm(f *testing.F) {
	f.Add("(000) ldh      [12]\n(001) jeq      #0x800           jt 2\tjf 3\n(002) ret      #262144\n(003) ret      #0\n")
	f.Fuzz(func(t *testing.T, text string) {
		checkTextFormat(t, text, ParseDisasm, noErr(Disasm))
	})
}

func FuzzParseC(f *testing.F) {
	f.Add("{ 0x28, 0, 0, 0x0000000c },\n{ 0x6, 0, 0, 0x00040000 },\n")
	f.Fuzz(func(t *testing.T, text string) {
		checkTextFormat(t, text, ParseC, noErr(DumpC))
	})
}

func FuzzParseDecimal(f *testing.F) {
	f.Add("2\n40 0 0 12\n6 0 0 262144\n")
	f.Fuzz(func(t *testing.T, text string) {
		checkTextFormat(t, text, ParseDecimal, noErr(DumpDecimal))
	})
}

func FuzzParseAsm(f *testing.F) {
	f.Add("\tldh [12]\n\tjeq #0x800, L2, L3\nL2:\tret #-1\nL3:\tret #0\n")
	f.Fuzz(func(t *testing.T, text string) {
		checkTextFormat(t, text, ParseAsm, FormatAsm)
	})
}

// decodeRaw reads 8-byte little-endian struct sock_filter records.
func decodeRaw(b []byte) []Instruction {
	var out []Instruction
	for ; len(b) >= 8; b = b[8:] {
		out = append(out, Instruction{
			Op: binary.LittleEndian.Uint16(b), Jt: b[2], Jf: b[3], K: binary.LittleEndian.Uint32(b[4:]),
		})
	}
	return out
}

// encodeRaw is the inverse of decodeRaw.
func encodeRaw(insns []Instruction) []byte {
	var b []byte
	for _, ins := range insns {
		b = binary.LittleEndian.AppendUint16(b, ins.Op)
		b = append(b, ins.Jt, ins.Jf)
		b = binary.LittleEndian.AppendUint32(b, ins.K)
	}
	return b
}

// refRun is a direct, unoptimized reading of libpcap's bpf_filter() used as
// the reference for Run.
func refRun(insns []Instruction, pkt []byte, wireLen uint32) uint32 {
	var a, x uint32
	var mem [MemWords]uint32
	backward := MaxBackwardJumps + len(pkt)/8
	load := func(off uint64, size uint64) (uint32, bool) {
		if off+size > uint64(len(pkt)) {
			return 0, false
		}
		var v uint32
		for i := uint64(0); i < size; i++ {
			v = v<<8 | uint32(pkt[off+i])
		}
		return v, true
	}
	sizeOf := map[uint16]uint64{SizeW: 4, SizeH: 2, SizeB: 1}
	for pc := 0; pc < len(insns); pc++ {
		ins := insns[pc]
		src := ins.K
		if ins.Op&SrcX != 0 {
			src = x
		}
		switch ins.Class() {
		case ClassRET:
			if ins.Op == OpRetA {
				return a
			}
			return ins.K
		case ClassLD, ClassLDX:
			var v uint32
			var ok = true
			switch ins.Op & 0xe0 {
			case ModeIMM:
				v = ins.K
			case ModeABS:
				v, ok = load(uint64(ins.K), sizeOf[ins.Op&0x18])
			case ModeIND:
				v, ok = load(uint64(ins.K)+uint64(x), sizeOf[ins.Op&0x18])
			case ModeMEM:
				v = mem[ins.K]
			case ModeLEN:
				v = wireLen
			case ModeMSH:
				v, ok = load(uint64(ins.K), 1)
				v = (v & 0xf) * 4
			}
			if !ok {
				return 0
			}
			if ins.Class() == ClassLD {
				a = v
			} else {
				x = v
			}
		case ClassST:
			mem[ins.K] = a
		case ClassSTX:
			mem[ins.K] = x
		case ClassALU:
			switch ins.Op & 0xf0 {
			case ALUAdd:
				a += src
			case ALUSub:
				a -= src
			case ALUMul:
				a *= src
			case ALUDiv:
				if src == 0 {
					return 0
				}
				a /= src
			case ALUMod:
				if src == 0 {
					return 0
				}
				a %= src
			case ALUAnd:
				a &= src
			case ALUOr:
				a |= src
			case ALUXor:
				a ^= src
			case ALULsh:
				if src >= 32 {
					a = 0
				} else {
					a <<= src
				}
			case ALURsh:
				if src >= 32 {
					a = 0
				} else {
					a >>= src
				}
			case ALUNeg:
				a = 0 - a
			}
		case ClassJMP:
			var cond bool
			switch ins.Op & 0xf0 {
			case JmpJA:
				if int32(ins.K) < 0 {
					if backward == 0 {
						return 0
					}
					backward--
				}
				pc += int(int32(ins.K))
				continue
			case JmpJEQ:
				cond = a == src
			case JmpJGT:
				cond = a > src
			case JmpJGE:
				cond = a >= src
			case JmpJSET:
				cond = a&src != 0
			}
			if cond {
				pc += int(ins.Jt)
			} else {
				pc += int(ins.Jf)
			}
		case ClassMISC:
			if ins.Op == OpTAX {
				x = a
			} else {
				a = x
			}
		}
	}
	return 0
}

// FuzzInterpret runs arbitrary bytecode (8-byte sock_filter records) that the
// validator accepts on arbitrary packets: Run must not panic, must terminate,
// and must agree with the reference interpreter and with the program's eBPF
// translation run in gbpf's VM.
func FuzzInterpret(f *testing.F) {
	f.Add(encodeRaw([]Instruction{Stmt(OpLdH, 12), Jump(OpJEQK, 0x800, 0, 1), Stmt(OpRetK, 1), Stmt(OpRetK, 0)}), make([]byte, 20), uint32(60))
	f.Fuzz(func(t *testing.T, code, pkt []byte, wireLen uint32) {
		insns := decodeRaw(code)
		p, err := NewProgram(insns)
		if err != nil {
			if p != nil {
				t.Fatalf("error %v with a program", err)
			}
			// Every program the kernel accepts is a valid libpcap program.
			if CheckKernel(insns) == nil {
				t.Fatalf("CheckKernel accepts what Validate rejects (%v)\n%s", err, DumpC(insns))
			}
			return
		}
		got := p.Run(pkt, wireLen)
		if want := refRun(insns, pkt, wireLen); got != want {
			t.Fatalf("Run = %#x, reference %#x\n%s", got, want, Disasm(insns))
		}
		if len(insns) <= 512 {
			if r0 := runEBPF(t, loadEBPF(t, insns), pkt, wireLen); r0 != uint64(got) {
				t.Fatalf("Run = %#x, translated eBPF %#x\n%s", got, r0, Disasm(insns))
			}
		}
	})
}

// TestRunMatchesReference compares Run with the reference interpreter on
// random valid programs and packets.
func TestRunMatchesReference(t *testing.T) {
	r := newRand(3)
	for i := 0; i < 3000; i++ {
		insns := genProgram(r, 60)
		p := MustProgram(insns)
		for j := 0; j < 10; j++ {
			pkt := genPacket(r, 100)
			wl := uint32(len(pkt) + r.Intn(3))
			if got, want := p.Run(pkt, wl), refRun(insns, pkt, wl); got != want {
				t.Fatalf("Run = %#x, reference %#x on % x\n%s", got, want, pkt, Disasm(insns))
			}
		}
	}
}
