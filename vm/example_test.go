package vm_test

import (
	"errors"
	"fmt"

	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/vm"
)

// Load a program and run it over memory as the raw program type: r1 holds
// the address of the memory and r2 its length.
func ExampleLoad() {
	prog := []isa.Instruction{
		{OpCode: isa.OpLdxW, Dst: isa.R0, Src: isa.R1, Offset: 0}, // r0 = *(u32 *)(r1 + 0)
		{OpCode: 0x0f, Dst: isa.R0, Src: isa.R2},                  // r0 += r2
		{OpCode: isa.OpExit},
	}
	p, err := vm.Load(prog, vm.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	r0, err := p.Run([]byte{40, 0, 0, 0, 0, 0})
	fmt.Println(r0, err)
	// Output: 46 <nil>
}

// A bad access stops the run with an error naming the instruction.
func ExampleRunError() {
	prog := []isa.Instruction{
		{OpCode: isa.OpLdxDW, Dst: isa.R0, Src: isa.R1, Offset: 8}, // r0 = *(u64 *)(r1 + 8)
		{OpCode: isa.OpExit},
	}
	p, err := vm.Load(prog, vm.Options{})
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

// Helpers are registered by id before Load; the program calls them with
// call (or callx with the id in a register).
func ExampleHelpers() {
	h := vm.NewHelpers()
	h.Register(1, "double", func(_ *vm.Call, r1, _, _, _, _ uint64) (uint64, error) { return 2 * r1, nil })
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
