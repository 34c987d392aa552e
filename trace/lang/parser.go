package lang

import (
	"fmt"
	"strconv"
	"strings"
)

// Parse parses a bpftrace program. name is what diagnostics call the
// source ("stdin" for -e programs, else the file name). On failure the
// error is an *Error holding bpftrace-style diagnostics and the program is
// nil; on success the error is nil.
func Parse(name, text string) (*Program, error) {
	return ParseSource(NewSource(name, text))
}

// ParseSource parses the program text of src.
func ParseSource(src *Source) (prog *Program, err error) {
	p := &parser{src: src, lx: newLexer(src)}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
			prog = nil
			err = &Error{Source: src, Diagnostics: p.diags()}
		}
	}()
	prog = p.program()
	if len(p.lx.errs) > 0 {
		return nil, &Error{Source: src, Diagnostics: p.diags()}
	}
	return prog, nil
}

// bailout unwinds the parser at the first syntax error.
type bailout struct{}

type parser struct {
	src   *Source
	lx    *lexer
	buf   []token // lookahead tokens of the expression lexer
	last  token   // the last consumed token
	fatal *Diagnostic
}

func (p *parser) diags() []Diagnostic {
	d := append([]Diagnostic(nil), p.lx.errs...)
	if p.fatal != nil {
		d = append(d, *p.fatal)
	}
	return d
}

// peek returns the k-th token ahead (0 = current).
func (p *parser) peek(k int) token {
	for len(p.buf) <= k {
		p.buf = append(p.buf, p.lx.next())
	}
	return p.buf[k]
}

func (p *parser) cur() token { return p.peek(0) }

func (p *parser) advance() token {
	t := p.cur()
	p.buf = p.buf[1:]
	p.last = t
	return t
}

func (p *parser) is(text string) bool {
	t := p.cur()
	return (t.kind == tPunct || t.kind == tKeyword) && t.text == text
}

// failAt stops parsing with a syntax error about token t.
func (p *parser) failAt(t token, expecting ...string) {
	msg := "syntax error, unexpected " + t.describe()
	if len(expecting) > 0 {
		msg += ", expecting " + strings.Join(expecting, " or ")
	}
	p.fatal = &Diagnostic{Span: Span{t.start, t.end}, Msg: msg}
	if t.kind == tEOF {
		p.fatal.Span = Span{t.lead, t.end}
	}
	panic(bailout{})
}

// errorAt stops parsing with a message about a span.
func (p *parser) errorAt(sp Span, format string, args ...any) {
	p.fatal = &Diagnostic{Span: sp, Msg: fmt.Sprintf(format, args...)}
	panic(bailout{})
}

func (p *parser) expect(text string, expecting ...string) token {
	if !p.is(text) {
		p.failAt(p.cur(), expecting...)
	}
	return p.advance()
}

func span(a, b Pos) Span { return Span{a, b} }

// ---- top level ----

func (p *parser) program() *Program {
	prog := &Program{Source: p.src}
	lx := p.lx
	for {
		if len(p.buf) > 0 {
			// Give back tokens read ahead in expression mode.
			t := p.buf[0]
			lx.off, lx.line, lx.col, lx.stepped = t.start.Offset, t.start.Line, t.start.Column, t.lead
			p.buf = nil
		}
		lx.skipBlank()
		if lx.off >= len(lx.text) {
			break
		}
		rest := lx.text[lx.off:]
		switch {
		case rest[0] == '#':
			prog.Preamble = append(prog.Preamble, p.preprocLine())
		case len(prog.Probes) == 0 && startsCDefinition(rest):
			prog.Preamble = append(prog.Preamble, p.cDefinition())
		case startsWord(rest, "config") && strings.HasPrefix(strings.TrimLeft(rest[6:], " \t\r\n"), "="):
			prog.Config = p.config()
		case startsWord(rest, "macro") && len(rest) > 6 && (rest[5] == ' ' || rest[5] == '\t'):
			prog.Macros = append(prog.Macros, p.macro())
		default:
			prog.Probes = append(prog.Probes, p.probe())
		}
	}
	prog.Loc = span(Pos{Line: 1, Column: 1}, lx.pos())
	return prog
}

func startsWord(s, w string) bool {
	return strings.HasPrefix(s, w) && (len(s) == len(w) || !isIdentChar(s[len(w)]))
}

