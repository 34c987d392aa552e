package filter

import "math/bits"

// The optimizer follows libpcap's optimize.c: data-flow analysis over the
// block graph (levels, dominators, edge dominators, use-def sets), value
// numbering with constant folding and peephole rules per block, dead-store
// elimination, branch threading (opt_j), or/and pull-ups, all repeated to a
// fixed point; then identical blocks are merged and the root is skipped
// past unconditional blocks.

type valKey struct {
	code   int
	v0, v1 uint32
}

type vmapInfo struct {
	isConst bool
	val     uint32
}

type optimizer struct {
	done      bool
	nonBranch bool
	blocks    []*block
	edges     []*edge
	nodewords int
	edgewords int
	levels    []*block
	curval    uint32
	vals      map[valKey]uint32
	vmap      []vmapInfo
	root      **block
	mark      int
	marks     map[*block]int
}

const valUnknown = 0

func (o *optimizer) isMarked(b *block) bool { return o.marks[b] == o.mark }
func (o *optimizer) setMark(b *block)       { o.marks[b] = o.mark }
func (o *optimizer) unmarkAll()             { o.mark++ }

func setMember(p []uint32, a int) bool { return p[a/32]&(1<<(uint(a)%32)) != 0 }
func setInsert(p []uint32, a int)      { p[a/32] |= 1 << (uint(a) % 32) }

func (o *optimizer) findLevelsR(b *block) {
	if o.isMarked(b) {
		return
	}
	o.setMark(b)
	b.link = nil
	level := 0
	if b.jt() != nil {
		o.findLevelsR(b.jt())
		o.findLevelsR(b.jf())
		level = max(b.jt().level, b.jf().level) + 1
	}
	b.level = level
	b.link = o.levels[level]
	o.levels[level] = b
}

func (o *optimizer) findLevels() {
	for i := range o.levels {
		o.levels[i] = nil
	}
	o.unmarkAll()
	o.findLevelsR(*o.root)
}

func (o *optimizer) findDom(root *block) {
	for _, b := range o.blocks {
		for i := range b.dom {
			b.dom[i] = 0xffffffff
		}
	}
	for i := range root.dom {
		root.dom[i] = 0
	}
	for level := root.level; level >= 0; level-- {
		for b := o.levels[level]; b != nil; b = b.link {
			setInsert(b.dom, b.id)
			if b.jt() == nil {
				continue
			}
			for i := range b.dom {
				b.jt().dom[i] &= b.dom[i]
				b.jf().dom[i] &= b.dom[i]
			}
		}
	}
}

func (o *optimizer) propEdom(ep *edge) {
	setInsert(ep.edom, ep.id)
	if ep.succ != nil {
		for i := range ep.edom {
			ep.succ.et.edom[i] &= ep.edom[i]
			ep.succ.ef.edom[i] &= ep.edom[i]
		}
	}
}

func (o *optimizer) findEdom(root *block) {
	for _, e := range o.edges {
		for i := range e.edom {
			e.edom[i] = 0xffffffff
		}
	}
	for i := range root.et.edom {
		root.et.edom[i] = 0
		root.ef.edom[i] = 0
	}
	for level := root.level; level >= 0; level-- {
		for b := o.levels[level]; b != nil; b = b.link {
			o.propEdom(&b.et)
			o.propEdom(&b.ef)
		}
	}
}

func (o *optimizer) findClosure(root *block) {
	for _, b := range o.blocks {
		for i := range b.closure {
			b.closure[i] = 0
		}
	}
	for level := root.level; level >= 0; level-- {
		for b := o.levels[level]; b != nil; b = b.link {
			setInsert(b.closure, b.id)
			if b.jt() == nil {
				continue
			}
			for i := range b.closure {
				b.jt().closure[i] |= b.closure[i]
				b.jf().closure[i] |= b.closure[i]
			}
		}
	}
}

const axAtom = nAtoms

