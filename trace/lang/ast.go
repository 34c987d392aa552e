package lang

// Node is any node of the syntax tree.
type Node interface {
	// Location returns the node's span in the source.
	Location() Span
}

// Expr is an expression node. Check fills in its type.
type Expr interface {
	Node
	// Type returns the type Check assigned, or nil before Check.
	Type() *Type
	setType(*Type)
}

// Stmt is a statement node.
type Stmt interface {
	Node
	stmtNode()
}

// Program is a whole bpftrace program.
type Program struct {
	Loc    Span
	Source *Source
	// Preamble holds, in order, the preprocessor lines (#include, #define,
	// #ifdef...) and C type definitions written before the probes.
	Preamble []*CDecl
	// Config is the `config = { ... }` block, or nil.
	Config *Config
	// Macros are the `macro name(...) { ... }` definitions.
	Macros []*Macro
	Probes []*Probe
	// Maps describes every map used, keyed by name ("@" for the anonymous
	// map); filled in by Check.
	Maps map[string]*MapInfo
}

// Location returns the program's span.
func (p *Program) Location() Span { return p.Loc }

// CDeclKind tells the kinds of preamble entries apart.
type CDeclKind int

const (
	// CPreproc is a preprocessor line such as `#include <linux/sched.h>`.
	CPreproc CDeclKind = iota
	// CDefinition is a C struct, union, enum or typedef definition.
	CDefinition
)

// String names the kind.
func (k CDeclKind) String() string {
	if k == CDefinition {
		return "CDefinition"
	}
	return "CPreproc"
}

// CDecl is one preprocessor line or C definition from the preamble,
// kept verbatim for the C type parser of a later stage.
type CDecl struct {
	Loc  Span
	Kind CDeclKind
	Text string
}

// Location returns the declaration's span.
func (c *CDecl) Location() Span { return c.Loc }

// Config is the `config = { NAME = VALUE; ... }` block.
type Config struct {
	Loc     Span
	Entries []*ConfigEntry
}

// Location returns the block's span.
func (c *Config) Location() Span { return c.Loc }

// ConfigEntry is one NAME = VALUE setting of a config block.
type ConfigEntry struct {
	Loc   Span
	Name  string
	Value Expr
}

// Macro is a `macro NAME($a, @b, c) { ... }` definition. Its body is a
// block whose last statement, when an expression, is the macro's value.
type Macro struct {
	Loc    Span
	Name   string
	Params []Expr // *Variable, *MapExpr or *Ident
	Body   *Block
}

// Location returns the macro's span.
func (m *Macro) Location() Span { return m.Loc }

// Probe is one or more probe specifications sharing a predicate and an
// action block.
type Probe struct {
	Loc   Span
	Specs []*ProbeSpec
	Pred  Expr // nil when there is no predicate
	Body  *Block
	// Vars are the scratch variables of the probe and their types; filled
	// in by Check.
	Vars map[string]*Type
}

// Location returns the probe's span.
func (p *Probe) Location() Span { return p.Loc }

// Block is a `{ ... }` list of statements.
type Block struct {
	Loc   Span
	Stmts []Stmt
}

// Location returns the block's span.
func (b *Block) Location() Span { return b.Loc }

func (*Block) stmtNode() {}

// ExprStmt is an expression evaluated for its effect, such as a call.
type ExprStmt struct {
	Loc Span
	X   Expr
}

// Location returns the statement's span.
func (s *ExprStmt) Location() Span { return s.Loc }

func (*ExprStmt) stmtNode() {}

// Assign stores into a map element or a scratch variable. Op is "=" or a
// compound operator such as "+=".
type Assign struct {
	Loc    Span
	Target Expr // *MapExpr or *Variable
	Op     string
	OpLoc  Span
	Value  Expr
}

// Location returns the statement's span.
func (s *Assign) Location() Span { return s.Loc }

func (*Assign) stmtNode() {}

// Let declares a scratch variable: `let $x;`, `let $x: uint8 = 1;`.
type Let struct {
	Loc   Span
	Var   *Variable
	Decl  *TypeName // nil when no type is written
	Value Expr      // nil when no initial value
}

// Location returns the statement's span.
func (s *Let) Location() Span { return s.Loc }

func (*Let) stmtNode() {}

// If is `if (Cond) Then [else Else]`; Else is nil, a *Block or an *If.
type If struct {
	Loc  Span
	Cond Expr
	Then *Block
	Else Stmt
}

// Location returns the statement's span.
func (s *If) Location() Span { return s.Loc }

func (*If) stmtNode() {}

// Unroll repeats its body Count times at compile time.
type Unroll struct {
	Loc   Span
	Count Expr
	Body  *Block
	// Head is the span of `unroll(N)`.
	Head Span
}

// Location returns the statement's span.
func (s *Unroll) Location() Span { return s.Loc }

func (*Unroll) stmtNode() {}

