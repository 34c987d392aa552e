package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/internal/elfcode"
	"github.com/gbpf/gbpf/isa"
)

// program is one program read from the command line's FILE[:PROG].
type program struct {
	name    string // function name for ELF programs, else the file name
	section string // ELF section, "" otherwise
	insns   []isa.Instruction
	relocs  int // unresolved ELF relocations inside the program
}

// splitSpec splits FILE[:PROG]. A path that exists as given wins over a
// split at the last colon.
func splitSpec(spec string) (file, prog string) {
	if _, err := os.Stat(spec); err == nil {
		return spec, ""
	}
	if i := strings.LastIndexByte(spec, ':'); i > 0 {
		if _, err := os.Stat(spec[:i]); err == nil {
			return spec[:i], spec[i+1:]
		}
	}
	return spec, ""
}

// readPrograms reads FILE[:PROG]: every program of an ELF object (or the one
// PROG names), or the single program of an assembly or raw bytecode file.
// syntax is "" to detect the assembly dialect.
func readPrograms(spec, syntax string) ([]program, error) {
	file, prog := splitSpec(spec)
	data, err := os.ReadFile(file)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%s: %v", file, pe.Err)
		}
		return nil, err
	}
	if bytes.HasPrefix(data, []byte("\x7fELF")) {
		return readELF(file, prog)
	}
	if prog != "" {
		return nil, fmt.Errorf("%s is not an ELF object: cannot pick program %q", file, prog)
	}
	insns, err := parseCode(file, data, syntax)
	if err != nil {
		return nil, err
	}
	return []program{{name: file, insns: insns}}, nil
}

// parseCode turns assembly text or raw bytecode into instructions.
func parseCode(file string, data []byte, syntax string) ([]isa.Instruction, error) {
	isText := utf8.Valid(data) && !bytes.ContainsRune(data, 0)
	if syntax != "" {
		s, err := asm.ParseSyntax(syntax)
		if err != nil {
			return nil, usagef("%v", err)
		}
		if isText {
			insns, err := asm.Assemble(string(data), s)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", file, err)
			}
			return insns, nil
		}
	} else if isText {
		kinsns, kerr := asm.Assemble(string(data), asm.Kernel)
		if kerr == nil {
			return kinsns, nil
		}
		cinsns, cerr := asm.Assemble(string(data), asm.Conformance)
		if cerr == nil {
			return cinsns, nil
		}
		// Text in neither dialect: raw bytecode that happens to be valid
		// UTF-8 is still possible; otherwise report the dialect that read
		// further.
		if insns, err := isa.Decode(data); err == nil && len(data) > 0 {
			return insns, nil
		}
		var kse, cse *asm.SyntaxError
		if errors.As(kerr, &kse) && errors.As(cerr, &cse) && cse.Line > kse.Line {
			return nil, fmt.Errorf("%s: %v (conformance syntax)", file, cerr)
		}
		return nil, fmt.Errorf("%s: %v", file, kerr)
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("%s: empty program", file)
	}
	insns, err := isa.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: not assembly text, and not valid bytecode: %v", file, err)
	}
	return insns, nil
}

// readELF reads the programs of an ELF object, or the one prog names: by
// function name first, by section name when that section holds exactly one
// program.
func readELF(file, prog string) ([]program, error) {
	f, err := elfcode.Open(file)
	if err != nil {
		return nil, err
	}
	var all []program
	for _, p := range f.Programs() {
		all = append(all, program{name: p.Name, section: p.Section, insns: p.Insns, relocs: len(p.Relocs)})
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("%s: no programs in the object", file)
	}
	if prog == "" {
		return all, nil
	}
	for _, p := range all {
		if p.name == prog {
			return []program{p}, nil
		}
	}
	var inSection []program
	for _, p := range all {
		if p.section == prog {
			inSection = append(inSection, p)
		}
	}
	if len(inSection) == 1 {
		return inSection, nil
	}
	what := fmt.Sprintf("no program or section named %q", prog)
	if len(inSection) > 1 {
		what = fmt.Sprintf("section %q holds %d programs, so the name is ambiguous", prog, len(inSection))
	}
	return nil, fmt.Errorf("%s: %s; programs: %s", file, what, listPrograms(all))
}

func listPrograms(ps []program) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.name + " (section " + p.section + ")"
	}
	return strings.Join(names, ", ")
}

// pickOne chooses the program to run from what readPrograms returned: the
// only one, or the only entry program outside .text.
func pickOne(file string, ps []program) (program, error) {
	if len(ps) == 1 {
		return ps[0], nil
	}
	var entries []program
	for _, p := range ps {
		if p.section != ".text" {
			entries = append(entries, p)
		}
	}
	if len(entries) == 1 {
		return entries[0], nil
	}
	return program{}, fmt.Errorf("%s holds %d programs: pick one with FILE:PROG; programs: %s", file, len(ps), listPrograms(ps))
}
