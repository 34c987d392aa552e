package maps

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

func mustNew(t testing.TB, s *Spec) *Map {
	t.Helper()
	m, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
func le64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }

func TestTypeString(t *testing.T) {
	for _, c := range []struct {
		t    Type
		want string
	}{{Hash, "Hash"}, {RingBuf, "RingBuf"}, {BloomFilter, "BloomFilter"}, {Type(99), "MapType(99)"}} {
		if got := c.t.String(); got != c.want {
			t.Errorf("%d: %q, want %q", uint32(c.t), got, c.want)
		}
	}
}

func TestRingBuf(t *testing.T) {
	m := mustNew(t, &Spec{Name: "rb", Type: RingBuf, MaxEntries: 4096})
	rd, err := NewRingBufReader(m)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	// reserve, submit, discard, output
	a := m.RingBufReserve(5, 0)
	if len(a) != 5 {
		t.Fatalf("reserve 5: got %d bytes", len(a))
	}
	if m.RingBufQuery(RBAvailData) != 16 || m.RingBufQuery(RBProdPos) != 16 || m.RingBufQuery(RBRingSize) != 4096 {
		t.Fatalf("query after reserve: avail %d prod %d", m.RingBufQuery(RBAvailData), m.RingBufQuery(RBProdPos))
	}
	copy(a, "hello")
	b := m.RingBufReserve(3, 0)
	copy(b, "bad")
	// a is still busy: nothing to read before its submit
	if err := m.RingBufSubmit(b, 0); err != nil {
		t.Fatal(err)
	}
	rd.SetDeadline(time.Now().Add(20 * time.Millisecond))
	if _, err := rd.Read(); !errors.Is(err, ErrDeadline) {
		t.Fatalf("read with a busy first record: %v, want deadline", err)
	}
	rd.SetDeadline(time.Time{})
	if err := m.RingBufSubmit(a, 0); err != nil {
		t.Fatal(err)
	}
	if err := m.RingBufSubmit(a, 0); !errors.Is(err, ErrInvalid) {
		t.Fatalf("double submit: %v", err)
	}
	c := m.RingBufReserve(4, 0)
	if err := m.RingBufDiscard(c, RBNoWakeup); err != nil {
		t.Fatal(err)
	}
	if err := m.RingBufOutput([]byte("output!"), RBForceWakeup); err != nil {
		t.Fatal(err)
	}
	if err := m.RingBufOutput([]byte("x"), 4); !errors.Is(err, ErrInvalid) {
		t.Fatalf("output with flag 4: %v", err)
	}
	if m.RingBufReserve(1, 1) != nil {
		t.Fatal("reserve with flags succeeded")
	}
	for _, want := range []string{"hello", "bad", "output!"} {
		rec, err := rd.Read()
		if err != nil {
			t.Fatal(err)
		}
		if string(rec.RawSample) != want {
			t.Fatalf("read %q, want %q", rec.RawSample, want)
		}
	}
	if m.RingBufQuery(RBAvailData) != 0 || m.RingBufQuery(RBConsPos) != m.RingBufQuery(RBProdPos) {
		t.Fatal("ring not drained")
	}
	// Full ring: a record larger than the free space fails, -EAGAIN.
	if m.RingBufReserve(4096, 0) != nil {
		t.Fatal("reserved a record as large as the ring")
	}
	big := m.RingBufReserve(4000, 0)
	if big == nil {
		t.Fatal("reserve 4000")
	}
	if err := m.RingBufOutput(make([]byte, 200), 0); !errors.Is(err, ErrAgain) {
		t.Fatalf("output into a full ring: %v", err)
	}
	m.RingBufSubmit(big, 0)
	if rec, err := rd.Read(); err != nil || len(rec.RawSample) != 4000 {
		t.Fatalf("read big: %d bytes, %v", len(rec.RawSample), err)
	}
	// Wrapping records stay contiguous.
	for i := 0; i < 100; i++ {
		msg := fmt.Sprintf("record %03d %s", i, make([]byte, i*7))
		if err := m.RingBufOutput([]byte(msg), 0); err != nil {
			t.Fatalf("output %d: %v", i, err)
		}
		rec, err := rd.Read()
		if err != nil || string(rec.RawSample) != msg {
			t.Fatalf("record %d: %q %v", i, rec.RawSample, err)
		}
	}
	// Close unblocks a waiting reader.
	done := make(chan error)
	go func() { _, err := rd.Read(); done <- err }()
	time.Sleep(10 * time.Millisecond)
	rd.Close()
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Fatalf("read after close: %v", err)
	}
}

