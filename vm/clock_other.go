//go:build !linux

package vm

import (
	"os"
	"time"
)

// The clocks of the ktime helpers; outside Linux all are Go's monotonic
// clock since the process started.
const (
	clockMonotonic       = 1
	clockBoottime        = 7
	clockMonotonicCoarse = 6
)

var clockStart = time.Now()

// clockNS reads the monotonic clock in nanoseconds.
func clockNS(int32) uint64 { return uint64(time.Since(clockStart)) }

// gettid stands in for the thread id outside Linux: the process id.
func gettid() int { return os.Getpid() }
