package asm

import (
	"testing"

	"github.com/gbpf/gbpf/isa"
)

// checkAssembled checks the fuzz invariants of one Assemble call: an error
// or a result, and a result that survives Disassemble then Assemble in
// both syntaxes.
func checkAssembled(t *testing.T, src string, syntax Syntax) {
	insns, err := Assemble(src, syntax)
	if (err == nil) == (insns == nil) {
		t.Fatalf("result %v with error %v", insns, err)
	}
	if err != nil {
		if _, ok := err.(*SyntaxError); !ok {
			t.Fatalf("error %v is not a *SyntaxError", err)
		}
		return
	}
	roundTrip(t, insns)
}

func roundTrip(t *testing.T, insns []isa.Instruction) {
	for _, s := range []Syntax{Kernel, Conformance} {
		text := Disassemble(insns, s)
		back, err := Assemble(text, s)
		if err != nil {
			t.Fatalf("%s: reassembling failed: %v\n%s", s, err, text)
		}
		if !equalInsns(back, insns) {
			t.Fatalf("%s: round trip differs:\n%s\ngot  %v\nwant %v", s, text, back, insns)
		}
	}
}

func FuzzAssembleKernel(f *testing.F) {
	f.Add("r0 = 1\nexit\n")
	f.Add("l: if r1 s> -3 goto l\nr0 = 0x1122334455667788 ll\nlock *(u64 *)(r10 - 8) += r1\ncall pc+1\nexit\nexit")
	f.Fuzz(func(t *testing.T, src string) { checkAssembled(t, src, Kernel) })
}

func FuzzAssembleConformance(f *testing.F) {
	f.Add("mov %r0, 1\nexit\n")
	f.Add("l: jsgt32 %r1, -3, l\nlddw %r0, 0x1122334455667788\nlock fetch add [%r10-8], %r1\ncall local f\nexit\nf: exit")
	f.Fuzz(func(t *testing.T, src string) { checkAssembled(t, src, Conformance) })
}

// FuzzDisassemble: whatever isa.Decode accepts prints in both syntaxes as
// text that assembles back to the same instructions.
func FuzzDisassemble(f *testing.F) {
	f.Add([]byte{0xb7, 0, 0, 0, 1, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, code []byte) {
		insns, err := isa.Decode(code)
		if err != nil {
			return
		}
		roundTrip(t, insns)
	})
}

// TestRoundTripAllOpcodes tries every opcode byte with a spread of field
// values; every instruction isa.Decode accepts must survive Disassemble
// then Assemble in both syntaxes.
func TestRoundTripAllOpcodes(t *testing.T) {
	regs := []uint8{0, 1, 10}
	srcs := []uint8{0, 1, 2, 3, 4, 5, 6, 10}
	offs := []int16{0, 1, -1, 8, 16, 32, 0x7fff, -0x8000}
	imms := []int32{0, 1, -1, 16, 32, 64, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1, 0x7fffffff, -0x80000000}
	highs := []int32{0, 1, -1}
	valid := 0
	var insns []isa.Instruction
	flush := func() {
		if len(insns) > 0 {
			roundTrip(t, insns)
			insns = insns[:0]
		}
	}
	for op := 0; op < 256; op++ {
		for _, dst := range regs {
			for _, src := range srcs {
				for _, off := range offs {
					for _, imm := range imms {
						for h, hi := range highs {
							if h > 0 && op != int(isa.OpLDDW) {
								break
							}
							code := make([]byte, 16)
							code[0] = uint8(op)
							code[1] = src<<4 | dst
							code[2], code[3] = uint8(off), uint8(uint16(off)>>8)
							code[4], code[5], code[6], code[7] = uint8(imm), uint8(imm>>8), uint8(imm>>16), uint8(imm>>24)
							code[12], code[13], code[14], code[15] = uint8(hi), uint8(hi>>8), uint8(hi>>16), uint8(hi>>24)
							if op != int(isa.OpLDDW) {
								code = code[:8]
							}
							d, err := isa.Decode(code)
							if err != nil {
								continue
							}
							valid++
							insns = append(insns, d...)
							if len(insns) >= 512 {
								flush()
							}
						}
					}
				}
			}
		}
	}
	flush()
	t.Logf("%d valid instruction encodings round-tripped", valid)
}
