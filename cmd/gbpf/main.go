// Command gbpf is the eBPF toolbox: assemble, disassemble and run eBPF
// programs in gbpf's own virtual machine.
//
// Run "gbpf help" for the commands and examples. Errors are one line on
// stderr with a non-zero exit status: 1 when the program or its input is at
// fault, 2 for usage mistakes.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/gbpf/gbpf/seccomp"
)

// command is one gbpf subcommand.
type command struct {
	summary string
	run     func(env *env, args []string) error
}

// env is what a command may touch: the standard streams.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// synopsis is the argument summary of each command, used in usage errors.
var synopsis = map[string]string{
	"asm":     "[--syntax kernel|conformance] [-o OUT] FILE",
	"disasm":  "[--syntax kernel|conformance] FILE[:PROG]",
	"run":     "[--type raw|socket|xdp|tc|syscall] [--engine interp|jit] [--unverified] [--max-insns N] [--mem HEX | --mem-file F | --data-in F] [--data-out F] [--ctx-in F] [--ctx-out F] [--dump-maps F] [--repeat N] [--json] FILE[:PROG]",
	"maps":    "[--json] FILE.o",
	"bench":   "[--engine E] [--vs-kernel] [--type T] [--unverified] [--repeat N] [--mem HEX | --mem-file F | --data-in F] [--json] FILE[:PROG]",
	"verify":  "[--type raw|socket|xdp|tc|syscall] [--log-level N] [--unprivileged] [--strict-alignment] [--mem HEX | --mem-file F | --mem-size N] FILE[:PROG]",
	"trace":   "[-e PROGRAM | FILE] [-c CMD] [-p PID] [-o FILE] [-f text|json] [-l [PATTERN]] [-d] [-v] [ARGS...]",
	"seccomp": "compile [-d|-dd|-ddd] --policy FILE | exec --policy FILE -- CMD [ARGS...]",
	"filter":  "[-r FILE | -i IFACE] [-w FILE] [-c N] [-n] [-e] [-q] [-t...] [-d|-dd|-ddd] [-y DLT] [-O] [EXPRESSION]",
	"version": "",
	"help":    "[COMMAND]",
}

var commands map[string]command

func init() {
	commands = map[string]command{
		"asm":     {"assemble text into raw bytecode", cmdAsm},
		"disasm":  {"disassemble raw bytecode or an ELF object", cmdDisasm},
		"run":     {"run a program in gbpf's virtual machine", cmdRun},
		"maps":    {"list the maps of an ELF object", cmdMaps},
		"bench":   {"time a program per engine, and in the kernel's test_run", cmdBench},
		"verify":  {"prove a program safe as the kernel's verifier does", cmdVerify},
		"trace":   {"bpftrace-compatible tracing, compiled to eBPF without LLVM", cmdTrace},
		"seccomp": {"compile seccomp policies and run commands under them", cmdSeccomp},
		"filter":  {"tcpdump-compatible packet filter over capture files and interfaces", cmdFilter},
		"version": {"print the version", cmdVersion},
		"help":    {"show help and examples", cmdHelp},
	}
}

func main() {
	// A child started by "gbpf seccomp exec" installs its filter and
	// becomes the command here; it never returns.
	seccomp.MaybeRunChild()
	os.Exit(run(os.Args[1:], &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}))
}

// run executes the command line and returns the exit status. It never
// lets a panic escape: a bug in gbpf is reported as one line too.
func run(args []string, e *env) (status int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(e.stderr, "gbpf: internal error: %v\n", r)
			status = 2
		}
	}()
	if len(args) == 0 {
		fmt.Fprint(e.stderr, helpText)
		return 2
	}
	name := args[0]
	switch name {
	case "-h", "--help", "-help":
		name = "help"
	case "-v", "--version", "-version":
		name = "version"
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(e.stderr, "gbpf: unknown command %q (commands: %s)\n", name, strings.Join(commandNames(), ", "))
		return 2
	}
	if err := cmd.run(e, args[1:]); err != nil {
		var es *exitStatus
		if errors.As(err, &es) {
			return es.code // a child's status: the child has said why it ended
		}
		msg := strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", "; ")
		fmt.Fprintf(e.stderr, "gbpf %s: %s\n", name, strings.TrimPrefix(msg, "gbpf "+name+": "))
		var ue *usageError
		if errors.As(err, &ue) {
			return 2
		}
		return 1
	}
	return 0
}

func commandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

const helpText = `gbpf: the eBPF system in pure Go

Usage: gbpf COMMAND [flags] [arguments]   (flags may stand before or after arguments)

Commands:
  asm      [--syntax kernel|conformance] [-o OUT] FILE      text -> raw bytecode
  disasm   [--syntax kernel|conformance] FILE[:PROG]        raw bytecode or ELF -> text
  run      [--type T] [--mem HEX] ... FILE[:PROG]           run in gbpf's VM, as BPF_PROG_TEST_RUN
  verify   [--type T] [--log-level N] FILE[:PROG]           the verifier: exit 0 accepted, 1 rejected
  maps     [--json] FILE.o                                  list an object's maps
  bench    [--vs-kernel] [--repeat N] FILE[:PROG]            ns/run per engine, beside the kernel's test_run
  trace    [-e PROGRAM | FILE] [-c CMD] [-l [PATTERN]] ...  bpftrace: trace the kernel and programs
  seccomp  compile|exec --policy FILE [-- CMD ARGS]         seccomp policies: print, or run a command under one
  filter   [-r FILE | -i IFACE] [-w FILE] [-c N] [-nn] EXPR  tcpdump: filter and print packets
  version                                                   print the version
  help     [COMMAND]                                        this text

FILE is recognised by content: an ELF object, assembly text (kernel/LLVM syntax
or bpf_conformance syntax), or raw bytecode (8-byte little-endian instructions).
FILE:PROG picks a program of an ELF object by function or section name.

Examples:
  printf 'r0 = 42\nexit\n' > prog.s
  gbpf asm -o prog.bin prog.s            # assemble (kernel syntax)
  gbpf disasm prog.bin                   # r0 = 0x2a / exit
  gbpf run prog.bin                      # 0x2a
  gbpf run --mem '01 02 03 04' sum.s     # r1 = memory, r2 = its length
  gbpf run --json --repeat 1000 prog.s   # {"retval":42,"duration_ns":...}
  gbpf disasm --syntax conformance prog.o:xdp_prog
  gbpf disasm --llvm prog.o              # as llvm-objdump -d --no-show-raw-insn
  gbpf run prog.o:xdp_prog --data-in pkt.bin --data-out out.bin --dump-maps maps.json
                                         # Return value: 2, duration: 312ns
  gbpf filter -r in.pcap -w out.pcap 'tcp dst port 22'
  gbpf trace -e 'tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }'
`

func cmdHelp(e *env, args []string) error {
	if len(args) == 1 {
		if _, ok := commands[args[0]]; ok {
			fmt.Fprintf(e.stdout, "usage: gbpf %s %s\n\n%s\n", args[0], synopsis[args[0]], commands[args[0]].summary)
			return nil
		}
		return usagef("unknown command %q", args[0])
	}
	fmt.Fprint(e.stdout, helpText)
	return nil
}

func cmdVersion(e *env, args []string) error {
	if len(args) != 0 {
		return usagef("usage: gbpf version")
	}
	version, rev := "(devel)", ""
	goVersion := "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		goVersion = bi.GoVersion
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				rev = " " + s.Value[:12]
			}
		}
	}
	fmt.Fprintf(e.stdout, "gbpf %s%s %s\n", version, rev, goVersion)
	return nil
}
