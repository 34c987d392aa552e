package trace

import (
	"fmt"
	"strings"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/trace/lang"
)

// callStmt generates a function call used as a statement.
func (g *gen) callStmt(c *lang.Call) error {
	switch c.Name {
	case "printf", "time", "cat", "system":
		format := "%H:%M:%S\n"
		var args []lang.Expr
		if len(c.Args) > 0 {
			s, ok := c.Args[0].(*lang.StrLit)
			if !ok {
				return g.errorf(c, "%s() needs a string literal format", c.Name)
			}
			format = s.Value
			args = c.Args[1:]
		}
		kind := map[string]int{"printf": evPrintf, "time": evTime, "cat": evCat, "system": evSystem}[c.Name]
		d := &printfDesc{Format: format}
		size := 8
		for _, a := range args {
			d.Args = append(d.Args, a.Type())
			size += typeSize(a.Type())
		}
		idx := len(g.c.printfs)
		g.c.printfs = append(g.c.printfs, d)
		off, err := g.alloc(c, size)
		if err != nil {
			return err
		}
		g.zero(off, size)
		pos := off + 8
		for _, a := range args {
			n := typeSize(a.Type())
			if err := g.exprMem(a, pos, n); err != nil {
				return err
			}
			pos += int16(n)
		}
		g.loadImm(isa.R1, int64(kind|g.endFlag())|int64(idx)<<32)
		g.stx(isa.SizeDW, g.fp, off, isa.R1)
		return g.output(c, off, size)
	case "print", "clear", "zero":
		if _, isMap := c.Args[0].(*lang.MapExpr); !isMap && c.Name == "print" {
			return g.printValue(c)
		}
		m, ok := c.Args[0].(*lang.MapExpr)
		if !ok || len(m.Keys) > 0 {
			return g.errorf(c, "%s() needs a map without a key", c.Name)
		}
		d := g.c.maps[mapKey(m)]
		if d == nil {
			return g.errorf(m, "unknown map %s", mapKey(m))
		}
		kind := map[string]int{"print": evPrint, "clear": evClear, "zero": evZero}[c.Name]
		off, err := g.alloc(c, 24)
		if err != nil {
			return err
		}
		g.zero(off, 24)
		for i, a := range c.Args[1:] {
			if _, err := g.expr(a); err != nil {
				return err
			}
			g.stx(isa.SizeDW, g.fp, off+8+int16(8*i), isa.R0)
		}
		g.loadImm(isa.R1, int64(kind|g.endFlag())|int64(d.Index)<<32)
		g.stx(isa.SizeDW, g.fp, off, isa.R1)
		return g.output(c, off, 24)
	case "exit":
		if g.inCallback > 0 {
			return g.errorf(c, "exit() inside a for loop over a map is not supported by gbpf trace yet")
		}
		off, err := g.alloc(c, 8)
		if err != nil {
			return err
		}
		g.st(isa.SizeDW, g.fp, off, evExit)
		if err := g.output(c, off, 8); err != nil {
			return err
		}
		// Also raise the exit flag (slot 1 of the counters map), which
		// the runtime polls: an exit event can be lost in a full ring.
		set := g.newLabel()
		g.st(isa.SizeDW, g.fp, off, 1)
		g.loadMap(isa.R1, g.c.lostFD)
		g.stackPtr(isa.R2, off)
		g.call(fnMapLookup)
		g.jmpImm(isa.JmpJEQ, isa.R0, 0, set)
		g.st(isa.SizeDW, isa.R0, 0, 1)
		g.bind(set)
		g.ja(g.done)
		g.dead = true
		return nil
	case "join":
		return g.join(c)
	case "signal":
		sig, err := signalNumber(c.Args[0])
		if err != nil {
			return g.errorf(c, "%v", err)
		}
		if sig < 0 {
			if _, err := g.expr(c.Args[0]); err != nil {
				return err
			}
			g.mov(isa.R1, isa.R0)
		} else {
			g.aluImm(isa.ALUMov, isa.R1, int32(sig))
		}
		g.call(fnSendSignal)
		return nil
	case "delete":
		var m *lang.MapExpr
		if len(c.Args) == 2 {
			mm, ok := c.Args[0].(*lang.MapExpr)
			if !ok {
				return g.errorf(c, "delete() needs a map")
			}
			m = &lang.MapExpr{Name: mm.Name, Keys: []lang.Expr{c.Args[1]}}
		} else {
			mm, ok := c.Args[0].(*lang.MapExpr)
			if !ok {
				return g.errorf(c, "delete() needs a map element")
			}
			m = mm
		}
		d := g.c.maps[mapKey(m)]
		if d == nil {
			return g.errorf(c, "unknown map %s", mapKey(m))
		}
		if d.Class == classHist {
			return g.errorf(c, "delete() of a histogram element is not supported by gbpf trace yet")
		}
		keyOff, err := g.mapKey(m, d, 0)
		if err != nil {
			return err
		}
		g.loadMap(isa.R1, d.fd)
		g.stackPtr(isa.R2, keyOff)
		g.call(fnMapDelete)
		return nil
	}
	_, err := g.expr(c)
	return err
}

