//go:build !linux

package maps

import "testing"

// cpuMeter reports thread CPU time only on Linux; elsewhere benchmarks
// report wall-clock time alone.
type cpuMeter struct{}

func startCPU(*testing.B) cpuMeter { return cpuMeter{} }

func (cpuMeter) stop() {}