func atomUse(s *stmt) int {
	c := s.code
	if c == opNOP {
		return -1
	}
	switch opClass(c) {
	case bRET:
		if opRval(c) == bA {
			return aAtom
		}
		return -1
	case bLD, bLDX:
		switch opMode(c) {
		case bIND:
			return xAtom
		case bMEM:
			return int(s.k)
		}
		return -1
	case bST:
		return aAtom
	case bSTX:
		return xAtom
	case bJMP, bALU:
		if opSrc(c) == bX {
			return axAtom
		}
		return aAtom
	case bMISC:
		if opMiscOp(c) == bTXA {
			return xAtom
		}
		return aAtom
	}
	return -1
}

func atomDef(s *stmt) int {
	if s.code == opNOP {
		return -1
	}
	switch opClass(s.code) {
	case bLD, bALU:
		return aAtom
	case bLDX:
		return xAtom
	case bST, bSTX:
		return int(s.k)
	case bMISC:
		if opMiscOp(s.code) == bTAX {
			return xAtom
		}
		return aAtom
	}
	return -1
}

func atomElem(set uint32, a int) bool { return set&(1<<uint(a)) != 0 }

func computeLocalUD(b *block) {
	var def, use, killed uint32
	addUse := func(atom int) {
		if atom == axAtom {
			if !atomElem(def, xAtom) {
				use |= 1 << xAtom
			}
			if !atomElem(def, aAtom) {
				use |= 1 << aAtom
			}
		} else if atom >= 0 && !atomElem(def, atom) {
			use |= 1 << uint(atom)
		}
	}
	for s := b.stmts; s != nil; s = s.next {
		if s.s.code == opNOP {
			continue
		}
		addUse(atomUse(&s.s))
		if atom := atomDef(&s.s); atom >= 0 {
			if !atomElem(use, atom) {
				killed |= 1 << uint(atom)
			}
			def |= 1 << uint(atom)
		}
	}
	if opClass(b.s.code) == bJMP {
		addUse(atomUse(&b.s))
	}
	b.def = def
	b.kill = killed
	b.inUse = use
}

func (o *optimizer) findUD(root *block) {
	maxlevel := root.level
	for i := maxlevel; i >= 0; i-- {
		for p := o.levels[i]; p != nil; p = p.link {
			computeLocalUD(p)
			p.outUse = 0
		}
	}
	for i := 1; i <= maxlevel; i++ {
		for p := o.levels[i]; p != nil; p = p.link {
			p.outUse |= p.jt().inUse | p.jf().inUse
			p.inUse |= p.outUse &^ p.kill
		}
	}
}

func (o *optimizer) initVal() {
	o.curval = 0
	o.vals = map[valKey]uint32{}
	o.vmap = o.vmap[:0]
	o.vmap = append(o.vmap, vmapInfo{})
}

// f returns the value number of the operation (code, v0, v1).
func (o *optimizer) f(code int, v0, v1 uint32) uint32 {
	k := valKey{code, v0, v1}
	if v, ok := o.vals[k]; ok {
		return v
	}
	o.curval++
	val := o.curval
	info := vmapInfo{}
	c := uint16(code)
	if code >= 0 && opMode(c) == bIMM && (opClass(c) == bLD || opClass(c) == bLDX) {
		info = vmapInfo{isConst: true, val: v0}
	}
	o.vmap = append(o.vmap, info)
	o.vals[k] = val
	return val
}

func (o *optimizer) kval(v uint32) uint32 { return o.f(int(bLD|bIMM|bW), v, 0) }

func vstore(s *stmt, valp *int, newval uint32, alter bool) {
	if alter && newval != valUnknown && uint32(*valp) == newval {
		s.code = opNOP
	} else {
		*valp = int(newval)
	}
}

// optError is an error found while optimizing, in libpcap's words.
type optError struct{ msg string }

func (o *optimizer) foldOp(s *stmt, v0, v1 uint32) {
	a := o.vmap[v0].val
	b := o.vmap[v1].val
	switch opOp(s.code) {
	case bADD:
		a += b
	case bSUB:
		a -= b
	case bMUL:
		a *= b
	case bDIV:
		if b == 0 {
			panic(&optError{"division by zero"})
		}
		a /= b
	case bMOD:
		if b == 0 {
			panic(&optError{"modulus by zero"})
		}
		a %= b
	case bAND:
		a &= b
	case bOR:
		a |= b
	case bXOR:
		a ^= b
	case bLSH:
		if b < 32 {
			a <<= b
		} else {
			a = 0
		}
	case bRSH:
		if b < 32 {
			a >>= b
		} else {
			a = 0
		}
	}
	s.k = a
	s.code = bLD | bIMM
	o.done = false
	o.nonBranch = true
}

