// Package vm runs eBPF programs in gbpf's own virtual machine, with the
// semantics of RFC 9669 and, where the RFC is silent, of the Linux kernel:
// division by zero gives 0, modulo by zero leaves the destination unchanged,
// shift amounts are masked, 32-bit operations zero-extend, atomics are
// sequentially consistent, 512 bytes of stack per frame and 8 frames.
//
// Registers hold real host addresses, as in the kernel. Load verifies the
// program with package verifier first and refuses it, with the verifier's
// *verifier.Error, unless it is proven safe; Options.Unverified skips the
// verifier. Every run is also checked: each load and store is checked
// against the memory regions of the run (the stack frames, the input memory
// and any region a helper adds), and a bad access stops the run with a
// RunError naming the instruction. For a verified program these checks are
// a second line of defence that should never fire; for an unverified one
// they are the only one, and an executed-instruction budget stops programs
// that do not end. What the verifier proved drives the context rewriting:
// a load or store it proved to go through the context pointer reads or
// writes the context field named by its offset, on both engines without
// the memory checks.
//
// A Program is immutable after Load and safe to Run from many goroutines at
// once. The per-run state (registers, a heap-allocated eBPF stack, call
// frames) is pooled, so a steady-state Run allocates nothing; each run
// starts from a zeroed stack. A Runner owns one run state for a loop on
// one goroutine and skips the pool.
//
// Two engines run programs (Options.Engine, Engines): the interpreter and,
// on linux/amd64, a JIT that compiles the program to machine code with the
// same checks, budget, events and results.
//
// Program types (Options.Type, numbered as the kernel's bpf_prog_type in
// package helpers): raw (r1 = memory, r2 = length, as the conformance
// suite), XDP, socket filter, tc (sched_cls, sched_act) and syscall.
// TestRun runs the kernel types as BPF_PROG_TEST_RUN does, input checks
// and outputs included. Their contexts (xdp_md, __sk_buff) are regions
// that only the slow path reaches: each access follows the kernel's
// rules for offsets, sizes and writes, and the kernel's context rewriting
// happens there, at access time (a 32-bit load of data yields the
// packet's 64-bit address).
//
// Maps (Options.Maps) are named by lddw with src 5 or 6 (and src 1 or 2,
// whose immediate is read as the same index). The kernel's helpers that
// package helpers lists as implemented are built in, for the program
// types the kernel allows them in; tail calls go through prog arrays
// holding *Program (33 at most, falling through on an empty slot), and
// bpf_loop and for_each_map_elem call subprograms named by lddw src 4.
// Runs that use maps or helpers hold an execution slot (a "CPU", see
// Slots) and a maps.RunToken for their duration.
//
// The interpreter pre-decodes the program into a compact array (jump
// targets as absolute indexes, some constant operations folded, common
// instruction pairs fused) and runs it in one switch whose loop calls no
// function; helper calls, atomics and accesses outside the stack and input
// memory leave the loop and are handled beside it.
package vm

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/verifier"
)

// Engine names an execution engine.
type Engine string

// The engines. Engines reports which are available in this build.
const (
	Interp Engine = "interp" // the interpreter
	JIT    Engine = "jit"    // the amd64 just-in-time compiler
)

// ErrEngineUnavailable is wrapped by the error Load returns for an engine
// that does not exist in this build.
var ErrEngineUnavailable = errors.New("engine unavailable")

// Engines returns the engines available in this build.
func Engines() []Engine {
	if jitSupported {
		return []Engine{Interp, JIT}
	}
	return []Engine{Interp}
}

// DefaultMaxInsns is the executed-instruction budget of a run when
// Options.MaxInsns is 0 and Options.NoLimit is false.
const DefaultMaxInsns = 1_000_000

// Limits of the machine, as in the kernel.
const (
	StackSize = 512 // bytes of stack per call frame
	MaxFrames = 8   // call frames, the entry frame included
)

