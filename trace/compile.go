package trace

import (
	"encoding/binary"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/trace/lang"
)

// Kernel helper ids used by generated code.
const (
	fnMapLookup      = 1
	fnMapUpdate      = 2
	fnMapDelete      = 3
	fnProbeRead      = 4
	fnSendSignal     = 109
	fnKtimeGetNs     = 5
	fnPrandomU32     = 7
	fnSmpProcessorID = 8
	fnPidTgid        = 14
	fnUidGid         = 15
	fnCurrentComm    = 16
	fnGetStackID     = 27
	bpfFUserStack    = 1 << 8 // BPF_F_USER_STACK
	fnProbeReadStr   = 45
	fnCurrentTask    = 35
	fnCgroupID       = 80
	fnRingbufOutput  = 130
	fnRingbufReserve = 131
	fnRingbufSubmit  = 132
)

// Event kinds sent through the ring buffer; the low 32 bits of a record's
// first word are the kind, the high 32 bits its index (format or map).
const (
	evPrintf = iota + 1
	evPrint
	evClear
	evZero
	evExit
	evTime
	evJoin
	evCat
	evSystem
	evPrintValue

	// evFromEnd marks the records END writes: after exit() the runtime
	// drops every other probe's output, as bpftrace does, but not END's.
	evFromEnd = 1 << 16
)

// mapClass says how a bpftrace map is stored in the kernel.
type mapClass int

const (
	classCounter mapClass = iota // per-CPU u64 added in place: count, sum
	classHist                    // per-CPU u64 per bucket, bucket index appended to the key
	classAvg                     // per-CPU {count, sum}: avg, stats
	classMinMax                  // per-CPU {value, set}: min, max
	classPlain                   // shared hash of the assigned value
)

// mapDesc is one bpftrace map as laid out in the kernel.
type mapDesc struct {
	Name    string // with the @
	Info    *lang.MapInfo
	Class   mapClass
	KeySize int // bytes of the user key (the bucket index of histograms excluded)
	ValSize int
	Index   int
	key     string // name in lang.Program.Maps
	fd      int
}

// kernelKeySize is the key size of the kernel map.
func (m *mapDesc) kernelKeySize() int {
	if m.Class == classHist {
		return m.KeySize + 8
	}
	return m.KeySize
}

// printfDesc is a printf (or time) call: its format and argument types.
type printfDesc struct {
	Format string
	Args   []*lang.Type
}

// attachPoint is one concrete probe: a provider and what it attaches to.
type attachPoint struct {
	Provider string // BEGIN, END, tracepoint, rawtracepoint, uprobe, uretprobe, interval, profile, software, hardware
	Target   string // tracepoint category, uprobe binary, interval/profile unit, software/hardware event
	Func     string // tracepoint name, uprobe symbol
	Name     string // canonical probe name, as `probe` prints it
	Count    uint64 // interval/profile rate, software/hardware period (0: the event's default)
	usdt     *usdtProbe
}

// compiledProg is the eBPF code for one attach point.
type compiledProg struct {
	Point  attachPoint
	Insns  []isa.Instruction
	format *tpFormat
	// funcStarts are the instruction indexes where callbacks begin (the
	// kernel wants BTF function information for them).
	funcStarts []int
}

// compiler turns a checked program into eBPF programs and map layouts.
type compiler struct {
	prog    *lang.Program
	params  []string
	maps    map[string]*mapDesc
	names   []string // map names sorted
	printfs []*printfDesc
	// fds of the ring buffer and the lost-events counter.
	ringFD, lostFD int
	stackFD        int // the kernel stack trace map, when the program uses kstack
	ustackFD       int // the user stack trace map, when it uses ustack
	startNs        int64
	tracefs        string
	// ctypes types struct fields (BTF) for the field accesses the checker
	// typed with it; nil when the program was checked without it.
	ctypes *ctypes
	// selfPid is gbpf's own process, whose events the probes in skipsSelf
	// ignore (0: none ignored).
	selfPid int
}

// skipsSelf are the probe types that ignore gbpf's own process: the Go
// runtime sleeps and wakes with system calls (nanosleep, futex,
// epoll_pwait) that would otherwise feed back through the output, as a
// tracer written in C does not.
var skipsSelf = map[string]bool{
	"tracepoint": true, "rawtracepoint": true, "kprobe": true, "kretprobe": true,
	"uprobe": true, "uretprobe": true, "usdt": true, "fentry": true, "fexit": true,
}

// typeSize is the number of bytes a value of type t takes in keys, values,
// events and on the stack.
func typeSize(t *lang.Type) int {
	if t == nil {
		return 8
	}
	switch t.Kind {
	case lang.KindString:
		return (t.Size + 7) &^ 7
	case lang.KindStack, lang.KindSymbol:
		if t.User {
			return 16 // the stack id, then the process (symbols are per process)
		}
	case lang.KindTuple:
		n := 0
		for _, e := range t.Elems {
			n += typeSize(e)
		}
		return n
	case lang.KindInet:
		return 24 // the address family, then up to 16 address bytes
	case lang.KindBuffer:
		return 8 + (t.Size+7)&^7 // the length, then the bytes
	case lang.KindArray:
		if isByteArray(t) {
			return (t.Len + 7) &^ 7
		}
	}
	return 8
}

// isStringy reports whether values of type t live in memory (strings,
// tuples, ntop and buf results) rather than in a register.
func isStringy(t *lang.Type) bool {
	return t != nil && (t.Kind == lang.KindString || t.Kind == lang.KindTuple || t.Kind == lang.KindInet || t.Kind == lang.KindBuffer || isByteArray(t))
}

// newCompiler lays out the maps of a checked program.
func newCompiler(prog *lang.Program, params []string) (*compiler, error) {
	c := &compiler{prog: prog, params: params, maps: map[string]*mapDesc{}, tracefs: tracefsDir}
	for name := range prog.Maps {
		c.names = append(c.names, name)
	}
	sort.Strings(c.names)
	for i, name := range c.names {
		info := prog.Maps[name]
		d := &mapDesc{Name: "@" + strings.TrimPrefix(name, "@"), Info: info, Index: i, key: name}
		if len(info.Keys) == 0 {
			d.KeySize = 8
		}
		for _, k := range info.Keys {
			d.KeySize += typeSize(k)
		}
		v := info.Value
		if v == nil {
			return nil, fmt.Errorf("map %s: no value type", d.Name)
		}
		if v.Kind == lang.KindAgg {
			switch v.Agg {
			case lang.AggCount, lang.AggSum:
				d.Class, d.ValSize = classCounter, 8
			case lang.AggHist, lang.AggLhist:
				d.Class, d.ValSize = classHist, 8
			case lang.AggAvg, lang.AggStats:
				d.Class, d.ValSize = classAvg, 16
			case lang.AggMin, lang.AggMax:
				d.Class, d.ValSize = classMinMax, 16
			}
		} else {
			d.Class, d.ValSize = classPlain, typeSize(v)
		}
		c.maps[name] = d
	}
	return c, nil
}

// gen generates the code of one attach point.
type gen struct {
	*emitter
	c     *compiler
	point attachPoint
	fmt   *tpFormat
	sp    int
	vars  map[string]int16
	vtype map[string]*lang.Type
	// fp is the register the probe's stack is addressed through: r10,
	// or in a for-loop callback r9, which holds the probe's r10.
	fp isa.Register
	// callbacks are the bodies of for loops over maps still to generate,
	// as subprograms after the probe's own code.
	callbacks []*mapLoop
	// inCallback counts the for-loop callbacks being generated.
	inCallback int
	// funcStarts are the first instructions of the callbacks.
	funcStarts []int
	done       label
	// loops are the enclosing loops, innermost last: where break and
	// continue go.
	loops []loopLabels
	// dead says the code being generated cannot be reached: the statement
	// before it jumped away (return, exit). The kernel rejects unreachable
	// instructions, so nothing is emitted until a label makes code reachable.
	dead bool
}

