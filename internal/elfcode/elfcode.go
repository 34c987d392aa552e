// Package elfcode reads the code of clang-compiled BPF ELF objects: the
// executable sections, the functions in them and the relocations that name
// the symbols their instructions refer to. It uses only debug/elf; maps,
// BTF and global data are the object package's business.
package elfcode

import (
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/gbpf/gbpf/isa"
)

// File is a parsed BPF object.
type File struct {
	sections []Section
	programs []Program
}

// Section is one executable section.
type Section struct {
	Name  string
	Insns []isa.Instruction
	// Symbols maps slot positions in the section to the names of the
	// function symbols that start there.
	Symbols map[int]string
	// Relocs maps instruction indexes to the symbol their relocation names.
	Relocs map[int]string
}

// Program is one function symbol (STT_FUNC) of an executable section: an
// entry program or a bpf-to-bpf subprogram in .text.
type Program struct {
	Name    string // function symbol
	Section string // section name
	Offset  int    // byte offset of the function in the section
	Insns   []isa.Instruction
	// Relocs maps instruction indexes (into Insns) to the name of the
	// symbol the instruction's relocation refers to.
	Relocs map[int]string
}

// ErrNotBPF is wrapped by Open and NewFile for ELF files that are not BPF
// relocatable objects.
var ErrNotBPF = errors.New("not a BPF object")

// Open reads the object at path.
func Open(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ef, err := NewFile(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ef, nil
}

// NewFile reads an object from r.
func NewFile(r io.ReaderAt) (ef *File, err error) {
	defer func() {
		// debug/elf has panicked on malformed files in the past; report an
		// error instead.
		if p := recover(); p != nil {
			ef, err = nil, fmt.Errorf("malformed ELF file: %v", p)
		}
	}()
	f, err := elf.NewFile(r)
	if err != nil {
		return nil, err
	}
	if f.Machine != elf.EM_BPF {
		return nil, fmt.Errorf("%w: machine is %v", ErrNotBPF, f.Machine)
	}
	if f.Class != elf.ELFCLASS64 || f.Data != elf.ELFDATA2LSB {
		return nil, fmt.Errorf("%w: want little-endian 64-bit ELF", ErrNotBPF)
	}
	syms, err := f.Symbols()
	if err != nil && !errors.Is(err, elf.ErrNoSymbols) {
		return nil, fmt.Errorf("symbol table: %w", err)
	}
	ef = &File{}
	// Relocation sections by the index of the section they apply to.
	relocFor := map[int]*elf.Section{}
	for _, s := range f.Sections {
		if s.Type == elf.SHT_REL && int(s.Info) < len(f.Sections) {
			relocFor[int(s.Info)] = s
		}
	}
	for idx, s := range f.Sections {
		if s.Type != elf.SHT_PROGBITS || s.Flags&elf.SHF_EXECINSTR == 0 {
			continue
		}
		data, err := s.Data()
		if err != nil {
			return nil, fmt.Errorf("section %s: %w", s.Name, err)
		}
		insns, err := isa.Decode(data)
		if err != nil {
			return nil, fmt.Errorf("section %s: %w", s.Name, err)
		}
		si := isa.NewSlotIndex(insns)
		sec := Section{Name: s.Name, Insns: insns, Symbols: map[int]string{}, Relocs: map[int]string{}}
		if rs := relocFor[idx]; rs != nil {
			if err := readRelocs(rs, f.Sections, syms, si, sec.Relocs); err != nil {
				return nil, fmt.Errorf("section %s: %w", s.Name, err)
			}
		}
		var funcs []elf.Symbol
		for _, sym := range syms {
			if int(sym.Section) == idx && elf.ST_TYPE(sym.Info) == elf.STT_FUNC {
				funcs = append(funcs, sym)
			}
		}
		sort.SliceStable(funcs, func(i, j int) bool { return funcs[i].Value < funcs[j].Value })
		for _, sym := range funcs {
			if sym.Value%isa.InstructionSize != 0 || sym.Value > uint64(len(data)) {
				return nil, fmt.Errorf("section %s: function %s at byte %d is not at an instruction", s.Name, sym.Name, sym.Value)
			}
			start := si.Index(int(sym.Value / isa.InstructionSize))
			size := sym.Size
			if size == 0 || sym.Value+size > uint64(len(data)) {
				size = uint64(len(data)) - sym.Value
			}
			end := si.Index(int((sym.Value + size) / isa.InstructionSize))
			if start < 0 || end < 0 || size%isa.InstructionSize != 0 {
				return nil, fmt.Errorf("section %s: function %s (bytes %d..%d) splits an instruction", s.Name, sym.Name, sym.Value, sym.Value+size)
			}
			sec.Symbols[int(sym.Value/isa.InstructionSize)] = sym.Name
			prog := Program{Name: sym.Name, Section: s.Name, Offset: int(sym.Value), Insns: insns[start:end:end], Relocs: map[int]string{}}
			for i, name := range sec.Relocs {
				if i >= start && i < end {
					prog.Relocs[i-start] = name
				}
			}
			ef.programs = append(ef.programs, prog)
		}
		ef.sections = append(ef.sections, sec)
	}
	return ef, nil
}

// readRelocs fills relocs (instruction index -> symbol name) from an
// SHT_REL section.
func readRelocs(rs *elf.Section, sections []*elf.Section, syms []elf.Symbol, si *isa.SlotIndex, relocs map[int]string) error {
	data, err := rs.Data()
	if err != nil {
		return fmt.Errorf("relocations %s: %w", rs.Name, err)
	}
	if len(data)%16 != 0 {
		return fmt.Errorf("relocations %s: size %d is not a multiple of 16", rs.Name, len(data))
	}
	for i := 0; i < len(data); i += 16 {
		off := binary.LittleEndian.Uint64(data[i:])
		info := binary.LittleEndian.Uint64(data[i+8:])
		symIdx := elf.R_SYM64(info)
		if off%isa.InstructionSize != 0 || off/isa.InstructionSize >= uint64(si.Len()) {
			return fmt.Errorf("relocation %d at byte %d is not at an instruction", i/16, off)
		}
		idx := si.Index(int(off / isa.InstructionSize))
		if idx < 0 {
			return fmt.Errorf("relocation %d at byte %d points into an lddw", i/16, off)
		}
		if symIdx == 0 || int(symIdx) > len(syms) {
			return fmt.Errorf("relocation %d at byte %d: symbol %d out of range", i/16, off, symIdx)
		}
		// debug/elf drops the null symbol, so symbol n is syms[n-1]. A
		// section symbol (a call into .text) is named after its section.
		sym := syms[symIdx-1]
		name := sym.Name
		if elf.ST_TYPE(sym.Info) == elf.STT_SECTION && int(sym.Section) < len(sections) {
			name = sections[sym.Section].Name
		}
		relocs[idx] = name
	}
	return nil
}

// Sections returns the executable sections in file order.
func (f *File) Sections() []Section { return f.sections }

// Programs returns every function symbol of the executable sections, in
// section order and by offset within a section.
func (f *File) Programs() []Program { return f.programs }