// Options configures Load.
type Options struct {
	Engine   Engine   // "" = Interp
	MaxInsns uint64   // executed-instruction budget per run; 0 = DefaultMaxInsns
	NoLimit  bool     // no budget at all
	Helpers  *Helpers // the embedder's helpers; they take precedence over the kernel helpers gbpf implements
	// Type is the program type: its context, the helpers it may call and
	// how TestRun prepares a run. The zero value is the raw type.
	Type helpers.ProgType
	// Maps are the program's maps. lddw with src 5 (BPF_PSEUDO_MAP_IDX)
	// and src 6 (BPF_PSEUDO_MAP_IDX_VALUE) name them by index in this
	// slice; so do src 1 (BPF_PSEUDO_MAP_FD) and src 2
	// (BPF_PSEUDO_MAP_VALUE), whose immediate gbpf reads as an index into
	// Maps too, since the VM has no file descriptors.
	Maps []*maps.Map
	// TraceOutput receives the messages of bpf_trace_printk (the
	// kernel's trace_pipe); nil discards them.
	TraceOutput io.Writer
	// MemSize is, for the raw type, the size of the memory runs pass (r1
	// points to it, r2 holds its length): the verifier proves accesses
	// against it, and runs of the verified program refuse memory of any
	// other size (ErrMemSize).
	MemSize int
	// Unverified skips the verifier: the program runs in checked mode
	// only, where each access is checked against the run's memory
	// regions, a bad one stops the run with a RunError, and the
	// executed-instruction budget stops programs that do not end. Ask for
	// it explicitly, for programs the verifier cannot prove (or does not
	// support yet) but that an embedder still wants to run.
	Unverified bool
	// VerifierLogLevel is the verifier's log level (see verifier.Options);
	// the log is in Program.Verification().Log, or in the error.
	VerifierLogLevel int
	// Funcs is the program's BTF function information, for the
	// verifier (object.NewCollection passes the object's).
	Funcs []verifier.FuncInfo
}

// Errors of Load, wrapped in a *LoadError.
var (
	ErrEmptyProgram     = errors.New("empty program")
	ErrJumpOutOfRange   = errors.New("jump out of range")
	ErrUnknownHelper    = errors.New("unknown helper")
	ErrUnsupported      = errors.New("not supported")
	ErrBadMap           = errors.New("bad map reference")
	ErrHelperNotAllowed = errors.New("helper not allowed for the program type")
)

// Errors of Run, wrapped in a *RunError.
var (
	ErrBadAccess       = errors.New("invalid memory access")
	ErrMisaligned      = errors.New("misaligned atomic access")
	ErrBudgetExhausted = errors.New("instruction budget exhausted")
	ErrCallDepth       = errors.New("call depth exceeded")
	ErrFellOffEnd      = errors.New("execution fell off the end of the program")
	ErrHelper          = errors.New("helper failed")
	ErrSpinLock        = errors.New("bad bpf_spin_lock use")
)

// LoadError is a structural problem of a program found by Load.
type LoadError struct {
	Index int             // slice index of the offending instruction
	Insn  isa.Instruction // the instruction
	Err   error           // what is wrong; wraps a sentinel such as ErrJumpOutOfRange
}

func (e *LoadError) Error() string {
	return fmt.Sprintf("insn %d (%s): %v", e.Index, e.Insn, e.Err)
}

// Unwrap returns the cause.
func (e *LoadError) Unwrap() error { return e.Err }

// RunError stops a run: the instruction that failed and why.
type RunError struct {
	Index int             // slice index of the instruction
	Insn  isa.Instruction // the instruction
	Err   error           // the cause; wraps a sentinel such as ErrBadAccess
}

func (e *RunError) Error() string {
	return fmt.Sprintf("insn %d (%s): %v", e.Index, e.Insn, e.Err)
}

// Unwrap returns the cause.
func (e *RunError) Unwrap() error { return e.Err }

// AccessError describes a rejected memory access. It wraps ErrBadAccess or
// ErrMisaligned.
type AccessError struct {
	Addr  uint64 // first byte accessed
	Size  uint64 // bytes accessed
	Write bool   // a store (or the write of an atomic) rather than a load
	Err   error  // ErrBadAccess or ErrMisaligned
}

func (e *AccessError) Error() string {
	kind := "read"
	if e.Write {
		kind = "write"
	}
	return fmt.Sprintf("%v: %s of %d bytes at %#x", e.Err, kind, e.Size, e.Addr)
}

