package trace

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cilium/ebpf"
	ciliumasm "github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/ringbuf"

	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/trace/lang"
	"golang.org/x/sys/unix"
)

// session is a loaded, attachable trace program and its output.
type session struct {
	c        *compiler
	skipped  int // attach points dropped (a symbol the binary lacks)
	pid      int // -p: uprobes and usdt probes fire in this process only (0: all)
	out      io.Writer
	errOut   io.Writer
	outMu    sync.Mutex
	outBuf   *bufio.Writer // output not yet written, during a burst
	inBurst  bool
	maps     map[string]*ebpf.Map // by bpftrace name
	byIndex  []*mapDesc
	ring     *ebpf.Map
	stacks   []*ebpf.Map // kernel and user stack traces, when kstack or ustack is used
	exited   bool        // the exit event was read (by the reader goroutine only)
	lost     *ebpf.Map
	begin    []*ebpf.Program
	end      []*ebpf.Program
	probes   []*loadedProbe
	links    []link.Link
	exitCh   chan struct{}
	iters    []*link.Iter // iterators, run once after attaching
	exitOne  sync.Once
	lastLost uint64
	json     bool
	// ringSize is the ring buffer's size in bytes (a power of two, at
	// least a page).
	ringSize uint32
}

type loadedProbe struct {
	prog  *ebpf.Program
	point attachPoint
}

// write prints text. Like bpftrace, output is not held back: it is
// written at once, except while the reader handles a burst of events,
// which it writes together when the ring buffer is drained (one write
// system call per event cannot keep up with 500k events/s).
func (s *session) write(text string) {
	s.outMu.Lock()
	defer s.outMu.Unlock()
	if s.outBuf == nil {
		s.outBuf = bufio.NewWriterSize(s.out, 64<<10)
	}
	s.outBuf.WriteString(text)
	if !s.inBurst {
		s.outBuf.Flush()
	}
}

// burst marks the start (true) or end (false) of a burst of events; the
// end writes what the burst printed.
func (s *session) burst(on bool) {
	s.outMu.Lock()
	defer s.outMu.Unlock()
	s.inBurst = on
	if !on && s.outBuf != nil {
		s.outBuf.Flush()
	}
}

