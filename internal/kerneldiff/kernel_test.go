package kerneldiff

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/internal/progen"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/vm"
)

// Instructions of the hand-written test bodies.
var (
	exit     = isa.Instruction{OpCode: isa.OpExit}
	saveMem  = isa.Instruction{OpCode: isa.OpMovX, Dst: isa.R9, Src: isa.R1}
	retLen   = isa.Instruction{OpCode: isa.OpMovX, Dst: isa.R0, Src: isa.R2}
	lddwR0   = isa.Instruction{OpCode: isa.OpLDDW, Dst: isa.R0, Constant: -0x123456789abcdf0}
	loadByte = isa.Instruction{OpCode: uint8(isa.ClassLDX) | isa.ModeMEM | isa.SizeB, Dst: isa.R0, Src: isa.R9, Offset: 3}
	storeDW  = isa.Instruction{OpCode: isa.OpStDW, Dst: isa.R9, Offset: 8, Constant: -2}
)

func TestRunKernelKnownPrograms(t *testing.T) {
	requireKernel(t)
	mem := []byte{0, 1, 2, 0xfe, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	stored := append([]byte(nil), mem...)
	binary.LittleEndian.PutUint64(stored[8:], ^uint64(1))
	tests := []struct {
		name    string
		body    []isa.Instruction
		wantR0  uint64
		wantMem []byte
	}{
		{"r2 is the memory length", []isa.Instruction{saveMem, retLen, exit}, uint64(len(mem)), mem},
		{"all 64 bits of r0", []isa.Instruction{saveMem, lddwR0, exit}, uint64(lddwR0.Constant), mem},
		{"load from memory", []isa.Instruction{saveMem, loadByte, exit}, 0xfe, mem},
		{"store to memory", []isa.Instruction{saveMem, storeDW, retLen, exit}, uint64(len(mem)), stored},
		{"jump to the exit", []isa.Instruction{saveMem, retLen,
			{OpCode: uint8(isa.ClassJMP) | isa.JmpJEQ | isa.SrcK, Dst: isa.R0, Constant: 16, Offset: 2}, lddwR0, exit},
			uint64(len(mem)), mem},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := RunKernel(tt.body, isa.R9, mem)
			if err != nil {
				t.Fatal(err)
			}
			if res.R0 != tt.wantR0 || !bytes.Equal(res.Mem, tt.wantMem) {
				t.Errorf("got r0 %#x memory %x, want r0 %#x memory %x", res.R0, res.Mem, tt.wantR0, tt.wantMem)
			}
		})
	}
}

func TestRunKernelRejected(t *testing.T) {
	requireKernel(t)
	// Reads r5, which neither the prologue nor the body writes.
	body := []isa.Instruction{saveMem, {OpCode: isa.OpMovX, Dst: isa.R0, Src: isa.R5}, exit}
	_, err := RunKernel(body, isa.R9, make([]byte, 16))
	var rej *RejectedError
	if !errors.As(err, &rej) {
		t.Fatalf("got %v, want a *RejectedError", err)
	}
	if !strings.Contains(rej.Log, "!read_ok") {
		t.Errorf("verifier log does not name the unreadable register:\n%s", rej.Log)
	}
}

