package isa

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// need skips the test with reason, or fails it when CI=true, where every
// prerequisite must be present.
func need(t testing.TB, ok bool, reason string) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("prerequisite missing under CI=true: %s", reason)
	}
	t.Skip(reason)
}

// raw builds one 8-byte slot.
func raw(op uint8, dst, src uint8, off int16, imm int32) []byte {
	b := make([]byte, 8)
	b[0] = op
	b[1] = src<<4 | dst
	binary.LittleEndian.PutUint16(b[2:], uint16(off))
	binary.LittleEndian.PutUint32(b[4:], uint32(imm))
	return b
}

func cat(slots ...[]byte) []byte {
	var b []byte
	for _, s := range slots {
		b = append(b, s...)
	}
	return b
}

var exit = raw(OpExit, 0, 0, 0, 0)

func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		code []byte
		want []Instruction
	}{
		{"empty", nil, []Instruction{}},
		{"mov exit", cat(raw(OpMov64, 0, 0, 0, -1), exit),
			[]Instruction{{OpCode: OpMov64, Constant: -1}, {OpCode: OpExit}}},
		{"lddw folds", cat(raw(OpLDDW, 1, 0, 0, 0x55667788), raw(0, 0, 0, 0, 0x11223344), exit),
			[]Instruction{{OpCode: OpLDDW, Dst: R1, Constant: 0x1122334455667788}, {OpCode: OpExit}}},
		{"lddw negative", cat(raw(OpLDDW, 1, 0, 0, -1), raw(0, 0, 0, 0, -1)),
			[]Instruction{{OpCode: OpLDDW, Dst: R1, Constant: -1}}},
		{"lddw map value", cat(raw(OpLDDW, 2, 2, 0, 7), raw(0, 0, 0, 0, 16)),
			[]Instruction{{OpCode: OpLDDW, Dst: R2, Src: PseudoMapValue, Constant: 16<<32 | 7}}},
		{"jump", cat(raw(uint8(ClassJMP)|JmpJEQ|SrcX, 1, 2, -3, 0)),
			[]Instruction{{OpCode: uint8(ClassJMP) | JmpJEQ | SrcX, Dst: R1, Src: R2, Offset: -3}}},
		{"gotol", cat(raw(OpJA32, 0, 0, 0, 100000)), []Instruction{{OpCode: OpJA32, Constant: 100000}}},
		{"callx", cat(raw(OpCallX, 3, 0, 0, 0)), []Instruction{{OpCode: OpCallX, Dst: R3}}},
		{"local call", cat(raw(OpCall, 0, 1, 0, -2)), []Instruction{{OpCode: OpCall, Src: PseudoCallLocal, Constant: -2}}},
		{"atomic", cat(raw(opAtomD, 10, 1, -8, int32(AtomicCmpXchg))),
			[]Instruction{{OpCode: opAtomD, Dst: R10, Src: R1, Offset: -8, Constant: AtomicCmpXchg}}},
		{"sdiv", cat(raw(uint8(ClassALU64)|ALUDiv|SrcK, 1, 0, 1, -3)),
			[]Instruction{{OpCode: uint8(ClassALU64) | ALUDiv, Dst: R1, Offset: 1, Constant: -3}}},
		{"ld_ind", cat(raw(opLDIND|SizeH, 0, 4, 0, 2)), []Instruction{{OpCode: opLDIND | SizeH, Src: R4, Constant: 2}}},
	}
	for _, tt := range tests {
		got, err := Decode(tt.code)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if len(got) != len(tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%s: insn %d: got %+v, want %+v", tt.name, i, got[i], tt.want[i])
			}
		}
		if back := Encode(nil, got); string(back) != string(tt.code) {
			t.Errorf("%s: Encode gives %x, want %x", tt.name, back, tt.code)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name   string
		code   []byte
		index  int
		reason string
	}{
		{"length", append(cat(exit), 1, 2, 3), 1, "not a multiple of 8"},
		{"lddw cut", cat(exit, raw(OpLDDW, 0, 0, 0, 1)), 1, "missing its second slot"},
		{"lddw second slot", cat(raw(OpLDDW, 0, 0, 0, 1), raw(0, 1, 0, 0, 0)), 0, "reserved fields"},
		{"lddw bad pseudo", cat(raw(OpLDDW, 0, 7, 0, 1), raw(0, 0, 0, 0, 0)), 0, "unknown source"},
		{"unknown opcode", cat(exit, raw(0xff, 0, 0, 0, 0)), 1, "unknown opcode"},
		{"unknown alu op", cat(raw(uint8(ClassALU64)|0xe0, 0, 0, 0, 0)), 0, "unknown opcode"},
		{"unknown jump op", cat(exit, exit, raw(uint8(ClassJMP)|0xe0, 0, 0, 0, 0)), 2, "unknown opcode"},
		{"jmp32 call", cat(raw(uint8(ClassJMP32)|JmpCall, 0, 0, 0, 0)), 0, "unknown opcode"},
		{"ldx dw signed", cat(raw(uint8(ClassLDX)|ModeMEMSX|SizeDW, 0, 1, 0, 0)), 0, "unknown opcode"},
		{"ld_abs dw", cat(raw(opLDABS|SizeDW, 0, 0, 0, 0)), 0, "unknown opcode"},
		{"alu imm with src", cat(raw(OpMov64, 0, 1, 0, 0)), 0, "reserved fields"},
		{"alu reg with imm", cat(raw(OpMovX, 0, 1, 0, 5)), 0, "reserved fields"},
		{"alu offset", cat(raw(uint8(ClassALU64)|ALUAdd, 0, 0, 1, 0)), 0, "reserved fields"},
		{"movsx imm", cat(raw(OpMov64, 0, 0, 8, 0)), 0, "reserved fields"},
		{"movsx32 from 32", cat(raw(uint8(ClassALU)|ALUMov|SrcX, 0, 1, 32, 0)), 0, "reserved fields"},
		{"neg with imm", cat(raw(uint8(ClassALU64)|ALUNeg, 0, 0, 0, 1)), 0, "reserved fields"},
		{"end width", cat(raw(uint8(ClassALU)|ALUEnd, 0, 0, 0, 8)), 0, "reserved fields"},
		{"exit with imm", cat(raw(OpExit, 0, 0, 0, 1)), 0, "reserved fields"},
		{"ja with dst", cat(raw(OpJA, 1, 0, 0, 0)), 0, "reserved fields"},
		{"gotol with offset", cat(raw(OpJA32, 0, 0, 1, 0)), 0, "reserved fields"},
		{"call bad source", cat(raw(OpCall, 0, 3, 0, 0)), 0, "reserved fields"},
		{"callx with imm", cat(raw(OpCallX, 1, 0, 0, 1)), 0, "reserved fields"},
		{"jump imm with src", cat(raw(uint8(ClassJMP)|JmpJEQ, 0, 1, 0, 0)), 0, "reserved fields"},
		{"ldx with imm", cat(raw(OpLdxDW, 0, 1, 0, 1)), 0, "reserved fields"},
		{"st with src", cat(raw(OpStDW, 0, 1, 0, 1)), 0, "reserved fields"},
		{"stx with imm", cat(raw(OpStxDW, 0, 1, 0, 1)), 0, "reserved fields"},
		{"atomic size", cat(raw(uint8(ClassSTX)|ModeATOMIC|SizeB, 0, 1, 0, 0)), 0, "atomic operand size"},
		{"atomic op", cat(raw(opAtomD, 0, 1, 0, 0x02)), 0, "invalid atomic operation"},
		{"ld_abs dst", cat(raw(opLDABS|SizeW, 1, 0, 0, 0)), 0, "reserved fields"},
		{"dst register", cat(exit, raw(OpMov64, 11, 0, 0, 0)), 1, "register out of range"},
		{"src register", cat(raw(OpMovX, 0, 15, 0, 0)), 0, "register out of range"},
		{"index after lddw", cat(raw(OpLDDW, 0, 0, 0, 1), raw(0, 0, 0, 0, 0), raw(0xff, 0, 0, 0, 0)), 1, "unknown opcode"},
	}
	for _, tt := range tests {
		got, err := Decode(tt.code)
		if err == nil || got != nil {
			t.Errorf("%s: got %v, %v; want an error", tt.name, got, err)
			continue
		}
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: error %v is not an *Error wrapping ErrInvalid", tt.name, err)
			continue
		}
		if e.Index != tt.index || !strings.Contains(e.Reason, tt.reason) {
			t.Errorf("%s: got index %d reason %q, want index %d reason containing %q", tt.name, e.Index, e.Reason, tt.index, tt.reason)
		}
		if !strings.HasPrefix(err.Error(), "insn ") {
			t.Errorf("%s: error %q does not start with the instruction", tt.name, err)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		ins    Instruction
		reason string // "" = valid
	}{
		{Instruction{OpCode: OpMov64, Dst: R1, Constant: -5}, ""},
		{Instruction{OpCode: OpLDDW, Dst: R1, Constant: 1 << 40}, ""},
		{Instruction{OpCode: OpMov64, Dst: R1, Constant: 1 << 40}, "does not fit in 32 bits"},
		{Instruction{OpCode: OpMov64, Dst: 11}, "register out of range"},
		{Instruction{OpCode: OpMovX, Dst: R1, Src: 12}, "register out of range"},
		{Instruction{OpCode: 0xff}, "unknown opcode"},
		{Instruction{OpCode: OpExit, Offset: 1}, "reserved fields"},
		{Instruction{OpCode: OpLDDW, Offset: 1}, "reserved fields"},
	}
	for _, tt := range tests {
		err := tt.ins.Validate()
		if tt.reason == "" {
			if err != nil {
				t.Errorf("%+v: %v", tt.ins, err)
			}
			continue
		}
		if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.reason) {
			t.Errorf("%+v: got %v, want an ErrInvalid mentioning %q", tt.ins, err, tt.reason)
		}
	}
}