func thisOp(s *slist) *slist {
	for s != nil && s.s.code == opNOP {
		s = s.next
	}
	return s
}

func optNot(b *block) { b.et.succ, b.ef.succ = b.ef.succ, b.et.succ }

func (o *optimizer) uval(v int) vmapInfo { return o.vmap[uint32(v)] }

func (o *optimizer) peep(b *block) {
	s := b.stmts
	if s == nil {
		return
	}
	last := s
	var next *slist
	for ; ; s = next {
		s = thisOp(s)
		if s == nil {
			break
		}
		next = thisOp(s.next)
		if next == nil {
			break
		}
		last = next
		if s.s.code == bST && next.s.code == bLDX|bMEM && s.s.k == next.s.k {
			o.done = false
			next.s.code = bMISC | bTAX
			o.nonBranch = true
		}
		if s.s.code == bLD|bIMM && next.s.code == bMISC|bTAX {
			s.s.code = bLDX | bIMM
			next.s.code = bMISC | bTXA
			o.done = false
			o.nonBranch = true
		}
		if s.s.code == bLD|bIMM {
			if atomElem(b.outUse, xAtom) {
				continue
			}
			var add *slist
			if next.s.code != bLDX|bMSH|bB {
				add = next
			} else {
				add = thisOp(next.next)
			}
			if add == nil || add.s.code != bALU|bADD|bX {
				continue
			}
			tax := thisOp(add.next)
			if tax == nil || tax.s.code != bMISC|bTAX {
				continue
			}
			ild := thisOp(tax.next)
			if ild == nil || opClass(ild.s.code) != bLD || opMode(ild.s.code) != bIND {
				continue
			}
			ild.s.k += s.s.k
			s.s.code = opNOP
			add.s.code = opNOP
			tax.s.code = opNOP
			o.done = false
			o.nonBranch = true
		}
	}
	if b.s.code == bJMP|bJEQ|bK && !atomElem(b.outUse, aAtom) {
		if last.s.code == bALU|bSUB|bX {
			val := b.val[xAtom]
			if o.uval(val).isConst {
				b.s.k += o.uval(val).val
				last.s.code = opNOP
				o.done = false
				o.nonBranch = true
			} else if b.s.k == 0 {
				last.s.code = opNOP
				b.s.code = bJMP | bJEQ | bX
				o.done = false
				o.nonBranch = true
			}
		} else if last.s.code == bALU|bSUB|bK {
			last.s.code = opNOP
			b.s.k += last.s.k
			o.done = false
			o.nonBranch = true
		} else if last.s.code == bALU|bAND|bK && b.s.k == 0 {
			b.s.k = last.s.k
			b.s.code = bJMP | bK | bJSET
			last.s.code = opNOP
			o.done = false
			optNot(b)
			o.nonBranch = true
		}
	}
	if b.s.code == bJMP|bK|bJSET {
		if b.s.k == 0 {
			b.et.succ = b.ef.succ
		} else if b.s.k == 0xffffffff {
			b.s.code = bJMP | bJEQ | bK
			b.s.k = 0
			optNot(b)
			o.done = false
			o.nonBranch = true
		}
	}
	if v := o.uval(b.val[xAtom]); v.isConst && opSrc(b.s.code) == bX {
		b.s.code &^= bX
		b.s.k = v.val
	}
	if va := o.uval(b.val[aAtom]); va.isConst && opSrc(b.s.code) == bK {
		v := va.val
		switch opOp(b.s.code) {
		case bJEQ:
			v = b2u(v == b.s.k)
		case bJGT:
			v = b2u(v > b.s.k)
		case bJGE:
			v = b2u(v >= b.s.k)
		case bJSET:
			v &= b.s.k
		}
		if b.jf() != b.jt() {
			o.done = false
			o.nonBranch = true
		}
		if v != 0 {
			b.ef.succ = b.et.succ
		} else {
			b.et.succ = b.ef.succ
		}
	}
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

func (o *optimizer) optStmt(s *stmt, val *[nAtoms]int, alter bool) {
	switch s.code {
	case bLD | bABS | bW, bLD | bABS | bH, bLD | bABS | bB:
		v := o.f(int(s.code), s.k, 0)
		vstore(s, &val[aAtom], v, alter)
	case bLD | bIND | bW, bLD | bIND | bH, bLD | bIND | bB:
		v := uint32(val[xAtom])
		if alter && o.vmap[v].isConst {
			s.code = bLD | bABS | opSize(s.code)
			s.k += o.vmap[v].val
			v = o.f(int(s.code), s.k, 0)
			o.done = false
			o.nonBranch = true
		} else {
			v = o.f(int(s.code), s.k, v)
		}
		vstore(s, &val[aAtom], v, alter)
	case bLD | bLEN:
		vstore(s, &val[aAtom], o.f(int(s.code), 0, 0), alter)
	case bLD | bIMM:
		vstore(s, &val[aAtom], o.kval(s.k), alter)
	case bLDX | bIMM:
		vstore(s, &val[xAtom], o.kval(s.k), alter)
	case bLDX | bMSH | bB:
		vstore(s, &val[xAtom], o.f(int(s.code), s.k, 0), alter)
	case bALU | bNEG:
		if alter && o.uval(val[aAtom]).isConst {
			s.code = bLD | bIMM
			s.k = -o.uval(val[aAtom]).val
			val[aAtom] = int(o.kval(s.k))
		} else {
			val[aAtom] = int(o.f(int(s.code), uint32(val[aAtom]), 0))
		}
	case bALU | bADD | bK, bALU | bSUB | bK, bALU | bMUL | bK, bALU | bDIV | bK, bALU | bMOD | bK,
		bALU | bAND | bK, bALU | bOR | bK, bALU | bXOR | bK, bALU | bLSH | bK, bALU | bRSH | bK:
		op := opOp(s.code)
		if alter {
			if s.k == 0 {
				switch op {
				case bADD, bLSH, bRSH, bOR, bXOR:
					s.code = opNOP
					return
				case bMUL, bAND:
					s.code = bLD | bIMM
					val[aAtom] = int(o.kval(s.k))
					return
				case bDIV:
					panic(&optError{"division by zero"})
				case bMOD:
					panic(&optError{"modulus by zero"})
				}
			}
			if o.uval(val[aAtom]).isConst {
				o.foldOp(s, uint32(val[aAtom]), o.kval(s.k))
				val[aAtom] = int(o.kval(s.k))
				return
			}
		}
		val[aAtom] = int(o.f(int(s.code), uint32(val[aAtom]), o.kval(s.k)))
	case bALU | bADD | bX, bALU | bSUB | bX, bALU | bMUL | bX, bALU | bDIV | bX, bALU | bMOD | bX,
		bALU | bAND | bX, bALU | bOR | bX, bALU | bXOR | bX, bALU | bLSH | bX, bALU | bRSH | bX:
		op := opOp(s.code)
		if alter && o.uval(val[xAtom]).isConst {
			if o.uval(val[aAtom]).isConst {
				o.foldOp(s, uint32(val[aAtom]), uint32(val[xAtom]))
				val[aAtom] = int(o.kval(s.k))
			} else {
				s.code = bALU | bK | op
				s.k = o.uval(val[xAtom]).val
				if (op == bLSH || op == bRSH) && s.k > 31 {
					panic(&optError{"shift by more than 31 bits"})
				}
				o.done = false
				val[aAtom] = int(o.f(int(s.code), uint32(val[aAtom]), o.kval(s.k)))
				o.nonBranch = true
			}
			return
		}
		if alter && o.uval(val[aAtom]).isConst && o.uval(val[aAtom]).val == 0 {
			switch op {
			case bADD, bOR, bXOR:
				s.code = bMISC | bTXA
				vstore(s, &val[aAtom], uint32(val[xAtom]), alter)
				return
			case bMUL, bDIV, bMOD, bAND, bLSH, bRSH:
				s.code = bLD | bIMM
				s.k = 0
				vstore(s, &val[aAtom], o.kval(s.k), alter)
				return
			}
		}
		val[aAtom] = int(o.f(int(s.code), uint32(val[aAtom]), uint32(val[xAtom])))
	case bMISC | bTXA:
		vstore(s, &val[aAtom], uint32(val[xAtom]), alter)
	case bLD | bMEM:
		v := uint32(val[s.k])
		if alter && o.vmap[v].isConst {
			s.code = bLD | bIMM
			s.k = o.vmap[v].val
			o.done = false
			o.nonBranch = true
		}
		vstore(s, &val[aAtom], v, alter)
	case bMISC | bTAX:
		vstore(s, &val[xAtom], uint32(val[aAtom]), alter)
	case bLDX | bMEM:
		v := uint32(val[s.k])
		if alter && o.vmap[v].isConst {
			s.code = bLDX | bIMM
			s.k = o.vmap[v].val
			o.done = false
			o.nonBranch = true
		}
		vstore(s, &val[xAtom], v, alter)
	case bST:
		vstore(s, &val[s.k], uint32(val[aAtom]), alter)
	case bSTX:
		vstore(s, &val[s.k], uint32(val[xAtom]), alter)
	}
}

func (o *optimizer) deadStmt(s *stmt, last *[nAtoms]*stmt) {
	if atom := atomUse(s); atom >= 0 {
		if atom == axAtom {
			last[xAtom] = nil
			last[aAtom] = nil
		} else {
			last[atom] = nil
		}
	}
	if atom := atomDef(s); atom >= 0 {
		if last[atom] != nil {
			o.done = false
			last[atom].code = opNOP
			o.nonBranch = true
		}
		last[atom] = s
	}
}

func (o *optimizer) deadStores(b *block) {
	var last [nAtoms]*stmt
	for s := b.stmts; s != nil; s = s.next {
		o.deadStmt(&s.s, &last)
	}
	o.deadStmt(&b.s, &last)
	for atom := 0; atom < nAtoms; atom++ {
		if last[atom] != nil && !atomElem(b.outUse, atom) {
			last[atom].code = opNOP
			b.val[atom] = valUnknown
			o.done = false
			o.nonBranch = true
		}
	}
}

func (o *optimizer) optBlk(b *block, doStmts bool) {
	p := b.inEdges
	if p == nil {
		b.val = [nAtoms]int{}
	} else {
		b.val = p.pred.val
		for p = p.next; p != nil; p = p.next {
			for i := 0; i < nAtoms; i++ {
				if b.val[i] != p.pred.val[i] {
					b.val[i] = 0
				}
			}
		}
	}
	aval := b.val[aAtom]
	xval := b.val[xAtom]
	for s := b.stmts; s != nil; s = s.next {
		o.optStmt(&s.s, &b.val, doStmts)
	}
	if doStmts && ((b.outUse == 0 && aval != valUnknown && b.val[aAtom] == aval &&
		xval != valUnknown && b.val[xAtom] == xval) || opClass(b.s.code) == bRET) {
		if b.stmts != nil {
			b.stmts = nil
			o.done = false
			o.nonBranch = true
		}
	} else {
		o.peep(b)
		o.deadStores(b)
	}
	if opSrc(b.s.code) == bK {
		b.oval = int(o.kval(b.s.k))
	} else {
		b.oval = b.val[xAtom]
	}
	b.et.code = int(b.s.code)
	b.ef.code = -int(b.s.code)
}

func useConflict(b, succ *block) bool {
	use := succ.outUse
	if use == 0 {
		return false
	}
	for atom := 0; atom < nAtoms; atom++ {
		if atomElem(use, atom) && b.val[atom] != succ.val[atom] {
			return true
		}
	}
	return false
}

func foldEdge(child *block, ep *edge) *block {
	code := ep.code
	sense := true
	if code < 0 {
		code = -code
		sense = false
	}
	if int(child.s.code) != code {
		return nil
	}
	aval0, oval0 := child.val[aAtom], child.oval
	aval1, oval1 := ep.pred.val[aAtom], ep.pred.oval
	if aval0 != aval1 {
		return nil
	}
	if oval0 == oval1 {
		if sense {
			return child.jt()
		}
		return child.jf()
	}
	if sense && code == int(bJMP|bJEQ|bK) {
		return child.jf()
	}
	return nil
}

func (o *optimizer) optJ(ep *edge) {
	if ep.succ.jt() == nil {
		return
	}
	if ep.succ.jt() == ep.succ.jf() {
		if !useConflict(ep.pred, ep.succ.jt()) {
			o.done = false
			ep.succ = ep.succ.jt()
			o.nonBranch = true
		}
	}
top:
	for i := 0; i < o.edgewords; i++ {
		x := ep.edom[i]
		for x != 0 {
			k := bits.TrailingZeros32(x)
			x &^= 1 << uint(k)
			k += i * 32
			target := foldEdge(ep.succ, o.edges[k])
			if target != nil && !useConflict(ep.pred, target) {
				o.done = false
				ep.succ = target
				if target.jt() != nil {
					goto top
				}
				return
			}
		}
	}
}

// pullup implements or_pullup (or=true) and and_pullup (or=false).
func (o *optimizer) pullup(b *block, root *block, or bool) {
	// For or_pullup, the chain follows false branches with a common true
	// successor; and_pullup is the mirror image.
	same := func(x *block) *block {
		if or {
			return x.jt()
		}
		return x.jf()
	}
	chain := func(x *block) **block {
		if or {
			return &x.ef.succ
		}
		return &x.et.succ
	}
	ep := b.inEdges
	if ep == nil {
		return
	}
	val := ep.pred.val[aAtom]
	for ep = ep.next; ep != nil; ep = ep.next {
		if val != ep.pred.val[aAtom] {
			return
		}
	}
	var diffp **block
	if b.inEdges.pred.jt() == b {
		diffp = &b.inEdges.pred.et.succ
	} else {
		diffp = &b.inEdges.pred.ef.succ
	}
	atTop := true
	for {
		if *diffp == nil {
			return
		}
		if same(*diffp) != same(b) {
			return
		}
		if !setMember((*diffp).dom, b.id) {
			return
		}
		if (*diffp).val[aAtom] != val {
			break
		}
		diffp = chain(*diffp)
		atTop = false
	}
	samep := chain(*diffp)
	for {
		if *samep == nil {
			return
		}
		if same(*samep) != same(b) {
			return
		}
		if !setMember((*samep).dom, b.id) {
			return
		}
		if (*samep).val[aAtom] == val {
			break
		}
		samep = chain(*samep)
	}
	pull := *samep
	*samep = *chain(pull)
	*chain(pull) = *diffp
	if atTop {
		for ep := b.inEdges; ep != nil; ep = ep.next {
			if ep.pred.jt() == b {
				ep.pred.et.succ = pull
			} else {
				ep.pred.ef.succ = pull
			}
		}
	} else {
		*diffp = pull
	}
	o.done = false
	o.findDom(root)
}

func (o *optimizer) optBlks(doStmts bool) {
	o.initVal()
	root := *o.root
	maxlevel := root.level
	o.findInedges(root)
	for i := maxlevel; i >= 0; i-- {
		for p := o.levels[i]; p != nil; p = p.link {
			o.optBlk(p, doStmts)
		}
	}
	if doStmts {
		return
	}
	for i := 1; i <= maxlevel; i++ {
		for p := o.levels[i]; p != nil; p = p.link {
			o.optJ(&p.et)
			o.optJ(&p.ef)
		}
	}
	o.findInedges(root)
	for i := 1; i <= maxlevel; i++ {
		for p := o.levels[i]; p != nil; p = p.link {
			o.pullup(p, root, true)
			o.pullup(p, root, false)
		}
	}
}

func (o *optimizer) findInedges(root *block) {
	for _, b := range o.blocks {
		b.inEdges = nil
	}
	for level := root.level; level > 0; level-- {
		for b := o.levels[level]; b != nil; b = b.link {
			b.et.next = b.jt().inEdges
			b.jt().inEdges = &b.et
			b.ef.next = b.jf().inEdges
			b.jf().inEdges = &b.ef
		}
	}
}

func optRoot(b **block) {
	s := (*b).stmts
	(*b).stmts = nil
	for opClass((*b).s.code) == bJMP && (*b).jt() == (*b).jf() {
		*b = (*b).jt()
	}
	tmp := (*b).stmts
	if tmp != nil {
		if s == nil {
			s = tmp
		} else {
			sappend(s, tmp)
		}
	}
	(*b).stmts = s
	if opClass((*b).s.code) == bRET {
		(*b).stmts = nil
	}
}

func (o *optimizer) loop(doStmts bool) {
	count := 0
	for {
		o.nonBranch = false
		o.done = true
		o.findLevels()
		root := *o.root
		o.findDom(root)
		o.findClosure(root)
		o.findUD(root)
		o.findEdom(root)
		o.optBlks(doStmts)
		if o.done {
			break
		}
		if o.nonBranch {
			count = 0
		} else {
			count++
			if count >= 100 {
				o.done = true
				break
			}
		}
	}
}

func (o *optimizer) makeMarks(p *block) {
	if !o.isMarked(p) {
		o.setMark(p)
		if opClass(p.s.code) != bRET {
			o.makeMarks(p.jt())
			o.makeMarks(p.jf())
		}
	}
}

func eqSlist(x, y *slist) bool {
	for {
		for x != nil && x.s.code == opNOP {
			x = x.next
		}
		for y != nil && y.s.code == opNOP {
			y = y.next
		}
		if x == nil {
			return y == nil
		}
		if y == nil {
			return false
		}
		if x.s.code != y.s.code || x.s.k != y.s.k {
			return false
		}
		x = x.next
		y = y.next
	}
}

func eqBlk(b0, b1 *block) bool {
	return b0.s.code == b1.s.code && b0.s.k == b1.s.k && b0.et.succ == b1.et.succ &&
		b0.ef.succ == b1.ef.succ && eqSlist(b0.stmts, b1.stmts)
}

func (o *optimizer) internBlocks() {
	n := len(o.blocks)
	for {
		done := true
		for _, b := range o.blocks {
			b.link = nil
		}
		o.unmarkAll()
		o.makeMarks(*o.root)
		for i := n - 1; i != 0; {
			i--
			if !o.isMarked(o.blocks[i]) {
				continue
			}
			for j := i + 1; j < n; j++ {
				if !o.isMarked(o.blocks[j]) {
					continue
				}
				if eqBlk(o.blocks[i], o.blocks[j]) {
					if o.blocks[j].link != nil {
						o.blocks[i].link = o.blocks[j].link
					} else {
						o.blocks[i].link = o.blocks[j]
					}
					break
				}
			}
		}
		for _, p := range o.blocks {
			if p.jt() == nil {
				continue
			}
			if p.jt().link != nil {
				done = false
				p.et.succ = p.jt().link
			}
			if p.jf().link != nil {
				done = false
				p.ef.succ = p.jf().link
			}
		}
		if done {
			return
		}
	}
}

func (o *optimizer) numberBlks(p *block) {
	if p == nil || o.isMarked(p) {
		return
	}
	o.setMark(p)
	p.id = len(o.blocks)
	o.blocks = append(o.blocks, p)
	o.numberBlks(p.jt())
	o.numberBlks(p.jf())
}

func (o *optimizer) init() {
	o.unmarkAll()
	o.numberBlks(*o.root)
	n := len(o.blocks)
	o.edges = make([]*edge, 2*n)
	o.levels = make([]*block, n)
	o.edgewords = 2*n/32 + 1
	o.nodewords = n/32 + 1
	for i, b := range o.blocks {
		b.dom = make([]uint32, o.nodewords)
		b.closure = make([]uint32, o.nodewords)
		b.et.edom = make([]uint32, o.edgewords)
		b.ef.edom = make([]uint32, o.edgewords)
		b.et.id = i
		o.edges[i] = &b.et
		b.ef.id = n + i
		o.edges[n+i] = &b.ef
		b.et.pred = b
		b.ef.pred = b
	}
}

// optimize runs libpcap's optimizer over the compiled block graph.
func optimize(c *compiler) (err error) {
	o := &optimizer{root: &c.root, marks: map[*block]int{}}
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(*optError); ok {
				err = &Error{Pos: -1, Msg: e.msg}
				return
			}
			panic(r)
		}
	}()
	o.init()
	o.loop(false)
	o.loop(true)
	o.internBlocks()
	optRoot(&c.root)
	return nil
}
