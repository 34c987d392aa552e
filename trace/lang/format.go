package lang

import (
	"fmt"
	"strings"
)

// Format prints a program in a canonical layout: one statement per line,
// tab indentation, the parentheses that precedence needs and no others.
// Parsing the output gives back the same tree (positions aside).
func Format(prog *Program) string {
	var f formatter
	for _, d := range prog.Preamble {
		f.b.WriteString(d.Text)
		f.b.WriteString("\n")
	}
	if len(prog.Preamble) > 0 {
		f.b.WriteString("\n")
	}
	if cfg := prog.Config; cfg != nil {
		f.b.WriteString("config = {\n")
		for _, e := range cfg.Entries {
			f.b.WriteString("\t" + e.Name + " = ")
			f.expr(e.Value, 0)
			f.b.WriteString(";\n")
		}
		f.b.WriteString("}\n\n")
	}
	for _, m := range prog.Macros {
		f.b.WriteString("macro " + m.Name + "(")
		for i, p := range m.Params {
			if i > 0 {
				f.b.WriteString(", ")
			}
			f.expr(p, 0)
		}
		f.b.WriteString(") ")
		f.block(m.Body)
		f.b.WriteString("\n\n")
	}
	for i, p := range prog.Probes {
		if i > 0 {
			f.b.WriteString("\n")
		}
		for j, s := range p.Specs {
			if j > 0 {
				f.b.WriteString(",\n")
			}
			f.b.WriteString(s.Raw)
		}
		if p.Pred != nil {
			f.b.WriteString(" /")
			f.expr(p.Pred, 0)
			f.b.WriteString("/")
		}
		f.b.WriteString("\n")
		f.block(p.Body)
		f.b.WriteString("\n")
	}
	return f.b.String()
}

type formatter struct {
	b      strings.Builder
	indent int
}

func (f *formatter) line() {
	f.b.WriteString("\n")
	f.b.WriteString(strings.Repeat("\t", f.indent))
}

func (f *formatter) block(b *Block) {
	f.b.WriteString("{")
	f.indent++
	for _, s := range b.Stmts {
		f.line()
		f.stmt(s)
	}
	f.indent--
	f.line()
	f.b.WriteString("}")
}

func (f *formatter) stmt(s Stmt) {
	switch s := s.(type) {
	case *Block:
		f.block(s)
	case *ExprStmt:
		f.expr(s.X, 0)
		f.b.WriteString(";")
	case *Assign:
		f.expr(s.Target, 0)
		f.b.WriteString(" " + s.Op + " ")
		f.expr(s.Value, 0)
		f.b.WriteString(";")
	case *Let:
		f.b.WriteString("let ")
		f.expr(s.Var, 0)
		if s.Decl != nil {
			f.b.WriteString(": " + s.Decl.String())
		}
		if s.Value != nil {
			f.b.WriteString(" = ")
			f.expr(s.Value, 0)
		}
		f.b.WriteString(";")
	case *If:
		f.b.WriteString("if (")
		f.expr(s.Cond, 0)
		f.b.WriteString(") ")
		f.block(s.Then)
		if s.Else != nil {
			f.b.WriteString(" else ")
			f.stmt(s.Else)
		}
	case *Unroll:
		f.b.WriteString("unroll (")
		f.expr(s.Count, 0)
		f.b.WriteString(") ")
		f.block(s.Body)
	case *While:
		f.b.WriteString("while (")
		f.expr(s.Cond, 0)
		f.b.WriteString(") ")
		f.block(s.Body)
	case *For:
		f.b.WriteString("for (")
		f.expr(s.Var, 0)
		f.b.WriteString(" : ")
		if s.Map != nil {
			f.expr(s.Map, 0)
		} else {
			f.expr(s.From, precPostfix-1)
			f.b.WriteString("..")
			f.expr(s.To, precPostfix-1)
		}
		f.b.WriteString(") ")
		f.block(s.Body)
	case *Jump:
		f.b.WriteString(s.Kind + ";")
	}
}

// Precedence levels for printing: binary operators use binaryPrec (1-10).
const (
	precTernary = 0
	precUnary   = 11
	precPostfix = 12
)

func exprPrec(e Expr) int {
	switch e := e.(type) {
	case *Ternary:
		return precTernary
	case *Binary:
		return binaryPrec[e.Op]
	case *Unary, *Cast:
		return precUnary
	case *IncDec:
		if e.Prefix {
			return precUnary
		}
	}
	return precPostfix
}

