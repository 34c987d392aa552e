package lang

import (
	"fmt"
	"strconv"
	"strings"
)

// Options configure Check.
type Options struct {
	// Params are the positional parameters $1, $2, ... ($# is their count).
	Params []string
	// Unsafe allows the unsafe functions (system, signal, override), as
	// bpftrace's --unsafe does.
	Unsafe bool
	// CTypes, when set, types C values: tracepoint arguments, struct and
	// union fields reached through pointers (curtask->pid), and curtask
	// itself as a struct task_struct pointer. Without it those values are
	// KindUnknown and the code generator decides.
	CTypes CTypes
}

// CTypes answers the checker's questions about C types, from tracepoint
// format files and the kernel's BTF.
type CTypes interface {
	// ArgField is the type of args.field in probe p, or nil when it is
	// not known (the value stays KindUnknown).
	ArgField(p *Probe, field string) *Type
	// Member is the type of the field of the struct or union named s
	// ("struct task_struct"), or an error saying why it has none.
	Member(s, field string) (*Type, error)
}

// Check resolves names and types in prog and reports what bpftrace would
// reject before touching the kernel: unknown functions, builtins and
// identifiers, argument counts and types, printf formats, inconsistent map
// key and value types, misused aggregations, variables read before being
// assigned, unsafe functions without Options.Unsafe. It fills in the type
// of every expression, Probe.Vars and Program.Maps.
//
// Warnings (such as a positional parameter that was not given) are
// returned even on success; the error, when not nil, is an *Error.
func Check(prog *Program, opts Options) (warnings []Diagnostic, err error) {
	c := &checker{prog: prog, opts: opts, maps: map[string]*MapInfo{}}
	for _, d := range prog.Preamble {
		c.preamble += d.Text + "\n"
	}
	c.macros = map[string]*Macro{}
	for _, m := range prog.Macros {
		c.macros[m.Name] = m
	}
	// Quiet passes learn the map types from every probe, whatever the order
	// of the probes; the last pass reports.
	for i := 0; i < 3; i++ {
		c.quiet = true
		c.run()
	}
	c.quiet = false
	c.diags = nil
	c.run()
	prog.Maps = c.maps
	var errs []Diagnostic
	for _, d := range c.diags {
		if d.Severity == SeverityWarning {
			warnings = append(warnings, d)
		} else {
			errs = append(errs, d)
		}
	}
	if len(errs) > 0 {
		return warnings, &Error{Source: prog.Source, Diagnostics: errs}
	}
	return warnings, nil
}

type checker struct {
	prog     *Program
	opts     Options
	maps     map[string]*MapInfo
	macros   map[string]*Macro
	preamble string
	quiet    bool
	diags    []Diagnostic
	seen     map[string]bool // diagnostics already reported (by text and place)

	probe *Probe
	vars  map[string]*Type
	loops int
}

func (c *checker) report(sev Severity, sp Span, format string, args ...any) {
	if c.quiet {
		return
	}
	d := Diagnostic{Severity: sev, Span: sp, Msg: fmt.Sprintf(format, args...)}
	key := fmt.Sprintf("%d:%d:%s", sp.Start.Offset, sp.End.Offset, d.Msg)
	if c.seen == nil {
		c.seen = map[string]bool{}
	}
	if c.seen[key] {
		return
	}
	c.seen[key] = true
	c.diags = append(c.diags, d)
}

func (c *checker) errorf(sp Span, format string, args ...any) {
	c.report(SeverityError, sp, format, args...)
}

func (c *checker) run() {
	if cfg := c.prog.Config; cfg != nil {
		for _, e := range cfg.Entries {
			if _, ok := e.Value.(*Ident); ok {
				e.Value.setType(&Type{Kind: KindString})
				continue
			}
			c.expr(e.Value)
		}
	}
	for _, pr := range c.prog.Probes {
		c.probe = pr
		c.vars = map[string]*Type{}
		c.loops = 0
		if pr.Pred != nil {
			c.expr(pr.Pred)
		}
		c.block(pr.Body)
		pr.Vars = c.vars
	}
	c.probe = nil
}

func (c *checker) block(b *Block) {
	for _, s := range b.Stmts {
		c.stmt(s)
	}
}