// expandPoints lists the attach points of a probe.
func expandPoints(p *lang.Probe, dir, source string) ([]attachPoint, error) {
	var out []attachPoint
	for _, sp := range p.Specs {
		switch sp.Provider {
		case "BEGIN", "END":
			out = append(out, attachPoint{Provider: sp.Provider, Name: sp.Provider})
		case "tracepoint":
			names, err := listTracepoints(dir, sp.Target, sp.Func)
			if err != nil {
				return nil, err
			}
			if len(names) == 0 {
				loc := sp.Loc
				return nil, fmt.Errorf("%s:%d:%d: ERROR: tracepoint not found: %s:%s", source, loc.Start.Line, loc.Start.Column, sp.Target, sp.Func)
			}
			for _, n := range names {
				cat, name, _ := strings.Cut(n, ":")
				out = append(out, attachPoint{Provider: "tracepoint", Target: cat, Func: name, Name: "tracepoint:" + n})
			}
		case "uprobe", "uretprobe", "kprobe", "kretprobe":
			if sp.Provider[0] == 'k' {
				if _, err := os.Stat(filepath.Join(dir, "kprobe_events")); err != nil {
					loc := sp.Loc
					return nil, fmt.Errorf("%s:%d:%d: ERROR: %s: this kernel has no kprobes (no kprobe_events in tracefs: CONFIG_KPROBE_EVENTS is off)", source, loc.Start.Line, loc.Start.Column, sp.Raw)
				}
			}
			if sp.Wildcard {
				return nil, fmt.Errorf("%s: wildcards in %s probes are not supported by gbpf trace yet", sp.Raw, sp.Provider)
			}
			pt := attachPoint{Provider: sp.Provider, Target: sp.Target, Func: sp.Func, Name: sp.String()}
			if sp.Provider[0] == 'u' {
				path, err := resolveUprobeTarget(sp.Target)
				if err != nil {
					loc := sp.Loc
					return nil, fmt.Errorf("%s:%d:%d: ERROR: %s: %v", source, loc.Start.Line, loc.Start.Column, sp.Raw, err)
				}
				resolved := *sp
				resolved.Target = path
				pt.Target, pt.Name = path, resolved.String()
			}
			out = append(out, pt)
		case "usdt":
			loc := sp.Loc
			path, err := resolveUprobeTarget(sp.Target)
			if err != nil {
				return nil, fmt.Errorf("%s:%d:%d: ERROR: %s: %v", source, loc.Start.Line, loc.Start.Column, sp.Raw, err)
			}
			probes, err := matchUSDT(path, sp.Namespace, sp.Func)
			if err != nil {
				return nil, fmt.Errorf("%s:%d:%d: ERROR: %s: %v", source, loc.Start.Line, loc.Start.Column, sp.Raw, err)
			}
			if len(probes) == 0 {
				return nil, fmt.Errorf("%s:%d:%d: ERROR: %s: no usdt probe %s in %s", source, loc.Start.Line, loc.Start.Column, sp.Raw, sp.Func, path)
			}
			for i := range probes {
				up := &probes[i]
				out = append(out, attachPoint{Provider: "usdt", Target: path, Func: up.Name, usdt: up,
					Name: "usdt:" + path + ":" + up.Provider + ":" + up.Name})
			}
		case "interval", "profile", "software", "hardware":
			pt := attachPoint{Provider: sp.Provider, Target: sp.Target, Count: sp.Count, Name: sp.String()}
			if _, err := perfAttr(pt); err != nil {
				return nil, err
			}
			out = append(out, pt)
		case "rawtracepoint":
			if sp.Wildcard {
				return nil, fmt.Errorf("%s: wildcards in rawtracepoint probes are not supported by gbpf trace yet", sp.Raw)
			}
			out = append(out, attachPoint{Provider: sp.Provider, Target: sp.Target, Func: sp.Func, Name: sp.String()})
		case "fentry", "fexit", "iter":
			loc := sp.Loc
			fn := sp.Func
			if sp.Provider == "iter" {
				fn = sp.Target
			}
			if err := probeTracing(sp.Provider, fn); err != nil {
				return nil, fmt.Errorf("%s:%d:%d: ERROR: %s: the kernel refuses %s programs for %s: %v", source, loc.Start.Line, loc.Start.Column, sp.Raw, sp.Provider, fn, err)
			}
			if sp.Provider == "iter" {
				out = append(out, attachPoint{Provider: "iter", Target: sp.Target, Name: sp.String()})
				continue
			}
			return nil, fmt.Errorf("%s:%d:%d: ERROR: %s: %s probes are not supported by gbpf trace yet (the kernel offers them)", source, loc.Start.Line, loc.Start.Column, sp.Raw, sp.Provider)
		default:
			return nil, fmt.Errorf("%s: %s probes are not supported by gbpf trace yet", sp.Raw, sp.Provider)
		}
	}
	return out, nil
}

// compileAll generates every program; fdOf gives map file descriptors.
func (c *compiler) compileAll() ([]*compiledProg, error) {
	var progs []*compiledProg
	for _, p := range c.prog.Probes {
		points, err := expandPoints(p, c.tracefs, c.prog.Source.Name)
		if err != nil {
			return nil, err
		}
		for _, pt := range points {
			var f *tpFormat
			if pt.Provider == "tracepoint" {
				if c.ctypes != nil {
					f, err = c.ctypes.format(pt.Target, pt.Func)
				} else {
					f, err = readFormat(c.tracefs, pt.Target, pt.Func)
				}
				if err != nil {
					return nil, err
				}
			}
			cp, err := c.compileProbe(p, pt, f)
			if err != nil {
				return nil, err
			}
			progs = append(progs, cp)
		}
	}
	return progs, nil
}