func TestRingBufConcurrent(t *testing.T) {
	m := mustNew(t, &Spec{Type: RingBuf, MaxEntries: 1 << 16})
	rd, _ := NewRingBufReader(m)
	const writers, each = 4, 500
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; {
				if err := m.RingBufOutput(le64(uint64(w<<32|i)), 0); err == nil {
					i++
				} else {
					time.Sleep(time.Microsecond)
				}
			}
		}(w)
	}
	next := make([]int, writers)
	for n := 0; n < writers*each; n++ {
		rec, err := rd.Read()
		if err != nil {
			t.Fatal(err)
		}
		v := binary.LittleEndian.Uint64(rec.RawSample)
		w, i := int(v>>32), int(uint32(v))
		if i != next[w] {
			t.Fatalf("writer %d: got %d, want %d", w, i, next[w])
		}
		next[w]++
	}
	wg.Wait()
	rd.Close()
}

func TestPerfEventArray(t *testing.T) {
	m := mustNew(t, &Spec{Type: PerfEventArray, KeySize: 4, ValueSize: 4, MaxEntries: uint32(PossibleCPUs())})
	if err := m.PerfEventOutput(0, PerfCurrentCPU, []byte("x")); !errors.Is(err, ErrKeyNotExist) {
		t.Fatalf("output without reader: %v", err)
	}
	rd, err := NewPerfReader(m, 128)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		cpu   int
		flags uint64
		data  string
		err   error
	}{
		{0, PerfCurrentCPU, "one", nil},
		{PossibleCPUs() - 1, uint64(PossibleCPUs() - 1), "two", nil},
		{0, uint64(PossibleCPUs() - 1), "other CPU", ErrOpNotSupported},
		{0, 1 << 32, "bad flags", ErrInvalid},
		{0, 1000, "bad index", ErrFull},
		{0, PerfCurrentCPU, string(make([]byte, 60)), nil},
		{0, PerfCurrentCPU, string(make([]byte, 60)), ErrNoSpace}, // lost
	} {
		if c.data == "other CPU" && PossibleCPUs() == 1 {
			continue
		}
		if err := m.PerfEventOutput(c.cpu, c.flags, []byte(c.data)); !errors.Is(err, c.err) && (err != nil || c.err != nil) {
			t.Fatalf("output %q: %v, want %v", c.data, err, c.err)
		}
	}
	got := map[string]int{}
	var lost uint64
	for i := 0; i < 3; i++ {
		rec, err := rd.Read()
		if err != nil {
			t.Fatal(err)
		}
		if rec.LostSamples > 0 {
			lost += rec.LostSamples
			continue
		}
		got[string(rec.RawSample)] = rec.CPU
	}
	if got["one"] != 0 || got["two"] != PossibleCPUs()-1 || lost != 1 || len(got) != 2 {
		t.Fatalf("records %v, lost %d", got, lost)
	}
	rd.Close()
	if _, err := rd.Read(); !errors.Is(err, ErrClosed) {
		t.Fatalf("read after close: %v", err)
	}
	if err := m.PerfEventOutput(0, 0, []byte("x")); !errors.Is(err, ErrKeyNotExist) {
		t.Fatalf("output after close: %v", err)
	}
}

func TestProgArray(t *testing.T) {
	m := mustNew(t, &Spec{Type: ProgArray, KeySize: 4, ValueSize: 4, MaxEntries: 4,
		Contents: []KV{{Key: uint32(1), Value: "prog one"}}})
	if got := m.ProgArrayGet(1); got != "prog one" {
		t.Fatalf("Get(1) = %v", got)
	}
	if m.ProgArrayGet(0) != nil || m.ProgArrayGet(9) != nil {
		t.Fatal("empty or out-of-range slot not nil")
	}
	if err := m.Update(uint32(2), "two", UpdateAny); err != nil {
		t.Fatal(err)
	}
	if err := m.Update(uint32(2), "two", UpdateNoExist); !errors.Is(err, ErrInvalid) {
		t.Fatalf("update with NOEXIST: %v", err)
	}
	if err := m.Update(uint32(4), "x", UpdateAny); !errors.Is(err, ErrFull) {
		t.Fatalf("update out of range: %v", err)
	}
	if err := m.Delete(uint32(2)); err != nil || m.ProgArrayGet(2) != nil {
		t.Fatalf("delete: %v", err)
	}
	if err := m.Delete(uint32(2)); !errors.Is(err, ErrKeyNotExist) {
		t.Fatalf("second delete: %v", err)
	}
}

