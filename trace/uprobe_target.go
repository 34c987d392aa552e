package trace

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// resolveUprobeTarget turns the binary of a uprobe into a path as
// bpftrace does: a path is kept; a bare name is an executable on $PATH
// or else a shared library by name ("libc" is libc.so.6), found in the
// system library directories as the dynamic loader's cache lists them.
func resolveUprobeTarget(target string) (string, error) {
	if strings.Contains(target, "/") {
		return target, nil
	}
	if p, err := exec.LookPath(target); err == nil {
		if abs, err := filepath.Abs(p); err == nil {
			return abs, nil
		}
		return p, nil
	}
	name := target
	if !strings.HasPrefix(name, "lib") {
		name = "lib" + name
	}
	name = strings.TrimSuffix(name, ".so")
	for _, dir := range libraryDirs() {
		// The loader's cache names libraries by soname (libc.so.6), not
		// the development link (libc.so, often a linker script).
		matches, _ := filepath.Glob(filepath.Join(dir, name+".so.*"))
		sort.Slice(matches, func(i, j int) bool {
			if len(matches[i]) != len(matches[j]) {
				return len(matches[i]) < len(matches[j])
			}
			return matches[i] < matches[j]
		})
		matches = append(matches, filepath.Join(dir, name+".so"))
		for _, m := range matches {
			if isELF(m) {
				return m, nil
			}
		}
	}
	return "", fmt.Errorf("%s: no such executable on $PATH and no library %s.so in %s", target, name, strings.Join(libraryDirs(), ", "))
}

func libraryDirs() []string {
	triple := "x86_64-linux-gnu"
	if runtime.GOARCH == "arm64" {
		triple = "aarch64-linux-gnu"
	}
	return []string{"/lib/" + triple, "/usr/lib/" + triple, "/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib"}
}

func isELF(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	magic := make([]byte, 4)
	if _, err := f.Read(magic); err != nil {
		return false
	}
	return bytes.Equal(magic, []byte("\x7fELF"))
}

// symbolTables caches the functions of the binaries uprobes name.
var symbolTables = struct {
	sync.Mutex
	tables map[string]*funcTable
}{tables: map[string]*funcTable{}}

// funcTable is what a binary's symbols say about its functions.
type funcTable struct {
	// offsets maps a function's name to its file offset.
	offsets map[string]uint64
	// debugOnly are the functions only the separate debug file (found by
	// build id under /usr/lib/debug, as libc6-dbg installs) names.
	debugOnly map[string]bool
}

// binaryHasSymbol reports whether the ELF file at path defines the
// function sym in its symbol tables or those of its debug file. It
// answers true when the file cannot be read, so that attaching reports
// why.
func binaryHasSymbol(path, sym string) bool {
	ft, err := functionTable(path)
	if err != nil {
		return true
	}
	_, ok := ft.offsets[sym]
	return ok
}

// debugSymbolOffset is the file offset of sym when only the binary's debug
// file names it (cilium/ebpf reads the binary's own tables).
func debugSymbolOffset(path, sym string) (uint64, bool) {
	ft, err := functionTable(path)
	if err != nil || !ft.debugOnly[sym] {
		return 0, false
	}
	return ft.offsets[sym], true
}

// binaryFunctions lists the functions the ELF file at path defines,
// sorted.
func binaryFunctions(path string) ([]string, error) {
	ft, err := functionTable(path)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(ft.offsets))
	for n := range ft.offsets {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

// functionTable reads (once per path) the functions defined in an ELF
// file's symbol and dynamic symbol tables and in its debug file.
func functionTable(path string) (*funcTable, error) {
	symbolTables.Lock()
	defer symbolTables.Unlock()
	if ft, ok := symbolTables.tables[path]; ok {
		return ft, nil
	}
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ft := &funcTable{offsets: map[string]uint64{}, debugOnly: map[string]bool{}}
	add := func(syms []elf.Symbol, debug bool) {
		// A local name defined at several addresses (a compiler's
		// .part/.constprop clones) is ambiguous: bpftrace leaves it out.
		ambiguous := map[string]bool{}
		first := map[string]uint64{}
		for _, s := range syms {
			if elf.ST_BIND(s.Info) != elf.STB_LOCAL {
				continue
			}
			if a, ok := first[s.Name]; ok && a != s.Value {
				ambiguous[s.Name] = true
			}
			first[s.Name] = s.Value
		}
		for _, s := range syms {
			if ambiguous[s.Name] {
				continue
			}
			typ := elf.ST_TYPE(s.Info)
			if typ != elf.STT_FUNC && typ != elf.STT_GNU_IFUNC || s.Value == 0 || s.Name == "" {
				continue
			}
			if _, ok := ft.offsets[s.Name]; ok {
				continue
			}
			off, ok := fileOffset(f, s.Value, true)
			if !ok {
				continue
			}
			ft.offsets[s.Name] = off
			if debug {
				ft.debugOnly[s.Name] = true
			}
		}
	}
	syms, _ := f.Symbols()
	dyn, _ := f.DynamicSymbols()
	add(syms, false)
	add(dyn, false)
	if id := buildID(f); len(id) > 1 {
		name := fmt.Sprintf("/usr/lib/debug/.build-id/%x/%x.debug", id[:1], id[1:])
		if df, err := elf.Open(name); err == nil {
			dsyms, _ := df.Symbols()
			add(dsyms, true)
			df.Close()
		}
	}
	symbolTables.tables[path] = ft
	return ft, nil
}

// fileOffset is where the loaded address vaddr is in the file: in an
// executable segment (code), or for data in any loaded one.
func fileOffset(f *elf.File, vaddr uint64, code bool) (uint64, bool) {
	for _, p := range f.Progs {
		if p.Type != elf.PT_LOAD || code && p.Flags&elf.PF_X == 0 {
			continue
		}
		if vaddr >= p.Vaddr && vaddr < p.Vaddr+p.Filesz {
			return vaddr - p.Vaddr + p.Off, true
		}
	}
	return 0, false
}

// elfNotes calls fn for every note of the section sec (SHT_NOTE), in
// order, until fn returns false; a malformed section ends the walk with an
// error.
func elfNotes(f *elf.File, sec *elf.Section, fn func(owner string, typ uint32, desc []byte) bool) error {
	data, err := sec.Data()
	if err != nil {
		return err
	}
	for len(data) >= 12 {
		nameSz := int(f.ByteOrder.Uint32(data[0:]))
		descSz := int(f.ByteOrder.Uint32(data[4:]))
		typ := f.ByteOrder.Uint32(data[8:])
		nameEnd := 12 + (nameSz+3)&^3
		if nameSz < 0 || descSz < 0 || nameEnd > len(data) || nameEnd+descSz > len(data) {
			return fmt.Errorf("%s: truncated note", sec.Name)
		}
		owner := strings.TrimRight(string(data[12:12+nameSz]), "\x00")
		if !fn(owner, typ, data[nameEnd:nameEnd+descSz]) {
			return nil
		}
		data = data[min(len(data), nameEnd+(descSz+3)&^3):]
	}
	return nil
}

// buildID is the GNU build id note of f, or nil.
func buildID(f *elf.File) []byte {
	var id []byte
	for _, sec := range f.Sections {
		if sec.Type != elf.SHT_NOTE || id != nil {
			continue
		}
		elfNotes(f, sec, func(owner string, typ uint32, desc []byte) bool {
			if typ == 3 && owner == "GNU" { // NT_GNU_BUILD_ID
				id = desc
				return false
			}
			return true
		})
	}
	return id
}
