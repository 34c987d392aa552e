package progen

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/isa"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func newRand(seed, stream uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, stream)) }

func TestGenerateGuarantees(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		streams uint64 // programs to generate; 0 = 200
	}{
		{"default", DefaultConfig(), 0},
		{"zero config", Config{}, 0},
		{"one instruction", Config{Insns: 1, MemSize: 16}, 0},
		{"no memory", Config{Insns: 100}, 0},
		{"one byte of memory", Config{Insns: 100, MemSize: 1}, 0},
		{"three bytes of memory", Config{Insns: 100, MemSize: 3}, 0},
		{"smallest stack", Config{Insns: 100, MemSize: 64, StackSize: 8}, 0},
		{"whole stack", Config{Insns: 200, MemSize: 256, StackSize: MaxStackSize}, 50},
		{"no conditional jumps", Config{Insns: 100, MemSize: 64, MaxCondJumps: -1}, 0},
		{"many conditional jumps", Config{Insns: 400, MemSize: 64, MaxCondJumps: 1000}, 50},
		{"long", Config{Insns: 5000, MemSize: 1000, StackSize: 256, MaxCondJumps: 500}, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			streams := tt.streams
			if streams == 0 {
				streams = 200
			}
			for i := range streams {
				prog := Generate(newRand(1, i), tt.cfg)
				if err := Check(prog, tt.cfg); err != nil {
					t.Fatalf("stream %d: %v\n%s", i, err, listing(prog))
				}
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	cfg := DefaultConfig()
	distinct := map[string]bool{}
	for i := range uint64(50) {
		a := Generate(newRand(7, i), cfg)
		b := Generate(newRand(7, i), cfg)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("stream %d: two generations from the same seed differ:\n%s\n---\n%s", i, listing(a), listing(b))
		}
		distinct[string(isa.Encode(nil, a))] = true
	}
	if len(distinct) != 50 {
		t.Errorf("50 seeds gave only %d distinct programs", len(distinct))
	}
}

func TestRoundTrip(t *testing.T) {
	cfg := DefaultConfig()
	for i := range uint64(500) {
		prog := Generate(newRand(3, i), cfg)
		raw := isa.Encode(nil, prog)
		back, err := isa.Decode(raw)
		if err != nil {
			t.Fatalf("stream %d: decoding the encoded program: %v\n%s", i, err, listing(prog))
		}
		if !reflect.DeepEqual(back, prog) {
			t.Fatalf("stream %d: decode(encode(p)) != p:\n%s\n---\n%s", i, listing(prog), listing(back))
		}
	}
}

// feature names what an instruction exercises, for the coverage test.
func feature(ins isa.Instruction) string {
	op := ins.OpCode
	class := ins.Class()
	switch class {
	case isa.ClassALU, isa.ClassALU64:
		return fmt.Sprintf("alu class=%d op=%#x src=%#x off=%d", class, op&0xf0, op&isa.SrcX, ins.Offset)
	case isa.ClassJMP, isa.ClassJMP32:
		return fmt.Sprintf("jmp class=%d op=%#x src=%#x", class, op&0xf0, op&isa.SrcX)
	case isa.ClassSTX:
		if op&0xe0 == isa.ModeATOMIC {
			return fmt.Sprintf("atomic size=%#x op=%#x", op&0x18, ins.Constant)
		}
	}
	base := "mem"
	if ins.Dst == isa.R10 || class == isa.ClassLDX && ins.Src == isa.R10 {
		base = "stack"
	}
	return fmt.Sprintf("%s opcode=%#x", base, op)
}

func TestCoverage(t *testing.T) {
	want := map[string]bool{}
	for _, class := range []isa.Class{isa.ClassALU, isa.ClassALU64} {
		for _, op := range aluOps {
			for _, src := range []uint8{isa.SrcK, isa.SrcX} {
				want[fmt.Sprintf("alu class=%d op=%#x src=%#x off=0", class, op, src)] = true
				if op == isa.ALUDiv || op == isa.ALUMod {
					want[fmt.Sprintf("alu class=%d op=%#x src=%#x off=1", class, op, src)] = true
				}
			}
		}
		want[fmt.Sprintf("alu class=%d op=%#x src=0x0 off=0", class, isa.ALUMov)] = true
		want[fmt.Sprintf("alu class=%d op=%#x src=0x8 off=0", class, isa.ALUMov)] = true
		want[fmt.Sprintf("alu class=%d op=%#x src=0x8 off=8", class, isa.ALUMov)] = true
		want[fmt.Sprintf("alu class=%d op=%#x src=0x8 off=16", class, isa.ALUMov)] = true
		want[fmt.Sprintf("alu class=%d op=%#x src=0x0 off=0", class, isa.ALUNeg)] = true
		want[fmt.Sprintf("alu class=%d op=%#x src=0x0 off=0", class, isa.ALUEnd)] = true
	}
	want[fmt.Sprintf("alu class=%d op=%#x src=0x8 off=32", isa.ClassALU64, isa.ALUMov)] = true
	want[fmt.Sprintf("alu class=%d op=%#x src=0x8 off=0", isa.ClassALU, isa.ALUEnd)] = true
	for _, class := range []isa.Class{isa.ClassJMP, isa.ClassJMP32} {
		for _, op := range condOps {
			want[fmt.Sprintf("jmp class=%d op=%#x src=0x0", class, op)] = true
			want[fmt.Sprintf("jmp class=%d op=%#x src=0x8", class, op)] = true
		}
		want[fmt.Sprintf("jmp class=%d op=0x0 src=0x0", class)] = true
	}
	for _, size := range []uint8{isa.SizeW, isa.SizeDW} {
		for _, op := range atomicOps {
			want[fmt.Sprintf("atomic size=%#x op=%#x", size, op)] = true
		}
	}
	for _, base := range []string{"stack", "mem"} {
		for _, size := range sizes {
			want[fmt.Sprintf("%s opcode=%#x", base, uint8(isa.ClassST)|isa.ModeMEM|size)] = true
			want[fmt.Sprintf("%s opcode=%#x", base, uint8(isa.ClassSTX)|isa.ModeMEM|size)] = true
			want[fmt.Sprintf("%s opcode=%#x", base, uint8(isa.ClassLDX)|isa.ModeMEM|size)] = true
			if size != isa.SizeDW {
				want[fmt.Sprintf("%s opcode=%#x", base, uint8(isa.ClassLDX)|isa.ModeMEMSX|size)] = true
			}
		}
	}
	want[fmt.Sprintf("mem opcode=%#x", isa.OpLDDW)] = true
	want["load through a derived pointer"] = true
	want["load through a derived pointer into itself"] = true
	want[fmt.Sprintf("store or atomic %#x through a derived pointer", isa.ModeMEM)] = true
	want[fmt.Sprintf("store or atomic %#x through a derived pointer", isa.ModeATOMIC)] = true

	cfg := DefaultConfig()
	seen := map[string]bool{}
	shiftOutOfRange, divByZeroReg := false, false
	for i := range uint64(2000) {
		for _, ins := range Generate(newRand(11, i), cfg) {
			seen[feature(ins)] = true
			switch c := ins.Class(); {
			case c == isa.ClassLDX && ins.Src != isa.R10 && ins.Src != MemReg:
				seen["load through a derived pointer"] = true
				if ins.Dst == ins.Src {
					seen["load through a derived pointer into itself"] = true
				}
			case (c == isa.ClassST || c == isa.ClassSTX) && ins.Dst != isa.R10 && ins.Dst != MemReg:
				seen[fmt.Sprintf("store or atomic %#x through a derived pointer", ins.OpCode&0xe0)] = true
			}
			if ins.OpCode&isa.SrcX != 0 && (ins.OpCode&0xf0 == isa.ALULsh || ins.OpCode&0xf0 == isa.ALURsh) {
				shiftOutOfRange = true
			}
			if ins.OpCode&isa.SrcX != 0 && ins.OpCode&0xf0 == isa.ALUDiv {
				divByZeroReg = true
			}
		}
	}
	var missing []string
	for f := range want {
		if !seen[f] {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		t.Errorf("2000 programs never exercised:\n%s", strings.Join(missing, "\n"))
	}
	if !shiftOutOfRange || !divByZeroReg {
		t.Errorf("register shifts seen: %v, register divisions seen: %v", shiftOutOfRange, divByZeroReg)
	}
}

func TestConfigOutOfRange(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"negative insns", Config{Insns: -1}},
		{"too many insns", Config{Insns: MaxInsns + 1}},
		{"negative memory", Config{MemSize: -1}},
		{"too much memory", Config{MemSize: MaxMemSize + 1}},
		{"stack not a multiple of 8", Config{StackSize: 12}},
		{"stack too large", Config{StackSize: MaxStackSize + 8}},
		{"negative stack", Config{StackSize: -8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("Generate(%+v) did not panic", tt.cfg)
				}
			}()
			Generate(newRand(1, 1), tt.cfg)
		})
	}
}

