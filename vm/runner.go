package vm

import (
	"fmt"

	"github.com/gbpf/gbpf/helpers"
)

// A Runner runs one raw-type program again and again from one goroutine.
// It owns a run state, where Run takes one from the program's pool and
// gives it back, so a Runner's Run costs only the program itself and the
// few stores that start and end a run: the choice for a loop that filters
// packets. Results and errors are those of Program.Run.
//
// A Runner is not safe for concurrent use; use one per goroutine. The
// Program stays safe to Run from other goroutines meanwhile.
type Runner struct {
	p     *Program
	st    *runState
	fresh uintptr // the fresh prologue of a program that runs directly, or 0
	clean bool    // a direct run leaves the stack as it found it (!p.writesStack)
}

// NewRunner returns a Runner for the program, which must be of the raw
// type.
func (p *Program) NewRunner() (*Runner, error) {
	if p.typ != helpers.Raw {
		return nil, fmt.Errorf("a Runner is for the raw program type, this program is %s: %w (use TestRun)", p.typ, ErrUnsupported)
	}
	r := &Runner{p: p, st: newRunState()}
	if p.direct {
		r.fresh = p.jitFresh()
		r.clean = !p.writesStack
	}
	r.prepare()
	return r, nil
}

// prepare sets up the run state for a direct run: the entry frame, with
// the program's stack window.
func (r *Runner) prepare() {
	st, p := r.st, r.p
	st.stackLo = st.stackTop - p.window
	st.stackN = p.window
	st.clearN = p.window
	st.depth, st.baseDepth, st.maxDepth = 0, 0, 0
	st.call.prog = p
}

// Program returns the program the Runner runs.
func (r *Runner) Program() *Program { return r.p }

// Run runs the program once over mem, as Program.Run does.
//
// A compiled program that makes no calls and uses no maps runs directly:
// its machine code is entered from here, and only an event that needs
// the slow path (an access outside the stack and mem, an error) goes
// through the general machinery.
func (r *Runner) Run(mem []byte) (uint64, error) {
	if r.p.verified != nil && len(mem) != r.p.memSize {
		return 0, r.p.checkMem(mem)
	}
	if r.fresh != 0 {
		// The compiled code reads mem through st.memLo and st.memN; st.mem,
		// which keeps mem reachable for the slow path, is set only when
		// a run needs it.
		r0, ev := jitEnter(r.fresh, r.st, mem)
		if ev == evExit && r.clean {
			return r0, nil
		}
		return r.finish(mem, r0, int(ev))
	}
	st, p := r.st, r.p
	st.setMem(mem)
	r0, _, err := p.exec(st)
	st.resetRegions()
	st.mem = nil // hold no reference to the caller's memory between runs
	r.prepare()
	return r0, err
}

// finish completes a direct run that left its code with event ev: it
// resumes the run where the code needs the general machinery, and clears
// the stack window the run may have written.
func (r *Runner) finish(mem []byte, r0 uint64, ev int) (uint64, error) {
	st, p := r.st, r.p
	var err error
	if ev != evExit {
		st.mem = mem
		_, _, err = st.resume(p, int(st.jpc), st.jleft, ev)
		st.mem = nil
		r.prepare()
		r0 = st.regs[0]
	}
	if p.writesStack {
		clear(st.stack[uint64(len(st.stack))-p.window:])
	}
	if err != nil {
		return 0, err
	}
	return r0, nil
}
