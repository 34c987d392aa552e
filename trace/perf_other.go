//go:build !linux

package trace

import (
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
)

// perfAttr stands in for the perf_event_attr of a perf-event probe
// outside Linux, where there are none.
func perfAttr(pt attachPoint) (struct{}, error) {
	return struct{}{}, fmt.Errorf("%s: perf event probes need Linux", pt.Name)
}

// attachPerf fails outside Linux.
func attachPerf(pt attachPoint, _ *ebpf.Program) ([]link.Link, error) {
	_, err := perfAttr(pt)
	return nil, err
}
