package cbpf

import (
	"fmt"
	"strconv"
	"strings"
)

// The kernel's bpf_asm syntax (tools/bpf/bpf_asm, documented in the kernel's
// classic BPF documentation): one instruction after another, with optional
// "label:" prefixes; jumps name labels; "ld [12]", "ldh [x + 4]",
// "ldxb 4*([14]&0xf)", "jeq #0x800, Ltrue, Lfalse", "jne #0, Lfalse",
// "ret #0", "ret a", and the Linux ancillary loads as "ld #proto", "ld rxhash".
// Keywords are case-insensitive; comments are /* ... */, ";" to the end of the
// line, and lines starting with "#".

// asmExtensions are bpf_asm's names of ancillary loads (with optional '#').
var asmExtensions = map[string]uint32{
	"proto": SKFAdProtocol, "type": SKFAdPktType, "poff": SKFAdPayOffset,
	"ifidx": SKFAdIfIndex, "nla": SKFAdNlAttr, "nlan": SKFAdNlAttrNest,
	"mark": SKFAdMark, "queue": SKFAdQueue, "hatype": SKFAdHaType,
	"rxhash": SKFAdRxHash, "cpu": SKFAdCPU, "vlan_tci": SKFAdVlanTag,
	"vlan_pr": SKFAdVlanTagPresent, "vlan_avail": SKFAdVlanTagPresent,
	"vlan_tpid": SKFAdVlanTPID, "rand": SKFAdRandom,
}

// asmExtensionName is the name FormatAsm prints for each ancillary load.
var asmExtensionName = map[uint32]string{
	SKFAdProtocol: "proto", SKFAdPktType: "type", SKFAdPayOffset: "poff",
	SKFAdIfIndex: "ifidx", SKFAdNlAttr: "nla", SKFAdNlAttrNest: "nlan",
	SKFAdMark: "mark", SKFAdQueue: "queue", SKFAdHaType: "hatype",
	SKFAdRxHash: "rxhash", SKFAdCPU: "cpu", SKFAdVlanTag: "vlan_tci",
	SKFAdVlanTagPresent: "vlan_avail", SKFAdVlanTPID: "vlan_tpid", SKFAdRandom: "rand",
}

var asmMnemonics = map[string]bool{
	"ldb": true, "ldh": true, "ld": true, "ldi": true, "ldx": true, "ldxi": true, "ldxb": true,
	"st": true, "stx": true, "jmp": true, "ja": true, "jeq": true, "jneq": true, "jne": true,
	"jlt": true, "jle": true, "jgt": true, "jge": true, "jset": true, "add": true, "sub": true,
	"mul": true, "div": true, "mod": true, "neg": true, "and": true, "xor": true, "or": true,
	"lsh": true, "rsh": true, "ret": true, "tax": true, "txa": true,
}

type asmTokKind int

const (
	tkEOF asmTokKind = iota
	tkPunct
	tkNumber
	tkWord // mnemonic, label, extension, "len", or the one-letter x, a, M
)

type asmTok struct {
	kind      asmTokKind
	text      string // punctuation or word (words lowercased unless a label)
	raw       string
	num       uint32
	line, col int
}

