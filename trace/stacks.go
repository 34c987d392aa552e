package trace

import (
	"bufio"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cilium/ebpf"
)

// kstackDepth is the number of frames a kernel stack keeps, bpftrace's
// default (and the kernel's perf_event_max_stack).
const kstackDepth = 127

// stackTable resolves the stack ids kstack produces: the frames from the
// kernel's stack trace map, symbolized with /proc/kallsyms.
type stackTable struct {
	m    *ebpf.Map // kernel stacks
	user *ebpf.Map // user stacks
}

// activeStacks is the stack table of the running session, which map and
// printf output read.
var activeStacks atomic.Pointer[stackTable]

// format renders stack id as bpftrace does: a newline, then each frame
// as "sym+off" on its own line after indent.
func (st *stackTable) format(id uint64, indent string) string {
	var b strings.Builder
	b.WriteByte('\n')
	if st == nil || st.m == nil || int64(id) < 0 {
		return b.String()
	}
	raw := make([]byte, 8*kstackDepth)
	if err := st.m.Lookup(uint32(id), raw); err != nil {
		return b.String()
	}
	for k := 0; k < kstackDepth; k++ {
		ip := binary.LittleEndian.Uint64(raw[8*k:])
		if ip == 0 {
			break
		}
		b.WriteString(indent)
		b.WriteString(st.kernel().resolve(ip))
		b.WriteByte('\n')
	}
	return b.String()
}

// kernel returns the kernel's symbols, read once.
func (st *stackTable) kernel() *kernelSymbols { return kallsyms() }

// symbolName is what ksym and usym print: the symbol's name without its
// offset, or the address in hex when nothing names it.
func symbolName(resolved string) string {
	if resolved == "0x0" {
		return "0" // as bpftrace prints a null (void *)
	}
	if strings.HasPrefix(resolved, "0x") {
		return resolved
	}
	if i := strings.LastIndexByte(resolved, '+'); i > 0 {
		return resolved[:i]
	}
	return resolved
}

// kernelSymbols is /proc/kallsyms sorted by address.
type kernelSymbols struct {
	addrs []uint64
	names []string
}

func loadKallsyms() *kernelSymbols {
	ks := &kernelSymbols{}
	f, err := os.Open("/proc/kallsyms")
	if err != nil {
		return ks
	}
	defer f.Close()
	type sym struct {
		addr uint64
		name string
	}
	var syms []sym
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 {
			continue
		}
		a, err := strconv.ParseUint(fields[0], 16, 64)
		if err != nil || a == 0 {
			continue
		}
		switch fields[1] {
		case "t", "T", "w", "W": // text symbols
		default:
			continue
		}
		syms = append(syms, sym{a, fields[2]})
	}
	sort.SliceStable(syms, func(i, j int) bool { return syms[i].addr < syms[j].addr })
	for _, s := range syms {
		ks.addrs = append(ks.addrs, s.addr)
		ks.names = append(ks.names, s.name)
	}
	return ks
}

// resolve names ip as "symbol+offset", the nearest text symbol at or
// below it, or its address in hex when there is none (kallsyms hidden).
func (ks *kernelSymbols) resolve(ip uint64) string {
	i := sort.Search(len(ks.addrs), func(i int) bool { return ks.addrs[i] > ip }) - 1
	if i < 0 {
		return fmt.Sprintf("0x%x", ip)
	}
	return ks.names[i] + "+" + strconv.FormatUint(ip-ks.addrs[i], 10)
}

// ustackDepth is the number of frames a user stack keeps.
const ustackDepth = 127

