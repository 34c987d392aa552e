package cbpf

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
)

func TestParseAsm(t *testing.T) {
	src := `
; IPv4 TCP to port 22, from the kernel documentation style
/* a block
   comment */
# a comment line
	ldh [12]
	jne #0x800, drop
	ldb [23]
	jeq #6, tcp, drop
tcp:	ldh [20]
	jset #0x1fff, drop
	ldxb 4*([14]&0xf)
	ldh [x + 16]
	jeq #22, keep
	jmp drop
keep:	ret #-1
drop:	ret #0
`
	want := []Instruction{
		Stmt(OpLdH, 12),
		Jump(OpJEQK, 0x800, 0, 9),
		Stmt(OpLdB, 23),
		Jump(OpJEQK, 6, 0, 7),
		Stmt(OpLdH, 20),
		Jump(OpJSETK, 0x1fff, 5, 0),
		Stmt(OpLdxMsh, 14),
		Stmt(OpLdIndH, 16),
		Jump(OpJEQK, 22, 1, 0),
		Stmt(OpJA, 1),
		Stmt(OpRetK, 0xffffffff),
		Stmt(OpRetK, 0),
	}
	got, err := ParseAsm(src)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%s\nwant\n%s", Disasm(got), Disasm(want))
	}
}

func TestParseAsmForms(t *testing.T) {
	tests := []struct {
		src  string
		want Instruction
	}{
		{"ld #proto", Stmt(OpLdW, SKFAdOff+SKFAdProtocol)},
		{"ld proto", Stmt(OpLdW, SKFAdOff+SKFAdProtocol)},
		{"ldh #vlan_tci", Stmt(OpLdH, SKFAdOff+SKFAdVlanTag)},
		{"ldb vlan_pr", Stmt(OpLdB, SKFAdOff+SKFAdVlanTagPresent)},
		{"LD #RAND", Stmt(OpLdW, SKFAdOff+SKFAdRandom)},
		{"ld #len", Stmt(OpLdLen, 0)},
		{"ld len", Stmt(OpLdLen, 0)},
		{"ldx #len", Stmt(OpLdxLen, 0)},
		{"ld #0x10", Stmt(OpLdImm, 16)},
		{"ldi 0b101", Stmt(OpLdImm, 5)},
		{"ldxi #010", Stmt(OpLdxImm, 8)},
		{"ld M[3]", Stmt(OpLdMem, 3)},
		{"ldx M[15]", Stmt(OpLdxMem, 15)},
		{"ld [%x + 4]", Stmt(OpLdIndW, 4)},
		{"ldh [x+4]", Stmt(OpLdIndH, 4)},
		{"ld [-1048576]", Stmt(OpLdW, SKFNetOff)},
		{"ldx 4*([14]&0xf)", Stmt(OpLdxMsh, 14)},
		{"st M[0]", Stmt(OpSt, 0)},
		{"stx m[1]", Stmt(OpStx, 1)},
		{"add #1", Stmt(OpAddK, 1)},
		{"sub %x", Stmt(OpSubX, 0)},
		{"mod #3", Stmt(OpModK, 3)},
		{"xor x", Stmt(OpXorX, 0)},
		{"neg", Stmt(OpNeg, 0)},
		{"tax", Stmt(OpTAX, 0)},
		{"txa", Stmt(OpTXA, 0)},
		{"ret a", Stmt(OpRetA, 0)},
		{"ret %a", Stmt(OpRetA, 0)},
		{"ret x", Stmt(OpRetX, 0)},
		{"ret #4294967295", Stmt(OpRetK, 0xffffffff)},
	}
	for _, tt := range tests {
		got, err := ParseAsm(tt.src)
		if err != nil {
			t.Errorf("%q: %v", tt.src, err)
			continue
		}
		if len(got) != 1 || got[0] != tt.want {
			t.Errorf("%q: got %+v, want %+v", tt.src, got, tt.want)
		}
	}
}

