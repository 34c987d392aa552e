package seccomp

import (
	"fmt"

	"github.com/gbpf/gbpf/cbpf"
)

// label names a position in a program under construction.
type label int

// item is an instruction whose jump targets are still labels.
type item struct {
	ins    cbpf.Instruction
	jt, jf label // targets of a conditional jump, or jt of "ja"
	jump   bool
}

// builder assembles a program with symbolic jump targets.
type builder struct {
	items  []item
	labels []int // label -> index of the item it marks; -1 while unmarked
}

func (b *builder) newLabel() label {
	b.labels = append(b.labels, -1)
	return label(len(b.labels) - 1)
}

func (b *builder) mark(l label) { b.labels[l] = len(b.items) }

func (b *builder) emit(ins cbpf.Instruction) { b.items = append(b.items, item{ins: ins}) }

// ld loads the seccomp_data word at offset off into A.
func (b *builder) ld(off uint32) { b.emit(cbpf.Stmt(cbpf.OpLdW, off)) }

func (b *builder) ret(a Action) { b.emit(cbpf.Stmt(cbpf.OpRetK, uint32(a))) }

// jump emits a conditional jump on A against k (or "ja t" for cbpf.OpJA).
func (b *builder) jump(op uint16, k uint32, t, f label) {
	b.items = append(b.items, item{ins: cbpf.Instruction{Op: op, K: k}, jt: t, jf: f, jump: true})
}

// compare emits the test of one argument comparison: control goes to ok when
// it holds and to fail when not. The high word is compared first, as libseccomp does.
func (b *builder) compare(c ArgCmp, little bool, ok, fail label) {
	loOff, hiOff := argOffset(c.Index, little)
	hiV, loV := uint32(c.Value>>32), uint32(c.Value)
	lo := b.newLabel()
	switch c.Op {
	case OpEq, OpNe:
		eq, ne := ok, fail
		if c.Op == OpNe {
			eq, ne = fail, ok
		}
		b.ld(hiOff)
		b.jump(cbpf.OpJEQK, hiV, lo, ne)
		b.mark(lo)
		b.ld(loOff)
		b.jump(cbpf.OpJEQK, loV, eq, ne)
	case OpMaskedEq:
		// A half whose mask is 0 is decided without a load: it holds
		// exactly when that half of the value is 0 too.
		hiM, loM := uint32(c.Mask>>32), uint32(c.Mask)
		if hiM == 0 && hiV != 0 || loM == 0 && loV != 0 {
			b.jump(cbpf.OpJA, 0, fail, fail)
			b.mark(lo) // unused
			break
		}
		if hiM != 0 {
			b.ld(hiOff)
			b.emit(cbpf.Stmt(cbpf.OpAndK, hiM))
			b.jump(cbpf.OpJEQK, hiV, lo, fail)
		}
		b.mark(lo)
		if loM != 0 {
			b.ld(loOff)
			b.emit(cbpf.Stmt(cbpf.OpAndK, loM))
			b.jump(cbpf.OpJEQK, loV, ok, fail)
		} else {
			b.jump(cbpf.OpJA, 0, ok, ok)
		}
	case OpGt, OpGe, OpLt, OpLe:
		// above: the high word decides "greater"; below: it decides "less".
		above, below := ok, fail
		if c.Op == OpLt || c.Op == OpLe {
			above, below = fail, ok
		}
		b.ld(hiOff)
		hiEq := b.newLabel()
		b.jump(cbpf.OpJGTK, hiV, above, hiEq)
		b.mark(hiEq)
		b.jump(cbpf.OpJEQK, hiV, lo, below)
		b.mark(lo)
		b.ld(loOff)
		switch c.Op {
		case OpGt:
			b.jump(cbpf.OpJGTK, loV, ok, fail)
		case OpGe:
			b.jump(cbpf.OpJGEK, loV, ok, fail)
		case OpLt: // lo < v  <=>  !(lo >= v)
			b.jump(cbpf.OpJGEK, loV, fail, ok)
		case OpLe: // lo <= v  <=>  !(lo > v)
			b.jump(cbpf.OpJGTK, loV, fail, ok)
		}
	}
}

