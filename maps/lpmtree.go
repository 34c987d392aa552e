package maps

// tnode is a node of the LPM trie's binary tree, as in the kernel's
// lpm_trie.c: a prefix of plen bits of data, two children chosen by the
// bit after the prefix, and a value, or none for an intermediate node.
type tnode struct {
	plen  uint32
	data  []byte
	child [2]*tnode
	val   []byte // nil: intermediate node
}

func bitAt(data []byte, i uint32) int { return int(data[i/8]>>(7-i%8)) & 1 }

// matchLen returns how many of the first limit bits of a and b agree.
func matchLen(a, b []byte, limit uint32) uint32 {
	n := uint32(0)
	for i := 0; n < limit; i++ {
		x := a[i] ^ b[i]
		if x == 0 {
			n += 8
			continue
		}
		for x&0x80 == 0 {
			n++
			x <<= 1
		}
		break
	}
	if n > limit {
		n = limit
	}
	return n
}

// tree is the longest-prefix-match index of a trieMap.
type tree struct {
	root    *tnode
	maxBits uint32
}

// lookup returns the value of the longest prefix of (plen, data).
func (t *tree) lookup(plen uint32, data []byte) []byte {
	var found []byte
	for n := t.root; n != nil; {
		if matchLen(n.data, data, min(n.plen, plen)) < n.plen {
			break
		}
		if n.val != nil {
			found = n.val
		}
		if n.plen >= t.maxBits {
			break
		}
		n = n.child[bitAt(data, n.plen)]
	}
	return found
}

// insert stores val for exactly (plen, data), replacing an existing value;
// it returns the value replaced, if any.
func (t *tree) insert(plen uint32, data, val []byte) (old []byte) {
	nn := &tnode{plen: plen, data: append([]byte(nil), data...), val: val}
	slot := &t.root
	for {
		n := *slot
		if n == nil {
			*slot = nn
			return nil
		}
		m := matchLen(n.data, data, min(n.plen, plen))
		if m < n.plen {
			if m == plen { // the new prefix contains n
				nn.child[bitAt(n.data, plen)] = n
				*slot = nn
				return nil
			}
			// They diverge at bit m: an intermediate node joins them.
			im := &tnode{plen: m, data: nn.data}
			b := bitAt(data, m)
			im.child[b], im.child[1-b] = nn, n
			*slot = im
			return nil
		}
		if n.plen == plen {
			old = n.val
			n.val, n.data = val, nn.data
			return old
		}
		slot = &n.child[bitAt(data, n.plen)]
	}
}

// remove deletes exactly (plen, data) and returns its value, or nil.
func (t *tree) remove(plen uint32, data []byte) []byte {
	var parentSlot **tnode
	slot := &t.root
	for {
		n := *slot
		if n == nil || n.plen > plen || matchLen(n.data, data, min(n.plen, plen)) < n.plen {
			return nil
		}
		if n.plen == plen {
			if n.val == nil {
				return nil
			}
			val := n.val
			switch {
			case n.child[0] != nil && n.child[1] != nil:
				n.val = nil // still needed to join its children
			case n.child[0] == nil && n.child[1] == nil && parentSlot != nil && (*parentSlot).val == nil:
				// Drop n and its intermediate parent: the sibling moves up.
				p := *parentSlot
				sib := p.child[0]
				if sib == n {
					sib = p.child[1]
				}
				*parentSlot = sib
			case n.child[0] != nil:
				*slot = n.child[0]
			default:
				*slot = n.child[1]
			}
			return val
		}
		parentSlot = slot
		slot = &n.child[bitAt(data, n.plen)]
	}
}
