//go:build linux && amd64

package vm

import (
	"fmt"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// This file holds the JIT's unsafe parts: the layout of the run state that
// the machine code addresses, the executable memory it lives in, and the
// call into it.

// Offsets into runState and frame used by the generated code.
var (
	offRegs         = unsafe.Offsetof(runState{}.regs)
	offJLeft        = unsafe.Offsetof(runState{}.jleft)
	offJPC          = unsafe.Offsetof(runState{}.jpc)
	offJEv          = unsafe.Offsetof(runState{}.jev)
	offJTmp         = unsafe.Offsetof(runState{}.jtmp)
	offStackLo      = unsafe.Offsetof(runState{}.stackLo)
	offStackTop     = unsafe.Offsetof(runState{}.stackTop)
	offStackN       = unsafe.Offsetof(runState{}.stackN)
	offMemLo        = unsafe.Offsetof(runState{}.memLo)
	offMemN         = unsafe.Offsetof(runState{}.memN)
	offDepth        = unsafe.Offsetof(runState{}.depth)
	offBaseDepth    = unsafe.Offsetof(runState{}.baseDepth)
	offMaxDepth     = unsafe.Offsetof(runState{}.maxDepth)
	offFrames       = unsafe.Offsetof(runState{}.frames)
	sizeFrame       = unsafe.Sizeof(frame{})
	offFrameRet     = unsafe.Offsetof(frame{}.ret)
	offFrameSaved   = unsafe.Offsetof(frame{}.saved)
	offFrameR10     = unsafe.Offsetof(frame{}.r10)
	offFrameRetAddr = unsafe.Offsetof(frame{}.retAddr)
	offFrameCaller  = unsafe.Offsetof(frame{}.caller)
)

// jitCode is a compiled program in executable memory, unmapped when the
// Program that owns it is collected.
type jitCode struct {
	mem      []byte    // the mapping
	prologue uintptr   // loads the registers, then jumps to the address in r11
	entries  []uintptr // the native address of each instruction index
	fresh    uintptr   // the prologue that starts a direct run
}

// newJITCode copies code into a new read-only executable mapping.
func newJITCode(code []byte, prologue, fresh int, offsets []int) (*jitCode, error) {
	page := unix.Getpagesize()
	n := (len(code) + page - 1) / page * page
	mem, err := unix.Mmap(-1, 0, n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return nil, fmt.Errorf("jit: mapping %d bytes of code: %w", n, err)
	}
	copy(mem, code)
	for i := len(code); i < n; i++ {
		mem[i] = 0xcc // int3
	}
	if err := unix.Mprotect(mem, unix.PROT_READ|unix.PROT_EXEC); err != nil {
		_ = unix.Munmap(mem)
		return nil, fmt.Errorf("jit: making code executable: %w", err)
	}
	base := uintptr(unsafe.Pointer(unsafe.SliceData(mem)))
	j := &jitCode{mem: mem, prologue: base + uintptr(prologue), entries: make([]uintptr, len(offsets))}
	for i, o := range offsets {
		j.entries[i] = base + uintptr(o)
	}
	j.fresh = base + uintptr(fresh)
	runtime.AddCleanup(j, func(m []byte) { _ = unix.Munmap(m) }, mem)
	return j, nil
}

// jitCall runs the generated code: it saves what Go needs preserved,
// puts st in r12 and entry in r11, and calls prologue. Implemented in
// jit_amd64.s.
//
//go:noescape
func jitCall(prologue, entry uintptr, st unsafe.Pointer)

// jitLoop is loop for a compiled program.
func (p *Program) jitLoop(st *runState, pc int, left uint64) (int, uint64, int) {
	st.jleft = left
	jitCall(p.jit.prologue, p.jit.entries[pc], unsafe.Pointer(st))
	runtime.KeepAlive(p.jit)
	return int(st.jpc), st.jleft, int(st.jev)
}

// jitRun starts a direct run of a compiled program (see Runner.Run)
// over mem through the fresh prologue at fresh, and returns r0 and the
// event; the rest of the outcome is in st. Implemented in jit_amd64.s.
//
//go:noescape
func jitRun(fresh uintptr, st unsafe.Pointer, mem []byte) (r0, ev uint64)

// jitFresh returns the address of the fresh prologue, for a Runner.
func (p *Program) jitFresh() uintptr { return p.jit.fresh }

// jitEnter is jitRun for st.
func jitEnter(fresh uintptr, st *runState, mem []byte) (r0, ev uint64) {
	return jitRun(fresh, unsafe.Pointer(st), mem)
}
