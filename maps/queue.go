package maps

import "sync"

// queueMap is Queue (FIFO) and Stack (LIFO): a ring of MaxEntries+1
// slots, as in the kernel. Values are copied in and out.
type queueMap struct {
	base
	mu         sync.Mutex
	stack      bool
	vs         int
	size       uint32 // slots: MaxEntries + 1
	head, tail uint32 // push at head; queue pops at tail, stack at head-1
	data       []byte
}

func newQueue(s *Spec) *queueMap {
	q := &queueMap{stack: s.Type == Stack, vs: int(s.ValueSize), size: s.MaxEntries + 1}
	q.data = alignedBytes(int(q.size) * q.vs)
	return q
}

func (q *queueMap) slot(i uint32) []byte {
	off := int(i) * q.vs
	return q.data[off : off+q.vs]
}

func (q *queueMap) empty() bool { return q.head == q.tail }

func (q *queueMap) full() bool { return (q.head+1)%q.size == q.tail }

func (q *queueMap) push(value []byte, flags uint64) error {
	if flags&uint64(UpdateNoExist) != 0 || flags > uint64(UpdateExist) {
		return ErrInvalid
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.full() {
		if flags&uint64(UpdateExist) == 0 {
			return ErrFull
		}
		q.tail = (q.tail + 1) % q.size // drop the oldest
	}
	copy(q.slot(q.head), value)
	q.head = (q.head + 1) % q.size
	return nil
}

func (q *queueMap) take(out []byte, remove bool) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.empty() {
		clear(out) // the kernel zeroes the output of a failed pop or peek
		return ErrKeyNotExist
	}
	if q.stack {
		i := (q.head + q.size - 1) % q.size
		copy(out, q.slot(i))
		if remove {
			q.head = i
		}
		return nil
	}
	copy(out, q.slot(q.tail))
	if remove {
		q.tail = (q.tail + 1) % q.size
	}
	return nil
}

func (q *queueMap) pop(out []byte) error  { return q.take(out, true) }
func (q *queueMap) peek(out []byte) error { return q.take(out, false) }

// The kernel answers EINVAL to the keyed operations of queues and stacks.
func (q *queueMap) update([]byte, []byte, uint64, int) error { return ErrInvalid }
func (q *queueMap) updateUser([]byte, []byte, uint64) error  { return ErrInvalid }
func (q *queueMap) delete([]byte) error                      { return ErrInvalid }
func (q *queueMap) nextKey([]byte, []byte) error             { return ErrInvalid }
func (q *queueMap) lookupUser([]byte, []byte) error          { return ErrInvalid }

func (q *queueMap) count() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return int((q.head + q.size - q.tail) % q.size)
}
