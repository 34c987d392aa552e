//go:build linux

package seccomp

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/gbpf/gbpf/cbpf"
	"golang.org/x/sys/unix"
)

// Install loads the filter into the calling process: it sets
// PR_SET_NO_NEW_PRIVS and calls seccomp(SECCOMP_SET_MODE_FILTER) with
// SECCOMP_FILTER_FLAG_TSYNC, so every thread of the process is filtered from
// then on, and so is every program it executes. It cannot be undone.
func Install(insns []cbpf.Instruction) error {
	if err := CheckFilter(insns); err != nil {
		return err
	}
	return install(insns, unix.SECCOMP_FILTER_FLAG_TSYNC)
}

// InstallThread loads the filter into the calling thread only (no TSYNC).
// The caller must have called runtime.LockOSThread and must never unlock the
// thread, or the Go scheduler would run other goroutines under the filter.
// The kernel checks the program as Install does; tests use this to see
// whether the kernel accepts a program without filtering the whole process.
func InstallThread(insns []cbpf.Instruction) error {
	return install(insns, 0)
}

// The environment variables of the re-executed child (see Command).
const (
	envFilter = "GBPF_SECCOMP_FILTER" // the program: hex of the sock_filter array, little-endian
	envPath   = "GBPF_SECCOMP_PATH"   // the resolved path of the command to execute
)

// Command returns an *exec.Cmd that runs name with args under the policy:
// it compiles the policy and calls CommandFilter.
func Command(p *Policy, name string, args ...string) (*exec.Cmd, error) {
	insns, err := p.Compile()
	if err != nil {
		return nil, err
	}
	return CommandFilter(insns, name, args...)
}

// CommandFilter returns an *exec.Cmd that runs name with args (looked up in
// PATH as exec.Command does, in the parent, and made absolute) under the
// seccomp program insns, filtering the child only.
//
// The contract: the Cmd re-executes the current binary (/proc/self/exe)
// with argv = name, args... and two variables added to its environment,
// GBPF_SECCOMP_FILTER and GBPF_SECCOMP_PATH. The binary's main (or TestMain)
// must call MaybeRunChild before doing anything else; in the child that
// function removes the two variables from the environment, sets
// PR_SET_NO_NEW_PRIVS, installs the filter on every thread, and execve's the
// command with argv and the rest of the environment, so the command starts
// with the filter in place and the same pid, stdio and working directory the
// Cmd gives it. The policy is therefore already in force for that execve and
// for the command's own start-up: it must allow execve and whatever the
// command's loader and runtime need.
//
// The Cmd's Env starts as os.Environ() plus the two variables; to change
// the environment, append to it (keep the two variables). If the child cannot
// install the filter it exits with status 126, if it cannot execute the
// command with 127, after a one-line message on stderr starting with
// "gbpf seccomp:". A call the filter kills ends the command with SIGSYS.
func CommandFilter(insns []cbpf.Instruction, name string, args ...string) (*exec.Cmd, error) {
	if err := CheckFilter(insns); err != nil {
		return nil, err
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return nil, err
	}
	if path, err = filepath.Abs(path); err != nil { // the Cmd's Dir may differ
		return nil, err
	}
	cmd := exec.Command("/proc/self/exe")
	cmd.Args = append([]string{name}, args...)
	cmd.Env = append(os.Environ(), envFilter+"="+encodeFilter(insns), envPath+"="+path)
	return cmd, nil
}

// MaybeRunChild turns the process into the command of a CommandFilter child
// when the process was started as one (GBPF_SECCOMP_FILTER set), and returns
// at once otherwise. Call it first thing in main and in TestMain of binaries
// that use Command. In a child it never returns.
func MaybeRunChild() {
	enc, ok := os.LookupEnv(envFilter)
	if !ok {
		return
	}
	path := os.Getenv(envPath)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, envFilter+"=") && !strings.HasPrefix(kv, envPath+"=") {
			env = append(env, kv)
		}
	}
	insns, err := decodeFilter(enc)
	if err != nil {
		fmt.Fprintf(os.Stderr, "gbpf seccomp: %v\n", err)
		os.Exit(126)
	}
	runtime.LockOSThread()
	if err := Install(insns); err != nil {
		fmt.Fprintf(os.Stderr, "gbpf seccomp: %v\n", err)
		os.Exit(126)
	}
	err = unix.Exec(path, os.Args, env)
	fmt.Fprintf(os.Stderr, "gbpf seccomp: exec %s: %v\n", path, err)
	os.Exit(127)
}

// encodeFilter writes insns as hex of the kernel's sock_filter array.
func encodeFilter(insns []cbpf.Instruction) string {
	b := make([]byte, 8*len(insns))
	for i, ins := range insns {
		binary.LittleEndian.PutUint16(b[8*i:], ins.Op)
		b[8*i+2], b[8*i+3] = ins.Jt, ins.Jf
		binary.LittleEndian.PutUint32(b[8*i+4:], ins.K)
	}
	return hex.EncodeToString(b)
}

// decodeFilter reads encodeFilter's text.
func decodeFilter(s string) ([]cbpf.Instruction, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b)%8 != 0 {
		return nil, fmt.Errorf("%s: not a hex sock_filter array", envFilter)
	}
	insns := make([]cbpf.Instruction, len(b)/8)
	for i := range insns {
		insns[i] = cbpf.Instruction{Op: binary.LittleEndian.Uint16(b[8*i:]), Jt: b[8*i+2], Jf: b[8*i+3], K: binary.LittleEndian.Uint32(b[8*i+4:])}
	}
	return insns, nil
}
