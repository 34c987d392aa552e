package maps

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// Model-based fuzzing: operations decoded from the input are applied to a
// map and to a plain Go model of the kernel's semantics; every result must
// agree. Runs stay open across operations to exercise grace periods.

func FuzzHashModel(f *testing.F) {
	f.Add([]byte{0, 1, 1, 0, 2, 1, 1, 2, 1, 3, 1, 0, 4})
	f.Add(bytes.Repeat([]byte{0, 9, 7, 1, 9, 7, 2, 9, 7, 5, 0, 0}, 8))
	f.Fuzz(func(t *testing.T, data []byte) {
		const max = 8
		m := mustNew(t, &Spec{Type: Hash, KeySize: 2, ValueSize: 2, MaxEntries: max})
		model := map[uint16]uint16{}
		var runs []RunToken
		held := map[uint16][]byte{} // values seen by open runs
		heldWant := map[uint16]uint16{}
		for len(data) >= 3 {
			op, k, v := data[0]%7, uint16(data[1]%16), uint16(data[2])
			data = data[3:]
			kb := binary.LittleEndian.AppendUint16(nil, k)
			vb := binary.LittleEndian.AppendUint16(nil, v)
			switch op {
			case 0, 1, 2: // update with flags 0..2
				_, present := model[k]
				var want error
				switch {
				case op == 1 && present:
					want = ErrKeyExist
				case op == 2 && !present:
					want = ErrKeyNotExist
				case !present && len(model) >= max:
					want = ErrFull
				}
				if err := m.UpdateFromProg(kb, vb, uint64(op), 0); err != want {
					t.Fatalf("update %d flags %d: %v, want %v", k, op, err, want)
				}
				if want == nil {
					model[k] = v
				}
			case 3:
				_, present := model[k]
				err := m.Delete(kb)
				if present != (err == nil) || !present && !errors.Is(err, ErrKeyNotExist) {
					t.Fatalf("delete %d: %v (present %v)", k, err, present)
				}
				delete(model, k)
			case 4: // open a run and hold the value it sees
				runs = append(runs, EnterRun())
				if p := m.LookupPtr(kb, 0); p != nil {
					held[k] = p
					heldWant[k] = binary.LittleEndian.Uint16(p)
				}
			case 5: // close all runs
				for _, r := range runs {
					r.Exit()
				}
				runs = runs[:0]
				clear(held)
				clear(heldWant)
			case 6:
				p := m.LookupPtr(kb, 0)
				w, present := model[k]
				if (p != nil) != present || present && binary.LittleEndian.Uint16(p) != w {
					t.Fatalf("lookup %d: %x, model %d %v", k, p, w, present)
				}
			}
			for hk, p := range held {
				if got := binary.LittleEndian.Uint16(p); got != heldWant[hk] {
					t.Fatalf("value of %d held by a run changed from %d to %d", hk, heldWant[hk], got)
				}
			}
		}
		for _, r := range runs {
			r.Exit()
		}
		if m.Len() != len(model) {
			t.Fatalf("Len %d, model %d", m.Len(), len(model))
		}
	})
}

func FuzzLPMModel(f *testing.F) {
	f.Add([]byte{0, 8, 10, 0, 16, 10, 1, 2, 32, 10, 1, 2, 3})
	f.Add([]byte{0, 0, 0, 0, 24, 192, 168, 1, 2, 32, 192, 168, 1, 9, 1, 24, 192, 168, 1, 2, 32, 192, 168, 1, 9})
	f.Fuzz(func(t *testing.T, data []byte) {
		m := mustNew(t, &Spec{Type: LPMTrie, KeySize: 6, ValueSize: 1, MaxEntries: 6, Flags: FlagNoPrealloc})
		type entry struct {
			plen uint32
			data [2]byte
		}
		model := map[entry]byte{}
		mask := func(plen uint32, d [2]byte) [2]byte {
			v := uint16(d[0])<<8 | uint16(d[1])
			if plen < 16 {
				v &^= 0xffff >> plen
			}
			return [2]byte{byte(v >> 8), byte(v)}
		}
		for len(data) >= 4 {
			op, plen, d := data[0]%3, uint32(data[1]%18), [2]byte{data[2], data[3]}
			data = data[4:]
			key := binary.LittleEndian.AppendUint32(nil, plen)
			key = append(key, d[:]...)
			e := entry{plen, mask(plen, d)}
			switch op {
			case 0:
				err := m.UpdateFromProg(key, []byte{d[1]}, 0, 0)
				_, present := model[e]
				var want error
				switch {
				case plen > 16:
					want = ErrInvalid
				case !present && len(model) >= 6:
					want = ErrNoSpace
				}
				if err != want {
					t.Fatalf("update %v: %v, want %v", e, err, want)
				}
				if want == nil {
					model[e] = d[1]
				}
			case 1:
				err := m.DeleteFromProg(key)
				_, present := model[e]
				if plen > 16 && err != ErrInvalid || plen <= 16 && present != (err == nil) {
					t.Fatalf("delete %v: %v", e, err)
				}
				delete(model, e)
			case 2:
				got := m.LookupPtr(key, 0)
				var best *entry
				for c := range model {
					if c.plen <= plen && plen <= 16 && mask(c.plen, d) == c.data && (best == nil || c.plen > best.plen) {
						c := c
						best = &c
					}
				}
				if (got == nil) != (best == nil) || best != nil && got[0] != model[*best] {
					t.Fatalf("lookup %d/%x: %x, model %v", plen, d, got, best)
				}
			}
		}
	})
}
