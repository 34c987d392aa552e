package vm

import (
	"fmt"
	"sync"

	"github.com/gbpf/gbpf/maps"
)

// region is memory a run may reach besides its stack and input.
type region struct {
	lo, n    uint64
	writable bool
	lock     uint64 // address of the map value's struct bpf_spin_lock plus 1; 0 when it has none
	buf      []byte // keeps the memory referenced during the run
}

// frame is a saved caller of a bpf-to-bpf call.
type frame struct {
	ret     int       // instruction index to return to
	saved   [4]uint64 // r6 to r9
	r10     uint64
	retAddr uintptr // JIT: the native address to return to
	// caller is 0, or 1 plus the index in runState.callers of the
	// program to return into when the called frame's code was replaced
	// by a tail call: its exit then goes through resume, which switches
	// programs. (An index, not a pointer: the JIT clears it.)
	caller int
}

// runState is the per-run state. It lives on the heap (pooled), so the
// eBPF stack never moves while a run holds its address in registers.
type runState struct {
	stack    [MaxFrames * StackSize]byte
	frames   [MaxFrames]frame
	stackTop uint64 // address one past the end of stack
	mem      []byte // the input memory, referenced during the run
	memLo    uint64
	memN     uint64
	regions  []region
	maxDepth int    // deepest frame used since the stack was last cleared
	depth    int    // current frame, 0 = the entry frame
	stackLo  uint64 // lowest stack address the current frame may touch
	stackN   uint64 // stackTop - stackLo
	call     Call

	env         *env   // the program type's context and packet; nil for the raw type
	ctxLo       uint64 // the context structure, reachable only through env's access rules
	ctxN        uint64
	baseDepth   int      // the frame whose exit ends the current drive (callbacks run above the caller)
	tail        *Program // target of a tail call made by the helper just run
	tailCalls   int      // tail calls taken in this run
	left        uint64   // budget left, handed to helpers that run callbacks
	slot        int      // execution slot ("CPU") of the run, -1 when none is held
	token       maps.RunToken
	rawReserved []reservation // ring buffer records reserved by a raw-type run
	callers     []*Program    // programs that tail calls from called frames return into (frame.caller)

	clearN uint64 // bytes at the top of the stack the entry frame may have written (the program's stack window)

	// The JIT's exchange with its machine code: the budget left, and
	// where and why the code stopped; jtmp is scratch for divisions.
	jleft, jpc, jev, jtmp uint64

	held   []byte   // the bpf_spin_lock the run holds, nil when none
	heldBy *Program // the program whose helper call took it
	heldAt int      // and that call's instruction

	regs [16]uint64 // r0-r10; the rest pad the array so that a masked index needs no bounds check
}

func newRunState() *runState {
	s := new(runState)
	s.stackTop = addrOf(s.stack[:]) + uint64(len(s.stack))
	s.call.st = s
	s.slot = -1
	s.clearN = StackSize
	return s
}

func (s *runState) setMem(mem []byte) {
	s.mem = mem
	s.memLo = addrOf(mem)
	s.memN = uint64(len(mem))
}

// resetRegions forgets the regions helpers added and clears the stack
// frames used, so that the next run starts from a zeroed stack.
func (s *runState) resetRegions() {
	for i := range s.regions {
		s.regions[i].buf = nil
	}
	s.regions = s.regions[:0]
	if len(s.callers) > 0 {
		clear(s.callers)
		s.callers = s.callers[:0]
	}
	clear(s.stack[uint64(len(s.stack))-uint64(s.maxDepth)*StackSize-s.clearN:])
	s.maxDepth = 0
}

// newRegion adds the region of b (without a lock) to the run and returns
// it. It fills the new element in place: building a region elsewhere and
// copying it in costs store-forwarding stalls on every map lookup.
func (s *runState) newRegion(b []byte, writable bool) *region {
	rs := s.regions
	if len(rs) < cap(rs) {
		rs = rs[:len(rs)+1]
	} else {
		rs = append(rs, region{})
	}
	s.regions = rs
	r := &rs[len(rs)-1]
	r.lo, r.n, r.writable, r.lock, r.buf = addrOf(b), uint64(len(b)), writable, 0, b
	return r
}

// release drops every reference to the caller's memory.
func (s *runState) release() {
	s.resetRegions()
	s.mem = nil
	s.memLo, s.memN = 0, 0
	s.env = nil
	s.ctxLo, s.ctxN = 0, 0
	s.call.prog = nil
	s.tail = nil
	s.rawReserved = s.rawReserved[:0]
}

// reachable reports whether [a, a+size) lies in one region of the run:
// the current stack frame or a caller's, the input memory or a region
// added by a helper.
func (s *runState) reachable(a, size uint64, write bool) bool {
	if !outside(a, s.stackLo, s.stackN, size) {
		return true
	}
	if !outside(a, s.memLo, s.memN, size) {
		return true
	}
	return s.inRegions(a, size, write)
}

// inRegions reports whether [a, a+size) lies in one helper-added region.
func (s *runState) inRegions(a, size uint64, write bool) bool {
	for i := range s.regions {
		r := &s.regions[i]
		if !outside(a, r.lo, r.n, size) && (r.writable || !write) {
			return true
		}
	}
	return false
}

// lockAt returns the 4 bytes of the bpf_spin_lock at a, or nil when a is
// not the lock of a map value the run can reach.
func (s *runState) lockAt(a uint64) []byte {
	for i := range s.regions {
		r := &s.regions[i]
		if r.lock == a+1 && a != ^uint64(0) {
			o := a - r.lo
			return r.buf[o : o+4 : o+4]
		}
	}
	return nil
}

// dropLock releases the lock a run still holds as it ends; the run fails
// with err or, when it had none, with ErrSpinLock at the call that took
// the lock (the kernel's verifier refuses such a program: "bpf_spin_unlock
// is missing").
func (s *runState) dropLock(err error) error {
	maps.SpinUnlock(s.held)
	s.held = nil
	if err == nil {
		err = s.heldBy.runError(s.heldAt, fmt.Errorf("%w: the program exited holding the lock it took here", ErrSpinLock))
	}
	s.heldBy = nil
	return err
}

// outside reports whether [a, a+size) is not inside [lo, lo+n).
func outside(a, lo, n, size uint64) bool {
	d := a - lo
	return d >= n || n-d < size
}

// statePool pools run states per program.
type statePool struct{ p sync.Pool }

func (sp *statePool) init() { sp.p.New = func() any { return newRunState() } }

func (sp *statePool) get() *runState { return sp.p.Get().(*runState) }

func (sp *statePool) put(s *runState) { sp.p.Put(s) }
