package filter

import (
	"fmt"

	"github.com/gbpf/gbpf/cbpf"
)

// slength counts the statements of a list that are not no-ops.
func slength(s *slist) int {
	n := 0
	for ; s != nil; s = s.next {
		if s.s.code != opNOP {
			n++
		}
	}
	return n
}

// emitter linearizes the block graph the way libpcap's icode_to_fcode
// does: blocks are laid out from the end, false branch first.
type emitter struct {
	mark  int
	marks map[*block]int
	out   []cbpf.Instruction
	tail  int
}

func (e *emitter) isMarked(b *block) bool { return e.marks[b] == e.mark }

func (e *emitter) count(b *block) int {
	if b == nil || e.isMarked(b) {
		return 0
	}
	e.marks[b] = e.mark
	return slength(b.stmts) + 1 + b.longjt + b.longjf + e.count(b.jt()) + e.count(b.jf())
}

var errRetry = fmt.Errorf("retry")

func (e *emitter) convert(p *block) error {
	if p == nil || e.isMarked(p) {
		return nil
	}
	e.marks[p] = e.mark
	if err := e.convert(p.jf()); err != nil {
		return err
	}
	if err := e.convert(p.jt()); err != nil {
		return err
	}
	slen := slength(p.stmts)
	e.tail -= slen + 1 + p.longjt + p.longjf
	dst := e.tail
	p.offset = dst
	var offsets []*slist
	for src := p.stmts; src != nil && len(offsets) < slen; src = src.next {
		offsets = append(offsets, src)
	}
	off := 0
	for src := p.stmts; src != nil; src = src.next {
		if src.s.code == opNOP {
			continue
		}
		ins := &e.out[dst]
		ins.Op = src.s.code
		ins.K = src.s.k
		if src.s.code&0x07 == cbpf.ClassJMP && src.s.code != cbpf.ClassJMP|cbpf.JmpJA && off != slen-2 {
			if src.s.jt == nil || src.s.jf == nil {
				return fmt.Errorf("no jmp destination for block-local relative jump: off=%d", off)
			}
			jt, jf := 0, 0
			for i := 0; i < slen; i++ {
				if offsets[i] == src.s.jt {
					if i-off-1 >= 256 {
						return fmt.Errorf("out-of-range jump for block-local relative jump: off=%d", off)
					}
					ins.Jt = uint8(i - off - 1)
					jt++
				}
				if offsets[i] == src.s.jf {
					if i-off-1 >= 256 {
						return fmt.Errorf("out-of-range jump for block-local relative jump: off=%d", off)
					}
					ins.Jf = uint8(i - off - 1)
					jf++
				}
			}
			if jt != 1 || jf != 1 {
				return fmt.Errorf("no destination found for block-local relative jump: off=%d", off)
			}
		}
		dst++
		off++
	}
	ins := &e.out[dst]
	ins.Op = p.s.code
	ins.K = p.s.k
	if p.jt() != nil {
		extra := 0
		o := p.jt().offset - (p.offset + slen) - 1
		if o >= 256 {
			if p.longjt == 0 {
				p.longjt++
				return errRetry
			}
			ins.Jt = uint8(extra)
			extra++
			e.out[dst+extra] = cbpf.Instruction{Op: cbpf.ClassJMP | cbpf.JmpJA, K: uint32(o - extra)}
		} else {
			ins.Jt = uint8(o)
		}
		o = p.jf().offset - (p.offset + slen) - 1
		if o >= 256 {
			if p.longjf == 0 {
				p.longjf++
				return errRetry
			}
			ins.Jf = uint8(extra)
			extra++
			e.out[dst+extra] = cbpf.Instruction{Op: cbpf.ClassJMP | cbpf.JmpJA, K: uint32(o - extra)}
		} else {
			ins.Jf = uint8(o)
		}
	}
	return nil
}

// toInstructions converts the block graph rooted at root to cBPF.
func toInstructions(root *block) ([]cbpf.Instruction, error) {
	e := &emitter{marks: map[*block]int{}}
	for {
		e.mark++
		n := e.count(root)
		e.out = make([]cbpf.Instruction, n)
		e.tail = n
		e.mark++
		err := e.convert(root)
		if err == nil {
			return e.out, nil
		}
		if err != errRetry {
			return nil, err
		}
	}
}
