package seccomp

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"sort"
	"strconv"
	"strings"
)

// Arch is a system call architecture as the kernel reports it in
// seccomp_data.arch: an AUDIT_ARCH_* value from linux/audit.h.
type Arch uint32

// The AUDIT_ARCH_* values: the ELF machine number, with bit 31 set for 64-bit
// architectures and bit 30 for little-endian ones.
const (
	ArchX86_64   Arch = 0xc000003e // AUDIT_ARCH_X86_64 (also x32, told apart by the x32 syscall bit)
	ArchI386     Arch = 0x40000003 // AUDIT_ARCH_I386
	ArchAArch64  Arch = 0xc00000b7 // AUDIT_ARCH_AARCH64
	ArchARM      Arch = 0x40000028 // AUDIT_ARCH_ARM
	ArchRISCV64  Arch = 0xc00000f3 // AUDIT_ARCH_RISCV64
	ArchS390X    Arch = 0x80000016 // AUDIT_ARCH_S390X
	ArchPPC64LE  Arch = 0xc0000015 // AUDIT_ARCH_PPC64LE
	ArchPPC64    Arch = 0x80000015 // AUDIT_ARCH_PPC64
	ArchMIPS     Arch = 0x00000008 // AUDIT_ARCH_MIPS (o32, big-endian)
	ArchMIPSEL   Arch = 0x40000008 // AUDIT_ARCH_MIPSEL (o32, little-endian)
	ArchMIPS64   Arch = 0x80000008 // AUDIT_ARCH_MIPS64 (n64, big-endian)
	ArchMIPSEL64 Arch = 0xc0000008 // AUDIT_ARCH_MIPSEL64 (n64, little-endian)
)

// X32SyscallBit is set in the system call number of every x32 call
// (__X32_SYSCALL_BIT); x32 processes report ArchX86_64.
const X32SyscallBit = 0x40000000

// archInfo describes one architecture a Policy can name.
type archInfo struct {
	name     string
	audit    Arch
	x32      bool              // the x32 ABI of x86_64
	syscalls map[string]uint32 // nil: numbers only
}

// archs lists the architectures by policy name.
var archs = []archInfo{
	{"x86_64", ArchX86_64, false, syscallsX86_64},
	{"x32", ArchX86_64, true, syscallsX32},
	{"i386", ArchI386, false, syscallsI386},
	{"aarch64", ArchAArch64, false, syscallsAArch64},
	{"riscv64", ArchRISCV64, false, syscallsRISCV64},
	{"arm", ArchARM, false, nil},
	{"s390x", ArchS390X, false, nil},
	{"ppc64le", ArchPPC64LE, false, nil},
	{"ppc64", ArchPPC64, false, nil},
	{"mips", ArchMIPS, false, nil},
	{"mipsel", ArchMIPSEL, false, nil},
	{"mips64", ArchMIPS64, false, nil},
	{"mipsel64", ArchMIPSEL64, false, nil},
}

// ArchNames returns the names ParseArch accepts, in a fixed order.
func ArchNames() []string {
	out := make([]string, len(archs))
	for i, a := range archs {
		out[i] = a.name
	}
	return out
}

// goArchNames maps runtime.GOARCH to a policy architecture name.
var goArchNames = map[string]string{
	"amd64": "x86_64", "386": "i386", "arm64": "aarch64", "arm": "arm", "riscv64": "riscv64",
	"s390x": "s390x", "ppc64le": "ppc64le", "ppc64": "ppc64", "mips": "mips", "mipsle": "mipsel",
	"mips64": "mips64", "mips64le": "mipsel64",
}

// NativeArch returns the policy architecture name of the running program
// ("x86_64" on amd64), or "" on an architecture without seccomp support here.
func NativeArch() string { return goArchNames[runtime.GOARCH] }

func lookupArch(name string) (archInfo, error) {
	if name == "" || name == "native" {
		name = NativeArch()
	}
	for _, a := range archs {
		if a.name == name {
			return a, nil
		}
	}
	return archInfo{}, fmt.Errorf("seccomp: unknown architecture %q (known: %s)", name, strings.Join(ArchNames(), ", "))
}