// startsCDefinition reports whether s begins a C struct, union, enum or
// typedef definition.
func startsCDefinition(s string) bool {
	if startsWord(s, "typedef") {
		return true
	}
	for _, w := range []string{"struct", "union", "enum"} {
		if startsWord(s, w) {
			i := strings.IndexAny(s, "{;()")
			return i >= 0 && s[i] == '{'
		}
	}
	return false
}

func (p *parser) preprocLine() *CDecl {
	lx := p.lx
	start := lx.pos()
	i := lx.off
	for i < len(lx.text) && lx.text[i] != '\n' {
		if lx.text[i] == '\\' && i+1 < len(lx.text) && lx.text[i+1] == '\n' {
			i += 2
			continue
		}
		i++
	}
	text := strings.TrimRight(lx.text[lx.off:i], "\r\n")
	lx.advance(i - lx.off)
	return &CDecl{Loc: span(start, lx.pos()), Kind: CPreproc, Text: text}
}

// cDefinition takes a C definition up to the ';' after its closing brace.
func (p *parser) cDefinition() *CDecl {
	lx := p.lx
	start := lx.pos()
	depth := 0
	i := lx.off
	for ; i < len(lx.text); i++ {
		c := lx.text[i]
		if c == '/' && i+1 < len(lx.text) && lx.text[i+1] == '/' {
			for i < len(lx.text) && lx.text[i] != '\n' {
				i++
			}
			continue
		}
		if c == '{' {
			depth++
		} else if c == '}' {
			depth--
		} else if c == ';' && depth == 0 {
			i++
			break
		}
	}
	if depth != 0 || i > len(lx.text) || lx.text[i-1] != ';' {
		lx.advance(len(lx.text) - lx.off)
		p.errorAt(span(start, lx.pos()), "unterminated C definition")
	}
	text := lx.text[lx.off:i]
	lx.advance(i - lx.off)
	return &CDecl{Loc: span(start, lx.pos()), Kind: CDefinition, Text: text}
}

func (p *parser) config() *Config {
	start := p.cur().start
	p.advance() // config
	p.expect("=", "=")
	p.expect("{", "{")
	c := &Config{}
	for !p.is("}") {
		t := p.cur()
		if t.kind != tIdent && t.kind != tBuiltin && t.kind != tCall {
			p.failAt(t, "}")
		}
		p.advance()
		p.expect("=", "=")
		v := p.expr()
		c.Entries = append(c.Entries, &ConfigEntry{Loc: span(t.start, p.last.end), Name: t.text, Value: v})
		if p.is(";") {
			p.advance()
			continue
		}
		if !p.is("}") {
			p.failAt(p.cur(), "}")
		}
	}
	p.advance()
	c.Loc = span(start, p.last.end)
	return c
}

func (p *parser) macro() *Macro {
	start := p.cur().start
	p.advance() // macro
	name := p.cur()
	if name.kind != tIdent {
		p.failAt(name, "identifier")
	}
	p.advance()
	m := &Macro{Name: name.text}
	p.expect("(", "(")
	for !p.is(")") {
		t := p.cur()
		switch t.kind {
		case tVar:
			p.advance()
			m.Params = append(m.Params, &Variable{exprBase: exprBase{Loc: span(t.start, t.end)}, Name: t.text[1:]})
		case tMap:
			p.advance()
			m.Params = append(m.Params, &MapExpr{exprBase: exprBase{Loc: span(t.start, t.end)}, Name: t.text[1:]})
		case tIdent:
			p.advance()
			m.Params = append(m.Params, &Ident{exprBase: exprBase{Loc: span(t.start, t.end)}, Name: t.text})
		default:
			p.failAt(t, ")")
		}
		if p.is(",") {
			p.advance()
		} else if !p.is(")") {
			p.failAt(p.cur(), ")", `","`)
		}
	}
	p.advance()
	m.Body = p.block()
	m.Loc = span(start, p.last.end)
	return m
}

