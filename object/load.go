package object

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
)

// LoadOptions tune LoadSpecWithOptions.
type LoadOptions struct {
	// KernelTypes is the BTF of the kernel that CO-RE relocations are
	// resolved against (e.g. btf.LoadKernelSpec() or a btfhub file). Without
	// it, an object with CO-RE relocations is refused.
	KernelTypes *btf.Spec
}

// LoadSpec reads the ELF object at path.
func LoadSpec(path string) (*Spec, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("object: %w", err)
	}
	defer f.Close()
	spec, err := LoadSpecFromReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return spec, nil
}

// LoadSpecFromReader reads an ELF object.
func LoadSpecFromReader(rd io.ReaderAt) (*Spec, error) {
	return LoadSpecWithOptions(rd, LoadOptions{})
}

// LoadSpecWithOptions reads an ELF object with options.
func LoadSpecWithOptions(rd io.ReaderAt, opts LoadOptions) (spec *Spec, err error) {
	// cilium/ebpf's parser is trusted with well-formed objects; a panic on
	// hostile input is reported as an error rather than crashing the caller.
	defer func() {
		if r := recover(); r != nil {
			spec, err = nil, fmt.Errorf("object: malformed ELF: parser panicked: %v", r)
		}
	}()
	if err := checkELF(rd); err != nil {
		return nil, err
	}
	if err := checkKsyms(rd); err != nil {
		return nil, err
	}
	cs, err := ebpf.LoadCollectionSpecFromReader(rd)
	if err != nil {
		if errors.Is(err, ebpf.ErrNotSupported) {
			return nil, fmt.Errorf("object: %w: %w", err, ErrNotSupported)
		}
		return nil, fmt.Errorf("object: %w", err)
	}
	l := &loader{cs: cs, opts: opts, mapSection: symbolSections(rd)}
	return l.load()
}

// checkELF refuses objects for a byte order gbpf does not run and
// relocations of code that gbpf cannot resolve.
func checkELF(rd io.ReaderAt) error {
	f, err := elf.NewFile(rd)
	if err != nil {
		return fmt.Errorf("object: %w", err)
	}
	if f.ByteOrder != binary.LittleEndian {
		return &Error{Insn: -1, Feature: "big-endian object (-target bpfeb)", Err: ErrNotSupported}
	}
	return checkRelocations(f)
}

// The BPF relocation types that may apply to instructions.
const (
	relBPF64_64 = 1  // R_BPF_64_64: lddw of a map, data or function address
	relBPF64_32 = 10 // R_BPF_64_32: call of a function
)

// checkRelocations looks at every relocation of a code section: its type
// must be one instructions take, and its symbol must be undefined (an
// extern, judged later) or lie in code, maps or global data.
func checkRelocations(f *elf.File) error {
	syms, err := f.Symbols()
	if err != nil {
		return nil // no symbols: the full parse reports what is missing
	}
	for _, rs := range f.Sections {
		if rs.Type != elf.SHT_REL || int(rs.Info) >= len(f.Sections) {
			continue
		}
		code := f.Sections[rs.Info]
		if code.Flags&elf.SHF_EXECINSTR == 0 {
			continue
		}
		data, err := rs.Data()
		if err != nil || len(data)%16 != 0 {
			continue // malformed: the full parse reports it
		}
		for off := 0; off < len(data); off += 16 {
			at := binary.LittleEndian.Uint64(data[off:])
			info := binary.LittleEndian.Uint64(data[off+8:])
			idx, typ := int(info>>32), uint32(info)
			if idx < 1 || idx > len(syms) {
				continue
			}
			sym := syms[idx-1]
			if typ != relBPF64_64 && typ != relBPF64_32 {
				return &Error{Section: code.Name, Symbol: sym.Name, Insn: -1,
					Feature: fmt.Sprintf("relocation of type %d at byte %d (only R_BPF_64_64 and R_BPF_64_32 apply to code)", typ, at), Err: ErrNotSupported}
			}
			if sym.Section == elf.SHN_UNDEF || int(sym.Section) >= len(f.Sections) {
				continue
			}
			target := f.Sections[sym.Section]
			if target.Flags&elf.SHF_EXECINSTR != 0 || target.Name == ".maps" ||
				strings.HasPrefix(target.Name, "maps") || isDataSection(target.Name) {
				continue
			}
			name := sym.Name
			if name == "" {
				name = target.Name
			}
			return &Error{Section: code.Name, Symbol: name, Insn: -1,
				Feature: fmt.Sprintf("relocation at byte %d against section %q, which is neither code, maps nor global data", at, target.Name), Err: ErrNotSupported}
		}
	}
	return nil
}

