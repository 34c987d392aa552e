package asm

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gbpf/gbpf/isa"
)

type tokKind uint8

const (
	tEOF   tokKind = iota
	tIdent         // names, registers, mnemonics (a leading '%' belongs to the name)
	tNum           // an unsigned number: decimal or 0x hexadecimal
	tPunct         // operators and punctuation
)

type token struct {
	kind tokKind
	text string
	col  int // 1-based byte column
}

// describe names the token for "expected X, found Y" messages.
func (t token) describe() string {
	if t.kind == tEOF {
		return "end of line"
	}
	return strconv.Quote(t.text)
}

// operators are the multi-character punctuation tokens, longest first.
var operators = []string{
	"s>>=", "<<=", ">>=", "s<=", "s>=", "s/=", "s%=",
	"==", "!=", ">=", "<=", "+=", "-=", "*=", "/=", "|=", "&=", "^=", "%=", "s<", "s>",
}

type lexer struct {
	kernel bool
	toks   []token // reused between lines
	endCol int     // column just after the last token of the line
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentChar(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

// tokenize splits one line into tokens, dropping comments.
func (lx *lexer) tokenize(line string, lineNo int) ([]token, error) {
	toks := lx.toks[:0]
	i := 0
	lx.endCol = 1
	for i < len(line) {
		c := line[i]
		switch {
		case c == ' ' || c == '\t' || c == '\v' || c == '\f':
			i++
			continue
		case c == ';' || c == '/' && i+1 < len(line) && line[i+1] == '/':
			i = len(line)
			continue
		case c == '#' && (!lx.kernel || i == 0 || line[i-1] == ' ' || line[i-1] == '\t'):
			i = len(line)
			continue
		}
		start := i
		if c == 's' && i+1 < len(line) && strings.IndexByte("<>/%", line[i+1]) >= 0 ||
			i+1 < len(line) && strings.IndexByte("<>=!+-*/|&^%", c) >= 0 && strings.IndexByte("<>=", line[i+1]) >= 0 {
			op := ""
			for _, o := range operators {
				if o[0] == c && strings.HasPrefix(line[i:], o) {
					op = o
					break
				}
			}
			if op != "" {
				toks = append(toks, token{tPunct, op, start + 1})
				i += len(op)
				lx.endCol = i + 1
				continue
			}
		}
		switch {
		case c == '%' && i+1 < len(line) && isIdentStart(line[i+1]):
			i++
			for i < len(line) && isIdentChar(line[i]) {
				i++
			}
			toks = append(toks, token{tIdent, line[start:i], start + 1})
		case isIdentStart(c):
			for i < len(line) && isIdentChar(line[i]) {
				i++
			}
			toks = append(toks, token{tIdent, line[start:i], start + 1})
		case c >= '0' && c <= '9':
			for i < len(line) && isIdentChar(line[i]) {
				i++
			}
			toks = append(toks, token{tNum, line[start:i], start + 1})
		case c > ' ' && c < 0x7f:
			i++
			toks = append(toks, token{tPunct, line[start:i], start + 1})
		default:
			r, _ := utf8.DecodeRuneInString(line[i:])
			return nil, &SyntaxError{lineNo, start + 1, fmt.Sprintf("unexpected character %q", r)}
		}
		lx.endCol = i + 1
	}
	lx.toks = toks
	return toks, nil
}

// parser walks the tokens of one instruction.
type parser struct {
	toks []token
	pos  int
	line int
	end  int // column of the end of the line
}

func (p *parser) atEnd() bool { return p.pos >= len(p.toks) }

func (p *parser) peek() token {
	if p.pos >= len(p.toks) {
		return token{kind: tEOF, col: p.end}
	}
	return p.toks[p.pos]
}

func (p *parser) peekAt(n int) token {
	if p.pos+n >= len(p.toks) {
		return token{kind: tEOF, col: p.end}
	}
	return p.toks[p.pos+n]
}

func (p *parser) next() token {
	t := p.peek()
	if p.pos < len(p.toks) {
		p.pos++
	}
	return t
}

func (p *parser) errorf(t token, format string, args ...any) *SyntaxError {
	return &SyntaxError{Line: p.line, Column: t.col, Msg: fmt.Sprintf(format, args...)}
}

// accept consumes the next token if its text is s.
func (p *parser) accept(s string) bool {
	if t := p.peek(); t.kind != tEOF && t.text == s {
		p.pos++
		return true
	}
	return false
}

// expect consumes the token s or fails saying so.
func (p *parser) expect(s string) error {
	if p.accept(s) {
		return nil
	}
	return p.errorf(p.peek(), "expected %q, found %s", s, p.peek().describe())
}

// parseRegister parses "r0".."r10", "w0".."w10" or, with a '%' prefix, the
// conformance forms; it reports whether the name was a 32-bit "w" register.
func parseRegister(s string) (isa.Register, bool, bool) {
	s = strings.TrimPrefix(s, "%")
	if len(s) < 2 || len(s) > 3 || s[0] != 'r' && s[0] != 'w' {
		return 0, false, false
	}
	n, err := strconv.ParseUint(s[1:], 10, 8)
	if err != nil || n > 10 || s[1] == '0' && len(s) > 2 {
		return 0, false, false
	}
	return isa.Register(n), s[0] == 'w', true
}

// number is a parsed literal with its sign.
type number struct {
	neg bool
	mag uint64
	tok token
}

// value returns the number as a 64-bit two's complement value.
func (n number) value() int64 {
	if n.neg {
		return -int64(n.mag)
	}
	return int64(n.mag)
}

// parseNumber parses an optionally signed decimal or 0x hexadecimal literal.
func (p *parser) parseNumber(what string) (number, error) {
	first := p.peek()
	neg := false
	if first.kind == tPunct && (first.text == "-" || first.text == "+") {
		neg = first.text == "-"
		p.pos++
	}
	t := p.peek()
	if t.kind != tNum {
		return number{}, p.errorf(t, "expected %s, found %s", what, t.describe())
	}
	p.pos++
	var mag uint64
	var err error
	if len(t.text) > 2 && (t.text[1] == 'x' || t.text[1] == 'X') && t.text[0] == '0' {
		mag, err = strconv.ParseUint(t.text[2:], 16, 64)
	} else {
		mag, err = strconv.ParseUint(t.text, 10, 64)
	}
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return number{}, p.errorf(t, "number %s does not fit in 64 bits", t.text)
		}
		return number{}, p.errorf(t, "expected %s, found %s", what, t.describe())
	}
	if neg && mag > 1<<63 {
		return number{}, p.errorf(first, "number -%s does not fit in 64 bits", t.text)
	}
	return number{neg: neg, mag: mag, tok: first}, nil
}

