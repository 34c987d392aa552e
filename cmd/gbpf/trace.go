package main

import (
	"github.com/gbpf/gbpf/trace"
)

// cmdTrace is gbpf trace, the bpftrace-compatible tracer: package trace
// owns its flags, output and exit status.
func cmdTrace(e *env, args []string) error {
	if st := trace.Main(args, e.stdout, e.stderr); st != 0 {
		return &exitStatus{code: st}
	}
	return nil
}