// String returns the AUDIT_ARCH_* name of a, or its number in hex.
func (a Arch) String() string {
	switch a {
	case ArchX86_64:
		return "AUDIT_ARCH_X86_64"
	case ArchI386:
		return "AUDIT_ARCH_I386"
	case ArchAArch64:
		return "AUDIT_ARCH_AARCH64"
	case ArchARM:
		return "AUDIT_ARCH_ARM"
	case ArchRISCV64:
		return "AUDIT_ARCH_RISCV64"
	case ArchS390X:
		return "AUDIT_ARCH_S390X"
	case ArchPPC64LE:
		return "AUDIT_ARCH_PPC64LE"
	case ArchPPC64:
		return "AUDIT_ARCH_PPC64"
	case ArchMIPS:
		return "AUDIT_ARCH_MIPS"
	case ArchMIPSEL:
		return "AUDIT_ARCH_MIPSEL"
	case ArchMIPS64:
		return "AUDIT_ARCH_MIPS64"
	case ArchMIPSEL64:
		return "AUDIT_ARCH_MIPSEL64"
	}
	return fmt.Sprintf("%#x", uint32(a))
}

// LittleEndian reports whether the architecture stores seccomp_data's 64-bit
// fields least significant word first (the __AUDIT_ARCH_LE bit).
func (a Arch) LittleEndian() bool { return a&0x40000000 != 0 }

// SyscallNumber returns the number of the named system call on the named
// architecture ("" for the native one). A decimal number is taken as itself.
func SyscallNumber(arch, name string) (uint32, error) {
	a, err := lookupArch(arch)
	if err != nil {
		return 0, err
	}
	return a.number(name)
}

func (a archInfo) number(name string) (uint32, error) {
	if n, ok := a.syscalls[name]; ok {
		return n, nil
	}
	if n, err := strconv.ParseUint(name, 10, 32); err == nil {
		return uint32(n), nil
	}
	if a.syscalls == nil {
		return 0, fmt.Errorf("seccomp: no system call table for %s: give %q as a number", a.name, name)
	}
	return 0, fmt.Errorf("seccomp: unknown system call %q on %s", name, a.name)
}

// SyscallName returns the name of system call number nr on the named
// architecture, or "" when the table has none.
func SyscallName(arch string, nr uint32) string {
	a, err := lookupArch(arch)
	if err != nil {
		return ""
	}
	best := ""
	for name, n := range a.syscalls {
		if n == nr && (best == "" || name < best) {
			best = name
		}
	}
	return best
}

// Syscalls returns the system call names of the named architecture, sorted.
func Syscalls(arch string) ([]string, error) {
	a, err := lookupArch(arch)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(a.syscalls))
	for n := range a.syscalls {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}

// Offsets of the fields of struct seccomp_data (linux/seccomp.h).
const (
	OffsetNr   = 0  // int nr
	OffsetArch = 4  // __u32 arch
	OffsetIP   = 8  // __u64 instruction_pointer
	OffsetArgs = 16 // __u64 args[6]
	DataSize   = 64 // sizeof(struct seccomp_data)
)

// Data is struct seccomp_data: what a seccomp filter sees of a system call.
type Data struct {
	Nr                 int32     // system call number
	Arch               Arch      // AUDIT_ARCH_* of the calling convention
	InstructionPointer uint64    // address of the system call instruction
	Args               [6]uint64 // arguments, zero-extended on 32-bit ABIs
}

// argOffset returns the offsets of the low and high 32-bit words of
// argument i (or, for i == -1, of instruction_pointer) in seccomp_data for an
// architecture of the given byte order.
func argOffset(i int, little bool) (lo, hi uint32) {
	base := uint32(OffsetIP)
	if i >= 0 {
		base = uint32(OffsetArgs + 8*i)
	}
	if little {
		return base, base + 4
	}
	return base + 4, base
}

// Words returns seccomp_data as the sixteen 32-bit words a filter's
// "ld [k]" instructions read (word k/4 at offset k), laid out for d.Arch's
// byte order.
func (d Data) Words() [DataSize / 4]uint32 {
	var w [DataSize / 4]uint32
	w[0] = uint32(d.Nr)
	w[1] = uint32(d.Arch)
	little := d.Arch.LittleEndian()
	put := func(i int, v uint64) {
		lo, hi := argOffset(i, little)
		w[lo/4] = uint32(v)
		w[hi/4] = uint32(v >> 32)
	}
	put(-1, d.InstructionPointer)
	for i, v := range d.Args {
		put(i, v)
	}
	return w
}

// Bytes returns seccomp_data in the byte order of its architecture, as the
// kernel passes it to a filter.
func (d Data) Bytes() []byte {
	b := make([]byte, DataSize)
	var order binary.ByteOrder = binary.BigEndian
	if d.Arch.LittleEndian() {
		order = binary.LittleEndian
	}
	for i, w := range d.Words() {
		order.PutUint32(b[4*i:], w)
	}
	return b
}