func (c *checker) stmt(s Stmt) {
	switch s := s.(type) {
	case *Block:
		c.block(s)
	case *ExprStmt:
		c.expr(s.X)
	case *Assign:
		c.assign(s)
	case *Let:
		var t *Type
		if s.Decl != nil {
			t = c.typeNameType(s.Decl, s.Loc)
		}
		if s.Value != nil {
			vt := c.expr(s.Value)
			if t == nil {
				t = vt
			} else if vt != nil && !same(t, vt) {
				c.errorf(s.Loc, "Type mismatch for $%s: trying to assign value of type '%s' when variable already contains a value of type '%s'", s.Var.Name, vt, t)
			}
		}
		if t == nil {
			t = &Type{Kind: KindUnknown}
		}
		c.vars[s.Var.Name] = t
		s.Var.setType(t)
	case *If:
		c.expr(s.Cond)
		c.block(s.Then)
		if s.Else != nil {
			c.stmt(s.Else)
		}
	case *Unroll:
		c.expr(s.Count)
		if n, ok := c.constInt(s.Count); ok {
			if n > 100 {
				c.errorf(s.Head, "unroll maximum value is 100")
			} else if n < 1 {
				c.errorf(s.Head, "unroll minimum value is 1")
			}
		} else {
			c.errorf(s.Head, "unroll count must be an integer literal or positional parameter")
		}
		c.block(s.Body)
	case *While:
		c.expr(s.Cond)
		c.loops++
		c.block(s.Body)
		c.loops--
	case *For:
		c.forStmt(s)
	case *Jump:
		if s.Kind != "return" && c.loops == 0 {
			c.errorf(s.Loc, "%s used outside of a loop", s.Kind)
		}
	}
}

func (c *checker) forStmt(s *For) {
	var vt *Type
	if s.Map != nil {
		mi := c.maps[s.Map.Name]
		s.Map.setType(&Type{Kind: KindUnknown})
		if mi == nil {
			c.errorf(s.Map.Loc, "Undefined map: %s", mapName(s.Map.Name))
			vt = &Type{Kind: KindUnknown}
		} else {
			var kt *Type
			switch len(mi.Keys) {
			case 0:
				kt = &Type{Kind: KindNone}
			case 1:
				kt = mi.Keys[0]
			default:
				kt = &Type{Kind: KindTuple, Elems: mi.Keys}
			}
			s.Map.setType(mi.Value)
			val := mi.Value
			if val != nil && val.Kind == KindAgg && (val.Agg == AggCount || val.Agg == AggSum) {
				// The loop sees a count or sum as the integer it adds up to.
				val = &Type{Kind: KindInt, Size: 8, Signed: val.Agg == AggSum}
			}
			vt = &Type{Kind: KindTuple, Elems: []*Type{kt, val}}
		}
	} else {
		a, b := c.expr(s.From), c.expr(s.To)
		for i, t := range []*Type{a, b} {
			if t != nil && t.Kind != KindInt && t.Kind != KindUnknown {
				e := s.From
				if i == 1 {
					e = s.To
				}
				c.errorf(e.Location(), "Loop range requires an integer (%s provided)", t.category())
			}
		}
		vt = typeInt64
	}
	c.vars[s.Var.Name] = vt
	s.Var.setType(vt)
	c.loops++
	c.block(s.Body)
	c.loops--
}

func mapName(n string) string { return "@" + n }

func (c *checker) assign(s *Assign) {
	switch t := s.Target.(type) {
	case *Variable:
		var vt *Type
		if s.Op == "=" {
			vt = c.expr(s.Value)
		} else {
			vt = c.compound(s, t)
		}
		if vt == nil {
			// The value's error is reported; the variable exists from
			// here on, so its uses do not add errors of their own.
			if _, ok := c.vars[t.Name]; !ok {
				c.vars[t.Name] = &Type{Kind: KindUnknown}
			}
			return
		}
		if vt.Kind == KindNone {
			c.errorf(s.Value.Location(), "Value '%s' cannot be assigned to a scratch variable.", exprText(s.Value))
			return
		}
		if vt.Kind == KindAgg {
			c.errorf(s.Value.Location(), "%s() should be directly assigned to a map", vt.Agg)
			return
		}
		if old, ok := c.vars[t.Name]; ok && old != nil {
			if !same(old, vt) && old.Kind == KindTuple && vt.Kind == KindTuple {
				c.errorf(s.OpLoc, "Tuple type mismatch: %s != %s.", old, vt)
				return
			}
			if !same(old, vt) {
				c.errorf(s.OpLoc, "Type mismatch for $%s: trying to assign value of type '%s' when variable already contains a value of type '%s'", t.Name, vt, old)
				return
			}
			vt = widen(old, vt)
		}
		if vt.Literal {
			cp := *vt
			cp.Literal = false
			vt = &cp
		}
		c.vars[t.Name] = vt
		t.setType(vt)
	case *MapExpr:
		var vt *Type
		if s.Op == "=" {
			if call, ok := s.Value.(*Call); ok && functions[call.Name] != nil && functions[call.Name].agg != "" {
				vt = c.aggregation(t, call)
			} else {
				vt = c.expr(s.Value)
			}
		} else {
			vt = c.compound(s, t)
		}
		c.mapKeys(t)
		if vt == nil {
			return
		}
		if vt.Kind == KindNone {
			c.errorf(s.Value.Location(), "Value '%s' cannot be assigned to a map.", exprText(s.Value))
			return
		}
		c.storeMapValue(t, vt, t.Loc)
	}
}

// compound checks `target OP= value` as bpftrace does, as target = target OP value.
func (c *checker) compound(s *Assign, target Expr) *Type {
	lt := c.expr(target)
	rt := c.expr(s.Value)
	op := strings.TrimSuffix(s.Op, "=")
	if lt == nil || rt == nil {
		return nil
	}
	return c.binaryType(op, lt, rt, s.Loc)
}