func (p *parser) probe() *Probe {
	lx := p.lx
	pr := &Probe{}
	for {
		lx.skipBlank()
		t, ok := lx.scanProbeSpec()
		if !ok {
			if len(pr.Specs) == 0 && lx.off < len(lx.text) && lx.text[lx.off] == '{' {
				p.errorAt(span(lx.pos(), lx.pos()), "No attach points for probe")
			}
			if p.cur().kind == tEOF {
				p.errorAt(span(p.cur().lead, p.cur().end), "unexpected end of file, expected {")
			}
			p.failAt(p.cur(), "{")
		}
		spec, err := parseProbeSpec(t.text)
		if err != nil {
			p.errorAt(span(t.start, t.end), "%s", err.Error())
		}
		spec.Loc = span(t.start, t.end)
		pr.Specs = append(pr.Specs, spec)
		lx.skipBlank()
		if lx.off < len(lx.text) && lx.text[lx.off] == ',' {
			lx.advance(1)
			lx.skipBlank()
			if lx.off < len(lx.text) && (lx.text[lx.off] == '{' || lx.text[lx.off] == '/') {
				break
			}
			continue
		}
		break
	}
	pr.Loc.Start = pr.Specs[0].Loc.Start
	if p.cur().kind == tPunct && p.cur().text == "/" {
		p.advance()
		pr.Pred = p.expr()
		if p.cur().kind != tEndPred {
			p.failAt(p.cur(), "end predicate")
		}
		p.advance()
	}
	if !p.is("{") {
		if p.cur().kind == tEOF && pr.Pred == nil {
			p.errorAt(span(p.cur().lead, p.cur().end), "unexpected end of file, expected {")
		}
		p.failAt(p.cur(), "{")
	}
	pr.Body = p.block()
	pr.Loc.End = p.last.end
	return pr
}

// ---- statements ----

func (p *parser) block() *Block {
	open := p.expect("{", "{")
	b := &Block{}
	for {
		for p.is(";") {
			p.advance()
		}
		if p.is("}") {
			break
		}
		if p.cur().kind == tEOF {
			p.failAt(p.cur(), "}")
		}
		s, compound := p.stmt()
		b.Stmts = append(b.Stmts, s)
		if p.is(";") || p.is("}") || compound {
			continue
		}
		p.failAt(p.cur(), "}")
	}
	p.advance()
	b.Loc = span(open.start, p.last.end)
	return b
}

var assignOps = map[string]bool{
	"=": true, "+=": true, "-=": true, "*=": true, "/=": true, "%=": true,
	"&=": true, "|=": true, "^=": true, "<<=": true, ">>=": true,
}

// stmt parses one statement; compound reports whether it ended with a
// block and so needs no separator.
func (p *parser) stmt() (Stmt, bool) {
	t := p.cur()
	if t.kind == tKeyword {
		switch t.text {
		case "if":
			return p.ifStmt(), true
		case "unroll":
			p.advance()
			p.expect("(", "(")
			if n := p.cur(); n.kind != tInt && n.kind != tParam && !(n.kind == tPunct && n.text == "-") {
				p.failAt(n, "$#", "-", "positional parameter", "integer")
			}
			n := p.unary()
			p.expect(")", ")")
			head := span(t.start, p.last.end)
			body := p.block()
			return &Unroll{Loc: span(t.start, p.last.end), Count: n, Body: body, Head: head}, true
		case "while":
			p.advance()
			p.expect("(", "(")
			c := p.expr()
			p.expect(")", ")")
			body := p.block()
			return &While{Loc: span(t.start, p.last.end), Cond: c, Body: body}, true
		case "for":
			return p.forStmt(), true
		case "return", "break", "continue":
			p.advance()
			return &Jump{Loc: span(t.start, t.end), Kind: t.text}, false
		case "let":
			return p.letStmt(), false
		}
	}
	if p.is("{") {
		return p.block(), true
	}
	x := p.expr()
	if op := p.cur(); op.kind == tPunct && assignOps[op.text] {
		switch x.(type) {
		case *MapExpr, *Variable:
			p.advance()
			v := p.expr()
			return &Assign{Loc: span(x.Location().Start, p.last.end), Target: x, Op: op.text, OpLoc: span(op.start, op.end), Value: v}, false
		}
	}
	return &ExprStmt{Loc: x.Location(), X: x}, false
}

func (p *parser) ifStmt() Stmt {
	t := p.advance()
	p.expect("(", "(")
	c := p.expr()
	p.expect(")", ")")
	then := p.block()
	s := &If{Cond: c, Then: then}
	if p.is("else") {
		p.advance()
		switch {
		case p.is("if"):
			s.Else = p.ifStmt()
		case p.is("{"):
			s.Else = p.block()
		default:
			p.failAt(p.cur(), "{", "if")
		}
	}
	s.Loc = span(t.start, p.last.end)
	return s
}

