package cbpf

import (
	"fmt"
	"math/rand"
	"os/exec"
	"testing"

	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/vm"
)

// runEBPF runs a ToEBPFMem translation in gbpf's VM.
func runEBPF(t testing.TB, p *vm.Program, pkt []byte, wireLen uint32) uint64 {
	t.Helper()
	r0, err := p.Run(PacketMem(pkt, wireLen))
	if err != nil {
		t.Fatalf("vm: %v", err)
	}
	return r0
}

func loadEBPF(t testing.TB, insns []Instruction) *vm.Program {
	t.Helper()
	code, err := ToEBPFMem(insns)
	if err != nil {
		t.Fatalf("ToEBPFMem: %v\n%s", err, Disasm(insns))
	}
	for i, ins := range code {
		if err := ins.Validate(); err != nil {
			t.Fatalf("insn %d %v: %v", i, ins, err)
		}
	}
	// The raw convention passes packets of any length, which the raw type's
	// verifier model (memory of one size) cannot describe: checked mode.
	p, err := vm.Load(code, vm.Options{Unverified: true})
	if err != nil {
		t.Fatalf("vm.Load: %v\n%s", err, Disasm(insns))
	}
	return p
}

// TestToEBPFHandWritten covers every instruction and edge of the
// translation on small packets.
func TestToEBPFHandWritten(t *testing.T) {
	r := rand.New(rand.NewSource(4))
	progs := [][]string{
		{"ld [0]", "ret"},
		{"ldh [1]", "ret"},
		{"ldb [3]", "ret"},
		{"ld [-1]", "ret #1"},
		{"ld [40000]", "ret #1"},
		{"ldx #0x2", "ld [x + 1]", "ret"},
		{"ldx #0xffffffff", "ldb [x + 2]", "ret #1"},
		{"ldxb 4*([0]&0xf)", "txa", "ret"},
		{"ld #pktlen", "ret"},
		{"unimp 0x81", "txa", "ret"},
		{"ld #0x5", "st M[3]", "ld M[3]", "ldx M[4]", "add x", "ret"},
		{"ld #0x64", "ldx #0x0", "div x", "ret #7"},
		{"ld #0x64", "ldx #0x0", "mod x", "ret #7"},
		{"ld #0x64", "ldx #0x7", "mod x", "ret"},
		{"ld #0x1", "ldx #0x20", "lsh x", "ret"},
		{"ld #0x80000000", "ldx #0x1f", "rsh x", "ret"},
		{"ld #0x3", "neg", "ret"},
		{"ld #0x80000000", "jgt #0x1 jt 2 jf 3", "ret #1", "ret #2"},
		{"ld #0x7", "jset #0x8 jt 2 jf 3", "ret #1", "ret #2"},
		{"ld #0x7", "jset #0x8 jt 2 jf 2", "ret #1"},
		{"ld #0x0", "add #1", "ja 1", "ret"},
		{"ld #0x0", "add #1", "jgt #0x9 jt 4 jf 3", "ja 1", "ret"},
		{"ret #-1"},
	}
	for _, src := range progs {
		insns := asm(t, src...)
		ours := MustProgram(insns)
		p := loadEBPF(t, insns)
		for j := 0; j < 30; j++ {
			pkt := genPacket(r, 8)
			if j == 0 {
				pkt = []byte{0xff}
			}
			wl := uint32(len(pkt)) + uint32(r.Intn(2))
			if got, want := runEBPF(t, p, pkt, wl), uint64(ours.Run(pkt, wl)); got != want {
				t.Errorf("%q on % x: eBPF %#x, Run %#x", src, pkt, got, want)
				break
			}
		}
	}
}

// TestToEBPFCaptures translates the tcpdump programs of
// testdata/expressions.txt and 40 random programs, and runs each, translated
// in gbpf's VM and interpreted by Run, over every packet of
// merged-en10mb.pcap: the verdicts must be identical.
func TestToEBPFCaptures(t *testing.T) {
	pkts := loadMerged(t)
	if testing.Short() {
		pkts = pkts[:300]
	}
	type prog struct {
		name  string
		insns []Instruction
	}
	var progs []prog
	for _, f := range loadBenchFilters(t) {
		progs = append(progs, prog{f.expr, f.insns})
	}
	if _, err := execLookTcpdump(); err == nil {
		for _, expr := range readExpressions(t) {
			progs = append(progs, prog{expr, compileTcpdump(t, expr)})
		}
	}
	r := rand.New(rand.NewSource(5))
	for len(progs) < 106 {
		progs = append(progs, prog{"random", genProgram(r, 40)})
	}
	runs := 0
	for _, pr := range progs {
		ours := MustProgram(pr.insns)
		p := loadEBPF(t, pr.insns)
		for _, pk := range pkts {
			if got, want := runEBPF(t, p, pk.data, pk.wireLen), uint64(ours.Run(pk.data, pk.wireLen)); got != want {
				t.Fatalf("%q on % x: eBPF %#x, Run %#x\n%s", pr.name, pk.data, got, want, Disasm(pr.insns))
			}
			runs++
		}
	}
	t.Logf("%d programs, %d packets each, %d runs: translated eBPF and Run agree", len(progs), len(pkts), runs)
}

