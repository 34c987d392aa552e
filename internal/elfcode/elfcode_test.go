package elfcode

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/isa"
)

func readSmall(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/small.o")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPrograms(t *testing.T) {
	f, err := Open("testdata/small.o")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name, section string
		offset, n     int
		relocs        map[int]string
	}{
		{"twice", ".text", 0, 5, map[int]string{1: "counter"}},
		{"first", "socket", 0, 11, map[int]string{3: "arr", 9: ".text"}},
		{"second", "socket", 96, 3, map[int]string{1: ".text"}},
		{"third", "xdp", 0, 2, map[int]string{}},
	}
	progs := f.Programs()
	if len(progs) != len(want) {
		t.Fatalf("got %d programs, want %d", len(progs), len(want))
	}
	for i, w := range want {
		p := progs[i]
		if p.Name != w.name || p.Section != w.section || p.Offset != w.offset || len(p.Insns) != w.n {
			t.Errorf("program %d: got %s in %s at %d with %d insns, want %s in %s at %d with %d",
				i, p.Name, p.Section, p.Offset, len(p.Insns), w.name, w.section, w.offset, w.n)
		}
		if len(p.Relocs) != len(w.relocs) {
			t.Errorf("%s: relocs %v, want %v", p.Name, p.Relocs, w.relocs)
		}
		for k, v := range w.relocs {
			if p.Relocs[k] != v {
				t.Errorf("%s: reloc at %d is %q, want %q", p.Name, k, p.Relocs[k], v)
			}
		}
	}
	if progs[1].Insns[3].OpCode != isa.OpLDDW || progs[1].Insns[4].OpCode != isa.OpCall {
		t.Errorf("first: lddw folding lost: %v", progs[1].Insns[3:5])
	}
	secs := f.Sections()
	names := []string{}
	for _, s := range secs {
		names = append(names, s.Name)
	}
	if strings.Join(names, ",") != ".text,socket,xdp" {
		t.Errorf("sections %v", names)
	}
	if secs[1].Symbols[0] != "first" || secs[1].Symbols[12] != "second" {
		t.Errorf("socket symbols %v", secs[1].Symbols)
	}
}

// sectionOffset returns the file offset of a section's data.
func sectionOffset(t *testing.T, b []byte, name string) int {
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return int(f.Section(name).Offset)
}

func TestErrors(t *testing.T) {
	small := readSmall(t)
	corrupt := func(f func(b []byte)) []byte {
		b := bytes.Clone(small)
		f(b)
		return b
	}
	xdp := sectionOffset(t, small, "xdp")
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "EOF"},
		{"not ELF", []byte("this is not an ELF file at all, not even close"), "bad magic"},
		{"other machine", corrupt(func(b []byte) { binary.LittleEndian.PutUint16(b[18:], uint16(elf.EM_X86_64)) }), "not a BPF object"},
		{"unknown opcode", corrupt(func(b []byte) { b[xdp] = 0xff }), "section xdp: insn 0"},
		{"bad register", corrupt(func(b []byte) { b[xdp+8+1] = 0x0c }), "section xdp: insn 1"},
	}
	for _, tt := range tests {
		f, err := NewFile(bytes.NewReader(tt.data))
		if err == nil || f != nil {
			t.Errorf("%s: got %v, %v; want error", tt.name, f, err)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %q does not mention %q", tt.name, err, tt.want)
		}
	}
	_, err := NewFile(bytes.NewReader(corrupt(func(b []byte) { binary.LittleEndian.PutUint16(b[18:], 3) })))
	if !errors.Is(err, ErrNotBPF) {
		t.Errorf("other machine: %v does not wrap ErrNotBPF", err)
	}
	if _, err := Open("testdata/missing.o"); err == nil {
		t.Error("Open of a missing file succeeded")
	}
}

// FuzzNewFile checks that the reader never panics, and returns either an
// error or a file whose programs lie inside their sections.
func FuzzNewFile(f *testing.F) {
	f.Add(readSmall(f))
	f.Fuzz(func(t *testing.T, data []byte) {
		ef, err := NewFile(bytes.NewReader(data))
		if (err == nil) == (ef == nil) {
			t.Fatalf("error %v with file %v", err, ef)
		}
		if err != nil {
			return
		}
		for _, p := range ef.Programs() {
			for i := range p.Relocs {
				if i < 0 || i >= len(p.Insns) {
					t.Fatalf("%s: relocation at %d outside %d instructions", p.Name, i, len(p.Insns))
				}
			}
		}
	})
}