func (p *parser) forStmt() Stmt {
	t := p.advance()
	p.expect("(", "(")
	vt := p.cur()
	if vt.kind != tVar {
		p.failAt(vt, "variable")
	}
	p.advance()
	s := &For{Var: &Variable{exprBase: exprBase{Loc: span(vt.start, vt.end)}, Name: vt.text[1:]}}
	p.expect(":", ":")
	if p.cur().kind == tMap && !(p.peek(1).kind == tPunct && p.peek(1).text == "..") {
		m := p.primary()
		me, ok := m.(*MapExpr)
		if !ok || me.Keys != nil {
			p.errorAt(m.Location(), "for loops can only iterate over a whole map")
		}
		s.Map = me
	} else {
		s.From = p.binary(1)
		p.expect("..", "..")
		s.To = p.binary(1)
	}
	p.expect(")", ")")
	s.Body = p.block()
	s.Loc = span(t.start, p.last.end)
	return s
}

func (p *parser) letStmt() Stmt {
	t := p.advance()
	vt := p.cur()
	if vt.kind != tVar {
		p.failAt(vt, "variable")
	}
	p.advance()
	s := &Let{Var: &Variable{exprBase: exprBase{Loc: span(vt.start, vt.end)}, Name: vt.text[1:]}}
	if p.is(":") {
		p.advance()
		s.Decl = p.typeName()
	}
	if p.is("=") {
		p.advance()
		s.Value = p.expr()
	}
	s.Loc = span(t.start, p.last.end)
	return s
}

// ---- expressions ----

func (p *parser) expr() Expr {
	c := p.binary(1)
	if !p.is("?") {
		return c
	}
	p.advance()
	a := p.expr()
	p.expect(":", ":")
	b := p.expr()
	e := &Ternary{Cond: c, Then: a, Else: b}
	e.Loc = span(c.Location().Start, b.Location().End)
	return e
}

var binaryPrec = map[string]int{
	"||": 1, "&&": 2, "|": 3, "^": 4, "&": 5,
	"==": 6, "!=": 6, "<": 7, "<=": 7, ">": 7, ">=": 7,
	"<<": 8, ">>": 8, "+": 9, "-": 9, "*": 10, "/": 10, "%": 10,
}

// binary parses operators of precedence min and tighter, left-associative.
func (p *parser) binary(min int) Expr {
	x := p.unary()
	for {
		t := p.cur()
		if t.kind != tPunct {
			return x
		}
		prec, ok := binaryPrec[t.text]
		if !ok || prec < min {
			return x
		}
		p.advance()
		y := p.binary(prec + 1)
		b := &Binary{Op: t.text, X: x, Y: y}
		b.Loc = span(x.Location().Start, y.Location().End)
		x = b
	}
}

func (p *parser) unary() Expr {
	t := p.cur()
	if t.kind == tPunct {
		switch t.text {
		case "!", "~", "-", "*", "&":
			p.advance()
			x := p.unary()
			u := &Unary{Op: t.text, X: x}
			u.Loc = span(t.start, x.Location().End)
			return u
		case "++", "--":
			p.advance()
			n := p.cur()
			if n.kind != tMap && n.kind != tVar {
				p.failAt(n)
			}
			x := p.postfix()
			u := &IncDec{Op: t.text, Prefix: true, X: x}
			u.Loc = span(t.start, x.Location().End)
			return u
		case "(":
			if p.castAhead() {
				p.advance()
				ty := p.typeName()
				if !p.is(")") {
					if strings.Contains(ty.Name, " ") {
						// bpftrace lexes a struct type as one unit.
						n := p.cur()
						p.fatal = &Diagnostic{Span: span(t.lead, n.end), Msg: "syntax error, unexpected " + n.describe() + ", expecting ) or *"}
						panic(bailout{})
					}
					p.failAt(p.cur(), ")", `","`)
				}
				p.advance()
				tl := span(t.start, p.last.end)
				x := p.unary()
				c := &Cast{To: ty, X: x, TypeLoc: tl}
				c.Loc = span(t.start, x.Location().End)
				return c
			}
		}
	}
	return p.postfix()
}