func lexAsm(src string) ([]asmTok, error) {
	var toks []asmTok
	line, col := 1, 1
	i := 0
	adv := func(n int) {
		for j := 0; j < n; j++ {
			if src[i] == '\n' {
				line++
				col = 1
			} else {
				col++
			}
			i++
		}
	}
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\n' || c == ' ' || c == '\t' || c == '\r':
			adv(1)
		case c == '#' && col == 1:
			for i < len(src) && src[i] != '\n' {
				adv(1)
			}
		case c == ';':
			for i < len(src) && src[i] != '\n' {
				adv(1)
			}
		case strings.HasPrefix(src[i:], "/*"):
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return nil, &ParseError{Line: line, Col: col, Msg: "unterminated comment"}
			}
			adv(end + 4)
		case c == '#' || c == '%' || c == ':' || c == ',' || c == '[' || c == ']' ||
			c == '(' || c == ')' || c == '*' || c == '&':
			toks = append(toks, asmTok{kind: tkPunct, text: string(c), raw: string(c), line: line, col: col})
			adv(1)
		case c == '+' || c == '-' || c >= '0' && c <= '9':
			j := i + 1
			for j < len(src) && isWordByte(src[j]) {
				j++
			}
			lit := src[i:j]
			if lit == "+" {
				toks = append(toks, asmTok{kind: tkPunct, text: "+", raw: "+", line: line, col: col})
				adv(1)
				continue
			}
			v, err := parseAsmNumber(lit)
			if err != nil {
				return nil, &ParseError{Line: line, Col: col, Msg: err.Error()}
			}
			toks = append(toks, asmTok{kind: tkNumber, raw: lit, num: v, line: line, col: col})
			adv(j - i)
		case isWordByte(c):
			j := i
			for j < len(src) && isWordByte(src[j]) {
				j++
			}
			w := src[i:j]
			toks = append(toks, asmTok{kind: tkWord, text: strings.ToLower(w), raw: w, line: line, col: col})
			adv(j - i)
		default:
			return nil, &ParseError{Line: line, Col: col, Msg: fmt.Sprintf("unknown character %q", c)}
		}
	}
	toks = append(toks, asmTok{kind: tkEOF, line: line, col: col})
	return toks, nil
}

// parseAsmNumber accepts bpf_asm's literals: 0x hex, 0b binary, 0 octal,
// and signed decimal, within [-2^31, 2^32-1].
func parseAsmNumber(lit string) (uint32, error) {
	s := lit
	neg := false
	if s[0] == '+' || s[0] == '-' {
		neg = s[0] == '-'
		s = s[1:]
	}
	base := 10
	switch {
	case strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X"):
		base, s = 16, s[2:]
	case strings.HasPrefix(s, "0b") || strings.HasPrefix(s, "0B"):
		base, s = 2, s[2:]
	case len(s) > 1 && s[0] == '0':
		base, s = 8, s[1:]
	}
	v, err := strconv.ParseUint(s, base, 32)
	if err != nil || s == "" {
		return 0, fmt.Errorf("bad number %q", lit)
	}
	if neg {
		if v > 1<<31 {
			return 0, fmt.Errorf("number %q out of range", lit)
		}
		return uint32(-int64(v)), nil
	}
	return uint32(v), nil
}

type asmParser struct {
	toks []asmTok
	pos  int
}

func (p *asmParser) peek() asmTok { return p.toks[p.pos] }

func (p *asmParser) errAt(t asmTok, format string, args ...any) error {
	return &ParseError{Line: t.line, Col: t.col, Msg: fmt.Sprintf(format, args...)}
}

func (p *asmParser) describe(t asmTok) string {
	switch t.kind {
	case tkEOF:
		return "end of input"
	case tkNumber:
		return fmt.Sprintf("number %s", t.raw)
	}
	return fmt.Sprintf("%q", t.raw)
}

// punct consumes punctuation s if next.
func (p *asmParser) punct(s string) bool {
	if t := p.peek(); t.kind == tkPunct && t.text == s {
		p.pos++
		return true
	}
	return false
}

func (p *asmParser) expectPunct(s string) error {
	if !p.punct(s) {
		return p.errAt(p.peek(), "expected %q, found %s", s, p.describe(p.peek()))
	}
	return nil
}

func (p *asmParser) word(w string) bool {
	if t := p.peek(); t.kind == tkWord && t.text == w {
		p.pos++
		return true
	}
	return false
}

func (p *asmParser) number() (uint32, error) {
	t := p.peek()
	if t.kind != tkNumber {
		return 0, p.errAt(t, "expected a number, found %s", p.describe(t))
	}
	p.pos++
	return t.num, nil
}

