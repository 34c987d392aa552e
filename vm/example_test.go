package vm_test

import (
	"errors"
	"fmt"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/verifier"
	"github.com/gbpf/gbpf/vm"
)

// Load a program and run it over memory as the raw program type: r1 holds
// the address of the memory and r2 its length. Load verifies the program
// for memory of MemSize bytes.
func ExampleLoad() {
	prog := []isa.Instruction{
		{OpCode: isa.OpLdxW, Dst: isa.R0, Src: isa.R1, Offset: 0}, // r0 = *(u32 *)(r1 + 0)
		{OpCode: 0x0f, Dst: isa.R0, Src: isa.R2},                  // r0 += r2
		{OpCode: isa.OpExit},
	}
	p, err := vm.Load(prog, vm.Options{MemSize: 6})
	if err != nil {
		fmt.Println(err)
		return
	}
	r0, err := p.Run([]byte{40, 0, 0, 0, 0, 0})
	fmt.Println(r0, err)
	// Output: 46 <nil>
}

// The verifier refuses a program that reads past its memory, with the
// kernel's words and the instruction.
func ExampleLoad_rejected() {
	prog := []isa.Instruction{
		{OpCode: isa.OpLdxDW, Dst: isa.R0, Src: isa.R1, Offset: 8}, // r0 = *(u64 *)(r1 + 8)
		{OpCode: isa.OpExit},
	}
	_, err := vm.Load(prog, vm.Options{MemSize: 8})
	var ve *verifier.Error
	if errors.As(err, &ve) {
		fmt.Printf("insn %d: %s\n", ve.Index, ve.Reason)
	}
	// Output: insn 0: invalid access to memory, mem_size=8 off=8 size=8
}

// A program loaded unverified runs in checked mode: a bad access stops
// the run with an error naming the instruction.
func ExampleRunError() {
	prog := []isa.Instruction{
		{OpCode: isa.OpLdxDW, Dst: isa.R0, Src: isa.R1, Offset: 8}, // r0 = *(u64 *)(r1 + 8)
		{OpCode: isa.OpExit},
	}
	p, err := vm.Load(prog, vm.Options{Unverified: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = p.Run(make([]byte, 8))
	var re *vm.RunError
	if errors.As(err, &re) {
		fmt.Println(re.Index, errors.Is(err, vm.ErrBadAccess))
	}
	// Output: 0 true
}

// Helpers are registered by id before Load, with their arguments' types
// for the verifier; the program calls them with call.
func ExampleHelpers() {
	h := vm.NewHelpers()
	h.Register(1, "double", func(_ *vm.Call, r1, _, _, _, _ uint64) (uint64, error) { return 2 * r1, nil }, helpers.ArgAnything)
	prog := []isa.Instruction{
		{OpCode: isa.OpMov64, Dst: isa.R1, Constant: 21}, // r1 = 21
		{OpCode: isa.OpCall, Constant: 1},                // call 1
		{OpCode: isa.OpExit},
	}
	p, err := vm.Load(prog, vm.Options{Helpers: h})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Run(nil))
	// Output: 42 <nil>
}

// Run an XDP program as BPF_PROG_TEST_RUN would: the program reads
// xdp_md.data and data_end (32-bit loads that yield packet addresses),
// rewrites the first byte of the packet and returns XDP_TX.
func ExampleProgram_TestRun() {
	prog := []isa.Instruction{
		{OpCode: isa.OpLdxW, Dst: isa.R2, Src: isa.R1, Offset: 0}, // r2 = xdp_md->data
		{OpCode: isa.OpLdxW, Dst: isa.R3, Src: isa.R1, Offset: 4}, // r3 = xdp_md->data_end
		{OpCode: isa.OpMov64, Dst: isa.R0, Constant: 2},           // r0 = XDP_PASS
		{OpCode: isa.OpMovX, Dst: isa.R4, Src: isa.R2},            // r4 = r2
		{OpCode: 0x07, Dst: isa.R4, Constant: 1},                  // r4 += 1
		{OpCode: 0x2d, Dst: isa.R4, Src: isa.R3, Offset: 2},       // if r4 > r3 goto +2
		{OpCode: 0x72, Dst: isa.R2, Constant: 0xaa},               // *(u8 *)(r2 + 0) = 0xaa
		{OpCode: isa.OpMov64, Dst: isa.R0, Constant: 3},           // r0 = XDP_TX
		{OpCode: isa.OpExit},
	}
	p, err := vm.Load(prog, vm.Options{Type: helpers.XDP})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := p.TestRun(vm.TestRunOptions{Data: make([]byte, 14)})
	fmt.Println(res.Retval, res.DataOut, err)
	_, err = p.TestRun(vm.TestRunOptions{Data: make([]byte, 13)})
	fmt.Println(err)
	// Output:
	// 3 [170 0 0 0 0 0 0 0 0 0 0 0 0 0] <nil>
	// test run: XDP data of 13 bytes, shorter than an Ethernet header (14): invalid argument
}
