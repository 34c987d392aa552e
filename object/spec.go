// Package object reads the programs and maps of clang-compiled eBPF ELF
// objects (clang -target bpf, libbpf's conventions) into gbpf's terms.
//
// Parsing follows the blueprint/live-object split of cilium/ebpf, whose
// LoadCollectionSpec does the ELF and BTF work: LoadSpec turns a file into a
// Spec, deterministically and without touching the environment, and
// NewCollection makes live maps and loaded programs from a Spec.
//
// A Spec is self-contained and linked:
//   - every entry program carries its bpf-to-bpf subprograms appended after
//     the entry function, with local calls and callback pointers
//     (lddw src=4) resolved to relative slot offsets;
//   - every map, legacy ("maps" section) or BTF-defined (".maps", libbpf's
//     __uint/__type style), and every global data section (.data, .rodata,
//     .bss, .data.*, .rodata.*; each an array map of one element holding the
//     section) has an index in Spec.Maps;
//   - a map reference is lddw src=5 (isa.PseudoMapIdx) with the index as
//     immediate, and a global data access is lddw src=6
//     (isa.PseudoMapIdxValue) with the index in the low and the offset in the
//     high 32 bits of the constant.
//
// Whatever gbpf cannot run (a map type it lacks, kfunc calls, extern
// variables, CO-RE relocations without kernel types, relocations of unknown
// kinds) is an *Error wrapping ErrNotSupported at LoadSpec, naming the
// section, the symbol and the feature.
package object

import (
	"errors"
	"fmt"
	"github.com/cilium/ebpf/btf"
	"sort"
	"strings"

	"github.com/cilium/ebpf"

	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
)

// ErrNotSupported is wrapped by every error about a feature of an object that
// gbpf does not support.
var ErrNotSupported = errors.New("not supported by gbpf")

// Error is a failure to load an object, located in it.
type Error struct {
	Section string // ELF section of the program or map ("" if none)
	Symbol  string // program, map or extern symbol concerned
	Insn    int    // instruction index in the linked program, -1 if none
	Feature string // what the object uses or what went wrong
	Err     error  // the cause: ErrNotSupported or an underlying error
}