// join elements: at most joinMax strings of an array of pointers, each
// up to joinArgSize bytes, as bpftrace 0.17 reads them.
const (
	joinMax     = 16
	joinArgSize = 1024
)

// join generates join(array [, delimiter]): a ring buffer record (kind
// evJoin, the index of its delimiter) holding the number of strings read
// and the strings, which the runtime prints joined on one line. The array
// and its strings are read with bpf_probe_read(_str), up to the first
// NULL pointer.
func (g *gen) join(c *lang.Call) error {
	delim := " "
	if len(c.Args) == 2 {
		s, ok := c.Args[1].(*lang.StrLit)
		if !ok {
			return g.errorf(c, "join() delimiter must be a string literal")
		}
		delim = s.Value
	}
	slots, err := g.alloc(c, 32) // the array, the string pointer, the count, the record
	if err != nil {
		return err
	}
	arr, ptr, cnt, rec := slots, slots+8, slots+16, slots+24
	if _, err := g.expr(c.Args[0]); err != nil {
		return err
	}
	g.stx(isa.SizeDW, g.fp, arr, isa.R0)
	g.st(isa.SizeDW, g.fp, cnt, 0)
	size := 16 + joinMax*joinArgSize
	lost, end, out := g.newLabel(), g.newLabel(), g.newLabel()
	g.loadMap(isa.R1, g.c.ringFD)
	g.aluImm(isa.ALUMov, isa.R2, int32(size))
	g.aluImm(isa.ALUMov, isa.R3, 0)
	g.call(fnRingbufReserve)
	g.jmpImm(isa.JmpJEQ, isa.R0, 0, lost)
	g.stx(isa.SizeDW, g.fp, rec, isa.R0)
	idx := len(g.c.printfs)
	g.c.printfs = append(g.c.printfs, &printfDesc{Format: delim})
	g.loadImm(isa.R1, int64(evJoin|g.endFlag())|int64(idx)<<32)
	g.stx(isa.SizeDW, isa.R0, 0, isa.R1)
	for i := 0; i < joinMax; i++ {
		g.stackPtr(isa.R1, ptr)
		g.aluImm(isa.ALUMov, isa.R2, 8)
		g.ldx(isa.SizeDW, isa.R3, g.fp, arr)
		g.aluImm(isa.ALUAdd, isa.R3, int32(8*i))
		g.call(fnProbeRead)
		g.jmpImm(isa.JmpJNE, isa.R0, 0, end)
		g.ldx(isa.SizeDW, isa.R3, g.fp, ptr)
		g.jmpImm(isa.JmpJEQ, isa.R3, 0, end)
		g.ldx(isa.SizeDW, isa.R1, g.fp, rec)
		g.aluImm(isa.ALUAdd, isa.R1, int32(16+i*joinArgSize))
		g.aluImm(isa.ALUMov, isa.R2, joinArgSize)
		g.call(fnProbeReadStr)
		g.st(isa.SizeDW, g.fp, cnt, int32(i+1))
	}
	g.bind(end)
	g.ldx(isa.SizeDW, isa.R1, g.fp, rec)
	g.ldx(isa.SizeDW, isa.R2, g.fp, cnt)
	g.stx(isa.SizeDW, isa.R1, 8, isa.R2)
	g.aluImm(isa.ALUMov, isa.R2, 0)
	g.call(fnRingbufSubmit)
	g.ja(out)
	g.bind(lost)
	g.countLost(c)
	g.bind(out)
	return nil
}

