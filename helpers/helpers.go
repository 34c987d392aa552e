// Package helpers describes the kernel's eBPF helper functions: their ids
// (the numbers of the kernel's enum bpf_func_id), names, prototypes
// (argument and return types in the kernel's terms, for the verifier) and
// the program types that may call each.
//
// The implementations live in package vm, which runs them; this package
// is the shared description that the verifier and the runtime agree on.
package helpers

import "fmt"

// ID is a helper id, numbered as the kernel's enum bpf_func_id.
type ID int32

// String returns the kernel's name of the helper without its bpf_ prefix
// ("map_lookup_elem"), or "helper#N" for an id the kernel does not have.
func (id ID) String() string {
	if id >= 0 && int(id) < len(names) {
		return names[id]
	}
	return fmt.Sprintf("helper#%d", int32(id))
}

// ByName returns the id of the helper with the given name, with or
// without the bpf_ prefix.
func ByName(name string) (ID, bool) {
	if len(name) > 4 && name[:4] == "bpf_" {
		name = name[4:]
	}
	for i, n := range names {
		if n == name && i != 0 {
			return ID(i), true
		}
	}
	return 0, false
}

// Max is one past the highest helper id the kernel (Linux 6.18) defines.
const Max = ID(len(names))

// ArgType is the kind of value a helper argument accepts, the kernel's
// enum bpf_arg_type reduced to what the verifier needs.
type ArgType uint8

// The argument types.
const (
	ArgDontCare             ArgType = iota // unused argument
	ArgAnything                            // any initialised value
	ArgConstMapPtr                         // a map (lddw of a map)
	ArgPtrToMapKey                         // pointer to KeySize readable bytes
	ArgPtrToMapValue                       // pointer to ValueSize readable bytes
	ArgPtrToUninitMapValue                 // pointer to ValueSize writable bytes
	ArgPtrToMem                            // pointer to readable memory, sized by the next argument
	ArgPtrToMemOrNull                      // as ArgPtrToMem, or 0 (with size 0)
	ArgPtrToUninitMem                      // pointer to writable memory, sized by the next argument
	ArgConstSize                           // size of the previous memory argument, > 0
	ArgConstSizeOrZero                     // size of the previous memory argument, >= 0
	ArgConstAllocSizeOrZero                // size of memory the helper allocates
	ArgPtrToCtx                            // the program's context
	ArgPtrToStack                          // pointer into the stack
	ArgPtrToConstStr                       // pointer to a NUL-terminated string in a read-only map value
	ArgPtrToFunc                           // a callback subprogram (lddw src=4)
	ArgPtrToStackOrNull                    // pointer into the stack, or 0
	ArgPtrToSpinLock                       // pointer to a struct bpf_spin_lock in a map value
	ArgPtrToLong                           // pointer to 8 writable bytes
	ArgPtrToAllocMem                       // memory from ringbuf_reserve (released by the call)
	ArgPtrToMapValueOrMem                  // the format string's data: memory of the size that follows
)

var argNames = [...]string{"dontcare", "anything", "const_map_ptr", "ptr_to_map_key", "ptr_to_map_value",
	"ptr_to_uninit_map_value", "ptr_to_mem", "ptr_to_mem_or_null", "ptr_to_uninit_mem", "const_size",
	"const_size_or_zero", "const_alloc_size_or_zero", "ptr_to_ctx", "ptr_to_stack", "ptr_to_const_str",
	"ptr_to_func", "ptr_to_stack_or_null", "ptr_to_spin_lock", "ptr_to_long", "ptr_to_alloc_mem",
	"ptr_to_map_value_or_mem"}

// String returns the kernel-style name of the argument type.
func (a ArgType) String() string {
	if int(a) < len(argNames) {
		return argNames[a]
	}
	return fmt.Sprintf("arg#%d", uint8(a))
}

// RetType is the kind of value a helper returns in r0.
type RetType uint8

// The return types.
const (
	RetInteger             RetType = iota // a scalar
	RetVoid                               // nothing (r0 is undefined)
	RetPtrToMapValueOrNull                // pointer to a value of the map argument, or 0
	RetPtrToMapValue                      // pointer to a value of the map argument
	RetPtrToAllocMemOrNull                // memory of the size argument (ringbuf_reserve), or 0
)

// String returns the kernel-style name of the return type.
func (r RetType) String() string {
	switch r {
	case RetInteger:
		return "integer"
	case RetVoid:
		return "void"
	case RetPtrToMapValueOrNull:
		return "ptr_to_map_value_or_null"
	case RetPtrToMapValue:
		return "ptr_to_map_value"
	case RetPtrToAllocMemOrNull:
		return "ptr_to_alloc_mem_or_null"
	}
	return fmt.Sprintf("ret#%d", uint8(r))
}

// ProgType is a program type, numbered as the kernel's enum bpf_prog_type.
// gbpf's raw type (the conformance convention: r1 = memory, r2 = length)
// is the kernel's BPF_PROG_TYPE_UNSPEC, which the kernel does not run.
type ProgType uint32