// loopLabels are the targets of break and continue in one loop.
type loopLabels struct{ brk, cont label }

// codegenError is an error at a source position.
func (g *gen) errorf(n lang.Node, format string, args ...any) error {
	loc := n.Location()
	return fmt.Errorf("%s:%d:%d: ERROR: %s", g.c.prog.Source.Name, loc.Start.Line, loc.Start.Column, fmt.Sprintf(format, args...))
}

// alloc reserves n bytes (rounded up to 8) of stack and returns the offset from r10.
func (g *gen) alloc(n lang.Node, size int) (int16, error) {
	size = (size + 7) &^ 7
	if g.sp+size > 512 {
		return 0, g.errorf(n, "the probe needs more than 512 bytes of stack")
	}
	g.sp += size
	return int16(-g.sp), nil
}

func (g *gen) zero(off int16, size int) {
	for i := 0; i < size; i += 8 {
		g.st(isa.SizeDW, g.fp, off+int16(i), 0)
	}
}

// copyMem copies n bytes (a multiple of 8) from src+soff to the stack at doff.
func (g *gen) copyMem(doff int16, src isa.Register, soff int16, n int) {
	for i := 0; i < n; i += 8 {
		g.ldx(isa.SizeDW, isa.R1, src, soff+int16(i))
		g.stx(isa.SizeDW, g.fp, doff+int16(i), isa.R1)
	}
}

// stackPtr sets reg to r10+off.
func (g *gen) stackPtr(reg isa.Register, off int16) {
	g.mov(reg, g.fp)
	g.aluImm(isa.ALUAdd, reg, int32(off))
}

// compileProbe generates the program of one attach point of probe p.
func (c *compiler) compileProbe(p *lang.Probe, pt attachPoint, f *tpFormat) (*compiledProg, error) {
	g := &gen{emitter: newEmitter(), c: c, point: pt, fmt: f, vars: map[string]int16{}, vtype: map[string]*lang.Type{}, fp: isa.R10}
	g.done = g.newLabel()
	g.mov(isa.R6, isa.R1)
	var names []string
	for v := range p.Vars {
		names = append(names, v)
	}
	sort.Strings(names)
	for _, v := range names {
		t := p.Vars[v]
		off, err := g.alloc(p, typeSize(t))
		if err != nil {
			return nil, err
		}
		g.zero(off, typeSize(t))
		g.vars[strings.TrimPrefix(v, "$")] = off
		g.vtype[strings.TrimPrefix(v, "$")] = t
	}
	if pt.Provider == "iter" {
		// The iterator calls the program once more at the end, with no
		// object (ctx->task and the like, after ctx->meta, are NULL).
		g.ldx(isa.SizeDW, isa.R0, isa.R6, 8)
		g.jmpImm(isa.JmpJEQ, isa.R0, 0, g.done)
	}
	if p.Pred != nil {
		if err := g.cond(p.Pred); err != nil {
			return nil, err
		}
		g.jmpImm(isa.JmpJEQ, isa.R0, 0, g.done)
	}
	// After the predicate, which most events of other processes fail.
	if c.selfPid != 0 && skipsSelf[pt.Provider] {
		g.call(fnPidTgid)
		g.aluImm(isa.ALURsh, isa.R0, 32)
		g.jmpImm(isa.JmpJEQ, isa.R0, int32(c.selfPid), g.done)
	}
	if err := g.block(p.Body); err != nil {
		return nil, err
	}
	g.dead = false
	g.bind(g.done)
	g.aluImm(isa.ALUMov, isa.R0, 0)
	g.exit()
	for len(g.callbacks) > 0 {
		cb := g.callbacks[0]
		g.callbacks = g.callbacks[1:]
		if err := g.mapLoopCallback(cb); err != nil {
			return nil, err
		}
	}
	insns, err := g.finish()
	if err != nil {
		return nil, err
	}
	return &compiledProg{Point: pt, Insns: insns, format: f, funcStarts: g.funcStarts}, nil
}

func (g *gen) block(b *lang.Block) error {
	if b == nil {
		return nil
	}
	for _, s := range b.Stmts {
		if g.dead {
			return nil
		}
		if err := g.stmt(s); err != nil {
			return err
		}
	}
	return nil
}

func (g *gen) stmt(s lang.Stmt) error {
	mark := g.sp
	defer func() { g.sp = mark }()
	switch s := s.(type) {
	case *lang.Block:
		return g.block(s)
	case *lang.ExprStmt:
		if c, ok := s.X.(*lang.Call); ok {
			return g.callStmt(c)
		}
		_, err := g.expr(s.X)
		return err
	case *lang.Assign:
		return g.assign(s)
	case *lang.If:
		elseL, end := g.newLabel(), g.newLabel()
		if err := g.cond(s.Cond); err != nil {
			return err
		}
		g.jmpImm(isa.JmpJEQ, isa.R0, 0, elseL)
		if err := g.block(s.Then); err != nil {
			return err
		}
		thenDead := g.dead
		if !thenDead {
			g.ja(end)
		}
		g.dead = false
		g.bind(elseL)
		if s.Else != nil {
			if err := g.stmt(s.Else); err != nil {
				return err
			}
		}
		elseDead := s.Else != nil && g.dead
		g.dead = thenDead && elseDead
		if !g.dead {
			g.bind(end)
		}
		return nil
	case *lang.Jump:
		target := g.done
		if s.Kind == "return" && g.inCallback > 0 {
			return g.errorf(s, "return inside a for loop over a map is not supported by gbpf trace yet")
		}
		if s.Kind != "return" {
			if len(g.loops) == 0 {
				return g.errorf(s, "%s used outside of a loop", s.Kind)
			}
			l := g.loops[len(g.loops)-1]
			target = l.brk
			if s.Kind == "continue" {
				target = l.cont
			}
		}
		g.ja(target)
		g.dead = true
		return nil
	case *lang.While:
		top, end := g.newLabel(), g.newLabel()
		g.bind(top)
		if err := g.cond(s.Cond); err != nil {
			return err
		}
		g.jmpImm(isa.JmpJEQ, isa.R0, 0, end)
		return g.loopBody(s.Body, top, end, top)
	case *lang.For:
		return g.forRange(s)
	case *lang.Unroll:
		n, ok := s.Count.(*lang.IntLit)
		if !ok {
			return g.errorf(s, "unroll needs an integer literal count")
		}
		for i := uint64(0); i < n.Value; i++ {
			if err := g.block(s.Body); err != nil {
				return err
			}
		}
		return nil
	case *lang.Let:
		if s.Value == nil {
			return nil
		}
		return g.assignVar(s.Var, s.Value)
	}
	return g.errorf(s, "this statement is not supported by gbpf trace yet")
}

// loopBody generates a loop's body, whose break goes to end and continue
// to cont, then jumps back to top; the kernel's verifier proves that the
// loop ends (bounded loops), or refuses it.
func (g *gen) loopBody(body *lang.Block, top, end, cont label) error {
	g.loops = append(g.loops, loopLabels{brk: end, cont: cont})
	err := g.block(body)
	g.loops = g.loops[:len(g.loops)-1]
	if err != nil {
		return err
	}
	if !g.dead {
		g.ja(top)
	}
	g.dead = false
	g.bind(end)
	return nil
}

