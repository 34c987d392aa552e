package maps

import (
	"encoding/binary"
	"sync"
	"sync/atomic"
	"time"
)

// perfArray is PerfEventArray. Each index may hold an event buffer
// (what a perf event attached by user space provides in the kernel); a
// PerfReader attaches one buffer per CPU. Output to an index without a
// buffer fails with ErrKeyNotExist, as in the kernel.
type perfArray struct {
	base
	bufs []atomic.Pointer[perfBuf]
}

// perfBuf is one CPU's buffer: a byte budget like the kernel's perf ring
// (each sample costs its perf record: 8-byte header, u32 size, the data,
// padded to 8) and a queue of samples.
type perfBuf struct {
	mu      sync.Mutex
	cpu     int
	size    int
	used    int
	samples [][]byte
	lost    uint64
	notify  chan struct{}
}

func newPerfArray(s *Spec) *perfArray {
	return &perfArray{bufs: make([]atomic.Pointer[perfBuf], s.MaxEntries)}
}

func perfCost(n int) int { return 8 + (4+n+7)&^7 }

func (p *perfArray) lookupUser([]byte, []byte) error { return ErrNotSupported }

func (p *perfArray) nextKey(key, out []byte) error {
	var next uint32
	if key != nil {
		i := binary.LittleEndian.Uint32(key)
		if i < uint32(len(p.bufs)) {
			if i == uint32(len(p.bufs))-1 {
				return ErrKeyNotExist
			}
			next = i + 1
		}
	}
	binary.LittleEndian.PutUint32(out, next)
	return nil
}

func (p *perfArray) delete(key []byte) error {
	i := binary.LittleEndian.Uint32(key)
	if i >= uint32(len(p.bufs)) {
		return ErrFull
	}
	if p.bufs[i].Swap(nil) == nil {
		return ErrKeyNotExist
	}
	return nil
}

func (p *perfArray) count() int { return len(p.bufs) }

// PerfEventOutput is bpf_perf_event_output from a program on slot cpu:
// flags' low 32 bits select the index (PerfCurrentCPU: cpu). Errors as
// the kernel's: ErrInvalid for other flag bits, ErrFull (E2BIG) for an
// index out of range, ErrKeyNotExist for an index without a reader,
// ErrOpNotSupported for another CPU's buffer, ErrNoSpace when the buffer
// is full (the sample is counted as lost).
func (m *Map) PerfEventOutput(cpu int, flags uint64, data []byte) error {
	p := m.perf
	if p == nil {
		return ErrInvalid
	}
	if flags&^PerfIndexMask != 0 {
		return ErrInvalid
	}
	idx := flags & PerfIndexMask
	if idx == PerfCurrentCPU {
		idx = uint64(cpu)
	}
	if idx >= uint64(len(p.bufs)) {
		return ErrFull
	}
	b := p.bufs[idx].Load()
	if b == nil {
		return ErrKeyNotExist
	}
	if b.cpu != cpu {
		return ErrOpNotSupported // the event is bound to another CPU
	}
	b.mu.Lock()
	c := perfCost(len(data))
	if b.used+c > b.size {
		b.lost++
		b.mu.Unlock()
		return ErrNoSpace
	}
	b.used += c
	b.samples = append(b.samples, append([]byte(nil), data...))
	b.mu.Unlock()
	select {
	case b.notify <- struct{}{}:
	default:
	}
	return nil
}

// PerfRecord is a sample or a report of lost samples from one CPU.
type PerfRecord struct {
	CPU         int
	RawSample   []byte
	LostSamples uint64 // when non-zero, RawSample is empty
}

// PerfReader reads the samples of a PerfEventArray, one buffer per CPU
// (per index below PossibleCPUs() and MaxEntries), in the order each CPU
// produced them. Read blocks until a record is available, the deadline
// passes or Close is called.
type PerfReader struct {
	p        *perfArray
	bufs     []*perfBuf
	notify   chan struct{}
	closed   chan struct{}
	once     sync.Once
	mu       sync.Mutex
	deadline time.Time
	next     int
}

// NewPerfReader attaches a buffer of perCPUBuffer bytes to each CPU's
// index of m (replacing earlier ones) and returns its reader.
func NewPerfReader(m *Map, perCPUBuffer int) (*PerfReader, error) {
	if m.perf == nil {
		return nil, m.opErr("perf reader", ErrInvalid)
	}
	if perCPUBuffer < 1 {
		return nil, m.opErr("perf reader", ErrInvalid)
	}
	rd := &PerfReader{p: m.perf, notify: make(chan struct{}, 1), closed: make(chan struct{})}
	n := m.ncpu
	if n > len(m.perf.bufs) {
		n = len(m.perf.bufs)
	}
	for c := 0; c < n; c++ {
		b := &perfBuf{cpu: c, size: perCPUBuffer, notify: rd.notify}
		rd.bufs = append(rd.bufs, b)
		m.perf.bufs[c].Store(b)
	}
	return rd, nil
}

// SetDeadline makes Read return ErrDeadline after t (zero: no deadline).
func (rd *PerfReader) SetDeadline(t time.Time) {
	rd.mu.Lock()
	rd.deadline = t
	rd.mu.Unlock()
}

// Close detaches the buffers and makes Reads return ErrClosed.
func (rd *PerfReader) Close() error {
	rd.once.Do(func() {
		close(rd.closed)
		for c, b := range rd.bufs {
			rd.p.bufs[c].CompareAndSwap(b, nil)
		}
	})
	return nil
}

// Read returns the next record, taking CPUs in turn.
func (rd *PerfReader) Read() (PerfRecord, error) {
	for {
		select {
		case <-rd.closed:
			return PerfRecord{}, ErrClosed
		default:
		}
		if rec, ok := rd.take(); ok {
			return rec, nil
		}
		rd.mu.Lock()
		dl := rd.deadline
		rd.mu.Unlock()
		var timeout <-chan time.Time
		var timer *time.Timer
		if !dl.IsZero() {
			d := time.Until(dl)
			if d <= 0 {
				return PerfRecord{}, ErrDeadline
			}
			timer = time.NewTimer(d)
			timeout = timer.C
		}
		var rec PerfRecord
		var err error
		done := false
		select {
		case <-rd.closed:
			err, done = ErrClosed, true
		case <-rd.notify:
		case <-timeout:
			var ok bool
			if rec, ok = rd.take(); !ok {
				err = ErrDeadline
			}
			done = true
		}
		if timer != nil {
			timer.Stop()
		}
		if done {
			return rec, err
		}
	}
}

func (rd *PerfReader) take() (PerfRecord, bool) {
	for i := 0; i < len(rd.bufs); i++ {
		b := rd.bufs[(rd.next+i)%len(rd.bufs)]
		b.mu.Lock()
		if b.lost > 0 {
			rec := PerfRecord{CPU: b.cpu, LostSamples: b.lost}
			b.lost = 0
			b.mu.Unlock()
			rd.next = (rd.next + i + 1) % len(rd.bufs)
			return rec, true
		}
		if len(b.samples) > 0 {
			s := b.samples[0]
			b.samples[0] = nil
			b.samples = b.samples[1:]
			b.used -= perfCost(len(s))
			b.mu.Unlock()
			rd.next = (rd.next + i + 1) % len(rd.bufs)
			return PerfRecord{CPU: b.cpu, RawSample: s}, true
		}
		b.mu.Unlock()
	}
	return PerfRecord{}, false
}