// storeMapValue records (or checks) the value type of a map.
func (c *checker) storeMapValue(m *MapExpr, vt *Type, at Span) {
	mi := c.maps[m.Name]
	if mi == nil {
		// The keys did not type; an error has been reported for them.
		return
	}
	if vt.Literal {
		cp := *vt
		cp.Literal = false
		vt = &cp
	}
	if vt.Kind == KindInt && vt.Size < 8 {
		vt = intType(8, vt.Signed)
	}
	if mi.Value == nil {
		mi.Value = vt
	} else if !same(mi.Value, vt) {
		c.errorf(at, "Type mismatch for %s: trying to assign value of type '%s' when map already contains a value of type '%s'", mapName(m.Name), vt, mi.Value)
		return
	} else {
		mi.Value = widen(mi.Value, vt)
	}
	m.setType(mi.Value)
}

// mapKeys types the keys of a map access and checks them against earlier
// uses. It creates the map's entry on first use.
func (c *checker) mapKeys(m *MapExpr) *MapInfo {
	keys := make([]*Type, len(m.Keys))
	ok := true
	for i, k := range m.Keys {
		t := c.expr(k)
		if t == nil {
			ok = false
			continue
		}
		switch {
		case t.Kind == KindInt:
			signed := t.Signed
			if _, lit := k.(*IntLit); lit {
				signed = false
			}
			t = intType(8, signed)
		case t.Kind == KindAgg || t.Kind == KindNone:
			c.errorf(k.Location(), "%s cannot be used as a map key", t)
		case t.Literal:
			cp := *t
			cp.Literal = false
			t = &cp
		}
		keys[i] = t
	}
	mi := c.maps[m.Name]
	if mi == nil {
		mi = &MapInfo{Name: m.Name}
		if ok {
			mi.Keys = keys
			mi.Scalar = len(keys) == 0
			c.maps[m.Name] = mi
		} else {
			// Key types are not known yet; a later pass will know them.
			return mi
		}
		return mi
	}
	if !ok {
		return mi
	}
	match := len(mi.Keys) == len(keys)
	for i := 0; match && i < len(keys); i++ {
		match = same(mi.Keys[i], keys[i])
	}
	if !match {
		c.errorf(m.Loc, "Argument mismatch for %s: trying to access with arguments: [%s] when map expects arguments: [%s]", mapName(m.Name), typeList(keys), typeList(mi.Keys))
		return mi
	}
	for i := range keys {
		mi.Keys[i] = widen(mi.Keys[i], keys[i])
	}
	return mi
}

func typeList(ts []*Type) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = t.String()
	}
	return strings.Join(s, ", ")
}

// aggregation checks `@m[...] = agg(args)`.
func (c *checker) aggregation(m *MapExpr, call *Call) *Type {
	spec := functions[call.Name]
	if !c.nargs(call, spec) {
		for _, a := range call.Args {
			c.expr(a)
		}
		return nil
	}
	for _, a := range call.Args {
		t := c.expr(a)
		if t != nil && t.Kind != KindInt && t.Kind != KindUnknown {
			c.errorf(call.Loc, "%s() only supports integer arguments (%s provided)", call.Name, t.category())
		}
	}
	t := &Type{Kind: KindAgg, Agg: spec.agg}
	switch spec.agg {
	case AggLhist:
		for i, a := range call.Args[1:] {
			if _, ok := c.constInt(a); !ok {
				c.errorf(call.Loc, "lhist() %s must be an integer literal or positional parameter", []string{"min", "max", "step"}[i])
			}
		}
	case AggHist:
		if len(call.Args) == 2 {
			if k, ok := c.constInt(call.Args[1]); !ok || k > 5 {
				c.errorf(call.Loc, "hist() second argument must be an integer literal from 0 to 5")
			}
		}
	}
	call.setType(t)
	mi := c.maps[m.Name]
	if mi != nil && len(call.Args) > 1 {
		var args []uint64
		for _, a := range call.Args[1:] {
			v, _ := c.constInt(a)
			args = append(args, uint64(v))
		}
		if spec.agg == AggHist || spec.agg == AggLhist {
			mi.HistArgs = args
		}
	}
	return t
}

// nargs checks the argument count of a call, as bpftrace words it.
func (c *checker) nargs(call *Call, spec *funcSpec) bool {
	n := len(call.Args)
	plural := func(k int) string {
		if k == 1 {
			return "one argument"
		}
		return itoa(k) + " arguments"
	}
	switch {
	case spec.min == spec.max && n != spec.min:
		if spec.min == 0 {
			c.errorf(call.Loc, "%s() requires no arguments (%d provided)", call.Name, n)
		} else {
			c.errorf(call.Loc, "%s() requires %s (%d provided)", call.Name, plural(spec.min), n)
		}
		return false
	case n < spec.min:
		if spec.exact {
			c.errorf(call.Loc, "%s() requires %s (%d provided)", call.Name, plural(spec.min), n)
		} else {
			c.errorf(call.Loc, "%s() requires at least %s (%d provided)", call.Name, plural(spec.min), n)
		}
		return false
	case spec.max >= 0 && n > spec.max:
		if spec.max == 0 {
			c.errorf(call.Loc, "%s() requires no arguments (%d provided)", call.Name, n)
		} else {
			c.errorf(call.Loc, "%s() takes up to %s (%d provided)", call.Name, plural(spec.max), n)
		}
		return false
	}
	return true
}