// formatUser renders user stack id of process pid: each frame as
// "sym+off" when the process still runs and its mapping's ELF symbols
// name it, else as its address in hex, which is also what bpftrace
// prints once the process has exited.
func (st *stackTable) formatUser(id, pid uint64, indent string) string {
	var b strings.Builder
	b.WriteByte('\n')
	if st == nil || st.user == nil || int64(id) < 0 {
		return b.String()
	}
	raw := make([]byte, 8*ustackDepth)
	if err := st.user.Lookup(uint32(id), raw); err != nil {
		return b.String()
	}
	res := newUserSymbols(int(pid))
	for k := 0; k < ustackDepth; k++ {
		ip := binary.LittleEndian.Uint64(raw[8*k:])
		if ip == 0 {
			break
		}
		b.WriteString(indent)
		b.WriteString(res.resolve(ip))
		b.WriteByte('\n')
	}
	return b.String()
}

// userSymbols resolves addresses of one process through /proc/PID/maps
// and the ELF symbol tables of the files mapped there.
type userSymbols struct {
	maps []userMapping
	elfs map[string]*elfSymbols
}

type userMapping struct {
	start, end, offset uint64
	path               string
}

func newUserSymbols(pid int) *userSymbols {
	u := &userSymbols{elfs: map[string]*elfSymbols{}}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		return u
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 || !strings.HasPrefix(f[5], "/") {
			continue
		}
		lo, hi, ok := strings.Cut(f[0], "-")
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		off, err3 := strconv.ParseUint(f[2], 16, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		u.maps = append(u.maps, userMapping{start, end, off, f[5]})
	}
	return u
}

func (u *userSymbols) resolve(ip uint64) string {
	for _, m := range u.maps {
		if ip < m.start || ip >= m.end {
			continue
		}
		es, ok := u.elfs[m.path]
		if !ok {
			es = loadELFSymbols(m.path)
			u.elfs[m.path] = es
		}
		if name, ok := es.resolve(ip - m.start + m.offset); ok {
			return name
		}
		break
	}
	return fmt.Sprintf("0x%x", ip)
}

// elfSymbols are a file's function symbols and loadable segments.
type elfSymbols struct {
	loads []elf.ProgHeader
	addrs []uint64
	sizes []uint64
	names []string
}

func loadELFSymbols(path string) *elfSymbols {
	es := &elfSymbols{}
	f, err := elf.Open(path)
	if err != nil {
		return es
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD {
			es.loads = append(es.loads, p.ProgHeader)
		}
	}
	syms, _ := f.Symbols()
	dyn, _ := f.DynamicSymbols()
	all := append(syms, dyn...)
	sort.SliceStable(all, func(i, j int) bool { return all[i].Value < all[j].Value })
	for _, s := range all {
		if elf.ST_TYPE(s.Info) != elf.STT_FUNC || s.Value == 0 {
			continue
		}
		es.addrs = append(es.addrs, s.Value)
		es.sizes = append(es.sizes, s.Size)
		es.names = append(es.names, s.Name)
	}
	return es
}

// resolve names the symbol at file offset off.
func (es *elfSymbols) resolve(off uint64) (string, bool) {
	vaddr, ok := uint64(0), false
	for _, p := range es.loads {
		if off >= p.Off && off < p.Off+p.Filesz {
			vaddr, ok = off-p.Off+p.Vaddr, true
			break
		}
	}
	if !ok {
		return "", false
	}
	i := sort.Search(len(es.addrs), func(i int) bool { return es.addrs[i] > vaddr }) - 1
	if i < 0 || es.sizes[i] != 0 && vaddr >= es.addrs[i]+es.sizes[i] {
		return "", false
	}
	return es.names[i] + "+" + strconv.FormatUint(vaddr-es.addrs[i], 10), true
}

var kallsymsOnce = sync.OnceValue(loadKallsyms)

// kallsyms returns the kernel's symbols for ksym, read once per process.
func kallsyms() *kernelSymbols { return kallsymsOnce() }

// kernelAddress returns the address of a kernel symbol of any kind (kaddr),
// from /proc/kallsyms.
func kernelAddress(name string) (uint64, bool) {
	f, err := os.Open("/proc/kallsyms")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 3 && fields[2] == name {
			a, err := strconv.ParseUint(fields[0], 16, 64)
			return a, err == nil && a != 0
		}
	}
	return 0, false
}