// forRange generates for ($i : from..to): $i runs from from up to but
// not including to, which is evaluated once.
func (g *gen) forRange(s *lang.For) error {
	if s.Map != nil {
		return g.forMap(s)
	}
	v, ok := g.vars[s.Var.Name]
	if !ok {
		return g.errorf(s.Var, "unknown variable $%s", s.Var.Name)
	}
	limit, err := g.alloc(s, 8)
	if err != nil {
		return err
	}
	if _, err := g.expr(s.To); err != nil {
		return err
	}
	g.stx(isa.SizeDW, g.fp, limit, isa.R0)
	if _, err := g.expr(s.From); err != nil {
		return err
	}
	g.stx(isa.SizeDW, g.fp, v, isa.R0)
	top, next, end := g.newLabel(), g.newLabel(), g.newLabel()
	g.bind(top)
	g.ldx(isa.SizeDW, isa.R0, g.fp, v)
	g.ldx(isa.SizeDW, isa.R1, g.fp, limit)
	g.jmpReg(isa.JmpJSGE, isa.R0, isa.R1, end)
	g.loops = append(g.loops, loopLabels{brk: end, cont: next})
	err = g.block(s.Body)
	g.loops = g.loops[:len(g.loops)-1]
	if err != nil {
		return err
	}
	g.dead = false
	g.bind(next)
	g.ldx(isa.SizeDW, isa.R0, g.fp, v)
	g.aluImm(isa.ALUAdd, isa.R0, 1)
	g.stx(isa.SizeDW, g.fp, v, isa.R0)
	g.ja(top)
	g.bind(end)
	return nil
}

// cond evaluates an integer condition into r0.
func (g *gen) cond(e lang.Expr) error {
	_, err := g.expr(e)
	return err
}

func (g *gen) assignVar(v *lang.Variable, val lang.Expr) error {
	off, ok := g.vars[v.Name]
	if !ok {
		return g.errorf(v, "unknown variable $%s", v.Name)
	}
	t := g.vtype[v.Name]
	if isStringy(t) {
		g.zero(off, typeSize(t))
		return g.exprMem(val, off, typeSize(t))
	}
	if _, err := g.expr(val); err != nil {
		return err
	}
	g.stx(isa.SizeDW, g.fp, off, isa.R0)
	return nil
}

func (g *gen) assign(s *lang.Assign) error {
	if c, ok := s.Value.(*lang.Call); ok && aggNames[c.Name] {
		if m, ok := s.Target.(*lang.MapExpr); ok {
			return g.aggregate(m, c)
		}
	}
	if s.Op != "=" {
		return g.intOpAssign(s.Target, strings.TrimSuffix(s.Op, "="), s.Value, 0)
	}
	switch t := s.Target.(type) {
	case *lang.Variable:
		return g.assignVar(t, s.Value)
	case *lang.MapExpr:
		d := g.c.maps[mapKey(t)]
		if d == nil {
			return g.errorf(t, "unknown map %s", mapKey(t))
		}
		valOff, err := g.alloc(t, d.ValSize)
		if err != nil {
			return err
		}
		g.zero(valOff, d.ValSize)
		if err := g.exprMem(s.Value, valOff, d.ValSize); err != nil {
			return err
		}
		return g.mapStore(t, d, valOff)
	}
	return g.errorf(s, "cannot assign to this expression")
}

// mapStore writes the value at valOff into m's element.
func (g *gen) mapStore(m *lang.MapExpr, d *mapDesc, valOff int16) error {
	keyOff, err := g.mapKey(m, d, 0)
	if err != nil {
		return err
	}
	g.loadMap(isa.R1, d.fd)
	g.stackPtr(isa.R2, keyOff)
	g.stackPtr(isa.R3, valOff)
	g.aluImm(isa.ALUMov, isa.R4, 0)
	g.call(fnMapUpdate)
	return nil
}

// intOpAssign stores `target op value` (or target + delta when value is nil)
// into target, leaving the old value in r0 when delta is used.
func (g *gen) intOpAssign(target lang.Expr, op string, value lang.Expr, delta int64) error {
	tmp, err := g.alloc(target, 16)
	if err != nil {
		return err
	}
	if _, err := g.expr(target); err != nil {
		return err
	}
	g.stx(isa.SizeDW, g.fp, tmp, isa.R0)
	if value != nil {
		if _, err := g.expr(value); err != nil {
			return err
		}
		g.mov(isa.R1, isa.R0)
	} else {
		g.loadImm(isa.R1, delta)
	}
	g.ldx(isa.SizeDW, isa.R0, g.fp, tmp)
	alu := map[string]uint8{"+": isa.ALUAdd, "-": isa.ALUSub, "*": isa.ALUMul, "/": isa.ALUDiv, "%": isa.ALUMod,
		"&": isa.ALUAnd, "|": isa.ALUOr, "^": isa.ALUXor, "<<": isa.ALULsh, ">>": isa.ALURsh}
	o, ok := alu[op]
	if !ok {
		return g.errorf(target, "operator %s= is not supported", op)
	}
	g.aluReg(o, isa.R0, isa.R1)
	g.stx(isa.SizeDW, g.fp, tmp+8, isa.R0)
	switch t := target.(type) {
	case *lang.Variable:
		off, ok := g.vars[t.Name]
		if !ok {
			return g.errorf(t, "unknown variable $%s", t.Name)
		}
		g.stx(isa.SizeDW, g.fp, off, isa.R0)
	case *lang.MapExpr:
		d := g.c.maps[mapKey(t)]
		if d == nil || d.Class != classPlain {
			return g.errorf(t, "cannot update %s here", mapKey(t))
		}
		if err := g.mapStore(t, d, tmp+8); err != nil {
			return err
		}
	default:
		return g.errorf(target, "cannot assign to this expression")
	}
	g.ldx(isa.SizeDW, isa.R0, g.fp, tmp)
	return nil
}

var aggNames = map[string]bool{"count": true, "sum": true, "avg": true, "min": true, "max": true, "stats": true, "hist": true, "lhist": true}

// mapKey is the name under which lang.Program.Maps lists m.
func mapKey(m *lang.MapExpr) string {
	return m.Name
}

// mapKey builds the key of m on the stack, with extra bytes after it.
func (g *gen) mapKey(m *lang.MapExpr, d *mapDesc, extra int) (int16, error) {
	if d == nil {
		return 0, g.errorf(m, "unknown map %s", mapKey(m))
	}
	off, err := g.alloc(m, d.KeySize+extra)
	if err != nil {
		return 0, err
	}
	g.zero(off, d.KeySize+extra)
	pos := off
	for i, k := range m.Keys {
		kt := d.Info.Keys[i]
		if err := g.exprMem(k, pos, typeSize(kt)); err != nil {
			return 0, err
		}
		pos += int16(typeSize(kt))
	}
	return off, nil
}

