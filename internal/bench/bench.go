// Package bench holds the interpreter's benchmark workloads: small C programs
// in testdata/ with the conformance calling convention
//
//	unsigned long long prog(void *mem, unsigned long long len)
//
// (r1 = memory, r2 = its length, r0 = result), each compiled twice in the same
// test run: with clang-19 -O2 -target bpf for gbpf, and natively with
// gcc -O2 -fno-tree-vectorize through cgo (package native) for comparison.
//
// This package provides the workload list, their deterministic inputs, the
// clang invocation and the extraction of a function's bytecode from the ELF
// object; the tests and benchmarks live in its _test.go files, and run.sh
// prints the comparison table.
package bench

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"

	"github.com/gbpf/gbpf/isa"
)

// Workload is one benchmark program.
type Workload struct {
	// Name is the file name in testdata/ without ".c", and the name of the
	// native entry point in package native.
	Name string
	// Size is the length in bytes of the memory the program runs over.
	Size int
	// Fill writes the workload's deterministic input into mem (len(mem) == Size).
	Fill func(mem []byte)
}

// Input returns a fresh copy of the workload's input memory.
func (w Workload) Input() []byte {
	mem := make([]byte, w.Size)
	w.Fill(mem)
	return mem
}

// Workloads lists the benchmark programs in the order the report prints them.
// Sizes are chosen so that one native run takes tens of microseconds, against
// which the cost of a cgo call (tens of nanoseconds) is negligible.
var Workloads = []Workload{
	{Name: "sum", Size: 256 << 10, Fill: fillRandom},
	{Name: "log2", Size: 64 << 10, Fill: fillLog2},
	{Name: "primes", Size: 4 << 10, Fill: fillPrimes},
	{Name: "strcmp", Size: 128 << 10, Fill: fillStrcmp},
	{Name: "switch64", Size: 32 << 10, Fill: fillRandom},
	{Name: "memcpy", Size: 128 << 10, Fill: fillMemcpy},
}

// rng is splitmix64: a small deterministic generator, so that every run and
// both back ends see the same input bytes.
type rng uint64

func (r *rng) next() uint64 {
	*r += 0x9e3779b97f4a7c15
	z := uint64(*r)
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

func put64(b []byte, v uint64) {
	for i := 0; i < 8; i++ {
		b[i] = byte(v >> (8 * i))
	}
}

func put32(b []byte, v uint32) {
	for i := 0; i < 4; i++ {
		b[i] = byte(v >> (8 * i))
	}
}

// fillRandom fills mem with uniformly random bytes.
func fillRandom(mem []byte) {
	r := rng(1)
	for i := 0; i+8 <= len(mem); i += 8 {
		put64(mem[i:], r.next())
	}
}

// fillLog2 writes 64-bit words whose bit lengths are spread evenly over 0..64,
// so every branch of the binary search goes both ways.
func fillLog2(mem []byte) {
	r := rng(2)
	for i := 0; i+8 <= len(mem); i += 8 {
		put64(mem[i:], r.next()>>(r.next()%64))
	}
}

// fillPrimes writes 32-bit candidates below 2^20: about one in twelve is prime.
func fillPrimes(mem []byte) {
	r := rng(3)
	for i := 0; i+4 <= len(mem); i += 4 {
		put32(mem[i:], uint32(r.next()%(1<<20)))
	}
}

// fillStrcmp writes two tables of 64-byte string records, one per half of
// mem. The second table copies the first; about half of its records then get
// one byte changed or are cut short, so comparisons end early, late, at a
// difference or at the terminator.
func fillStrcmp(mem []byte) {
	const record = 64
	r := rng(4)
	half := len(mem) / 2
	a, b := mem[:half], mem[half:2*half]
	for off := 0; off+record <= half; off += record {
		n := 8 + int(r.next()%(record-8)) // string length 8..63, NUL at n
		for i := 0; i < n; i++ {
			a[off+i] = 'a' + byte(r.next()%26)
		}
		a[off+n] = 0
		copy(b[off:off+record], a[off:off+record])
		switch r.next() % 4 {
		case 0: // change one byte
			i := int(r.next() % uint64(n))
			b[off+i] = 'a' + (b[off+i]-'a'+1+byte(r.next()%25))%26
		case 1: // cut short
			b[off+int(r.next()%uint64(n))] = 0
		}
	}
}

// fillMemcpy fills the first half with random bytes and leaves the second
// half zero.
func fillMemcpy(mem []byte) {
	fillRandom(mem[:len(mem)/2])
}

// Clang is the compiler the eBPF side is built with.
const Clang = "clang-19"

// ErrNoClang is returned by Compile when clang-19 is not installed.
var ErrNoClang = errors.New(Clang + " not found in PATH")

// Compile compiles the C file src with clang-19 -O2 -target bpf into an
// object file in dir and returns the object's path.
func Compile(src, dir string) (string, error) {
	clang, err := exec.LookPath(Clang)
	if err != nil {
		return "", ErrNoClang
	}
	obj := filepath.Join(dir, filepath.Base(src)+".o")
	cmd := exec.Command(clang, "-O2", "-target", "bpf", "-c", src, "-o", obj)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s: %s -O2 -target bpf: %v: %s", src, Clang, err, bytes.TrimSpace(stderr.Bytes()))
	}
	return obj, nil
}

