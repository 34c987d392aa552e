package object_test

import (
	"fmt"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/object"
	"github.com/gbpf/gbpf/vm"
)

// Example loads a clang-compiled object (testdata/example.c), shows the
// linked program, and runs it twice in the VM: the map and the .rodata
// constant come from the object.
func Example() {
	spec, err := object.LoadSpec("testdata/example.o")
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, m := range spec.Maps {
		fmt.Printf("map %d: %s %v value %d bytes\n", i, m.Name, m.Type, m.ValueSize)
	}
	p, err := spec.Program("syscall")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s (%v) calls %s:\n", p.Name, p.Type, p.Funcs[1].Name)
	fmt.Print(asm.Disassemble(p.Insns, asm.Kernel))

	coll, err := object.NewCollection(spec, object.CollectionOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for range 2 {
		res, err := coll.Programs["count"].TestRun(vm.TestRunOptions{Context: make([]byte, 8)})
		fmt.Println("returned", res.Retval, err)
	}
	var n uint64
	fmt.Println(coll.Maps["runs"].Lookup(uint32(0), &n), n)
	// Output:
	// map 0: .rodata Array value 4 bytes
	// map 1: runs Array value 8 bytes
	// count (Syscall) calls scale:
	// r1 = 0x0
	// *(u32 *)(r10 - 0x4) = r1
	// r2 = r10
	// r2 += -0x4
	// ld_pseudo r1, 0x5, 0x1
	// call 0x1
	// r1 = 0xffffffff ll
	// if r0 == 0x0 goto +0x5
	// r1 = *(u64 *)(r0 + 0x0)
	// r1 += 0x1
	// *(u64 *)(r0 + 0x0) = r1
	// call pc+3
	// r1 = r0
	// r0 = r1
	// exit
	// ld_pseudo r2, 0x6, 0x0
	// r0 = *(u32 *)(r2 + 0x0)
	// r0 *= r1
	// exit
	// returned 3 <nil>
	// returned 6 <nil>
	// <nil> 2
}
