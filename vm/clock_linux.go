package vm

import "golang.org/x/sys/unix"

// The clocks of the ktime helpers.
const (
	clockMonotonic       = unix.CLOCK_MONOTONIC
	clockBoottime        = unix.CLOCK_BOOTTIME
	clockMonotonicCoarse = unix.CLOCK_MONOTONIC_COARSE
)

// clockNS reads a host clock in nanoseconds, as the kernel's ktime helpers.
func clockNS(id int32) uint64 {
	var ts unix.Timespec
	if unix.ClockGettime(id, &ts) != nil {
		return 0
	}
	return uint64(ts.Sec)*1e9 + uint64(ts.Nsec)
}

// gettid is the calling thread's id, the low half of
// bpf_get_current_pid_tgid.
func gettid() int { return unix.Gettid() }
