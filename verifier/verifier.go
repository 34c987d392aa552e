// Package verifier proves eBPF programs safe before they run, following the
// Linux kernel's verifier (kernel/bpf/verifier.c): the same structural
// checks, the same abstract register model (types, known bits and signed and
// unsigned 64- and 32-bit bounds), the same stack model (spills, fills,
// per-byte slot types), bounded loops by path exploration with the
// 1,000,000-instruction complexity limit, state pruning (with register
// liveness), bpf-to-bpf calls, callbacks, and the kernel's messages in a
// kernel-style log.
//
// Supported today: programs of the raw type (r1 points to exactly
// Options.MemSize bytes, r2 holds that size), of the socket filter type (r1
// is the __sk_buff context, including legacy packet loads), of the XDP
// and tc types (direct packet access proven by comparisons with data_end;
// the socket of __sk_buff.sk, null-checked, with its struct bpf_sock common
// fields), of the tracepoint, kprobe and raw tracepoint types (a read-only
// context) and of the syscall type (the caller's memory). Helper calls are
// checked against the helpers package's prototypes (Options.Helpers adds an
// embedder's), maps included (see below). Anything else is rejected with an
// error that wraps ErrUnsupported, so callers can tell "unsafe" from "not
// yet understood".
//
// # Callbacks
//
// bpf_loop and bpf_for_each_map_elem take a subprogram named by lddw src=4
// (a func pointer). As the kernel does, the call forks a path into the
// callback and goes on as if it never ran; the callback's exit (r0 in
// [0, 1]) returns to the helper call, which forks the next iteration. See
// callback.go for how the iterations converge. A for_each_map_elem callback
// gets the map, a read-only pointer to the key (map_key) and the value; a
// bpf_loop callback the index and the context argument.
//
// # Maps
//
// The maps a program uses are described by Options.Maps; gbpf has no file
// descriptors, so a map reference names its map by index, as the runtime
// (package vm) reads it too:
//
//   - lddw src=1 (BPF_PSEUDO_MAP_FD) and src=5 (BPF_PSEUDO_MAP_IDX): the
//     immediate is an index into Options.Maps; the register becomes the
//     map pointer (map_ptr, CONST_PTR_TO_MAP), usable only as a helper's
//     map argument.
//   - lddw src=2 (BPF_PSEUDO_MAP_VALUE) and src=6 (BPF_PSEUDO_MAP_IDX_VALUE):
//     the low 32 bits of the constant are the index, the high 32 bits (the
//     second instruction's immediate) an offset into the single value of an
//     array map with one entry (global data); the register becomes a
//     map_value pointer at that offset.
//
// bpf_map_lookup_elem returns map_value_or_null with a fresh id; a test of
// the register against 0 (== or !=, 64-bit) makes it, and every register and
// spilled copy with the same id, a map_value on one branch and the scalar 0
// on the other. Accesses through map_value pointers must stay inside
// ValueSize for every offset the pointer may have, with the kernel's
// messages; BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG forbid writes and reads
// from the program, and loads at constant offsets from frozen read-only
// global data (MapInfo.Frozen) are constants. As in Linux 6.12 (and unlike
// later kernels), a lookup in an array map with a constant key in range
// still returns map_value_or_null.
//
// bpf_ringbuf_reserve (with a constant size) returns ringbuf_mem_or_null
// holding a reference: once null-checked, the record must be passed to
// bpf_ringbuf_submit or bpf_ringbuf_discard on every path before the
// program exits ("Unreleased reference"), after which every copy of the
// pointer is a scalar. Subprograms may return holding references; a
// callback must release those it acquired before it returns, and may not
// release its caller's.
//
// A lookup in a map of maps (MapInfo.Inner describes its inner maps) gives
// map_value_or_null too; null-checked, it is a map pointer to the inner
// map. Device, CPU and XSK maps serve bpf_redirect_map; device map values
// are read-only to programs, as the kernel makes them.
//
// Not supported yet (ErrUnsupported): unprivileged programs that use maps
// (the kernel's Spectre rules: speculative paths, masked map value
// offsets), XSK map lookups, the fields of struct bpf_map read through a map
// pointer, and map types whose program-side semantics the verifier does not
// model (socket maps, storages, ...), maps whose values hold kptrs, and the
// helpers that work on special fields other than spin locks (bpf_timer_*).
//
// The special fields of values (MapInfo.Fields, from BTF) cannot be loaded
// or stored, and maps holding them are refused in the program types the
// kernel refuses them in; callers must list every such field.
// bpf_spin_lock takes the lock of one value, named by the map and the id
// of the lookup that gave the pointer; until bpf_spin_unlock releases that
// same lock, no other helper may be called and the program may not exit.
//
// Instruction numbers in messages and in the log are raw slot positions, as
// the kernel prints them (an lddw occupies two); Error.Index is the slice
// index into the program.
package verifier

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
)

// ProgType is the program type a program is verified for.
type ProgType int