// reg consumes "x"/"%x" (or "a"/"%a" when name is "a").
func (p *asmParser) reg(name string) bool {
	save := p.pos
	p.punct("%")
	if p.word(name) {
		return true
	}
	p.pos = save
	return false
}

// extension consumes an optional '#' and an ancillary name.
func (p *asmParser) extension() (uint32, bool) {
	save := p.pos
	p.punct("#")
	if t := p.peek(); t.kind == tkWord {
		if v, ok := asmExtensions[t.text]; ok {
			p.pos++
			return v, true
		}
	}
	p.pos = save
	return 0, false
}

// pktLen consumes "len" or "#len".
func (p *asmParser) pktLen() bool {
	save := p.pos
	p.punct("#")
	if p.word("len") {
		return true
	}
	p.pos = save
	return false
}

func (p *asmParser) label() (asmTok, error) {
	t := p.peek()
	if t.kind != tkWord || asmMnemonics[t.text] || len(t.raw) < 2 {
		return t, p.errAt(t, "expected a label, found %s", p.describe(t))
	}
	p.pos++
	return t, nil
}

// bracket parses "[k]" or "[x + k]" after the '[' and reports which.
func (p *asmParser) bracket() (k uint32, ind bool, err error) {
	if p.reg("x") {
		ind = true
		// "[x+4]" lexes as x and the signed number +4.
		if t := p.peek(); !(t.kind == tkNumber && strings.HasPrefix(t.raw, "+")) {
			if err := p.expectPunct("+"); err != nil {
				return 0, false, err
			}
		}
	}
	if k, err = p.number(); err != nil {
		return 0, false, err
	}
	return k, ind, p.expectPunct("]")
}

// msh parses "4*([k]&0xf)".
func (p *asmParser) msh() (uint32, error) {
	t := p.peek()
	four, err := p.number()
	if err != nil {
		return 0, err
	}
	if err := p.expectPunct("*"); err != nil {
		return 0, err
	}
	if err := p.expectPunct("("); err != nil {
		return 0, err
	}
	if err := p.expectPunct("["); err != nil {
		return 0, err
	}
	k, err := p.number()
	if err != nil {
		return 0, err
	}
	if err := p.expectPunct("]"); err != nil {
		return 0, err
	}
	if err := p.expectPunct("&"); err != nil {
		return 0, err
	}
	mask, err := p.number()
	if err != nil {
		return 0, err
	}
	if err := p.expectPunct(")"); err != nil {
		return 0, err
	}
	if four != 4 || mask != 0xf {
		return 0, p.errAt(t, "ldxb offset not supported: only 4*([k]&0xf)")
	}
	return k, nil
}

type asmJump struct {
	ins       int
	field     byte // 't', 'f' or 'k'
	label     asmTok
	labelName string
}

