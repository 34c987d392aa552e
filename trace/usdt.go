package trace

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// usdtProbe is one SystemTap SDT probe of a binary (a .note.stapsdt
// note), as `DTRACE_PROBE` and `STAP_PROBE` leave them.
type usdtProbe struct {
	Provider, Name string
	// Offset is the probe's place in the file, where the uprobe goes;
	// SemaphoreOffset the file offset of its semaphore (0: none).
	Offset, SemaphoreOffset uint64
	Args                    []usdtArg
}

// usdtArg is one argument of a probe as its note describes it
// ("-4@%eax", "8@-16(%rbp)", "4@$5"): its size and sign, and where the
// value is when the probe fires.
type usdtArg struct {
	Size   int
	Signed bool
	// Kind is 'r' (a register), 'm' (memory at register + Disp) or 'c'
	// (the constant Disp).
	Kind byte
	Reg  int16 // the register's offset in struct pt_regs (x86-64)
	Disp int64
}

// ptRegs are the offsets of x86-64's registers in struct pt_regs, by every
// name an SDT argument may use.
var ptRegs = func() map[string]int16 {
	m := map[string]int16{}
	add := func(off int16, names ...string) {
		for _, n := range names {
			m[n] = off
		}
	}
	add(0, "r15", "r15d", "r15w", "r15b")
	add(8, "r14", "r14d", "r14w", "r14b")
	add(16, "r13", "r13d", "r13w", "r13b")
	add(24, "r12", "r12d", "r12w", "r12b")
	add(32, "rbp", "ebp", "bp", "bpl")
	add(40, "rbx", "ebx", "bx", "bl", "bh")
	add(48, "r11", "r11d", "r11w", "r11b")
	add(56, "r10", "r10d", "r10w", "r10b")
	add(64, "r9", "r9d", "r9w", "r9b")
	add(72, "r8", "r8d", "r8w", "r8b")
	add(80, "rax", "eax", "ax", "al", "ah")
	add(88, "rcx", "ecx", "cx", "cl", "ch")
	add(96, "rdx", "edx", "dx", "dl", "dh")
	add(104, "rsi", "esi", "si", "sil")
	add(112, "rdi", "edi", "di", "dil")
	add(128, "rip", "eip")
	add(152, "rsp", "esp", "sp", "spl")
	return m
}()

// parseUSDTArgs reads a note's argument string. A symbol relative to
// %rip (cell(%rip), where the compiler left a global) becomes %rip plus
// the symbol's distance from the probe at pc, which holds wherever the
// binary is loaded; sym resolves a symbol's address.
func parseUSDTArgs(s string, pc uint64, sym func(string) (uint64, bool)) ([]usdtArg, error) {
	var out []usdtArg
	for _, f := range strings.Fields(s) {
		sz, op, ok := strings.Cut(f, "@")
		if !ok {
			return nil, fmt.Errorf("usdt argument %q: no size", f)
		}
		n, err := strconv.Atoi(sz)
		if err != nil || n == 0 || n < -8 || n > 8 {
			return nil, fmt.Errorf("usdt argument %q: bad size", f)
		}
		a := usdtArg{Size: n, Signed: n < 0}
		if n < 0 {
			a.Size = -n
		}
		switch {
		case strings.HasPrefix(op, "%"):
			reg, ok := ptRegs[op[1:]]
			if !ok {
				return nil, fmt.Errorf("usdt argument %q: unknown register", f)
			}
			a.Kind, a.Reg = 'r', reg
		case strings.HasPrefix(op, "$"):
			v, err := strconv.ParseInt(op[1:], 0, 64)
			if err != nil {
				return nil, fmt.Errorf("usdt argument %q: bad constant", f)
			}
			a.Kind, a.Disp = 'c', v
		case strings.HasSuffix(op, ")"):
			i := strings.Index(op, "(")
			if i < 0 || !strings.HasPrefix(op[i+1:], "%") {
				return nil, fmt.Errorf("usdt argument %q: unsupported operand", f)
			}
			reg, ok := ptRegs[op[i+2:len(op)-1]]
			if !ok {
				return nil, fmt.Errorf("usdt argument %q: unknown register", f)
			}
			if i > 0 {
				v, err := strconv.ParseInt(op[:i], 0, 64)
				if err != nil && reg == ptRegs["rip"] {
					name, add := op[:i], int64(0)
					if j := strings.LastIndexAny(name, "+-"); j > 0 {
						if add, err = strconv.ParseInt(name[j:], 0, 64); err != nil {
							return nil, fmt.Errorf("usdt argument %q: bad displacement", f)
						}
						name = name[:j]
					}
					addr, ok := sym(name)
					if !ok {
						return nil, fmt.Errorf("usdt argument %q: no symbol %s", f, name)
					}
					v, err = int64(addr-pc)+add, nil
				}
				if err != nil {
					return nil, fmt.Errorf("usdt argument %q: bad displacement", f)
				}
				a.Disp = v
			}
			a.Kind, a.Reg = 'm', reg
		default:
			return nil, fmt.Errorf("usdt argument %q: unsupported operand", f)
		}
		out = append(out, a)
	}
	return out, nil
}

