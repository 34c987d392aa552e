package lang

import (
	"fmt"
	"strconv"
	"strings"
)

// tokKind classifies tokens.
type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tBuiltin
	tCall
	tIntType
	tInt
	tString
	tMap
	tVar
	tParam
	tKeyword // if, else, unroll, while, for, return, break, continue, let, struct, union, enum, sizeof...
	tPunct   // operators and punctuation
	tEndPred // the '/' that closes a predicate (followed by '{')
)

// token is one lexical token. Start and End are its true extent; Lead is
// where bpftrace's location for it starts (see Source.lead).
type token struct {
	kind  tokKind
	text  string // source text; for strings the unescaped value
	start Pos
	end   Pos
	lead  Pos
}

// describe names the token as bison names it in "unexpected ..." messages.
func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of file"
	case tIdent:
		return "identifier"
	case tBuiltin:
		return "builtin"
	case tCall:
		return "call"
	case tIntType:
		return "integer type"
	case tInt:
		return "integer"
	case tString:
		return "string"
	case tMap:
		return "map"
	case tVar:
		return "variable"
	case tParam:
		return "positional parameter"
	case tEndPred:
		return "end predicate"
	}
	if t.text == "," {
		return `","`
	}
	return t.text
}

// builtinNames are bpftrace's builtin variables (arg0..argN and sarg0..N
// are recognised by pattern).
var builtinNames = map[string]bool{
	"pid": true, "tid": true, "uid": true, "gid": true, "comm": true, "cpu": true,
	"nsecs": true, "elapsed": true, "cgroup": true, "curtask": true, "rand": true,
	"args": true, "retval": true, "func": true, "probe": true, "kstack": true,
	"ustack": true, "username": true, "ctx": true, "numaid": true, "jiffies": true,
	"usermode": true, "cpid": true, "ncpus": true, "__builtin_probe": true,
}