// countLost adds one to the lost-events counter.
func (g *gen) countLost(n lang.Node) error {
	key, err := g.alloc(n, 8)
	if err != nil {
		return err
	}
	done := g.newLabel()
	g.st(isa.SizeDW, g.fp, key, 0)
	g.loadMap(isa.R1, g.c.lostFD)
	g.stackPtr(isa.R2, key)
	g.call(fnMapLookup)
	g.jmpImm(isa.JmpJEQ, isa.R0, 0, done)
	g.aluImm(isa.ALUMov, isa.R1, 1)
	g.atomicAdd(isa.R0, 0, isa.R1)
	g.bind(done)
	return nil
}

// output sends size bytes at off through the ring buffer, counting a
// failure in the lost-events counter.
// endFlag is evFromEnd in END's program, else 0.
func (g *gen) endFlag() int {
	if g.point.Provider == "END" {
		return evFromEnd
	}
	return 0
}

func (g *gen) output(n lang.Node, off int16, size int) error {
	ok := g.newLabel()
	g.loadMap(isa.R1, g.c.ringFD)
	g.stackPtr(isa.R2, off)
	g.aluImm(isa.ALUMov, isa.R3, int32(size))
	g.aluImm(isa.ALUMov, isa.R4, 0)
	g.call(fnRingbufOutput)
	g.jmpImm(isa.JmpJEQ, isa.R0, 0, ok)
	if err := g.countLost(n); err != nil {
		return err
	}
	g.bind(ok)
	return nil
}

// Address families, as ntop takes them.
const (
	afInet  = 2
	afInet6 = 10
)

// ntop writes the record output formats as an address: the family, then
// the address bytes. ntop(int) and ntop(AF_INET, int) take an IPv4
// address in an integer (network byte order, as stored); otherwise the
// address is read from the array or pointer (4 bytes for AF_INET, 16 for
// AF_INET6).
func (g *gen) ntop(c *lang.Call, off int16) error {
	addr := c.Args[len(c.Args)-1]
	g.zero(off, 24)
	at := addr.Type()
	if len(c.Args) == 1 && isByteArray(at) && at.Len == 16 {
		g.st(isa.SizeDW, g.fp, off, afInet6)
	} else if len(c.Args) == 1 {
		g.st(isa.SizeDW, g.fp, off, afInet)
	} else {
		if _, err := g.expr(c.Args[0]); err != nil {
			return err
		}
		g.stx(isa.SizeDW, g.fp, off, isa.R0)
	}
	if isByteArray(at) {
		// pton's bytes, or another array value.
		return g.exprMem(addr, off+8, 16)
	}
	if at != nil && at.Kind == lang.KindInt {
		if _, err := g.expr(addr); err != nil {
			return err
		}
		g.stx(isa.SizeW, g.fp, off+8, isa.R0)
		return nil
	}
	n := 16
	if af, ok := c.Args[0].(*lang.IntLit); len(c.Args) == 1 || ok && af.Value == afInet {
		n = 4
	}
	if _, err := g.expr(addr); err != nil {
		return err
	}
	g.readInto(off+8, n)
	return nil
}

// buf writes the record output formats as a buffer: the length, then the
// bytes, read from a pointer or copied from a string.
func (g *gen) buf(c *lang.Call, off int16, size int) error {
	t := c.Type()
	n := t.Size
	if len(c.Args) == 1 {
		if at := c.Args[0].Type(); at != nil && at.Kind == lang.KindString {
			n = at.Size
		}
	}
	n = min(n, size-8)
	g.zero(off, size)
	g.st(isa.SizeDW, g.fp, off, int32(n))
	if at := c.Args[0].Type(); isStringy(at) {
		tmp, ts, err := g.strMem(c, c.Args[0])
		if err != nil {
			return err
		}
		g.copyMem(off+8, g.fp, tmp, min(n, ts)&^7)
		for i := min(n, ts) &^ 7; i < min(n, ts); i++ {
			g.ldx(isa.SizeB, isa.R1, g.fp, tmp+int16(i))
			g.stx(isa.SizeB, g.fp, off+8+int16(i), isa.R1)
		}
		return nil
	}
	if _, err := g.expr(c.Args[0]); err != nil {
		return err
	}
	g.readInto(off+8, n)
	return nil
}