// expr prints e, in parentheses when its precedence is below min.
func (f *formatter) expr(e Expr, min int) {
	if exprPrec(e) < min {
		f.b.WriteString("(")
		f.expr(e, 0)
		f.b.WriteString(")")
		return
	}
	switch e := e.(type) {
	case *IntLit:
		f.b.WriteString(e.Text)
	case *StrLit:
		f.b.WriteString(quoteString(e.Value))
	case *Builtin:
		f.b.WriteString(e.Name)
	case *Ident:
		f.b.WriteString(e.Name)
	case *Param:
		if e.N == 0 {
			f.b.WriteString("$#")
		} else {
			fmt.Fprintf(&f.b, "$%d", e.N)
		}
	case *Variable:
		f.b.WriteString("$" + e.Name)
	case *MapExpr:
		f.b.WriteString("@" + e.Name)
		if e.Keys != nil {
			f.b.WriteString("[")
			f.list(e.Keys)
			f.b.WriteString("]")
		}
	case *Call:
		f.b.WriteString(e.Name + "(")
		f.list(e.Args)
		f.b.WriteString(")")
	case *TypeExpr:
		f.b.WriteString(e.Name.String())
	case *Binary:
		p := binaryPrec[e.Op]
		f.expr(e.X, p)
		f.b.WriteString(" " + e.Op + " ")
		f.expr(e.Y, p+1)
	case *Unary:
		var sub formatter
		sub.expr(e.X, precUnary)
		s := sub.b.String()
		if isPunct(e.Op + s[:1]) {
			s = "(" + s + ")"
		}
		f.b.WriteString(e.Op + s)
	case *IncDec:
		if e.Prefix {
			f.b.WriteString(e.Op)
			f.expr(e.X, precPostfix)
		} else {
			f.expr(e.X, precPostfix)
			f.b.WriteString(e.Op)
		}
	case *Ternary:
		f.expr(e.Cond, 1)
		f.b.WriteString(" ? ")
		f.expr(e.Then, 0)
		f.b.WriteString(" : ")
		f.expr(e.Else, 0)
	case *FieldAccess:
		f.expr(e.X, precPostfix)
		if e.Arrow {
			f.b.WriteString("->")
		} else {
			f.b.WriteString(".")
		}
		f.b.WriteString(e.Field)
	case *TupleIndex:
		f.expr(e.X, precPostfix)
		fmt.Fprintf(&f.b, ".%d", e.Index)
	case *Index:
		f.expr(e.X, precPostfix)
		f.b.WriteString("[")
		f.expr(e.I, 0)
		f.b.WriteString("]")
	case *Cast:
		f.b.WriteString("(" + e.To.String() + ")")
		f.expr(e.X, precUnary)
	case *Tuple:
		f.b.WriteString("(")
		f.list(e.Elems)
		f.b.WriteString(")")
	}
}

func isPunct(s string) bool {
	for _, p := range punctuators {
		if p == s {
			return true
		}
	}
	return false
}

func (f *formatter) list(es []Expr) {
	for i, a := range es {
		if i > 0 {
			f.b.WriteString(", ")
		}
		f.expr(a, 0)
	}
}

// quoteString writes s as a bpftrace string literal.
func quoteString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '"':
			b.WriteString(`\"`)
		case c == '\\':
			b.WriteString(`\\`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, `\%03o`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// FormatVerb is one conversion of a printf format string.
type FormatVerb struct {
	// Offset is the byte offset of the '%' in the format.
	Offset int
	// Spec is the conversion without the '%', such as "-8d" or "llx".
	Spec string
	// Verb is the conversion character: d i o u x X c s p, or r for buffers
	// (written %r, %rx or %rh).
	Verb byte
}

// ParseFormat lists the conversions of a bpftrace printf format. Like
// bpftrace, it skips '%' sequences that are not valid conversions
// (such as %f) and reads "%%" as a literal percent sign.
func ParseFormat(format string) []FormatVerb {
	var out []FormatVerb
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		if i+1 < len(format) && format[i+1] == '%' {
			i++
			continue
		}
		j := i + 1
		for j < len(format) && strings.IndexByte("-+ #0", format[j]) >= 0 {
			j++
		}
		for j < len(format) && format[j] >= '0' && format[j] <= '9' {
			j++
		}
		if j < len(format) && format[j] == '.' {
			j++
			for j < len(format) && format[j] >= '0' && format[j] <= '9' {
				j++
			}
		}
		for _, l := range []string{"hh", "ll", "h", "l", "j", "z", "t"} {
			if strings.HasPrefix(format[j:], l) {
				j += len(l)
				break
			}
		}
		if j >= len(format) {
			break
		}
		c := format[j]
		switch {
		case strings.IndexByte("diouxXcsp", c) >= 0:
			out = append(out, FormatVerb{Offset: i, Spec: format[i+1 : j+1], Verb: c})
			i = j
		case c == 'r':
			if j+1 < len(format) && (format[j+1] == 'x' || format[j+1] == 'h') {
				j++
			}
			out = append(out, FormatVerb{Offset: i, Spec: format[i+1 : j+1], Verb: 'r'})
			i = j
		}
	}
	return out
}