// The program types.
const (
	Raw           ProgType = 0  // gbpf's raw type (BPF_PROG_TYPE_UNSPEC)
	SocketFilter  ProgType = 1  // BPF_PROG_TYPE_SOCKET_FILTER
	Kprobe        ProgType = 2  // BPF_PROG_TYPE_KPROBE
	SchedCLS      ProgType = 3  // BPF_PROG_TYPE_SCHED_CLS (tc)
	SchedACT      ProgType = 4  // BPF_PROG_TYPE_SCHED_ACT
	Tracepoint    ProgType = 5  // BPF_PROG_TYPE_TRACEPOINT
	XDP           ProgType = 6  // BPF_PROG_TYPE_XDP
	PerfEvent     ProgType = 7  // BPF_PROG_TYPE_PERF_EVENT
	CgroupSKB     ProgType = 8  // BPF_PROG_TYPE_CGROUP_SKB
	RawTracepoint ProgType = 17 // BPF_PROG_TYPE_RAW_TRACEPOINT
	Tracing       ProgType = 26 // BPF_PROG_TYPE_TRACING
	Syscall       ProgType = 31 // BPF_PROG_TYPE_SYSCALL
)

// String returns the name bpftool uses for the type.
func (t ProgType) String() string {
	switch t {
	case Raw:
		return "raw"
	case SocketFilter:
		return "socket_filter"
	case Kprobe:
		return "kprobe"
	case SchedCLS:
		return "sched_cls"
	case SchedACT:
		return "sched_act"
	case Tracepoint:
		return "tracepoint"
	case XDP:
		return "xdp"
	case PerfEvent:
		return "perf_event"
	case CgroupSKB:
		return "cgroup_skb"
	case RawTracepoint:
		return "raw_tracepoint"
	case Tracing:
		return "tracing"
	case Syscall:
		return "syscall"
	}
	return fmt.Sprintf("prog_type#%d", uint32(t))
}

// group is a set of program types that share helpers, as the kernel's
// func_proto functions share bpf_base_func_proto and friends.
type group uint8

const (
	gBase    group = 1 << iota // every program type (bpf_base_func_proto)
	gSkb                       // socket filter, tc (skb helpers)
	gTC                        // tc only
	gXDP                       // XDP only
	gNet                       // socket filter, tc and XDP
	gTracing                   // tracing types and syscall
	gPerf                      // programs with a perf event output path: tracing, tc, XDP, socket filter
	gAtomic                    // every type that cannot sleep but the tracing ones (bpf_sk_base_func_proto)
)

// Proto is the prototype of a helper: what it returns, what its
// arguments are, and which program types may call it.
type Proto struct {
	ID   ID
	Ret  RetType
	Args [5]ArgType
	// PktAccess reports that memory arguments may point into the packet
	// (the kernel's pkt_access) in program types with direct packet
	// access (tc, XDP).
	PktAccess bool
	groups    group
}

// Name returns the helper's kernel name without the bpf_ prefix.
func (p Proto) Name() string { return p.ID.String() }

// NumArgs returns how many arguments the helper takes.
func (p Proto) NumArgs() int {
	n := 0
	for i, a := range p.Args {
		if a != ArgDontCare {
			n = i + 1
		}
	}
	return n
}

// AllowedIn reports whether a program of type t may call the helper. The
// raw type may call every helper gbpf implements.
func (p Proto) AllowedIn(t ProgType) bool {
	g := p.groups
	switch t {
	case Raw:
		return true
	case SocketFilter:
		return g&(gBase|gAtomic|gSkb|gNet|gPerf) != 0
	case SchedCLS, SchedACT:
		return g&(gBase|gAtomic|gSkb|gTC|gNet|gPerf) != 0
	case XDP:
		return g&(gBase|gAtomic|gXDP|gNet|gPerf) != 0
	case Syscall:
		return g&(gBase|gTracing|gPerf) != 0
	case Kprobe, Tracepoint, RawTracepoint, Tracing, PerfEvent:
		// bpf_tracing_func_proto does not fall back on
		// bpf_sk_base_func_proto: no ktime_get_coarse_ns.
		return g&(gBase|gTracing|gPerf) != 0
	default:
		return g&(gBase|gAtomic) != 0
	}
}

// String prints the prototype as C: "long map_update_elem(const_map_ptr, ...)".
func (p Proto) String() string {
	s := p.Ret.String() + " " + p.Name() + "("
	for i := 0; i < p.NumArgs(); i++ {
		if i > 0 {
			s += ", "
		}
		s += p.Args[i].String()
	}
	return s + ")"
}

func proto(id ID, g group, ret RetType, args ...ArgType) Proto {
	p := Proto{ID: id, Ret: ret, groups: g}
	copy(p.Args[:], args)
	return p
}

// pkt marks a prototype pkt_access.
func (p Proto) pkt() Proto {
	p.PktAccess = true
	return p
}

