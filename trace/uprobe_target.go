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

// symbolTables caches the function names of the binaries uprobes name.
var symbolTables = struct {
	sync.Mutex
	names map[string]map[string]bool
}{names: map[string]map[string]bool{}}

// binaryHasSymbol reports whether the ELF file at path defines the
// function sym in its symbol table or dynamic symbol table. It answers
// true when the file cannot be read, so that attaching reports why.
func binaryHasSymbol(path, sym string) bool {
	symbolTables.Lock()
	defer symbolTables.Unlock()
	names, ok := symbolTables.names[path]
	if !ok {
		f, err := elf.Open(path)
		if err != nil {
			return true
		}
		names = map[string]bool{}
		syms, _ := f.Symbols()
		dyn, _ := f.DynamicSymbols()
		for _, s := range append(syms, dyn...) {
			if elf.ST_TYPE(s.Info) == elf.STT_FUNC && s.Value != 0 {
				names[s.Name] = true
			}
		}
		f.Close()
		symbolTables.names[path] = names
	}
	return names[sym]
}
