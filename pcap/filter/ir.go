package filter

import "github.com/gbpf/gbpf/cbpf"

// stmt is one straight-line instruction of the intermediate code. Jumps
// inside a statement list (used by protochain) point at other list nodes.
type stmt struct {
	code uint16
	k    uint32
	jt   *slist
	jf   *slist
}

// slist is a singly linked list of statements, as the code generator
// builds them by appending.
type slist struct {
	s    stmt
	next *slist
}

// edge is a control-flow edge of the optimizer's graph.
type edge struct {
	id   int
	code int
	edom []uint32
	succ *block
	pred *block
	next *edge
}

// meaning records whether a block is a known constant outcome.
const (
	isUncertain = iota
	isTrue
	isFalse
)

// block is a basic block: a statement list ending in a conditional jump
// (or a return).
type block struct {
	id      int
	stmts   *slist
	s       stmt
	mark    int
	longjt  int
	longjf  int
	level   int
	offset  int
	sense   bool
	meaning int
	et, ef  edge
	head    *block
	link    *block
	dom     []uint32
	closure []uint32
	inEdges *edge
	def     uint32
	kill    uint32
	inUse   uint32
	outUse  uint32
	oval    int
	val     [nAtoms]int
}

// jt and jf are the true and false successors.
func (b *block) jt() *block { return b.et.succ }
func (b *block) jf() *block { return b.ef.succ }

// Atoms tracked by the optimizer: scratch memory words, A and X.
const (
	aAtom  = cbpf.MemWords
	xAtom  = cbpf.MemWords + 1
	nAtoms = cbpf.MemWords + 2
)

func newStmt(code uint16, k uint32) *slist { return &slist{s: stmt{code: code, k: k}} }

func newBlock(code uint16, k uint32) *block {
	b := &block{s: stmt{code: code, k: k}}
	b.head = b
	return b
}

// sappend appends list s1 to the end of list s0.
func sappend(s0, s1 *slist) {
	for s0.next != nil {
		s0 = s0.next
	}
	s0.next = s1
}

// backpatch resolves the open (unresolved) branches of list to target.
func backpatch(list, target *block) {
	for list != nil {
		var next *block
		if !list.sense {
			next = list.et.succ
			list.et.succ = target
		} else {
			next = list.ef.succ
			list.ef.succ = target
		}
		list = next
	}
}

// merge concatenates the open-branch lists of b0 and b1.
func merge(b0, b1 *block) {
	p := &b0
	for *p != nil {
		if !(*p).sense {
			p = &(*p).et.succ
		} else {
			p = &(*p).ef.succ
		}
	}
	*p = b1
}

func genAnd(b0, b1 *block) *block {
	if b0.meaning == isFalse {
		return b0
	}
	if b1.meaning == isFalse {
		return b1
	}
	if b0.meaning == isTrue {
		return b1
	}
	if b1.meaning == isTrue {
		return b0
	}
	backpatch(b0, b1.head)
	b0.sense = !b0.sense
	b1.sense = !b1.sense
	merge(b1, b0)
	b1.sense = !b1.sense
	b1.head = b0.head
	return b1
}

func genOr(b0, b1 *block) *block {
	if b0.meaning == isFalse {
		return b1
	}
	if b1.meaning == isFalse {
		return b0
	}
	if b0.meaning == isTrue {
		return b0
	}
	if b1.meaning == isTrue {
		return b1
	}
	b0.sense = !b0.sense
	backpatch(b0, b1.head)
	b0.sense = !b0.sense
	merge(b1, b0)
	b1.head = b0.head
	return b1
}

func genNot(b *block) *block {
	b.sense = !b.sense
	switch b.meaning {
	case isTrue:
		b.meaning = isFalse
	case isFalse:
		b.meaning = isTrue
	}
	return b
}
