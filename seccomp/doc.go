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
// ParsePolicy reads the JSON policy file of `gbpf seccomp` (format in
// file.go's comment and README); MarshalPolicy writes it.
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
