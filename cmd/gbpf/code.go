package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/internal/elfcode"
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
	llvm := fs.Bool("llvm", false, "print an ELF object as llvm-objdump -d --no-show-raw-insn does")
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
	if *llvm {
		return disasmLLVM(e, pos[0])
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

// disasmLLVM prints every executable section of an ELF object in
// llvm-objdump's layout: section headers, function labels with their byte
// address, and one slot-numbered line per instruction.
func disasmLLVM(e *env, spec string) error {
	file, prog := splitSpec(spec)
	if prog != "" {
		return usagef("--llvm prints whole objects: give FILE, not FILE:PROG")
	}
	f, err := elfcode.Open(file)
	if err != nil {
		return err
	}
	for _, sec := range f.Sections() {
		if len(sec.Insns) == 0 {
			continue // llvm-objdump prints no header for an empty section
		}
		fmt.Fprintf(e.stdout, "\nDisassembly of section %s:\n", sec.Name)
		text := asm.DisassembleWith(sec.Insns, asm.Options{Syntax: asm.Kernel, Symbols: sec.Symbols, LLVM: true})
		lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
		slot := 0
		for i, ins := range sec.Insns {
			if name, ok := sec.Symbols[slot]; ok {
				fmt.Fprintf(e.stdout, "\n%016x <%s>:\n", slot*isa.InstructionSize, name)
			}
			if i < len(lines) {
				fmt.Fprintf(e.stdout, "%8d:\t%s\n", slot, lines[i])
			}
			slot += ins.Slots()
		}
	}
	return nil
}