// Unwrap returns ErrBadAccess or ErrMisaligned.
func (e *AccessError) Unwrap() error { return e.Err }

// Stats describes one run.
type Stats struct {
	R0    uint64 // the return value
	Insns uint64 // instructions executed, the final exit included
}

// Program is a loaded program, immutable and safe for concurrent runs.
type Program struct {
	insns    []isa.Instruction // the program as given to Load
	code     []inst            // pre-decoded, one entry per instruction plus a sentinel
	consts   []uint64          // 64-bit immediates of lddw
	helpers  []HelperFunc      // helpers referenced by call, indexed by inst.imm
	registry map[int32]helper  // snapshot of the registry, for callx
	budget   uint64            // executed-instruction budget; ^0 = none
	pool     statePool

	typ      helpers.ProgType
	maps     []*maps.Map
	handles  []byte   // one byte per map: the address of handles[i] is map i's handle in registers
	funcs    []byte   // one byte per instruction: the address of funcs[i] is the callback pointer of instruction i
	isFunc   []bool   // instructions that lddw src=4 names as callbacks
	static   []region // map values addressed directly (lddw src 2 and 6), reachable in every run
	needsEnv bool     // the program calls helpers or uses maps: runs take an execution slot
	trace    io.Writer
	window   uint64           // bytes of stack the entry frame may use (see stackWindow)
	jit      *jitCode         // the compiled code, for Engine JIT
	verified *verifier.Result // what the verifier proved; nil for Unverified
	memSize  int              // Options.MemSize
	ctxAt    []bool           // instructions the verifier proved to access the context through the unmodified context pointer

	// direct: a Runner enters the compiled code straight away, through
	// its fresh prologue (see Runner.Run); writesStack: a run may leave
	// stack bytes to clear.
	direct      bool
	writesStack bool
}

// Load checks the structure of insns and prepares them to run: valid
// instructions, jump and local-call targets inside the program and not in
// the middle of an lddw, helper ids of call known to the registry. What the
// raw program type cannot run (LD_ABS/LD_IND, which need a packet context;
// lddw with a pseudo source, which needs maps; kfunc calls) is rejected here.
func Load(insns []isa.Instruction, opts Options) (*Program, error) {
	return load(insns, opts, true)
}

// load is Load with the fusion of instruction pairs optional, so that
// tests can compare fused and plain execution.
func load(insns []isa.Instruction, opts Options, fused bool) (*Program, error) {
	switch opts.Engine {
	case "", Interp:
	case JIT:
		if !jitSupported {
			return nil, fmt.Errorf("engine %q: %w on %s (available engines: %s)", opts.Engine, ErrEngineUnavailable, runtimePlatform, engineList())
		}
		fused = false // the JIT compiles the plain instructions
	default:
		return nil, fmt.Errorf("engine %q: %w (available engines: %s)", opts.Engine, ErrEngineUnavailable, engineList())
	}
	if len(insns) == 0 {
		return nil, ErrEmptyProgram
	}
	p := &Program{insns: append([]isa.Instruction(nil), insns...), typ: opts.Type, maps: append([]*maps.Map(nil), opts.Maps...), trace: opts.TraceOutput}
	if !knownType(opts.Type) {
		return nil, fmt.Errorf("program type %s: %w (supported: raw, socket_filter, sched_cls, sched_act, xdp, syscall)", opts.Type, ErrUnsupported)
	}
	for i, m := range p.maps {
		if m == nil {
			return nil, fmt.Errorf("map %d: %w: nil", i, ErrBadMap)
		}
	}
	if !opts.Unverified {
		res, err := verify(insns, opts)
		if err != nil {
			return nil, err
		}
		p.verified, p.memSize = res, opts.MemSize
		if opts.Type != helpers.Raw && opts.Type != helpers.Syscall {
			// Their contexts are computed fields, not memory.
			p.ctxAt = ctxAccesses(res)
		}
	}
	p.handles = make([]byte, len(p.maps)+1)
	p.funcs = make([]byte, len(insns)+1)
	p.isFunc = make([]bool, len(insns))
	switch {
	case opts.NoLimit, p.verified != nil && opts.MaxInsns == 0:
		// A verified program is proven to end: no budget unless asked.
		p.budget = ^uint64(0)
	case opts.MaxInsns == 0:
		p.budget = DefaultMaxInsns
	default:
		p.budget = opts.MaxInsns
	}
	p.registry = map[int32]helper{}
	for id, h := range kernelHelpers(opts.Type) {
		p.registry[id] = h
	}
	if opts.Helpers != nil {
		for id, h := range opts.Helpers.byID {
			p.registry[id] = h
		}
	}
	if err := p.predecode(fused); err != nil {
		return nil, err
	}
	if opts.Engine == JIT {
		if err := p.compileJIT(); err != nil {
			return nil, err
		}
	}
	if c := uint64(p.code[0].cost); p.jit != nil && p.typ == helpers.Raw && !p.needsEnv && !makesCalls(p.code) && c <= p.budget {
		p.direct = true
	}
	p.pool.init()
	return p, nil
}

