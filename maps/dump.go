package maps

import (
	"bytes"
	"errors"
	"sort"
)

// Entry is one element of a keyed map as user space sees it.
type Entry struct {
	Key    []byte
	Value  []byte   // the value (non-per-CPU maps)
	Values [][]byte // one value per possible CPU (per-CPU maps)
}

// Entries returns every element of a keyed map (arrays, hash maps, LPM
// tries), sorted by key bytes: the canonical form for dumps and for
// comparing maps. Map-in-maps and prog arrays list their occupied keys
// with empty values.
func (m *Map) Entries() ([]Entry, error) {
	if err := m.userCanRead(); err != nil {
		return nil, m.opErr("entries", err)
	}
	var out []Entry
	key := make([]byte, m.spec.KeySize)
	var prev []byte
	for i := 0; ; i++ {
		err := m.impl.nextKey(prev, key)
		if errors.Is(err, ErrKeyNotExist) {
			break
		}
		if err != nil {
			return nil, m.opErr("entries", err)
		}
		if i > int(m.spec.MaxEntries) {
			return nil, m.opErr("entries", ErrIterationAborted)
		}
		prev = append(prev[:0], key...)
		e := Entry{Key: append([]byte(nil), key...)}
		switch {
		case m.progs != nil:
			if m.ProgArrayGet(leUint32(key)) == nil {
				continue
			}
		case m.outer != nil:
			if m.outer.get(key) == nil {
				continue
			}
		default:
			v := make([]byte, m.uvsize)
			if err := m.impl.lookupUser(key, v); errors.Is(err, ErrKeyNotExist) {
				continue
			} else if err != nil {
				return nil, m.opErr("entries", err)
			}
			if m.spec.Type.PerCPU() {
				stride := int(round8(m.spec.ValueSize))
				for c := 0; c < m.ncpu; c++ {
					e.Values = append(e.Values, v[c*stride:c*stride+int(m.spec.ValueSize)])
				}
			} else {
				e.Value = v
			}
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return bytes.Compare(out[i].Key, out[j].Key) < 0 })
	return out, nil
}

func leUint32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

// QueueContents returns the elements of a queue or stack in the order Pop
// would return them, without removing them.
func (m *Map) QueueContents() ([][]byte, error) {
	q, ok := m.impl.(*queueMap)
	if !ok {
		return nil, m.opErr("queue contents", ErrInvalid)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	var out [][]byte
	n := (q.head + q.size - q.tail) % q.size
	for i := uint32(0); i < n; i++ {
		var idx uint32
		if q.stack {
			idx = (q.head + q.size - 1 - i) % q.size
		} else {
			idx = (q.tail + i) % q.size
		}
		out = append(out, append([]byte(nil), q.slot(idx)...))
	}
	return out, nil
}

// RingBufPending returns the committed, not yet consumed samples of a
// ring buffer in order (discarded records skipped), without consuming
// them; it stops at the first record still reserved.
func (m *Map) RingBufPending() ([][]byte, error) {
	r := m.ringbuf
	if r == nil {
		return nil, m.opErr("ring buffer records", ErrInvalid)
	}
	var out [][]byte
	for pos, prod := r.cons.Load(), r.prod.Load(); pos < prod; {
		h := lockWord(r.hdr(pos)).Load()
		if h&RingBufBusyBit != 0 {
			break
		}
		n := uint64(h &^ (RingBufBusyBit | RingBufDiscardBit))
		if h&RingBufDiscardBit == 0 {
			off := pos&r.mask + RingBufHdrSize
			out = append(out, append([]byte(nil), r.data[off:off+n]...))
		}
		pos += (n + RingBufHdrSize + 7) &^ 7
	}
	return out, nil
}
