// Package kerneldiff runs eBPF programs in the Linux kernel through
// BPF_PROG_TEST_RUN, so that the kernel can serve as the oracle for gbpf's
// own virtual machine: the same program, run on the same memory, must give
// the same r0 and leave the same memory behind.
//
// A program here is a "raw" body in the conformance convention: it starts
// with r1 pointing at the input memory and r2 holding its length, and ends
// with one exit, its last instruction, while a register chosen by the caller
// still holds the memory pointer. The kernel cannot run that directly, so
// Wrap turns it into an XDP program: a prologue derives r1 and r2 from the
// xdp_md context (checking the packet is long enough, so that the verifier
// accepts constant-offset accesses), and the final exit is replaced by an
// epilogue that stores the full 64-bit r0 into the eight bytes after the
// memory. The packet is the memory followed by those eight bytes.
package kerneldiff

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/features"
	"golang.org/x/sys/unix"

	"github.com/gbpf/gbpf/isa"
)

// xdpPass is the XDP_PASS verdict the epilogue returns; xdpAborted is what
// the prologue returns when the packet is too short, which cannot happen
// when RunKernel builds the packet.
const (
	xdpAborted = 0
	xdpPass    = 2
)

// r0Size is the number of bytes after the memory that receive r0.
const r0Size = 8

// minPacket is the smallest input BPF_PROG_TEST_RUN accepts for XDP (an
// Ethernet header).
const minPacket = 14

// Available reports why the kernel cannot be used as an oracle on this
// machine, or nil when it can: loading XDP programs needs root (CAP_BPF and
// CAP_NET_ADMIN) and a kernel with bpf() and XDP support.
func Available() error {
	if unix.Geteuid() != 0 {
		return errors.New("kerneldiff: not running as root: loading XDP programs needs CAP_BPF and CAP_NET_ADMIN")
	}
	if err := features.HaveProgramType(ebpf.XDP); err != nil {
		return fmt.Errorf("kerneldiff: XDP programs cannot be loaded: %w", err)
	}
	return nil
}

// Wrap turns a raw body into the XDP program RunKernel loads. memReg is the
// register that holds the memory pointer when the body exits; memSize is the
// length of the memory. The body's only exit must be its last instruction.
// Jumps in the body are relative, so the prologue shifts nothing, and the
// epilogue's first instruction takes the place of the exit, so jumps that
// targeted the exit now reach the epilogue.
func Wrap(body []isa.Instruction, memReg isa.Register, memSize int) ([]isa.Instruction, error) {
	if len(body) == 0 {
		return nil, errors.New("kerneldiff: empty program")
	}
	if memReg == isa.R0 || memReg > isa.R9 {
		return nil, fmt.Errorf("kerneldiff: memory register %s cannot survive the body", memReg)
	}
	if memSize+r0Size < minPacket || memSize > 0x7fff-r0Size {
		return nil, fmt.Errorf("kerneldiff: memory size %d out of range [%d, %d]", memSize, minPacket-r0Size, 0x7fff-r0Size)
	}
	last := len(body) - 1
	for i, ins := range body {
		if ins.OpCode == isa.OpExit && i != last {
			return nil, fmt.Errorf("kerneldiff: insn %d: exit before the end of the program", i)
		}
	}
	if body[last].OpCode != isa.OpExit {
		return nil, fmt.Errorf("kerneldiff: insn %d: program does not end with exit", last)
	}

	const (
		ldxw    = uint8(isa.ClassLDX) | isa.ModeMEM | isa.SizeW
		addK    = uint8(isa.ClassALU64) | isa.ALUAdd | isa.SrcK
		jleX    = uint8(isa.ClassJMP) | isa.JmpJLE | isa.SrcX
		mov32K  = uint8(isa.ClassALU) | isa.ALUMov | isa.SrcK
		mov64K  = isa.OpMov64
		mov64X  = isa.OpMovX
		stxDW   = isa.OpStxDW
		exitIns = isa.OpExit
	)
	out := make([]isa.Instruction, 0, len(body)+12)
	out = append(out,
		// r2 = ctx->data, r3 = ctx->data_end
		isa.Instruction{OpCode: ldxw, Dst: isa.R2, Src: isa.R1, Offset: 0},
		isa.Instruction{OpCode: ldxw, Dst: isa.R3, Src: isa.R1, Offset: 4},
		// if data + memSize + 8 <= data_end goto body
		isa.Instruction{OpCode: mov64X, Dst: isa.R4, Src: isa.R2},
		isa.Instruction{OpCode: addK, Dst: isa.R4, Constant: int64(memSize + r0Size)},
		isa.Instruction{OpCode: jleX, Dst: isa.R4, Src: isa.R3, Offset: 2},
		isa.Instruction{OpCode: mov32K, Dst: isa.R0, Constant: xdpAborted},
		isa.Instruction{OpCode: exitIns},
		// r1 = data, r2 = memSize, as the raw convention has them
		isa.Instruction{OpCode: mov64X, Dst: isa.R1, Src: isa.R2},
		isa.Instruction{OpCode: mov64K, Dst: isa.R2, Constant: int64(memSize)},
	)
	out = append(out, body[:last]...)
	out = append(out,
		isa.Instruction{OpCode: stxDW, Dst: memReg, Src: isa.R0, Offset: int16(memSize)},
		isa.Instruction{OpCode: mov32K, Dst: isa.R0, Constant: xdpPass},
		isa.Instruction{OpCode: exitIns},
	)
	return out, nil
}

