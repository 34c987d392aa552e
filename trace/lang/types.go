package lang

import "strings"

// Kind is the category of a Type.
type Kind int

// The kinds of values in bpftrace programs.
const (
	KindNone       Kind = iota // no value (a statement-only call such as printf)
	KindInt                    // integer of Size bytes, Signed or not
	KindString                 // string of up to Size bytes
	KindTuple                  // tuple of Elems
	KindPointer                // pointer to Elem (Struct names a C type when Elem is nil)
	KindRecord                 // C struct/union named Struct
	KindArray                  // array of Len Elem
	KindStack                  // kstack or ustack (User set)
	KindSymbol                 // ksym/usym result (User set)
	KindInet                   // ntop result
	KindMac                    // macaddr result
	KindTimestamp              // strftime result
	KindBuffer                 // buf result
	KindCgroupPath             // cgroup_path result
	KindStrerror               // strerror result
	KindAgg                    // aggregation stored in a map: see Agg
	KindTypeName               // a type used as an argument (sizeof, offsetof)
	// KindUnknown is a C value whose type needs kernel type information
	// (BTF or the preamble): struct fields, tracepoint arguments,
	// dereferences. It is accepted wherever a value is expected; the code
	// generator resolves it.
	KindUnknown
)

// AggKind names an aggregation function.
type AggKind string

// Aggregation kinds; a map holding one may only be assigned that
// aggregation.
const (
	AggCount AggKind = "count"
	AggSum   AggKind = "sum"
	AggAvg   AggKind = "avg"
	AggMin   AggKind = "min"
	AggMax   AggKind = "max"
	AggStats AggKind = "stats"
	AggHist  AggKind = "hist"
	AggLhist AggKind = "lhist"
)

// Type is the type of an expression, variable or map value.
type Type struct {
	Kind   Kind
	Size   int  // bytes: integers 1, 2, 4, 8; strings and buffers their capacity
	Signed bool // integers
	Elems  []*Type
	Elem   *Type
	Len    int     // arrays
	Struct string  // C type name for records and pointers to them
	User   bool    // ustack/usym
	Agg    AggKind // KindAgg
	// Format is strftime's format, which prints a KindTimestamp.
	Format string
	// Literal says the value is a compile-time constant (an integer or
	// string literal or a positional parameter), as some functions demand.
	Literal bool
}

// Common types.
var (
	typeNone   = &Type{Kind: KindNone}
	typeInt64  = &Type{Kind: KindInt, Size: 8, Signed: true}
	typeUint64 = &Type{Kind: KindInt, Size: 8}
)

func intType(size int, signed bool) *Type {
	return &Type{Kind: KindInt, Size: size, Signed: signed}
}

func strType(n int) *Type { return &Type{Kind: KindString, Size: n} }

// String names the type as bpftrace's messages do: int64, unsigned int64,
// string[N], (int64,string[4]), count, struct sock *.
func (t *Type) String() string {
	if t == nil {
		return "none"
	}
	switch t.Kind {
	case KindNone:
		return "none"
	case KindInt:
		s := "int" + itoa(t.Size*8)
		if !t.Signed {
			s = "unsigned " + s
		}
		return s
	case KindString:
		return "string[" + itoa(t.Size) + "]"
	case KindTuple:
		parts := make([]string, len(t.Elems))
		for i, e := range t.Elems {
			parts[i] = e.String()
		}
		return "(" + strings.Join(parts, ",") + ")"
	case KindPointer:
		if t.Elem != nil {
			return t.Elem.String() + " *"
		}
		return t.Struct + " *"
	case KindRecord:
		return t.Struct
	case KindArray:
		return t.Elem.String() + "[" + itoa(t.Len) + "]"
	case KindStack:
		if t.User {
			return "ustack"
		}
		return "kstack"
	case KindSymbol:
		if t.User {
			return "usym"
		}
		return "ksym"
	case KindInet:
		return "inet"
	case KindMac:
		return "mac_address"
	case KindTimestamp:
		return "timestamp"
	case KindBuffer:
		return "buffer[" + itoa(t.Size) + "]"
	case KindCgroupPath:
		return "cgroup_path"
	case KindStrerror:
		return "strerror"
	case KindAgg:
		return string(t.Agg)
	case KindTypeName:
		return "type"
	case KindUnknown:
		return "unresolved"
	}
	return "unknown"
}

// category is the coarse name bpftrace uses in some messages: integer,
// string, tuple...
func (t *Type) category() string {
	if t == nil {
		return "none"
	}
	switch t.Kind {
	case KindInt:
		return "integer"
	case KindString:
		return "string"
	case KindTuple:
		return "tuple"
	case KindPointer:
		return "pointer"
	case KindRecord:
		return "record"
	case KindNone:
		return "none"
	case KindSymbol, KindStack, KindInet, KindTimestamp, KindMac, KindCgroupPath, KindStrerror:
		// bpftrace prints these as text and names them string.
		return "string"
	}
	return t.String()
}

// same reports whether values of types a and b can share a map or
// variable: same kind, and for tuples the same shape. Integer widths and
// string sizes may differ (the larger is used).
func same(a, b *Type) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Kind == KindUnknown || b.Kind == KindUnknown {
		return true
	}
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case KindTuple:
		if len(a.Elems) != len(b.Elems) {
			return false
		}
		for i := range a.Elems {
			if !same(a.Elems[i], b.Elems[i]) {
				return false
			}
		}
	case KindAgg:
		return a.Agg == b.Agg
	case KindStack, KindSymbol:
		return a.User == b.User
	case KindRecord:
		return a.Struct == b.Struct
	case KindPointer:
		if a.Elem != nil && b.Elem != nil {
			return same(a.Elem, b.Elem)
		}
		return a.Struct == b.Struct
	}
	return true
}

// widen returns the type that holds values of a and b (same(a, b) must
// hold): the larger integer or string.
func widen(a, b *Type) *Type {
	if a.Kind == KindUnknown {
		return b
	}
	if b.Kind == KindUnknown {
		return a
	}
	switch a.Kind {
	case KindInt:
		if b.Size > a.Size {
			return &Type{Kind: KindInt, Size: b.Size, Signed: a.Signed || b.Signed}
		}
		if a.Literal || b.Signed != a.Signed {
			return &Type{Kind: KindInt, Size: a.Size, Signed: a.Signed || b.Signed}
		}
	case KindString, KindBuffer:
		if b.Size > a.Size {
			return &Type{Kind: a.Kind, Size: b.Size}
		}
	case KindTuple:
		out := &Type{Kind: KindTuple, Elems: make([]*Type, len(a.Elems))}
		for i := range a.Elems {
			out.Elems[i] = widen(a.Elems[i], b.Elems[i])
		}
		return out
	}
	if a.Literal {
		c := *a
		c.Literal = false
		return &c
	}
	return a
}

// MapInfo describes a map as Check found it used.
type MapInfo struct {
	Name string
	// Keys are the key types, one per key expression; nil for a map
	// without keys.
	Keys []*Type
	// Value is the value type; its Kind is KindAgg for aggregations.
	Value *Type
	// Scalar says the map was used without keys (`@x`).
	Scalar bool
	// HistArgs holds the constant arguments of hist (bits) or lhist
	// (min, max, step), when the value is such an aggregation.
	HistArgs []uint64
}
