package maps

import (
	"encoding/binary"
	"sync"
	"sync/atomic"
	"time"
)

// ringBuf is RingBuf: the kernel's BPF ring buffer. Positions grow
// without bound; a record at position p lives at offset p&mask of a data
// area twice the ring size, so every record is contiguous (the kernel
// maps the ring twice for the same effect). Each record starts with an
// 8-byte header: u32 length with RingBufBusyBit (reserved, not yet
// committed) and RingBufDiscardBit, and u32 page offset.
type ringBuf struct {
	base
	mu      sync.Mutex // producers
	mask    uint64
	data    []byte
	prod    atomic.Uint64
	cons    atomic.Uint64
	pending uint64 // oldest position possibly still busy (under mu)
	notify  chan struct{}
}

// maxRecord is the kernel's RINGBUF_MAX_RECORD_SZ.
const maxRecord = (1<<32 - 1) / 4

func newRingBuf(s *Spec) *ringBuf {
	r := &ringBuf{mask: uint64(s.MaxEntries) - 1, notify: make(chan struct{}, 1)}
	r.data = alignedBytes(2 * int(s.MaxEntries))
	return r
}

func (r *ringBuf) hdr(pos uint64) []byte {
	off := pos & r.mask
	return r.data[off : off+RingBufHdrSize]
}