// ToCilium converts instructions to cilium/ebpf's representation by encoding
// them to raw bytecode and decoding that, so that nothing is lost or
// reinterpreted on the way.
func ToCilium(insns []isa.Instruction) (asm.Instructions, error) {
	raw := isa.Encode(nil, insns)
	out, err := asm.AppendInstructions(nil, bytes.NewReader(raw), binary.LittleEndian, "linux")
	if err != nil {
		return nil, fmt.Errorf("kerneldiff: decoding with cilium/ebpf: %w", err)
	}
	return out, nil
}

// RejectedError is returned by RunKernel when the kernel verifier refuses
// the program. Log is the verifier log.
type RejectedError struct {
	Err error  // the error of the load
	Log string // the whole verifier log
}

// Error returns the short form; Log holds the whole verifier log.
func (e *RejectedError) Error() string {
	return fmt.Sprintf("kerneldiff: kernel verifier rejected the program: %v", e.Err)
}

// Unwrap returns the error of the load.
func (e *RejectedError) Unwrap() error { return e.Err }

// Result is what a run leaves behind: r0 and the memory.
type Result struct {
	R0  uint64 // the full 64-bit r0 at exit
	Mem []byte // the memory after the run
}

// RunKernel wraps body (see Wrap), loads it into the kernel as an XDP
// program and runs it once with BPF_PROG_TEST_RUN on a copy of mem. A
// verifier rejection is a *RejectedError.
func RunKernel(body []isa.Instruction, memReg isa.Register, mem []byte) (Result, error) {
	prog, err := Load(body, memReg, len(mem))
	if err != nil {
		return Result{}, err
	}
	defer prog.Close()
	return Run(prog, mem)
}

// Load wraps body (see Wrap) and loads it into the kernel as an XDP program
// for memory of memSize bytes. A verifier rejection is a *RejectedError.
// The caller closes the program.
func Load(body []isa.Instruction, memReg isa.Register, memSize int) (*ebpf.Program, error) {
	wrapped, err := Wrap(body, memReg, memSize)
	if err != nil {
		return nil, err
	}
	insns, err := ToCilium(wrapped)
	if err != nil {
		return nil, err
	}
	prog, err := ebpf.NewProgramWithOptions(&ebpf.ProgramSpec{
		Type:         ebpf.XDP,
		Instructions: insns,
		License:      "GPL",
	}, ebpf.ProgramOptions{})
	if err != nil {
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) {
			return nil, &RejectedError{Err: err, Log: fmt.Sprintf("%+v", ve)}
		}
		return nil, fmt.Errorf("kerneldiff: loading the program: %w", err)
	}
	return prog, nil
}

// Run runs a program made by Load once on a copy of mem, which must have the
// length the program was loaded for.
func Run(prog *ebpf.Program, mem []byte) (Result, error) {
	pkt := make([]byte, len(mem)+r0Size)
	copy(pkt, mem)
	out := make([]byte, len(pkt))
	ret, err := prog.Run(&ebpf.RunOptions{Data: pkt, DataOut: out})
	if err != nil {
		return Result{}, fmt.Errorf("kerneldiff: BPF_PROG_TEST_RUN: %w", err)
	}
	if ret != xdpPass {
		return Result{}, fmt.Errorf("kerneldiff: program returned %d, not XDP_PASS (%d): the packet check of the prologue failed", ret, xdpPass)
	}
	return Result{
		R0:  binary.LittleEndian.Uint64(out[len(mem):]),
		Mem: out[:len(mem)],
	}, nil
}
