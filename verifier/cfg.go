package verifier

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
)

// verifier holds one verification.
type verifier struct {
	insns []isa.Instruction
	opts  Options
	maps  []MapInfo // Options.Maps, then the inner maps of maps of maps
	inner []int32   // index in maps of each map's inner map, -1 if none
	si    *isa.SlotIndex
	log   strings.Builder

	subprogs     []int                   // first instruction of each subprogram, sorted; subprogs[0] = 0
	subprogOf    []int                   // subprogram of each instruction
	prune        []bool                  // prune points: jump targets and fall-throughs of conditional jumps
	target       []int                   // jump target of each jump, call target of each local call and callback lddw, else -1
	callsCB      []bool                  // helper calls that call a callback (bpf_loop, for_each_map_elem): forced checkpoints
	cbActive     map[cbKey][]*checkpoint // in-progress checkpoints at callback call sites, by call
	cbFork       *state                  // the state entering a callback, forked by the last helper call
	freeFrames   []*frame                // frames of ended paths, for reuse
	live         []regSet                // registers each instruction's frame may still read (computeLiveness)
	sub          subprogFacts            // what each subprogram contains (scanSubprogs)
	tailReach    []bool                  // subprograms that may end in a tail call, directly or through calls
	nextCall     uint32                  // the last frame.cbCall given
	start        time.Time               // when Verify began
	took         time.Duration           // how long it took, set with the log's statistics
	info         []InsnInfo
	stackDepth   []int // per subprogram
	maxCtxOffset int   // one past the last context byte accessed (max_ctx_offset)

	explored    [][]*checkpoint           // fully explored checkpoints per instruction
	loops       map[loopKey][]*checkpoint // checkpoints still being explored
	inProgress  []int
	processed   int
	totalStates int
	curStates   int
	peakStates  int
	jmps        int
	nextID      uint32
	prevJmps    int
	prevInsns   int
}

func newVerifier(insns []isa.Instruction, opts Options) *verifier {
	v := &verifier{insns: insns, opts: opts, start: time.Now()}
	n := len(opts.Maps)
	v.maps = append([]MapInfo(nil), opts.Maps...)
	for k := 0; k < n; k++ {
		if t := v.maps[k].Type; t == maps.DevMap || t == maps.DevMapHash {
			// dev_map_init_map: programs only read device map values.
			v.maps[k].Flags |= maps.FlagRdOnlyProg
		}
		v.inner = append(v.inner, -1)
		if in := opts.Maps[k].Inner; in != nil {
			v.inner[k] = int32(len(v.maps))
			m := *in
			m.Inner = nil // the kernel has no maps of maps of maps
			v.maps = append(v.maps, m)
		}
	}
	for len(v.inner) < len(v.maps) {
		v.inner = append(v.inner, -1)
	}
	return v
}

// slot returns the kernel's number of instruction i.
func (v *verifier) slot(i int) int { return v.si.Slot(i) }

// fail returns the error for instruction i (or -1) with the kernel's reason,
// appending the reason to the log.
func (v *verifier) fail(i int, format string, args ...any) *Error {
	reason := fmt.Sprintf(format, args...)
	v.log.WriteString(reason)
	v.log.WriteString("\n")
	e := &Error{Index: i, Reason: reason}
	if i >= 0 && i < len(v.insns) {
		e.Insn = v.insns[i]
	}
	v.finishLog()
	e.Log = v.log.String()
	return e
}

// unsupported is fail for something the verifier does not model.
func (v *verifier) unsupported(i int, format string, args ...any) *Error {
	e := v.fail(i, format, args...)
	e.unsupported = true
	return e
}

func (v *verifier) finishLog() {
	v.took = time.Since(v.start)
	fmt.Fprintf(&v.log, "verification time %d usec\n", v.took.Microseconds())
	v.log.WriteString("stack depth ")
	for k := range v.subprogs {
		if k > 0 {
			v.log.WriteString("+")
		}
		d := 0
		if k < len(v.stackDepth) {
			d = v.stackDepth[k]
		}
		fmt.Fprintf(&v.log, "%d", d)
	}
	v.log.WriteString("\n")
	fmt.Fprintf(&v.log, "processed %d insns (limit %d) max_states_per_insn %d total_states %d peak_states %d mark_read 0\n",
		v.processed, MaxProcessedInsns, v.maxStatesPerInsn(), v.totalStates, v.peakStates)
}

func (v *verifier) maxStatesPerInsn() int {
	m := 0
	for _, l := range v.explored {
		m = max(m, len(l))
	}
	return m
}