// checkKsyms refuses typed extern kernel variables (a Var in the .ksyms
// datasec), which need the kernel's BTF ids; cilium/ebpf rejects them while
// reading BTF without saying where, so the error here names the extern
// symbols of the object.
func checkKsyms(rd io.ReaderAt) error {
	types, err := btf.LoadSpecFromReader(rd)
	if err != nil {
		return nil // no BTF, or a problem that the full parse reports
	}
	var ds *btf.Datasec
	err = types.TypeByName(".ksyms", &ds)
	if errors.Is(err, btf.ErrNotFound) {
		return nil
	}
	if err == nil {
		for _, v := range ds.Vars {
			if _, ok := v.Type.(*btf.Var); ok {
				err = fmt.Errorf("variable %s", v.Type.TypeName())
				break
			}
		}
		if err == nil {
			return nil
		}
	}
	return &Error{Section: ".ksyms", Symbol: strings.Join(externSymbols(rd), ","), Insn: -1,
		Feature: "extern kernel variable (__ksym)", Err: fmt.Errorf("%w: %w", err, ErrNotSupported)}
}

// externSymbols lists the undefined global symbols of an object.
func externSymbols(rd io.ReaderAt) []string {
	f, err := elf.NewFile(rd)
	if err != nil {
		return nil
	}
	syms, err := f.Symbols()
	if err != nil {
		return nil
	}
	var out []string
	for _, s := range syms {
		if s.Section == elf.SHN_UNDEF && elf.ST_BIND(s.Info) != elf.STB_LOCAL && s.Name != "" {
			out = append(out, s.Name)
		}
	}
	sort.Strings(out)
	return out
}

// symbolSections maps the names of object symbols to their section names;
// it is only used to say where a map comes from.
func symbolSections(rd io.ReaderAt) map[string]string {
	out := make(map[string]string)
	f, err := elf.NewFile(rd)
	if err != nil {
		return out
	}
	syms, err := f.Symbols()
	if err != nil {
		return out
	}
	for _, s := range syms {
		if elf.ST_TYPE(s.Info) != elf.STT_OBJECT || int(s.Section) >= len(f.Sections) {
			continue
		}
		out[s.Name] = f.Sections[s.Section].Name
	}
	return out
}

type loader struct {
	cs         *ebpf.CollectionSpec
	opts       LoadOptions
	mapSection map[string]string
	spec       *Spec
	index      map[string]int // map name -> index in spec.Maps
}

// supportedMapTypes are the map types gbpf's maps package implements.
var supportedMapTypes = map[maps.Type]bool{
	maps.Hash: true, maps.Array: true, maps.ProgArray: true, maps.PerfEventArray: true,
	maps.PerCPUHash: true, maps.PerCPUArray: true, maps.LRUHash: true, maps.LRUPerCPUHash: true,
	maps.LPMTrie: true, maps.ArrayOfMaps: true, maps.HashOfMaps: true, maps.Queue: true,
	maps.Stack: true, maps.RingBuf: true, maps.BloomFilter: true,
	maps.DevMap: true, maps.DevMapHash: true, maps.CPUMap: true, maps.XSKMap: true,
}

func isDataSection(name string) bool {
	for _, p := range []string{".data", ".rodata", ".bss"} {
		if name == p || strings.HasPrefix(name, p+".") {
			return true
		}
	}
	return false
}

func (l *loader) load() (*Spec, error) {
	l.spec = &Spec{Programs: make(map[string]*ProgramSpec)}
	l.index = make(map[string]int)

	names := make([]string, 0, len(l.cs.Maps))
	for name := range l.cs.Maps {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		ms, err := l.convertMap(name, l.cs.Maps[name])
		if err != nil {
			return nil, err
		}
		l.index[name] = len(l.spec.Maps)
		l.spec.Maps = append(l.spec.Maps, ms)
	}

	for name, ps := range l.cs.Programs {
		p, err := l.convertProgram(name, ps)
		if err != nil {
			return nil, err
		}
		l.spec.Programs[name] = p
	}

	// Initialisers refer to programs and maps by name: check them now that
	// both are known.
	for _, m := range l.spec.Maps {
		for _, kv := range m.Contents {
			switch v := kv.Value.(type) {
			case ProgramRef:
				if l.spec.Programs[string(v)] == nil {
					return nil, &Error{Section: m.Section, Symbol: m.Name, Insn: -1,
						Feature: fmt.Sprintf("values[%d] refers to %q, which is not an entry program", kv.Key, v), Err: ErrNotSupported}
				}
			case MapRef:
				if _, ok := l.index[string(v)]; !ok {
					return nil, &Error{Section: m.Section, Symbol: m.Name, Insn: -1,
						Feature: fmt.Sprintf("values[%d] refers to unknown map %q", kv.Key, v), Err: ErrNotSupported}
				}
			}
		}
	}
	return l.spec, nil
}