func TestSlotIndex(t *testing.T) {
	insns := []Instruction{{OpCode: OpMov64}, {OpCode: OpLDDW}, {OpCode: OpExit}}
	si := NewSlotIndex(insns)
	for _, c := range []struct{ index, slot int }{{0, 0}, {1, 1}, {2, 3}, {3, 4}} {
		if got := si.Slot(c.index); got != c.slot {
			t.Errorf("Slot(%d) = %d, want %d", c.index, got, c.slot)
		}
		if got := si.Index(c.slot); got != c.index {
			t.Errorf("Index(%d) = %d, want %d", c.slot, got, c.index)
		}
	}
	if si.Index(2) != -1 || si.Index(-1) != -1 || si.Index(5) != -1 || si.Len() != 4 {
		t.Errorf("Index inside lddw or out of range: %d %d %d, Len %d", si.Index(2), si.Index(-1), si.Index(5), si.Len())
	}
}

// TestConformanceRoundTrip decodes and re-encodes every program of the
// conformance suite.
func TestConformanceRoundTrip(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "..", "shared", "conformance", "assembled.jsonl"))
	need(t, err == nil, "../shared/conformance/assembled.jsonl is missing")
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	n := 0
	for sc.Scan() {
		var rec struct{ Name, Program string }
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		code, err := hex.DecodeString(rec.Program)
		if err != nil {
			t.Fatalf("%s: %v", rec.Name, err)
		}
		insns, err := Decode(code)
		if err != nil {
			t.Errorf("%s: %v", rec.Name, err)
			continue
		}
		for i, ins := range insns {
			if err := ins.Validate(); err != nil {
				t.Errorf("%s: insn %d: %v", rec.Name, i, err)
			}
		}
		if back := Encode(nil, insns); string(back) != string(code) {
			t.Errorf("%s: re-encoding differs", rec.Name)
		}
		n++
	}
	if n != 313 {
		t.Errorf("round-tripped %d programs, want 313", n)
	}
}