// printValue generates print(value) for a value that is not a map: a
// record the runtime prints on a line of its own.
func (g *gen) printValue(c *lang.Call) error {
	t := c.Args[0].Type()
	d := &printfDesc{Args: []*lang.Type{t}}
	idx := len(g.c.printfs)
	g.c.printfs = append(g.c.printfs, d)
	size := 8 + typeSize(t)
	off, err := g.alloc(c, size)
	if err != nil {
		return err
	}
	g.zero(off, size)
	if err := g.exprMem(c.Args[0], off+8, typeSize(t)); err != nil {
		return err
	}
	g.loadImm(isa.R1, int64(evPrintValue|g.endFlag())|int64(idx)<<32)
	g.stx(isa.SizeDW, g.fp, off, isa.R1)
	return g.output(c, off, size)
}

// signalNumber is the signal signal() sends: a number, or a name with or
// without "SIG"; -1 when the argument is computed at run time.
func signalNumber(e lang.Expr) (int, error) {
	switch e := e.(type) {
	case *lang.IntLit:
		if e.Value < 1 || e.Value > 64 {
			return 0, fmt.Errorf("signal(%d): not a signal number", e.Value)
		}
		return int(e.Value), nil
	case *lang.StrLit:
		name := strings.ToUpper(e.Value)
		if !strings.HasPrefix(name, "SIG") {
			name = "SIG" + name
		}
		if n := unix.SignalNum(name); n != 0 {
			return int(n), nil
		}
		return 0, fmt.Errorf("Invalid signal: %s", e.Value)
	}
	return -1, nil
}

// Helpers of for loops over maps.
const (
	fnForEachMapElem    = 164
	fnLookupPercpuElem  = 195
	forEachCallbackArgs = 4 // map, key, value, context
)

// mapLoop is a for ($kv : @map) loop whose body is generated as the
// callback of bpf_for_each_map_elem.
type mapLoop struct {
	stmt    *lang.For
	d       *mapDesc
	entry   label
	ctxSlot int16 // where the probe's context pointer (r6) is saved
}

// forMap generates for ($kv : @map): bpf_for_each_map_elem with the body
// as its callback, which addresses the probe's stack through the context
// argument (the probe's r10), so variables read and written in the body
// are the probe's own.
func (g *gen) forMap(s *lang.For) error {
	d := g.c.maps[mapKey(s.Map)]
	if d == nil {
		return g.errorf(s.Map, "unknown map %s", mapKey(s.Map))
	}
	if d.Class != classPlain && d.Class != classCounter {
		return g.errorf(s.Map, "for loops over %s maps are not supported by gbpf trace yet", d.Info.Value)
	}
	ctxSlot, err := g.alloc(s, 8)
	if err != nil {
		return err
	}
	g.stx(isa.SizeDW, g.fp, ctxSlot, isa.R6)
	cb := &mapLoop{stmt: s, d: d, entry: g.newLabel(), ctxSlot: ctxSlot}
	g.callbacks = append(g.callbacks, cb)
	g.loadMap(isa.R1, d.fd)
	g.loadFunc(isa.R2, cb.entry)
	g.mov(isa.R3, g.fp)
	g.aluImm(isa.ALUMov, isa.R4, 0)
	g.call(fnForEachMapElem)
	return nil
}