// reserve returns the sample area of a new busy record, or nil.
func (r *ringBuf) reserve(size uint64) []byte {
	if size > maxRecord {
		return nil
	}
	total := (size + RingBufHdrSize + 7) &^ 7
	if total > r.mask+1 {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	cons := r.cons.Load()
	prod := r.prod.Load()
	// Skip committed records to find the oldest busy one.
	for r.pending < prod {
		h := lockWord(r.hdr(r.pending)).Load()
		if h&RingBufBusyBit != 0 {
			break
		}
		r.pending += (uint64(h&^(RingBufBusyBit|RingBufDiscardBit)) + RingBufHdrSize + 7) &^ 7
	}
	next := prod + total
	if next-cons > r.mask || next-r.pending > r.mask {
		return nil
	}
	off := prod & r.mask
	h := r.data[off : off+RingBufHdrSize]
	binary.LittleEndian.PutUint32(h[4:], uint32(off>>12))
	lockWord(h).Store(uint32(size) | RingBufBusyBit)
	r.prod.Store(next)
	start := off + RingBufHdrSize
	if size == 0 {
		// A zero-capacity slice would lose its address (Go points it at
		// the array's start); keep one byte of capacity.
		return r.data[start : start : start+1]
	}
	return r.data[start : start+size : start+size]
}

// commit clears the busy bit of the record whose sample starts at offset
// off of the data area, and wakes the reader as flags say.
func (r *ringBuf) commit(off uint64, flags uint64, discard bool) error {
	if flags&^(RBNoWakeup|RBForceWakeup) != 0 || off < RingBufHdrSize || off > uint64(len(r.data)) {
		return ErrInvalid
	}
	hoff := off - RingBufHdrSize
	if hoff&7 != 0 || hoff > r.mask {
		return ErrInvalid
	}
	w := lockWord(r.data[hoff:])
	h := w.Load()
	if h&RingBufBusyBit == 0 {
		return ErrInvalid
	}
	n := h &^ RingBufBusyBit
	if discard {
		n |= RingBufDiscardBit
	}
	w.Store(n)
	switch {
	case flags&RBNoWakeup != 0:
	default:
		select {
		case r.notify <- struct{}{}:
		default:
		}
	}
	return nil
}

func (r *ringBuf) offsetOf(sample []byte) (uint64, bool) {
	base := addrOf(r.data)
	a := addrOf(sample)
	if a < base || a >= base+uintptr(len(r.data)) {
		return 0, false
	}
	return uint64(a - base), true
}

func (r *ringBuf) query(what uint64) uint64 {
	switch what {
	case RBAvailData:
		return r.prod.Load() - r.cons.Load()
	case RBRingSize:
		return r.mask + 1
	case RBConsPos:
		return r.cons.Load()
	case RBProdPos:
		return r.prod.Load()
	}
	return 0
}

// The keyed operations do not apply to ring buffers.
func (r *ringBuf) lookupUser([]byte, []byte) error { return ErrNotSupported }
func (r *ringBuf) nextKey([]byte, []byte) error    { return ErrNotSupported }

// ---- program side ----

// RingBufReserve is bpf_ringbuf_reserve: the sample area of a new record
// of size bytes, or nil when flags are not 0, the record is too large or
// the ring has no room. The record must be passed to RingBufSubmit or
// RingBufDiscard before the run ends.
func (m *Map) RingBufReserve(size, flags uint64) []byte {
	if m.ringbuf == nil || flags != 0 {
		return nil
	}
	return m.ringbuf.reserve(size)
}

// RingBufSubmit is bpf_ringbuf_submit of a sample from RingBufReserve.
func (m *Map) RingBufSubmit(sample []byte, flags uint64) error {
	return m.ringBufCommit(sample, flags, false)
}

// RingBufDiscard is bpf_ringbuf_discard of a sample from RingBufReserve.
func (m *Map) RingBufDiscard(sample []byte, flags uint64) error {
	return m.ringBufCommit(sample, flags, true)
}

func (m *Map) ringBufCommit(sample []byte, flags uint64, discard bool) error {
	if m.ringbuf == nil {
		return ErrInvalid
	}
	off, ok := m.ringbuf.offsetOf(sample)
	if !ok {
		return ErrInvalid
	}
	return m.ringbuf.commit(off, flags, discard)
}

// RingBufCommitAddr submits (or discards) the record whose sample starts
// at host address addr, as a program passes it to bpf_ringbuf_submit.
func (m *Map) RingBufCommitAddr(addr uint64, flags uint64, discard bool) error {
	if m.ringbuf == nil {
		return ErrInvalid
	}
	base := uint64(addrOf(m.ringbuf.data))
	if addr < base || addr >= base+uint64(len(m.ringbuf.data)) {
		return ErrInvalid
	}
	return m.ringbuf.commit(addr-base, flags, discard)
}

// RingBufOutput is bpf_ringbuf_output: copies data into a new record.
// ErrInvalid for unknown flags; ErrAgain (the kernel's -EAGAIN) when the
// ring has no room.
func (m *Map) RingBufOutput(data []byte, flags uint64) error {
	if m.ringbuf == nil {
		return ErrInvalid
	}
	if flags&^(RBNoWakeup|RBForceWakeup) != 0 {
		return ErrInvalid
	}
	s := m.ringbuf.reserve(uint64(len(data)))
	if s == nil {
		return ErrAgain
	}
	copy(s, data)
	off, _ := m.ringbuf.offsetOf(s)
	return m.ringbuf.commit(off, flags, false)
}

// RingBufQuery is bpf_ringbuf_query with an RB* selector; 0 for unknown
// selectors and for maps that are not ring buffers.
func (m *Map) RingBufQuery(what uint64) uint64 {
	if m.ringbuf == nil {
		return 0
	}
	return m.ringbuf.query(what)
}

// ---- Go side ----

// RingBufRecord is a sample read from a ring buffer.
type RingBufRecord struct {
	RawSample []byte
	Remaining int // bytes still unread in the ring after this record
}

// RingBufReader reads committed records of a ring buffer in order,
// skipping discarded ones. Read blocks until a record is available, the
// deadline passes or Close is called. One reader per ring buffer.
type RingBufReader struct {
	r        *ringBuf
	closed   chan struct{}
	once     sync.Once
	mu       sync.Mutex
	deadline time.Time
}

// NewRingBufReader returns a reader of m, a RingBuf map.
func NewRingBufReader(m *Map) (*RingBufReader, error) {
	if m.ringbuf == nil {
		return nil, m.opErr("ring buffer reader", ErrInvalid)
	}
	return &RingBufReader{r: m.ringbuf, closed: make(chan struct{})}, nil
}

// ErrDeadline is returned by readers when their deadline passes.
var ErrDeadline = &Error{"deadline exceeded", 110}

// ErrAgain is the kernel's EAGAIN: bpf_ringbuf_output found no room.
var ErrAgain = &Error{"ring buffer full", 11}

// SetDeadline makes Read return ErrDeadline after t (zero: no deadline).
func (rd *RingBufReader) SetDeadline(t time.Time) {
	rd.mu.Lock()
	rd.deadline = t
	rd.mu.Unlock()
}

// Close makes pending and future Reads return ErrClosed.
func (rd *RingBufReader) Close() error {
	rd.once.Do(func() { close(rd.closed) })
	return nil
}

// AvailableBytes returns the bytes produced and not yet consumed.
func (rd *RingBufReader) AvailableBytes() int { return int(rd.r.query(RBAvailData)) }

// Read returns the next record.
func (rd *RingBufReader) Read() (RingBufRecord, error) {
	var rec RingBufRecord
	err := rd.ReadInto(&rec)
	return rec, err
}

// ReadInto reads the next record into rec, reusing rec.RawSample.
func (rd *RingBufReader) ReadInto(rec *RingBufRecord) error {
	for {
		select {
		case <-rd.closed:
			return ErrClosed
		default:
		}
		if rd.consume(rec) {
			return nil
		}
		rd.mu.Lock()
		dl := rd.deadline
		rd.mu.Unlock()
		var timeout <-chan time.Time
		var timer *time.Timer
		if !dl.IsZero() {
			d := time.Until(dl)
			if d <= 0 {
				return ErrDeadline
			}
			timer = time.NewTimer(d)
			timeout = timer.C
		}
		poll := time.NewTimer(10 * time.Millisecond)
		var err error
		done := false
		select {
		case <-rd.closed:
			err, done = ErrClosed, true
		case <-rd.r.notify:
		case <-timeout:
			if !rd.consume(rec) {
				err = ErrDeadline
			}
			done = true
		case <-poll.C:
			// Records committed with RBNoWakeup are found by polling.
		}
		poll.Stop()
		if timer != nil {
			timer.Stop()
		}
		if done {
			return err
		}
	}
}

// consume takes the next committed record, skipping discarded ones.
func (rd *RingBufReader) consume(rec *RingBufRecord) bool {
	r := rd.r
	for {
		cons, prod := r.cons.Load(), r.prod.Load()
		if cons >= prod {
			return false
		}
		h := lockWord(r.hdr(cons)).Load()
		if h&RingBufBusyBit != 0 {
			return false
		}
		n := uint64(h &^ (RingBufBusyBit | RingBufDiscardBit))
		next := cons + (n+RingBufHdrSize+7)&^7
		if h&RingBufDiscardBit == 0 {
			off := cons&r.mask + RingBufHdrSize
			rec.RawSample = append(rec.RawSample[:0], r.data[off:off+n]...)
			r.cons.Store(next)
			rec.Remaining = int(prod - next)
			return true
		}
		r.cons.Store(next)
	}
}
