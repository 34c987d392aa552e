package cbpf_test

import (
	"fmt"

	"github.com/gbpf/gbpf/cbpf"
)

// Parse `tcpdump -dd` output, validate it into a Program, and filter packets.
func ExampleNewProgram() {
	insns, err := cbpf.ParseC(`{ 0x28, 0, 0, 0x0000000c },
{ 0x15, 0, 1, 0x00000806 },
{ 0x6, 0, 0, 0x00040000 },
{ 0x6, 0, 0, 0x00000000 },
`)
	if err != nil {
		fmt.Println(err)
		return
	}
	prog, err := cbpf.NewProgram(insns)
	if err != nil {
		fmt.Println(err)
		return
	}
	arp := make([]byte, 42)
	arp[12], arp[13] = 0x08, 0x06
	fmt.Println(prog.Run(arp, 60), prog.Run(arp[:13], 60), prog.Matches(make([]byte, 60)))

	_, err = cbpf.NewProgram([]cbpf.Instruction{cbpf.Stmt(cbpf.OpLdImm, 1)})
	fmt.Println(err)
	// Output:
	// 262144 0 false
	// cbpf: insn 0: last instruction is not a return
}

// Read the kernel's bpf_asm syntax and check the program as the kernel would.
func ExampleParseAsm() {
	insns, err := cbpf.ParseAsm(`
	ld M[0]        ; never written: the kernel refuses this
	ret a
`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cbpf.CheckKernel(insns))
	// Output:
	// cbpf: insn 0: M[0] read before it is written (check_load_and_stores)
}
