package trace

import (
	"bufio"
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
	m     *ebpf.Map
	once  sync.Once
	ksyms *kernelSymbols
}

// activeStacks is the stack table of the running session, which map and
// printf output read.
var activeStacks atomic.Pointer[stackTable]

// format renders stack id as bpftrace does: a newline, then each frame
// as "sym+off" on its own line after indent.
func (st *stackTable) format(id uint64, indent string) string {
	var b strings.Builder
	b.WriteByte('\n')
	if st == nil || int64(id) < 0 {
		return b.String()
	}
	raw := make([]byte, 8*kstackDepth)
	if err := st.m.Lookup(uint32(id), raw); err != nil {
		return b.String()
	}
	st.once.Do(func() { st.ksyms = loadKallsyms() })
	for k := 0; k < kstackDepth; k++ {
		ip := binary.LittleEndian.Uint64(raw[8*k:])
		if ip == 0 {
			break
		}
		b.WriteString(indent)
		b.WriteString(st.ksyms.resolve(ip))
		b.WriteByte('\n')
	}
	return b.String()
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