// isBuiltinName reports whether name is a builtin variable.
func isBuiltinName(name string) bool {
	if builtinNames[name] {
		return true
	}
	for _, p := range []string{"arg", "sarg"} {
		if rest, ok := strings.CutPrefix(name, p); ok && rest != "" && allDigits(rest) {
			return true
		}
	}
	return false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// intTypeNames are the integer type names usable in casts and declarations.
var intTypeNames = map[string]bool{
	"bool": true, "int8": true, "int16": true, "int32": true, "int64": true,
	"uint8": true, "uint16": true, "uint32": true, "uint64": true,
	"string": true, "inet": true, "buffer": true, "timestamp": true, "macaddr_t": true,
}

// keywords are reserved words.
var keywords = map[string]bool{
	"if": true, "else": true, "unroll": true, "while": true, "for": true,
	"return": true, "break": true, "continue": true, "let": true,
	"struct": true, "union": true, "enum": true, "sizeof": true, "offsetof": true,
}

// punctuators, longest first.
var punctuators = []string{
	"<<=", ">>=",
	"->", "++", "--", "==", "!=", "<=", ">=", "&&", "||", "<<", ">>",
	"+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "..",
	"{", "}", "(", ")", "[", "]", ";", ",", ":", "?", ".", "=", "+", "-",
	"*", "/", "%", "<", ">", "!", "~", "&", "|", "^",
}

// lexer scans a source text. The parser drives it token by token and
// switches to probe-specification scanning at the top level.
type lexer struct {
	src  *Source
	text string
	off  int
	line int
	col  int
	// stepped is bpftrace's location start: where the current run of
	// non-blank text began.
	stepped Pos
	errs    []Diagnostic
	prev    token // the last token returned
}

func newLexer(src *Source) *lexer {
	lx := &lexer{src: src, text: src.Text, line: 1, col: 1}
	lx.stepped = lx.pos()
	return lx
}

func (lx *lexer) pos() Pos { return Pos{Offset: lx.off, Line: lx.line, Column: lx.col} }

func (lx *lexer) peekByte(k int) byte {
	if lx.off+k < len(lx.text) {
		return lx.text[lx.off+k]
	}
	return 0
}

func (lx *lexer) advance(n int) {
	for i := 0; i < n && lx.off < len(lx.text); i++ {
		if lx.text[lx.off] == '\n' {
			lx.line++
			lx.col = 1
		} else {
			lx.col++
		}
		lx.off++
	}
}

func (lx *lexer) errorf(start, end Pos, format string, args ...any) {
	lx.errs = append(lx.errs, Diagnostic{Span: Span{start, end}, Msg: fmt.Sprintf(format, args...)})
}

// skipBlank skips whitespace and comments, moving bpftrace's location start.
func (lx *lexer) skipBlank() {
	for lx.off < len(lx.text) {
		c := lx.text[lx.off]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			lx.advance(1)
			lx.stepped = lx.pos()
		case c == '/' && lx.peekByte(1) == '/':
			for lx.off < len(lx.text) && lx.text[lx.off] != '\n' {
				lx.advance(1)
			}
			lx.stepped = lx.pos()
		case c == '/' && lx.peekByte(1) == '*':
			start := lx.stepped
			end := strings.Index(lx.text[lx.off+2:], "*/")
			if end < 0 {
				lx.advance(len(lx.text) - lx.off)
				lx.errorf(start, lx.pos(), "end of file during comment")
				return
			}
			lx.advance(end + 4)
			lx.stepped = lx.pos()
		default:
			return
		}
	}
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentChar(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

// mk finishes a token that started at start.
func (lx *lexer) mk(kind tokKind, text string, start Pos) token {
	t := token{kind: kind, text: text, start: start, end: lx.pos(), lead: lx.stepped}
	lx.src.lead[start.Offset] = lx.stepped
	lx.prev = t
	return t
}

// next returns the next token of an action block or expression.
func (lx *lexer) next() token {
	for {
		lx.skipBlank()
		if lx.off >= len(lx.text) {
			// bpftrace reports the end of input at its current location:
			// the run of text since the last blank.
			t := token{kind: tEOF, start: lx.stepped, end: lx.pos(), lead: lx.stepped}
			return t
		}
		if t, ok := lx.scan(); ok {
			return t
		}
	}
}

// scan scans one token at the current offset; ok is false when the input
// held an invalid token that was reported and skipped.
func (lx *lexer) scan() (token, bool) {
	start := lx.pos()
	c := lx.text[lx.off]
	switch {
	case isIdentStart(c):
		n := 1
		for isIdentChar(lx.peekByte(n)) {
			n++
		}
		word := lx.text[lx.off : lx.off+n]
		lx.advance(n)
		switch {
		case keywords[word]:
			return lx.mk(tKeyword, word, start), true
		case intTypeNames[word]:
			return lx.mk(tIntType, word, start), true
		case isBuiltinName(word):
			return lx.mk(tBuiltin, word, start), true
		case functions[word] != nil:
			return lx.mk(tCall, word, start), true
		}
		return lx.mk(tIdent, word, start), true
	case c >= '0' && c <= '9':
		return lx.scanNumber(start)
	case c == '"':
		return lx.scanString(start)
	case c == '@':
		n := 1
		for isIdentChar(lx.peekByte(n)) {
			n++
		}
		word := lx.text[lx.off : lx.off+n]
		lx.advance(n)
		return lx.mk(tMap, word, start), true
	case c == '$':
		if lx.peekByte(1) == '#' {
			lx.advance(2)
			return lx.mk(tParam, "$#", start), true
		}
		if d := lx.peekByte(1); d >= '0' && d <= '9' {
			n := 1
			for p := lx.peekByte(n); p >= '0' && p <= '9'; p = lx.peekByte(n) {
				n++
			}
			word := lx.text[lx.off : lx.off+n]
			lx.advance(n)
			return lx.mk(tParam, word, start), true
		}
		if isIdentStart(lx.peekByte(1)) {
			n := 2
			for isIdentChar(lx.peekByte(n)) {
				n++
			}
			word := lx.text[lx.off : lx.off+n]
			lx.advance(n)
			return lx.mk(tVar, word, start), true
		}
	case c == '/':
		// A '/' followed by blanks and '{' closes a predicate.
		k := 1
		for {
			b := lx.peekByte(k)
			if b == ' ' || b == '\t' || b == '\n' || b == '\r' {
				k++
				continue
			}
			break
		}
		if lx.peekByte(k) == '{' {
			lx.advance(1)
			return lx.mk(tEndPred, "/", start), true
		}
	}
	for _, p := range punctuators {
		if strings.HasPrefix(lx.text[lx.off:], p) {
			lx.advance(len(p))
			return lx.mk(tPunct, p, start), true
		}
	}
	lx.advance(1)
	lx.errorf(lx.stepped, lx.pos(), "invalid character '%c'", c)
	return token{}, false
}

func (lx *lexer) scanNumber(start Pos) (token, bool) {
	n := 0
	if lx.peekByte(0) == '0' && (lx.peekByte(1) == 'x' || lx.peekByte(1) == 'X') && isHex(lx.peekByte(2)) {
		n = 2
		for isHex(lx.peekByte(n)) {
			n++
		}
	} else {
		for d := lx.peekByte(n); (d >= '0' && d <= '9') || d == '_'; d = lx.peekByte(n) {
			n++
		}
		// Scientific notation for integers: 1e6.
		if lx.peekByte(n) == 'e' && lx.peekByte(n+1) >= '0' && lx.peekByte(n+1) <= '9' {
			n++
			for d := lx.peekByte(n); d >= '0' && d <= '9'; d = lx.peekByte(n) {
				n++
			}
		}
	}
	word := lx.text[lx.off : lx.off+n]
	lx.advance(n)
	if _, err := parseIntLit(word); err != nil {
		lx.errorf(lx.stepped, lx.pos(), "%s", err.Error())
		return token{}, false
	}
	return lx.mk(tInt, word, start), true
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// parseIntLit converts an integer literal: decimal, hex (0x), octal
// (leading 0), with '_' separators.
func parseIntLit(s string) (uint64, error) {
	clean := strings.ReplaceAll(s, "_", "")
	if m, e, ok := strings.Cut(clean, "e"); ok && !strings.HasPrefix(clean, "0x") && !strings.HasPrefix(clean, "0X") {
		v, err := strconv.ParseUint(m, 10, 64)
		k, err2 := strconv.ParseUint(e, 10, 64)
		if err != nil || err2 != nil {
			return 0, fmt.Errorf("Found trailing non-numeric characters")
		}
		if v == 0 {
			return 0, nil
		}
		for ; k > 0; k-- {
			if v > (1<<64-1)/10 {
				return 0, fmt.Errorf("Value is out of range")
			}
			v *= 10
		}
		return v, nil
	}
	v, err := strconv.ParseUint(clean, 0, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, fmt.Errorf("Value is out of range")
		}
		return 0, fmt.Errorf("Found trailing non-numeric characters")
	}
	return v, nil
}

func (lx *lexer) scanString(start Pos) (token, bool) {
	var b strings.Builder
	i := lx.off + 1
	for i < len(lx.text) {
		c := lx.text[i]
		if c == '"' {
			lx.advance(i + 1 - lx.off)
			return lx.mk(tString, b.String(), start), true
		}
		if c == '\n' {
			break
		}
		if c == '\\' && i+1 < len(lx.text) {
			i++
			switch e := lx.text[i]; e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '\\':
				b.WriteByte('\\')
			case '"':
				b.WriteByte('"')
			case '0', '1', '2', '3', '4', '5', '6', '7':
				v := 0
				k := 0
				for k < 3 && i < len(lx.text) && lx.text[i] >= '0' && lx.text[i] <= '7' {
					v = v*8 + int(lx.text[i]-'0')
					i++
					k++
				}
				b.WriteByte(byte(v))
				continue
			case 'x':
				v, k := 0, 0
				for k < 2 && i+1 < len(lx.text) && isHex(lx.text[i+1]) {
					d, _ := strconv.ParseUint(lx.text[i+1:i+2], 16, 8)
					v = v*16 + int(d)
					i++
					k++
				}
				b.WriteByte(byte(v))
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
			i++
			continue
		}
		b.WriteByte(c)
		i++
	}
	// Unterminated: consume to the end of the input as bpftrace does.
	lx.advance(len(lx.text) - lx.off)
	lx.errorf(lx.stepped, lx.pos(), "unterminated string")
	return token{}, false
}

// scanProbeSpec scans one probe specification at the top level: a run of
// non-blank characters ending at a blank, ',' or '{'. Quoted parts and
// `{a,b}` alternations are kept whole. ok is false when no specification
// character is at the current position.
func (lx *lexer) scanProbeSpec() (token, bool) {
	start := lx.pos()
	i := lx.off
	for i < len(lx.text) {
		c := lx.text[i]
		if c == '"' {
			j := strings.IndexByte(lx.text[i+1:], '"')
			if j < 0 {
				break
			}
			i += j + 2
			continue
		}
		if c == '{' {
			if j := alternationEnd(lx.text[i:]); j > 0 {
				i += j
				continue
			}
			break
		}
		if isSpecChar(c) {
			i++
			continue
		}
		break
	}
	if i == lx.off {
		return token{}, false
	}
	word := lx.text[lx.off:i]
	lx.advance(i - lx.off)
	return lx.mk(tIdent, word, start), true
}

// alternationEnd returns the length of a `{a,b}` group at the start of s,
// or 0 when s does not start with one.
func alternationEnd(s string) int {
	comma := false
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '}':
			if comma && i > 1 {
				return i + 1
			}
			return 0
		case c == ',':
			comma = true
		case isIdentChar(c) || c == '*' || c == '.' || c == '-':
		default:
			return 0
		}
	}
	return 0
}

func isSpecChar(c byte) bool {
	if isIdentChar(c) {
		return true
	}
	switch c {
	case ':', '/', '.', '*', '+', '-', '[', ']', '@', '#', '~', '?', '!', '$', '%':
		return true
	}
	return false
}