const runtimePlatform = runtime.GOOS + "/" + runtime.GOARCH

// Engine returns the engine that runs the program.
func (p *Program) Engine() Engine {
	if p.jit != nil {
		return JIT
	}
	return Interp
}

func engineList() string {
	s := ""
	for i, e := range Engines() {
		if i > 0 {
			s += ", "
		}
		s += string(e)
	}
	return s
}

// Type returns the program type.
func (p *Program) Type() helpers.ProgType { return p.typ }

// Maps returns the program's maps, as given to Load.
func (p *Program) Maps() []*maps.Map { return append([]*maps.Map(nil), p.maps...) }

// Instructions returns a copy of the program's instructions.
func (p *Program) Instructions() []isa.Instruction {
	return append([]isa.Instruction(nil), p.insns...)
}

// Run runs the program as the raw program type: r1 holds the address of
// mem, r2 its length, r10 the top of the stack. The program reads and
// modifies mem in place. It returns r0.
func (p *Program) Run(mem []byte) (uint64, error) {
	s, err := p.RunStats(mem)
	return s.R0, err
}

// RunStats is Run that also reports how many instructions were executed.
//
// The budget is charged a straight-line stretch of instructions at a time,
// at each control transfer: a run whose budget ends inside such a stretch
// stops before executing any of it, with a RunError naming the first
// instruction beyond the budget; Insns then equals the budget.
func (p *Program) RunStats(mem []byte) (Stats, error) {
	if p.typ != helpers.Raw {
		return Stats{}, fmt.Errorf("Run is for the raw program type, this program is %s: %w (use TestRun)", p.typ, ErrUnsupported)
	}
	if err := p.checkMem(mem); err != nil {
		return Stats{}, err
	}
	st := p.pool.get()
	st.setMem(mem)
	r0, n, err := p.exec(st)
	st.release()
	p.pool.put(st)
	return Stats{R0: r0, Insns: n}, err
}

// RunRepeat runs the program n times over the same mem, as the kernel's
// BPF_PROG_TEST_RUN with repeat does, and returns the last r0 and the
// average duration of one run on the monotonic clock, excluding setup.
// It stops at the first failing run. n < 1 counts as 1.
func (p *Program) RunRepeat(mem []byte, n int) (r0 uint64, avg time.Duration, err error) {
	if n < 1 {
		n = 1
	}
	if p.typ != helpers.Raw {
		return 0, 0, fmt.Errorf("RunRepeat is for the raw program type, this program is %s: %w (use TestRun)", p.typ, ErrUnsupported)
	}
	if err := p.checkMem(mem); err != nil {
		return 0, 0, err
	}
	st := p.pool.get()
	st.setMem(mem)
	start := time.Now()
	i := 0
	for i < n {
		if p.needsEnv && i%repeatHold == 0 {
			if i > 0 {
				st.exit()
			}
			st.enter()
		}
		i++
		r0, _, err = p.exec(st)
		if err != nil {
			break
		}
		st.resetRegions()
	}
	if st.slot >= 0 {
		st.exit()
	}
	elapsed := time.Since(start)
	st.release()
	p.pool.put(st)
	return r0, elapsed / time.Duration(i), err
}