// readUSDT lists the SDT probes of the ELF file at path, in note order.
func readUSDT(path string) ([]usdtProbe, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	notes := f.Section(".note.stapsdt")
	if notes == nil {
		return nil, nil
	}
	var baseAddr uint64
	if b := f.Section(".stapsdt.base"); b != nil {
		baseAddr = b.Addr
	}
	var syms map[string]uint64
	symbolAddr := func(name string) (uint64, bool) {
		if syms == nil {
			syms = map[string]uint64{}
			all, _ := f.Symbols()
			dyn, _ := f.DynamicSymbols()
			for _, s := range append(all, dyn...) {
				if s.Value != 0 {
					syms[s.Name] = s.Value
				}
			}
		}
		a, ok := syms[name]
		return a, ok
	}
	var out []usdtProbe
	var probeErr error
	err = elfNotes(f, notes, func(owner string, typ uint32, desc []byte) bool {
		if typ != 3 || owner != "stapsdt" || len(desc) < 24 {
			return true
		}
		pc := binary.LittleEndian.Uint64(desc[0:])
		base := binary.LittleEndian.Uint64(desc[8:])
		sem := binary.LittleEndian.Uint64(desc[16:])
		strs := strings.SplitN(string(desc[24:]), "\x00", 4)
		if len(strs) < 3 {
			return true
		}
		if baseAddr != 0 {
			// Prelinking moves the probes with .stapsdt.base.
			pc += baseAddr - base
			if sem != 0 {
				sem += baseAddr - base
			}
		}
		p, err := newUSDTProbe(f, strs[0], strs[1], strs[2], pc, sem, symbolAddr)
		if err != nil {
			probeErr = fmt.Errorf("%s: %w", path, err)
			return false
		}
		out = append(out, p)
		return true
	})
	if err == nil {
		err = probeErr
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// newUSDTProbe is the probe provider:name at pc, with its semaphore at
// sem (0: none) and its argument text.
func newUSDTProbe(f *elf.File, provider, name, args string, pc, sem uint64, sym func(string) (uint64, bool)) (usdtProbe, error) {
	p := usdtProbe{Provider: provider, Name: name}
	var err error
	if p.Args, err = parseUSDTArgs(args, pc, sym); err != nil {
		return p, fmt.Errorf("probe %s:%s: %v", provider, name, err)
	}
	var ok bool
	if p.Offset, ok = fileOffset(f, pc, true); !ok {
		return p, fmt.Errorf("probe %s:%s: address %#x is in no executable segment", provider, name, pc)
	}
	if sem != 0 {
		if p.SemaphoreOffset, ok = fileOffset(f, sem, false); !ok {
			return p, fmt.Errorf("probe %s:%s: semaphore %#x is in no segment", provider, name, sem)
		}
	}
	return p, nil
}

// matchUSDT returns the probes of path whose provider and name match the
// globs (an empty provider pattern matches every provider), sorted by
// provider and name; a probe the compiler placed at several sites counts
// once per site.
func matchUSDT(path, provPat, namePat string) ([]usdtProbe, error) {
	all, err := readUSDT(path)
	if err != nil {
		return nil, err
	}
	var out []usdtProbe
	for _, p := range all {
		if provPat != "" {
			if ok, _ := filepath.Match(provPat, p.Provider); !ok {
				continue
			}
		}
		if ok, _ := filepath.Match(namePat, p.Name); ok {
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Provider != out[j].Provider {
			return out[i].Provider < out[j].Provider
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}
