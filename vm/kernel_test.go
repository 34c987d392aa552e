package vm_test

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	casm "github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/ringbuf"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/internal/kerneldiff"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/vm"
)

// kernelOrSkip skips a test that needs the kernel's bpf() when it is not
// available, and fails instead under CI=true.
func kernelOrSkip(tb testing.TB) {
	tb.Helper()
	if err := kerneldiff.Available(); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("CI=true but the kernel is unavailable: %v", err)
		}
		tb.Skipf("kernel unavailable (needs root and bpf()): %v", err)
	}
}

var kernelTypes = map[helpers.ProgType]ebpf.ProgramType{
	helpers.SocketFilter: ebpf.SocketFilter,
	helpers.SchedCLS:     ebpf.SchedCLS,
	helpers.SchedACT:     ebpf.SchedACT,
	helpers.XDP:          ebpf.XDP,
	helpers.Syscall:      ebpf.Syscall,
}

// kernelMapSpec is the kernel's equivalent of a gbpf map spec.
func kernelMapSpec(s *maps.Spec) *ebpf.MapSpec {
	ks := &ebpf.MapSpec{Name: s.Name, Type: ebpf.MapType(s.Type), KeySize: s.KeySize, ValueSize: s.ValueSize,
		MaxEntries: s.MaxEntries, Flags: s.Flags}
	if s.SpinLockOff == 1 { // struct { struct bpf_spin_lock lock; u32 pad; u64 v; }, as the kernel needs BTF for it
		u32 := &btf.Int{Name: "u32", Size: 4}
		u64 := &btf.Int{Name: "u64", Size: 8}
		lock := &btf.Struct{Name: "bpf_spin_lock", Size: 4, Members: []btf.Member{{Name: "val", Type: u32}}}
		ks.Key = u32
		ks.Value = &btf.Struct{Name: "val", Size: 16, Members: []btf.Member{
			{Name: "lock", Type: lock}, {Name: "pad", Type: u32, Offset: 32}, {Name: "v", Type: u64, Offset: 64}}}
	}
	return ks
}

// kernelProgram loads insns into the kernel with the maps kms: lddw of
// map_fd(i) and map_value(i, off) name kms[i].
func kernelProgram(tb testing.TB, typ helpers.ProgType, insns []isa.Instruction, kms []*ebpf.Map) *ebpf.Program {
	tb.Helper()
	p, err := kernelLoad(tb, typ, insns, kms)
	if err != nil {
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) {
			tb.Fatalf("kernel verifier: %v\n%+v", err, ve)
		}
		tb.Fatalf("kernel load: %v", err)
	}
	tb.Cleanup(func() { p.Close() })
	return p
}

// kernelLoad is kernelProgram returning the kernel's error; the caller
// closes the program.
func kernelLoad(tb testing.TB, typ helpers.ProgType, insns []isa.Instruction, kms []*ebpf.Map) (*ebpf.Program, error) {
	tb.Helper()
	ci, err := kerneldiff.ToCilium(insns)
	if err != nil {
		tb.Fatal(err)
	}
	for k := range ci {
		ins := &ci[k]
		if ins.OpCode == casm.LoadImmOp(casm.DWord) && (ins.Src == casm.PseudoMapFD || ins.Src == casm.PseudoMapValue) {
			if err := ins.AssociateMap(kms[uint32(ins.Constant)]); err != nil {
				tb.Fatal(err)
			}
		}
	}
	// Programs with callbacks (lddw src=4) need BTF function information
	// for every function, as the kernel requires.
	var targets []int
	for k := range ci {
		if ci[k].OpCode == casm.LoadImmOp(casm.DWord) && ci[k].Src == casm.PseudoFunc {
			slot := 0
			for j := 0; j < k; j++ {
				slot += int(ci[j].Width())
			}
			targets = append(targets, slot+1+int(int32(ci[k].Constant)))
		}
	}
	if len(targets) > 0 {
		u64 := &btf.Int{Name: "u64", Size: 8}
		var params []btf.FuncParam
		for _, n := range []string{"a", "b", "c", "d"} {
			params = append(params, btf.FuncParam{Name: n, Type: u64})
		}
		ci[0] = btf.WithFuncMetadata(ci[0], &btf.Func{Name: "main", Linkage: btf.GlobalFunc,
			Type: &btf.FuncProto{Return: &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}}})
		slot := 0
		for k := range ci {
			for _, tg := range targets {
				if slot == tg {
					ci[k] = btf.WithFuncMetadata(ci[k], &btf.Func{Name: fmt.Sprintf("cb%d", k), Linkage: btf.StaticFunc,
						Type: &btf.FuncProto{Return: u64, Params: params}})
				}
			}
			slot += int(ci[k].Width())
		}
	}
	spec := &ebpf.ProgramSpec{Type: kernelTypes[typ], License: "GPL", Instructions: ci}
	if typ == helpers.Syscall {
		spec.Flags = 1 << 4 // BPF_F_SLEEPABLE
	}
	return ebpf.NewProgramWithOptions(spec, ebpf.ProgramOptions{LogLevel: ebpf.LogLevelBranch})
}

// diffCase is one program run in gbpf and in the kernel on the same input.
type diffCase struct {
	name   string
	typ    helpers.ProgType
	src    string
	maps   []maps.Spec
	data   []byte
	ctx    []byte
	repeat int
}

// frame returns an Ethernet frame: destination, source, EtherType, payload.
func frame(dst, src string, etherType uint16, payload ...byte) []byte {
	d, _ := hex.DecodeString(dst)
	s, _ := hex.DecodeString(src)
	b := append(append(d, s...), byte(etherType>>8), byte(etherType))
	return append(b, payload...)
}

// ipv4UDP is a frame holding an IPv4 UDP packet 10.0.0.1:1000 -> 10.0.0.2:53.
var ipv4UDP = frame("020000000002", "020000000001", 0x0800,
	0x45, 0, 0, 32, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
	0x03, 0xe8, 0, 53, 0, 12, 0, 0, 'a', 'b', 'c', 'd')

// udpCsumFFFF is ipv4UDP with the UDP checksum 0xffff.
var udpCsumFFFF = func() []byte {
	b := append([]byte(nil), ipv4UDP...)
	b[40], b[41] = 0xff, 0xff
	return b
}()

// jumbo returns ipv4UDP padded with a byte pattern to n bytes.
func jumbo(n int) []byte {
	b := append([]byte(nil), ipv4UDP...)
	for len(b) < n {
		b = append(b, byte(len(b)))
	}
	return b
}

func skbCtx(set func(b []byte)) []byte {
	b := make([]byte, 192)
	set(b)
	return b
}

var arrayU64 = maps.Spec{Name: "arr", Type: maps.Array, KeySize: 4, ValueSize: 8, MaxEntries: 4}
var hashU64 = maps.Spec{Name: "hash", Type: maps.Hash, KeySize: 4, ValueSize: 8, MaxEntries: 16}

