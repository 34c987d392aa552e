package vm

import "github.com/gbpf/gbpf/isa"

// LoadUnfused loads without fusing instruction pairs, for tests that
// compare fused and plain execution.
func LoadUnfused(insns []isa.Instruction, opts Options) (*Program, error) {
	return load(insns, opts, false)
}

// Outcome is what one run did.
type Outcome struct {
	Stats Stats
	Err   string
	Mem   []byte
}

// RunBoth runs a and then b over the same memory (restored in between)
// with the same run state, so that every address they see is the same,
// and returns both outcomes.
func RunBoth(a, b *Program, mem []byte) (Outcome, Outcome) {
	orig := append([]byte(nil), mem...)
	st := a.pool.get()
	run := func(p *Program) Outcome {
		copy(mem, orig)
		st.setMem(mem)
		r0, n, err := p.exec(st)
		st.release()
		o := Outcome{Stats: Stats{R0: r0, Insns: n}, Mem: append([]byte(nil), mem...)}
		if err != nil {
			o.Err = err.Error()
		}
		return o
	}
	oa := run(a)
	ob := run(b)
	a.pool.put(st)
	return oa, ob
}

// RunThroughRunner runs a once on a pooled run state, as RunBoth does,
// then b twice through a Runner that uses the same run state, so that
// results derived from host addresses agree. Runner outcomes report no
// instruction count.
func RunThroughRunner(a, b *Program, mem []byte) (Outcome, [2]Outcome) {
	orig := append([]byte(nil), mem...)
	st := a.pool.get()
	defer a.pool.put(st)
	copy(mem, orig)
	st.setMem(mem)
	r0, n, err := a.exec(st)
	st.release()
	want := Outcome{Stats: Stats{R0: r0, Insns: n}, Mem: append([]byte(nil), mem...)}
	if err != nil {
		want.Err = err.Error()
	}
	r := &Runner{p: b, st: st}
	r.prepare()
	var got [2]Outcome
	for k := range got {
		copy(mem, orig)
		r0, err := r.Run(mem)
		got[k] = Outcome{Stats: Stats{R0: r0}, Mem: append([]byte(nil), mem...)}
		if err != nil {
			got[k].Err = err.Error()
		}
	}
	st.release()
	return want, got
}

// StackWindow reports the stack window of p and whether its runs may
// write the stack.
func StackWindow(p *Program) (uint64, bool) { return p.window, p.writesStack }