// constInt evaluates an integer literal, a positional parameter holding an
// integer, or a negation of one.
func (c *checker) constInt(e Expr) (int64, bool) {
	switch e := e.(type) {
	case *IntLit:
		return int64(e.Value), true
	case *Param:
		if e.N == 0 {
			return int64(len(c.opts.Params)), true
		}
		if e.N <= len(c.opts.Params) {
			v, err := strconv.ParseInt(c.opts.Params[e.N-1], 0, 64)
			return v, err == nil
		}
		return 0, true
	case *Unary:
		if e.Op == "-" {
			v, ok := c.constInt(e.X)
			return -v, ok
		}
	}
	return 0, false
}

// expr types an expression, records the type on the node and returns it.
// nil means the type is not known (an error was reported, or a map is not
// yet typed in a quiet pass).
func (c *checker) expr(e Expr) *Type {
	t := c.exprType(e)
	if t != nil {
		e.setType(t)
	}
	return t
}

func (c *checker) exprType(e Expr) *Type {
	switch e := e.(type) {
	case *IntLit:
		return &Type{Kind: KindInt, Size: 8, Signed: e.Value <= 1<<63-1, Literal: true}
	case *StrLit:
		return &Type{Kind: KindString, Size: len(e.Value) + 1, Literal: true}
	case *Param:
		if e.N == 0 {
			return &Type{Kind: KindInt, Size: 8, Signed: true, Literal: true}
		}
		if e.N > len(c.opts.Params) {
			c.report(SeverityWarning, e.Loc, "positional parameter $%d is not provided (%d given); it reads as 0 or \"\"", e.N, len(c.opts.Params))
			return &Type{Kind: KindInt, Size: 8, Signed: true, Literal: true}
		}
		v := c.opts.Params[e.N-1]
		if _, err := strconv.ParseInt(v, 0, 64); err == nil {
			return &Type{Kind: KindInt, Size: 8, Signed: true, Literal: true}
		}
		return &Type{Kind: KindString, Size: len(v) + 1, Literal: true}
	case *Builtin:
		c.builtinAllowed(e.Name, e.Loc)
		if e.Name == "curtask" && c.opts.CTypes != nil {
			return &Type{Kind: KindPointer, Struct: "struct task_struct"}
		}
		if strings.HasPrefix(e.Name, "arg") && c.probe != nil && len(c.probe.Specs) > 0 && c.probe.Specs[0].Provider == "usdt" {
			return typeInt64 // usdt arguments are signed, as bpftrace types them
		}
		if e.Name == "ctx" && c.opts.CTypes != nil && c.probe != nil && len(c.probe.Specs) > 0 && c.probe.Specs[0].Provider == "iter" {
			// An iterator's context: struct bpf_iter__task and the like.
			return &Type{Kind: KindPointer, Struct: "struct bpf_iter__" + c.probe.Specs[0].Target}
		}
		if e.Name == "probe" && c.probe != nil {
			// Room for the longest name the probe's specs give, and
			// for what their wildcards may expand to.
			n := 64
			for _, sp := range c.probe.Specs {
				n = max(n, (len(sp.String())+64+7)&^7)
			}
			return strType(n)
		}
		return builtinType(e.Name)
	case *Ident:
		if strings.Contains(c.preamble, e.Name) || strings.Contains(c.preamble, "#include") {
			return &Type{Kind: KindUnknown}
		}
		c.errorf(e.Loc, "Unknown identifier: '%s'", e.Name)
		return nil
	case *Variable:
		t, ok := c.vars[e.Name]
		if !ok {
			c.errorf(e.Loc, "Undefined or undeclared variable: $%s", e.Name)
			return nil
		}
		return t
	case *MapExpr:
		mi := c.mapKeys(e)
		if mi.Value == nil {
			c.errorf(e.Loc, "Undefined map: %s", mapName(e.Name))
			return nil
		}
		return mi.Value
	case *Call:
		return c.call(e)
	case *Binary:
		x, y := c.expr(e.X), c.expr(e.Y)
		if x == nil || y == nil {
			return nil
		}
		return c.binaryType(e.Op, x, y, e.Loc)
	case *Unary:
		x := c.expr(e.X)
		if x == nil {
			return nil
		}
		switch e.Op {
		case "*":
			if x.Kind == KindPointer && x.Elem != nil {
				return x.Elem
			}
			return &Type{Kind: KindUnknown}
		case "&":
			return &Type{Kind: KindPointer, Elem: x}
		}
		if x.Kind != KindInt && x.Kind != KindUnknown && x.Kind != KindPointer {
			opLoc := Span{e.Loc.Start, e.Loc.Start}
			opLoc.End.Offset += len(e.Op)
			opLoc.End.Column += len(e.Op)
			c.errorf(opLoc, "The %s operator can not be used on expressions of type '%s'", e.Op, x)
			return nil
		}
		if x.Kind == KindInt {
			if e.Op == "!" {
				return typeUint64
			}
			return intType(8, x.Signed || e.Op == "-")
		}
		return &Type{Kind: KindUnknown}
	case *IncDec:
		switch x := e.X.(type) {
		case *Variable:
			t, ok := c.vars[x.Name]
			if !ok {
				c.errorf(x.Loc, "Undefined or undeclared variable: $%s", x.Name)
				return nil
			}
			x.setType(t)
			if t.Kind != KindInt && t.Kind != KindUnknown {
				c.errorf(e.Loc, "The %s operator can not be used on expressions of type '%s'", e.Op, t)
			}
			return t
		case *MapExpr:
			mi := c.mapKeys(x)
			if c.maps[x.Name] != nil {
				if mi.Value == nil {
					mi.Value = typeInt64
				} else if mi.Value.Kind != KindInt && mi.Value.Kind != KindUnknown {
					c.errorf(e.Loc, "The %s operator can not be used on expressions of type '%s'", e.Op, mi.Value)
				}
				x.setType(mi.Value)
				return mi.Value
			}
		}
		return nil
	case *Ternary:
		c.expr(e.Cond)
		a, b := c.expr(e.Then), c.expr(e.Else)
		if a == nil || b == nil {
			return nil
		}
		if !same(a, b) {
			c.errorf(e.Loc, "Ternary operator must return the same type: have '%s' and '%s'", a.category(), b.category())
			return nil
		}
		return widen(a, b)
	case *FieldAccess:
		x := c.expr(e.X)
		if x == nil {
			return nil
		}
		if ct := c.opts.CTypes; ct != nil {
			if b, ok := e.X.(*Builtin); ok && b.Name == "args" {
				if t := ct.ArgField(c.probe, e.Field); t != nil {
					return t
				}
			}
			if x.Struct != "" && (x.Kind == KindRecord || x.Kind == KindPointer && x.Elem == nil) {
				t, err := ct.Member(x.Struct, e.Field)
				if err != nil {
					c.errorf(e.FieldLoc, "%v", err)
					return nil
				}
				return t
			}
		}
		switch x.Kind {
		case KindUnknown, KindPointer, KindRecord:
			return &Type{Kind: KindUnknown}
		}
		c.errorf(e.FieldLoc, "Can not access field '%s' on expression of type '%s'", e.Field, x)
		return nil
	case *TupleIndex:
		x := c.expr(e.X)
		if x == nil {
			return nil
		}
		if x.Kind == KindUnknown {
			return x
		}
		if x.Kind != KindTuple {
			c.errorf(e.FieldLoc, "Can not access index '%d' on expression of type '%s'", e.Index, x)
			return nil
		}
		if e.Index >= len(x.Elems) {
			c.errorf(e.FieldLoc, "Invalid tuple index: %d. Found %d elements in tuple.", e.Index, len(x.Elems))
			return nil
		}
		return x.Elems[e.Index]
	case *Index:
		x := c.expr(e.X)
		c.expr(e.I)
		if x == nil {
			return nil
		}
		switch x.Kind {
		case KindArray:
			return x.Elem
		case KindPointer:
			if x.Elem != nil {
				return x.Elem
			}
			return &Type{Kind: KindUnknown}
		case KindUnknown:
			return x
		}
		c.errorf(e.Loc, "The array index operator [] can only be used on arrays and pointers, found %s.", x)
		return nil
	case *Cast:
		x := c.expr(e.X)
		to := c.typeNameType(e.To, e.TypeLoc)
		if x != nil && to != nil && to.Kind == KindInt {
			switch x.Kind {
			case KindInt, KindPointer, KindUnknown, KindRecord:
			default:
				c.errorf(e.TypeLoc, "Casts are not supported for type: \"%s\"", x)
				return nil
			}
		}
		return to
	case *Tuple:
		t := &Type{Kind: KindTuple}
		for _, el := range e.Elems {
			et := c.expr(el)
			if et == nil {
				return nil
			}
			if et.Kind == KindNone || et.Kind == KindAgg {
				c.errorf(el.Location(), "Invalid expression in tuple: %s", et)
				return nil
			}
			if et.Literal {
				cp := *et
				cp.Literal = false
				et = &cp
			}
			t.Elems = append(t.Elems, et)
		}
		return t
	case *TypeExpr:
		return &Type{Kind: KindTypeName}
	}
	return nil
}