func programType(provider string) ebpf.ProgramType {
	switch provider {
	case "tracepoint":
		return ebpf.TracePoint
	case "uprobe", "uretprobe", "usdt", "kprobe", "kretprobe":
		return ebpf.Kprobe
	case "interval", "profile", "software", "hardware":
		return ebpf.PerfEvent
	case "iter":
		return ebpf.Tracing
	}
	return ebpf.RawTracepoint
}

// toCilium converts a program for cilium/ebpf. When it has callbacks
// (funcStarts), every function gets BTF function information, which the
// kernel requires of programs that pass callbacks to helpers.
func toCilium(insns []isa.Instruction, funcStarts ...int) (ciliumasm.Instructions, error) {
	raw := isa.Encode(nil, insns)
	var ci ciliumasm.Instructions
	r := bytes.NewReader(raw)
	for r.Len() > 0 {
		var ins ciliumasm.Instruction
		if err := ins.Unmarshal(r, binary.LittleEndian, "linux"); err != nil {
			return nil, fmt.Errorf("insn %d: %w", len(ci), err)
		}
		ci = append(ci, ins)
	}
	if len(funcStarts) > 0 && len(ci) == len(insns) {
		long := &btf.Int{Name: "long", Size: 8, Encoding: btf.Signed}
		ptr := &btf.Pointer{Target: &btf.Void{}}
		ci[0] = btf.WithFuncMetadata(ci[0], &btf.Func{Name: "gbpf_probe", Linkage: btf.GlobalFunc,
			Type: &btf.FuncProto{Return: long, Params: []btf.FuncParam{{Name: "ctx", Type: ptr}}}})
		for i, start := range funcStarts {
			var params []btf.FuncParam
			for _, n := range []string{"map", "key", "value", "ctx"} {
				params = append(params, btf.FuncParam{Name: n, Type: ptr})
			}
			ci[start] = btf.WithFuncMetadata(ci[start], &btf.Func{Name: fmt.Sprintf("gbpf_for_%d", i), Linkage: btf.StaticFunc,
				Type: &btf.FuncProto{Return: long, Params: params}})
		}
	}
	return ci, nil
}

// createMaps makes the kernel maps and records their descriptors in c.
func (s *session) createMaps() error {
	c := s.c
	s.maps = map[string]*ebpf.Map{}
	for _, name := range c.names {
		d := c.maps[name]
		spec := &ebpf.MapSpec{Name: mapObjName(d.Name), KeySize: uint32(d.kernelKeySize()), ValueSize: uint32(d.ValSize), MaxEntries: 4096, Type: ebpf.PerCPUHash}
		if d.Class == classPlain {
			spec.Type = ebpf.Hash
		}
		m, err := ebpf.NewMap(spec)
		if err != nil {
			return fmt.Errorf("creating map %s: %w", d.Name, err)
		}
		s.maps[name] = m
		d.fd = m.FD()
		s.byIndex = append(s.byIndex, d)
	}
	table := &stackTable{}
	for _, k := range []struct {
		builtin string
		depth   int
		m       **ebpf.Map
		fd      *int
	}{{"kstack", kstackDepth, &table.m, &c.stackFD}, {"ustack", ustackDepth, &table.user, &c.ustackFD}} {
		if !usesBuiltin(c.prog, k.builtin) {
			continue
		}
		st, err := ebpf.NewMap(&ebpf.MapSpec{Name: "gbpf_" + k.builtin + "s", Type: ebpf.StackTrace, KeySize: 4, ValueSize: uint32(8 * k.depth), MaxEntries: 4096})
		if err != nil {
			return fmt.Errorf("creating the %s map: %w", k.builtin, err)
		}
		*k.m, *k.fd = st, st.FD()
		s.stacks = append(s.stacks, st)
	}
	activeStacks.Store(table)
	ring, err := ebpf.NewMap(&ebpf.MapSpec{Name: "gbpf_events", Type: ebpf.RingBuf, MaxEntries: s.ringSize})
	if err != nil {
		return fmt.Errorf("creating the event ring buffer: %w", err)
	}
	s.ring = ring
	c.ringFD = ring.FD()
	lost, err := ebpf.NewMap(&ebpf.MapSpec{Name: "gbpf_lost", Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: 2})
	if err != nil {
		return fmt.Errorf("creating the lost-events counter: %w", err)
	}
	s.lost = lost
	c.lostFD = lost.FD()
	return nil
}

