package asm_test

import (
	"fmt"

	"github.com/gbpf/gbpf/asm"
)

// Assemble a program in the conformance syntax and print it in both
// syntaxes.
func Example() {
	insns, err := asm.Assemble(`
		mov %r0, 0
	loop:
		add %r0, 3
		jlt %r0, 10, loop   # until r0 >= 10
		exit
	`, asm.Conformance)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(asm.Disassemble(insns, asm.Kernel))
	fmt.Print(asm.Disassemble(insns, asm.Conformance))
	// Output:
	// r0 = 0x0
	// r0 += 0x3
	// if r0 < 0xa goto -0x2
	// exit
	// mov %r0, 0
	// add %r0, 3
	// jlt %r0, 10, -2
	// exit
}

// Errors carry the line and column and say what was expected.
func ExampleAssemble_error() {
	_, err := asm.Assemble("r0 = 1\nr0 += \n", asm.Kernel)
	fmt.Println(err)
	// Output:
	// line 2, column 6: expected register or immediate, found end of line
}

// The kernel syntax reads llvm-objdump's output and the verifier log alike.
func ExampleAssemble_kernel() {
	insns, _ := asm.Assemble(`
		r1 = *(u64 *)(r10 - 0x8)      // llvm-objdump
		r1 = *(u64 *)(r10 -8)         // verifier log
		if r1 > 0x5 goto +0x1 <f+0x20>
		if r1 > 0x5 goto pc+1
	`, asm.Kernel)
	for _, ins := range insns {
		fmt.Println(ins)
	}
	// Output:
	// r1 = *(u64 *)(r10 -8)
	// r1 = *(u64 *)(r10 -8)
	// if r1 > 0x5 goto pc+1
	// if r1 > 0x5 goto pc+1
}
