package asm

import (
	"fmt"
	"strings"

	"github.com/gbpf/gbpf/isa"
)

// Syntax selects an assembly dialect.
type Syntax int

// The dialects.
const (
	// Kernel is the Linux/LLVM syntax that llvm-objdump and the verifier
	// log print: "r0 = *(u32 *)(r1 + 0x4)", "if r0 == 0x0 goto +0x4".
	Kernel Syntax = iota
	// Conformance is the bpf_conformance assembler syntax:
	// "ldxw %r0, [%r1+4]", "jeq %r0, 0, +4".
	Conformance
)

// ParseSyntax returns the dialect called name: "kernel" or "conformance".
func ParseSyntax(name string) (Syntax, error) {
	switch name {
	case "kernel":
		return Kernel, nil
	case "conformance":
		return Conformance, nil
	}
	return 0, fmt.Errorf("unknown syntax %q (want kernel or conformance)", name)
}

// String returns "kernel" or "conformance".
func (s Syntax) String() string {
	switch s {
	case Kernel:
		return "kernel"
	case Conformance:
		return "conformance"
	}
	return fmt.Sprintf("Syntax(%d)", int(s))
}

// SyntaxError is an assembly error at a position in the source. Line and
// Column count from 1; Column counts bytes.
type SyntaxError struct {
	Line, Column int
	Msg          string // what was expected, or what is wrong
}

// Error returns "line L, column C: MSG".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// fixup says which field of a parsed instruction still needs a label's
// position.
type fixup uint8

const (
	fixNone   fixup = iota
	fixOffset       // Offset is the jump distance to the label
	fixImm          // Constant is the distance to the label (gotol, local call)
)

// stmt is one parsed instruction.
type stmt struct {
	ins   isa.Instruction
	fix   fixup
	label string // target label when fix != fixNone
	line  int
	col   int // column of the label reference, or of the instruction
}

// Assemble parses a whole program in the given syntax. Labels ("name:") may
// stand before an instruction or alone on a line; jumps and local calls may
// name them. Comments start with "//", ";" or "#" (in the kernel syntax "#"
// only at the start of a line or after white space, since the verifier log
// writes "call kernel-function#5"). The result validates with
// isa.Instruction.Validate. Errors are *SyntaxError.
//
// In the conformance syntax, as in bpf_conformance, a jump to the label
// "exit" that the program does not define goes to its first exit
// instruction.
func Assemble(src string, syntax Syntax) ([]isa.Instruction, error) {
	if syntax != Kernel && syntax != Conformance {
		return nil, fmt.Errorf("asm: unknown syntax %d", int(syntax))
	}
	labels := make(map[string]int)
	// At most one instruction per line: allocate once.
	stmts := make([]stmt, 0, strings.Count(src, "\n")+1)
	var lx lexer
	lx.kernel = syntax == Kernel
	lineNo := 0
	for len(src) > 0 || lineNo == 0 {
		lineNo++
		line := src
		if i := strings.IndexByte(src, '\n'); i >= 0 {
			line, src = src[:i], src[i+1:]
		} else {
			src = ""
		}
		line = strings.TrimSuffix(line, "\r")
		toks, err := lx.tokenize(line, lineNo)
		if err != nil {
			return nil, err
		}
		// Leading labels.
		for len(toks) >= 2 && toks[0].kind == tIdent && toks[1].text == ":" && isLabelName(toks[0].text) {
			if _, dup := labels[toks[0].text]; dup {
				return nil, &SyntaxError{lineNo, toks[0].col, fmt.Sprintf("label %q defined twice", toks[0].text)}
			}
			labels[toks[0].text] = len(stmts)
			toks = toks[2:]
		}
		if len(toks) == 0 {
			continue
		}
		p := parser{toks: toks, line: lineNo, end: lx.endCol}
		var st stmt
		if syntax == Kernel {
			st, err = p.kernelStatement()
		} else {
			st, err = p.conformanceStatement()
		}
		if err != nil {
			return nil, err
		}
		if !p.atEnd() {
			return nil, p.errorf(p.peek(), "expected end of instruction, found %s", p.peek().describe())
		}
		st.line = lineNo
		if st.fix == fixNone {
			st.col = toks[0].col
		}
		if st.fix == fixNone {
			if err := st.ins.Validate(); err != nil {
				return nil, &SyntaxError{lineNo, toks[0].col, err.Error()}
			}
		}
		stmts = append(stmts, st)
	}
	insns := make([]isa.Instruction, len(stmts))
	slots := make([]int, len(stmts)+1)
	for i, st := range stmts {
		insns[i] = st.ins
		slots[i+1] = slots[i] + st.ins.Slots()
	}
	for i, st := range stmts {
		if st.fix == fixNone {
			continue
		}
		target, ok := labels[st.label]
		if !ok && st.label == "exit" && syntax == Conformance {
			// bpf_conformance: an undefined label "exit" is the program's
			// first exit instruction.
			for j := 0; j < len(stmts) && !ok; j++ {
				target, ok = j, stmts[j].ins.OpCode == isa.OpExit
			}
		}
		if !ok {
			return nil, &SyntaxError{st.line, st.col, fmt.Sprintf("undefined label %q", st.label)}
		}
		dist := slots[target] - slots[i] - 1
		if st.fix == fixOffset {
			if dist < -32768 || dist > 32767 {
				return nil, &SyntaxError{st.line, st.col, fmt.Sprintf("jump to %q is %d slots away, more than a 16-bit offset holds (use gotol / ja32)", st.label, dist)}
			}
			insns[i].Offset = int16(dist)
		} else {
			insns[i].Constant = int64(dist)
		}
		if err := insns[i].Validate(); err != nil {
			return nil, &SyntaxError{st.line, st.col, err.Error()}
		}
	}
	return insns, nil
}

