//go:build !linux || !amd64

package vm

import "errors"

// jitSupported reports whether this build has the JIT.
const jitSupported = false

// jitCode is empty where there is no JIT.
type jitCode struct{}

func (p *Program) compileJIT() error {
	return errors.New("the JIT compiles for linux/amd64 only")
}

func (p *Program) jitLoop(st *runState, pc int, left uint64) (int, uint64, int) {
	panic("vm: no JIT in this build")
}

func jitEnter(fresh uintptr, st *runState, mem []byte) (r0, ev uint64) {
	panic("vm: no JIT in this build")
}

// jitFresh is 0: no program runs directly without a JIT.
func (p *Program) jitFresh() uintptr { return 0 }
