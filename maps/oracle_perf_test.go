package maps

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/perf"
)

// TestOraclePerfEventArray runs bpf_perf_event_output in the kernel (XDP
// programs under test_run, read with cilium/ebpf's perf reader) and here
// on the same CPU slot, comparing return codes and the samples read.
func TestOraclePerfEventArray(t *testing.T) {
	needKernel(t)
	ncpu := PossibleCPUs()
	km, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.PerfEventArray, KeySize: 4, ValueSize: 4, MaxEntries: uint32(ncpu)})
	if err != nil {
		t.Fatal(err)
	}
	defer km.Close()
	if _, err := ebpf.NewProgram(&ebpf.ProgramSpec{Type: ebpf.XDP, License: "GPL", Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, 0), asm.Return()}}); err != nil {
		msg := fmt.Sprintf("cannot load programs: %v", err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	krd, err := perf.NewReader(km, 4096)
	if err != nil {
		t.Fatal(err)
	}
	defer krd.Close()
	g := mustNew(t, &Spec{Type: PerfEventArray, KeySize: 4, ValueSize: 4, MaxEntries: uint32(ncpu)})
	grd, err := NewPerfReader(g, 4096)
	if err != nil {
		t.Fatal(err)
	}
	defer grd.Close()

	progs := map[string]*ebpf.Program{}
	run := func(flags uint64, size int) (errno, cpu int) {
		name := fmt.Sprintf("%x/%d", flags, size)
		p, ok := progs[name]
		if !ok {
			insns, _ := stackData(size)
			insns = append(asm.Instructions{asm.Mov.Reg(asm.R6, asm.R1)}, insns...)
			insns = append(insns,
				asm.FnGetSmpProcessorId.Call(),
				asm.Mov.Reg(asm.R7, asm.R0),
				asm.Mov.Reg(asm.R1, asm.R6),
				asm.LoadMapPtr(asm.R2, km.FD()),
				asm.LoadImm(asm.R3, int64(flags), asm.DWord),
				asm.Mov.Reg(asm.R4, asm.RFP),
				asm.Add.Imm(asm.R4, -512),
				asm.Mov.Imm(asm.R5, int32(size)),
				asm.FnPerfEventOutput.Call(),
				asm.Mov.Reg(asm.R1, asm.R0),
				asm.Mov.Imm(asm.R0, 0),
				asm.Sub.Reg(asm.R0, asm.R1),
				asm.And.Imm(asm.R0, 0xff),
				asm.LSh.Imm(asm.R7, 8),
				asm.Or.Reg(asm.R0, asm.R7),
				asm.Return(),
			)
			var err error
			p, err = ebpf.NewProgram(&ebpf.ProgramSpec{Type: ebpf.XDP, License: "GPL", Instructions: insns})
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			t.Cleanup(func() { p.Close() })
			progs[name] = p
		}
		ret, err := p.Run(&ebpf.RunOptions{Data: make([]byte, 14)})
		if err != nil {
			t.Fatal(err)
		}
		return int(ret & 0xff), int(ret>>8) & 0xff
	}

	r := rand.New(rand.NewSource(seed(t)))
	sizes := []int{1, 4, 8, 13, 100}
	flagChoices := []uint64{PerfCurrentCPU, PerfCurrentCPU, 0, 1, uint64(ncpu), 1 << 60}
	ops := 0
	for ops < 300 {
		ops++
		size, flags := sizes[r.Intn(len(sizes))], flagChoices[r.Intn(len(flagChoices))]
		kerr, cpu := run(flags, size)
		_, data := stackData(size)
		gerr := int(Errno(g.PerfEventOutput(cpu, flags, data)))
		if kerr != gerr {
			t.Fatalf("op %d: output %d bytes flags %#x on CPU %d: kernel errno %d, gbpf %d", ops, size, flags, cpu, kerr, gerr)
		}
		if kerr != 0 {
			continue
		}
		krd.SetDeadline(time.Now().Add(time.Second))
		grd.SetDeadline(time.Now().Add(time.Second))
		krec, err1 := krd.Read()
		grec, err2 := grd.Read()
		if err1 != nil || err2 != nil {
			t.Fatalf("op %d: read: kernel %v, gbpf %v", ops, err1, err2)
		}
		// The kernel pads samples to 8 bytes with garbage: compare the
		// prefix.
		if krec.CPU != grec.CPU || len(krec.RawSample) < len(grec.RawSample) || !bytes.Equal(krec.RawSample[:len(grec.RawSample)], grec.RawSample) || krec.LostSamples != grec.LostSamples {
			t.Fatalf("op %d: kernel record cpu %d %x lost %d, gbpf cpu %d %x lost %d", ops, krec.CPU, krec.RawSample, krec.LostSamples, grec.CPU, grec.RawSample, grec.LostSamples)
		}
	}
	t.Logf("perf event array: %d operations, 0 mismatches", ops)
}