func TestToEBPFRejectsInvalid(t *testing.T) {
	if _, err := ToEBPF([]Instruction{Stmt(OpLdImm, 0)}); err == nil {
		t.Error("program without a return translated")
	}
}

func ExampleToEBPF() {
	code, _ := ToEBPF([]Instruction{Stmt(OpLdLen, 0), Stmt(OpRetA, 0)})
	for _, ins := range code {
		fmt.Println(ins)
	}
	// Output:
	// w0 = w3
	// exit
}

func execLookTcpdump() (string, error) { return exec.LookPath("tcpdump") }

// TestToEBPFSetsBeforeReading checks translations of random programs for
// what the VM, which starts every register at 0, cannot show: that on
// every path each register is set before it is read (r1, r2 and r10 are
// set on entry), as the kernel's verifier demands. (ExampleToEBPF shows
// that a program without checks gets no unreachable "return 0" tail.)
func TestToEBPFSetsBeforeReading(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	progs := [][]Instruction{
		{Stmt(OpLdLen, 0), Stmt(OpRetA, 0)},
		{Stmt(OpRetK, 1)},
		{Stmt(OpTXA, 0), Stmt(OpRetA, 0)},
		{Stmt(OpRetA, 0)},
		{Stmt(OpLdxMsh, 14), Stmt(OpLdIndH, 14), Stmt(OpRetA, 0)},
		{Stmt(OpLdMem, 3), Stmt(OpRetA, 0)},
		{Stmt(OpAddX, 0), Stmt(OpRetA, 0)},
		{Stmt(OpLdxLen, 0), Stmt(OpStx, 1), Stmt(OpRetK, 0)},
	}
	for range 500 {
		progs = append(progs, genProgram(r, 30))
	}
	for _, insns := range progs {
		code, err := ToEBPFMem(insns)
		if err != nil {
			t.Fatalf("ToEBPFMem: %v\n%s", err, Disasm(insns))
		}
		if i, reg, ok := firstUnsetRead(code); !ok {
			t.Fatalf("eBPF instruction %d (%v) reads r%d before it is set\n%s", i, code[i], reg, Disasm(insns))
		}
	}
}

// firstUnsetRead runs a must-be-set analysis over code (no lddw, calls or
// atomics, as ToEBPF emits): it returns the first reachable instruction
// that reads a register not set on every path to it.
func firstUnsetRead(code []isa.Instruction) (int, int, bool) {
	const entry = 1<<1 | 1<<2 | 1<<10
	in := make([]uint16, len(code)) // registers set on every path so far
	seen := make([]bool, len(code))
	in[0], seen[0] = entry, true
	for changed := true; changed; {
		changed = false
		for i, ins := range code {
			if !seen[i] {
				continue
			}
			out := in[i] | writes(ins)
			var succ []int
			switch {
			case ins.OpCode == isa.OpExit:
			case ins.OpCode == isa.OpJA:
				succ = []int{i + 1 + int(ins.Offset)}
			case ins.IsJump():
				succ = []int{i + 1, i + 1 + int(ins.Offset)}
			default:
				succ = []int{i + 1}
			}
			for _, j := range succ {
				switch {
				case !seen[j]:
					seen[j], in[j], changed = true, out, true
				case in[j]&out != in[j]:
					in[j] &= out
					changed = true
				}
			}
		}
	}
	for i, ins := range code {
		if !seen[i] {
			continue
		}
		if miss := reads(ins) &^ in[i]; miss != 0 {
			for reg := 0; reg < 11; reg++ {
				if miss&(1<<reg) != 0 {
					return i, reg, false
				}
			}
		}
	}
	return 0, 0, true
}

func reads(ins isa.Instruction) uint16 {
	dst, src := uint16(1)<<ins.Dst, uint16(1)<<ins.Src
	srcX := ins.OpCode&isa.SrcX != 0
	switch ins.Class() {
	case isa.ClassALU, isa.ClassALU64:
		var m uint16
		if ins.OpCode&0xf0 != isa.ALUMov {
			m |= dst
		}
		if srcX && ins.OpCode&0xf0 != isa.ALUEnd && ins.OpCode&0xf0 != isa.ALUNeg {
			m |= src
		}
		return m
	case isa.ClassLDX:
		return src
	case isa.ClassST:
		return dst
	case isa.ClassSTX:
		return dst | src
	case isa.ClassJMP, isa.ClassJMP32:
		switch {
		case ins.OpCode == isa.OpExit:
			return 1 // r0
		case ins.OpCode == isa.OpJA:
			return 0
		case srcX:
			return dst | src
		}
		return dst
	}
	return 0
}

func writes(ins isa.Instruction) uint16 {
	switch ins.Class() {
	case isa.ClassALU, isa.ClassALU64, isa.ClassLDX:
		return 1 << ins.Dst
	}
	return 0
}
