//go:build !linux

package seccomp

import (
	"errors"
	"fmt"
	"os/exec"
	"runtime"

	"github.com/gbpf/gbpf/cbpf"
)

// ErrNotLinux is returned where the kernel's seccomp is needed: seccomp is
// a Linux facility. Policies still build, compile and evaluate everywhere.
var ErrNotLinux = errors.New("seccomp filters run only on Linux")

// Install loads the filter into the calling process; only on Linux.
func Install(insns []cbpf.Instruction) error {
	return fmt.Errorf("seccomp: installing a filter on %s: %w", runtime.GOOS, ErrNotLinux)
}

// InstallThread loads the filter into the calling thread; only on Linux.
func InstallThread(insns []cbpf.Instruction) error { return Install(insns) }

// Command runs a command under a policy; only on Linux.
func Command(p *Policy, name string, args ...string) (*exec.Cmd, error) {
	return nil, fmt.Errorf("seccomp: running %s under a policy on %s: %w", name, runtime.GOOS, ErrNotLinux)
}

// CommandFilter runs a command under a seccomp program; only on Linux.
func CommandFilter(insns []cbpf.Instruction, name string, args ...string) (*exec.Cmd, error) {
	return nil, fmt.Errorf("seccomp: running %s under a filter on %s: %w", name, runtime.GOOS, ErrNotLinux)
}

// MaybeRunChild does nothing where there is no seccomp: no child of
// Command is ever started.
func MaybeRunChild() {}