func (l *loader) sectionOf(name string) string {
	if isDataSection(name) {
		return name
	}
	return l.mapSection[name]
}

func (l *loader) convertMap(name string, cm *ebpf.MapSpec) (*MapSpec, error) {
	sec := l.sectionOf(name)
	ms, err := convertMapSpec(name, sec, cm)
	if err != nil {
		return nil, err
	}
	for _, kv := range cm.Contents {
		key, ok := kv.Key.(uint32)
		if !ok {
			return nil, &Error{Section: sec, Symbol: name, Insn: -1,
				Feature: fmt.Sprintf("initial element with key of type %T", kv.Key), Err: ErrNotSupported}
		}
		switch v := kv.Value.(type) {
		case []byte:
			ms.Contents = append(ms.Contents, MapKV{Key: key, Value: bytes.Clone(v)})
		case string:
			switch ms.Type {
			case maps.ProgArray:
				ms.Contents = append(ms.Contents, MapKV{Key: key, Value: ProgramRef(v)})
			case maps.ArrayOfMaps, maps.HashOfMaps:
				ms.Contents = append(ms.Contents, MapKV{Key: key, Value: MapRef(v)})
			default:
				return nil, &Error{Section: sec, Symbol: name, Insn: -1,
					Feature: fmt.Sprintf("values initialiser in a %v map", ms.Type), Err: ErrNotSupported}
			}
		default:
			return nil, &Error{Section: sec, Symbol: name, Insn: -1,
				Feature: fmt.Sprintf("initial value of type %T", kv.Value), Err: ErrNotSupported}
		}
	}
	return ms, nil
}

func convertMapSpec(name, sec string, cm *ebpf.MapSpec) (*MapSpec, error) {
	t := maps.Type(cm.Type)
	if !supportedMapTypes[t] {
		return nil, &Error{Section: sec, Symbol: name, Insn: -1,
			Feature: fmt.Sprintf("map type %v (%d)", t, uint32(t)), Err: ErrNotSupported}
	}
	ms := &MapSpec{
		Name:        name,
		Section:     sec,
		Type:        t,
		KeySize:     cm.KeySize,
		ValueSize:   cm.ValueSize,
		MaxEntries:  cm.MaxEntries,
		Flags:       cm.Flags,
		MapExtra:    cm.MapExtra,
		SpinLockOff: spinLockOff(cm.Value),
	}
	if cm.InnerMap != nil {
		inner, err := convertMapSpec(name+".inner", sec, cm.InnerMap)
		if err != nil {
			return nil, err
		}
		ms.InnerMap = inner
	}
	return ms, nil
}

// spinLockOff finds a struct bpf_spin_lock among the top-level members of a
// map's value type.
func spinLockOff(value btf.Type) uint32 {
	st, ok := btf.UnderlyingType(value).(*btf.Struct)
	if !ok {
		return 0
	}
	for _, m := range st.Members {
		if s, ok := btf.UnderlyingType(m.Type).(*btf.Struct); ok && s.Name == "bpf_spin_lock" {
			return m.Offset.Bytes() + 1
		}
	}
	return 0
}

func (l *loader) fail(ps *ebpf.ProgramSpec, sym string, insn int, feature string) *Error {
	return &Error{Section: ps.SectionName, Symbol: sym, Insn: insn, Feature: feature, Err: ErrNotSupported}
}

func (l *loader) convertProgram(name string, ps *ebpf.ProgramSpec) (*ProgramSpec, error) {
	cins := make(asm.Instructions, len(ps.Instructions))
	copy(cins, ps.Instructions)

	if err := l.applyCORE(ps, cins); err != nil {
		return nil, err
	}

	var raw bytes.Buffer
	for i := range cins {
		if _, err := cins[i].Marshal(&raw, binary.LittleEndian); err != nil {
			return nil, &Error{Section: ps.SectionName, Symbol: name, Insn: i, Feature: "encoding instruction", Err: err}
		}
	}
	insns, err := isa.Decode(raw.Bytes())
	if err != nil {
		return nil, &Error{Section: ps.SectionName, Symbol: name, Insn: -1, Feature: "decoding instructions", Err: err}
	}
	if len(insns) != len(cins) {
		return nil, &Error{Section: ps.SectionName, Symbol: name, Insn: -1,
			Feature: fmt.Sprintf("%d instructions decode as %d", len(cins), len(insns)), Err: ErrNotSupported}
	}

	p := &ProgramSpec{
		Name:     name,
		Section:  ps.SectionName,
		Type:     ProgramType(ps.Type),
		AttachTo: ps.AttachTo,
		License:  ps.License,
		Flags:    ps.Flags,
		Insns:    insns,
	}
	funcs := make(map[string]int)
	for i := range cins {
		if sym := cins[i].Symbol(); sym != "" {
			funcs[sym] = i
			p.Funcs = append(p.Funcs, Func{Name: sym, Index: i, BTF: btf.FuncMetadata(&cins[i])})
		}
	}
	slots := isa.NewSlotIndex(insns)

	for i := range cins {
		ci := &cins[i]
		ins := &insns[i]
		ref := ci.Reference()
		switch {
		case ins.IsKfuncCall():
			return nil, l.fail(ps, ref, i, "call to kernel function (kfunc)")

		case ins.IsLocalCall():
			if ref == "" {
				return nil, l.fail(ps, name, i, "local call without a target symbol")
			}
			target, ok := funcs[ref]
			if !ok {
				return nil, l.fail(ps, ref, i, "call to an undefined (extern) function")
			}
			ins.Constant = int64(slots.Slot(target) - slots.Slot(i) - 1)

		case ins.IsLoadImm64():
			if err := l.relocateLoad(ps, insns, i, ref, funcs, slots); err != nil {
				return nil, err
			}

		case ref != "":
			return nil, l.fail(ps, ref, i, fmt.Sprintf("relocation of instruction %v", *ins))
		}
	}
	return p, nil
}