// mapLoopCallback generates the callback of a for loop over a map:
// $kv gets the key and the value (a count or sum added up over the CPUs),
// then the body runs; continue returns 0 (next element), break 1 (stop).
func (g *gen) mapLoopCallback(cb *mapLoop) error {
	g.bind(cb.entry)
	g.funcStarts = append(g.funcStarts, len(g.insns))
	if cb.stmt == nil {
		// len(): count the elements, nothing else.
		g.aluImm(isa.ALUMov, isa.R0, 0)
		g.exit()
		return nil
	}
	saved := g.fp
	g.fp = isa.R9
	g.inCallback++
	defer func() { g.fp = saved; g.inCallback-- }()
	g.mov(isa.R9, isa.R4)
	s, d := cb.stmt, cb.d
	kv, ok := g.vars[s.Var.Name]
	if !ok {
		return g.errorf(s.Var, "unknown variable $%s", s.Var.Name)
	}
	need := d.KeySize + 8
	if d.Class == classPlain {
		need = d.KeySize + d.ValSize
	}
	if typeSize(g.vtype[s.Var.Name]) < need {
		return g.errorf(s.Var, "$%s holds a %s elsewhere: use another variable for this loop", s.Var.Name, g.vtype[s.Var.Name])
	}
	g.copyMem(kv, isa.R2, 0, d.KeySize)
	if d.Class == classPlain {
		g.copyMem(kv+int16(d.KeySize), isa.R3, 0, d.ValSize)
	} else {
		// A per-CPU counter: the sum of every CPU's value.
		keySlot, err := g.alloc(s, 8)
		if err != nil {
			return err
		}
		g.stx(isa.SizeDW, g.fp, keySlot, isa.R2)
		sum := kv + int16(d.KeySize)
		g.st(isa.SizeDW, g.fp, sum, 0)
		for cpu := 0; cpu < possibleCPUs(); cpu++ {
			skip := g.newLabel()
			g.loadMap(isa.R1, d.fd)
			g.ldx(isa.SizeDW, isa.R2, g.fp, keySlot)
			g.aluImm(isa.ALUMov, isa.R3, int32(cpu))
			g.call(fnLookupPercpuElem)
			g.jmpImm(isa.JmpJEQ, isa.R0, 0, skip)
			g.ldx(isa.SizeDW, isa.R1, isa.R0, 0)
			g.ldx(isa.SizeDW, isa.R2, g.fp, sum)
			g.aluReg(isa.ALUAdd, isa.R2, isa.R1)
			g.stx(isa.SizeDW, g.fp, sum, isa.R2)
			g.bind(skip)
		}
	}
	g.ldx(isa.SizeDW, isa.R6, g.fp, cb.ctxSlot)
	next, stop := g.newLabel(), g.newLabel()
	g.loops = append(g.loops, loopLabels{brk: stop, cont: next})
	err := g.block(s.Body)
	g.loops = g.loops[:len(g.loops)-1]
	if err != nil {
		return err
	}
	if !g.dead || g.used(next) {
		g.bind(next)
		g.aluImm(isa.ALUMov, isa.R0, 0)
		g.exit()
	}
	g.dead = false
	if g.used(stop) {
		g.bind(stop)
		g.aluImm(isa.ALUMov, isa.R0, 1)
		g.exit()
	}
	return nil
}

// possibleCPUs is the number of CPUs per-CPU maps have values for.
func possibleCPUs() int {
	n, err := ebpf.PossibleCPU()
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// mapLen generates len(@map): bpf_for_each_map_elem returns the number of
// elements it visited, here with a callback that does nothing.
func (g *gen) mapLen(c *lang.Call) error {
	m, ok := c.Args[0].(*lang.MapExpr)
	if !ok {
		return g.errorf(c, "len() needs a map")
	}
	d := g.c.maps[mapKey(m)]
	if d == nil {
		return g.errorf(m, "unknown map %s", mapKey(m))
	}
	if d.Class == classHist {
		return g.errorf(c, "len() of a histogram is not supported by gbpf trace yet")
	}
	cb := &mapLoop{d: d, entry: g.newLabel()}
	g.callbacks = append(g.callbacks, cb)
	g.loadMap(isa.R1, d.fd)
	g.loadFunc(isa.R2, cb.entry)
	g.aluImm(isa.ALUMov, isa.R3, 0)
	g.aluImm(isa.ALUMov, isa.R4, 0)
	g.call(fnForEachMapElem)
	return nil
}

// isByteArray reports whether t is an array of bytes held as a value
// (pton's result): it lives in memory like a string.
func isByteArray(t *lang.Type) bool {
	return t != nil && t.Kind == lang.KindArray && t.Elem != nil && t.Elem.Kind == lang.KindInt && t.Elem.Size == 1 && t.Len > 0 && t.Len <= 64
}