var diffCases = []diffCase{
	{name: "xdp pass", typ: helpers.XDP, src: "r0 = 2\nexit", data: ipv4UDP},
	{name: "xdp 14 bytes", typ: helpers.XDP, src: "r0 = 2\nexit", data: make([]byte, 14)},
	{name: "xdp 13 bytes", typ: helpers.XDP, src: "r0 = 2\nexit", data: make([]byte, 13)},
	{name: "xdp 3520 bytes", typ: helpers.XDP, src: "r0 = 2\nexit", data: make([]byte, 3520)},
	{name: "xdp 3521 bytes", typ: helpers.XDP, src: "r0 = *(u32 *)(r1 + 4)\nr1 = *(u32 *)(r1 + 0)\nr0 -= r1\nexit", data: bytes.Repeat([]byte{7}, 5000)},
	{name: "xdp ctx linear part", typ: helpers.XDP, src: "r0 = *(u32 *)(r1 + 4)\nr1 = *(u32 *)(r1 + 0)\nr0 -= r1\nexit", data: ipv4UDP, ctx: u32le(0, 20, 0, 0, 0, 0)},
	{name: "xdp ctx linear part too short", typ: helpers.XDP, src: "r0 = 2\nexit", data: ipv4UDP, ctx: u32le(0, 13, 0, 0, 0, 0)},
	{name: "xdp ctx fields", typ: helpers.XDP, src: `
		r2 = *(u32 *)(r1 + 12)
		r3 = *(u32 *)(r1 + 16)
		r3 <<= 8
		r0 = r2
		r0 |= r3
		r4 = *(u32 *)(r1 + 0)
		r5 = *(u32 *)(r1 + 8)
		if r4 != r5 goto bad
		r4 = *(u32 *)(r1 + 0)
		r5 = *(u32 *)(r1 + 4)
		r5 -= r4
		r5 <<= 16
		r0 |= r5
		exit
	bad:
		r0 = 99
		exit`, data: ipv4UDP},
	{name: "xdp swap macs", typ: helpers.XDP, src: `
		r2 = *(u32 *)(r1 + 0)
		r3 = *(u32 *)(r1 + 4)
		r4 = r2
		r4 += 14
		if r4 > r3 goto drop
		r5 = *(u32 *)(r2 + 0)
		r6 = *(u16 *)(r2 + 4)
		r7 = *(u32 *)(r2 + 6)
		r8 = *(u16 *)(r2 + 10)
		*(u32 *)(r2 + 0) = r7
		*(u16 *)(r2 + 4) = r8
		*(u32 *)(r2 + 6) = r5
		*(u16 *)(r2 + 10) = r6
		r0 = 3
		exit
	drop:
		r0 = 1
		exit`, data: ipv4UDP},
	{name: "xdp adjust head grow", typ: helpers.XDP, src: `
		r6 = r1
		r2 = -4
		call 44
		if r0 != 0 goto out
		r2 = *(u32 *)(r6 + 0)
		r3 = *(u32 *)(r6 + 4)
		r4 = r2
		r4 += 4
		if r4 > r3 goto out
		*(u32 *)(r2 + 0) = 0x11223344
		r0 = 2
	out:
		exit`, data: ipv4UDP},
	{name: "xdp adjust head shrink", typ: helpers.XDP, src: "r2 = 14\ncall 44\nexit", data: ipv4UDP},
	{name: "xdp adjust head too far", typ: helpers.XDP, src: "r2 = -217\ncall 44\nexit", data: ipv4UDP},
	{name: "xdp adjust head max", typ: helpers.XDP, src: "r2 = -216\ncall 44\nexit", data: ipv4UDP},
	{name: "xdp adjust head past end", typ: helpers.XDP, src: "r2 = 33\ncall 44\nexit", data: ipv4UDP},
	{name: "xdp adjust tail grow", typ: helpers.XDP, src: "r2 = 8\ncall 65\nexit", data: ipv4UDP},
	{name: "xdp adjust tail shrink", typ: helpers.XDP, src: "r2 = -10\ncall 65\nexit", data: ipv4UDP},
	{name: "xdp adjust tail too small", typ: helpers.XDP, src: "r2 = -40\ncall 65\nexit", data: ipv4UDP},
	{name: "xdp adjust tail too big", typ: helpers.XDP, src: "r2 = 3500\ncall 65\nexit", data: ipv4UDP},
	{name: "xdp adjust tail to max", typ: helpers.XDP, src: "r2 = 3474\ncall 65\nexit", data: ipv4UDP},
	// bpf_xdp_adjust_tail of multi-buffer packets (the linear part holds
	// 3520 bytes, fragments a page each): r0 = linear length << 8 | the
	// helper's result's low byte; data out shows all the bytes.
	{name: "xdp frags adjust tail grow within the last page", typ: helpers.XDP, src: "r6 = r1\nr2 = 100\ncall 65\nr7 = r0\nr0 = *(u32 *)(r6 + 4)\nr1 = *(u32 *)(r6 + 0)\nr0 -= r1\nr0 <<= 8\nr7 &= 0xff\nr0 |= r7\nexit", data: jumbo(5000)},
	{name: "xdp frags adjust tail grow to fill the last page", typ: helpers.XDP, src: "r6 = r1\nr2 = 3192\ncall 65\nr7 = r0\nr0 = *(u32 *)(r6 + 4)\nr1 = *(u32 *)(r6 + 0)\nr0 -= r1\nr0 <<= 8\nr7 &= 0xff\nr0 |= r7\nexit", data: jumbo(5000)},
	{name: "xdp frags adjust tail grow past the last page", typ: helpers.XDP, src: "r6 = r1\nr2 = 3193\ncall 65\nr7 = r0\nr0 = *(u32 *)(r6 + 4)\nr1 = *(u32 *)(r6 + 0)\nr0 -= r1\nr0 <<= 8\nr7 &= 0xff\nr0 |= r7\nexit", data: jumbo(5000)},
	{name: "xdp frags adjust tail grow a full last page", typ: helpers.XDP, src: "r6 = r1\nr2 = 1\ncall 65\nr7 = r0\nr0 = *(u32 *)(r6 + 4)\nr1 = *(u32 *)(r6 + 0)\nr0 -= r1\nr0 <<= 8\nr7 &= 0xff\nr0 |= r7\nexit", data: jumbo(7616)},
	{name: "xdp frags adjust tail shrink the last fragment", typ: helpers.XDP, src: "r6 = r1\nr2 = -100\ncall 65\nr7 = r0\nr0 = *(u32 *)(r6 + 4)\nr1 = *(u32 *)(r6 + 0)\nr0 -= r1\nr0 <<= 8\nr7 &= 0xff\nr0 |= r7\nexit", data: jumbo(5000)},
	{name: "xdp frags adjust tail shrink all fragments", typ: helpers.XDP, src: "r6 = r1\nr2 = -1480\ncall 65\nr7 = r0\nr0 = *(u32 *)(r6 + 4)\nr1 = *(u32 *)(r6 + 0)\nr0 -= r1\nr0 <<= 8\nr7 &= 0xff\nr0 |= r7\nexit", data: jumbo(5000)},
	{name: "xdp frags adjust tail shrink into the linear part", typ: helpers.XDP, src: "r6 = r1\nr2 = -1500\ncall 65\nr7 = r0\nr0 = *(u32 *)(r6 + 4)\nr1 = *(u32 *)(r6 + 0)\nr0 -= r1\nr0 <<= 8\nr7 &= 0xff\nr0 |= r7\nexit", data: jumbo(5000)},
	{name: "xdp frags adjust tail shrink across fragments", typ: helpers.XDP, src: "r6 = r1\nr2 = -5000\ncall 65\nr7 = r0\nr0 = *(u32 *)(r6 + 4)\nr1 = *(u32 *)(r6 + 0)\nr0 -= r1\nr0 <<= 8\nr7 &= 0xff\nr0 |= r7\nexit", data: jumbo(7716)},
	{name: "xdp frags adjust tail shrink to 14 bytes", typ: helpers.XDP, src: "r6 = r1\nr2 = -4986\ncall 65\nr7 = r0\nr0 = *(u32 *)(r6 + 4)\nr1 = *(u32 *)(r6 + 0)\nr0 -= r1\nr0 <<= 8\nr7 &= 0xff\nr0 |= r7\nexit", data: jumbo(5000)},
	{name: "xdp frags adjust tail shrink below 14 bytes", typ: helpers.XDP, src: "r6 = r1\nr2 = -4987\ncall 65\nr7 = r0\nr0 = *(u32 *)(r6 + 4)\nr1 = *(u32 *)(r6 + 0)\nr0 -= r1\nr0 <<= 8\nr7 &= 0xff\nr0 |= r7\nexit", data: jumbo(5000)},
	{name: "xdp frags adjust tail shrink by INT_MIN", typ: helpers.XDP, src: "r6 = r1\nr2 = -2147483648\ncall 65\nr7 = r0\nr0 = *(u32 *)(r6 + 4)\nr1 = *(u32 *)(r6 + 0)\nr0 -= r1\nr0 <<= 8\nr7 &= 0xff\nr0 |= r7\nexit", data: jumbo(5000)},
	{name: "xdp adjust meta", typ: helpers.XDP, src: `
		r6 = r1
		r2 = -8
		call 54
		if r0 != 0 goto out
		r2 = *(u32 *)(r6 + 8)
		r3 = *(u32 *)(r6 + 0)
		r4 = r2
		r4 += 8
		if r4 > r3 goto out
		r1 = 0x0102030405060708 ll
		*(u64 *)(r2 + 0) = r1
		r0 = 2
	out:
		exit`, data: ipv4UDP},
	{name: "xdp adjust meta odd", typ: helpers.XDP, src: "r2 = -6\ncall 54\nexit", data: ipv4UDP},
	{name: "xdp adjust meta too big", typ: helpers.XDP, src: "r2 = -36\ncall 54\nexit", data: ipv4UDP},
	{name: "xdp adjust meta positive", typ: helpers.XDP, src: "r2 = 4\ncall 54\nexit", data: ipv4UDP},
	{name: "xdp ctx in with metadata", typ: helpers.XDP, src: `
		r2 = *(u32 *)(r1 + 8)
		r3 = *(u32 *)(r1 + 0)
		r0 = r3
		r0 -= r2
		exit`, data: append([]byte{1, 2, 3, 4, 5, 6, 7, 8}, ipv4UDP...), ctx: u32le(8, uint32(8+len(ipv4UDP)), 0, 0, 0, 0)},
	{name: "xdp ctx out after adjust head", typ: helpers.XDP, src: "r2 = 14\ncall 44\nr0 = 2\nexit", data: ipv4UDP, ctx: u32le(0, uint32(len(ipv4UDP)), 0, 0, 0, 0)},
	{name: "xdp ctx data_end beyond data", typ: helpers.XDP, src: "r0 = 2\nexit", data: ipv4UDP, ctx: u32le(0, 100, 0, 0, 0, 0)},
	{name: "xdp ctx bad data_end", typ: helpers.XDP, src: "r0 = 2\nexit", data: ipv4UDP, ctx: u32le(0, 10, 0, 0, 0, 0)},
	{name: "xdp ctx egress", typ: helpers.XDP, src: "r0 = 2\nexit", data: ipv4UDP, ctx: u32le(0, uint32(len(ipv4UDP)), 0, 0, 0, 3)},
	{name: "xdp ctx rxq without ifindex", typ: helpers.XDP, src: "r0 = 2\nexit", data: ipv4UDP, ctx: u32le(0, uint32(len(ipv4UDP)), 0, 0, 1, 0)},
	{name: "xdp redirect", typ: helpers.XDP, src: "r1 = 5\nr2 = 0\ncall 23\nexit", data: ipv4UDP},
	{name: "xdp redirect bad flags", typ: helpers.XDP, src: "r1 = 5\nr2 = 1\ncall 23\nexit", data: ipv4UDP},
	{name: "xdp csum_diff", typ: helpers.XDP, src: `
		r2 = *(u32 *)(r1 + 0)
		r3 = *(u32 *)(r1 + 4)
		r4 = r2
		r4 += 34
		if r4 > r3 goto out
		r1 = r2
		r1 += 14
		r2 = 20
		r3 = 0
		r4 = 0
		r5 = 0x1234
		call 28
		exit
	out:
		r0 = 0
		exit`, data: ipv4UDP},
	{name: "xdp array counter", typ: helpers.XDP, maps: []maps.Spec{arrayU64}, src: `
		r1 = 2
		*(u32 *)(r10 - 4) = r1
		r2 = r10
		r2 += -4
		r1 = map_fd(0)
		call 1
		if r0 == 0 goto out
		r1 = 5
		lock *(u64 *)(r0 + 0) += r1
		r1 = *(u64 *)(r0 + 0)
		r0 = r1
		exit
	out:
		r0 = 0
		exit`, data: ipv4UDP, repeat: 3},
	{name: "xdp hash update and lookup", typ: helpers.XDP, maps: []maps.Spec{hashU64}, src: `
		r1 = 7
		*(u32 *)(r10 - 4) = r1
		r1 = 0x55
		*(u64 *)(r10 - 16) = r1
		r1 = map_fd(0)
		r2 = r10
		r2 += -4
		r3 = r10
		r3 += -16
		r4 = 1
		call 2
		r6 = r0
		r1 = map_fd(0)
		r2 = r10
		r2 += -4
		call 1
		if r0 == 0 goto out
		r1 = *(u64 *)(r0 + 0)
		r1 += 1
		*(u64 *)(r0 + 0) = r1
		r0 = r6
		exit
	out:
		r0 = 77
		exit`, data: ipv4UDP, repeat: 2},
	{name: "xdp hash delete missing", typ: helpers.XDP, maps: []maps.Spec{hashU64}, src: `
		r1 = 9
		*(u32 *)(r10 - 4) = r1
		r1 = map_fd(0)
		r2 = r10
		r2 += -4
		call 3
		exit`, data: ipv4UDP},
	{name: "xdp global data", typ: helpers.XDP, maps: []maps.Spec{{Name: ".data", Type: maps.Array, KeySize: 4, ValueSize: 16, MaxEntries: 1}}, src: `
		r1 = map_value(0, 8)
		r2 = *(u64 *)(r1 + 0)
		r2 += 3
		*(u64 *)(r1 + 0) = r2
		r0 = r2
		exit`, data: ipv4UDP, repeat: 4},
	{name: "xdp bpf_loop", typ: helpers.XDP, src: `
		r1 = 0
		*(u64 *)(r10 - 8) = r1
		r1 = 10
		r2 = func(+9)
		r3 = r10
		r3 += -8
		r4 = 0
		call 181
		r1 = *(u64 *)(r10 - 8)
		r0 <<= 16
		r0 |= r1
		exit
		r3 = *(u64 *)(r2 + 0)
		r3 += r1
		*(u64 *)(r2 + 0) = r3
		r0 = 0
		if r1 != 6 goto +1
		r0 = 1
		exit`, data: ipv4UDP},
	// Over BPF_MAX_LOOPS with flags 0 the kernel's inlined loop sets a
	// 32-bit -E2BIG: r0 >> 16 is 0xffff, not 0xffffffffffff.
	{name: "xdp bpf_loop over the limit", typ: helpers.XDP, src: `
		r1 = 0x1000000
		r2 = func(+6)
		r3 = 0
		r4 = 0
		call 181
		r0 >>= 16
		exit
		r0 = 0
		exit`, data: ipv4UDP},
	{name: "xdp bpf_loop 64-bit count", typ: helpers.XDP, src: `
		r1 = 0x100000002 ll
		r2 = func(+6)
		r3 = 0
		r4 = 0
		call 181
		r0 >>= 16
		exit
		r0 = 0
		exit`, data: ipv4UDP},
	// Socket buffer test runs hold at most 3712 bytes (a page less the
	// skb's headroom and shared info): one byte more is EINVAL.
	{name: "socket filter 3712 bytes", typ: helpers.SocketFilter, src: `
		r0 = *(u32 *)(r1 + 0)
		exit`, data: jumbo(3712)},
	{name: "socket filter 3713 bytes", typ: helpers.SocketFilter, src: `
		r0 = *(u32 *)(r1 + 0)
		exit`, data: jumbo(3713)},
	{name: "tc 3712 bytes", typ: helpers.SchedCLS, src: `
		r0 = *(u32 *)(r1 + 0)
		exit`, data: jumbo(3712)},
	{name: "tc 3713 bytes", typ: helpers.SchedCLS, src: `
		r0 = *(u32 *)(r1 + 0)
		exit`, data: jumbo(3713)},
	// The tc checksum and resizing helpers: r0 = packet length << 8 | the
	// helper's result's low byte; data out shows the bytes.
	{name: "tc l3_csum_replace 2 bytes", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 24\nr3 = 0x1140\nr4 = 0x1141\nr5 = 2\nr1 = r6\ncall 10\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: ipv4UDP},
	{name: "tc l3_csum_replace 4 bytes", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 24\nr3 = 0x0100000a\nr4 = 0x0500000a\nr5 = 4\nr1 = r6\ncall 10\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: ipv4UDP},
	{name: "tc l3_csum_replace diff", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 24\nr3 = 0\nr4 = 0x12345678\nr5 = 0\nr1 = r6\ncall 10\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: ipv4UDP},
	{name: "tc l3_csum_replace diff with from", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 24\nr3 = 1\nr4 = 0x12345678\nr5 = 0\nr1 = r6\ncall 10\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: ipv4UDP},
	{name: "tc l3_csum_replace size 1", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 24\nr3 = 1\nr4 = 2\nr5 = 1\nr1 = r6\ncall 10\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: ipv4UDP},
	{name: "tc l3_csum_replace size 8", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 24\nr3 = 1\nr4 = 2\nr5 = 8\nr1 = r6\ncall 10\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: ipv4UDP},
	{name: "tc l3_csum_replace pseudo flag", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 24\nr3 = 1\nr4 = 2\nr5 = 0x12\nr1 = r6\ncall 10\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: ipv4UDP},
	{name: "tc l3_csum_replace odd offset", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 23\nr3 = 1\nr4 = 2\nr5 = 2\nr1 = r6\ncall 10\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: ipv4UDP},
	{name: "tc l3_csum_replace last bytes", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 44\nr3 = 1\nr4 = 2\nr5 = 2\nr1 = r6\ncall 10\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: ipv4UDP},
	{name: "tc l3_csum_replace past the end", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 46\nr3 = 1\nr4 = 2\nr5 = 2\nr1 = r6\ncall 10\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: ipv4UDP},
	{name: "tc l3_csum_replace offset over 0xffff", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 0x10000\nr3 = 1\nr4 = 2\nr5 = 2\nr1 = r6\ncall 10\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: ipv4UDP},
	{name: "tc l3_csum_replace 64-bit offset", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 0x100000018 ll\nr3 = 0x1140\nr4 = 0x1141\nr5 = 2\nr1 = r6\ncall 10\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: ipv4UDP},
	{name: "tc l4_csum_replace 2 bytes", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 40\nr3 = 0x0000\nr4 = 0x9210\nr5 = 2\nr1 = r6\ncall 11\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: ipv4UDP},
	{name: "tc l4_csum_replace 4 bytes pseudo", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 40\nr3 = 0x0100000a\nr4 = 0x0500000a\nr5 = 0x14\nr1 = r6\ncall 11\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: ipv4UDP},
	{name: "tc l4_csum_replace diff", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 40\nr3 = 0\nr4 = 0xabcdef01\nr5 = 0x10\nr1 = r6\ncall 11\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: ipv4UDP},
	{name: "tc l4_csum_replace diff with from", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 40\nr3 = 2\nr4 = 0xabcdef01\nr5 = 0\nr1 = r6\ncall 11\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: ipv4UDP},
	{name: "tc l4_csum_replace mangled zero kept", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 40\nr3 = 0x1234\nr4 = 0x4321\nr5 = 0x22\nr1 = r6\ncall 11\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: ipv4UDP},
	{name: "tc l4_csum_replace mangled enforced", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 40\nr3 = 0x1234\nr4 = 0x4321\nr5 = 0x62\nr1 = r6\ncall 11\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: ipv4UDP},
	{name: "tc l4_csum_replace ipv6 flag", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 40\nr3 = 0x1234\nr4 = 0x4321\nr5 = 0x92\nr1 = r6\ncall 11\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: ipv4UDP},
	{name: "tc l4_csum_replace unknown flag", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 40\nr3 = 0x1234\nr4 = 0x4321\nr5 = 0x102\nr1 = r6\ncall 11\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: ipv4UDP},
	{name: "tc l4_csum_replace size 3", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 40\nr3 = 0x1234\nr4 = 0x4321\nr5 = 3\nr1 = r6\ncall 11\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: ipv4UDP},
	{name: "tc l4_csum_replace result zero", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 40\nr3 = 0\nr4 = 0\nr5 = 4\nr1 = r6\ncall 11\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: udpCsumFFFF},
	{name: "tc l4_csum_replace result zero mangled", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 40\nr3 = 0\nr4 = 0\nr5 = 0x24\nr1 = r6\ncall 11\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: udpCsumFFFF},
	{name: "tc l4_csum_replace odd offset", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 41\nr3 = 0\nr4 = 0\nr5 = 4\nr1 = r6\ncall 11\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: ipv4UDP},
	{name: "tc l4_csum_replace past the end", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 45\nr3 = 0\nr4 = 0\nr5 = 4\nr1 = r6\ncall 11\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: ipv4UDP},
	{name: "tc skb_pull_data 0", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 0\nr1 = r6\ncall 39\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: ipv4UDP},
	{name: "tc skb_pull_data all", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 46\nr1 = r6\ncall 39\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: ipv4UDP},
	{name: "tc skb_pull_data past the end", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 47\nr1 = r6\ncall 39\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: ipv4UDP},
	{name: "tc skb_pull_data 64-bit length", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 0x100000001 ll\nr1 = r6\ncall 39\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: ipv4UDP},
	{name: "tc skb_change_tail grow", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 100\nr3 = 0\nr1 = r6\ncall 38\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: ipv4UDP},
	{name: "tc skb_change_tail shrink", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 20\nr3 = 0\nr1 = r6\ncall 38\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: ipv4UDP},
	{name: "tc skb_change_tail to the network header", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 14\nr3 = 0\nr1 = r6\ncall 38\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: ipv4UDP},
	{name: "tc skb_change_tail below the network header", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 13\nr3 = 0\nr1 = r6\ncall 38\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: ipv4UDP},
	{name: "tc skb_change_tail flags", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 100\nr3 = 1\nr1 = r6\ncall 38\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: ipv4UDP},
	{name: "tc skb_change_tail 16065", typ: helpers.SchedCLS, src: "r6 = r1\nr2 = 16065\nr3 = 0\nr1 = r6\ncall 38\nr0 &= 0xff\nr1 = *(u32 *)(r6 + 0)\nr1 <<= 8\nr0 |= r1\nexit", data: ipv4UDP},
	{name: "tc skb_change_tail to the maximum and back", typ: helpers.SchedCLS, src: `
		r6 = r1
		r2 = 16064
		r3 = 0
		call 38
		r7 = r0
		r1 = r6
		r2 = 60
		r3 = 0
		call 38
		r0 <<= 8
		r0 |= r7
		r1 = *(u32 *)(r6 + 0)
		r1 <<= 16
		r0 |= r1
		exit`, data: ipv4UDP},
	{name: "tc skb_change_tail resets gso", typ: helpers.SchedCLS, src: "r2 = 50\nr3 = 0\ncall 38\nexit", data: ipv4UDP, ctx: skbCtx(func(b []byte) {
		binary.LittleEndian.PutUint32(b[164:], 3)
		binary.LittleEndian.PutUint32(b[176:], 100)
	})},
	{name: "tc skb_change_tail then direct access", typ: helpers.SchedCLS, src: `
		r6 = r1
		r2 = 60
		r3 = 0
		call 38
		r2 = *(u32 *)(r6 + 76)
		r3 = *(u32 *)(r6 + 80)
		r1 = r2
		r1 += 60
		if r1 > r3 goto +3
		r0 = *(u8 *)(r2 + 59)
		r0 += 7
		exit
		r0 = 99
		exit`, data: ipv4UDP},
	{name: "xdp for_each_map_elem", typ: helpers.XDP, maps: []maps.Spec{arrayU64}, src: `
		r1 = 0
		*(u64 *)(r10 - 8) = r1
		r1 = map_fd(0)
		r2 = func(+9)
		r3 = r10
		r3 += -8
		r4 = 0
		call 164
		r1 = *(u64 *)(r10 - 8)
		r0 <<= 16
		r0 |= r1
		exit
		r5 = *(u32 *)(r2 + 0)
		r6 = *(u64 *)(r4 + 0)
		r6 += r5
		*(u64 *)(r4 + 0) = r6
		r5 += 100
		*(u64 *)(r3 + 0) = r5
		r0 = 0
		if r6 < 3 goto +1
		r0 = 1
		exit`, data: ipv4UDP},
	{name: "xdp for_each over a hash", typ: helpers.XDP, maps: []maps.Spec{hashU64}, src: `
		r6 = 1
	fill:
		*(u32 *)(r10 - 4) = r6
		*(u64 *)(r10 - 16) = r6
		r1 = map_fd(0)
		r2 = r10
		r2 += -4
		r3 = r10
		r3 += -16
		r4 = 0
		call 2
		r6 += 1
		if r6 < 6 goto fill
		r1 = 0
		*(u64 *)(r10 - 8) = r1
		r1 = map_fd(0)
		r2 = func(+9)
		r3 = r10
		r3 += -8
		r4 = 0
		call 164
		r1 = *(u64 *)(r10 - 8)
		r0 <<= 16
		r0 |= r1
		exit
		r5 = *(u64 *)(r3 + 0)
		r6 = *(u64 *)(r4 + 0)
		r6 += r5
		*(u64 *)(r4 + 0) = r6
		r5 *= 3
		*(u64 *)(r3 + 0) = r5
		r0 = 0
		exit`, data: ipv4UDP},
	{name: "xdp strtol", typ: helpers.XDP, src: `
		r1 = 0x3432312d20
		*(u64 *)(r10 - 16) = r1
		r1 = r10
		r1 += -16
		r2 = 8
		r3 = 0
		r4 = r10
		r4 += -8
		call 105
		r1 = *(u64 *)(r10 - 8)
		r0 <<= 32
		r1 &= 0xffff
		r0 |= r1
		exit`, data: ipv4UDP},
	{name: "xdp strtoul hex", typ: helpers.XDP, src: `
		r1 = 0x7a66663078
		*(u64 *)(r10 - 16) = r1
		r1 = r10
		r1 += -15
		r2 = 7
		r3 = 16
		r4 = r10
		r4 += -8
		call 106
		r1 = *(u64 *)(r10 - 8)
		r0 <<= 32
		r0 |= r1
		exit`, data: ipv4UDP},
	{name: "xdp snprintf", typ: helpers.XDP, maps: []maps.Spec{{Name: ".rodata", Type: maps.Array, KeySize: 4, ValueSize: 16, MaxEntries: 1, Flags: 1 << 7}}, src: `
		r1 = -42
		*(u64 *)(r10 - 8) = r1
		r1 = 255
		*(u64 *)(r10 - 16) = r1
		r1 = r10
		r1 += -48
		r2 = 20
		r3 = map_value(0, 0)
		r4 = r10
		r4 += -16
		r5 = 16
		call 165
		r1 = *(u64 *)(r10 - 48)
		r2 = *(u64 *)(r10 - 40)
		r0 <<= 56
		r1 ^= r2
		r0 ^= r1
		exit`, data: ipv4UDP},
	{name: "percpu hash increment", typ: helpers.XDP, maps: []maps.Spec{{Name: "pch", Type: maps.PerCPUHash, KeySize: 4, ValueSize: 8, MaxEntries: 8}}, src: `
		r1 = 3
		*(u32 *)(r10 - 4) = r1
		r1 = map_fd(0)
		r2 = r10
		r2 += -4
		call 1
		if r0 == 0 goto create
		r1 = *(u64 *)(r0 + 0)
		r1 += 10
		*(u64 *)(r0 + 0) = r1
		r0 = 2
		exit
	create:
		r1 = 1
		*(u64 *)(r10 - 16) = r1
		r1 = map_fd(0)
		r2 = r10
		r2 += -4
		r3 = r10
		r3 += -16
		r4 = 0
		call 2
		exit`, data: ipv4UDP, repeat: 5},
	{name: "queue push pop peek", typ: helpers.XDP, maps: []maps.Spec{{Name: "q", Type: maps.Queue, ValueSize: 8, MaxEntries: 4}}, src: `
		r6 = 0
	again:
		r6 += 1
		*(u64 *)(r10 - 8) = r6
		r1 = map_fd(0)
		r2 = r10
		r2 += -8
		r3 = 0
		call 87
		if r6 < 6 goto again
		r7 = r0
		r1 = map_fd(0)
		r2 = r10
		r2 += -16
		call 88
		r8 = *(u64 *)(r10 - 16)
		r1 = map_fd(0)
		r2 = r10
		r2 += -16
		call 89
		r0 = *(u64 *)(r10 - 16)
		r0 <<= 8
		r0 |= r8
		r7 &= 0xff
		r7 <<= 16
		r0 |= r7
		exit`, data: ipv4UDP},
	{name: "ring buffer output reserve submit discard query", typ: helpers.XDP, maps: []maps.Spec{{Name: "rb", Type: maps.RingBuf, MaxEntries: 4096}}, src: `
		r1 = 0x1122334455667788 ll
		*(u64 *)(r10 - 8) = r1
		r1 = map_fd(0)
		r2 = r10
		r2 += -8
		r3 = 8
		r4 = 0
		call 130
		r6 = r0
		r1 = map_fd(0)
		r2 = 16
		r3 = 0
		call 131
		if r0 == 0 goto out
		r1 = 0xabcdef
		*(u64 *)(r0 + 0) = r1
		*(u64 *)(r0 + 8) = r1
		r1 = r0
		r2 = 0
		call 132
		r1 = map_fd(0)
		r2 = 4
		r3 = 0
		call 131
		if r0 == 0 goto out
		r1 = r0
		r2 = 0
		call 133
		r1 = map_fd(0)
		r2 = 0
		call 134
		r0 <<= 8
		r0 |= r6
		exit
	out:
		r0 = 1
		exit`, data: ipv4UDP},
	{name: "spin lock", typ: helpers.XDP, maps: []maps.Spec{{Name: "sl", Type: maps.Array, KeySize: 4, ValueSize: 16, MaxEntries: 1, SpinLockOff: 1}}, src: `
		r1 = 0
		*(u32 *)(r10 - 4) = r1
		r1 = map_fd(0)
		r2 = r10
		r2 += -4
		call 1
		if r0 == 0 goto out
		r6 = r0
		r1 = r6
		call 93
		r1 = *(u64 *)(r6 + 8)
		r1 += 9
		*(u64 *)(r6 + 8) = r1
		r1 = r6
		call 94
		r0 = *(u64 *)(r6 + 8)
		exit
	out:
		r0 = 1
		exit`, data: ipv4UDP, repeat: 3},
	{name: "socket filter len protocol pkt_type", typ: helpers.SocketFilter, src: `
		r2 = *(u32 *)(r1 + 0)
		r3 = *(u32 *)(r1 + 16)
		r4 = *(u32 *)(r1 + 4)
		r5 = *(u32 *)(r1 + 40)
		r0 = r2
		r3 <<= 8
		r0 ^= r3
		r4 <<= 24
		r0 ^= r4
		r5 <<= 28
		r0 ^= r5
		exit`, data: ipv4UDP},
	{name: "socket filter broadcast 802.2", typ: helpers.SocketFilter, src: `
		r3 = *(u32 *)(r1 + 16)
		r4 = *(u16 *)(r1 + 4)
		r0 = r3
		r4 <<= 24
		r0 |= r4
		exit`, data: frame("ffffffffffff", "020000000001", 0x0020, 0xaa, 0xaa, 3, 0, 0, 0)},
	{name: "socket filter multicast 802.3", typ: helpers.SocketFilter, src: `
		r3 = *(u32 *)(r1 + 16)
		r4 = *(u8 *)(r1 + 4)
		r0 = r3
		r4 <<= 24
		r0 |= r4
		exit`, data: frame("010000000001", "020000000001", 0x0020, 0xff, 0xff, 3, 0, 0, 0)},
	{name: "socket filter short ipv4", typ: helpers.SocketFilter, src: "r0 = *(u32 *)(r1 + 4)\nexit", data: frame("000000000000", "020000000001", 0x0800, 1, 2)},
	{name: "socket filter ipv6 header", typ: helpers.SocketFilter, src: "r0 = *(u32 *)(r1 + 4)\nexit", data: frame("000000000000", "020000000001", 0x86dd, make([]byte, 40)...)},
	{name: "socket filter arp", typ: helpers.SocketFilter, src: "r0 = *(u32 *)(r1 + 4)\nexit", data: frame("000000000000", "020000000001", 0x0806, 1, 2)},
	{name: "socket filter host", typ: helpers.SocketFilter, src: "r0 = *(u32 *)(r1 + 4)\nexit", data: frame("000000000000", "020000000001", 0x86dd, 1, 2)},
	{name: "socket filter ld_abs", typ: helpers.SocketFilter, src: `
		r6 = r1
		r0 = *(u8 *)skb[9]
		r7 = r0
		r0 = *(u16 *)skb[22]
		r7 <<= 16
		r7 |= r0
		r0 = *(u32 *)skb[12]
		r0 ^= r7
		exit`, data: ipv4UDP},
	{name: "socket filter ld_ind", typ: helpers.SocketFilter, src: `
		r6 = r1
		r7 = 20
		r0 = *(u16 *)skb[r7 + 2]
		exit`, data: ipv4UDP},
	{name: "socket filter ld_abs out of range", typ: helpers.SocketFilter, src: `
		r6 = r1
		r0 = *(u32 *)skb[30]
		r0 = 5
		exit`, data: ipv4UDP},
	{name: "socket filter ld_abs ll and net offsets", typ: helpers.SocketFilter, src: `
		r6 = r1
		r0 = *(u16 *)skb[-2097140]
		r7 = r0
		r0 = *(u8 *)skb[-1048567]
		r7 <<= 8
		r0 |= r7
		exit`, data: ipv4UDP},
	{name: "socket filter cb and skb_load_bytes", typ: helpers.SocketFilter, src: `
		r6 = r1
		r2 = 0x1234
		*(u32 *)(r6 + 48) = r2
		*(u32 *)(r6 + 64) = r2
		r1 = r6
		r2 = 12
		r3 = r10
		r3 += -8
		r4 = 8
		call 26
		r7 = r0
		r1 = r6
		r2 = 28
		r3 = r10
		r3 += -16
		r4 = 8
		call 26
		r8 = *(u64 *)(r10 - 8)
		r0 ^= r8
		r0 ^= r7
		r8 = *(u32 *)(r6 + 64)
		r0 += r8
		exit`, data: ipv4UDP},
	{name: "socket filter ctx in and out", typ: helpers.SocketFilter, src: `
		r2 = *(u32 *)(r1 + 8)
		r3 = *(u32 *)(r1 + 32)
		r4 = *(u32 *)(r1 + 52)
		r5 = *(u32 *)(r1 + 36)
		r4 += 1
		*(u32 *)(r1 + 52) = r4
		r0 = r2
		r0 += r3
		r0 += r4
		r5 <<= 24
		r0 += r5
		exit`, data: ipv4UDP, ctx: skbCtx(func(b []byte) {
		binary.LittleEndian.PutUint32(b[8:], 7)
		binary.LittleEndian.PutUint32(b[32:], 100)
		binary.LittleEndian.PutUint32(b[52:], 1000)
		binary.LittleEndian.PutUint32(b[36:], 3)
	})},
	{name: "socket filter ctx forbidden field", typ: helpers.SocketFilter, src: "r0 = 0\nexit", data: ipv4UDP, ctx: skbCtx(func(b []byte) { b[0] = 1 })},
	{name: "socket filter ctx bad wire_len", typ: helpers.SocketFilter, src: "r0 = 0\nexit", data: ipv4UDP, ctx: skbCtx(func(b []byte) { b[160] = 5 })},
	{name: "socket filter short", typ: helpers.SocketFilter, src: "r0 = 0\nexit", data: make([]byte, 13)},
	{name: "tc direct access and store", typ: helpers.SchedCLS, src: `
		r6 = r1
		r2 = *(u32 *)(r6 + 76)
		r3 = *(u32 *)(r6 + 80)
		r4 = r2
		r4 += 34
		if r4 > r3 goto out
		r7 = *(u8 *)(r2 + 23)
		r1 = 0xdeadbeef
		*(u32 *)(r10 - 4) = r1
		r1 = r6
		r2 = 30
		r3 = r10
		r3 += -4
		r4 = 4
		r5 = 0
		call 9
		r8 = r0
		r1 = 42
		*(u32 *)(r6 + 8) = r1
		r1 = 7
		*(u32 *)(r6 + 44) = r1
		*(u32 *)(r6 + 32) = r1
		r0 = *(u32 *)(r6 + 0)
		r1 = *(u32 *)(r6 + 160)
		r0 <<= 8
		r0 |= r7
		r0 += r1
		r0 += r8
		exit
	out:
		r0 = 2
		exit`, data: ipv4UDP, ctx: make([]byte, 192)},
	{name: "tc store beyond packet", typ: helpers.SchedCLS, src: `
		r6 = r1
		r1 = 0
		*(u64 *)(r10 - 8) = r1
		r1 = r6
		r2 = 60
		r3 = r10
		r3 += -8
		r4 = 8
		r5 = 0
		call 9
		exit`, data: ipv4UDP},
	{name: "tc ld_abs from the mac header", typ: helpers.SchedCLS, src: "r6 = r1\nr0 = *(u16 *)skb[12]\nr7 = r0\nr0 = *(u8 *)skb[-1048567]\nr7 <<= 8\nr0 |= r7\nexit", data: ipv4UDP},
	{name: "sched_act len and mark", typ: helpers.SchedACT, src: "r2 = 9\n*(u32 *)(r1 + 8) = r2\nr0 = *(u32 *)(r1 + 0)\nr2 = *(u32 *)(r1 + 8)\nr0 += r2\nexit", data: ipv4UDP, ctx: make([]byte, 192)},
	{name: "tc redirect", typ: helpers.SchedCLS, src: "r1 = 3\nr2 = 1\ncall 23\nexit", data: ipv4UDP},
	{name: "tc redirect bad flags", typ: helpers.SchedCLS, src: "r1 = 3\nr2 = 2\ncall 23\nexit", data: ipv4UDP},
	{name: "tc tstamp and queue mapping", typ: helpers.SchedCLS, src: `
		r2 = 0x123456789
		*(u64 *)(r1 + 152) = r2
		r2 = 3
		*(u32 *)(r1 + 12) = r2
		r0 = *(u32 *)(r1 + 12)
		r3 = *(u64 *)(r1 + 152)
		r0 += r3
		exit`, data: ipv4UDP, ctx: make([]byte, 192)},
	{name: "syscall ctx buffer", typ: helpers.Syscall, src: `
		r2 = *(u64 *)(r1 + 0)
		r2 += 5
		*(u64 *)(r1 + 8) = r2
		r0 = r2
		exit`, ctx: u64le(10, 0)},
}