// aggregate updates an aggregation in place.
func (g *gen) aggregate(m *lang.MapExpr, c *lang.Call) error {
	d := g.c.maps[mapKey(m)]
	extra := 0
	if d != nil && d.Class == classHist {
		extra = 8
	}
	keyOff, err := g.mapKey(m, d, extra)
	if err != nil {
		return err
	}
	valOff, err := g.alloc(m, 16)
	if err != nil {
		return err
	}
	// The argument, in r0 and at valOff+8 as scratch.
	if len(c.Args) > 0 {
		if _, err := g.expr(c.Args[0]); err != nil {
			return err
		}
	} else {
		g.aluImm(isa.ALUMov, isa.R0, 1)
	}
	switch c.Name {
	case "hist":
		g.histIndex()
		g.stx(isa.SizeDW, g.fp, keyOff+int16(d.KeySize), isa.R0)
		g.aluImm(isa.ALUMov, isa.R0, 1)
	case "lhist":
		args := d.Info.HistArgs
		if len(args) < 3 || args[2] == 0 {
			return g.errorf(c, "lhist needs constant min, max and step")
		}
		g.lhistIndex(int64(args[0]), int64(args[1]), int64(args[2]))
		g.stx(isa.SizeDW, g.fp, keyOff+int16(d.KeySize), isa.R0)
		g.aluImm(isa.ALUMov, isa.R0, 1)
	}
	g.stx(isa.SizeDW, g.fp, valOff+8, isa.R0)
	g.loadMap(isa.R1, d.fd)
	g.stackPtr(isa.R2, keyOff)
	g.call(fnMapLookup)
	initL, end := g.newLabel(), g.newLabel()
	g.jmpImm(isa.JmpJEQ, isa.R0, 0, initL)
	g.ldx(isa.SizeDW, isa.R1, g.fp, valOff+8)
	switch d.Class {
	case classCounter, classHist:
		g.ldx(isa.SizeDW, isa.R2, isa.R0, 0)
		g.aluReg(isa.ALUAdd, isa.R2, isa.R1)
		g.stx(isa.SizeDW, isa.R0, 0, isa.R2)
	case classAvg:
		g.ldx(isa.SizeDW, isa.R2, isa.R0, 0)
		g.aluImm(isa.ALUAdd, isa.R2, 1)
		g.stx(isa.SizeDW, isa.R0, 0, isa.R2)
		g.ldx(isa.SizeDW, isa.R2, isa.R0, 8)
		g.aluReg(isa.ALUAdd, isa.R2, isa.R1)
		g.stx(isa.SizeDW, isa.R0, 8, isa.R2)
	case classMinMax:
		set := g.newLabel()
		g.ldx(isa.SizeDW, isa.R2, isa.R0, 8)
		g.jmpImm(isa.JmpJEQ, isa.R2, 0, set)
		g.ldx(isa.SizeDW, isa.R2, isa.R0, 0)
		if c.Name == "min" {
			g.jmpReg(isa.JmpJSGE, isa.R1, isa.R2, end)
		} else {
			g.jmpReg(isa.JmpJSLE, isa.R1, isa.R2, end)
		}
		g.bind(set)
		g.stx(isa.SizeDW, isa.R0, 0, isa.R1)
		g.st(isa.SizeDW, isa.R0, 8, 1)
	default:
		return g.errorf(c, "%s() cannot be assigned to %s", c.Name, d.Name)
	}
	g.ja(end)
	g.bind(initL)
	// A new element: this CPU's slot gets the first value, the others zero.
	g.ldx(isa.SizeDW, isa.R1, g.fp, valOff+8)
	switch d.Class {
	case classCounter, classHist:
		g.stx(isa.SizeDW, g.fp, valOff, isa.R1)
	case classAvg:
		g.st(isa.SizeDW, g.fp, valOff, 1)
		g.stx(isa.SizeDW, g.fp, valOff+8, isa.R1)
	case classMinMax:
		g.stx(isa.SizeDW, g.fp, valOff, isa.R1)
		g.st(isa.SizeDW, g.fp, valOff+8, 1)
	}
	g.loadMap(isa.R1, d.fd)
	g.stackPtr(isa.R2, keyOff)
	g.stackPtr(isa.R3, valOff)
	g.aluImm(isa.ALUMov, isa.R4, 0)
	g.call(fnMapUpdate)
	g.bind(end)
	return nil
}

// histIndex turns the value in r0 into bpftrace's log2 bucket index:
// 0 for negative values, 1 for zero, 2+floor(log2(v)) otherwise.
func (g *gen) histIndex() {
	neg, zero, end := g.newLabel(), g.newLabel(), g.newLabel()
	g.jmpImm(isa.JmpJSLT, isa.R0, 0, neg)
	g.jmpImm(isa.JmpJEQ, isa.R0, 0, zero)
	g.aluImm(isa.ALUMov, isa.R1, 0)
	for _, sh := range []int32{32, 16, 8, 4, 2, 1} {
		skip := g.newLabel()
		g.mov(isa.R2, isa.R0)
		g.aluImm(isa.ALURsh, isa.R2, sh)
		g.jmpImm(isa.JmpJEQ, isa.R2, 0, skip)
		g.mov(isa.R0, isa.R2)
		g.aluImm(isa.ALUAdd, isa.R1, sh)
		g.bind(skip)
	}
	g.mov(isa.R0, isa.R1)
	g.aluImm(isa.ALUAdd, isa.R0, 2)
	g.ja(end)
	g.bind(neg)
	g.aluImm(isa.ALUMov, isa.R0, 0)
	g.ja(end)
	g.bind(zero)
	g.aluImm(isa.ALUMov, isa.R0, 1)
	g.bind(end)
}

// lhistIndex turns the value in r0 into a linear bucket index: 0 below min,
// 1+(v-min)/step inside, buckets+1 at or above max.
func (g *gen) lhistIndex(min, max, step int64) {
	below, above, end := g.newLabel(), g.newLabel(), g.newLabel()
	g.loadImm(isa.R1, min)
	g.jmpReg(isa.JmpJSLT, isa.R0, isa.R1, below)
	g.loadImm(isa.R1, max)
	g.jmpReg(isa.JmpJSGE, isa.R0, isa.R1, above)
	g.loadImm(isa.R1, min)
	g.aluReg(isa.ALUSub, isa.R0, isa.R1)
	g.loadImm(isa.R1, step)
	g.aluReg(isa.ALUDiv, isa.R0, isa.R1)
	g.aluImm(isa.ALUAdd, isa.R0, 1)
	g.ja(end)
	g.bind(below)
	g.aluImm(isa.ALUMov, isa.R0, 0)
	g.ja(end)
	g.bind(above)
	g.loadImm(isa.R0, (max-min)/step+1)
	g.bind(end)
}

// paramValue returns the text of positional parameter n ("" when not given).
func (g *gen) paramValue(n int) string {
	if n >= 1 && n <= len(g.c.params) {
		return g.c.params[n-1]
	}
	return ""
}