func TestProgramSide(t *testing.T) {
	ncpu := PossibleCPUs()
	arr := mustNew(t, &Spec{Type: Array, KeySize: 4, ValueSize: 8, MaxEntries: 4, Flags: FlagRdOnlyProg})
	if !arr.ReadOnlyProg() {
		t.Fatal("ReadOnlyProg false")
	}
	if err := arr.UpdateFromProg(le32(0), le64(1), 0, 0); !errors.Is(err, ErrPerm) {
		t.Fatalf("program write to a read-only map: %v", err)
	}
	if err := arr.Put(uint32(3), uint64(42)); err != nil {
		t.Fatal(err)
	}
	if v := arr.LookupPtr(le32(3), 0); binary.LittleEndian.Uint64(v) != 42 {
		t.Fatalf("LookupPtr = %x", v)
	}
	if arr.LookupPtr(le32(4), 0) != nil {
		t.Fatal("LookupPtr out of range not nil")
	}

	h := mustNew(t, &Spec{Type: PerCPUHash, KeySize: 4, ValueSize: 4, MaxEntries: 2})
	if err := h.UpdateFromProg(le32(7), le32(5), 0, ncpu-1); err != nil {
		t.Fatal(err)
	}
	var per []uint32
	if err := h.Lookup(uint32(7), &per); err != nil {
		t.Fatal(err)
	}
	for c, v := range per {
		want := uint32(0)
		if c == ncpu-1 {
			want = 5
		}
		if v != want {
			t.Fatalf("per-CPU values %v", per)
		}
	}
	p := h.LookupPtr(le32(7), ncpu-1)
	binary.LittleEndian.PutUint32(p, 9) // programs write values in place
	if err := h.Lookup(uint32(7), &per); err != nil || per[ncpu-1] != 9 {
		t.Fatalf("after in-place write: %v %v", per, err)
	}
	if got := h.UserValueSize(); got != 8*ncpu {
		t.Fatalf("UserValueSize %d", got)
	}

	q := mustNew(t, &Spec{Type: Queue, ValueSize: 4, MaxEntries: 2})
	out := make([]byte, 4)
	for i, c := range []struct {
		op    string
		v     uint32
		flags uint64
		err   error
	}{
		{"push", 1, 0, nil}, {"push", 2, 0, nil}, {"push", 3, 0, ErrFull},
		{"push", 3, uint64(UpdateExist), nil}, {"peek", 2, 0, nil}, {"pop", 2, 0, nil},
		{"pop", 3, 0, nil}, {"pop", 0, 0, ErrKeyNotExist},
	} {
		var err error
		switch c.op {
		case "push":
			err = q.Push(le32(c.v), c.flags)
		case "pop":
			err = q.Pop(out)
		case "peek":
			err = q.Peek(out)
		}
		if err != c.err {
			t.Fatalf("step %d %s: %v, want %v", i, c.op, err, c.err)
		}
		if c.op != "push" && err == nil && binary.LittleEndian.Uint32(out) != c.v {
			t.Fatalf("step %d %s: %d, want %d", i, c.op, binary.LittleEndian.Uint32(out), c.v)
		}
	}
}

func TestLRUEviction(t *testing.T) {
	m := mustNew(t, &Spec{Type: LRUHash, KeySize: 4, ValueSize: 4, MaxEntries: 8})
	for i := uint32(0); i < 8; i++ {
		if err := m.Put(i, i); err != nil {
			t.Fatal(err)
		}
	}
	m.LookupPtr(le32(0), 0) // referenced: survives the next eviction
	if err := m.Update(uint32(100), uint32(1), UpdateNoExist); err != nil {
		t.Fatal(err)
	}
	// As in the kernel, the update refills CPU 0's local free list with
	// target_free nodes at once, evicting that many of the oldest
	// unreferenced keys (1, 2, ...).
	target := min(max(8/PossibleCPUs()/2, 1), 128)
	if m.Len() != 8-target+1 {
		t.Fatalf("Len %d after eviction, want %d", m.Len(), 8-target+1)
	}
	var v uint32
	if m.Lookup(uint32(100), &v) != nil || m.Lookup(uint32(0), &v) != nil {
		t.Fatal("new or referenced key evicted")
	}
	if m.Lookup(uint32(1), &v) == nil {
		t.Fatal("least recently used key 1 not evicted")
	}
}

