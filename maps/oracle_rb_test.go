package maps

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/ringbuf"
)

// rbKernel runs ring buffer helpers in the kernel: one small XDP program
// per operation and size, run with BPF_PROG_TEST_RUN.
type rbKernel struct {
	t     *testing.T
	m     *ebpf.Map
	progs map[string]*ebpf.Program
}

func (k *rbKernel) prog(name string, insns asm.Instructions) *ebpf.Program {
	if p, ok := k.progs[name]; ok {
		return p
	}
	p, err := ebpf.NewProgram(&ebpf.ProgramSpec{Type: ebpf.XDP, License: "GPL", Instructions: insns})
	if err != nil {
		k.t.Fatalf("load %s: %v", name, err)
	}
	k.t.Cleanup(func() { p.Close() })
	k.progs[name] = p
	return p
}

func (k *rbKernel) run(p *ebpf.Program) uint32 {
	ret, err := p.Run(&ebpf.RunOptions{Data: make([]byte, 14)})
	if err != nil {
		k.t.Fatalf("test run: %v", err)
	}
	return ret
}

// stackData fills the 512-byte stack with size's pattern (each 8-byte
// word holds size) and returns the first size bytes as the kernel sees them.
func stackData(size int) (asm.Instructions, []byte) {
	var insns asm.Instructions
	var data []byte
	for off := -512; off < 0; off += 8 {
		insns = append(insns, asm.StoreImm(asm.RFP, int16(off), int64(size), asm.Word),
			asm.StoreImm(asm.RFP, int16(off+4), 0, asm.Word))
		data = append(data, le64(uint64(size))...)
	}
	return insns, data[:size]
}

// output returns the positive errno of bpf_ringbuf_output(size bytes).
func (k *rbKernel) output(size int) uint32 {
	name := fmt.Sprintf("output%d", size)
	insns, _ := stackData(size)
	insns = append(insns,
		asm.LoadMapPtr(asm.R1, k.m.FD()),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -512),
		asm.Mov.Imm(asm.R3, int32(size)),
		asm.Mov.Imm(asm.R4, 0),
		asm.FnRingbufOutput.Call(),
		asm.Mov.Reg(asm.R1, asm.R0),
		asm.Mov.Imm(asm.R0, 0),
		asm.Sub.Reg(asm.R0, asm.R1),
		asm.Return(),
	)
	return k.run(k.prog(name, insns))
}

// reserveDiscard returns 1 if bpf_ringbuf_reserve failed, else discards
// the record and returns 0.
func (k *rbKernel) reserveDiscard(size int) uint32 {
	name := fmt.Sprintf("discard%d", size)
	return k.run(k.prog(name, asm.Instructions{
		asm.LoadMapPtr(asm.R1, k.m.FD()),
		asm.Mov.Imm(asm.R2, int32(size)),
		asm.Mov.Imm(asm.R3, 0),
		asm.FnRingbufReserve.Call(),
		asm.JEq.Imm(asm.R0, 0, "fail"),
		asm.Mov.Reg(asm.R1, asm.R0),
		asm.Mov.Imm(asm.R2, 0),
		asm.FnRingbufDiscard.Call(),
		asm.Mov.Imm(asm.R0, 0),
		asm.Return(),
		asm.Mov.Imm(asm.R0, 1).WithSymbol("fail"),
		asm.Return(),
	}))
}

func (k *rbKernel) query(what uint64) uint32 {
	return k.run(k.prog(fmt.Sprintf("query%d", what), asm.Instructions{
		asm.LoadMapPtr(asm.R1, k.m.FD()),
		asm.Mov.Imm(asm.R2, int32(what)),
		asm.FnRingbufQuery.Call(),
		asm.Return(),
	}))
}

// TestOracleRingBuf runs the same sequence of program-side ring buffer
// operations (output, reserve+discard, query) and reads in the kernel and
// here, comparing return codes, positions and the records read.
func TestOracleRingBuf(t *testing.T) {
	needKernel(t)
	const size = 4096
	km, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.RingBuf, MaxEntries: size})
	if err != nil {
		t.Fatal(err)
	}
	defer km.Close()
	k := &rbKernel{t: t, m: km, progs: map[string]*ebpf.Program{}}
	if _, err := ebpf.NewProgram(&ebpf.ProgramSpec{Type: ebpf.XDP, License: "GPL", Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, 0), asm.Return()}}); err != nil {
		msg := fmt.Sprintf("cannot load programs: %v", err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	krd, err := ringbuf.NewReader(km)
	if err != nil {
		t.Fatal(err)
	}
	defer krd.Close()
	g := mustNew(t, &Spec{Type: RingBuf, MaxEntries: size})
	grd, _ := NewRingBufReader(g)
	defer grd.Close()

	r := rand.New(rand.NewSource(seed(t)))
	sizes := []int{0, 1, 7, 8, 9, 100, 300, 504}
	ops, full := 0, 0
	for ops < 1500 {
		ops++
		sz := sizes[r.Intn(len(sizes))]
		switch p := r.Intn(10); {
		case p < 5:
			kr := k.output(sz)
			_, data := stackData(sz)
			gr := uint32(Errno(g.RingBufOutput(data, 0)))
			if kr != gr {
				t.Fatalf("op %d: output %d: kernel errno %d, gbpf %d", ops, sz, kr, gr)
			}
			if kr != 0 {
				full++
			}
		case p < 7:
			kr := k.reserveDiscard(sz)
			gr := uint32(1)
			if s := g.RingBufReserve(uint64(sz), 0); s != nil {
				gr = 0
				if err := g.RingBufDiscard(s, 0); err != nil {
					t.Fatal(err)
				}
			}
			if kr != gr {
				t.Fatalf("op %d: reserve+discard %d: kernel %d, gbpf %d", ops, sz, kr, gr)
			}
		case p < 9:
			for n := r.Intn(4); n > 0; n-- {
				krd.SetDeadline(time.Now().Add(20 * time.Millisecond))
				grd.SetDeadline(time.Now().Add(20 * time.Millisecond))
				krec, kerr := krd.Read()
				grec, gerr := grd.Read()
				if (kerr != nil) != (gerr != nil) {
					t.Fatalf("op %d: read: kernel %v, gbpf %v", ops, kerr, gerr)
				}
				if kerr != nil {
					if !errors.Is(kerr, os.ErrDeadlineExceeded) || !errors.Is(gerr, ErrDeadline) {
						t.Fatalf("op %d: read errors: kernel %v, gbpf %v", ops, kerr, gerr)
					}
					break
				}
				if !bytes.Equal(krec.RawSample, grec.RawSample) {
					t.Fatalf("op %d: read: kernel %x, gbpf %x", ops, krec.RawSample, grec.RawSample)
				}
			}
		default:
			for _, what := range []uint64{RBAvailData, RBRingSize, RBConsPos, RBProdPos, 9} {
				if kq, gq := k.query(what), uint32(g.RingBufQuery(what)); kq != gq {
					t.Fatalf("op %d: query %d: kernel %d, gbpf %d", ops, what, kq, gq)
				}
			}
		}
	}
	t.Logf("ring buffer: %d operations (%d outputs into a full ring), 0 mismatches", ops, full)
}