// ParseAsm parses the kernel's bpf_asm syntax into instructions. Jumps to
// labels resolve to offsets; a conditional jump without a false label falls
// through on false, "jne"/"jneq", "jlt" and "jle" jump only on false (they
// assemble to jeq, jge and jgt with the label as jf).
func ParseAsm(src string) ([]Instruction, error) {
	toks, err := lexAsm(src)
	if err != nil {
		return nil, err
	}
	p := &asmParser{toks: toks}
	out := []Instruction{}
	labels := map[string]int{}
	var jumps []asmJump
	for p.peek().kind != tkEOF {
		t := p.peek()
		if t.kind != tkWord {
			return nil, p.errAt(t, "expected an instruction, found %s", p.describe(t))
		}
		if !asmMnemonics[t.text] {
			if p.toks[p.pos+1].kind == tkPunct && p.toks[p.pos+1].text == ":" {
				if len(t.raw) < 2 {
					return nil, p.errAt(t, "label %q too short", t.raw)
				}
				if _, dup := labels[t.raw]; dup {
					return nil, p.errAt(t, "label %q defined twice", t.raw)
				}
				labels[t.raw] = len(out)
				p.pos += 2
				continue
			}
			return nil, p.errAt(t, "unknown instruction %q", t.raw)
		}
		p.pos++
		ins, js, err := p.instruction(t.text, len(out))
		if err != nil {
			return nil, err
		}
		out = append(out, ins)
		jumps = append(jumps, js...)
	}
	if len(out) > MaxInsns {
		return nil, &ParseError{Line: 1, Col: 1, Msg: fmt.Sprintf("%d instructions, at most %d allowed", len(out), MaxInsns)}
	}
	for _, j := range jumps {
		target, ok := labels[j.labelName]
		if !ok {
			return nil, p.errAt(j.label, "no such label %q", j.labelName)
		}
		delta := target - j.ins - 1
		if j.field == 'k' {
			out[j.ins].K = uint32(int32(delta))
			continue
		}
		if delta < 0 || delta > 255 {
			return nil, p.errAt(j.label, "insn #%d jumps to insn #%d, which is out of range", j.ins, target)
		}
		if j.field == 't' {
			out[j.ins].Jt = uint8(delta)
		} else {
			out[j.ins].Jf = uint8(delta)
		}
	}
	return out, nil
}

func (p *asmParser) instruction(m string, idx int) (Instruction, []asmJump, error) {
	var ins Instruction
	var err error
	switch m {
	case "ldb", "ldh", "ld":
		size := map[string]uint16{"ld": SizeW, "ldh": SizeH, "ldb": SizeB}[m]
		if ext, ok := p.extension(); ok {
			return Stmt(ClassLD|size|ModeABS, SKFAdOff+ext), nil, nil
		}
		if p.punct("[") {
			k, ind, err := p.bracket()
			mode := ModeABS
			if ind {
				mode = ModeIND
			}
			return Stmt(ClassLD|size|mode, k), nil, err
		}
		if m == "ld" {
			if p.pktLen() {
				return Stmt(OpLdLen, 0), nil, nil
			}
			if p.word("m") {
				if err := p.expectPunct("["); err != nil {
					return ins, nil, err
				}
				k, err := p.number()
				if err == nil {
					err = p.expectPunct("]")
				}
				return Stmt(OpLdMem, k), nil, err
			}
			if err := p.expectPunct("#"); err != nil {
				return ins, nil, err
			}
			k, err := p.number()
			return Stmt(OpLdImm, k), nil, err
		}
		return ins, nil, p.errAt(p.peek(), "%s needs [k], [x + k] or an extension, found %s", m, p.describe(p.peek()))
	case "ldi", "ldxi":
		p.punct("#")
		k, err := p.number()
		op := OpLdImm
		if m == "ldxi" {
			op = OpLdxImm
		}
		return Stmt(op, k), nil, err
	case "ldx":
		switch {
		case p.pktLen():
			return Stmt(OpLdxLen, 0), nil, nil
		case p.word("m"):
			if err := p.expectPunct("["); err != nil {
				return ins, nil, err
			}
			k, err := p.number()
			if err == nil {
				err = p.expectPunct("]")
			}
			return Stmt(OpLdxMem, k), nil, err
		case p.punct("#"):
			k, err := p.number()
			return Stmt(OpLdxImm, k), nil, err
		}
		k, err := p.msh()
		return Stmt(OpLdxMsh, k), nil, err
	case "ldxb":
		k, err := p.msh()
		return Stmt(OpLdxMsh, k), nil, err
	case "st", "stx":
		if !p.word("m") {
			return ins, nil, p.errAt(p.peek(), "expected M[k], found %s", p.describe(p.peek()))
		}
		if err := p.expectPunct("["); err != nil {
			return ins, nil, err
		}
		k, err := p.number()
		if err == nil {
			err = p.expectPunct("]")
		}
		op := OpSt
		if m == "stx" {
			op = OpStx
		}
		return Stmt(op, k), nil, err
	case "jmp", "ja":
		l, err := p.label()
		if err != nil {
			return ins, nil, err
		}
		return Stmt(OpJA, 0), []asmJump{{ins: idx, field: 'k', label: l, labelName: l.raw}}, nil
	case "jeq", "jgt", "jge", "jset", "jneq", "jne", "jlt", "jle":
		op := map[string]uint16{"jeq": JmpJEQ, "jgt": JmpJGT, "jge": JmpJGE, "jset": JmpJSET,
			"jneq": JmpJEQ, "jne": JmpJEQ, "jlt": JmpJGE, "jle": JmpJGT}[m]
		ins.Op = ClassJMP | op
		if p.reg("x") {
			ins.Op |= SrcX
		} else {
			if err := p.expectPunct("#"); err != nil {
				return ins, nil, err
			}
			if ins.K, err = p.number(); err != nil {
				return ins, nil, err
			}
		}
		if err := p.expectPunct(","); err != nil {
			return ins, nil, err
		}
		l1, err := p.label()
		if err != nil {
			return ins, nil, err
		}
		first := byte('t')
		if m == "jneq" || m == "jne" || m == "jlt" || m == "jle" {
			first = 'f'
		}
		js := []asmJump{{ins: idx, field: first, label: l1, labelName: l1.raw}}
		if first == 't' && p.punct(",") {
			l2, err := p.label()
			if err != nil {
				return ins, nil, err
			}
			js = append(js, asmJump{ins: idx, field: 'f', label: l2, labelName: l2.raw})
		}
		return ins, js, nil
	case "add", "sub", "mul", "div", "mod", "and", "or", "xor", "lsh", "rsh":
		ins.Op = ClassALU | aluOps[m]
		if p.reg("x") {
			ins.Op |= SrcX
			return ins, nil, nil
		}
		if err := p.expectPunct("#"); err != nil {
			return ins, nil, err
		}
		ins.K, err = p.number()
		return ins, nil, err
	case "neg":
		return Stmt(OpNeg, 0), nil, nil
	case "tax":
		return Stmt(OpTAX, 0), nil, nil
	case "txa":
		return Stmt(OpTXA, 0), nil, nil
	case "ret":
		switch {
		case p.reg("a"):
			return Stmt(OpRetA, 0), nil, nil
		case p.reg("x"):
			return Stmt(OpRetX, 0), nil, nil
		}
		if err := p.expectPunct("#"); err != nil {
			return ins, nil, err
		}
		k, err := p.number()
		return Stmt(OpRetK, k), nil, err
	}
	return ins, nil, fmt.Errorf("unreachable mnemonic %q", m)
}

