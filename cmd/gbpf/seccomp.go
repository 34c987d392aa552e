package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"

	"github.com/gbpf/gbpf/cbpf"
	"github.com/gbpf/gbpf/seccomp"
)

// cmdSeccomp compiles seccomp policies and runs commands under them:
//
//	gbpf seccomp compile [-d|-dd|-ddd] --policy FILE
//	gbpf seccomp exec --policy FILE -- CMD [ARGS...]
func cmdSeccomp(e *env, args []string) error {
	if len(args) == 0 {
		return usagef("usage: gbpf seccomp %s", synopsis["seccomp"])
	}
	switch args[0] {
	case "compile":
		return seccompCompile(e, args[1:])
	case "exec":
		return seccompExec(e, args[1:])
	}
	return usagef("gbpf seccomp: unknown subcommand %q (compile, exec)", args[0])
}

func readPolicy(path string) (*seccomp.Policy, error) {
	if path == "" {
		return nil, usagef("--policy FILE is required")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%v", err)
	}
	p, err := seccomp.ParsePolicy(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return p, nil
}

func seccompCompile(e *env, args []string) error {
	fs := newFlagSet("seccomp")
	policy := fs.String("policy", "", "policy file (JSON)")
	fs.Bool("d", false, "print the program as tcpdump -d does (the default)")
	dd := fs.Bool("dd", false, "print the program as a C array (tcpdump -dd)")
	ddd := fs.Bool("ddd", false, "print the program as decimal numbers (tcpdump -ddd)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("usage: gbpf seccomp %s", synopsis["seccomp"])
	}
	p, err := readPolicy(*policy)
	if err != nil {
		return err
	}
	insns, err := p.Compile()
	if err != nil {
		return err
	}
	switch {
	case *dd:
		fmt.Fprint(e.stdout, cbpf.DumpC(insns))
	case *ddd:
		fmt.Fprint(e.stdout, cbpf.DumpDecimal(insns))
	default:
		fmt.Fprint(e.stdout, cbpf.Disasm(insns))
	}
	return nil
}

// exitStatus carries a child's exit status through to gbpf's own.
type exitStatus struct{ code int }

func (e *exitStatus) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func seccompExec(e *env, args []string) error {
	fs := newFlagSet("seccomp")
	policy := fs.String("policy", "", "policy file (JSON)")
	var rest []string
	for i, a := range args {
		if a == "--" {
			args, rest = args[:i], args[i+1:]
			break
		}
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	rest = append(pos, rest...)
	if len(rest) == 0 {
		return usagef("usage: gbpf seccomp exec --policy FILE -- CMD [ARGS...]")
	}
	p, err := readPolicy(*policy)
	if err != nil {
		return err
	}
	cmd, err := seccomp.Command(p, rest[0], rest[1:]...)
	if err != nil {
		return err
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = e.stdin, e.stdout, e.stderr
	err = cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return &exitStatus{code: 128 + int(ws.Signal())}
		}
		return &exitStatus{code: ee.ExitCode()}
	}
	return err
}