// expr evaluates an integer expression into r0.
func (g *gen) expr(e lang.Expr) (*lang.Type, error) {
	t := e.Type()
	switch e := e.(type) {
	case *lang.IntLit:
		g.loadImm(isa.R0, int64(e.Value))
	case *lang.Param:
		if e.N == 0 {
			g.loadImm(isa.R0, int64(len(g.c.params)))
			break
		}
		v, _ := strconv.ParseInt(g.paramValue(e.N), 0, 64)
		g.loadImm(isa.R0, v)
	case *lang.Builtin:
		return t, g.builtin(e)
	case *lang.Variable:
		off, ok := g.vars[e.Name]
		if !ok {
			return nil, g.errorf(e, "unknown variable $%s", e.Name)
		}
		g.ldx(isa.SizeDW, isa.R0, g.fp, off)
	case *lang.MapExpr:
		d := g.c.maps[mapKey(e)]
		keyOff, err := g.mapKey(e, d, 0)
		if err != nil {
			return nil, err
		}
		g.loadMap(isa.R1, d.fd)
		g.stackPtr(isa.R2, keyOff)
		g.call(fnMapLookup)
		end := g.newLabel()
		g.jmpImm(isa.JmpJEQ, isa.R0, 0, end)
		g.ldx(isa.SizeDW, isa.R0, isa.R0, 0)
		g.bind(end)
	case *lang.Binary:
		return t, g.binary(e)
	case *lang.Unary:
		if e.Op == "*" {
			return t, g.deref(e)
		}
		if _, err := g.expr(e.X); err != nil {
			return nil, err
		}
		switch e.Op {
		case "-":
			g.aluImm(isa.ALUNeg, isa.R0, 0)
		case "~":
			g.aluImm(isa.ALUXor, isa.R0, -1)
		case "!":
			one, end := g.newLabel(), g.newLabel()
			g.jmpImm(isa.JmpJEQ, isa.R0, 0, one)
			g.aluImm(isa.ALUMov, isa.R0, 0)
			g.ja(end)
			g.bind(one)
			g.aluImm(isa.ALUMov, isa.R0, 1)
			g.bind(end)
		default:
			return nil, g.errorf(e, "operator %s is not supported by gbpf trace yet", e.Op)
		}
	case *lang.Ternary:
		els, end := g.newLabel(), g.newLabel()
		if err := g.cond(e.Cond); err != nil {
			return nil, err
		}
		g.jmpImm(isa.JmpJEQ, isa.R0, 0, els)
		if _, err := g.expr(e.Then); err != nil {
			return nil, err
		}
		g.ja(end)
		g.bind(els)
		if _, err := g.expr(e.Else); err != nil {
			return nil, err
		}
		g.bind(end)
	case *lang.Cast:
		if _, err := g.expr(e.X); err != nil {
			return nil, err
		}
		g.truncate(t)
	case *lang.FieldAccess:
		return t, g.field(e)
	case *lang.TupleIndex:
		elem, err := g.tupleElem(e)
		if err != nil {
			return nil, err
		}
		g.ldx(isa.SizeDW, isa.R0, g.fp, elem)
	case *lang.IncDec:
		return t, g.incdec(e)
	case *lang.Call:
		switch e.Name {
		case "nsecs":
			g.call(fnKtimeGetNs)
		case "kaddr":
			s, ok := e.Args[0].(*lang.StrLit)
			if !ok {
				return nil, g.errorf(e, "kaddr() needs a string literal")
			}
			a, ok := kernelAddress(s.Value)
			if !ok {
				return nil, g.errorf(e, "Failed to resolve kernel symbol: %s", s.Value)
			}
			g.loadImm(isa.R0, int64(a))
		case "uptr", "kptr":
			if _, err := g.expr(e.Args[0]); err != nil {
				return nil, err
			}
		case "bswap":
			at, err := g.expr(e.Args[0])
			if err != nil {
				return nil, err
			}
			bits := int32(64)
			if at != nil && at.Kind == lang.KindInt && at.Size > 0 && at.Size < 8 {
				bits = int32(8 * max(at.Size, 2))
			}
			if bits == 8*1 {
				break
			}
			g.emit(isa.Instruction{OpCode: uint8(isa.ClassALU) | isa.ALUEnd | isa.EndToBE, Dst: isa.R0, Constant: int64(bits)})
		case "sizeof":
			n := 8
			if at := e.Args[0].Type(); at != nil {
				switch {
				case at.Kind == lang.KindInt && at.Size > 0:
					n = at.Size
				case at.Kind == lang.KindString:
					n = at.Size
				default:
					n = typeSize(at)
				}
			}
			if at := e.Args[0].Type(); at != nil && at.Kind == lang.KindRecord && g.c.ctypes != nil {
				sz, err := g.c.ctypes.sizeof(at.Struct)
				if err != nil {
					return nil, g.errorf(e, "%v", err)
				}
				n = sz
			}
			if te, ok := e.Args[0].(*lang.TypeExpr); ok {
				sz, ok := intTypeSize(te.Name)
				if !ok && te.Name.Pointers == 0 && g.c.ctypes != nil {
					var err error
					if sz, err = g.c.ctypes.sizeof(te.Name.Name); err != nil {
						return nil, g.errorf(e, "%v", err)
					}
					ok = true
				}
				if !ok {
					return nil, g.errorf(e, "sizeof(%s): the type is not known", te.Name.Name)
				}
				n = sz
			}
			g.aluImm(isa.ALUMov, isa.R0, int32(n))
		case "has_key":
			m, ok := e.Args[0].(*lang.MapExpr)
			if !ok {
				return nil, g.errorf(e, "has_key() needs a map")
			}
			keyed := &lang.MapExpr{Name: m.Name, Keys: e.Args[1:]}
			d := g.c.maps[mapKey(keyed)]
			if d == nil {
				return nil, g.errorf(m, "unknown map %s", mapKey(keyed))
			}
			keyOff, err := g.mapKey(keyed, d, 0)
			if err != nil {
				return nil, err
			}
			found := g.newLabel()
			g.loadMap(isa.R1, d.fd)
			g.stackPtr(isa.R2, keyOff)
			g.call(fnMapLookup)
			g.jmpImm(isa.JmpJEQ, isa.R0, 0, found)
			g.aluImm(isa.ALUMov, isa.R0, 1)
			g.bind(found)
		case "cgroupid":
			s, ok := e.Args[0].(*lang.StrLit)
			if !ok {
				return nil, g.errorf(e, "cgroupid() needs a string literal path")
			}
			id, err := cgroupID(s.Value)
			if err != nil {
				return nil, g.errorf(e, "cgroupid(%q): %v", s.Value, err)
			}
			g.loadImm(isa.R0, int64(id))
		case "strftime":
			// The time; output formats it.
			if _, err := g.expr(e.Args[1]); err != nil {
				return nil, err
			}
		case "macaddr":
			// Six bytes at the address; output formats them.
			if _, err := g.expr(e.Args[0]); err != nil {
				return nil, err
			}
			if err := g.readBytes(e, 6); err != nil {
				return nil, err
			}
		case "strncmp":
			n, _ := e.Args[2].(*lang.IntLit)
			if n == nil {
				return nil, g.errorf(e, "strncmp() expects an integer literal as its third argument")
			}
			if err := g.strEqual(e, e.Args[0], e.Args[1], int(n.Value), 0, 1); err != nil {
				return nil, err
			}
		case "len":
			if err := g.mapLen(e); err != nil {
				return nil, err
			}
		case "strcontains":
			if err := g.strContains(e); err != nil {
				return nil, err
			}
		case "offsetof":
			te, ok := e.Args[0].(*lang.TypeExpr)
			field, ok2 := e.Args[1].(*lang.Ident)
			if !ok || !ok2 || g.c.ctypes == nil {
				return nil, g.errorf(e, "offsetof() needs a struct type and a field name")
			}
			off, _, err := g.c.ctypes.member(te.Name.Name, field.Name)
			if err != nil {
				return nil, g.errorf(e, "%v", err)
			}
			g.aluImm(isa.ALUMov, isa.R0, int32(off))
		case "ksym":
			// The address; output names it from /proc/kallsyms.
			if _, err := g.expr(e.Args[0]); err != nil {
				return nil, err
			}
		default:
			return nil, g.errorf(e, "%s() is not supported by gbpf trace yet", e.Name)
		}
	default:
		return nil, g.errorf(e, "this expression is not supported by gbpf trace yet")
	}
	return t, nil
}

// tupleElem puts the tuple e.X on the stack and returns the offset of its
// element e.Index.
func (g *gen) tupleElem(e *lang.TupleIndex) (int16, error) {
	tt := e.X.Type()
	if tt == nil || tt.Kind != lang.KindTuple || e.Index >= len(tt.Elems) {
		return 0, g.errorf(e, "index %d of a %s", e.Index, tt)
	}
	off, err := g.alloc(e, typeSize(tt))
	if err != nil {
		return 0, err
	}
	g.zero(off, typeSize(tt))
	if err := g.exprMem(e.X, off, typeSize(tt)); err != nil {
		return 0, err
	}
	pos := 0
	for i := 0; i < e.Index; i++ {
		pos += typeSize(tt.Elems[i])
	}
	return off + int16(pos), nil
}

// truncate narrows r0 to an integer type's width.
func (g *gen) truncate(t *lang.Type) {
	if t == nil || t.Kind != lang.KindInt || t.Size >= 8 {
		return
	}
	sh := int32(64 - 8*t.Size)
	g.aluImm(isa.ALULsh, isa.R0, sh)
	if t.Signed {
		g.aluImm(isa.ALUArsh, isa.R0, sh)
	} else {
		g.aluImm(isa.ALURsh, isa.R0, sh)
	}
}

func (g *gen) incdec(e *lang.IncDec) error {
	delta := int64(1)
	if e.Op == "--" {
		delta = -1
	}
	if err := g.intOpAssign(e.X, "+", nil, delta); err != nil {
		return err
	}
	if e.Prefix {
		g.loadImm(isa.R1, delta)
		g.aluReg(isa.ALUAdd, isa.R0, isa.R1)
	}
	return nil
}