func TestWrapErrors(t *testing.T) {
	tests := []struct {
		name    string
		body    []isa.Instruction
		memReg  isa.Register
		memSize int
		want    string
	}{
		{"empty", nil, isa.R9, 16, "empty program"},
		{"no exit at the end", []isa.Instruction{saveMem}, isa.R9, 16, "insn 0: program does not end with exit"},
		{"early exit", []isa.Instruction{saveMem, exit, exit}, isa.R9, 16, "insn 1: exit before the end"},
		{"memory register r0", []isa.Instruction{exit}, isa.R0, 16, "memory register r0"},
		{"memory register r10", []isa.Instruction{exit}, isa.R10, 16, "memory register r10"},
		{"memory too small for XDP", []isa.Instruction{exit}, isa.R9, 5, "memory size 5 out of range"},
		{"memory too large", []isa.Instruction{exit}, isa.R9, 0x8000, "memory size 32768 out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Wrap(tt.body, tt.memReg, tt.memSize)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestWrapLayout(t *testing.T) {
	body := []isa.Instruction{saveMem, retLen, exit}
	got, err := Wrap(body, isa.R9, 16)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, ins := range got {
		b.WriteString(ins.String() + "\n")
	}
	want := `r2 = *(u32 *)(r1 +0)
r3 = *(u32 *)(r1 +4)
r4 = r2
r4 += 24
if r4 <= r3 goto pc+2
w0 = 0
exit
r1 = r2
r2 = 16
r9 = r1
r0 = r2
*(u64 *)(r9 +16) = r0
w0 = 2
exit
`
	if b.String() != want {
		t.Errorf("wrapped program:\n%s\nwant:\n%s", b.String(), want)
	}
}

// TestToCiliumExact checks that the conversion to cilium/ebpf keeps every
// byte: cilium's encoding of the converted program is isa's encoding.
func TestToCiliumExact(t *testing.T) {
	for i := range uint64(300) {
		prog := progen.Generate(rand.New(rand.NewPCG(5, i)), progen.DefaultConfig())
		wrapped, err := Wrap(prog, progen.MemReg, 64)
		if err != nil {
			t.Fatal(err)
		}
		insns, err := ToCilium(wrapped)
		if err != nil {
			t.Fatalf("stream %d: %v", i, err)
		}
		var buf bytes.Buffer
		if err := insns.Marshal(&buf, binary.LittleEndian); err != nil {
			t.Fatalf("stream %d: cilium/ebpf cannot encode: %v", i, err)
		}
		if want := isa.Encode(nil, wrapped); !bytes.Equal(buf.Bytes(), want) {
			t.Fatalf("stream %d: cilium/ebpf encodes\n%x\nisa encodes\n%x\n%s", i, buf.Bytes(), want, listing(wrapped))
		}
	}
}

// TestKernelDeviations pins two places where Linux 6.18 runs a program
// against RFC 9669, found by TestKernelVsVM and avoided by package progen.
// The VM must follow the RFC. The kernel may follow it (a fixed kernel) or
// show the known deviation; anything else fails.
func TestKernelDeviations(t *testing.T) {
	requireKernel(t)
	mem := make([]byte, 16)
	mem[0] = 7
	ins := func(op uint8, dst, src isa.Register, off int16, imm int64) isa.Instruction {
		return isa.Instruction{OpCode: op, Dst: dst, Src: src, Offset: off, Constant: imm}
	}
	const (
		ldxb  = uint8(isa.ClassLDX) | isa.ModeMEM | isa.SizeB
		stw   = uint8(isa.ClassST) | isa.ModeMEM | isa.SizeW
		stdw  = isa.OpStDW
		jeqK  = uint8(isa.ClassJMP) | isa.JmpJEQ | isa.SrcK
		jneK  = uint8(isa.ClassJMP) | isa.JmpJNE | isa.SrcK
		jneX  = uint8(isa.ClassJMP) | isa.JmpJNE | isa.SrcX
		jgtK  = uint8(isa.ClassJMP) | isa.JmpJGT | isa.SrcK
		cmpx  = isa.OpAtom | isa.SizeW
		fetch = isa.OpAtom | isa.SizeDW
	)
	tests := []struct {
		name         string
		body         []isa.Instruction
		rfcR0, bugR0 uint64
		rfcMem       []byte
		bugMem       []byte
	}{
		{
			// The stack slot holds -8, so r2 = -8 after the fetch and
			// both conditional jumps are taken: the store is dead. With
			// the goto +0 present the kernel drops the two jumps
			// instead of the dead gotol and store, and stores.
			name: "goto +0 shifts dead-code removal",
			body: []isa.Instruction{
				saveMem,
				ins(isa.OpJA, 0, 0, 0, 0),
				ins(isa.OpMov64, isa.R0, 0, 0, 1),
				ins(stdw, isa.R10, 0, -8, -8),
				ins(ldxb, isa.R1, isa.R9, 0, 0),
				ins(jneK, isa.R1, 0, 1, 99),
				ins(isa.OpStxDW, isa.R10, isa.R0, -8, 0),
				ins(fetch, isa.R10, isa.R2, -8, isa.AtomicOr|isa.AtomicFetch),
				ins(jgtK, isa.R2, 0, 1, 1000),
				ins(isa.OpJA32, 0, 0, 0, 1),
				ins(jneX, isa.R1, isa.R2, 1, 0),
				ins(stw, isa.R9, 0, 4, 6),
				exit,
			},
			rfcR0: 1, bugR0: 1,
			rfcMem: mem,
			bugMem: append(append(append([]byte(nil), mem[:4]...), 6, 0, 0, 0), mem[8:]...),
		},
		{
			// r0 = -1 and the stack word is 0xffffffff: the exchange
			// succeeds and r0 must become 0xffffffff, zero-extended.
			// Because the exit is also reached on a path without the
			// cmpxchg, the verifier prunes and misses the zero extension
			// the x86-64 JIT relies on.
			name: "cmpxchg32 success without zero extension",
			body: []isa.Instruction{
				saveMem,
				ins(isa.OpMov64, isa.R0, 0, 0, 5),
				ins(stw, isa.R10, 0, -4, -1),
				ins(ldxb, isa.R1, isa.R9, 0, 0),
				ins(jeqK, isa.R1, 0, 1, 7),
				ins(isa.OpJA32, 0, 0, 0, 2),
				ins(isa.OpMov64, isa.R0, 0, 0, -1),
				ins(cmpx, isa.R10, isa.R2, -4, isa.AtomicCmpXchg),
				exit,
			},
			rfcR0: 0xffffffff, bugR0: 0xffffffffffffffff,
			rfcMem: mem, bugMem: mem,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, e := range vm.Engines() {
				if v := runVM(tt.body, mem, e); v.err != nil || v.r0 != tt.rfcR0 || !bytes.Equal(v.mem, tt.rfcMem) {
					t.Errorf("vm engine %s: %s, want the RFC's r0 %#x memory %x", e, v, tt.rfcR0, tt.rfcMem)
				}
			}
			res, err := RunKernel(tt.body, isa.R9, mem)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case res.R0 == tt.rfcR0 && bytes.Equal(res.Mem, tt.rfcMem):
				t.Logf("the kernel follows the RFC")
			case res.R0 == tt.bugR0 && bytes.Equal(res.Mem, tt.bugMem):
				t.Logf("the kernel still deviates: r0 %#x, memory %x", res.R0, res.Mem)
			default:
				t.Errorf("r0 %#x memory %x: neither the RFC's (r0 %#x memory %x) nor the known deviation (r0 %#x memory %x)",
					res.R0, res.Mem, tt.rfcR0, tt.rfcMem, tt.bugR0, tt.bugMem)
			}
		})
	}
}
