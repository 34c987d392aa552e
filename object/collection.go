package object

import (
	"fmt"
	"github.com/cilium/ebpf/btf"
	"io"
	"sort"
	"strings"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/verifier"
	"github.com/gbpf/gbpf/vm"
)

// CollectionOptions tune NewCollection.
type CollectionOptions struct {
	// Programs are the entry programs to load, by function name; nil loads
	// every program. Programs that a prog array of the object is
	// initialised with are loaded as well, so that tail calls find them.
	Programs []string
	// Engine, MaxInsns, NoLimit, Helpers, TraceOutput and Unverified are
	// passed to vm.Load for every program: programs are verified unless
	// Unverified is set.
	Engine      vm.Engine
	MaxInsns    uint64
	NoLimit     bool
	Helpers     *vm.Helpers
	TraceOutput io.Writer
	Unverified  bool
}

// Collection is a live object: its maps, created and initialised, and its
// programs, loaded into the VM.
type Collection struct {
	// Programs are the loaded programs by function name.
	Programs map[string]*vm.Program
	// Maps are the maps by name.
	Maps map[string]*maps.Map
	// MapList holds the same maps in the order of Spec.Maps: the map
	// array every program of the collection was loaded with.
	MapList []*maps.Map
}

// NewCollection creates the maps of spec with their initial contents (global
// data, map-in-map and prog-array initialisers) and loads its programs with
// vm.Load. Every call gives fresh maps: the object's initial state.
func NewCollection(spec *Spec, opts CollectionOptions) (*Collection, error) {
	c := &Collection{
		Programs: make(map[string]*vm.Program),
		Maps:     make(map[string]*maps.Map, len(spec.Maps)),
		MapList:  make([]*maps.Map, len(spec.Maps)),
	}
	index := make(map[string]int, len(spec.Maps))
	for i, ms := range spec.Maps {
		index[ms.Name] = i
		m, err := maps.New(ms.live())
		if err != nil {
			return nil, &Error{Section: ms.Section, Symbol: ms.Name, Insn: -1, Feature: "creating map", Err: err}
		}
		c.Maps[ms.Name] = m
		c.MapList[i] = m
	}

	for i, ms := range spec.Maps {
		for _, kv := range ms.Contents {
			ref, ok := kv.Value.(MapRef)
			if !ok {
				continue
			}
			j, ok := index[string(ref)]
			if !ok {
				return nil, &Error{Section: ms.Section, Symbol: ms.Name, Insn: -1, Feature: fmt.Sprintf("values[%d] refers to unknown map %q", kv.Key, ref), Err: ErrNotSupported}
			}
			if err := c.MapList[i].SetInner(kv.Key, c.MapList[j]); err != nil {
				return nil, &Error{Section: ms.Section, Symbol: ms.Name, Insn: -1, Feature: fmt.Sprintf("values[%d] = %s", kv.Key, ref), Err: err}
			}
		}
	}

	// Read-only global data is frozen once initialised, as libbpf and
	// cilium/ebpf freeze it: the verifier then reads it as constants.
	for i, ms := range spec.Maps {
		if isReadOnlyData(ms.Name) && c.MapList[i].Flags()&maps.FlagRdOnlyProg != 0 {
			if err := c.MapList[i].Freeze(); err != nil {
				return nil, &Error{Section: ms.Section, Symbol: ms.Name, Insn: -1, Feature: "freezing read-only data", Err: err}
			}
		}
	}

	names, err := programsToLoad(spec, opts.Programs)
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		ps := spec.Programs[name]
		p, err := vm.Load(ps.Insns, vm.Options{
			Engine:      opts.Engine,
			MaxInsns:    opts.MaxInsns,
			NoLimit:     opts.NoLimit,
			Helpers:     opts.Helpers,
			Type:        helpers.ProgType(ps.Type),
			Maps:        c.MapList,
			TraceOutput: opts.TraceOutput,
			Unverified:  opts.Unverified,
			Funcs:       ps.FuncInfo(),
		})
		if err != nil {
			return nil, &Error{Section: ps.Section, Symbol: name, Insn: -1, Feature: "loading program", Err: err}
		}
		c.Programs[name] = p
	}

	for i, ms := range spec.Maps {
		for _, kv := range ms.Contents {
			ref, ok := kv.Value.(ProgramRef)
			if !ok {
				continue
			}
			if err := c.MapList[i].SetProg(kv.Key, c.Programs[string(ref)]); err != nil {
				return nil, &Error{Section: ms.Section, Symbol: ms.Name, Insn: -1, Feature: fmt.Sprintf("values[%d] = program %s", kv.Key, ref), Err: err}
			}
		}
	}
	return c, nil
}