// FormatAsm prints insns in the kernel's bpf_asm syntax, which ParseAsm reads
// back to the same instructions, except for fields the instruction ignores
// (K of "tax" or "add x", Jt/Jf of non-conditional instructions), which are
// not printed and read back as 0. Every jump target gets a label "L<index>".
// An opcode outside bpf_asm's instruction set, or a jump outside the program,
// is an error naming the instruction.
func FormatAsm(insns []Instruction) (string, error) {
	targets := map[int]bool{}
	for i, ins := range insns {
		switch {
		case ins.Op == OpJA:
			t := int64(i) + 1 + int64(int32(ins.K))
			if t < 0 || t >= int64(len(insns)) {
				return "", &Error{PC: i, Msg: fmt.Sprintf("jump target %d outside the program", t)}
			}
			targets[int(t)] = true
		case ins.IsConditionalJump():
			for _, off := range []uint8{ins.Jt, ins.Jf} {
				t := i + 1 + int(off)
				if t >= len(insns) {
					return "", &Error{PC: i, Msg: fmt.Sprintf("jump target %d outside the program", t)}
				}
				targets[t] = true
			}
		}
	}
	var b strings.Builder
	for i, ins := range insns {
		text, err := asmText(ins, i)
		if err != nil {
			return "", err
		}
		if targets[i] {
			fmt.Fprintf(&b, "L%d:", i)
		}
		b.WriteString("\t" + text + "\n")
	}
	return b.String(), nil
}