// TestGracePeriod checks that storage a run can see is not reused before
// the run exits, and is reused afterwards.
func TestGracePeriod(t *testing.T) {
	m := mustNew(t, &Spec{Type: Hash, KeySize: 4, ValueSize: 8, MaxEntries: 1})
	m.Put(uint32(1), uint64(111))
	run := EnterRun()
	p := m.LookupPtr(le32(1), 0)
	for i := 0; i < 500; i++ {
		if err := m.Delete(uint32(1)); err != nil {
			t.Fatal(err)
		}
		if err := m.Put(uint32(1), uint64(i)); err != nil {
			t.Fatal(err)
		}
	}
	if binary.LittleEndian.Uint64(p) != 111 {
		t.Fatalf("value seen by a run in progress changed to %d", binary.LittleEndian.Uint64(p))
	}
	run.Exit()
	h := m.impl.(*hashMap)
	grown := h.nslabs
	for i := 0; i < 5000; i++ {
		m.Delete(uint32(1))
		m.Put(uint32(1), uint64(i))
	}
	if h.nslabs != grown {
		t.Fatalf("storage grew from %d to %d slabs without runs in progress", grown, h.nslabs)
	}
}

func TestConcurrent(t *testing.T) {
	m := mustNew(t, &Spec{Type: Hash, KeySize: 4, ValueSize: 8, MaxEntries: 64})
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				k := le32(uint32(i % 80))
				run := EnterRun()
				if v := m.LookupPtr(k, 0); v != nil {
					_ = binary.LittleEndian.Uint64(v)
				}
				m.UpdateFromProg(k, le64(uint64(i)), 0, 0)
				run.Exit()
				if i%3 == 0 {
					m.Delete(k)
				}
				if i%100 == 0 {
					it := m.Iterate()
					var key uint32
					var val uint64
					for it.Next(&key, &val) {
					}
				}
			}
		}(g)
	}
	wg.Wait()
	if m.Len() > 64 {
		t.Fatalf("Len %d over capacity", m.Len())
	}
}

func TestMarshal(t *testing.T) {
	type pair struct{ A, B uint32 }
	m := mustNew(t, &Spec{Type: Hash, KeySize: 8, ValueSize: 8, MaxEntries: 4})
	if err := m.Put(pair{1, 2}, uint64(0x0102030405060708)); err != nil {
		t.Fatal(err)
	}
	var b []byte
	if err := m.Lookup([]byte{1, 0, 0, 0, 2, 0, 0, 0}, &b); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("%x", b) != "0807060504030201" {
		t.Fatalf("value bytes %x", b)
	}
	var p pair
	if err := m.NextKey(nil, &p); err != nil || p != (pair{1, 2}) {
		t.Fatalf("NextKey: %v %v", p, err)
	}
	for _, bad := range []any{uint32(1), []byte{1}, "str"} {
		if err := m.Put(bad, uint64(1)); !errors.Is(err, ErrInvalid) {
			t.Errorf("key %T: %v", bad, err)
		}
	}
}

func TestForEach(t *testing.T) {
	for _, typ := range []Type{Array, PerCPUArray, Hash, PerCPUHash, LRUHash} {
		t.Run(typ.String(), func(t *testing.T) {
			m := mustNew(t, &Spec{Type: typ, KeySize: 4, ValueSize: 8, MaxEntries: 5})
			for i := uint32(0); i < 5; i++ {
				if err := m.UpdateFromProg(le32(i), le64(uint64(i)), 0, 0); err != nil {
					t.Fatal(err)
				}
			}
			run := EnterRun()
			defer run.Exit()
			sum := uint64(0)
			n, err := m.ForEach(0, func(k, v []byte) bool {
				sum += binary.LittleEndian.Uint64(v)
				binary.LittleEndian.PutUint64(v, 100) // values are live
				if typ == Hash && binary.LittleEndian.Uint32(k) == 2 {
					if err := m.DeleteFromProg(k); err != nil {
						t.Fatal(err)
					}
				}
				return false
			})
			if err != nil || n != 5 || sum != 10 {
				t.Fatalf("visited %d, sum %d, %v", n, sum, err)
			}
			if v := m.LookupPtr(le32(4), 0); binary.LittleEndian.Uint64(v) != 100 {
				t.Fatalf("value after write through ForEach: %x", v)
			}
			n, _ = m.ForEach(0, func(k, v []byte) bool { return true })
			if n != 1 {
				t.Fatalf("stop after the first: visited %d", n)
			}
		})
	}
	q := mustNew(t, &Spec{Type: Queue, ValueSize: 4, MaxEntries: 1})
	if _, err := q.ForEach(0, func(k, v []byte) bool { return false }); !errors.Is(err, ErrNotSupported) {
		t.Fatalf("queue ForEach: %v", err)
	}
}