// startsOperand reports whether t can begin a unary expression that
// follows a cast.
func startsOperand(t token) bool {
	switch t.kind {
	case tInt, tString, tBuiltin, tVar, tMap, tParam, tCall, tIdent:
		return true
	case tPunct:
		return t.text == "(" || t.text == "!" || t.text == "~"
	case tKeyword:
		return t.text == "sizeof" || t.text == "offsetof"
	}
	return false
}

// castAhead reports whether the '(' at the current token opens a cast.
func (p *parser) castAhead() bool {
	t := p.peek(1)
	switch {
	case t.kind == tIntType:
		return true
	case t.kind == tKeyword && (t.text == "struct" || t.text == "union" || t.text == "enum"):
		return true
	case t.kind == tIdent:
		k := 2
		for p.peek(k).kind == tPunct && p.peek(k).text == "*" {
			k++
		}
		if !(p.peek(k).kind == tPunct && p.peek(k).text == ")") {
			return false
		}
		return k > 2 || startsOperand(p.peek(k+1))
	}
	return false
}

// typeName parses a type: an integer type, struct/union/enum NAME or an
// identifier, then pointer stars and an optional [N].
func (p *parser) typeName() *TypeName {
	t := p.cur()
	tn := &TypeName{ArrayLen: -1}
	switch {
	case t.kind == tIntType || t.kind == tIdent:
		p.advance()
		tn.Name = t.text
	case t.kind == tKeyword && (t.text == "struct" || t.text == "union" || t.text == "enum"):
		p.advance()
		n := p.cur()
		if n.kind != tIdent && n.kind != tBuiltin && n.kind != tCall && n.kind != tIntType {
			p.failAt(n, "identifier")
		}
		p.advance()
		tn.Name = t.text + " " + n.text
	default:
		p.failAt(t)
	}
	for p.is("*") {
		p.advance()
		tn.Pointers++
	}
	if p.is("[") {
		p.advance()
		n := p.cur()
		if n.kind != tInt {
			p.failAt(n, "integer")
		}
		p.advance()
		v, _ := parseIntLit(n.text)
		tn.ArrayLen = int(v)
		p.expect("]", "]")
	}
	return tn
}

func (p *parser) postfix() Expr {
	x := p.primary()
	for {
		t := p.cur()
		if t.kind != tPunct {
			return x
		}
		switch t.text {
		case ".", "->":
			p.advance()
			f := p.cur()
			switch f.kind {
			case tInt:
				if t.text == "." {
					p.advance()
					n, err := strconv.Atoi(f.text)
					if err != nil {
						p.errorAt(span(f.start, f.end), "invalid tuple index: %s", f.text)
					}
					e := &TupleIndex{X: x, Index: n, FieldLoc: span(f.start, f.end)}
					e.Loc = span(x.Location().Start, f.end)
					x = e
					continue
				}
				p.failAt(f, "identifier")
			case tIdent, tBuiltin, tCall, tKeyword, tIntType:
				p.advance()
				e := &FieldAccess{X: x, Field: f.text, Arrow: t.text == "->", FieldLoc: span(f.start, f.end)}
				e.Loc = span(x.Location().Start, f.end)
				x = e
			default:
				p.failAt(f)
			}
		case "[":
			p.advance()
			i := p.expr()
			p.expect("]", "]")
			e := &Index{X: x, I: i}
			e.Loc = span(x.Location().Start, p.last.end)
			x = e
		case "++", "--":
			switch x.(type) {
			case *MapExpr, *Variable:
			default:
				return x
			}
			p.advance()
			e := &IncDec{Op: t.text, X: x}
			e.Loc = span(x.Location().Start, t.end)
			x = e
		default:
			return x
		}
	}
}

