package vm

import (
	"runtime"
	"sync/atomic"

	"github.com/gbpf/gbpf/maps"
)

// Execution slots are the VM's "CPUs": a run that calls helpers or uses
// maps holds one slot for its whole duration (tail calls and callbacks
// included), as a kernel program runs on one CPU with preemption
// disabled. bpf_get_smp_processor_id returns the slot, and per-CPU maps
// index their values by it. There are maps.PossibleCPUs() slots; a run
// that finds them all busy waits for one.
var slots = make([]atomic.Bool, maps.PossibleCPUs())

// acquireSlot takes the lowest free slot, so that runs that do not
// overlap all run on slot 0, deterministically.
func acquireSlot() int {
	n := len(slots)
	for {
		for j := 0; j < n; j++ {
			if !slots[j].Load() && slots[j].CompareAndSwap(false, true) {
				return j
			}
		}
		runtime.Gosched()
	}
}

// releaseSlot frees a slot taken by acquireSlot.
func releaseSlot(j int) { slots[j].Store(false) }

// Slots returns the number of execution slots, which is
// maps.PossibleCPUs(): the "CPUs" of per-CPU maps.
func Slots() int { return len(slots) }