func asmText(ins Instruction, i int) (string, error) {
	k := ins.K
	noK := func(s string) (string, error) { return s, nil }
	label := func(off int64) string { return fmt.Sprintf("L%d", int64(i)+1+off) }
	signed := func(v uint32) string { return strconv.FormatInt(int64(int32(v)), 10) }
	switch ins.Op {
	case OpLdW, OpLdH, OpLdB:
		m := map[uint16]string{OpLdW: "ld", OpLdH: "ldh", OpLdB: "ldb"}[ins.Op]
		if ext, ok := ins.Ancillary(); ok {
			if name, ok := asmExtensionName[ext]; ok {
				return m + " #" + name, nil
			}
		}
		return fmt.Sprintf("%s [%s]", m, signedOrUnsigned(k)), nil
	case OpLdIndW, OpLdIndH, OpLdIndB:
		m := map[uint16]string{OpLdIndW: "ld", OpLdIndH: "ldh", OpLdIndB: "ldb"}[ins.Op]
		return fmt.Sprintf("%s [x + %s]", m, signedOrUnsigned(k)), nil
	case OpLdLen:
		return noK("ld #len")
	case OpLdxLen:
		return noK("ldx #len")
	case OpLdImm:
		return fmt.Sprintf("ld #0x%x", k), nil
	case OpLdxImm:
		return fmt.Sprintf("ldx #0x%x", k), nil
	case OpLdMem:
		return fmt.Sprintf("ld M[%d]", k), nil
	case OpLdxMem:
		return fmt.Sprintf("ldx M[%d]", k), nil
	case OpSt:
		return fmt.Sprintf("st M[%d]", k), nil
	case OpStx:
		return fmt.Sprintf("stx M[%d]", k), nil
	case OpLdxMsh:
		return fmt.Sprintf("ldxb 4*([%s]&0xf)", signedOrUnsigned(k)), nil
	case OpJA:
		return "ja " + label(int64(int32(k))), nil
	case OpJEQK, OpJGTK, OpJGEK, OpJSETK, OpJEQX, OpJGTX, OpJGEX, OpJSETX:
		m := map[uint16]string{JmpJEQ: "jeq", JmpJGT: "jgt", JmpJGE: "jge", JmpJSET: "jset"}[ins.Op&0xf0]
		operand := fmt.Sprintf("#0x%x", k)
		if ins.Op&SrcX != 0 {
			operand = "x"
		}
		return fmt.Sprintf("%s %s, %s, %s", m, operand, label(int64(ins.Jt)), label(int64(ins.Jf))), nil
	case OpNeg:
		return noK("neg")
	case OpTAX:
		return noK("tax")
	case OpTXA:
		return noK("txa")
	case OpRetK:
		return "ret #" + strconv.FormatUint(uint64(k), 10), nil
	case OpRetA:
		return noK("ret a")
	case OpRetX:
		return noK("ret x")
	}
	if ins.Class() == ClassALU {
		for name, op := range aluOps {
			if ins.Op == ClassALU|op|SrcK {
				switch op {
				case ALUAnd, ALUOr, ALUXor:
					return fmt.Sprintf("%s #0x%x", name, k), nil
				}
				return name + " #" + signed(k), nil
			}
			if ins.Op == ClassALU|op|SrcX {
				return noK(name + " x")
			}
		}
	}
	return "", &Error{PC: i, Msg: fmt.Sprintf("opcode 0x%02x has no bpf_asm syntax", ins.Op)}
}

// signedOrUnsigned prints offsets at or above 2^31 as negative numbers
// (SKF_NET_OFF and friends read naturally), others in decimal.
func signedOrUnsigned(k uint32) string {
	return strconv.FormatInt(int64(int32(k)), 10)
}