// The program types the verifier knows.
const (
	// Raw is gbpf's conformance convention: r1 points to Options.MemSize
	// bytes of memory, r2 holds that size, r0 is returned unchecked.
	Raw ProgType = iota
	// SocketFilter is the kernel's BPF_PROG_TYPE_SOCKET_FILTER: r1 is a
	// struct __sk_buff context.
	SocketFilter
	// XDP is the kernel's BPF_PROG_TYPE_XDP: r1 is a struct xdp_md context
	// whose data, data_end and data_meta fields load packet pointers.
	XDP
	// SchedCLS is the kernel's BPF_PROG_TYPE_SCHED_CLS (tc): r1 is a
	// struct __sk_buff context with direct packet access.
	SchedCLS
	// Tracepoint is the kernel's BPF_PROG_TYPE_TRACEPOINT: r1 points to
	// the tracepoint's record, readable (not writable) from offset 8 up to
	// PERF_MAX_TRACE_SIZE (8192 bytes) at offsets aligned to the size.
	Tracepoint
	// Kprobe is the kernel's BPF_PROG_TYPE_KPROBE: r1 points to the
	// probed task's struct pt_regs (x86-64: 168 bytes), readable only.
	Kprobe
	// RawTracepoint is the kernel's BPF_PROG_TYPE_RAW_TRACEPOINT: r1
	// points to the tracepoint's arguments, 12 readable u64 slots.
	RawTracepoint
	// Syscall is the kernel's BPF_PROG_TYPE_SYSCALL: r1 points to memory
	// the caller passes (BPF_PROG_TEST_RUN's ctx_in), readable and
	// writable at any offset below 65535 aligned to the access size.
	// Result.MaxCtxOffset says how many bytes a run must pass. Syscall
	// programs are sleepable: they may use only the map types the kernel
	// lets sleepable programs use.
	Syscall
)

// String names the program type as the command line does.
func (t ProgType) String() string {
	switch t {
	case Raw:
		return "raw"
	case SocketFilter:
		return "socket"
	case XDP:
		return "xdp"
	case SchedCLS:
		return "tc"
	case Tracepoint:
		return "tracepoint"
	case Kprobe:
		return "kprobe"
	case RawTracepoint:
		return "raw_tracepoint"
	case Syscall:
		return "syscall"
	}
	return fmt.Sprintf("progtype(%d)", int(t))
}

// Options configures Verify.
type Options struct {
	ProgType ProgType
	// MemSize is the size of the memory r1 points to for the Raw type.
	MemSize int
	// LogLevel is 0 (errors and statistics only), 1 (every processed
	// instruction, as the kernel's log level 1) or 2 (the register state
	// at every instruction as well).
	LogLevel int
	// Unprivileged applies the rules the kernel applies to a program loaded
	// without CAP_BPF and CAP_PERFMON.
	Unprivileged bool
	// Maps describes the maps the program refers to, by index (see the
	// package documentation). If it is nil, map references make the
	// program ErrUnsupported rather than rejected.
	Maps []MapInfo
	// Helpers holds prototypes that take precedence over package
	// helpers' for the same id: an embedder's own helpers (see
	// helpers.Custom).
	Helpers map[helpers.ID]helpers.Proto
	// StrictAlignment checks the alignment of every access of more than
	// one byte, as the kernel does for BPF_F_STRICT_ALIGNMENT: packet
	// accesses as if the packet started 2 bytes past an aligned address
	// (NET_IP_ALIGN). Stack accesses and atomics are always checked.
	StrictAlignment bool
	// Funcs is the BTF function information loaded with the program
	// (func_info), if any: a subprogram that uses LD_ABS or LD_IND must
	// return a scalar.
	Funcs []FuncInfo
}

// FuncInfo is what the verifier reads from one function's BTF.
type FuncInfo struct {
	Insn         int  // slice index of the function's first instruction
	ScalarReturn bool // it returns an integer or enum, not void or a pointer
}

// MapInfo describes one map a program may use: what the kernel's verifier
// reads from struct bpf_map.
type MapInfo struct {
	// Name is printed in the log as the kernel prints it ("map=NAME");
	// the kernel keeps at most 15 characters.
	Name string
	// Type is the map type, numbered as the kernel's enum bpf_map_type.
	Type maps.Type
	// KeySize and ValueSize are the sizes of a key and of a value in
	// bytes; helpers' key and value arguments must point to that many.
	KeySize, ValueSize uint32
	// MaxEntries is the map's capacity; a direct value load (lddw src=2
	// or 6) needs an array map with exactly one entry.
	MaxEntries uint32
	// Flags are the map's creation flags (maps.Flag*, the kernel's
	// BPF_F_*); BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG are checked.
	Flags uint32
	// Inner describes the inner maps of an ArrayOfMaps or HashOfMaps (its
	// template); it is required for those types.
	Inner *MapInfo
	// Frozen, if not nil, is the value of a one-element array with
	// BPF_F_RDONLY_PROG that user space has frozen (read-only global data,
	// .rodata): as the kernel does, loads from it at constant offsets give
	// the bytes' value (missing bytes read as 0). The caller promises
	// that the value never changes while the program may run, as
	// maps.Map.Freeze does (MapInfoOf fills it for frozen maps). A
	// string argument of a helper (ARG_PTR_TO_CONST_STR, the format of
	// bpf_snprintf) must lie in such a value.
	Frozen []byte
	// Fields are the special fields of the values, from their BTF (the
	// kernel's btf_record): programs may not load or store them, and
	// some program types may not use such maps at all.
	Fields []Field
}