// typeNameType resolves a written type.
func (c *checker) typeNameType(tn *TypeName, at Span) *Type {
	var t *Type
	switch {
	case tn.Name == "string":
		t = strType(64)
	case castIntType(tn.Name) != nil:
		t = castIntType(tn.Name)
	case intTypeNames[tn.Name]:
		t = &Type{Kind: KindUnknown}
	case strings.HasPrefix(tn.Name, "struct ") || strings.HasPrefix(tn.Name, "union ") || strings.HasPrefix(tn.Name, "enum "):
		t = &Type{Kind: KindRecord, Struct: tn.Name}
	case knownCTypes[tn.Name] || strings.Contains(c.preamble, tn.Name):
		t = &Type{Kind: KindUnknown}
	default:
		c.errorf(at, "Unknown struct/union: '%s'", tn.Name)
		return nil
	}
	for i := 0; i < tn.Pointers; i++ {
		if t.Kind == KindRecord && i == 0 {
			t = &Type{Kind: KindPointer, Struct: t.Struct}
			continue
		}
		t = &Type{Kind: KindPointer, Elem: t}
	}
	if tn.ArrayLen >= 0 {
		t = &Type{Kind: KindArray, Elem: t, Len: tn.ArrayLen}
	}
	return t
}

// binaryType types X op Y.
func (c *checker) binaryType(op string, x, y *Type, at Span) *Type {
	if x.Kind == KindUnknown || y.Kind == KindUnknown {
		if isComparison(op) {
			return typeUint64
		}
		if x.Kind == KindInt {
			return intType(8, x.Signed)
		}
		if y.Kind == KindInt {
			return intType(8, y.Signed)
		}
		return &Type{Kind: KindUnknown}
	}
	numeric := func(t *Type) bool { return t.Kind == KindInt || t.Kind == KindPointer }
	switch {
	case numeric(x) && numeric(y):
		if isComparison(op) {
			return typeUint64
		}
		if x.Kind == KindPointer && (op == "+" || op == "-") {
			return x
		}
		return intType(8, x.Signed && y.Signed || (x.Literal && y.Signed) || (y.Literal && x.Signed))
	case x.Kind == KindString && y.Kind == KindString && isComparison(op):
		return typeUint64
	}
	c.errorf(at, "Type mismatch for '%s': comparing '%s' with '%s'", op, x, y)
	return nil
}

