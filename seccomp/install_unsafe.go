//go:build linux

package seccomp

import (
	"fmt"
	"unsafe"

	"github.com/gbpf/gbpf/cbpf"
	"golang.org/x/sys/unix"
)

// install sets PR_SET_NO_NEW_PRIVS and loads insns with
// seccomp(SECCOMP_SET_MODE_FILTER, flags, &sock_fprog).
func install(insns []cbpf.Instruction, flags uintptr) error {
	if len(insns) == 0 || len(insns) > cbpf.MaxInsns {
		return fmt.Errorf("seccomp: install: %d instructions (want 1 to %d)", len(insns), cbpf.MaxInsns)
	}
	raw := make([]unix.SockFilter, len(insns))
	for i, ins := range insns {
		raw[i] = unix.SockFilter{Code: ins.Op, Jt: ins.Jt, Jf: ins.Jf, K: ins.K}
	}
	prog := unix.SockFprog{Len: uint16(len(raw)), Filter: &raw[0]}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("seccomp: prctl(PR_SET_NO_NEW_PRIVS): %w", err)
	}
	r, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, flags, uintptr(unsafe.Pointer(&prog)))
	if errno != 0 {
		return fmt.Errorf("seccomp: seccomp(SECCOMP_SET_MODE_FILTER): %w", errno)
	}
	if r != 0 {
		return fmt.Errorf("seccomp: seccomp(SECCOMP_SET_MODE_FILTER) returned %d", r)
	}
	return nil
}