// isLabelName reports whether s can name a label: not a register.
func isLabelName(s string) bool {
	_, _, ok := parseRegister(s)
	return !ok && s[0] != '%'
}

// Options controls DisassembleWith.
type Options struct {
	Syntax Syntax
	// Symbols, when not nil, adds llvm-objdump's jump target annotations
	// ("goto +0x4 <prog+0x58>") in the kernel syntax: it maps slot
	// positions within the section to symbol names, and Base is the slot
	// position of the first instruction within that section.
	Symbols map[int]string
	Base    int
	// LLVM prints bpf-to-bpf and kfunc calls as llvm-objdump does,
	// "call IMM", which is indistinguishable from a helper call; without it
	// they print as the verifier log does, "call pc+3" and
	// "call kernel-function#5", which Assemble reads back.
	LLVM bool
}

// Disassemble prints insns one instruction per line (each line ends in a
// newline) in the given syntax. Assemble(Disassemble(insns, s), s) returns
// insns for every program isa.Decode accepts. Jump and call targets print as
// slot offsets. The kernel syntax is llvm-objdump's (-d --no-show-raw-insn,
// without the address column); where llvm-objdump prints an instruction
// ambiguously or not at all, Disassemble uses the verifier-log form.
func Disassemble(insns []isa.Instruction, syntax Syntax) string {
	return DisassembleWith(insns, Options{Syntax: syntax})
}

// DisassembleWith is Disassemble with options.
func DisassembleWith(insns []isa.Instruction, opts Options) string {
	var b strings.Builder
	b.Grow(len(insns) * 24)
	var syms *symbolTable
	if opts.Symbols != nil && opts.Syntax == Kernel {
		syms = newSymbolTable(opts.Symbols)
	}
	slot := opts.Base
	for _, ins := range insns {
		if opts.Syntax == Conformance {
			b.WriteString(formatConformance(ins))
		} else {
			b.WriteString(formatKernel(ins, opts.LLVM))
			if syms != nil && ins.IsJump() {
				b.WriteString(syms.annotate(int64(slot) + 1 + ins.JumpOffset()))
			}
		}
		b.WriteByte('\n')
		slot += ins.Slots()
	}
	return b.String()
}
