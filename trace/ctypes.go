package trace

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/cilium/ebpf/btf"

	"github.com/gbpf/gbpf/trace/lang"
)

// ctypes types C values for the checker and the code generator:
// tracepoint arguments from tracefs format files, and struct and union
// fields from the kernel's BTF (/sys/kernel/btf/vmlinux), read on first
// use.
type ctypes struct {
	tracefs string
	formats map[string]*tpFormat // "cat:name"

	once    sync.Once
	spec    *btf.Spec
	specErr error
	// anon names the anonymous structs and unions reached through named
	// fields, so that their own fields can be looked up again.
	anon map[string]btf.Type
}

var _ lang.CTypes = (*ctypes)(nil)

func newCTypes(tracefs string) *ctypes {
	return &ctypes{tracefs: tracefs, formats: map[string]*tpFormat{}, anon: map[string]btf.Type{}}
}

// kernelSpec loads the kernel's BTF once.
func (ct *ctypes) kernelSpec() (*btf.Spec, error) {
	ct.once.Do(func() {
		ct.spec, ct.specErr = btf.LoadKernelSpec()
	})
	return ct.spec, ct.specErr
}

// ArgField types args.field of a tracepoint probe from the format of its
// first attach point: char arrays are strings, struct pointers can be
// followed; the other fields stay untyped (the generator reads them with
// the size and signedness the format gives).
func (ct *ctypes) ArgField(p *lang.Probe, field string) *lang.Type {
	f := ct.firstFormat(p)
	if f == nil {
		return nil
	}
	fd := f.field(field)
	if fd == nil || fd.dataLoc {
		return nil
	}
	decl := strings.Fields(fd.decl)
	if fd.array {
		if len(decl) > 0 && (decl[len(decl)-1] == "char") {
			return &lang.Type{Kind: lang.KindString, Size: fd.size}
		}
		return nil
	}
	// "struct NAME *", possibly const: a pointer the program may follow.
	var words []string
	for _, w := range decl {
		if w != "const" && w != "volatile" && w != "__user" {
			words = append(words, w)
		}
	}
	if len(words) == 3 && (words[0] == "struct" || words[0] == "union") && words[2] == "*" {
		return &lang.Type{Kind: lang.KindPointer, Struct: words[0] + " " + words[1]}
	}
	return nil
}

func (ct *ctypes) firstFormat(p *lang.Probe) *tpFormat {
	if p == nil {
		return nil
	}
	for _, sp := range p.Specs {
		if sp.Provider != "tracepoint" {
			continue
		}
		names, err := listTracepoints(ct.tracefs, sp.Target, sp.Func)
		if err != nil || len(names) == 0 {
			continue
		}
		cat, name, _ := strings.Cut(names[0], ":")
		if f, err := ct.format(cat, name); err == nil {
			return f
		}
	}
	return nil
}

// format reads a tracepoint's format once.
func (ct *ctypes) format(cat, name string) (*tpFormat, error) {
	if f, ok := ct.formats[cat+":"+name]; ok {
		return f, nil
	}
	f, err := readFormat(ct.tracefs, cat, name)
	if err != nil {
		return nil, err
	}
	ct.formats[cat+":"+name] = f
	return f, nil
}

// Member types field of the struct or union s.
func (ct *ctypes) Member(s, field string) (*lang.Type, error) {
	_, t, err := ct.member(s, field)
	if err != nil {
		return nil, err
	}
	return ct.langType(t), nil
}

// member finds field of the struct or union s: its byte offset and type.
// Fields of anonymous members are found as C finds them.
func (ct *ctypes) member(s, field string) (int, btf.Type, error) {
	comp, err := ct.composite(s)
	if err != nil {
		return 0, nil, err
	}
	off, t, bits, ok := findMember(comp, field)
	if !ok {
		return 0, nil, fmt.Errorf("Struct/union of type '%s' does not contain a field named '%s'", s, field)
	}
	if bits != 0 {
		return 0, nil, fmt.Errorf("%s.%s is a bitfield, which gbpf trace does not read yet", s, field)
	}
	return off, t, nil
}