// assemble resolves the labels. A conditional jump whose target is more than
// 255 instructions ahead is followed by a trampoline for that target: a copy
// of the target when it is a return, otherwise "ja". Trampolines only make
// other jumps longer, so they are added until every jump fits.
func (b *builder) assemble() ([]cbpf.Instruction, error) {
	for i, at := range b.labels {
		if at < 0 {
			return nil, fmt.Errorf("seccomp: internal error: label %d never placed", i)
		}
	}
	b.thread()
	b.dropUnreachable()
	n := len(b.items)
	far := make([]uint8, n) // bit 0: jt needs a trampoline, bit 1: jf does
	for {
		pos := make([]int, n+1) // where item i starts
		for i := 0; i < n; i++ {
			pos[i+1] = pos[i] + 1 + int(far[i]&1) + int(far[i]>>1)
		}
		if pos[n] > cbpf.MaxInsns {
			return nil, fmt.Errorf("%w (%d)", ErrTooLong, pos[n])
		}
		target := func(l label) int { return pos[b.labels[l]] }
		// tramp returns the trampoline to label l placed at slot at.
		tramp := func(l label, at int) cbpf.Instruction {
			if it := b.items[b.labels[l]]; !it.jump && it.ins.Op&0x07 == cbpf.ClassRET {
				return it.ins
			}
			return cbpf.Stmt(cbpf.OpJA, uint32(target(l)-at-1))
		}
		grew := false
		out := make([]cbpf.Instruction, 0, pos[n])
		for i, it := range b.items {
			ins := it.ins
			switch {
			case !it.jump:
				out = append(out, ins)
			case ins.Op == cbpf.OpJA:
				ins.K = uint32(target(it.jt) - pos[i] - 1)
				out = append(out, ins)
			default:
				extra := int(far[i]&1) + int(far[i]>>1)
				t, f := target(it.jt)-pos[i]-1, target(it.jf)-pos[i]-1
				if far[i]&1 != 0 {
					t = 0
				}
				if far[i]&2 != 0 {
					f = extra - 1
				}
				need := far[i]
				if t > 255 {
					need |= 1
				}
				if f > 255 {
					need |= 2
				}
				if need != far[i] {
					far[i] = need
					grew = true
					continue
				}
				ins.Jt, ins.Jf = uint8(t), uint8(f)
				out = append(out, ins)
				if far[i]&1 != 0 {
					out = append(out, tramp(it.jt, pos[i]+1))
				}
				if far[i]&2 != 0 {
					out = append(out, tramp(it.jf, pos[i]+extra))
				}
			}
		}
		if !grew {
			return out, nil
		}
	}
}

// thread retargets every jump whose target is an unconditional "ja" to that
// jump's own target (jump threading), so no jump lands on a jump.
func (b *builder) thread() {
	final := func(l label) label {
		for hops := 0; hops < len(b.items); hops++ {
			at := b.labels[l]
			if at >= len(b.items) {
				break
			}
			it := b.items[at]
			if !it.jump || it.ins.Op != cbpf.OpJA {
				break
			}
			l = it.jt
		}
		return l
	}
	for i := range b.items {
		if b.items[i].jump {
			b.items[i].jt = final(b.items[i].jt)
			b.items[i].jf = final(b.items[i].jf)
		}
	}
}

// dropUnreachable removes the items no path from the first reaches and
// moves each label to the next item that stays.
func (b *builder) dropUnreachable() {
	n := len(b.items)
	seen := make([]bool, n+1)
	work := []int{0}
	for len(work) > 0 {
		i := work[len(work)-1]
		work = work[:len(work)-1]
		if i >= n || seen[i] {
			continue
		}
		seen[i] = true
		it := b.items[i]
		switch {
		case it.jump && it.ins.Op == cbpf.OpJA:
			work = append(work, b.labels[it.jt])
		case it.jump:
			work = append(work, b.labels[it.jt], b.labels[it.jf])
		case it.ins.Op&0x07 == cbpf.ClassRET:
		default:
			work = append(work, i+1)
		}
	}
	newIndex := make([]int, n+1)
	var kept []item
	for i := 0; i <= n; i++ {
		newIndex[i] = len(kept)
		if i < n && seen[i] {
			kept = append(kept, b.items[i])
		}
	}
	for l, at := range b.labels {
		b.labels[l] = newIndex[at]
	}
	b.items = kept
}