func isComparison(op string) bool {
	switch op {
	case "==", "!=", "<", "<=", ">", ">=", "&&", "||":
		return true
	}
	return false
}

// providersOf lists the probe types the current probe attaches to.
func (c *checker) providersOf() []string {
	if c.probe == nil {
		return nil
	}
	var out []string
	for _, s := range c.probe.Specs {
		out = append(out, s.Provider)
	}
	return out
}

// builtinAllowed checks builtins that only some probe types provide.
func (c *checker) builtinAllowed(name string, at Span) {
	allowed := func(list ...string) (string, bool) {
		for _, p := range c.providersOf() {
			ok := false
			for _, l := range list {
				if p == l {
					ok = true
				}
			}
			if !ok {
				return p, false
			}
		}
		return "", true
	}
	switch {
	case name == "args":
		if p, ok := allowed("tracepoint", "fentry", "fexit", "uprobe", "uretprobe", "rawtracepoint", "usdt"); !ok {
			c.errorf(at, "The args builtin can only be used with tracepoint, fentry, fexit, uprobe and rawtracepoint probes (%s used here)", p)
		}
	case name == "retval":
		if _, ok := allowed("kretprobe", "uretprobe", "fexit"); !ok {
			c.errorf(at, "The retval builtin can only be used with 'kretprobe' and 'uretprobe' and 'fexit' probes")
		}
	case strings.HasPrefix(name, "arg") && allDigits(name[3:]):
		if _, ok := allowed("kprobe", "uprobe", "usdt", "rawtracepoint"); !ok {
			c.errorf(at, "The %s builtin can only be used with 'kprobes', 'uprobes' and 'usdt' probes", name)
		}
	case strings.HasPrefix(name, "sarg"):
		if _, ok := allowed("kprobe", "uprobe"); !ok {
			c.errorf(at, "The %s builtin can only be used with 'kprobes' and 'uprobes' probes", name)
		}
	}
}

