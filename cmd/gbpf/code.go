package main

import (
	"fmt"
	"os"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/isa"
)

// cmdAsm assembles a text file into raw bytecode.
func cmdAsm(e *env, args []string) error {
	fs := newFlagSet("asm")
	syntax := fs.String("syntax", "", "assembly dialect: kernel or conformance (default: detect)")
	out := fs.String("o", "", "output file (default: standard output)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("usage: gbpf asm %s", synopsis["asm"])
	}
	data, err := os.ReadFile(pos[0])
	if err != nil {
		return fmt.Errorf("%v", err)
	}
	insns, err := parseCode(pos[0], data, *syntax)
	if err != nil {
		return err
	}
	code := isa.Encode(nil, insns)
	if *out == "" || *out == "-" {
		_, err = e.stdout.Write(code)
		return err
	}
	return os.WriteFile(*out, code, 0o644)
}

// cmdDisasm prints raw bytecode, assembly or the programs of an ELF object
// as assembly text.
func cmdDisasm(e *env, args []string) error {
	fs := newFlagSet("disasm")
	syntax := fs.String("syntax", "kernel", "output dialect: kernel or conformance")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("usage: gbpf disasm %s", synopsis["disasm"])
	}
	s, err := asm.ParseSyntax(*syntax)
	if err != nil {
		return usagef("%v", err)
	}
	progs, err := readPrograms(pos[0], "")
	if err != nil {
		return err
	}
	comment := "#"
	if s == asm.Kernel {
		comment = ";"
	}
	for i, p := range progs {
		if p.section != "" {
			if i > 0 {
				fmt.Fprintln(e.stdout)
			}
			fmt.Fprintf(e.stdout, "%s section %s, function %s\n", comment, p.section, p.name)
		}
		fmt.Fprint(e.stdout, asm.Disassemble(p.insns, s))
	}
	return nil
}
