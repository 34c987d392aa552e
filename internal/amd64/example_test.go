package amd64_test

import (
	"fmt"

	"github.com/gbpf/gbpf/internal/amd64"
)

// A loop that counts rdi down to zero, returning the number of turns in
// rax.
func Example() {
	var a amd64.Asm
	loop := a.NewLabel()
	done := a.NewLabel()
	a.MovImm(amd64.RAX, 0)                 // mov eax,0
	a.Bind(loop)                           // loop:
	a.Test(true, amd64.RDI, amd64.RDI)     // test rdi,rdi
	a.Jcc(amd64.CondE, done)               // je done
	a.ALURI(amd64.Add, true, amd64.RAX, 1) // add rax,1
	a.ALURI(amd64.Sub, true, amd64.RDI, 1) // sub rdi,1
	a.Jmp(loop)                            // jmp loop
	a.Bind(done)                           // done:
	a.Ret()                                // ret
	code, err := a.Finish()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("% x\n", code)
	// Output:
	// b8 00 00 00 00 48 85 ff 0f 84 0d 00 00 00 48 83 c0 01 48 83 ef 01 e9 ea ff ff ff c3
}