// listing is the program as text, one instruction a line with its index.
func listing(prog []isa.Instruction) string {
	var b strings.Builder
	for i, ins := range prog {
		fmt.Fprintf(&b, "%4d: %s\n", i, ins)
	}
	return b.String()
}

// TestGolden pins the programs of a few seeds, so that a change of the
// generator (which changes every replayed seed of the differential tests)
// is deliberate: rerun with -update and commit the new golden file.
func TestGolden(t *testing.T) {
	var b bytes.Buffer
	for _, tc := range []struct {
		seed, stream uint64
		cfg          Config
	}{
		{1, 0, Config{Insns: 24, MemSize: 16, StackSize: 16, MaxCondJumps: 4}},
		{2, 5, Config{Insns: 40, MemSize: 32, StackSize: 24}},
	} {
		fmt.Fprintf(&b, "# seed %d stream %d config %+v\n", tc.seed, tc.stream, tc.cfg)
		b.WriteString(listing(Generate(newRand(tc.seed, tc.stream), tc.cfg)))
	}
	path := filepath.Join("testdata", "golden.txt")
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading the golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("generated programs differ from %s (run with -update if the change is intended):\n%s", path, b.String())
	}
}

func FuzzGenerate(f *testing.F) {
	f.Add(uint64(1), uint64(2), uint16(64), uint16(64), uint8(8), int8(8))
	f.Add(uint64(0), uint64(0), uint16(1), uint16(0), uint8(1), int8(-1))
	f.Fuzz(func(t *testing.T, seed, stream uint64, insns, mem uint16, stackSlots uint8, conds int8) {
		cfg := Config{
			Insns:        1 + int(insns)%2000,
			MemSize:      int(mem) % (MaxMemSize + 1),
			StackSize:    8 * (1 + int(stackSlots)%(MaxStackSize/8)),
			MaxCondJumps: int(conds),
		}
		prog := Generate(newRand(seed, stream), cfg)
		if err := Check(prog, cfg); err != nil {
			t.Fatalf("config %+v: %v\n%s", cfg, err, listing(prog))
		}
		if _, err := isa.Decode(isa.Encode(nil, prog)); err != nil {
			t.Fatalf("config %+v: generated program does not decode: %v", cfg, err)
		}
	})
}

func ExampleGenerate() {
	r := rand.New(rand.NewPCG(1, 2))
	prog := Generate(r, Config{Insns: 4, MemSize: 8, StackSize: 8, MaxCondJumps: 1})
	fmt.Println(prog[0])
	fmt.Println(prog[len(prog)-1])
	// Output:
	// r9 = r1
	// exit
}