func u32le(vs ...uint32) []byte {
	b := make([]byte, 4*len(vs))
	for i, v := range vs {
		binary.LittleEndian.PutUint32(b[4*i:], v)
	}
	return b
}

// outcome is what a test run leaves behind, in a comparable form.
type outcome struct {
	Errno   syscall.Errno
	Retval  uint32
	DataOut string
	CtxOut  string
	Maps    []string
}

func (o outcome) String() string {
	return fmt.Sprintf("errno %d retval %#x\ndata %s\nctx %s\nmaps %v", o.Errno, o.Retval, o.DataOut, o.CtxOut, o.Maps)
}

func runGbpf(t *testing.T, c diffCase, insns []isa.Instruction) outcome {
	var ms []*maps.Map
	for k := range c.maps {
		s := c.maps[k]
		m, err := maps.New(&s)
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	p, err := vm.Load(insns, vm.Options{Unverified: true, Type: c.typ, Maps: ms})
	if err != nil {
		t.Fatalf("gbpf load: %v", err)
	}
	var o outcome
	res, err := p.TestRun(vm.TestRunOptions{Data: c.data, Context: c.ctx, Repeat: c.repeat})
	if err != nil {
		var en syscall.Errno
		if !errors.As(err, &en) {
			t.Fatalf("gbpf run: %v", err)
		}
		o.Errno = en
		return o
	}
	o.Retval, o.DataOut, o.CtxOut = res.Retval, hex.EncodeToString(res.DataOut), hex.EncodeToString(res.ContextOut)
	if c.typ == helpers.Syscall {
		// The kernel writes a syscall program's context back over
		// ctx_in, which cilium/ebpf's Run does not show: not compared.
		o.CtxOut = ""
	}
	for _, m := range ms {
		o.Maps = append(o.Maps, fmt.Sprint(gbpfMapLines(t, m)))
	}
	return o
}

// gbpfMapLines lists a map's contents in a form comparable with the
// kernel's: sorted "key=value" lines (per-CPU values summed as u64),
// queue and ring buffer contents in order.
func gbpfMapLines(t *testing.T, m *maps.Map) []string {
	var lines []string
	switch m.Type() {
	case maps.Queue, maps.Stack:
		q, err := m.QueueContents()
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range q {
			lines = append(lines, hex.EncodeToString(v))
		}
		return lines
	case maps.RingBuf:
		q, err := m.RingBufPending()
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range q {
			lines = append(lines, hex.EncodeToString(v))
		}
		return lines
	case maps.ProgArray:
		return nil
	}
	es, err := m.Entries()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if m.Type().PerCPU() {
			var sum uint64
			for _, v := range e.Values {
				sum += binary.LittleEndian.Uint64(v)
			}
			lines = append(lines, fmt.Sprintf("%x=%d", e.Key, sum))
			continue
		}
		lines = append(lines, hex.EncodeToString(e.Key)+"="+hex.EncodeToString(e.Value))
	}
	return lines
}