// composite finds the struct or union named s in the kernel's BTF.
func (ct *ctypes) composite(s string) (btf.Type, error) {
	if t, ok := ct.anon[s]; ok {
		return t, nil
	}
	kind, name, ok := strings.Cut(s, " ")
	if !ok || (kind != "struct" && kind != "union") {
		return nil, fmt.Errorf("'%s' is not a struct or union", s)
	}
	spec, err := ct.kernelSpec()
	if err != nil {
		return nil, fmt.Errorf("%s: struct fields need the kernel's BTF (/sys/kernel/btf/vmlinux): %v", s, err)
	}
	types, err := spec.AnyTypesByName(name)
	if err != nil && !errors.Is(err, btf.ErrNotFound) {
		return nil, err
	}
	for _, t := range types {
		switch t.(type) {
		case *btf.Struct:
			if kind == "struct" {
				return t, nil
			}
		case *btf.Union:
			if kind == "union" {
				return t, nil
			}
		}
	}
	return nil, fmt.Errorf("Unknown struct/union: '%s'", s)
}

// sizeof is the size in bytes of the struct or union s.
func (ct *ctypes) sizeof(s string) (int, error) {
	t, err := ct.composite(s)
	if err != nil {
		return 0, err
	}
	return btf.Sizeof(t)
}

func members(t btf.Type) []btf.Member {
	switch t := t.(type) {
	case *btf.Struct:
		return t.Members
	case *btf.Union:
		return t.Members
	}
	return nil
}

// findMember searches the members of t, and those of its anonymous
// members, for name: its byte offset, type and bitfield size.
func findMember(t btf.Type, name string) (int, btf.Type, int, bool) {
	for _, m := range members(t) {
		if m.Name == name {
			return int(m.Offset / 8), m.Type, int(m.BitfieldSize), true
		}
		if m.Name == "" {
			if off, mt, bits, ok := findMember(btf.UnderlyingType(m.Type), name); ok {
				return int(m.Offset/8) + off, mt, bits, true
			}
		}
	}
	return 0, nil, 0, false
}

// langType is the bpftrace type of a value of BTF type t: integers and
// enums by size and sign, char arrays as strings, pointers to structs as
// pointers that can be followed, structs and unions as records.
func (ct *ctypes) langType(t btf.Type) *lang.Type {
	switch u := btf.UnderlyingType(t).(type) {
	case *btf.Int:
		return &lang.Type{Kind: lang.KindInt, Size: int(u.Size), Signed: u.Encoding&btf.Signed != 0}
	case *btf.Enum:
		return &lang.Type{Kind: lang.KindInt, Size: int(u.Size), Signed: u.Signed}
	case *btf.Pointer:
		switch target := btf.UnderlyingType(u.Target).(type) {
		case *btf.Struct, *btf.Union:
			return &lang.Type{Kind: lang.KindPointer, Struct: ct.compositeName(target)}
		case *btf.Int, *btf.Enum:
			return &lang.Type{Kind: lang.KindPointer, Elem: ct.langType(target)}
		}
		return &lang.Type{Kind: lang.KindInt, Size: 8}
	case *btf.Array:
		elem := btf.UnderlyingType(u.Type)
		if i, ok := elem.(*btf.Int); ok && i.Size == 1 {
			return &lang.Type{Kind: lang.KindString, Size: int(u.Nelems)}
		}
		return &lang.Type{Kind: lang.KindArray, Elem: ct.langType(elem), Len: int(u.Nelems)}
	case *btf.Struct, *btf.Union:
		return &lang.Type{Kind: lang.KindRecord, Struct: ct.compositeName(u)}
	}
	return &lang.Type{Kind: lang.KindInt, Size: 8}
}

// compositeName is "struct NAME" or "union NAME"; anonymous ones get a
// name of their own here.
func (ct *ctypes) compositeName(t btf.Type) string {
	kind := "struct"
	if _, ok := t.(*btf.Union); ok {
		kind = "union"
	}
	if name := t.TypeName(); name != "" {
		return kind + " " + name
	}
	for name, a := range ct.anon {
		if a == t {
			return name
		}
	}
	name := kind + " (anonymous #" + strconv.Itoa(len(ct.anon)+1) + ")"
	ct.anon[name] = t
	return name
}