// builtin loads an integer builtin into r0.
func (g *gen) builtin(e *lang.Builtin) error {
	switch e.Name {
	case "pid":
		g.call(fnPidTgid)
		g.aluImm(isa.ALURsh, isa.R0, 32)
	case "tid":
		g.call(fnPidTgid)
		g.aluImm(isa.ALULsh, isa.R0, 32)
		g.aluImm(isa.ALURsh, isa.R0, 32)
	case "uid":
		g.call(fnUidGid)
		g.aluImm(isa.ALULsh, isa.R0, 32)
		g.aluImm(isa.ALURsh, isa.R0, 32)
	case "gid":
		g.call(fnUidGid)
		g.aluImm(isa.ALURsh, isa.R0, 32)
	case "cpu":
		g.call(fnSmpProcessorID)
	case "nsecs":
		g.call(fnKtimeGetNs)
	case "elapsed":
		g.call(fnKtimeGetNs)
		g.loadImm(isa.R1, g.c.startNs)
		g.aluReg(isa.ALUSub, isa.R0, isa.R1)
	case "rand":
		g.call(fnPrandomU32)
	case "cgroup":
		g.call(fnCgroupID)
	case "curtask":
		g.call(fnCurrentTask)
	case "ctx":
		g.mov(isa.R0, isa.R6)
	case "kstack":
		// The stack's id in the stack trace map; output resolves it.
		g.mov(isa.R1, isa.R6)
		g.loadMap(isa.R2, g.c.stackFD)
		g.aluImm(isa.ALUMov, isa.R3, 0)
		g.call(fnGetStackID)
	case "retval":
		g.ldx(isa.SizeDW, isa.R0, isa.R6, 80)
	default:
		if strings.HasPrefix(e.Name, "arg") {
			n, err := strconv.Atoi(e.Name[3:])
			if err == nil && g.point.Provider == "rawtracepoint" {
				// struct bpf_raw_tracepoint_args: the tracepoint's
				// arguments as u64s.
				if n > 11 {
					return g.errorf(e, "%s: raw tracepoints have at most 12 arguments", e.Name)
				}
				g.ldx(isa.SizeDW, isa.R0, isa.R6, int16(8*n))
				return nil
			}
			if err == nil && g.point.Provider == "usdt" {
				return g.usdtArg(e, n)
			}
			regs := []int16{112, 104, 96, 88, 72, 64}
			if err == nil && n < len(regs) {
				g.ldx(isa.SizeDW, isa.R0, isa.R6, regs[n])
				return nil
			}
		}
		return g.errorf(e, "builtin %s is not supported by gbpf trace yet", e.Name)
	}
	return nil
}

// usdtArg loads argument n of a usdt probe, from where its note says
// the value is, with the note's size and sign.
func (g *gen) usdtArg(e *lang.Builtin, n int) error {
	args := g.point.usdt.Args
	if n >= len(args) {
		return g.errorf(e, "%s: probe %s has %d arguments", e.Name, g.point.Name, len(args))
	}
	a := args[n]
	t := &lang.Type{Kind: lang.KindInt, Size: a.Size, Signed: a.Signed}
	switch a.Kind {
	case 'c':
		g.loadImm(isa.R0, a.Disp)
		return nil
	case 'r':
		g.ldx(isa.SizeDW, isa.R0, isa.R6, a.Reg)
		g.truncate(t)
		return nil
	}
	g.ldx(isa.SizeDW, isa.R0, isa.R6, a.Reg)
	if a.Disp != 0 {
		g.loadImm(isa.R1, a.Disp)
		g.aluReg(isa.ALUAdd, isa.R0, isa.R1)
	}
	return g.readValue(e, t)
}

// field loads args->NAME of a tracepoint into r0.
func (g *gen) field(e *lang.FieldAccess) error {
	b, ok := e.X.(*lang.Builtin)
	if !ok || b.Name != "args" {
		t, err := g.memberAddr(e)
		if err != nil {
			return err
		}
		switch t.Kind {
		case lang.KindInt, lang.KindPointer:
			return g.readValue(e, t)
		}
		// Strings, arrays and records: their address.
		return nil
	}
	if g.fmt == nil {
		return g.errorf(e, "args is available in tracepoint probes only")
	}
	f := g.fmt.field(e.Field)
	if f == nil {
		return g.errorf(e, "tracepoint %s:%s has no field %s", g.point.Target, g.point.Func, e.Field)
	}
	if f.dataLoc {
		// __data_loc: the low 16 bits give the offset of the data.
		g.ldx(isa.SizeW, isa.R0, isa.R6, int16(f.offset))
		g.aluImm(isa.ALUAnd, isa.R0, 0xffff)
		g.aluReg(isa.ALUAdd, isa.R0, isa.R6)
		return nil
	}
	if f.array {
		g.mov(isa.R0, isa.R6)
		g.aluImm(isa.ALUAdd, isa.R0, int32(f.offset))
		return nil
	}
	sizes := map[int]uint8{1: isa.SizeB, 2: isa.SizeH, 4: isa.SizeW, 8: isa.SizeDW}
	sz, ok := sizes[f.size]
	if !ok {
		return g.errorf(e, "field %s has size %d", e.Field, f.size)
	}
	g.ldx(sz, isa.R0, isa.R6, int16(f.offset))
	if f.signed && f.size < 8 {
		g.truncate(&lang.Type{Kind: lang.KindInt, Size: f.size, Signed: true})
	}
	return nil
}

// memberAddr leaves in r0 the kernel address of the struct or union field
// e, reached through a pointer (p->f) or a field of a field (p->a.b), and
// returns the field's type.
func (g *gen) memberAddr(e *lang.FieldAccess) (*lang.Type, error) {
	xt := e.X.Type()
	if g.c.ctypes == nil || xt == nil || xt.Struct == "" {
		return nil, g.errorf(e, "field access is supported on tracepoint args and on struct pointers only")
	}
	switch {
	case xt.Kind == lang.KindPointer:
		if _, err := g.expr(e.X); err != nil {
			return nil, err
		}
	case xt.Kind == lang.KindRecord:
		switch x := e.X.(type) {
		case *lang.FieldAccess:
			if _, err := g.memberAddr(x); err != nil {
				return nil, err
			}
		case *lang.Unary:
			if x.Op != "*" {
				return nil, g.errorf(e, "field access on this %s value is not supported by gbpf trace yet", xt)
			}
			if _, err := g.expr(x.X); err != nil {
				return nil, err
			}
		default:
			return nil, g.errorf(e, "field access on this %s value is not supported by gbpf trace yet: reach it through a pointer", xt)
		}
	default:
		return nil, g.errorf(e, "field access on %s", xt)
	}
	off, _, err := g.c.ctypes.member(xt.Struct, e.Field)
	if err != nil {
		return nil, g.errorf(e, "%v", err)
	}
	if off != 0 {
		g.aluImm(isa.ALUAdd, isa.R0, int32(off))
	}
	return e.Type(), nil
}

// readValue replaces the kernel address in r0 with the integer or pointer
// of type t stored there (bpf_probe_read, as bpftrace does).
func (g *gen) readValue(n lang.Node, t *lang.Type) error {
	size, signed := 8, false
	if t.Kind == lang.KindInt && t.Size > 0 && t.Size < 8 {
		size, signed = t.Size, t.Signed
	}
	if err := g.readBytes(n, size); err != nil {
		return err
	}
	if signed {
		g.truncate(t)
	}
	return nil
}