func runKernel(t *testing.T, c diffCase, insns []isa.Instruction) outcome {
	var kms []*ebpf.Map
	for k := range c.maps {
		ks := kernelMapSpec(&c.maps[k])
		if ks.Name == ".rodata" { // the snprintf case's format string (cilium/ebpf freezes BPF_F_RDONLY_PROG maps)
			v := make([]byte, ks.ValueSize)
			copy(v, "%d|%x!")
			ks.Contents = []ebpf.MapKV{{Key: uint32(0), Value: v}}
		}
		m, err := ebpf.NewMap(ks)
		if err != nil {
			t.Fatal(err)
		}

		t.Cleanup(func() { m.Close() })
		kms = append(kms, m)
	}
	p := kernelProgram(t, c.typ, insns, kms)
	opts := &ebpf.RunOptions{Data: c.data, Repeat: uint32(c.repeat)}
	if c.data != nil {
		opts.DataOut = make([]byte, 8192)
	}
	var ctxOut []byte
	if c.ctx != nil {
		opts.Context = c.ctx
		if c.typ != helpers.Syscall {
			ctxOut = make([]byte, len(c.ctx))
			opts.ContextOut = ctxOut
		}
	}
	var o outcome
	ret, err := p.Run(opts)
	if err != nil {
		var en syscall.Errno
		if !errors.As(err, &en) {
			t.Fatalf("kernel run: %v", err)
		}
		o.Errno = en
		return o
	}
	o.Retval, o.DataOut, o.CtxOut = ret, hex.EncodeToString(opts.DataOut), hex.EncodeToString(ctxOut)
	for _, m := range kms {
		o.Maps = append(o.Maps, fmt.Sprint(kernelMapLines(t, m)))
	}
	return o
}