// programsToLoad returns the sorted names of the requested programs and of
// every program a prog array is initialised with.
func programsToLoad(spec *Spec, want []string) ([]string, error) {
	set := make(map[string]bool)
	if want == nil {
		for name := range spec.Programs {
			set[name] = true
		}
	}
	for _, name := range want {
		if spec.Programs[name] == nil {
			return nil, &Error{Symbol: name, Insn: -1, Feature: "no such program in the object"}
		}
		set[name] = true
	}
	for _, ms := range spec.Maps {
		for _, kv := range ms.Contents {
			if ref, ok := kv.Value.(ProgramRef); ok {
				if spec.Programs[string(ref)] == nil {
					return nil, &Error{Section: ms.Section, Symbol: ms.Name, Insn: -1, Feature: fmt.Sprintf("values[%d] refers to unknown program %q", kv.Key, ref), Err: ErrNotSupported}
				}
				set[string(ref)] = true
			}
		}
	}
	names := make([]string, 0, len(set))
	for name := range set {
		names = append(names, name)
	}
	sort.Strings(names)
	return names, nil
}

// live returns the maps.Spec that creates ms: global data as its contents,
// and, as cilium/ebpf and libbpf do, a perf event array or CPU map whose
// max_entries is 0 or more than the CPUs clamped to one entry per CPU.
func (ms *MapSpec) live() *maps.Spec {
	s := &maps.Spec{
		Name:        ms.Name,
		Type:        ms.Type,
		KeySize:     ms.KeySize,
		ValueSize:   ms.ValueSize,
		MaxEntries:  ms.MaxEntries,
		Flags:       ms.Flags,
		MapExtra:    ms.MapExtra,
		SpinLockOff: ms.SpinLockOff,
	}
	if n := uint32(maps.PossibleCPUs()); (ms.Type == maps.PerfEventArray || ms.Type == maps.CPUMap) && (ms.MaxEntries == 0 || ms.MaxEntries > n) {
		s.MaxEntries = n
	}
	if ms.InnerMap != nil {
		s.InnerMap = ms.InnerMap.live()
	}
	for _, kv := range ms.Contents {
		if v, ok := kv.Value.([]byte); ok {
			s.Contents = append(s.Contents, maps.KV{Key: kv.Key, Value: v})
		}
	}
	return s
}

// isReadOnlyData reports whether a global data map holds .rodata.
func isReadOnlyData(name string) bool {
	return name == ".rodata" || strings.HasPrefix(name, ".rodata.")
}

// FuncInfo describes the program's functions to the verifier, from their
// BTF where the object has it (vm.Options.Funcs).
func (ps *ProgramSpec) FuncInfo() []verifier.FuncInfo {
	var out []verifier.FuncInfo
	for _, f := range ps.Funcs {
		if f.BTF != nil {
			out = append(out, verifier.FuncInfo{Insn: f.Index, ScalarReturn: ReturnsScalar(f.BTF)})
		}
	}
	return out
}

// ReturnsScalar reports whether a function's BTF says it returns a small
// integer or an enum (the kernel's btf_type_is_small_int ||
// btf_is_any_enum), not void or a pointer.
func ReturnsScalar(fn *btf.Func) bool {
	proto, ok := fn.Type.(*btf.FuncProto)
	if !ok {
		return false
	}
	switch t := btf.UnderlyingType(proto.Return).(type) {
	case *btf.Int:
		return t.Size <= 8
	case *btf.Enum:
		return true
	}
	return false
}