// call types a function call (aggregations are handled by assign).
func (c *checker) call(e *Call) *Type {
	spec := functions[e.Name]
	if spec == nil {
		if m, ok := c.macros[e.Name]; ok {
			for _, a := range e.Args {
				c.expr(a)
			}
			if len(e.Args) != len(m.Params) {
				c.errorf(e.Loc, "macro %s() takes %d arguments (%d provided)", e.Name, len(m.Params), len(e.Args))
			}
			return &Type{Kind: KindUnknown}
		}
		c.errorf(e.NameLoc, "Unknown function: %s", e.Name)
		return nil
	}
	if spec.agg != "" {
		for _, a := range e.Args {
			c.expr(a)
		}
		c.errorf(e.Loc, "%s() should be directly assigned to a map", e.Name)
		return nil
	}
	if spec.unsafe && !c.opts.Unsafe {
		c.errorf(e.Loc, "%s() is an unsafe function being used in safe mode", e.Name)
	}
	switch e.Name {
	case "delete", "clear", "zero", "print", "has_key", "len":
		return c.mapFunc(e, spec)
	}
	args := make([]*Type, len(e.Args))
	for i, a := range e.Args {
		if id, ok := a.(*Ident); ok && (e.Name == "kstack" || e.Name == "ustack" || e.Name == "nsecs" || e.Name == "offsetof") {
			switch {
			case e.Name == "offsetof" && i == 1:
				args[i] = &Type{Kind: KindTypeName}
				a.setType(args[i])
				continue
			case (e.Name == "kstack" || e.Name == "ustack") && stackModes[id.Name]:
				args[i] = &Type{Kind: KindString}
				a.setType(args[i])
				continue
			case e.Name == "nsecs":
				args[i] = &Type{Kind: KindString}
				a.setType(args[i])
				continue
			}
		}
		args[i] = c.expr(a)
	}
	if !c.nargs(e, spec) {
		return nil
	}
	for _, t := range args {
		if t == nil {
			return nil
		}
	}
	if spec.fmtArg > 0 && len(e.Args) >= spec.fmtArg {
		f, ok := e.Args[spec.fmtArg-1].(*StrLit)
		if !ok {
			c.errorf(e.Loc, "%s() expects a string literal (%s provided)", e.Name, args[spec.fmtArg-1].category())
			return nil
		}
		if e.Name != "time" {
			c.checkFormat(e, f.Value, args[spec.fmtArg:])
		}
	}
	switch e.Name {
	case "str", "buf":
		if len(args) == 2 && args[1].Kind != KindInt && args[1].Kind != KindUnknown {
			c.errorf(e.Loc, "%s() only supports integer arguments (%s provided)", e.Name, args[1].category())
			return nil
		}
	}
	switch e.Name {
	case "str":
		if args[0].Kind != KindString && args[0].Kind != KindInt && args[0].Kind != KindUnknown && args[0].Kind != KindPointer && args[0].Kind != KindArray {
			c.errorf(e.Loc, "str() expects a string or a pointer (%s provided)", args[0])
		}
		n := 64
		if len(e.Args) == 2 {
			if v, ok := c.constInt(e.Args[1]); ok && v > 0 && v < 64 {
				n = int(v) + 1
			}
		}
		return strType(n)
	case "buf":
		n := 64
		if len(e.Args) == 2 {
			if v, ok := c.constInt(e.Args[1]); ok && v > 0 {
				n = int(v)
			}
		}
		return &Type{Kind: KindBuffer, Size: n}
	case "pton":
		if s, ok := e.Args[0].(*StrLit); ok && strings.Contains(s.Value, ":") {
			return &Type{Kind: KindArray, Elem: intType(1, false), Len: 16}
		}
		return &Type{Kind: KindArray, Elem: intType(1, false), Len: 4}
	case "bswap", "kptr", "uptr":
		if args[0].Kind != KindInt && args[0].Kind != KindUnknown && args[0].Kind != KindPointer {
			c.errorf(e.Loc, "%s() only supports integer arguments (%s provided)", e.Name, args[0].category())
			return nil
		}
		t := *args[0]
		t.Literal = false
		return &t
	case "kstack", "ustack":
		for i, a := range e.Args {
			_, isMode := a.(*Ident)
			if isMode && i > 0 {
				c.errorf(e.Loc, "%s() expects a stack mode as its first argument", e.Name)
			}
			if !isMode {
				if _, ok := c.constInt(a); !ok {
					c.errorf(e.Loc, "%s() expects a integer literal (%s provided)", e.Name, args[i].category())
				}
			}
		}
		return &Type{Kind: KindStack, User: e.Name == "ustack"}
	case "signal":
		for _, p := range c.providersOf() {
			if p == "BEGIN" || p == "END" || p == "interval" {
				c.errorf(e.Loc, "signal can not be used with \"%s\" probes", p)
			}
		}
	case "exit":
		if len(args) == 1 && args[0].Kind != KindInt {
			c.errorf(e.Loc, "exit() only supports an integer code (%s provided)", args[0].category())
		}
	case "kaddr", "uaddr", "cgroupid":
		if _, ok := e.Args[0].(*StrLit); !ok {
			c.errorf(e.Loc, "%s() expects a string literal (%s provided)", e.Name, args[0].category())
		}
	case "strncmp":
		if args[0].Kind == KindInt || args[1].Kind == KindInt {
			c.errorf(e.Loc, "strncmp() expects strings as its first two arguments")
		}
		if _, ok := c.constInt(e.Args[2]); !ok {
			c.errorf(e.Loc, "strncmp() expects an integer literal as its third argument")
		}
	case "join":
		if len(e.Args) == 2 {
			if _, ok := e.Args[1].(*StrLit); !ok {
				c.errorf(e.Loc, "join() delimiter must be a string literal")
			}
		}
	case "strftime":
		f, ok := e.Args[0].(*StrLit)
		if !ok {
			c.errorf(e.Loc, "strftime() expects a string literal (%s provided)", args[0].category())
			return nil
		}
		return &Type{Kind: KindTimestamp, Size: 16, Format: f.Value}
	}
	return spec.ret
}