// Function reads the ELF object at path and returns the decoded instructions
// of the function symbol name. The function must be self-contained: a
// relocation inside it (a call, a map or global data reference) is an error,
// since the workloads use none.
func Function(path, name string) ([]isa.Instruction, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if f.Machine != elf.EM_BPF {
		return nil, fmt.Errorf("%s: machine %v, want EM_BPF", path, f.Machine)
	}
	syms, err := f.Symbols()
	if err != nil {
		return nil, fmt.Errorf("%s: symbols: %w", path, err)
	}
	for _, s := range syms {
		if s.Name != name || elf.ST_TYPE(s.Info) != elf.STT_FUNC {
			continue
		}
		if s.Section == elf.SHN_UNDEF || int(s.Section) >= len(f.Sections) {
			return nil, fmt.Errorf("%s: function %s has no section", path, name)
		}
		sec := f.Sections[s.Section]
		data, err := sec.Data()
		if err != nil {
			return nil, fmt.Errorf("%s: section %s: %w", path, sec.Name, err)
		}
		if s.Value+s.Size > uint64(len(data)) || s.Value%isa.InstructionSize != 0 {
			return nil, fmt.Errorf("%s: function %s at %#x+%#x lies outside section %s (%d bytes)",
				path, name, s.Value, s.Size, sec.Name, len(data))
		}
		if err := checkNoRelocations(f, int(s.Section), s.Value, s.Value+s.Size); err != nil {
			return nil, fmt.Errorf("%s: function %s: %w", path, name, err)
		}
		insns, err := isa.Decode(data[s.Value : s.Value+s.Size])
		if err != nil {
			return nil, fmt.Errorf("%s: function %s: %w", path, name, err)
		}
		if err := checkSelfContained(insns); err != nil {
			return nil, fmt.Errorf("%s: function %s: %w", path, name, err)
		}
		return insns, nil
	}
	return nil, fmt.Errorf("%s: no function symbol %q", path, name)
}

// checkSelfContained fails if a jump or a bpf-to-bpf call leaves insns.
func checkSelfContained(insns []isa.Instruction) error {
	slots := int64(isa.NewSlotIndex(insns).Len())
	slot := int64(0)
	for i, ins := range insns {
		var target int64
		switch {
		case ins.IsLocalCall():
			target = slot + 1 + int64(ins.Imm32())
		case ins.IsJump():
			target = slot + 1 + ins.JumpOffset()
		default:
			slot += int64(ins.Slots())
			continue
		}
		if target < 0 || target >= slots {
			return fmt.Errorf("insn %d (%v): target slot %d is outside the function's %d slots: the workload must be self-contained",
				i, ins, target, slots)
		}
		slot += int64(ins.Slots())
	}
	return nil
}

// checkNoRelocations fails if a relocation section applies to section sec in
// the byte range [lo, hi).
func checkNoRelocations(f *elf.File, sec int, lo, hi uint64) error {
	for _, rs := range f.Sections {
		if rs.Type != elf.SHT_REL || int(rs.Info) != sec {
			continue
		}
		data, err := rs.Data()
		if err != nil {
			return fmt.Errorf("relocation section %s: %w", rs.Name, err)
		}
		const entry = 16 // Elf64_Rel: r_offset, r_info
		for i := 0; i+entry <= len(data); i += entry {
			off := f.ByteOrder.Uint64(data[i:])
			if off >= lo && off < hi {
				return fmt.Errorf("relocation at byte %#x (insn slot %d) in %s: the workload must be self-contained",
					off, (off-lo)/isa.InstructionSize, rs.Name)
			}
		}
	}
	return nil
}

// SourcePath returns the path of the workload's C file, given the directory
// holding testdata/.
func SourcePath(dir, name string) string {
	return filepath.Join(dir, "testdata", name+".c")
}
