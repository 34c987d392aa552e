package trace

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"unsafe"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"
)

// Probes on perf events: interval (one CPU) and profile (every CPU) on
// the cpu-clock software event, software and hardware events on every
// CPU. Each CPU gets a perf_event_open file with the program attached
// through a BPF link, as bpftrace attaches them.

// perfEvent is a software or hardware event bpftrace names, with the
// sample period it uses when the probe gives none.
type perfEvent struct {
	typ, config uint32
	period      uint64
}

var softwareEvents = map[string]perfEvent{
	"cpu-clock":        {unix.PERF_TYPE_SOFTWARE, unix.PERF_COUNT_SW_CPU_CLOCK, 1000000},
	"cpu":              {unix.PERF_TYPE_SOFTWARE, unix.PERF_COUNT_SW_CPU_CLOCK, 1000000},
	"task-clock":       {unix.PERF_TYPE_SOFTWARE, unix.PERF_COUNT_SW_TASK_CLOCK, 1000000},
	"page-faults":      {unix.PERF_TYPE_SOFTWARE, unix.PERF_COUNT_SW_PAGE_FAULTS, 100},
	"faults":           {unix.PERF_TYPE_SOFTWARE, unix.PERF_COUNT_SW_PAGE_FAULTS, 100},
	"context-switches": {unix.PERF_TYPE_SOFTWARE, unix.PERF_COUNT_SW_CONTEXT_SWITCHES, 1000},
	"cs":               {unix.PERF_TYPE_SOFTWARE, unix.PERF_COUNT_SW_CONTEXT_SWITCHES, 1000},
	"cpu-migrations":   {unix.PERF_TYPE_SOFTWARE, unix.PERF_COUNT_SW_CPU_MIGRATIONS, 1},
	"minor-faults":     {unix.PERF_TYPE_SOFTWARE, unix.PERF_COUNT_SW_PAGE_FAULTS_MIN, 100},
	"major-faults":     {unix.PERF_TYPE_SOFTWARE, unix.PERF_COUNT_SW_PAGE_FAULTS_MAJ, 1},
	"alignment-faults": {unix.PERF_TYPE_SOFTWARE, unix.PERF_COUNT_SW_ALIGNMENT_FAULTS, 1},
	"emulation-faults": {unix.PERF_TYPE_SOFTWARE, unix.PERF_COUNT_SW_EMULATION_FAULTS, 1},
	"dummy":            {unix.PERF_TYPE_SOFTWARE, unix.PERF_COUNT_SW_DUMMY, 1},
	"bpf-output":       {unix.PERF_TYPE_SOFTWARE, unix.PERF_COUNT_SW_BPF_OUTPUT, 1},
}

var hardwareEvents = map[string]perfEvent{
	"cpu-cycles":          {unix.PERF_TYPE_HARDWARE, unix.PERF_COUNT_HW_CPU_CYCLES, 1000000},
	"cycles":              {unix.PERF_TYPE_HARDWARE, unix.PERF_COUNT_HW_CPU_CYCLES, 1000000},
	"instructions":        {unix.PERF_TYPE_HARDWARE, unix.PERF_COUNT_HW_INSTRUCTIONS, 1000000},
	"cache-references":    {unix.PERF_TYPE_HARDWARE, unix.PERF_COUNT_HW_CACHE_REFERENCES, 1000000},
	"cache-misses":        {unix.PERF_TYPE_HARDWARE, unix.PERF_COUNT_HW_CACHE_MISSES, 1000000},
	"branch-instructions": {unix.PERF_TYPE_HARDWARE, unix.PERF_COUNT_HW_BRANCH_INSTRUCTIONS, 100000},
	"branches":            {unix.PERF_TYPE_HARDWARE, unix.PERF_COUNT_HW_BRANCH_INSTRUCTIONS, 100000},
	"branch-misses":       {unix.PERF_TYPE_HARDWARE, unix.PERF_COUNT_HW_BRANCH_MISSES, 100000},
	"bus-cycles":          {unix.PERF_TYPE_HARDWARE, unix.PERF_COUNT_HW_BUS_CYCLES, 100000},
	"frontend-stalls":     {unix.PERF_TYPE_HARDWARE, unix.PERF_COUNT_HW_STALLED_CYCLES_FRONTEND, 1000000},
	"backend-stalls":      {unix.PERF_TYPE_HARDWARE, unix.PERF_COUNT_HW_STALLED_CYCLES_BACKEND, 1000000},
	"ref-cycles":          {unix.PERF_TYPE_HARDWARE, unix.PERF_COUNT_HW_REF_CPU_CYCLES, 1000000},
}