// Field is a BTF-defined special field of a map value (the kernel's struct
// btf_field): where it lies in the value and what it is.
type Field struct {
	Kind FieldKind
	// Off and Size are the field's offset in the value and its size in
	// bytes.
	Off, Size uint32
}

// FieldKind is the kind of a special field of a map value.
type FieldKind uint8

// The special field kinds (the kernel's enum btf_field_type).
const (
	SpinLock  FieldKind = iota + 1 // struct bpf_spin_lock
	Timer                          // struct bpf_timer
	Workqueue                      // struct bpf_wq
	Kptr                           // a kptr (__kptr, __kptr_untrusted, __percpu_kptr) or uptr
	ListHead                       // struct bpf_list_head
	RBRoot                         // struct bpf_rb_root
	Refcount                       // struct bpf_refcount
)

// String returns the kernel's name of the field kind (btf_field_type_name).
func (k FieldKind) String() string {
	switch k {
	case SpinLock:
		return "bpf_spin_lock"
	case Timer:
		return "bpf_timer"
	case Workqueue:
		return "bpf_wq"
	case Kptr:
		return "kptr"
	case ListHead:
		return "bpf_list_head"
	case RBRoot:
		return "bpf_rb_root"
	case Refcount:
		return "bpf_refcount"
	}
	return fmt.Sprintf("field#%d", uint8(k))
}

// Limits, as in the kernel.
const (
	// MaxProcessedInsns is the complexity limit: instructions processed
	// over all explored paths.
	MaxProcessedInsns = 1_000_000
	// MaxInsns is the longest program root may load; unprivileged users
	// are limited to MaxUnprivInsns.
	MaxInsns       = 1_000_000
	MaxUnprivInsns = 4096
	// MaxStack is the stack of a whole call chain, in bytes.
	MaxStack = 512
	// MaxCallFrames is the deepest call chain, the entry program included.
	MaxCallFrames = 8
)

// ErrUnsupported is wrapped by errors about programs that use something
// this verifier does not model yet (helpers, maps, kfuncs, other program
// types): such programs are rejected without a judgement on their safety.
var ErrUnsupported = errors.New("not supported by gbpf's verifier")

// Error is a rejected program: where, why, and the whole log.
type Error struct {
	Index       int             // slice index of the offending instruction, -1 for the whole program
	Insn        isa.Instruction // the offending instruction
	Reason      string          // the kernel's words: "R1 invalid mem access 'scalar'"
	Log         string          // the verifier log up to and including the reason
	unsupported bool
}

// Error returns the short form: the instruction and the reason.
func (e *Error) Error() string {
	if e.Index < 0 {
		return "verifier: " + e.Reason
	}
	return fmt.Sprintf("verifier: insn %d (%v): %s", e.Index, e.Insn, e.Reason)
}

// Format prints the short form for %v and %s, and the whole log for %+v.
func (e *Error) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('+') {
		_, _ = io.WriteString(f, e.Log)
		return
	}
	_, _ = io.WriteString(f, e.Error())
}

// Unwrap returns ErrUnsupported for programs rejected because they use
// something the verifier does not model.
func (e *Error) Unwrap() error {
	if e.unsupported {
		return ErrUnsupported
	}
	return nil
}

// InsnInfo is what the verifier learnt about one instruction, for the
// runtime's context rewriting and for the JIT.
type InsnInfo struct {
	// Reached reports whether any explored path executes the instruction.
	Reached bool
	// Base is the type of the base register of a load, store or atomic
	// operation (the same on every path; NotInit if not a memory access).
	Base RegType
}

// Result describes an accepted program.
type Result struct {
	// StackDepth is the stack used by the entry program's frame, in bytes.
	StackDepth int
	// SubprogStackDepth is the stack used by each subprogram, indexed by
	// subprogram (0 is the entry), in bytes.
	SubprogStackDepth []int
	// Subprogs holds the first instruction index of every subprogram.
	Subprogs []int
	// ProcessedInsns counts instructions processed over every explored path.
	ProcessedInsns int
	// TotalStates and PeakStates count the states kept for pruning.
	TotalStates, PeakStates int
	// Log is the verifier log.
	Log string
	// Insns holds per-instruction facts, indexed like the program.
	Insns []InsnInfo
	// Time is how long the verification took (the log's "verification
	// time N usec").
	Time time.Duration
	// MaxCtxOffset is one past the last context byte any access
	// reaches (the kernel's max_ctx_offset): a syscall program's runs
	// must pass at least that many bytes.
	MaxCtxOffset int
}

// Verify proves insns safe for opts, or returns an *Error saying where and
// why not. The log of an accepted program is in Result.Log.
func Verify(insns []isa.Instruction, opts Options) (*Result, error) {
	v := newVerifier(insns, opts)
	if err := v.run(); err != nil {
		return nil, err
	}
	return v.result(), nil
}
