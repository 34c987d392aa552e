package lang

// Inspect walks the tree rooted at n in source order, calling f for each
// node; when f returns false the node's children are skipped. Probe
// specifications, type names and preamble entries are not visited (they
// are not Nodes with children).
func Inspect(n Node, f func(Node) bool) {
	if n == nil || !f(n) {
		return
	}
	visitExprs := func(es []Expr) {
		for _, e := range es {
			Inspect(e, f)
		}
	}
	switch n := n.(type) {
	case *Program:
		if n.Config != nil {
			Inspect(n.Config, f)
		}
		for _, m := range n.Macros {
			Inspect(m, f)
		}
		for _, p := range n.Probes {
			Inspect(p, f)
		}
	case *Config:
		for _, e := range n.Entries {
			Inspect(e.Value, f)
		}
	case *Macro:
		visitExprs(n.Params)
		Inspect(n.Body, f)
	case *Probe:
		if n.Pred != nil {
			Inspect(n.Pred, f)
		}
		Inspect(n.Body, f)
	case *Block:
		for _, s := range n.Stmts {
			Inspect(s, f)
		}
	case *ExprStmt:
		Inspect(n.X, f)
	case *Assign:
		Inspect(n.Target, f)
		Inspect(n.Value, f)
	case *Let:
		Inspect(n.Var, f)
		if n.Value != nil {
			Inspect(n.Value, f)
		}
	case *If:
		Inspect(n.Cond, f)
		Inspect(n.Then, f)
		if n.Else != nil {
			Inspect(n.Else, f)
		}
	case *Unroll:
		Inspect(n.Count, f)
		Inspect(n.Body, f)
	case *While:
		Inspect(n.Cond, f)
		Inspect(n.Body, f)
	case *For:
		Inspect(n.Var, f)
		if n.Map != nil {
			Inspect(n.Map, f)
		} else {
			Inspect(n.From, f)
			Inspect(n.To, f)
		}
		Inspect(n.Body, f)
	case *MapExpr:
		visitExprs(n.Keys)
	case *Call:
		visitExprs(n.Args)
	case *Binary:
		Inspect(n.X, f)
		Inspect(n.Y, f)
	case *Unary:
		Inspect(n.X, f)
	case *IncDec:
		Inspect(n.X, f)
	case *Ternary:
		Inspect(n.Cond, f)
		Inspect(n.Then, f)
		Inspect(n.Else, f)
	case *FieldAccess:
		Inspect(n.X, f)
	case *TupleIndex:
		Inspect(n.X, f)
	case *Index:
		Inspect(n.X, f)
		Inspect(n.I, f)
	case *Cast:
		Inspect(n.X, f)
	case *Tuple:
		visitExprs(n.Elems)
	}
}
