package seccomp_test

import (
	"fmt"

	"github.com/gbpf/gbpf/cbpf"
	"github.com/gbpf/gbpf/seccomp"
)

// A policy that makes getpid fail with ENOSYS, compiled, printed as
// `tcpdump -d` prints it, and evaluated without the kernel.
func Example() {
	p, err := seccomp.ParsePolicy([]byte(`{"arch": "x86_64", "default": "allow",
		"rules": [{"syscalls": ["getpid"], "action": "errno:38"}]}`))
	if err != nil {
		panic(err)
	}
	insns, err := p.Compile()
	if err != nil {
		panic(err)
	}
	fmt.Print(cbpf.Disasm(insns))
	nr, _ := seccomp.SyscallNumber("x86_64", "getpid")
	act, _ := seccomp.Evaluate(insns, seccomp.Data{Nr: int32(nr), Arch: seccomp.ArchX86_64})
	fmt.Println("getpid:", act)
	act, _ = seccomp.Evaluate(insns, seccomp.Data{Nr: int32(nr), Arch: seccomp.ArchAArch64})
	fmt.Println("aarch64 call:", act)
	// Output:
	// (000) ld       [4]
	// (001) jeq      #0xc000003e      jt 2	jf 5
	// (002) ld       [0]
	// (003) jge      #0x40000000      jt 5	jf 4
	// (004) jeq      #0x27            jt 7	jf 6
	// (005) ret      #-2147483648
	// (006) ret      #2147418112
	// (007) ret      #327718
	// getpid: errno:38
	// aarch64 call: kill_process
}

// Running a command under a policy: the binary's main calls MaybeRunChild
// first, then Command builds the child.
func ExampleCommand() {
	// In main, before anything else:
	seccomp.MaybeRunChild()

	p := &seccomp.Policy{DefaultAction: seccomp.Allow, Rules: []seccomp.Rule{
		{Syscalls: []string{"uname"}, Action: seccomp.Errno(1)},
	}}
	cmd, err := seccomp.Command(p, "uname", "-a")
	if err != nil {
		panic(err)
	}
	fmt.Println(cmd.Args)
	// Output: [uname -a]
}