// imm32 parses an immediate that fits in 32 bits, signed or unsigned
// (0xffffffff is -1).
func (p *parser) imm32(what string) (int64, error) {
	n, err := p.parseNumber(what)
	if err != nil {
		return 0, err
	}
	if n.neg && n.mag > 1<<31 || !n.neg && n.mag > 1<<32-1 {
		return 0, p.errorf(n.tok, "%s %s does not fit in 32 bits", what, numText(n))
	}
	return int64(int32(uint32(n.value()))), nil
}

// off16 parses a signed 16-bit offset.
func (p *parser) off16(what string) (int16, error) {
	n, err := p.parseNumber(what)
	if err != nil {
		return 0, err
	}
	if n.neg && n.mag > 1<<15 || !n.neg && n.mag > 1<<15-1 {
		return 0, p.errorf(n.tok, "%s %s does not fit in 16 bits", what, numText(n))
	}
	return int16(n.value()), nil
}

func numText(n number) string {
	if n.neg {
		return "-" + strconv.FormatUint(n.mag, 10)
	}
	return strconv.FormatUint(n.mag, 10)
}

// register parses a register of the dialect: kernel "r1"/"w1" or
// conformance "%r1".
func (p *parser) register(conformance bool) (isa.Register, bool, error) {
	t := p.peek()
	if t.kind == tIdent && (t.text[0] == '%') == conformance {
		if r, w, ok := parseRegister(t.text); ok && !(conformance && w) {
			p.pos++
			return r, w, nil
		}
	}
	if conformance {
		return 0, false, p.errorf(t, "expected register %%r0..%%r10, found %s", t.describe())
	}
	return 0, false, p.errorf(t, "expected register r0..r10 or w0..w10, found %s", t.describe())
}