func TestParseAsmJumps(t *testing.T) {
	got, err := ParseAsm("a1: jlt #5, b1\n jle x, b1\n jset x, c1, b1\nc1: jgt #1, b1, b1\nb1: ja a1")
	if err != nil {
		t.Fatal(err)
	}
	want := []Instruction{
		Jump(OpJGEK, 5, 0, 3),
		Jump(OpJGTX, 0, 0, 2),
		Jump(OpJSETX, 0, 0, 1),
		Jump(OpJGTK, 1, 0, 0),
		Stmt(OpJA, 0xfffffffb), // backward: libpcap style, the kernel rejects it
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestParseAsmErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"a1: jset x, b1, a1\nb1: ret #0", "1:17: insn #0 jumps to insn #0, which is out of range"},
		{"jeq #1, nowhere\nret #0", "1:9: no such label \"nowhere\""},
		{"l1: ret #0\nl1: ret #1", "2:1: label \"l1\" defined twice"},
		{"ldb #len", "1:5: ldb needs [k], [x + k] or an extension, found \"#\""},
		{"ldxb 3*([14]&0xf)", "1:6: ldxb offset not supported: only 4*([k]&0xf)"},
		{"frob #1", "1:1: unknown instruction \"frob\""},
		{"ret #0x100000000", "1:6: bad number \"0x100000000\""},
		{"ld [12", "1:7: expected \"]\", found end of input"},
		{"ret @", "1:5: unknown character '@'"},
		{"/* open", "1:1: unterminated comment"},
		{"jeq #1, ret", "1:9: expected a label, found \"ret\""},
	}
	for _, tt := range tests {
		got, err := ParseAsm(tt.src)
		if err == nil {
			t.Errorf("%q: parsed %+v", tt.src, got)
			continue
		}
		if got != nil || err.Error() != tt.want || !errors.Is(err, ErrSyntax) {
			t.Errorf("%q: %v, want %q", tt.src, err, tt.want)
		}
	}
}

// hideInAsm clears the fields FormatAsm does not print.
func hideInAsm(ins Instruction) Instruction {
	if !ins.IsConditionalJump() {
		ins.Jt, ins.Jf = 0, 0
	}
	switch {
	case ins.Op == OpLdLen || ins.Op == OpLdxLen || ins.Op == OpNeg || ins.Op == OpTAX ||
		ins.Op == OpTXA || ins.Op == OpRetA || ins.Op == OpRetX:
		ins.K = 0
	case ins.Class() == ClassALU && ins.Op&SrcX != 0, ins.Class() == ClassJMP && ins.Op&SrcX != 0:
		ins.K = 0
	}
	return ins
}

// TestAsmRoundTripTcpdump prints every tcpdump-compiled program of
// testdata/expressions.txt in bpf_asm syntax and parses it back.
func TestAsmRoundTripTcpdump(t *testing.T) {
	needTcpdump(t)
	for _, expr := range readExpressions(t) {
		insns := compileTcpdump(t, expr)
		text, err := FormatAsm(insns)
		if err != nil {
			t.Errorf("%q: %v", expr, err)
			continue
		}
		back, err := ParseAsm(text)
		if err != nil {
			t.Errorf("%q: %v\n%s", expr, err, text)
			continue
		}
		for i := range insns {
			insns[i] = hideInAsm(insns[i])
		}
		if !reflect.DeepEqual(back, insns) {
			t.Errorf("%q: round trip differs\n%s", expr, text)
		}
	}
}

func TestFormatAsmErrors(t *testing.T) {
	if _, err := FormatAsm([]Instruction{Stmt(0x55, 0)}); err == nil {
		t.Errorf("opcode 0x55 formatted")
	}
	if _, err := FormatAsm([]Instruction{Stmt(OpJA, 5), Stmt(OpRetK, 0)}); err == nil || err.Error() != "cbpf: insn 0: jump target 6 outside the program" {
		t.Errorf("ja out of range: %v", err)
	}
}

func ExampleFormatAsm() {
	text, _ := FormatAsm([]Instruction{
		Stmt(OpLdH, 12),
		Jump(OpJEQK, 0x806, 0, 1),
		Stmt(OpRetK, 0xffffffff),
		Stmt(OpRetK, 0),
	})
	fmt.Print(text)
	// Output:
	// 	ldh [12]
	// 	jeq #0x806, L2, L3
	// L2:	ret #4294967295
	// L3:	ret #0
}
