package maps

import (
	"encoding/binary"
	"testing"
)

// Benchmarks of the program-side API, the VM helpers' hot path. Each
// reports allocations; all must be zero.

func BenchmarkArrayLookup(b *testing.B) {
	m := mustNew(b, &Spec{Type: Array, KeySize: 4, ValueSize: 8, MaxEntries: 1024})
	key := le32(17)
	b.ReportAllocs()
	cpu := startCPU(b)
	defer cpu.stop()
	for b.Loop() {
		if m.LookupPtr(key, 0) == nil {
			b.Fatal("missing")
		}
	}
}

func benchHash(b *testing.B, typ Type) (*Map, [][]byte) {
	m := mustNew(b, &Spec{Type: typ, KeySize: 4, ValueSize: 8, MaxEntries: 1024})
	keys := make([][]byte, 1024)
	for i := range keys {
		keys[i] = le32(uint32(i * 2654435761))
		if err := m.UpdateFromProg(keys[i], le64(uint64(i)), 0, 0); err != nil {
			b.Fatal(err)
		}
	}
	return m, keys
}

func BenchmarkHashLookup(b *testing.B) {
	m, keys := benchHash(b, Hash)
	b.ReportAllocs()
	cpu := startCPU(b)
	defer cpu.stop()
	i := 0
	for b.Loop() {
		if m.LookupPtr(keys[i&1023], 0) == nil {
			b.Fatal("missing")
		}
		i++
	}
}

func BenchmarkHashUpdate(b *testing.B) {
	m, keys := benchHash(b, Hash)
	val := le64(7)
	b.ReportAllocs()
	cpu := startCPU(b)
	defer cpu.stop()
	i := 0
	for b.Loop() {
		if err := m.UpdateFromProg(keys[i&1023], val, 0, 0); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkHashLookupParallel(b *testing.B) {
	m, keys := benchHash(b, Hash)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if m.LookupPtr(keys[i&1023], 0) == nil {
				b.Fatal("missing")
			}
			i++
		}
	})
}

func BenchmarkPerCPUHashIncrement(b *testing.B) {
	m, keys := benchHash(b, PerCPUHash)
	b.ReportAllocs()
	cpu := startCPU(b)
	defer cpu.stop()
	i := 0
	for b.Loop() {
		v := m.LookupPtr(keys[i&1023], 0)
		binary.LittleEndian.PutUint64(v, binary.LittleEndian.Uint64(v)+1)
		i++
	}
}

func BenchmarkRingBufOutput(b *testing.B) {
	m := mustNew(b, &Spec{Type: RingBuf, MaxEntries: 1 << 20})
	rb := m.ringbuf
	data := make([]byte, 32)
	b.ReportAllocs()
	cpu := startCPU(b)
	defer cpu.stop()
	for b.Loop() {
		if err := m.RingBufOutput(data, RBNoWakeup); err != nil {
			// Consume everything (as a reader would) and retry.
			rb.cons.Store(rb.prod.Load())
			if err := m.RingBufOutput(data, RBNoWakeup); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkEnterRun(b *testing.B) {
	b.ReportAllocs()
	cpu := startCPU(b)
	defer cpu.stop()
	for b.Loop() {
		EnterRun().Exit()
	}
}

func BenchmarkLPMLookup(b *testing.B) {
	m := mustNew(b, &Spec{Type: LPMTrie, KeySize: 8, ValueSize: 8, MaxEntries: 256, Flags: FlagNoPrealloc})
	for i := 0; i < 256; i++ {
		plen := uint32(8 + i%25)
		key := append(le32(plen), byte(10), byte(i), byte(i*7), 0)
		if err := m.UpdateFromProg(key, le64(uint64(i)), 0, 0); err != nil {
			b.Fatal(err)
		}
	}
	key := append(le32(32), 10, 3, 21, 9)
	b.ReportAllocs()
	cpu := startCPU(b)
	defer cpu.stop()
	for b.Loop() {
		if m.LookupPtr(key, 0) == nil {
			b.Fatal("missing")
		}
	}
}

func BenchmarkRunSlot(b *testing.B) {
	s := NewRunSlot()
	b.ReportAllocs()
	cpu := startCPU(b)
	defer cpu.stop()
	for b.Loop() {
		s.Enter()
		s.Exit()
	}
}
