// Command gbpf-conformance-plugin runs eBPF programs for the bpf_conformance
// test runner, so that anyone can certify gbpf with the upstream suite:
//
//	bpf_conformance_runner --test_file_directory tests --plugin_path gbpf-conformance-plugin
//
// Protocol: the program arrives on standard input as hex bytes (each byte as
// two digits followed by whitespace); the input memory, when the test has
// any, is the first argument in the same encoding. With --elf, standard input
// is instead the hex of an ELF object whose function "main" (or section
// ".text") is run. The plugin prints r0 in hex on stdout and exits 0, or
// prints the error on stderr and exits 1.
//
// Flags: --engine interp|jit selects the engine (an unavailable one is an
// error naming the available ones); --elf as above. Programs are verified
// for the size of their memory before they run; --unverified runs them
// without the verifier, in checked mode (the suite has programs that test
// instruction semantics the kernel's verifier refuses, such as shifts by
// immediates wider than the operand).
package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gbpf/gbpf/internal/elfcode"
	"github.com/gbpf/gbpf/internal/hexfmt"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/vm"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) (status int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "internal error: %v\n", r)
			status = 2
		}
	}()
	r0, err := execute(args, stdin)
	if err != nil {
		fmt.Fprintln(stderr, strings.ReplaceAll(err.Error(), "\n", "; "))
		return 1
	}
	fmt.Fprintf(stdout, "%x\n", r0)
	return 0
}

func execute(args []string, stdin io.Reader) (uint64, error) {
	engine := vm.Interp
	elf, unverified := false, false
	var memHex []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--elf":
			elf = true
		case a == "--unverified":
			unverified = true
		case a == "--engine" || a == "-engine":
			if i+1 >= len(args) {
				return 0, fmt.Errorf("--engine needs a value (interp or jit)")
			}
			i++
			engine = vm.Engine(args[i])
		case strings.HasPrefix(a, "--engine="):
			engine = vm.Engine(strings.TrimPrefix(a, "--engine="))
		case strings.HasPrefix(a, "-") && len(strings.TrimSpace(a)) > 1:
			return 0, fmt.Errorf("unknown option %s (options: --engine interp|jit, --elf)", a)
		default:
			memHex = append(memHex, a)
		}
	}
	if len(memHex) > 1 {
		return 0, fmt.Errorf("expected at most one memory argument, got %d", len(memHex))
	}
	var mem []byte
	if len(memHex) == 1 {
		b, err := hexfmt.Parse(memHex[0])
		if err != nil {
			return 0, fmt.Errorf("memory argument: %v", err)
		}
		mem = b
	}
	in, err := io.ReadAll(stdin)
	if err != nil {
		return 0, fmt.Errorf("reading program: %v", err)
	}
	code, err := hexfmt.Parse(string(in))
	if err != nil {
		return 0, fmt.Errorf("program on stdin: %v", err)
	}
	var insns []isa.Instruction
	if elf {
		insns, err = elfMain(code)
	} else {
		insns, err = isa.Decode(code)
	}
	if err != nil {
		return 0, err
	}
	if mem == nil {
		mem = []byte{}
	}
	prog, err := vm.Load(insns, vm.Options{Engine: engine, Helpers: vm.ConformanceHelpers(), MemSize: len(mem), Unverified: unverified})
	if err != nil {
		return 0, err
	}
	return prog.Run(mem)
}

// elfMain extracts the function "main", or the only program of the object.
func elfMain(object []byte) ([]isa.Instruction, error) {
	tmp, err := os.CreateTemp("", "gbpf-conformance-*.o")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.Write(object)
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return nil, werr
	}
	f, err := elfcode.Open(tmp.Name())
	if err != nil {
		return nil, err
	}
	progs := f.Programs()
	for _, p := range progs {
		if p.Name == "main" {
			return p.Insns, nil
		}
	}
	if len(progs) == 1 {
		return progs[0].Insns, nil
	}
	return nil, fmt.Errorf("ELF object has %d programs and none named main", len(progs))
}