// kernelMapLines is gbpfMapLines for a kernel map.
func kernelMapLines(t *testing.T, m *ebpf.Map) []string {
	var lines []string
	switch m.Type() {
	case ebpf.Queue, ebpf.Stack:
		v := make([]byte, m.ValueSize())
		for m.LookupAndDelete(nil, &v) == nil {
			lines = append(lines, hex.EncodeToString(v))
		}
		return lines
	case ebpf.RingBuf:
		rd, err := ringbuf.NewReader(m)
		if err != nil {
			t.Fatal(err)
		}
		defer rd.Close()
		rd.SetDeadline(time.Now())
		for {
			rec, err := rd.Read()
			if err != nil {
				break
			}
			lines = append(lines, hex.EncodeToString(rec.RawSample))
		}
		return lines
	case ebpf.ProgramArray:
		return nil
	}
	var key []byte
	if m.Type() == ebpf.PerCPUHash || m.Type() == ebpf.PerCPUArray || m.Type() == ebpf.LRUCPUHash {
		var vals [][]byte
		it := m.Iterate()
		for it.Next(&key, &vals) {
			var sum uint64
			for _, v := range vals {
				sum += binary.LittleEndian.Uint64(v)
			}
			lines = append(lines, fmt.Sprintf("%x=%d", key, sum))
		}
		if err := it.Err(); err != nil {
			t.Fatal(err)
		}
		sort.Strings(lines)
		return lines
	}
	var val []byte
	it := m.Iterate()
	for it.Next(&key, &val) {
		lines = append(lines, hex.EncodeToString(key)+"="+hex.EncodeToString(val))
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return lines
}

// TestKernelDiff runs each case in gbpf and in the kernel through
// BPF_PROG_TEST_RUN and compares errno, return value, data out, context
// out and map contents.
func TestKernelDiff(t *testing.T) {
	kernelOrSkip(t)
	for _, c := range diffCases {
		t.Run(c.name, func(t *testing.T) {
			insns := assemble(t, c.src)
			g := runGbpf(t, c, snprintfSetup(t, c, insns))
			var ctxCopy []byte
			if c.ctx != nil {
				ctxCopy = append([]byte(nil), c.ctx...)
			}
			kc := c
			kc.ctx = ctxCopy
			k := runKernel(t, kc, insns)
			if g.String() != k.String() {
				t.Errorf("gbpf and the kernel differ\ngbpf:   %s\nkernel: %s", g, k)
			}
		})
	}
}

// snprintfSetup returns insns unchanged; the .rodata contents of the
// snprintf case are given through the map spec's Contents in gbpf.
func snprintfSetup(t *testing.T, c diffCase, insns []isa.Instruction) []isa.Instruction {
	for k, s := range c.maps {
		if s.Name == ".rodata" {
			v := make([]byte, s.ValueSize)
			copy(v, "%d|%x!")
			c.maps[k].Contents = []maps.KV{{Key: uint32(0), Value: v}}
		}
	}
	return insns
}

// TestContextAccessRules loads every aligned load and store of the
// context structure, of every size, into the kernel and runs it in gbpf:
// gbpf must fault exactly where the kernel's verifier rejects.
func TestContextAccessRules(t *testing.T) {
	kernelOrSkip(t)
	sizes := []struct {
		n    int
		name string
	}{{1, "u8"}, {2, "u16"}, {4, "u32"}, {8, "u64"}}
	for _, typ := range []helpers.ProgType{helpers.SocketFilter, helpers.SchedCLS, helpers.XDP} {
		ctxSize := 192
		if typ == helpers.XDP {
			ctxSize = 24
		}
		for _, sz := range sizes {
			for off := 0; off < ctxSize; off += sz.n {
				for _, write := range []bool{false, true} {
					src := fmt.Sprintf("r0 = *(%s *)(r1 + %d)\nr0 = 0\nexit", sz.name, off)
					if write {
						src = fmt.Sprintf("r2 = 0\n*(%s *)(r1 + %d) = r2\nr0 = 0\nexit", sz.name, off)
					}
					insns := assemble(t, src)
					ci, err := kerneldiff.ToCilium(insns)
					if err != nil {
						t.Fatal(err)
					}
					kp, kerr := ebpf.NewProgram(&ebpf.ProgramSpec{Type: kernelTypes[typ], License: "GPL", Instructions: ci})
					if kerr == nil {
						kp.Close()
					}
					p, err := vm.Load(insns, vm.Options{Unverified: true, Type: typ})
					if err != nil {
						t.Fatal(err)
					}
					_, gerr := p.TestRun(vm.TestRunOptions{Data: ipv4UDP})
					if (kerr == nil) != (gerr == nil) {
						t.Errorf("%s %q: kernel error %v, gbpf error %v", typ, src, kerr, gerr)
					}
				}
			}
		}
	}
}

// tailCallSrc counts its runs in an array and tail-calls itself through
// slot 0 of a prog array, then tries the empty slot 1, then returns 7.
const tailCallSrc = `
	r6 = r1
	r1 = 0
	*(u32 *)(r10 - 4) = r1
	r2 = r10
	r2 += -4
	r1 = map_fd(0)
	call 1
	if r0 == 0 goto out
	r1 = 1
	lock *(u64 *)(r0 + 0) += r1
	r1 = r6
	r2 = map_fd(1)
	r3 = 0
	call 12
	r1 = r6
	r2 = map_fd(1)
	r3 = 1
	call 12
	r0 = 7
	exit
out:
	r0 = 1
	exit`

// TestTailCallKernel runs a self tail-calling program in gbpf and the
// kernel: 33 tail calls succeed, then the calls fall through.
func TestTailCallKernel(t *testing.T) {
	kernelOrSkip(t)
	insns := assemble(t, tailCallSrc)
	specs := []maps.Spec{arrayU64, {Name: "progs", Type: maps.ProgArray, KeySize: 4, ValueSize: 4, MaxEntries: 2}}

	var ms []*maps.Map
	for k := range specs {
		m, err := maps.New(&specs[k])
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	p, err := vm.Load(insns, vm.Options{Unverified: true, Type: helpers.XDP, Maps: ms})
	if err != nil {
		t.Fatal(err)
	}
	if err := ms[1].SetProg(uint32(0), p); err != nil {
		t.Fatal(err)
	}
	res, err := p.TestRun(vm.TestRunOptions{Data: ipv4UDP})
	if err != nil {
		t.Fatal(err)
	}
	g := fmt.Sprint(res.Retval, gbpfMapLines(t, ms[0]))

	var kms []*ebpf.Map
	for k := range specs {
		m, err := ebpf.NewMap(kernelMapSpec(&specs[k]))
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		kms = append(kms, m)
	}
	kp := kernelProgram(t, helpers.XDP, insns, kms)
	if err := kms[1].Put(uint32(0), kp); err != nil {
		t.Fatal(err)
	}
	ret, err := kp.Run(&ebpf.RunOptions{Data: ipv4UDP})
	if err != nil {
		t.Fatal(err)
	}
	if err := kms[1].Delete(uint32(0)); err != nil { // break the reference cycle
		t.Fatal(err)
	}
	k := fmt.Sprint(ret, kernelMapLines(t, kms[0]))
	if g != k {
		t.Errorf("gbpf %s, kernel %s", g, k)
	}
	if want := "7 [00000000=2200000000000000 01000000=0000000000000000 02000000=0000000000000000 03000000=0000000000000000]"; g != want {
		t.Errorf("gbpf %s, want %s (34 runs)", g, want)
	}
}

// TestSnprintfKernel formats three arguments with bpf_snprintf in gbpf and
// in the kernel, into the packet, and compares r0 and the output.
func TestSnprintfKernel(t *testing.T) {
	kernelOrSkip(t)
	args := []uint64{uint64(1<<32 - 7), 0xabc, 1 << 40}
	formats := []string{
		"%d %u %x", "%5d|%-5d|%05d", "%ld %lu %lx", "%lld %llx %llu", "%X %i %c", "%+d % d %+u",
		"%-+05d|%x|%X", "%08x %8u %-8d!", "100%% %d", "%lld%lld%lld",
		"%f", "%#x", "%", "%5.2d", "%llld", "%hd", "%z", "%d %d %d %d", "\x01%d", "%pK", "%px %d",
	}
	for _, f := range formats {
		t.Run(f, func(t *testing.T) {
			src := fmt.Sprintf(`
				r6 = r1
				r1 = %#x ll
				*(u64 *)(r10 - 24) = r1
				r1 = %#x ll
				*(u64 *)(r10 - 16) = r1
				r1 = %#x ll
				*(u64 *)(r10 - 8) = r1
				r2 = *(u32 *)(r6 + 0)
				r3 = *(u32 *)(r6 + 4)
				r1 = r2
				r1 += 64
				if r1 > r3 goto out
				r8 = r2
				r1 = r10
				r1 += -88
				r2 = 64
				r3 = map_value(0, 0)
				r4 = r10
				r4 += -24
				r5 = 24
				call 165
				r1 = *(u64 *)(r10 - 88)
				*(u64 *)(r8 + 0) = r1
				r1 = *(u64 *)(r10 - 80)
				*(u64 *)(r8 + 8) = r1
				r1 = *(u64 *)(r10 - 72)
				*(u64 *)(r8 + 16) = r1
				r1 = *(u64 *)(r10 - 64)
				*(u64 *)(r8 + 24) = r1
				r1 = *(u64 *)(r10 - 56)
				*(u64 *)(r8 + 32) = r1
				r1 = *(u64 *)(r10 - 48)
				*(u64 *)(r8 + 40) = r1
				r1 = *(u64 *)(r10 - 40)
				*(u64 *)(r8 + 48) = r1
				r1 = *(u64 *)(r10 - 32)
				*(u64 *)(r8 + 56) = r1
				exit
			out:
				r0 = 1
				exit`, args[0], args[1], args[2])
			fmtVal := make([]byte, 64)
			copy(fmtVal, f)
			spec := maps.Spec{Name: ".rodata", Type: maps.Array, KeySize: 4, ValueSize: 64, MaxEntries: 1, Flags: 1 << 7,
				Contents: []maps.KV{{Key: uint32(0), Value: fmtVal}}}
			data := append(append([]byte(nil), ipv4UDP...), make([]byte, 40)...)
			insns := assemble(t, src)

			gm, err := maps.New(&spec)
			if err != nil {
				t.Fatal(err)
			}
			p, err := vm.Load(insns, vm.Options{Unverified: true, Type: helpers.XDP, Maps: []*maps.Map{gm}})
			if err != nil {
				t.Fatal(err)
			}
			res, err := p.TestRun(vm.TestRunOptions{Data: data})
			if err != nil {
				t.Fatal(err)
			}

			ks := kernelMapSpec(&spec)
			ks.Contents = []ebpf.MapKV{{Key: uint32(0), Value: fmtVal}}
			km, err := ebpf.NewMap(ks)
			if err != nil {
				t.Fatal(err)
			}
			defer km.Close()
			kp, err := kernelLoad(t, helpers.XDP, insns, []*ebpf.Map{km})
			if err != nil {
				// The verifier checks a constant format; gbpf at run time.
				if !strings.Contains(fmt.Sprintf("%+v", err), "Invalid format string") {
					t.Fatal(err)
				}
				if int32(res.Retval) != -22 {
					t.Errorf("format %q: the kernel rejects it, gbpf returns %d", f, int32(res.Retval))
				}
				return
			}
			defer kp.Close()
			out := make([]byte, 4096)
			ret, err := kp.Run(&ebpf.RunOptions{Data: data, DataOut: out})
			if err != nil {
				t.Fatal(err)
			}
			// Only the string compares: the kernel leaves the rest of its
			// (uninitialised) stack buffer behind.
			g := fmt.Sprintf("%d %q", int32(res.Retval), res.DataOut[:bytes.IndexByte(res.DataOut, 0)])
			k := fmt.Sprintf("%d %q", int32(ret), out[:bytes.IndexByte(out, 0)])
			if strings.HasPrefix(f, "%px") || strings.HasPrefix(f, "%pK") {
				// Pointers: gbpf prints the value in hex; the kernel may
				// hash or hide it. Only the verdict and length compare.
				g, k = fmt.Sprint(int32(res.Retval)), fmt.Sprint(int32(ret))
			}
			if g != k {
				t.Errorf("format %q:\ngbpf   %s\nkernel %s", f, g, k)
			}
		})
	}
}

// TestMapInMapKernel looks up an inner array through an array of maps
// and increments its element, in gbpf and in the kernel.
func TestMapInMapKernel(t *testing.T) {
	kernelOrSkip(t)
	src := `
		*(u32 *)(r10 - 4) = 1
		r1 = map_fd(0)
		r2 = r10
		r2 += -4
		call 1
		if r0 == 0 goto out
		*(u32 *)(r10 - 8) = 2
		r1 = r0
		r2 = r10
		r2 += -8
		call 1
		if r0 == 0 goto out
		r1 = 6
		lock *(u64 *)(r0 + 0) += r1
		r0 = 2
		exit
	out:
		r0 = 1
		exit`
	insns := assemble(t, src)
	inner := arrayU64
	outer := maps.Spec{Name: "outer", Type: maps.ArrayOfMaps, KeySize: 4, ValueSize: 4, MaxEntries: 2, InnerMap: &inner}
	gi, err := maps.New(&inner)
	if err != nil {
		t.Fatal(err)
	}
	go_, err := maps.New(&outer)
	if err != nil {
		t.Fatal(err)
	}
	if err := go_.SetInner(uint32(1), gi); err != nil {
		t.Fatal(err)
	}
	p, err := vm.Load(insns, vm.Options{Unverified: true, Type: helpers.XDP, Maps: []*maps.Map{go_}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.TestRun(vm.TestRunOptions{Data: ipv4UDP, Repeat: 2})
	if err != nil {
		t.Fatal(err)
	}
	g := fmt.Sprint(res.Retval, gbpfMapLines(t, gi))

	ki, err := ebpf.NewMap(kernelMapSpec(&inner))
	if err != nil {
		t.Fatal(err)
	}
	defer ki.Close()
	ks := kernelMapSpec(&outer)
	ks.InnerMap = kernelMapSpec(&inner)
	ko, err := ebpf.NewMap(ks)
	if err != nil {
		t.Fatal(err)
	}
	defer ko.Close()
	if err := ko.Put(uint32(1), ki); err != nil {
		t.Fatal(err)
	}
	kp := kernelProgram(t, helpers.XDP, insns, []*ebpf.Map{ko})
	ret, err := kp.Run(&ebpf.RunOptions{Data: ipv4UDP, Repeat: 2})
	if err != nil {
		t.Fatal(err)
	}
	k := fmt.Sprint(ret, kernelMapLines(t, ki))
	if g != k {
		t.Errorf("gbpf %s, kernel %s", g, k)
	}
}
