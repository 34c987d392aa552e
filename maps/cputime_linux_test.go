package maps

import (
	"runtime"
	"syscall"
	"testing"
)

// threadCPU returns the CPU time the calling thread has used, in ns.
func threadCPU() int64 {
	var ru syscall.Rusage
	const rusageThread = 1 // RUSAGE_THREAD
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// cpuMeter reports, besides wall-clock ns/op, the CPU time of the
// benchmark's thread per operation ("cpu-ns/op"), which stays meaningful
// on a loaded machine where wall-clock time includes waiting for a CPU.
type cpuMeter struct {
	b     *testing.B
	start int64
}

func startCPU(b *testing.B) cpuMeter {
	runtime.LockOSThread()
	b.Cleanup(runtime.UnlockOSThread)
	return cpuMeter{b: b, start: threadCPU()}
}

func (c cpuMeter) stop() {
	if c.b.N > 0 {
		c.b.ReportMetric(float64(threadCPU()-c.start)/float64(c.b.N), "cpu-ns/op")
	}
}