// mapFunc checks functions taking a map: delete, clear, zero, print,
// has_key, len.
func (c *checker) mapFunc(e *Call, spec *funcSpec) *Type {
	if !c.nargs(e, spec) {
		for _, a := range e.Args {
			c.expr(a)
		}
		return nil
	}
	m, isMap := e.Args[0].(*MapExpr)
	if e.Name == "print" && !isMap {
		t := c.expr(e.Args[0])
		if len(e.Args) > 1 {
			c.errorf(e.Loc, "Non-map print() only takes 1 argument, %d found", len(e.Args))
		}
		if t != nil && (t.Kind == KindNone || t.Kind == KindAgg) {
			c.errorf(e.Loc, "print() can not print a value of type '%s'", t)
		}
		return typeNone
	}
	if !isMap {
		c.expr(e.Args[0])
		c.errorf(e.Loc, "%s() expects a map to be provided", e.Name)
		return nil
	}
	if (e.Name == "clear" || e.Name == "zero" || e.Name == "len") && m.Keys != nil {
		for _, k := range m.Keys {
			c.expr(k)
		}
		c.errorf(e.Loc, "The map passed to %s() should not be indexed by a key", e.Name)
		return nil
	}
	mi := c.maps[m.Name]
	if mi == nil || mi.Value == nil {
		for _, k := range m.Keys {
			c.expr(k)
		}
		c.errorf(m.Loc, "Undefined map: %s", mapName(m.Name))
		return nil
	}
	m.setType(mi.Value)
	switch e.Name {
	case "delete":
		if len(e.Args) == 2 {
			if m.Keys != nil {
				c.errorf(e.Loc, "delete() with two arguments expects a map without a key as its first argument")
				return nil
			}
			key := &MapExpr{exprBase: exprBase{Loc: m.Loc}, Name: m.Name, Keys: []Expr{e.Args[1]}}
			if tu, ok := e.Args[1].(*Tuple); ok && len(mi.Keys) > 1 {
				key.Keys = tu.Elems
				c.expr(tu)
			}
			c.mapKeys(key)
			return typeNone
		}
		if len(m.Keys) == 0 && !mi.Scalar {
			c.errorf(e.Loc, "delete() expects a map element (a key is missing)")
			return nil
		}
		c.mapKeys(m)
	case "has_key":
		if m.Keys != nil {
			c.errorf(e.Loc, "has_key() expects a map without a key as its first argument")
			return nil
		}
		key := &MapExpr{exprBase: exprBase{Loc: m.Loc}, Name: m.Name, Keys: []Expr{e.Args[1]}}
		if tu, ok := e.Args[1].(*Tuple); ok && len(mi.Keys) > 1 {
			key.Keys = tu.Elems
			c.expr(tu)
		}
		c.mapKeys(key)
	case "print":
		if m.Keys != nil {
			c.mapKeys(m)
		}
		for _, a := range e.Args[1:] {
			t := c.expr(a)
			if t != nil && t.Kind != KindInt {
				c.errorf(e.Loc, "print() expects a integer literal (%s provided)", t.category())
			}
		}
	}
	return spec.ret
}

// checkFormat checks a printf-style format against its arguments.
func (c *checker) checkFormat(e *Call, format string, args []*Type) {
	verbs := ParseFormat(format)
	if len(args) < len(verbs) {
		c.errorf(e.Loc, "%s: Not enough arguments for format string (%d supplied, %d expected)", e.Name, len(args), len(verbs))
		return
	}
	if len(args) > len(verbs) {
		c.errorf(e.Loc, "%s: Too many arguments for format string (%d supplied, %d expected)", e.Name, len(args), len(verbs))
		return
	}
	for i, v := range verbs {
		t := args[i]
		if t.Kind == KindUnknown {
			continue
		}
		switch v.Verb {
		case 's':
			if t.Kind == KindInt || t.Kind == KindNone || t.Kind == KindAgg || t.Kind == KindPointer {
				c.errorf(e.Loc, "%s: %%%s specifier expects a value of type string (%s supplied)", e.Name, v.Spec, t.category())
			}
		case 'r':
			if t.Kind != KindBuffer && t.Kind != KindString {
				c.errorf(e.Loc, "%s: %%%s specifier expects a value of type buffer (%s supplied)", e.Name, v.Spec, t.category())
			}
		default:
			if t.Kind != KindInt && t.Kind != KindPointer {
				c.errorf(e.Loc, "%s: %%%s specifier expects a value of type integer (%s supplied)", e.Name, v.Spec, t.category())
			}
		}
	}
}

// exprText renders an expression for messages.
func exprText(e Expr) string {
	var f formatter
	f.expr(e, 0)
	return f.b.String()
}