// protos holds the prototype of every helper gbpf implements.
var protos = func() map[ID]Proto {
	const (
		any     = ArgAnything
		mapP    = ArgConstMapPtr
		key     = ArgPtrToMapKey
		val     = ArgPtrToMapValue
		uval    = ArgPtrToUninitMapValue
		mem     = ArgPtrToMem
		memNull = ArgPtrToMemOrNull
		umem    = ArgPtrToUninitMem
		size    = ArgConstSize
		size0   = ArgConstSizeOrZero
		ctx     = ArgPtrToCtx
		integer = RetInteger
	)
	list := []Proto{
		proto(MapLookupElem, gBase, RetPtrToMapValueOrNull, mapP, key).pkt(),
		proto(MapUpdateElem, gBase, integer, mapP, key, val, any).pkt(),
		proto(MapDeleteElem, gBase, integer, mapP, key).pkt(),
		proto(MapPushElem, gBase, integer, mapP, val, any).pkt(),
		proto(MapPopElem, gBase, integer, mapP, uval),
		proto(MapPeekElem, gBase, integer, mapP, uval),
		proto(ForEachMapElem, gBase, integer, mapP, ArgPtrToFunc, ArgPtrToStackOrNull, any),
		proto(Loop, gBase, integer, any, ArgPtrToFunc, ArgPtrToStackOrNull, any),
		proto(TailCall, gBase, integer, ctx, mapP, any),
		proto(KtimeGetNS, gBase, integer),
		proto(KtimeGetBootNS, gBase, integer),
		proto(KtimeGetCoarseNS, gAtomic, integer),
		proto(Jiffies64, gBase, integer),
		proto(GetPrandomU32, gBase, integer),
		proto(GetSMPProcessorID, gBase, integer),
		proto(GetNUMANodeID, gBase, integer),
		// The format's arguments (r3 to r5) are not declared: the
		// kernel does not check them (bpf_trace_printk_proto).
		proto(TracePrintk, gBase, integer, mem, size),
		proto(Snprintf, gBase, integer, memNull, size0, ArgPtrToConstStr, memNull, size0),
		proto(GetCurrentPIDTGID, gBase, integer),
		proto(GetCurrentUIDGID, gBase, integer),
		proto(GetCurrentComm, gBase, integer, umem, size),
		proto(ProbeReadKernel, gBase, integer, umem, size0, any),
		proto(ProbeReadKernelStr, gBase, integer, umem, size0, any),
		proto(ProbeReadUser, gBase, integer, umem, size0, any),
		proto(ProbeReadUserStr, gBase, integer, umem, size0, any),
		proto(RingbufOutput, gBase, integer, mapP, mem, size0, any),
		proto(RingbufReserve, gBase, RetPtrToAllocMemOrNull, mapP, ArgConstAllocSizeOrZero, any),
		proto(RingbufSubmit, gBase, RetVoid, ArgPtrToAllocMem, any),
		proto(RingbufDiscard, gBase, RetVoid, ArgPtrToAllocMem, any),
		proto(RingbufQuery, gBase, integer, mapP, any),
		proto(PerfEventOutput, gPerf, integer, ctx, mapP, any, mem, size0),
		proto(SpinLock, gBase, RetVoid, ArgPtrToSpinLock),
		proto(SpinUnlock, gBase, RetVoid, ArgPtrToSpinLock),
		proto(Strncmp, gBase, integer, mem, size, ArgPtrToConstStr),
		proto(Strtol, gBase, integer, mem, size, any, ArgPtrToLong),
		proto(Strtoul, gBase, integer, mem, size, any, ArgPtrToLong),
		proto(CsumDiff, gTC|gXDP, integer, memNull, size0, memNull, size0, any).pkt(),
		proto(SKBLoadBytes, gSkb, integer, ctx, any, umem, size),
		proto(SKBStoreBytes, gTC, integer, ctx, any, mem, size, any),
		proto(L3CsumReplace, gTC, integer, ctx, any, any, any, any),
		proto(L4CsumReplace, gTC, integer, ctx, any, any, any, any),
		proto(SKBPullData, gTC, integer, ctx, any),
		proto(SKBChangeTail, gTC, integer, ctx, any, any),
		proto(XDPAdjustHead, gXDP, integer, ctx, any),
		proto(XDPAdjustTail, gXDP, integer, ctx, any),
		proto(XDPAdjustMeta, gXDP, integer, ctx, any),
		proto(Redirect, gXDP|gTC, integer, any, any),
		proto(RedirectMap, gXDP, integer, mapP, any, any),
	}
	m := make(map[ID]Proto, len(list))
	for _, p := range list {
		m[p.ID] = p
	}
	return m
}()

// Lookup returns the prototype of a helper gbpf implements.
func Lookup(id ID) (Proto, bool) {
	p, ok := protos[id]
	return p, ok
}

// Implemented returns the ids of every helper gbpf implements, in order.
func Implemented() []ID {
	var ids []ID
	for id := ID(0); id < Max; id++ {
		if _, ok := protos[id]; ok {
			ids = append(ids, id)
		}
	}
	return ids
}

// Custom returns the prototype of an embedder's own helper: callable from
// every program type, returning ret, taking args (at most five). The
// verifier checks calls to it as it checks the kernel's helpers.
func Custom(id ID, ret RetType, args ...ArgType) Proto {
	return proto(id, ^group(0), ret, args...)
}