// perfAttr returns the perf_event_attr of a perf-event attach point.
func perfAttr(pt attachPoint) (*unix.PerfEventAttr, error) {
	attr := &unix.PerfEventAttr{Size: uint32(unsafe.Sizeof(unix.PerfEventAttr{}))}
	switch pt.Provider {
	case "interval", "profile":
		attr.Type, attr.Config = unix.PERF_TYPE_SOFTWARE, unix.PERF_COUNT_SW_CPU_CLOCK
		n := pt.Count
		switch pt.Target {
		case "hz":
			attr.Sample, attr.Bits = n, unix.PerfBitFreq
			if pt.Provider == "interval" { // a period, on one CPU
				attr.Sample, attr.Bits = 1000000000/n, 0
			}
		case "s":
			attr.Sample = n * 1000000000
		case "ms":
			attr.Sample = n * 1000000
		case "us":
			attr.Sample = n * 1000
		case "ns":
			attr.Sample = n
		default:
			return nil, fmt.Errorf("%s: invalid unit %q", pt.Name, pt.Target)
		}
		if attr.Sample == 0 {
			return nil, fmt.Errorf("%s: a rate of 0", pt.Name)
		}
	case "software", "hardware":
		events := softwareEvents
		if pt.Provider == "hardware" {
			events = hardwareEvents
		}
		ev, ok := events[pt.Target]
		if !ok {
			var names []string
			for n := range events {
				names = append(names, n)
			}
			return nil, fmt.Errorf("%s: unknown %s event %q (one of %s)", pt.Name, pt.Provider, pt.Target, strings.Join(sorted(names), ", "))
		}
		attr.Type, attr.Config, attr.Sample = ev.typ, uint64(ev.config), ev.period
		if pt.Count != 0 {
			attr.Sample = pt.Count
		}
	default:
		return nil, fmt.Errorf("%s: not a perf event probe", pt.Name)
	}
	return attr, nil
}

// attachPerf opens the probe's perf event on each of its CPUs (interval:
// the first online one) and attaches prog to each through a BPF link.
func attachPerf(pt attachPoint, prog *ebpf.Program) ([]link.Link, error) {
	attr, err := perfAttr(pt)
	if err != nil {
		return nil, err
	}
	cpus, err := onlineCPUs()
	if err != nil {
		return nil, err
	}
	if pt.Provider == "interval" {
		cpus = cpus[:1]
	}
	var links []link.Link
	fail := func(err error) ([]link.Link, error) {
		for _, l := range links {
			l.Close()
		}
		return nil, err
	}
	for _, cpu := range cpus {
		fd, err := unix.PerfEventOpen(attr, -1, cpu, -1, unix.PERF_FLAG_FD_CLOEXEC)
		if err != nil {
			return fail(fmt.Errorf("perf_event_open (%s) on CPU %d: %w", pt.Name, cpu, err))
		}
		l, err := link.AttachRawLink(link.RawLinkOptions{Target: fd, Program: prog, Attach: ebpf.AttachPerfEvent})
		unix.Close(fd) // the link holds the event
		if err != nil {
			return fail(fmt.Errorf("attaching to the perf event (%s) on CPU %d: %w", pt.Name, cpu, err))
		}
		links = append(links, l)
	}
	return links, nil
}

func sorted(s []string) []string {
	sort.Strings(s)
	return s
}

// onlineCPUs lists the online CPUs from sysfs.
func onlineCPUs() ([]int, error) {
	b, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		return nil, fmt.Errorf("listing the online CPUs: %w", err)
	}
	var cpus []int
	for _, part := range strings.Split(strings.TrimSpace(string(b)), ",") {
		var lo, hi int
		if n, _ := fmt.Sscanf(part, "%d-%d", &lo, &hi); n == 2 {
			for c := lo; c <= hi; c++ {
				cpus = append(cpus, c)
			}
		} else if _, err := fmt.Sscanf(part, "%d", &lo); err == nil {
			cpus = append(cpus, lo)
		}
	}
	if len(cpus) == 0 {
		return nil, fmt.Errorf("no online CPUs in %q", b)
	}
	return cpus, nil
}