func (p *parser) primary() Expr {
	t := p.cur()
	loc := span(t.start, t.end)
	switch t.kind {
	case tInt:
		p.advance()
		v, _ := parseIntLit(t.text)
		return &IntLit{exprBase: exprBase{Loc: loc}, Value: v, Text: t.text}
	case tString:
		p.advance()
		return &StrLit{exprBase: exprBase{Loc: loc}, Value: t.text}
	case tParam:
		p.advance()
		n := 0
		if t.text != "$#" {
			n, _ = strconv.Atoi(t.text[1:])
		}
		return &Param{exprBase: exprBase{Loc: loc}, N: n}
	case tVar:
		p.advance()
		return &Variable{exprBase: exprBase{Loc: loc}, Name: t.text[1:]}
	case tMap:
		p.advance()
		m := &MapExpr{exprBase: exprBase{Loc: loc}, Name: t.text[1:]}
		if p.is("[") {
			p.advance()
			for {
				m.Keys = append(m.Keys, p.expr())
				if p.is(",") {
					p.advance()
					continue
				}
				if !p.is("]") {
					p.failAt(p.cur(), "]", `","`)
				}
				break
			}
			p.advance()
			m.Loc.End = p.last.end
		}
		return m
	case tBuiltin:
		p.advance()
		if p.is("(") && (t.text == "kstack" || t.text == "ustack" || t.text == "nsecs" || t.text == "cgroup") {
			return p.callArgs(t)
		}
		return &Builtin{exprBase: exprBase{Loc: loc}, Name: t.text}
	case tCall:
		p.advance()
		if !p.is("(") {
			p.failAt(p.cur(), "(")
		}
		return p.callArgs(t)
	case tIdent:
		p.advance()
		if p.is("(") {
			return p.callArgs(t)
		}
		return &Ident{exprBase: exprBase{Loc: loc}, Name: t.text}
	case tKeyword:
		if t.text == "sizeof" || t.text == "offsetof" {
			p.advance()
			return p.typeCall(t)
		}
	case tPunct:
		if t.text == "(" {
			p.advance()
			first := p.expr()
			if p.is(")") {
				p.advance()
				return first
			}
			if !p.is(",") {
				p.failAt(p.cur(), ")", `","`)
			}
			tu := &Tuple{Elems: []Expr{first}}
			for p.is(",") {
				p.advance()
				tu.Elems = append(tu.Elems, p.expr())
				if !p.is(",") && !p.is(")") {
					p.failAt(p.cur(), ")", `","`)
				}
			}
			p.advance()
			tu.Loc = span(t.start, p.last.end)
			return tu
		}
	}
	p.failAt(t)
	return nil
}

// callArgs parses the parenthesised arguments of the call named by t.
func (p *parser) callArgs(t token) Expr {
	p.expect("(", "(")
	c := &Call{Name: t.text, NameLoc: span(t.start, t.end)}
	if !p.is(")") {
		for {
			c.Args = append(c.Args, p.expr())
			if p.is(",") {
				p.advance()
				continue
			}
			if !p.is(")") {
				p.failAt(p.cur(), ")", `","`)
			}
			break
		}
	}
	p.advance()
	c.Loc = span(t.start, p.last.end)
	return c
}

// typeCall parses sizeof(TYPE|EXPR) and offsetof(TYPE, FIELD[.FIELD...]).
func (p *parser) typeCall(t token) Expr {
	p.expect("(", "(")
	c := &Call{Name: t.text, NameLoc: span(t.start, t.end)}
	isType := func() bool {
		n := p.cur()
		if n.kind == tIntType || (n.kind == tKeyword && (n.text == "struct" || n.text == "union" || n.text == "enum")) {
			return true
		}
		return false
	}
	if t.text == "sizeof" {
		if p.is(")") {
			p.advance()
			c.Loc = span(t.start, p.last.end)
			return c
		}
		if isType() {
			st := p.cur().start
			tn := p.typeName()
			c.Args = append(c.Args, &TypeExpr{exprBase: exprBase{Loc: span(st, p.last.end)}, Name: tn})
		} else {
			c.Args = append(c.Args, p.expr())
		}
		p.expect(")", ")")
		c.Loc = span(t.start, p.last.end)
		return c
	}
	st := p.cur().start
	if isType() || p.cur().kind == tIdent {
		tn := p.typeName()
		c.Args = append(c.Args, &TypeExpr{exprBase: exprBase{Loc: span(st, p.last.end)}, Name: tn})
	} else {
		c.Args = append(c.Args, p.expr())
	}
	p.expect(",", `","`)
	f := p.cur()
	fs := f.start
	var path []string
	for {
		f = p.cur()
		switch f.kind {
		case tIdent, tBuiltin, tCall, tKeyword, tIntType:
		default:
			p.failAt(f, "identifier")
		}
		p.advance()
		path = append(path, f.text)
		if !p.is(".") {
			break
		}
		p.advance()
	}
	c.Args = append(c.Args, &Ident{exprBase: exprBase{Loc: span(fs, p.last.end)}, Name: strings.Join(path, ".")})
	p.expect(")", ")")
	c.Loc = span(t.start, p.last.end)
	return c
}
