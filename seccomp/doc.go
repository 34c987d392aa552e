// Package seccomp builds, checks, evaluates and installs Linux seccomp
// filters: classic BPF programs (package cbpf) over struct seccomp_data that
// decide, for each system call, whether it runs, fails with an errno, traps,
// is logged, goes to a tracer or a user-space supervisor, or kills.
//
// A Policy names a default action, an architecture and rules that give an
// action to listed system calls, optionally only when 64-bit argument
// comparisons hold (==, !=, <, <=, >, >=, masked ==; unsigned, done on the
// two 32-bit halves as libseccomp does). Policy.Compile produces the
// program: an architecture check first (calls of another architecture, and
// x32 calls under an x86_64 policy, get KillProcess or the policy's
// BadArchAction), then a dispatch on the call number, then the argument
// tests. The program passes CheckFilter, the kernel's seccomp checks
// (BPF_MAXINSNS, aligned word loads inside seccomp_data, the opcodes
// seccomp allows); cbpf.Disasm prints it in `tcpdump -d` form.
//
// Evaluate and Filter.Evaluate run a program over a Data (seccomp_data)
// in Go with the cbpf interpreter, so a policy can be tested without the
// kernel; Policy.Decide reads the policy directly and is the reference the
// compiled program is tested against.
//
// # Policy files
//
// ParsePolicy reads the JSON policy file of `gbpf seccomp`; MarshalPolicy
// writes it. Unknown fields are errors.
//
//	{
//	  "arch": "x86_64",                  // optional: see ArchNames; default the native one
//	  "default": "allow",                // required: the action when no rule decides
//	  "bad_arch": "kill_process",        // optional: the action for other architectures
//	  "rules": [
//	    {"syscalls": ["getpid", "getppid"], "action": "errno:38"},
//	    {"syscalls": ["write"], "action": "allow",
//	     "args": [{"index": 0, "op": "<=", "value": 2}]},
//	    {"syscalls": ["mmap"], "action": "errno:EPERM",
//	     "args": [{"index": 2, "op": "&=", "mask": 4, "value": 4}]}
//	  ]
//	}
//
// Actions are written as ParseAction reads them ("allow", "log", "trap",
// "kill" = "kill_process", "kill_thread", "user_notif", "errno:N",
// "errno:EPERM", "trace:N"), operators as ParseOp reads them ("==", "!=", "<",
// "<=", ">", ">=", "&=" for masked equality, which needs "mask"). System calls
// are names of the architecture's table or decimal numbers. "value" and
// "mask" are JSON integers (0 to 2^64-1) or strings holding a number in Go
// syntax ("0x7fffffff", "0o755"); a negative number is taken as its 64-bit
// two's complement ("-1" is 2^64-1). A rule holds when all its comparisons
// do; the first rule that lists the call and holds decides.
//
// Install loads a program into the calling process. Command and
// CommandFilter run a command under a program in a child only: the child
// re-executes the current binary, whose main must call MaybeRunChild first;
// see CommandFilter for the exact contract.
//
// System call tables (SyscallNumber, SyscallName, Syscalls) for x86_64,
// x32, i386, aarch64 and riscv64 are generated from the Linux UAPI headers
// by internal/mksyscalls (go generate); other architectures take numbers.
package seccomp
