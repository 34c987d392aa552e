package trace

import (
	"debug/elf"
	"os/exec"
	"path/filepath"
	"testing"
)

func TestKernelSymbolsResolve(t *testing.T) {
	ks := &kernelSymbols{addrs: []uint64{0x1000, 0x1100, 0x2000}, names: []string{"a", "b", "c"}}
	for _, tc := range []struct {
		ip   uint64
		want string
	}{
		{0xfff, "0xfff"}, {0x1000, "a+0"}, {0x10ff, "a+255"}, {0x1100, "b+0"}, {0x1fff, "b+3839"}, {0x2005, "c+5"},
	} {
		if got := ks.resolve(tc.ip); got != tc.want {
			t.Errorf("resolve(%#x) = %s, want %s", tc.ip, got, tc.want)
		}
	}
	var none *stackTable
	if got := none.format(3, "    "); got != "\n" {
		t.Errorf("a stack without a table renders %q", got)
	}
}

// TestUserSymbols resolves a file offset of the workload's work to its
// symbol, and an address of no process to hex.
func TestUserSymbols(t *testing.T) {
	cc, err := exec.LookPath("gcc")
	need(t, err == nil, "gcc is not installed (builds the workload)")
	wl := filepath.Join(t.TempDir(), "gbpfwl")
	if out, err := exec.Command(cc, "-O1", "-o", wl, "testdata/workload.c").CombinedOutput(); err != nil {
		t.Fatalf("building the workload: %v\n%s", err, out)
	}
	f, err := elf.Open(wl)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	var work uint64
	for _, s := range syms {
		if s.Name == "work" {
			work = s.Value
		}
	}
	var off uint64
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && work >= p.Vaddr && work < p.Vaddr+p.Filesz {
			off = work - p.Vaddr + p.Off
		}
	}
	if got, ok := loadELFSymbols(wl).resolve(off + 2); !ok || got != "work+2" {
		t.Errorf("resolve(work's offset + 2) = %q, %v; want work+2", got, ok)
	}
	if got := newUserSymbols(1 << 30).resolve(0x1234); got != "0x1234" {
		t.Errorf("an address of no process renders %s", got)
	}
}