// bigProgram returns n instructions of raw code, a mix of common kinds with
// one lddw in every 16.
func bigProgram(n int) []byte {
	code := make([]byte, 0, n*8+8)
	for len(code)/8 < n-2 {
		switch len(code) / 8 % 16 {
		case 0:
			code = append(code, raw(OpLDDW, 1, 0, 0, 7)...)
			code = append(code, raw(0, 0, 0, 0, 9)...)
		case 5:
			code = append(code, raw(uint8(ClassJMP)|JmpJGT|SrcK, 1, 0, 1, 5)...)
		case 9:
			code = append(code, raw(OpLdxDW, 2, 10, -8, 0)...)
		default:
			code = append(code, raw(uint8(ClassALU64)|ALUAdd|SrcX, 1, 2, 0, 0)...)
		}
	}
	return append(code, exit...)
}

// TestDecodeMillion decodes a 1,000,000-slot program; BenchmarkDecode
// measures the time (well under a second: see its ns/op).
func TestDecodeMillion(t *testing.T) {
	code := bigProgram(1_000_000)
	insns, err := Decode(code)
	if err != nil {
		t.Fatal(err)
	}
	if NewSlotIndex(insns).Len() != len(code)/8 {
		t.Errorf("decoded %d slots, want %d", NewSlotIndex(insns).Len(), len(code)/8)
	}
}

func BenchmarkDecode(b *testing.B) {
	code := bigProgram(1_000_000)
	b.SetBytes(int64(len(code)))
	for b.Loop() {
		if _, err := Decode(code); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	insns, err := Decode(bigProgram(1_000_000))
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 8_000_016)
	for b.Loop() {
		buf = Encode(buf[:0], insns)
	}
}

// FuzzDecode: Decode never panics, returns an error or instructions, and
// what it accepts encodes back to the same bytes and validates.
func FuzzDecode(f *testing.F) {
	f.Add(cat(raw(OpMov64, 0, 0, 0, 1), exit))
	f.Add(cat(raw(OpLDDW, 1, 0, 0, 1), raw(0, 0, 0, 0, 2)))
	f.Fuzz(func(t *testing.T, code []byte) {
		insns, err := Decode(code)
		if (err == nil) == (insns == nil) {
			t.Fatalf("result %v with error %v", insns, err)
		}
		if err != nil {
			return
		}
		if back := Encode(nil, insns); string(back) != string(code) {
			t.Fatalf("Encode(Decode(%x)) = %x", code, back)
		}
		for i, ins := range insns {
			if err := ins.Validate(); err != nil {
				t.Fatalf("insn %d: decoded but invalid: %v", i, err)
			}
			_ = ins.String()
		}
	})
}