func (g *gen) binary(e *lang.Binary) error {
	if isStringy(e.X.Type()) || isStringy(e.Y.Type()) {
		return g.strCompare(e)
	}
	switch e.Op {
	case "&&", "||":
		// && jumps to "short" (result 0) on a zero operand; || jumps to
		// it (result 1) on a non-zero one.
		short, end := g.newLabel(), g.newLabel()
		jump, shortVal := uint8(isa.JmpJEQ), int32(0)
		if e.Op == "||" {
			jump, shortVal = isa.JmpJNE, 1
		}
		for _, x := range []lang.Expr{e.X, e.Y} {
			if _, err := g.expr(x); err != nil {
				return err
			}
			g.jmpImm(jump, isa.R0, 0, short)
		}
		g.aluImm(isa.ALUMov, isa.R0, 1-shortVal)
		g.ja(end)
		g.bind(short)
		g.aluImm(isa.ALUMov, isa.R0, shortVal)
		g.bind(end)
		return nil
	}
	tmp, err := g.alloc(e, 8)
	if err != nil {
		return err
	}
	if _, err := g.expr(e.X); err != nil {
		return err
	}
	g.stx(isa.SizeDW, g.fp, tmp, isa.R0)
	if _, err := g.expr(e.Y); err != nil {
		return err
	}
	g.mov(isa.R1, isa.R0)
	g.ldx(isa.SizeDW, isa.R0, g.fp, tmp)
	signed := isSigned(e.X.Type()) && isSigned(e.Y.Type())
	alu := map[string]uint8{"+": isa.ALUAdd, "-": isa.ALUSub, "*": isa.ALUMul, "/": isa.ALUDiv, "%": isa.ALUMod,
		"&": isa.ALUAnd, "|": isa.ALUOr, "^": isa.ALUXor, "<<": isa.ALULsh, ">>": isa.ALURsh}
	if op, ok := alu[e.Op]; ok {
		g.aluReg(op, isa.R0, isa.R1)
		return nil
	}
	cmp := map[string][2]uint8{"==": {isa.JmpJEQ, isa.JmpJEQ}, "!=": {isa.JmpJNE, isa.JmpJNE},
		"<": {isa.JmpJLT, isa.JmpJSLT}, "<=": {isa.JmpJLE, isa.JmpJSLE}, ">": {isa.JmpJGT, isa.JmpJSGT}, ">=": {isa.JmpJGE, isa.JmpJSGE}}
	ops, ok := cmp[e.Op]
	if !ok {
		return g.errorf(e, "operator %s is not supported by gbpf trace yet", e.Op)
	}
	op := ops[0]
	if signed {
		op = ops[1]
	}
	g.compareResult(op, isa.R0, isa.R1)
	return nil
}

// compareResult sets r0 to 1 when `a op b`, else 0.
func (g *gen) compareResult(op uint8, a, b isa.Register) {
	yes, end := g.newLabel(), g.newLabel()
	g.jmpReg(op, a, b, yes)
	g.aluImm(isa.ALUMov, isa.R0, 0)
	g.ja(end)
	g.bind(yes)
	g.aluImm(isa.ALUMov, isa.R0, 1)
	g.bind(end)
}

func isSigned(t *lang.Type) bool {
	if t != nil && t.Kind == lang.KindPointer {
		return false // addresses compare unsigned
	}
	return t == nil || t.Kind != lang.KindInt || t.Signed
}

// strCompare compares two strings byte by byte up to the first NUL.
func (g *gen) strCompare(e *lang.Binary) error {
	if e.Op != "==" && e.Op != "!=" {
		return g.errorf(e, "strings can only be compared with == and !=")
	}
	return g.strEqual(e, e.X, e.Y, 0, b2i(e.Op == "=="), b2i(e.Op != "=="))
}

// strEqual leaves eq in r0 when the strings x and y are equal up to their
// NUL or limit bytes (0: no limit), ne when they are not.
func (g *gen) strEqual(n lang.Node, x, y lang.Expr, limit int, eq, ne int32) error {
	xo, xs, err := g.strMem(n, x)
	if err != nil {
		return err
	}
	yo, ys, err := g.strMem(n, y)
	if err != nil {
		return err
	}
	size := min(xs, ys)
	if limit > 0 && limit < size {
		size = limit
	}
	neL, eqL, end := g.newLabel(), g.newLabel(), g.newLabel()
	for i := 0; i < size; i++ {
		g.ldx(isa.SizeB, isa.R1, g.fp, xo+int16(i))
		g.ldx(isa.SizeB, isa.R2, g.fp, yo+int16(i))
		g.jmpReg(isa.JmpJNE, isa.R1, isa.R2, neL)
		g.jmpImm(isa.JmpJEQ, isa.R1, 0, eqL)
	}
	g.bind(eqL)
	g.aluImm(isa.ALUMov, isa.R0, eq)
	g.ja(end)
	g.bind(neL)
	g.aluImm(isa.ALUMov, isa.R0, ne)
	g.bind(end)
	return nil
}

// strMem puts the string e on the stack, NUL-padded: its offset and size.
func (g *gen) strMem(n lang.Node, e lang.Expr) (int16, int, error) {
	size := typeSize(e.Type())
	off, err := g.alloc(n, size)
	if err != nil {
		return 0, 0, err
	}
	g.zero(off, size)
	return off, size, g.exprMem(e, off, size)
}

// strContains leaves 1 in r0 when the string e.Args[1] occurs in
// e.Args[0], 0 when it does not (an empty needle occurs everywhere). The
// search is unrolled: the haystack's every position against the needle's
// every byte, as the needle is short.
func (g *gen) strContains(e *lang.Call) error {
	ho, hs, err := g.strMem(e, e.Args[0])
	if err != nil {
		return err
	}
	ns := typeSize(e.Args[1].Type())
	var lit []byte
	if s, ok := e.Args[1].(*lang.StrLit); ok {
		lit = []byte(s.Value)
		ns = len(lit)
	}
	var no int16
	if lit == nil {
		if no, ns, err = g.strMem(e, e.Args[1]); err != nil {
			return err
		}
	}
	if hs*ns > 8192 {
		return g.errorf(e, "strcontains(): a %d-byte haystack and a %d-byte needle need too much code; compare shorter strings", hs, ns)
	}
	if lit != nil && len(lit) == 0 {
		g.aluImm(isa.ALUMov, isa.R0, 1)
		return nil
	}
	found, missing, end := g.newLabel(), g.newLabel(), g.newLabel()
	for i := 0; i < hs; i++ {
		if lit != nil && i+ns > hs {
			break // the needle does not fit from here on
		}
		next := g.newLabel()
		k := 0
		for ; k < ns && i+k < hs; k++ {
			if lit == nil {
				g.ldx(isa.SizeB, isa.R2, g.fp, no+int16(k))
				g.jmpImm(isa.JmpJEQ, isa.R2, 0, found)
			}
			g.ldx(isa.SizeB, isa.R1, g.fp, ho+int16(i+k))
			if k == 0 {
				g.jmpImm(isa.JmpJEQ, isa.R1, 0, missing)
			}
			if lit != nil {
				g.jmpImm(isa.JmpJNE, isa.R1, int32(lit[k]), next)
			} else {
				g.jmpReg(isa.JmpJNE, isa.R1, isa.R2, next)
			}
		}
		if k == ns {
			g.ja(found)
		}
		g.bind(next)
	}
	g.bind(missing)
	g.aluImm(isa.ALUMov, isa.R0, 0)
	g.ja(end)
	g.bind(found)
	g.aluImm(isa.ALUMov, isa.R0, 1)
	g.bind(end)
	return nil
}

// readInto copies n bytes from the kernel or user address in r0 to the
// stack at off (bpf_probe_read; a fault leaves zeros).
func (g *gen) readInto(off int16, n int) {
	g.mov(isa.R3, isa.R0)
	g.stackPtr(isa.R1, off)
	g.aluImm(isa.ALUMov, isa.R2, int32(n))
	g.call(fnProbeRead)
}

// readBytes replaces the address in r0 with the n (at most 8) bytes
// stored there, zero-extended.
func (g *gen) readBytes(node lang.Node, n int) error {
	slot, err := g.alloc(node, 8)
	if err != nil {
		return err
	}
	g.st(isa.SizeDW, g.fp, slot, 0)
	g.readInto(slot, n)
	g.ldx(isa.SizeDW, isa.R0, g.fp, slot)
	return nil
}

func b2i(b bool) int32 {
	if b {
		return 1
	}
	return 0
}

