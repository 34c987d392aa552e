package vm

import (
	"fmt"

	"github.com/gbpf/gbpf/helpers"
)

// HelperFunc implements a helper function. It receives r1 to r5 and returns
// the value for r0; a non-nil error stops the run with a RunError naming
// the call instruction. c is valid only during the call.
type HelperFunc func(c *Call, r1, r2, r3, r4, r5 uint64) (uint64, error)

type helper struct {
	name string
	fn   HelperFunc
	args []helpers.ArgType // the embedder's declaration, for the verifier
}

// Helpers is a registry of helper functions by id, filled by the embedder
// before Load. Load takes a snapshot: registering later does not change
// loaded programs. A Helpers is not safe for concurrent Register calls.
type Helpers struct {
	byID map[int32]helper
}

// NewHelpers returns an empty registry.
func NewHelpers() *Helpers { return &Helpers{byID: map[int32]helper{}} }

// Register makes fn the helper with the given id, replacing any earlier one.
// The zero Helpers is ready to use.
//
// args declare the helper's arguments to the verifier, as the kernel's
// prototypes do (helpers.ArgAnything for any initialised value,
// helpers.ArgPtrToMem followed by helpers.ArgConstSize for memory the
// helper reads, ...); r0 is a scalar after the call. Registers past the
// declared arguments are neither checked nor meaningful to the helper.
func (h *Helpers) Register(id int32, name string, fn HelperFunc, args ...helpers.ArgType) {
	if h.byID == nil {
		h.byID = map[int32]helper{}
	}
	h.byID[id] = helper{name: name, fn: fn, args: append([]helpers.ArgType(nil), args...)}
}

// Name returns the name a helper id was registered with.
func (h *Helpers) Name(id int32) (string, bool) {
	e, ok := h.byID[id]
	return e.name, ok
}

// ConformanceHelpers returns the helpers the bpf_conformance suite expects:
// helper 5, "unwind", which returns r1 unchanged.
func ConformanceHelpers() *Helpers {
	h := NewHelpers()
	h.Register(5, "unwind", func(_ *Call, r1, _, _, _, _ uint64) (uint64, error) { return r1, nil }, helpers.ArgAnything)
	return h
}

// Call is what a helper sees of the run that calls it.
type Call struct {
	st    *runState
	prog  *Program // the program running (tail calls change it)
	index int      // instruction index of the call
}

// Index returns the instruction index of the call instruction.
func (c *Call) Index() int { return c.index }

// Memory returns the size bytes at addr if the whole range lies inside one
// region of the run (and that region is writable when write is set). The
// slice aliases the program's memory and is valid until the run ends.
func (c *Call) Memory(addr, size uint64, write bool) ([]byte, error) {
	if !c.st.reachable(addr, size, write) {
		return nil, &AccessError{Addr: addr, Size: size, Write: write, Err: ErrBadAccess}
	}
	return bytesAt(addr, size), nil
}

// AddRegion makes b reachable by the program for the rest of the run, for
// example a buffer whose address the helper returns in r0. b must be heap
// memory (a slice that escapes, such as one from make); the run keeps it
// referenced until it ends. Only writable regions accept stores. It returns
// the address of b's first byte, the value a helper returns to hand the
// region to the program (0 for an empty b, which adds nothing).
func (c *Call) AddRegion(b []byte, writable bool) uint64 {
	if len(b) == 0 {
		return 0
	}
	c.st.newRegion(b, writable)
	return addrOf(b)
}

// String describes the call for diagnostics.
func (c *Call) String() string { return fmt.Sprintf("helper call at insn %d", c.index) }