// isRegister reports whether t names a register of the dialect.
func isRegister(t token, conformance bool) bool {
	if t.kind != tIdent || (t.text[0] == '%') != conformance {
		return false
	}
	_, w, ok := parseRegister(t.text)
	return ok && !(conformance && w)
}

// jumpTarget parses a jump or call target: a signed slot offset ("+4",
// "-0x1", "pc+4" in the kernel syntax) or a label.
func (p *parser) jumpTarget(kernel bool) (offset int64, label string, labelTok token, err error) {
	t := p.peek()
	if t.kind == tIdent && t.text != "pc" && isLabelName(t.text) {
		p.pos++
		return 0, t.text, t, nil
	}
	if kernel && t.kind == tIdent && t.text == "pc" {
		p.pos++
		if s := p.peek(); s.text != "+" && s.text != "-" {
			return 0, "", t, p.errorf(s, "expected \"+\" or \"-\" after pc, found %s", s.describe())
		}
	}
	n, err := p.parseNumber("jump offset or label")
	if err != nil {
		return 0, "", t, err
	}
	if n.neg && n.mag > 1<<31 || !n.neg && n.mag > 1<<31-1 {
		return 0, "", t, p.errorf(n.tok, "jump offset %s does not fit in 32 bits", numText(n))
	}
	return n.value(), "", t, nil
}

// pseudoLoad parses the lddw pseudo-source forms that
// isa.PseudoLoadOperand prints, after the name: "(5)", "(5, 8)",
// "(3, 0, 1)".
func (p *parser) pseudoLoad(name token) (isa.Register, int64, error) {
	args := 1
	var src isa.Register
	switch name.text {
	case "map_fd":
		src = isa.PseudoMapFD
	case "map_value":
		src, args = isa.PseudoMapValue, 2
	case "btf_id":
		src = isa.PseudoBTFID
	case "func":
		src = isa.PseudoFunc
	case "map_idx":
		src = isa.PseudoMapIdx
	case "map_idx_value":
		src, args = isa.PseudoMapIdxValue, 2
	case "pseudo":
		args = 3
	default:
		return 0, 0, p.errorf(name, "expected an immediate or map_fd, map_value, btf_id, func, map_idx, map_idx_value, pseudo, found %s", name.describe())
	}
	if err := p.expect("("); err != nil {
		return 0, 0, err
	}
	if args == 3 {
		t := p.peek()
		n, err := p.parseNumber("pseudo source 1..6")
		if err != nil {
			return 0, 0, err
		}
		if n.neg || n.mag < 1 || n.mag > 6 {
			return 0, 0, p.errorf(t, "pseudo source must be 1..6, found %s", numText(n))
		}
		src = isa.Register(n.mag)
		if err := p.expect(","); err != nil {
			return 0, 0, err
		}
	}
	lo, err := p.imm32("immediate")
	if err != nil {
		return 0, 0, err
	}
	var hi int64
	if args > 1 {
		if err := p.expect(","); err != nil {
			return 0, 0, err
		}
		if hi, err = p.imm32("second immediate"); err != nil {
			return 0, 0, err
		}
	}
	if err := p.expect(")"); err != nil {
		return 0, 0, err
	}
	return src, int64(uint64(uint32(lo)) | uint64(uint32(hi))<<32), nil
}

// isPseudoLoadName reports whether s starts a pseudo-source lddw operand.
func isPseudoLoadName(s string) bool {
	switch s {
	case "map_fd", "map_value", "btf_id", "func", "map_idx", "map_idx_value", "pseudo":
		return true
	}
	return false
}
