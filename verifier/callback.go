package verifier

import (
	"fmt"
	"math"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
)

// Callbacks. bpf_loop and bpf_for_each_map_elem call a subprogram named
// by lddw src=4 any number of times. As the kernel does
// (push_callback_call, prepare_func_exit), the helper call forks a state
// that enters the callback in a new frame, while the current state goes on
// after the call as if the callback never ran; the callback's exit returns
// to the helper call itself, which forks the next iteration and goes on
// again. The call site is a forced checkpoint: an iteration whose state an
// earlier one at the call site covers is pruned, even while that earlier
// state is still being explored, which is how the iterations converge.
// bpf_loop explores at most as many iterations as its count allows; with a
// count above maxUnrolledLoop, and for for_each_map_elem, scalars that
// changed since the previous iteration are widened to unknown values on
// return from the callback (widen_imprecise_scalars: the kernel widens
// only the scalars it does not track as precise; gbpf tracks no
// precision, so it widens every changed scalar of a long loop and none of
// a short one).

// callsCallback reports whether helper id calls a callback synchronously.
func callsCallback(id helpers.ID) bool {
	return id == helpers.Loop || id == helpers.ForEachMapElem
}

// pushCallback returns the state entering the callback subprogram sp of
// the helper call at i, with the callee's registers of the kernel's
// set_loop_callback_state or set_map_elem_callback_state; nil if bpf_loop
// has iterated as often as its count allows on this path.
func (v *verifier) pushCallback(st *state, i int, id helpers.ID, sp int, mapIdx int32) (*state, error) {
	caller := st.cur()
	if id == helpers.Loop && uint64(caller.cbIter) >= caller.regs[isa.R1].umax {
		caller.cbIter = 0
		if v.opts.LogLevel > 1 {
			v.logf("frame%d bpf_loop iteration limit reached\n", len(st.frames)-1)
		}
		return nil, nil
	}
	if len(st.frames) >= MaxCallFrames {
		return nil, v.fail(i, "the call stack of %d frames is too deep", len(st.frames)+1)
	}
	cb := v.clone(st)
	cb.from = i
	cb.cbDepth++
	cb.cur().cbIter++
	caller.cbIter = 0
	c := cb.cur()
	callee := &frame{callsite: i, subprog: sp, callback: true}
	switch id {
	case helpers.Loop:
		// callback_fn(u32 index, void *callback_ctx)
		callee.regs[isa.R1] = unknownScalar()
		callee.regs[isa.R2] = c.regs[isa.R3]
	case helpers.ForEachMapElem:
		// callback_fn(map, key, value, callback_ctx)
		callee.regs[isa.R1] = c.regs[isa.R1]
		key := pointerTo(PtrToMapKey, 0)
		key.mapIdx = mapIdx
		callee.regs[isa.R2] = key
		val := pointerTo(PtrToMapValue, 0)
		val.mapIdx = mapIdx
		callee.regs[isa.R3] = val
		callee.regs[isa.R4] = c.regs[isa.R3]
	}
	callee.regs[isa.R10] = pointerTo(PtrToStack, 0)
	callee.regs[isa.R10].frame = uint8(len(cb.frames))
	cb.frames = append(cb.frames, callee)
	cb.insn = v.subprogs[sp]
	return cb, nil
}

// callbackExit checks the return of a callback and returns to its helper
// call (prepare_func_exit for in_callback_fn).
func (v *verifier) callbackExit(st *state, i int) error {
	// The references it acquired must be released before it returns
	// (check_reference_leak for in_callback_fn).
	if err := v.checkReferenceLeak(st, i, len(st.frames)-1); err != nil {
		return err
	}
	callee := st.cur()
	r0 := &callee.regs[isa.R0]
	if r0.typ != Scalar {
		if r0.typ == NotInit {
			return v.fail(i, "R0 !read_ok")
		}
		return v.fail(i, "R0 not a scalar value")
	}
	// The callback returns 0 (go on) or 1 (stop), as a 64-bit value.
	if r0.smin < 0 || r0.smax > 1 {
		return v.fail(i, "At callback return the register R0 has%s should have been in [0, 1]", scalarBounds(r0))
	}
	st.frames = st.frames[:len(st.frames)-1]
	st.insn = callee.callsite
	st.cbReturn = true
	if v.insns[callee.callsite].Imm32() == int32(helpers.Loop) && st.cur().regs[isa.R1].umax <= maxUnrolledLoop {
		// A short bpf_loop ends by its count: every iteration is
		// explored precisely, as the kernel does for the scalars it
		// tracks as precise.
		return nil
	}
	if st.cur().cbIter <= exactIterations {
		// The first iterations of any loop are explored exactly, so that
		// an index the kernel tracks precisely meets its bound as there.
		return nil
	}
	if prev := v.prevEntry(st); prev != nil {
		widen(prev, st)
	}
	return nil
}

// exactIterations is how many iterations of a long bpf_loop or of
// for_each_map_elem are explored before changed scalars are widened.
const exactIterations = 2

// maxUnrolledLoop is the largest bpf_loop count whose iterations are all
// explored without widening.
const maxUnrolledLoop = 1024

// scalarBounds prints a scalar's signed bounds as verbose_invalid_scalar.
func scalarBounds(r *reg) string {
	s := ""
	if r.smin > math.MinInt64 {
		s += fmt.Sprintf(" smin=%d", r.smin)
	}
	if r.smax < math.MaxInt64 {
		s += fmt.Sprintf(" smax=%d", r.smax)
	}
	if s == "" {
		s = " unknown scalar value"
	}
	return s
}

// prevEntry finds the checkpoint of an earlier visit of st's instruction
// on the current path with the same call sites (find_prev_entry).
func (v *verifier) prevEntry(st *state) *state {
	for c := st.parent; c != nil; c = c.parent {
		if c.insn != st.insn || len(c.st.frames) != len(st.frames) {
			continue
		}
		same := true
		for k := range st.frames {
			if c.st.frames[k].callsite != st.frames[k].callsite {
				same = false
				break
			}
		}
		if same {
			return c.st
		}
	}
	return nil
}

// widen makes every scalar of cur that differs from its value in old an
// unknown scalar, registers and spilled scalars of every frame
// (widen_imprecise_scalars).
func widen(old, cur *state) {
	w := func(o, c *reg) {
		if o.typ != Scalar || c.typ != Scalar {
			return
		}
		a, b := *o, *c
		a.id, b.id = 0, 0
		if a != b {
			*c = unknownScalar()
		}
	}
	for k, cf := range cur.frames {
		of := old.frames[k]
		for r := range cf.regs {
			w(&of.regs[r], &cf.regs[r])
		}
		for s := range cf.stack {
			if s < len(of.stack) && of.stack[s].isSpill() && cf.stack[s].isSpill() {
				w(&of.stack[s].spill, &cf.stack[s].spill)
			}
		}
	}
}

// forEachMap reports whether bpf_for_each_map_elem can walk maps of type t
// (those with map_for_each_callback).
func forEachMap(t maps.Type) bool {
	switch t {
	case maps.Hash, maps.LRUHash, maps.PerCPUHash, maps.LRUPerCPUHash, maps.Array, maps.PerCPUArray:
		return true
	}
	return false
}