// usesBuiltin reports whether the program names builtin anywhere.
func usesBuiltin(p *lang.Program, builtin string) bool {
	found := false
	lang.Inspect(p, func(n lang.Node) bool {
		if b, ok := n.(*lang.Builtin); ok && b.Name == builtin {
			found = true
		}
		return !found
	})
	return found
}

func mapObjName(n string) string {
	var b strings.Builder
	for _, r := range strings.TrimPrefix(n, "@") {
		if r < 128 && (r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	s := "m_" + b.String()
	if len(s) > 15 {
		s = s[:15]
	}
	return s
}

// load loads every program into the kernel.
func (s *session) load(progs []*compiledProg, verbose bool) error {
	for _, cp := range progs {
		if pt := cp.Point; (pt.Provider == "uprobe" || pt.Provider == "uretprobe") && isIdent(pt.Func) && !binaryHasSymbol(pt.Target, pt.Func) {
			// As bpftrace does, a function the binary lacks (a static
			// symbol of a stripped library) drops the probe, not the run.
			fmt.Fprintf(s.errOut, "WARNING: %s: no symbol %s in %s: probe skipped\n", pt.Name, pt.Func, pt.Target)
			s.skipped++
			continue
		}
		ci, err := toCilium(cp.Insns, cp.funcStarts...)
		if err != nil {
			return fmt.Errorf("%s: %w", cp.Point.Name, err)
		}
		spec := &ebpf.ProgramSpec{Type: programType(cp.Point.Provider), Instructions: ci, License: "GPL"}
		if cp.Point.Provider == "iter" {
			spec.AttachType, spec.AttachTo = ebpf.AttachTraceIter, cp.Point.Target
		}
		opts := ebpf.ProgramOptions{}
		if verbose {
			opts.LogLevel = ebpf.LogLevelInstruction | ebpf.LogLevelStats
		}
		prog, err := ebpf.NewProgramWithOptions(spec, opts)
		if err != nil {
			var ve *ebpf.VerifierError
			if errors.As(err, &ve) {
				return fmt.Errorf("%s: the kernel rejected the program: %+v", cp.Point.Name, ve)
			}
			return fmt.Errorf("%s: loading: %w", cp.Point.Name, err)
		}
		if verbose {
			fmt.Fprintf(s.errOut, "%s: verifier accepted the program\n%s\n", cp.Point.Name, prog.VerifierLog)
		}
		switch cp.Point.Provider {
		case "BEGIN":
			s.begin = append(s.begin, prog)
		case "END":
			s.end = append(s.end, prog)
		default:
			s.probes = append(s.probes, &loadedProbe{prog: prog, point: cp.Point})
		}
	}
	return nil
}

// attach attaches every non-special probe.
func (s *session) attach() error {
	for _, p := range s.probes {
		var l link.Link
		var err error
		pt := p.point
		switch pt.Provider {
		case "tracepoint":
			l, err = link.Tracepoint(pt.Target, pt.Func, p.prog, nil)
		case "uprobe", "uretprobe":
			var ex *link.Executable
			ex, err = link.OpenExecutable(pt.Target)
			if err == nil {
				sym, opts := pt.Func, &link.UprobeOptions{PID: s.pid}
				if off, ok := debugSymbolOffset(pt.Target, pt.Func); ok {
					sym, opts.Address = "", off
				}
				if pt.Provider == "uprobe" {
					l, err = ex.Uprobe(sym, p.prog, opts)
				} else {
					l, err = ex.Uretprobe(sym, p.prog, opts)
				}
			}
		case "usdt":
			var ex *link.Executable
			ex, err = link.OpenExecutable(pt.Target)
			if err == nil {
				l, err = ex.Uprobe("", p.prog, &link.UprobeOptions{Address: pt.usdt.Offset, RefCtrOffset: pt.usdt.SemaphoreOffset, PID: s.pid})
			}
		case "kprobe":
			l, err = link.Kprobe(pt.Func, p.prog, nil)
		case "kretprobe":
			l, err = link.Kretprobe(pt.Func, p.prog, nil)
		case "iter":
			var it *link.Iter
			it, err = link.AttachIter(link.IterOptions{Program: p.prog})
			if err == nil {
				l = it
				s.iters = append(s.iters, it)
			}
		case "rawtracepoint":
			l, err = link.AttachRawTracepoint(link.RawTracepointOptions{Name: pt.Func, Program: p.prog})
		case "interval", "profile", "software", "hardware":
			var ls []link.Link
			ls, err = attachPerf(pt, p.prog)
			s.links = append(s.links, ls...)
			if err != nil {
				return fmt.Errorf("attaching %s: %w", pt.Name, err)
			}
			continue
		}
		if (pt.Provider == "uprobe" || pt.Provider == "uretprobe") && errors.Is(err, link.ErrNoSymbol) {
			// As bpftrace does, a function the binary lacks (a static
			// symbol of a stripped library) drops the probe, not the run.
			fmt.Fprintf(s.errOut, "WARNING: %s: no symbol %s in %s: probe skipped\n", pt.Name, pt.Func, pt.Target)
			s.skipped++
			continue
		}
		if err != nil {
			return fmt.Errorf("attaching %s: %w", pt.Name, err)
		}
		s.links = append(s.links, l)
	}
	return nil
}

func (s *session) detach() {
	for _, l := range s.links {
		l.Close()
	}
	s.links = nil
}

func runSpecial(progs []*ebpf.Program) error {
	for _, p := range progs {
		if _, err := p.Run(&ebpf.RunOptions{}); err != nil {
			return err
		}
	}
	return nil
}

// readEvents handles ring buffer records until the reader is flushed after stop.
func (s *session) readEvents(rd *ringbuf.Reader, stopping *bool, mu *sync.Mutex, done chan<- struct{}) {
	defer close(done)
	defer s.burst(false)
	var rec ringbuf.Record
	bursting := false
	for {
		err := rd.ReadInto(&rec)
		if err != nil {
			s.burst(false)
			bursting = false
			if errors.Is(err, ringbuf.ErrFlushed) || errors.Is(err, os.ErrDeadlineExceeded) {
				mu.Lock()
				st := *stopping
				mu.Unlock()
				if st {
					return
				}
				continue
			}
			return
		}
		if !bursting {
			s.burst(true)
			bursting = true
		}
		s.handle(rec.RawSample)
		if rd.AvailableBytes() == 0 {
			s.burst(false)
			bursting = false
		}
	}
}

func (s *session) handle(b []byte) {
	if len(b) < 8 {
		return
	}
	head := binary.LittleEndian.Uint64(b)
	kind, idx := int(uint32(head)), int(head>>32)
	fromEnd := kind&evFromEnd != 0
	kind &^= evFromEnd
	if s.exited && !fromEnd {
		return // output after exit(), which bpftrace drops
	}
	switch kind {
	case evPrintf:
		if idx < len(s.c.printfs) {
			d := s.c.printfs[idx]
			s.writeRecord("printf", formatPrintf(d.Format, d.Args, b[8:]))
		}
	case evTime:
		if idx < len(s.c.printfs) {
			s.writeRecord("time", strftime(s.c.printfs[idx].Format, time.Now()))
		}
	case evPrint, evClear, evZero:
		if idx >= len(s.byIndex) || len(b) < 24 {
			return
		}
		d := s.byIndex[idx]
		switch kind {
		case evPrint:
			s.printOne(d, binary.LittleEndian.Uint64(b[8:]), binary.LittleEndian.Uint64(b[16:]))
		case evClear:
			s.clearMap(d)
		case evZero:
			s.zeroMap(d)
		}
	case evJoin:
		if idx < len(s.c.printfs) && len(b) >= 16 {
			n := int(binary.LittleEndian.Uint64(b[8:]))
			var parts []string
			for i := 0; i < n && 16+(i+1)*joinArgSize <= len(b); i++ {
				parts = append(parts, cString(b[16+i*joinArgSize:16+(i+1)*joinArgSize]))
			}
			line := strings.Join(parts, s.c.printfs[idx].Format)
			if s.json {
				s.write(jsonLine("join", line)) // bpftrace's JSON join has no newline
			} else {
				s.write(line + "\n")
			}
		}
	case evPrintValue:
		if idx < len(s.c.printfs) && len(s.c.printfs[idx].Args) == 1 {
			s.writeRecord("value", decodeValue(b[8:], s.c.printfs[idx].Args[0])+"\n")
		}
	case evCat:
		if idx < len(s.c.printfs) {
			d := s.c.printfs[idx]
			path := formatPrintf(d.Format, d.Args, b[8:])
			data, err := os.ReadFile(path)
			if err != nil {
				reason := err.Error()
				var pe *os.PathError
				if errors.As(err, &pe) {
					reason = pe.Err.Error()
					if len(reason) > 0 {
						reason = strings.ToUpper(reason[:1]) + reason[1:]
					}
				}
				fmt.Fprintf(s.errOut, "ERROR: failed to open file '%s': %s\n", path, reason)
				return
			}
			s.writeRecord("cat", string(data))
		}
	case evSystem:
		if idx < len(s.c.printfs) {
			d := s.c.printfs[idx]
			out, err := exec.Command("/bin/sh", "-c", formatPrintf(d.Format, d.Args, b[8:])).Output()
			if err != nil && len(out) == 0 {
				if _, ok := err.(*exec.ExitError); !ok {
					fmt.Fprintf(s.errOut, "ERROR: system(): %v\n", err)
				}
			}
			s.writeRecord("system", string(out))
		}
	case evExit:
		s.exited = true
		s.exitOne.Do(func() { close(s.exitCh) })
	}
}

// writeRecord prints a printf or time output.
func (s *session) writeRecord(kind, text string) {
	if s.json {
		s.write(jsonLine(kind, text))
		return
	}
	s.write(text)
}

// strftimeLayouts are the strftime conversions that are Go layouts.
var strftimeLayouts = map[byte]string{
	'H': "15", 'I': "03", 'M': "04", 'S': "05", 'Y': "2006", 'y': "06", 'm': "01", 'd': "02",
	'b': "Jan", 'h': "Jan", 'B': "January", 'a': "Mon", 'A': "Monday", 'p': "PM", 'Z': "MST",
	'z': "-0700", 'T': "15:04:05", 'D': "01/02/06", 'F': "2006-01-02", 'R': "15:04",
}

// strftime renders t as C's strftime does for the conversions bpftrace
// scripts use, and bpftrace's %f (microseconds).
func strftime(f string, t time.Time) string {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 == len(f) {
			b.WriteByte(f[i])
			continue
		}
		i++
		if layout, ok := strftimeLayouts[f[i]]; ok {
			b.WriteString(t.Format(layout))
			continue
		}
		switch f[i] {
		case 'f':
			fmt.Fprintf(&b, "%06d", t.Nanosecond()/1000)
		case 'e':
			fmt.Fprintf(&b, "%2d", t.Day())
		case 'j':
			fmt.Fprintf(&b, "%03d", t.YearDay())
		case 's':
			fmt.Fprintf(&b, "%d", t.Unix())
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(f[i])
		}
	}
	return b.String()
}

// readMap reads and sorts the entries of a map.
func (s *session) readMap(d *mapDesc) []*mapEntry {
	m := s.maps[d.key]
	if m == nil {
		return nil
	}
	byKey := map[string]*mapEntry{}
	var order []*mapEntry
	key := make([]byte, d.kernelKeySize())
	it := m.Iterate()
	switch d.Class {
	case classPlain:
		val := make([]byte, d.ValSize)
		for it.Next(key, val) {
			e := &mapEntry{key: append([]byte(nil), key...)}
			e.keyText = formatKey(d, e.key)
			e.text = decodeValue(val, d.Info.Value)
			if d.Info.Value.Kind == lang.KindInt {
				e.sortVal = int64(binary.LittleEndian.Uint64(val))
			}
			order = append(order, e)
		}
	case classCounter, classHist:
		var vals []uint64
		for it.Next(key, &vals) {
			var sum uint64
			for _, v := range vals {
				sum += v
			}
			uk := key[:d.KeySize]
			e := byKey[string(uk)]
			if e == nil {
				e = &mapEntry{key: append([]byte(nil), uk...), raw: []uint64{0}}
				e.keyText = formatKey(d, e.key)
				byKey[string(uk)] = e
				order = append(order, e)
			}
			if d.Class == classHist {
				idx := int(binary.LittleEndian.Uint64(key[d.KeySize:]))
				if idx < 0 || idx > 200 {
					continue
				}
				for len(e.buckets) <= idx {
					e.buckets = append(e.buckets, 0)
				}
				e.buckets[idx] += sum
			}
			e.raw[0] += sum
			e.sortVal = int64(e.raw[0])
		}
	case classAvg, classMinMax:
		type pair struct{ A, B uint64 }
		var vals []pair
		for it.Next(key, &vals) {
			e := &mapEntry{key: append([]byte(nil), key...)}
			e.keyText = formatKey(d, e.key)
			if d.Class == classAvg {
				var cnt, sum uint64
				for _, v := range vals {
					cnt += v.A
					sum += v.B
				}
				e.raw = []uint64{cnt, sum}
				if cnt != 0 {
					e.sortVal = int64(sum) / int64(cnt)
				}
			} else {
				set := false
				var best int64
				for _, v := range vals {
					if v.B == 0 {
						continue
					}
					x := int64(v.A)
					if !set || (d.Info.Value.Agg == lang.AggMin && x < best) || (d.Info.Value.Agg == lang.AggMax && x > best) {
						best, set = x, true
					}
				}
				e.raw = []uint64{uint64(best)}
				e.sortVal = best
			}
			order = append(order, e)
		}
	}
	sortEntries(order)
	return order
}

func (s *session) printOne(d *mapDesc, top, div uint64) {
	entries := s.readMap(d)
	if s.json {
		s.write(jsonMap(d, entries, top, div))
		return
	}
	var b strings.Builder
	printMap(&b, d, entries, top, div)
	s.write(b.String())
}

func (s *session) clearMap(d *mapDesc) {
	if len(d.Info.Keys) == 0 {
		// bpftrace 0.17 clears a map without keys to zero.
		s.zeroMap(d)
		return
	}
	m := s.maps[d.key]
	if m == nil {
		return
	}
	key := make([]byte, d.kernelKeySize())
	var keys [][]byte
	it := m.Iterate()
	var discard []byte
	if d.Class == classPlain {
		discard = make([]byte, d.ValSize)
		for it.Next(key, discard) {
			keys = append(keys, append([]byte(nil), key...))
		}
	} else {
		var vals [][]byte
		_ = vals
		next := make([]byte, d.kernelKeySize())
		var cur any
		for {
			if err := m.NextKey(cur, next); err != nil {
				break
			}
			keys = append(keys, append([]byte(nil), next...))
			cur = keys[len(keys)-1]
		}
	}
	for _, k := range keys {
		m.Delete(k)
	}
}

func (s *session) zeroMap(d *mapDesc) {
	m := s.maps[d.key]
	if m == nil {
		return
	}
	var keys [][]byte
	next := make([]byte, d.kernelKeySize())
	var cur any
	for {
		if err := m.NextKey(cur, next); err != nil {
			break
		}
		keys = append(keys, append([]byte(nil), next...))
		cur = keys[len(keys)-1]
	}
	ncpu, _ := ebpf.PossibleCPU()
	for _, k := range keys {
		if d.Class == classPlain {
			m.Update(k, make([]byte, d.ValSize), ebpf.UpdateExist)
			continue
		}
		vals := make([][]byte, ncpu)
		for i := range vals {
			vals[i] = make([]byte, d.ValSize)
		}
		m.Update(k, vals, ebpf.UpdateExist)
	}
}

// printAll prints every map in name order, as bpftrace does at exit.
func (s *session) printAll() {
	s.write("\n\n")
	names := append([]string(nil), s.c.names...)
	sort.Strings(names)
	for _, n := range names {
		s.printOne(s.c.maps[n], 0, 1)
	}
}

// exitRequested says whether a probe called exit() (slot 1 of the
// counters map), even if its exit event was lost.
func (s *session) exitRequested() bool {
	var v uint64
	return s.lost.Lookup(uint32(1), &v) == nil && v != 0
}

// checkLost reports events the ring buffer could not take.
func (s *session) checkLost() {
	var v uint64
	if err := s.lost.Lookup(uint32(0), &v); err != nil {
		return
	}
	if v > s.lastLost {
		fmt.Fprintf(s.errOut, "Lost %d events\n", v-s.lastLost)
		s.lastLost = v
	}
}

// processAlive says whether pid still exists.
func processAlive(pid int) bool {
	err := unix.Kill(pid, 0)
	return err == nil || errors.Is(err, unix.EPERM)
}

// isIdent reports whether s is a C identifier (a symbol name, not an
// address).
func isIdent(s string) bool {
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// probeTracing asks the kernel whether it takes a fentry or fexit program
// for the kernel function fn, or an iterator program for the iterator fn
// (task): nil, or the kernel's refusal.
func probeTracing(provider, fn string) error {
	at := ebpf.AttachTraceFEntry
	switch provider {
	case "fexit":
		at = ebpf.AttachTraceFExit
	case "iter":
		at = ebpf.AttachTraceIter
	}
	spec := &ebpf.ProgramSpec{Type: ebpf.Tracing, AttachType: at, AttachTo: fn, License: "GPL",
		Instructions: ciliumasm.Instructions{ciliumasm.Mov.Imm(ciliumasm.R0, 0), ciliumasm.Return()}}
	p, err := ebpf.NewProgram(spec)
	if err != nil {
		// cilium/ebpf's hint about RLIMIT_MEMLOCK does not apply:
		// kernels since 5.11 charge BPF memory to the cgroup.
		return errors.New(strings.TrimSuffix(err.Error(), " (MEMLOCK may be too low, consider rlimit.RemoveMemlock)"))
	}
	return p.Close()
}

// runIterators runs every iterator probe to its end (reading the
// iterator runs the program on each object), then ends the session as
// bpftrace does when its iterators are done.
func (s *session) runIterators() error {
	if len(s.iters) == 0 {
		return nil
	}
	for _, it := range s.iters {
		rc, err := it.Open()
		if err != nil {
			return fmt.Errorf("running the iterator: %w", err)
		}
		_, err = io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil {
			return fmt.Errorf("running the iterator: %w", err)
		}
	}
	s.exitOne.Do(func() { close(s.exitCh) })
	return nil
}