// exprMem writes the value of e into size bytes of stack at off (already zeroed).
func (g *gen) exprMem(e lang.Expr, off int16, size int) error {
	t := e.Type()
	if c, ok := e.(*lang.Call); ok && c.Name == "usym" && size >= 16 {
		// The address, then the process whose mappings name it.
		if _, err := g.expr(c.Args[0]); err != nil {
			return err
		}
		g.stx(isa.SizeDW, g.fp, off, isa.R0)
		g.call(fnPidTgid)
		g.aluImm(isa.ALURsh, isa.R0, 32)
		g.stx(isa.SizeDW, g.fp, off+8, isa.R0)
		return nil
	}
	if b, ok := e.(*lang.Builtin); ok && b.Name == "ustack" && size >= 16 {
		// The user stack's id, then the process whose symbols name it.
		g.mov(isa.R1, isa.R6)
		g.loadMap(isa.R2, g.c.ustackFD)
		g.aluImm(isa.ALUMov, isa.R3, bpfFUserStack)
		g.call(fnGetStackID)
		g.stx(isa.SizeDW, g.fp, off, isa.R0)
		g.call(fnPidTgid)
		g.aluImm(isa.ALURsh, isa.R0, 32)
		g.stx(isa.SizeDW, g.fp, off+8, isa.R0)
		return nil
	}
	if !isStringy(t) {
		if _, err := g.expr(e); err != nil {
			return err
		}
		g.stx(isa.SizeDW, g.fp, off, isa.R0)
		return nil
	}
	switch e := e.(type) {
	case *lang.StrLit:
		g.storeString(off, size, e.Value)
		return nil
	case *lang.Param:
		g.storeString(off, size, g.paramValue(e.N))
		return nil
	case *lang.Builtin:
		if e.Name == "probe" {
			g.storeString(off, size, g.point.Name)
			return nil
		}
		if e.Name == "func" {
			// The function the probe is attached to: each attach point
			// has its own program, so the name is known here.
			g.storeString(off, size, g.point.Func)
			return nil
		}
		if e.Name == "comm" {
			g.stackPtr(isa.R1, off)
			g.aluImm(isa.ALUMov, isa.R2, int32(min(size, 16)))
			g.call(fnCurrentComm)
			return nil
		}
	case *lang.Variable:
		src, ok := g.vars[e.Name]
		if !ok {
			return g.errorf(e, "unknown variable $%s", e.Name)
		}
		g.copyMem(off, g.fp, src, min(size, typeSize(g.vtype[e.Name])))
		return nil
	case *lang.MapExpr:
		d := g.c.maps[mapKey(e)]
		keyOff, err := g.mapKey(e, d, 0)
		if err != nil {
			return err
		}
		g.loadMap(isa.R1, d.fd)
		g.stackPtr(isa.R2, keyOff)
		g.call(fnMapLookup)
		end := g.newLabel()
		g.jmpImm(isa.JmpJEQ, isa.R0, 0, end)
		g.copyMem(off, isa.R0, 0, min(size, d.ValSize))
		g.bind(end)
		return nil
	case *lang.Tuple:
		pos := off
		for _, el := range e.Elems {
			n := typeSize(el.Type())
			if err := g.exprMem(el, pos, n); err != nil {
				return err
			}
			pos += int16(n)
		}
		return nil
	case *lang.Ternary:
		els, end := g.newLabel(), g.newLabel()
		if err := g.cond(e.Cond); err != nil {
			return err
		}
		g.jmpImm(isa.JmpJEQ, isa.R0, 0, els)
		if err := g.exprMem(e.Then, off, size); err != nil {
			return err
		}
		g.ja(end)
		g.bind(els)
		if err := g.exprMem(e.Else, off, size); err != nil {
			return err
		}
		g.bind(end)
		return nil
	case *lang.TupleIndex:
		elem, err := g.tupleElem(e)
		if err != nil {
			return err
		}
		g.copyMem(off, g.fp, elem, min(size, typeSize(t)))
		return nil
	case *lang.FieldAccess:
		// A char array in a tracepoint's record or in a kernel struct.
		if _, err := g.expr(e); err != nil {
			return err
		}
		g.zero(off, size)
		n := t.Size
		if isByteArray(t) {
			n = t.Len
		}
		g.readInto(off, min(size, n))
		return nil
	case *lang.Call:
		if e.Name == "ntop" {
			return g.ntop(e, off)
		}
		if e.Name == "pton" {
			s, ok := e.Args[0].(*lang.StrLit)
			ip := net.ParseIP(s.Value)
			if !ok || ip == nil {
				return g.errorf(e, "pton() expects an IPv4 or IPv6 address literal")
			}
			if v4 := ip.To4(); v4 != nil && !strings.Contains(s.Value, ":") {
				ip = v4
			}
			b := make([]byte, (len(ip)+7)&^7)
			copy(b, ip)
			for i := 0; i < len(b) && i < size; i += 8 {
				g.loadImm(isa.R1, int64(binary.LittleEndian.Uint64(b[i:])))
				g.stx(isa.SizeDW, g.fp, off+int16(i), isa.R1)
			}
			return nil
		}
		if e.Name == "buf" {
			return g.buf(e, off, size)
		}
		if e.Name == "str" && isStringy(e.Args[0].Type()) {
			return g.exprMem(e.Args[0], off, size)
		}
		if e.Name == "str" {
			if _, err := g.expr(e.Args[0]); err != nil {
				return err
			}
			n := size
			if len(e.Args) > 1 {
				if l, ok := e.Args[1].(*lang.IntLit); ok && int(l.Value)+1 < n {
					n = int(l.Value) + 1
				}
			}
			g.mov(isa.R3, isa.R0)
			g.stackPtr(isa.R1, off)
			g.aluImm(isa.ALUMov, isa.R2, int32(n))
			g.call(fnProbeReadStr)
			return nil
		}
	}
	return g.errorf(e, "this %s value is not supported by gbpf trace yet", t)
}

// storeString writes s, NUL-padded, into size bytes at off.
func (g *gen) storeString(off int16, size int, s string) {
	b := make([]byte, size)
	copy(b, s)
	if len(s) >= size && size > 0 {
		b[size-1] = 0
	}
	for i := 0; i+8 <= size; i += 8 {
		var v int64
		for j := 7; j >= 0; j-- {
			v = v<<8 | int64(b[i+j])
		}
		if v == 0 {
			continue
		}
		g.loadImm(isa.R1, v)
		g.stx(isa.SizeDW, g.fp, off+int16(i), isa.R1)
	}
}

// deref loads *X into r0: the pointee's size (8 bytes for an integer
// used as an address) read with bpf_probe_read, 0 when it faults.
func (g *gen) deref(e *lang.Unary) error {
	t := &lang.Type{Kind: lang.KindInt, Size: 8}
	if et := e.Type(); et != nil && et.Kind == lang.KindInt && et.Size > 0 && et.Size < 8 {
		t = et
	}
	if fa, ok := e.X.(*lang.FieldAccess); ok && g.fmt != nil {
		// *args->field: the pointee type the tracepoint's format declares.
		if f := g.fmt.field(fa.Field); f != nil && f.pointee > 0 {
			t = &lang.Type{Kind: lang.KindInt, Size: f.pointee, Signed: f.pointeeSigned}
		}
	}
	if _, err := g.expr(e.X); err != nil {
		return err
	}
	return g.readValue(e, t)
}

// intTypeSizes are the sizes of the integer types sizeof takes.
var intTypeSizes = map[string]int{
	"int8": 1, "uint8": 1, "u8": 1, "s8": 1, "char": 1, "bool": 1,
	"int16": 2, "uint16": 2, "u16": 2, "s16": 2, "short": 2, "unsigned short": 2,
	"int32": 4, "uint32": 4, "u32": 4, "s32": 4, "int": 4, "unsigned int": 4,
	"int64": 8, "uint64": 8, "u64": 8, "s64": 8, "long": 8, "unsigned long": 8,
	"long long": 8, "unsigned long long": 8,
}

// intTypeSize is the size of a written integer or pointer type (sizeof).
func intTypeSize(t *lang.TypeName) (int, bool) {
	if t.Pointers > 0 {
		return 8, true
	}
	n, ok := intTypeSizes[t.Name]
	if ok && t.ArrayLen > 0 {
		n *= t.ArrayLen
	}
	return n, ok
}

// cgroupID is the id of the cgroup (v2) at path: its directory's inode,
// as the kernel's cgroup ids are.
func cgroupID(path string) (uint64, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return 0, err
	}
	return st.Ino, nil
}