// Error formats the location and the feature.
func (e *Error) Error() string {
	s := "object"
	if e.Section != "" {
		s += fmt.Sprintf(": section %q", e.Section)
	}
	if e.Symbol != "" {
		s += fmt.Sprintf(": symbol %q", e.Symbol)
	}
	if e.Insn >= 0 {
		s += fmt.Sprintf(": insn %d", e.Insn)
	}
	if e.Feature != "" {
		s += ": " + e.Feature
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Spec is the blueprint of an object: its programs and maps, linked and
// ready to load.
type Spec struct {
	// Programs are the entry programs by function name.
	Programs map[string]*ProgramSpec
	// Maps are the maps and global data sections, ordered by name; the
	// index of a map here is the immediate of lddw src=5 and src=6.
	Maps []*MapSpec
}

// MapIndex returns the index in s.Maps of the map called name, or -1.
func (s *Spec) MapIndex(name string) int {
	for i, m := range s.Maps {
		if m.Name == name {
			return i
		}
	}
	return -1
}

// Map returns the map called name, or nil.
func (s *Spec) Map(name string) *MapSpec {
	if i := s.MapIndex(name); i >= 0 {
		return s.Maps[i]
	}
	return nil
}

// Program picks a program the way "FILE.o:PROG" does on the command line:
// by function name first, by section name only when that section holds a
// single program. An unknown or ambiguous name is an error listing the
// programs of the object.
func (s *Spec) Program(name string) (*ProgramSpec, error) {
	if p := s.Programs[name]; p != nil {
		return p, nil
	}
	var found []*ProgramSpec
	for _, p := range s.Programs {
		if p.Section == name {
			found = append(found, p)
		}
	}
	if len(found) == 1 {
		return found[0], nil
	}
	what := "no program"
	if len(found) > 1 {
		what = fmt.Sprintf("%d programs in section", len(found))
	}
	return nil, fmt.Errorf("object: %s %q; the programs are: %s", what, name, s.programList())
}

// programList lists the programs as "function (section)", sorted.
func (s *Spec) programList() string {
	list := make([]string, 0, len(s.Programs))
	for _, p := range s.Programs {
		list = append(list, fmt.Sprintf("%s (%s)", p.Name, p.Section))
	}
	sort.Strings(list)
	return strings.Join(list, ", ")
}

// ProgramSpec is one entry program with its subprograms linked in.
type ProgramSpec struct {
	Name     string      // function name of the entry point
	Section  string      // ELF section, e.g. "xdp" or "tracepoint/syscalls/sys_enter_write"
	Type     ProgramType // from the section name, as libbpf derives it
	AttachTo string      // the part of the section name after the type, e.g. "syscalls/sys_enter_write"
	License  string      // contents of the "license" section
	// Flags are the kernel's load flags the section name implies, as libbpf
	// sets them: BPF_F_SLEEPABLE (1<<4) for "*.s" sections and syscall
	// programs, BPF_F_XDP_HAS_FRAGS (1<<5) for "xdp.frags".
	Flags uint32
	// Insns is the entry function followed by every function it calls,
	// directly or indirectly (callbacks included), with calls resolved.
	Insns []isa.Instruction
	// Funcs are the functions in Insns in order: the entry first.
	Funcs []Func
}

// Func is a function of a linked program.
type Func struct {
	Name  string    // symbol name
	Index int       // index in Insns of its first instruction
	BTF   *btf.Func // its BTF (func_info), nil if the object has none
}

// MapSpec describes a map of an object.
type MapSpec struct {
	Name    string // symbol name; for global data, the section name (".rodata")
	Section string // ELF section the map comes from: ".maps", "maps", ".data", ...
	// Type, sizes, flags and MapExtra are as in the kernel (maps.Spec).
	Type       maps.Type
	KeySize    uint32
	ValueSize  uint32
	MaxEntries uint32 // for a perf event array or CPU map, 0 or more than the CPUs means one per CPU, as libbpf does
	Flags      uint32
	MapExtra   uint64
	// SpinLockOff is the offset of a struct bpf_spin_lock in the value plus
	// one; 0 if the value has none (see maps.Spec).
	SpinLockOff uint32
	// InnerMap is the template of the inner maps of a map-in-map.
	InnerMap *MapSpec
	// Contents are the initial elements: global data (key uint32(0), value
	// the section bytes) and BTF "values" initialisers (key the uint32 index,
	// value a ProgramRef for prog arrays or a MapRef for map-in-maps).
	Contents []MapKV
}

// MapKV is an initial element of a map.
type MapKV struct {
	Key   uint32 // the array index (0 for global data)
	Value any    // []byte, ProgramRef or MapRef
}

// ProgramRef names an entry program of the same Spec (a prog array element).
type ProgramRef string

// MapRef names a map of the same Spec (a map-in-map element).
type MapRef string

// ProgramType is a program type, numbered as the kernel's enum
// bpf_prog_type.
type ProgramType uint32

// Program types gbpf knows by name (the kernel's numbers).
const (
	Unspec        ProgramType = 0
	SocketFilter  ProgramType = 1
	Kprobe        ProgramType = 2
	SchedCLS      ProgramType = 3
	SchedACT      ProgramType = 4
	Tracepoint    ProgramType = 5
	XDP           ProgramType = 6
	PerfEvent     ProgramType = 7
	RawTracepoint ProgramType = 17
	Tracing       ProgramType = 26
	Syscall       ProgramType = 31
)

// String returns the name cilium/ebpf's ebpf.ProgramType uses for t.
func (t ProgramType) String() string { return ebpf.ProgramType(t).String() }
