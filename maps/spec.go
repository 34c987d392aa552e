// Package maps implements eBPF maps with the semantics of the Linux kernel:
// the same map types, flags, limits and errors (mirroring the kernel's
// errnos), the same per-CPU value layout as seen from user space, and two
// APIs on every map.
//
// The program side (LookupPtr, UpdateFromProg, DeleteFromProg, Push, Pop,
// Peek, ring buffer Reserve/Submit/Discard/Output, perf Output, ProgArray
// Get, inner maps of map-in-maps) is what the VM's helpers call on the hot
// path: byte slices of exactly KeySize/ValueSize, no allocations, bare
// sentinel errors. LookupPtr returns the live storage of a value: memory
// that never moves and that stays reachable until every run that could
// have seen it has ended (see EnterRun), even after Go code or another
// program deletes or replaces the element.
//
// The Go side (Lookup, Update, Delete, NextKey, Iterate, batch operations,
// LookupAndDelete) is shaped like github.com/cilium/ebpf's *ebpf.Map, so
// code moves between the kernel and gbpf easily. Keys and values are
// marshaled as []byte, fixed-size integers and structs (encoding/binary,
// little endian), and for per-CPU maps as slices with one element per
// possible CPU.
//
// "CPUs" of per-CPU maps are the VM's execution slots: indexes 0 to
// PossibleCPUs()-1. Every map is safe for concurrent use by programs and Go
// code.
package maps

import (
	"fmt"
)

// Type is a map type, numbered as the kernel's enum bpf_map_type.
type Type uint32

// The map types. Those this package implements are accepted by New; the
// others exist for naming and are refused with ErrNotSupported.
const (
	Unspec              Type = 0
	Hash                Type = 1
	Array               Type = 2
	ProgArray           Type = 3
	PerfEventArray      Type = 4
	PerCPUHash          Type = 5
	PerCPUArray         Type = 6
	StackTrace          Type = 7
	CgroupArray         Type = 8
	LRUHash             Type = 9
	LRUPerCPUHash       Type = 10
	LPMTrie             Type = 11
	ArrayOfMaps         Type = 12
	HashOfMaps          Type = 13
	DevMap              Type = 14
	SockMap             Type = 15
	CPUMap              Type = 16
	XSKMap              Type = 17
	SockHash            Type = 18
	CgroupStorage       Type = 19
	ReusePortSockArray  Type = 20
	PerCPUCgroupStorage Type = 21
	Queue               Type = 22
	Stack               Type = 23
	SkStorage           Type = 24
	DevMapHash          Type = 25
	StructOps           Type = 26
	RingBuf             Type = 27
	InodeStorage        Type = 28
	TaskStorage         Type = 29
	BloomFilter         Type = 30
	UserRingBuf         Type = 31
	CgrpStorage         Type = 32
	Arena               Type = 33
)

var typeNames = [...]string{
	"Unspec", "Hash", "Array", "ProgramArray", "PerfEventArray", "PerCPUHash",
	"PerCPUArray", "StackTrace", "CgroupArray", "LRUHash", "LRUCPUHash", "LPMTrie",
	"ArrayOfMaps", "HashOfMaps", "DevMap", "SockMap", "CPUMap", "XSKMap", "SockHash",
	"CgroupStorage", "ReusePortSockArray", "PerCPUCgroupStorage", "Queue", "Stack",
	"SkStorage", "DevMapHash", "StructOpsMap", "RingBuf", "InodeStorage",
	"TaskStorage", "BloomFilter", "UserRingbuf", "CgroupStorage", "Arena",
}

// String returns the name cilium/ebpf's ebpf.MapType uses for t.
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("MapType(%d)", uint32(t))
}

// PerCPU reports whether values of t are per CPU.
func (t Type) PerCPU() bool {
	return t == PerCPUHash || t == PerCPUArray || t == LRUPerCPUHash || t == PerCPUCgroupStorage
}