// While loops while Cond is non-zero.
type While struct {
	Loc  Span
	Cond Expr
	Body *Block
}

// Location returns the statement's span.
func (s *While) Location() Span { return s.Loc }

func (*While) stmtNode() {}

// For is `for ($v : @map) { }` (Map set) or `for ($v : From..To) { }`.
type For struct {
	Loc  Span
	Var  *Variable
	Map  *MapExpr // nil for a range loop
	From Expr     // range start, nil for a map loop
	To   Expr     // range end (exclusive), nil for a map loop
	Body *Block
}

// Location returns the statement's span.
func (s *For) Location() Span { return s.Loc }

func (*For) stmtNode() {}

// Jump is `return`, `break` or `continue`.
type Jump struct {
	Loc  Span
	Kind string // "return", "break" or "continue"
}

// Location returns the statement's span.
func (s *Jump) Location() Span { return s.Loc }

func (*Jump) stmtNode() {}

// exprBase holds what every expression has: its span and its type.
type exprBase struct {
	Loc Span
	Ty  *Type
}

// Location returns the expression's span.
func (e *exprBase) Location() Span { return e.Loc }

// Type returns the type set by Check.
func (e *exprBase) Type() *Type { return e.Ty }

func (e *exprBase) setType(t *Type) { e.Ty = t }

// IntLit is an integer literal. Text is the literal as written.
type IntLit struct {
	exprBase
	Value uint64
	Text  string
}

// StrLit is a string literal with escapes resolved.
type StrLit struct {
	exprBase
	Value string
}

// Builtin is a builtin variable such as pid, comm or arg0.
type Builtin struct {
	exprBase
	Name string
}

// Ident is a bare identifier: an enum or macro constant from the
// preamble, a stack mode (`perf`), or a config name.
type Ident struct {
	exprBase
	Name string
}

// Param is a positional parameter `$1`, ... (N >= 1) or the count `$#`
// (N == 0).
type Param struct {
	exprBase
	N int
}

// Variable is a scratch variable `$name`.
type Variable struct {
	exprBase
	Name string // without the $
}

// MapExpr is a map element `@name[keys]`, `@name` or `@`.
type MapExpr struct {
	exprBase
	Name string // without the @; "" for the anonymous map
	Keys []Expr // nil when the map has no key
	// print as written.
}

// Call is a function call such as printf(...) or count().
type Call struct {
	exprBase
	Name string
	Args []Expr
	// NameLoc is the span of the function name.
	NameLoc Span
}

// Binary is a binary operation; Op is the C operator ("+", "==", "&&"...).
type Binary struct {
	exprBase
	Op string
	X  Expr
	Y  Expr
}

// Unary is a prefix operation: "-", "!", "~", "*" (dereference) or "&".
type Unary struct {
	exprBase
	Op string
	X  Expr
}

// IncDec is `x++`, `x--`, `++x` or `--x` on a map element or variable.
type IncDec struct {
	exprBase
	Op     string // "++" or "--"
	Prefix bool
	X      Expr
}

// Ternary is `Cond ? Then : Else`.
type Ternary struct {
	exprBase
	Cond Expr
	Then Expr
	Else Expr
}

// FieldAccess is `X.Field` or `X->Field` (Arrow set).
type FieldAccess struct {
	exprBase
	X     Expr
	Field string
	Arrow bool
	// FieldLoc is the span of the field name.
	FieldLoc Span
}

// TupleIndex is `X.N` on a tuple.
type TupleIndex struct {
	exprBase
	X     Expr
	Index int
	// FieldLoc is the span of the index.
	FieldLoc Span
}

// Index is array indexing `X[I]`.
type Index struct {
	exprBase
	X Expr
	I Expr
}

// Cast is `(TypeName) X`.
type Cast struct {
	exprBase
	To *TypeName
	X  Expr
	// TypeLoc is the span of the parenthesised type.
	TypeLoc Span
}

// Tuple is `(a, b, ...)` with at least two elements.
type Tuple struct {
	exprBase
	Elems []Expr
}

// TypeExpr is a type used as a function argument, as in
// sizeof(struct task_struct) or offsetof(struct sock, sk_family).
type TypeExpr struct {
	exprBase
	Name *TypeName
}

// TypeName is a written type: an integer type (`uint8`), a C type
// (`struct sock`, `int`), or an identifier, with pointer stars and an
// optional array length.
type TypeName struct {
	Name     string // "uint8", "struct sock", "u32"...
	Pointers int
	ArrayLen int // -1 when not an array
}

// String formats the type as written in bpftrace.
func (t *TypeName) String() string {
	s := t.Name
	if t.Pointers > 0 {
		s += " "
		for i := 0; i < t.Pointers; i++ {
			s += "*"
		}
	}
	if t.ArrayLen >= 0 {
		s += "[" + itoa(t.ArrayLen) + "]"
	}
	return s
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