func (l *loader) relocateLoad(ps *ebpf.ProgramSpec, insns []isa.Instruction, i int, ref string, funcs map[string]int, slots *isa.SlotIndex) error {
	ins := &insns[i]
	switch ins.Src {
	case isa.PseudoImm:
		if ref != "" {
			return l.fail(ps, ref, i, "extern symbol (__ksym variable or undefined symbol)")
		}
	case isa.PseudoFunc:
		target, ok := funcs[ref]
		if !ok {
			return l.fail(ps, ref, i, "address of an undefined function")
		}
		ins.Constant = int64(slots.Slot(target) - slots.Slot(i) - 1)
	case isa.PseudoMapFD:
		idx, ok := l.index[ref]
		if !ok {
			return l.fail(ps, ref, i, "reference to an unknown map")
		}
		ins.Src = isa.PseudoMapIdx
		ins.Constant = int64(idx)
	case isa.PseudoMapValue:
		if ref == "" {
			return l.fail(ps, l.kconfigNames(), i, "extern variable in .kconfig")
		}
		idx, ok := l.index[ref]
		if !ok {
			return l.fail(ps, ref, i, "reference to an unknown data section")
		}
		ins.Src = isa.PseudoMapIdxValue
		ins.Constant = int64(uint64(ins.Constant)&^0xffffffff | uint64(uint32(idx)))
	default:
		return l.fail(ps, ref, i, fmt.Sprintf("lddw with pseudo source %d", ins.Src))
	}
	return nil
}

// kconfigNames lists the variables of the .kconfig section, for errors.
func (l *loader) kconfigNames() string {
	var ds *btf.Datasec
	if l.cs.Types == nil || l.cs.Types.TypeByName(".kconfig", &ds) != nil {
		return ""
	}
	var names []string
	for _, v := range ds.Vars {
		names = append(names, v.Type.TypeName())
	}
	return strings.Join(names, ",")
}

// applyCORE resolves the CO-RE relocations of a program against
// opts.KernelTypes, or refuses them when there is none.
func (l *loader) applyCORE(ps *ebpf.ProgramSpec, cins asm.Instructions) error {
	var relos []*btf.CORERelocation
	var at []int
	for i := range cins {
		if r := btf.CORERelocationMetadata(&cins[i]); r != nil {
			relos = append(relos, r)
			at = append(at, i)
		}
	}
	if len(relos) == 0 {
		return nil
	}
	if l.opts.KernelTypes == nil {
		return l.fail(ps, ps.Name, at[0], fmt.Sprintf("CO-RE relocation %v against kernel types without LoadOptions.KernelTypes", relos[0]))
	}
	local := func(t btf.Type) (btf.TypeID, error) {
		if l.cs.Types == nil {
			return 0, errors.New("object has no BTF")
		}
		return l.cs.Types.TypeID(t)
	}
	fixups, err := btf.CORERelocate(relos, []*btf.Spec{l.opts.KernelTypes}, binary.LittleEndian, local)
	if err != nil {
		return &Error{Section: ps.SectionName, Symbol: ps.Name, Insn: at[0], Feature: "CO-RE relocation", Err: err}
	}
	for k, f := range fixups {
		if err := f.Apply(&cins[at[k]]); err != nil {
			return &Error{Section: ps.SectionName, Symbol: ps.Name, Insn: at[k], Feature: fmt.Sprintf("CO-RE relocation %v", relos[k]), Err: err}
		}
	}
	return nil
}