// Map creation flags (Spec.Flags), the kernel's BPF_F_* values.
const (
	FlagNoPrealloc   uint32 = 1 << 0  // BPF_F_NO_PREALLOC
	FlagNoCommonLRU  uint32 = 1 << 1  // BPF_F_NO_COMMON_LRU
	FlagNUMANode     uint32 = 1 << 2  // BPF_F_NUMA_NODE (accepted, ignored)
	FlagRdOnly       uint32 = 1 << 3  // BPF_F_RDONLY: user space may not write
	FlagWrOnly       uint32 = 1 << 4  // BPF_F_WRONLY: user space may not read
	FlagZeroSeed     uint32 = 1 << 6  // BPF_F_ZERO_SEED
	FlagRdOnlyProg   uint32 = 1 << 7  // BPF_F_RDONLY_PROG: programs may not write
	FlagWrOnlyProg   uint32 = 1 << 8  // BPF_F_WRONLY_PROG: programs may not read
	FlagMmapable     uint32 = 1 << 10 // BPF_F_MMAPABLE (arrays)
	FlagPreserveElem uint32 = 1 << 11 // BPF_F_PRESERVE_ELEMS (perf event arrays)
	FlagInnerMap     uint32 = 1 << 12 // BPF_F_INNER_MAP
)

// accessMask is the kernel's BPF_F_ACCESS_MASK.
const accessMask = FlagRdOnly | FlagWrOnly | FlagRdOnlyProg | FlagWrOnlyProg

// UpdateFlags selects the behaviour of an update, as the kernel's BPF_ANY,
// BPF_NOEXIST, BPF_EXIST and BPF_F_LOCK.
type UpdateFlags uint64

// The update flags.
const (
	UpdateAny     UpdateFlags = 0 // create or replace
	UpdateNoExist UpdateFlags = 1 // create only; ErrKeyExist if present
	UpdateExist   UpdateFlags = 2 // replace only; ErrKeyNotExist if absent
	UpdateLock    UpdateFlags = 4 // BPF_F_LOCK: update under the value's bpf_spin_lock
)

// Ring buffer flags (the kernel's BPF_RB_*), for Output, Submit and Discard.
const (
	RBNoWakeup    uint64 = 1 << 0 // BPF_RB_NO_WAKEUP
	RBForceWakeup uint64 = 1 << 1 // BPF_RB_FORCE_WAKEUP
)

// Ring buffer query selectors (BPF_RB_*), for RingBufQuery.
const (
	RBAvailData uint64 = 0 // BPF_RB_AVAIL_DATA: bytes not yet consumed
	RBRingSize  uint64 = 1 // BPF_RB_RING_SIZE: the data area size
	RBConsPos   uint64 = 2 // BPF_RB_CONS_POS: consumer position
	RBProdPos   uint64 = 3 // BPF_RB_PROD_POS: producer position
)

// Ring buffer record header bits, as the kernel's BPF_RINGBUF_*.
const (
	RingBufBusyBit    = 1 << 31 // record reserved, not yet committed
	RingBufDiscardBit = 1 << 30 // record discarded
	RingBufHdrSize    = 8       // header: u32 length|bits, u32 page offset
)

// Perf event output flags (bpf_perf_event_output).
const (
	PerfCurrentCPU uint64 = 0xffffffff // BPF_F_CURRENT_CPU
	PerfIndexMask  uint64 = 0xffffffff // BPF_F_INDEX_MASK
)

// KV is an initial element of a map: Key and Value are marshaled like the
// arguments of Map.Update. For ProgArray, Value is the program (any
// value); for map-in-maps, a *Map.
type KV struct {
	Key   any
	Value any
}

// Spec describes a map to create, in the kernel's terms.
type Spec struct {
	Name       string
	Type       Type
	KeySize    uint32
	ValueSize  uint32
	MaxEntries uint32
	Flags      uint32 // Flag* values
	// MapExtra is the kernel's map_extra: for BloomFilter the low 4 bits
	// are the number of hash functions (0 means the default, 5).
	MapExtra uint64
	// InnerMap is the template of the inner maps of ArrayOfMaps and
	// HashOfMaps. Inner maps stored in the outer map must be compatible:
	// same type, key size, value size and flags, and the same max entries
	// unless the template has FlagInnerMap (or is an array... see New).
	InnerMap *Spec
	// SpinLockOff is the offset of a struct bpf_spin_lock in the value
	// plus one; 0 means the value holds none. Updates with UpdateLock need
	// one, as in the kernel; the lock word is never copied in or out.
	SpinLockOff uint32
	// Contents are stored by New after creation, with UpdateAny.
	Contents []KV
}

// Copy returns a deep copy of s (Contents is copied shallowly per element).
func (s *Spec) Copy() *Spec {
	if s == nil {
		return nil
	}
	c := *s
	c.InnerMap = s.InnerMap.Copy()
	c.Contents = append([]KV(nil), s.Contents...)
	return &c
}

func round8(n uint32) uint32 { return (n + 7) &^ 7 }
