package trace

import "golang.org/x/sys/unix"

// unixTime reads the kernel clocks the generated code compares with.
type unixTime struct{}

// monotonicNs is CLOCK_MONOTONIC in nanoseconds, the clock of bpf_ktime_get_ns.
func (unixTime) monotonicNs() int64 {
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return ts.Nano()
}