// checkStructure runs the kernel's check_subprogs and check_cfg: valid
// instructions, jumps inside their subprogram and not into an lddw, every
// subprogram ending in exit or jump, every instruction reachable, and for
// unprivileged programs no back-edges.
func (v *verifier) checkStructure() error {
	n := len(v.insns)
	limit := MaxInsns
	if v.opts.Unprivileged {
		limit = MaxUnprivInsns
	}
	if n == 0 {
		return v.fail(-1, "program is empty")
	}
	v.si = isa.NewSlotIndex(v.insns)
	if v.si.Len() > limit {
		return v.fail(-1, "program of %d insns is too large (limit %d)", v.si.Len(), limit)
	}
	for i, ins := range v.insns {
		if err := ins.Validate(); err != nil {
			return v.fail(i, "%s", strings.TrimPrefix(err.Error(), isa.ErrInvalid.Error()+": "))
		}
	}
	v.target = make([]int, n)
	starts := map[int]bool{0: true}
	for i, ins := range v.insns {
		v.target[i] = -1
		if ins.IsLocalCall() || (ins.IsLoadImm64() && ins.Src == isa.PseudoFunc) {
			if v.opts.Unprivileged {
				return v.fail(i, "loading/calling other bpf or kernel functions are allowed for CAP_BPF and CAP_SYS_ADMIN")
			}
			off := int64(ins.Imm32())
			s := int64(v.slot(i)) + off + 1
			t := v.si.Index(int(s))
			if s < 0 || s >= int64(v.si.Len()) || t < 0 {
				return v.fail(i, "call to invalid destination")
			}
			v.target[i] = t
			starts[t] = true
		}
	}
	for s := range starts {
		v.subprogs = append(v.subprogs, s)
	}
	sort.Ints(v.subprogs)
	v.subprogOf = make([]int, n)
	for k, start := range v.subprogs {
		end := n
		if k+1 < len(v.subprogs) {
			end = v.subprogs[k+1]
		}
		for i := start; i < end; i++ {
			v.subprogOf[i] = k
			ins := v.insns[i]
			if ins.IsJump() {
				s := int64(v.slot(i)) + ins.JumpOffset() + 1
				t := v.si.Index(int(s))
				if s < int64(v.slot(start)) || s >= int64(v.slotEnd(end)) {
					return v.fail(i, "jump out of range from insn %d to %d", v.slot(i), s)
				}
				if t < 0 {
					// Lands on the second half of an lddw.
					return v.fail(v.si.Index(int(s)-1), "jump into the middle of ldimm64 insn %d", s-1)
				}
				v.target[i] = t
			}
			if i == end-1 && ins.OpCode != isa.OpExit && ins.OpCode != isa.OpJA && ins.OpCode != isa.OpJA32 {
				return v.fail(i, "last insn is not an exit or jmp")
			}
		}
	}
	return v.checkCFG()
}

// slotEnd is the slot number of instruction end (which may be len).
func (v *verifier) slotEnd(end int) int {
	if end >= len(v.insns) {
		return v.si.Len()
	}
	return v.slot(end)
}

// checkCFG walks the control-flow graph depth first from the entry, as
// check_cfg: unreachable instructions and (unprivileged) back-edges.
func (v *verifier) checkCFG() error {
	n := len(v.insns)
	const (
		unseen = iota
		onStack
		done
	)
	state := make([]uint8, n)
	v.prune = make([]bool, n)
	v.callsCB = make([]bool, n)
	type frame struct{ i, next int }
	stack := []frame{{0, 0}}
	state[0] = onStack
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		succ := v.successors(top.i)
		if top.next >= len(succ) {
			state[top.i] = done
			stack = stack[:len(stack)-1]
			continue
		}
		w := succ[top.next]
		top.next++
		switch state[w] {
		case unseen:
			state[w] = onStack
			stack = append(stack, frame{w, 0})
		case onStack:
			if v.opts.Unprivileged {
				return v.fail(top.i, "back-edge from insn %d to %d", v.slot(top.i), v.slot(w))
			}
		}
	}
	for i := 0; i < n; i++ {
		if state[i] == unseen {
			return v.fail(i, "unreachable insn %d", v.slot(i))
		}
	}
	for i, ins := range v.insns {
		switch {
		case ins.IsJump():
			v.prune[v.target[i]] = true
			if ins.OpCode != isa.OpJA && ins.OpCode != isa.OpJA32 && i+1 < n {
				v.prune[i+1] = true
			}
		case ins.IsLocalCall():
			v.prune[v.target[i]] = true
			if i+1 < n {
				v.prune[i+1] = true
			}
		case ins.IsHelperCall() && callsCallback(helpers.ID(ins.Imm32())):
			// mark_force_checkpoint: callback iterations meet here.
			v.prune[i] = true
			v.callsCB[i] = true
		}
	}
	return nil
}

// successors lists the instructions control may reach after i in the
// control-flow graph (calls reach the callee and the next instruction).
func (v *verifier) successors(i int) []int {
	ins := v.insns[i]
	n := len(v.insns)
	var out []int
	switch {
	case ins.OpCode == isa.OpExit:
	case ins.OpCode == isa.OpJA || ins.OpCode == isa.OpJA32:
		out = append(out, v.target[i])
	case ins.IsJump():
		if i+1 < n {
			out = append(out, i+1)
		}
		out = append(out, v.target[i])
	case ins.IsLocalCall(), ins.IsLoadImm64() && ins.Src == isa.PseudoFunc:
		// A callback's subprogram is reached from the lddw naming it
		// (visit_func_call_insn).
		if i+1 < n {
			out = append(out, i+1)
		}
		out = append(out, v.target[i])
	default:
		if i+1 < n {
			out = append(out, i+1)
		}
	}
	return out
}

// cbKey names one call of a callback-calling helper: the instruction and
// the frame's cbCall.
type cbKey struct {
	insn int
	call uint32
}