func TestDump(t *testing.T) {
	h := mustNew(t, &Spec{Type: PerCPUHash, KeySize: 2, ValueSize: 3, MaxEntries: 4})
	vals := make([][]byte, PossibleCPUs())
	for c := range vals {
		vals[c] = []byte{byte(c), 2, 3}
	}
	for _, k := range [][]byte{{9, 0}, {1, 0}, {5, 5}} {
		if err := h.Put(k, vals); err != nil {
			t.Fatal(err)
		}
	}
	es, err := h.Entries()
	if err != nil {
		t.Fatal(err)
	}
	got := ""
	for _, e := range es {
		got += fmt.Sprintf("%x=%x ", e.Key, e.Values)
	}
	want := ""
	for _, k := range []string{"0100", "0505", "0900"} {
		want += k + "=["
		for c := range vals {
			if c > 0 {
				want += " "
			}
			want += fmt.Sprintf("%x", vals[c])
		}
		want += "] "
	}
	if got != want {
		t.Fatalf("entries %s, want %s", got, want)
	}

	s := mustNew(t, &Spec{Type: Stack, ValueSize: 1, MaxEntries: 3})
	for _, v := range []byte{1, 2, 3} {
		s.Push([]byte{v}, 0)
	}
	if c, _ := s.QueueContents(); fmt.Sprint(c) != "[[3] [2] [1]]" {
		t.Fatalf("stack contents %v", c)
	}

	rb := mustNew(t, &Spec{Type: RingBuf, MaxEntries: 4096})
	rb.RingBufOutput([]byte("a"), 0)
	d := rb.RingBufReserve(1, 0)
	rb.RingBufDiscard(d, 0)
	rb.RingBufOutput([]byte("b"), 0)
	busy := rb.RingBufReserve(1, 0)
	rb.RingBufOutput([]byte("c"), 0)
	if p, _ := rb.RingBufPending(); fmt.Sprintf("%s", p) != "[a b]" {
		t.Fatalf("pending %s", p)
	}
	rb.RingBufSubmit(busy, 0)
	if p, _ := rb.RingBufPending(); len(p) != 4 {
		t.Fatalf("pending after submit: %q", p)
	}
}

func TestTooLarge(t *testing.T) {
	_, err := New(&Spec{Name: "huge", Type: Array, KeySize: 4, ValueSize: 1 << 20, MaxEntries: 1 << 20})
	if !errors.Is(err, ErrNoMemory) {
		t.Fatalf("4 TiB array: %v", err)
	}
}

// TestRunSlot checks that a RunSlot holds back reuse like EnterRun.
func TestRunSlot(t *testing.T) {
	m := mustNew(t, &Spec{Type: Hash, KeySize: 4, ValueSize: 8, MaxEntries: 1})
	m.Put(uint32(1), uint64(7))
	s := NewRunSlot()
	s.Enter()
	p := m.LookupPtr(le32(1), 0)
	for i := 0; i < 200; i++ {
		m.Delete(uint32(1))
		m.Put(uint32(1), uint64(i))
	}
	if got := binary.LittleEndian.Uint64(p); got != 7 {
		t.Fatalf("value held by a RunSlot run changed to %d", got)
	}
	s.Exit()
	h := m.impl.(*hashMap)
	m.Delete(uint32(1))
	m.Put(uint32(1), uint64(1)) // reclaims everything retired
	grown := h.nslabs
	for i := 0; i < 1000; i++ {
		m.Delete(uint32(1))
		m.Put(uint32(1), uint64(i))
	}
	if h.nslabs != grown {
		t.Fatalf("storage grew from %d to %d slabs after the RunSlot's run exited", grown, h.nslabs)
	}
}
