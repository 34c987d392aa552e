package maps

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

// The grace-period scheme (the kernel's RCU, done with epochs).
//
// A program run brackets itself with EnterRun and Exit. A map that unlinks
// a value (delete, replacement, eviction, pop) retires its storage tagged
// with a fresh epoch instead of reusing it at once; the storage becomes
// reusable only when every run that entered before that epoch has exited.
// Without runs in progress retired storage is reusable immediately.

// globalEpoch is advanced by every retirement.
var globalEpoch atomic.Uint64

const idleEpoch = math.MaxUint64

// runRecord is the state of one run in progress, padded to a cache line.
type runRecord struct {
	epoch atomic.Uint64 // epoch seen at entry; idleEpoch when not in use
	inUse atomic.Uint32
	_     [52]byte
}

var runRegistry struct {
	mu      sync.Mutex
	records atomic.Pointer[[]*runRecord] // every record ever made
	idle    sync.Pool                    // idle records, per P
}

// RunToken marks a run in progress; Exit ends it. The zero value's Exit
// does nothing.
type RunToken struct{ r *runRecord }

// EnterRun marks the start of a program run. Values the run reaches
// through map lookups stay valid until the token's Exit. It allocates
// nothing once as many records exist as runs were ever concurrent. A VM
// with per-run state of its own can use a RunSlot instead, which is
// cheaper.
func EnterRun() RunToken {
	// An idle record from the pool; records the pool dropped are found
	// by scanning the registry.
	for {
		x := runRegistry.idle.Get()
		if x == nil {
			break
		}
		if r := x.(*runRecord); r.inUse.CompareAndSwap(0, 1) {
			r.epoch.Store(globalEpoch.Load())
			return RunToken{r}
		}
	}
	r := acquireRecord()
	r.epoch.Store(globalEpoch.Load())
	return RunToken{r}
}

// acquireRecord returns a record marked in use: a free one from the
// registry or a new one.
func acquireRecord() *runRecord {
	if p := runRegistry.records.Load(); p != nil {
		for _, r := range *p {
			if r.inUse.Load() == 0 && r.inUse.CompareAndSwap(0, 1) {
				return r
			}
		}
	}
	r := &runRecord{}
	r.inUse.Store(1)
	r.epoch.Store(idleEpoch)
	runRegistry.mu.Lock()
	var recs []*runRecord
	if p := runRegistry.records.Load(); p != nil {
		recs = append(recs, *p...)
	}
	recs = append(recs, r)
	runRegistry.records.Store(&recs)
	runRegistry.mu.Unlock()
	return r
}

// RunSlot is a run record with a single owner, for example a VM's pooled
// per-run state: Enter and Exit bracket one run at a time and cost one
// atomic load and store each. The owner must not use a RunSlot for two
// runs at once. A RunSlot that becomes unreachable returns its record to
// the registry.
type RunSlot struct{ r *runRecord }

// NewRunSlot returns a RunSlot.
func NewRunSlot() *RunSlot {
	s := &RunSlot{r: acquireRecord()}
	runtime.AddCleanup(s, func(r *runRecord) {
		r.epoch.Store(idleEpoch)
		r.inUse.Store(0)
	}, s.r)
	return s
}

// Enter marks the start of a run (as EnterRun).
func (s *RunSlot) Enter() { s.r.epoch.Store(globalEpoch.Load()) }

// Exit marks the end of the run started by Enter.
func (s *RunSlot) Exit() { s.r.epoch.Store(idleEpoch) }

// Exit marks the end of the run started by EnterRun.
func (t RunToken) Exit() {
	if t.r == nil {
		return
	}
	t.r.epoch.Store(idleEpoch)
	t.r.inUse.Store(0)
	runRegistry.idle.Put(t.r)
}

// retireEpoch returns the epoch to tag storage unlinked just before the
// call with: the next epoch, which only runs entered after the unlink can
// observe. The global epoch is not advanced here (a contended write on
// every delete) but by safeEpoch, when retired storage is wanted back.
func retireEpoch() uint64 { return globalEpoch.Load() + 1 }

// safeEpoch returns the greatest epoch whose retired storage no run in
// progress can still reach: storage tagged e is reusable when
// e <= safeEpoch(). It first advances the global epoch so that runs
// entering from now on count as later than everything retired so far.
func safeEpoch() uint64 {
	globalEpoch.Add(1)
	min := uint64(idleEpoch)
	if p := runRegistry.records.Load(); p != nil {
		for _, r := range *p {
			if e := r.epoch.Load(); e < min {
				min = e
			}
		}
	}
	return min
}
