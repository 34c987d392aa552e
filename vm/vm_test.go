package vm_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/vm"
)

// assemble assembles kernel-syntax source or fails the test.
func assemble(tb testing.TB, src string) []isa.Instruction {
	tb.Helper()
	insns, err := asm.Assemble(src, asm.Kernel)
	if err != nil {
		tb.Fatalf("assemble: %v\n%s", err, src)
	}
	return insns
}

func u64le(vs ...uint64) []byte {
	b := make([]byte, 8*len(vs))
	for i, v := range vs {
		binary.LittleEndian.PutUint64(b[8*i:], v)
	}
	return b
}

type semCase struct {
	name string
	src  string
	mem  []byte
	want uint64
}

// semanticCases covers the edges where eBPF differs from naive arithmetic;
// the expected values are what the Linux kernel computes.
var semanticCases = []semCase{
	// Division and modulo by zero.
	{"div64 by zero reg", "r0 = 7\nr1 = 0\nr0 /= r1\nexit", nil, 0},
	{"div64 by zero imm", "r0 = 7\nr0 /= 0\nexit", nil, 0},
	{"div32 by zero reg", "r0 = -1\nw1 = 0\nw0 /= w1\nexit", nil, 0},
	{"div32 by zero imm", "r0 = -1\nw0 /= 0\nexit", nil, 0},
	{"sdiv64 by zero reg", "r0 = -7\nr1 = 0\nr0 s/= r1\nexit", nil, 0},
	{"sdiv64 by zero imm", "r0 = -7\nr0 s/= 0\nexit", nil, 0},
	{"sdiv32 by zero reg", "r0 = -7\nw1 = 0\nw0 s/= w1\nexit", nil, 0},
	{"sdiv32 by zero imm", "r0 = -7\nw0 s/= 0\nexit", nil, 0},
	{"mod64 by zero reg", "r0 = -1\nr1 = 0\nr0 %= r1\nexit", nil, 0xffffffffffffffff},
	{"mod64 by zero imm", "r0 = -1\nr0 %= 0\nexit", nil, 0xffffffffffffffff},
	{"mod32 by zero reg zero-extends", "r0 = -1\nw1 = 0\nw0 %= w1\nexit", nil, 0xffffffff},
	{"mod32 by zero imm zero-extends", "r0 = -1\nw0 %= 0\nexit", nil, 0xffffffff},
	{"smod64 by zero reg", "r0 = -7\nr1 = 0\nr0 s%= r1\nexit", nil, 0xfffffffffffffff9},
	{"smod64 by zero imm", "r0 = -7\nr0 s%= 0\nexit", nil, 0xfffffffffffffff9},
	{"smod32 by zero reg zero-extends", "r0 = -7\nw1 = 0\nw0 s%= w1\nexit", nil, 0xfffffff9},
	{"smod32 by zero imm zero-extends", "r0 = -7\nw0 s%= 0\nexit", nil, 0xfffffff9},

	// INT_MIN by -1, and signs of signed division.
	{"sdiv64 intmin by -1 reg", "r0 = 0x8000000000000000 ll\nr1 = -1\nr0 s/= r1\nexit", nil, 0x8000000000000000},
	{"sdiv64 intmin by -1 imm", "r0 = 0x8000000000000000 ll\nr0 s/= -1\nexit", nil, 0x8000000000000000},
	{"smod64 intmin by -1 reg", "r0 = 0x8000000000000000 ll\nr1 = -1\nr0 s%= r1\nexit", nil, 0},
	{"smod64 intmin by -1 imm", "r0 = 0x8000000000000000 ll\nr0 s%= -1\nexit", nil, 0},
	{"sdiv32 intmin by -1 reg", "w0 = 0x80000000\nw1 = -1\nw0 s/= w1\nexit", nil, 0x80000000},
	{"sdiv32 intmin by -1 imm", "w0 = 0x80000000\nw0 s/= -1\nexit", nil, 0x80000000},
	{"smod32 intmin by -1 reg", "w0 = 0x80000000\nw1 = -1\nw0 s%= w1\nexit", nil, 0},
	{"smod32 intmin by -1 imm", "w0 = 0x80000000\nw0 s%= -1\nexit", nil, 0},
	{"sdiv64 by -1 negates", "r0 = 5\nr0 s/= -1\nexit", nil, 0xfffffffffffffffb},
	{"sdiv64 truncates toward zero", "r0 = -7\nr0 s/= 2\nexit", nil, 0xfffffffffffffffd},
	{"smod64 sign of dividend", "r0 = -7\nr0 s%= 2\nexit", nil, 0xffffffffffffffff},
	{"smod64 positive by negative", "r0 = 7\nr1 = -2\nr0 s%= r1\nexit", nil, 1},
	{"smod32 negative", "w0 = -7\nw0 s%= 2\nexit", nil, 0xffffffff},
	{"div64 imm is sign-extended", "r0 = -1\nr0 /= -1\nexit", nil, 1},
	{"div32 imm is 32-bit", "r0 = -1\nw0 /= -1\nexit", nil, 1},
	{"mod64 unsigned", "r0 = -1\nr0 %= 10\nexit", nil, 0xffffffffffffffff % 10},

	// Shifts are masked, 32-bit results zero-extended.
	{"lsh64 by 65", "r0 = 1\nr1 = 65\nr0 <<= r1\nexit", nil, 2},
	{"lsh32 by 33", "w0 = 1\nw1 = 33\nw0 <<= w1\nexit", nil, 2},
	{"rsh32 by 32", "w0 = 0x80000000\nw1 = 32\nw0 >>= w1\nexit", nil, 0x80000000},
	{"rsh64 by 64", "r0 = 0x8000000000000000 ll\nr1 = 64\nr0 >>= r1\nexit", nil, 0x8000000000000000},
	{"arsh64 by 127", "r0 = 0x8000000000000000 ll\nr1 = 127\nr0 s>>= r1\nexit", nil, 0xffffffffffffffff},
	{"arsh32 by 63", "w0 = 0x80000000\nw1 = 63\nw0 s>>= w1\nexit", nil, 0xffffffff},
	{"arsh32 imm zero-extends", "w0 = 0x80000000\nw0 s>>= 4\nexit", nil, 0xf8000000},
	{"lsh32 imm", "w0 = 3\nw0 <<= 31\nexit", nil, 0x80000000},
	{"alu32 zero-extends", "r0 = -1\nw0 += 0\nexit", nil, 0xffffffff},
	{"mov32 zero-extends", "r1 = -1\nw0 = w1\nexit", nil, 0xffffffff},
	{"mov32 imm zero-extends", "w0 = -1\nexit", nil, 0xffffffff},
	{"mov64 imm sign-extends", "r0 = -1\nexit", nil, 0xffffffffffffffff},
	{"neg64 intmin", "r0 = 0x8000000000000000 ll\nr0 = -r0\nexit", nil, 0x8000000000000000},
	{"neg32", "r0 = 1\nw0 = -w0\nexit", nil, 0xffffffff},
	{"mul32 wraps", "w0 = 0x10000\nw0 *= 0x10000\nexit", nil, 0},
	{"sub32 wraps", "r0 = 0\nw0 -= 1\nexit", nil, 0xffffffff},

	// Sign-extending moves.
	{"movsx64 s8", "r1 = 0x180\nr0 = (s8)r1\nexit", nil, 0xffffffffffffff80},
	{"movsx64 s16", "r1 = 0x18000\nr0 = (s16)r1\nexit", nil, 0xffffffffffff8000},
	{"movsx64 s32", "r1 = 0x80000000 ll\nr0 = (s32)r1\nexit", nil, 0xffffffff80000000},
	{"movsx64 positive", "r1 = 0x17f\nr0 = (s8)r1\nexit", nil, 0x7f},
	{"movsx32 s8 zero-extends", "r1 = 0x180\nw0 = (s8)w1\nexit", nil, 0xffffff80},
	{"movsx32 s16 zero-extends", "r1 = 0x18000\nw0 = (s16)w1\nexit", nil, 0xffff8000},

	// Sign-extending loads.
	{"ldxsb", "r0 = *(s8 *)(r1 + 0)\nexit", []byte{0x80, 0, 0, 0, 0, 0, 0, 0}, 0xffffffffffffff80},
	{"ldxsh", "r0 = *(s16 *)(r1 + 2)\nexit", []byte{0, 0, 0x00, 0x80, 0, 0, 0, 0}, 0xffffffffffff8000},
	{"ldxsw", "r0 = *(s32 *)(r1 + 4)\nexit", []byte{0, 0, 0, 0, 0, 0, 0, 0x80}, 0xffffffff80000000},
	{"ldxsw positive", "r0 = *(s32 *)(r1 + 0)\nexit", []byte{1, 2, 3, 0x7f}, 0x7f030201},
	{"ldxb zero-extends", "r0 = *(u8 *)(r1 + 0)\nexit", []byte{0xff}, 0xff},
	{"ldxdw", "r0 = *(u64 *)(r1 + 0)\nexit", u64le(0x1122334455667788), 0x1122334455667788},

	// Byte swaps.
	{"bswap16", "r0 = 0x0102030405060708 ll\nr0 = bswap16 r0\nexit", nil, 0x0807},
	{"bswap32", "r0 = 0x0102030405060708 ll\nr0 = bswap32 r0\nexit", nil, 0x08070605},
	{"bswap64", "r0 = 0x0102030405060708 ll\nr0 = bswap64 r0\nexit", nil, 0x0807060504030201},
	{"be16", "r0 = 0x0102030405060708 ll\nr0 = be16 r0\nexit", nil, 0x0807},
	{"be32", "r0 = 0x0102030405060708 ll\nr0 = be32 r0\nexit", nil, 0x08070605},
	{"be64", "r0 = 0x0102030405060708 ll\nr0 = be64 r0\nexit", nil, 0x0807060504030201},
	{"le16 truncates", "r0 = 0x0102030405060708 ll\nr0 = le16 r0\nexit", nil, 0x0708},
	{"le32 truncates", "r0 = 0x0102030405060708 ll\nr0 = le32 r0\nexit", nil, 0x05060708},
	{"le64 unchanged", "r0 = 0x0102030405060708 ll\nr0 = le64 r0\nexit", nil, 0x0102030405060708},

	// Atomics on the stack and on input memory.
	{"atomic add64", "*(u64 *)(r10 - 8) = 10\nr1 = 5\nlock *(u64 *)(r10 - 8) += r1\nr0 = *(u64 *)(r10 - 8)\nexit", nil, 15},
	{"atomic add32 keeps upper half", "w2 = 1\nlock *(u32 *)(r1 + 0) += w2\nr0 = *(u64 *)(r1 + 0)\nexit", u64le(0xffffffff00000001), 0xffffffff00000002},
	{"atomic or64", "r2 = 0xf0\nlock *(u64 *)(r1 + 0) |= r2\nr0 = *(u64 *)(r1 + 0)\nexit", u64le(0x0f), 0xff},
	{"atomic and64", "r2 = 0x3c\nlock *(u64 *)(r1 + 0) &= r2\nr0 = *(u64 *)(r1 + 0)\nexit", u64le(0xff), 0x3c},
	{"atomic xor64", "r2 = 0xff\nlock *(u64 *)(r1 + 0) ^= r2\nr0 = *(u64 *)(r1 + 0)\nexit", u64le(0x0f), 0xf0},
	{"atomic or32", "w2 = 0xf0\nlock *(u32 *)(r1 + 0) |= w2\nr0 = *(u64 *)(r1 + 0)\nexit", u64le(0x10000000f), 0x1000000ff},
	{"atomic and32", "w2 = 0x3c\nlock *(u32 *)(r1 + 0) &= w2\nr0 = *(u64 *)(r1 + 0)\nexit", u64le(0x1000000ff), 0x10000003c},
	{"atomic xor32", "w2 = 0xff\nlock *(u32 *)(r1 + 0) ^= w2\nr0 = *(u64 *)(r1 + 0)\nexit", u64le(0x10000000f), 0x1000000f0},
	{"atomic non-fetch keeps src", "r2 = 7\nlock *(u64 *)(r1 + 0) += r2\nr0 = r2\nexit", u64le(1), 7},
	{"fetch add64 returns old", "r2 = 5\nr2 = atomic_fetch_add((u64 *)(r1 + 0), r2)\nr0 = *(u64 *)(r1 + 0)\nr0 <<= 8\nr0 |= r2\nexit", u64le(10), 15<<8 | 10},
	{"fetch add32 zero-extends old", "r2 = -1\nw2 = atomic_fetch_add((u32 *)(r1 + 0), w2)\nr0 = r2\nexit", u64le(0xfffffffe), 0xfffffffe},
	{"fetch or64", "r2 = 0xf0\nr2 = atomic_fetch_or((u64 *)(r1 + 0), r2)\nr0 = *(u64 *)(r1 + 0)\nr0 <<= 8\nr0 |= r2\nexit", u64le(0x0f), 0xff<<8 | 0x0f},
	{"fetch and32", "w2 = 0x3c\nw2 = atomic_fetch_and((u32 *)(r1 + 0), w2)\nr0 = *(u64 *)(r1 + 0)\nr0 <<= 8\nr0 |= r2\nexit", u64le(0xff), 0x3c<<8 | 0xff},
	{"fetch xor64", "r2 = 0xff\nr2 = atomic_fetch_xor((u64 *)(r1 + 0), r2)\nr0 = *(u64 *)(r1 + 0)\nr0 <<= 8\nr0 |= r2\nexit", u64le(0x0f), 0xf0<<8 | 0x0f},
	{"fetch xor32", "w2 = 0xff\nw2 = atomic_fetch_xor((u32 *)(r1 + 0), w2)\nr0 = *(u64 *)(r1 + 0)\nr0 <<= 8\nr0 |= r2\nexit", u64le(0x0f), 0xf0<<8 | 0x0f},
	{"xchg64", "r2 = 7\nr2 = xchg_64(r1 + 0, r2)\nr0 = *(u64 *)(r1 + 0)\nr0 <<= 8\nr0 |= r2\nexit", u64le(3), 7<<8 | 3},
	{"xchg32", "w2 = 7\nw2 = xchg32_32(r1 + 0, w2)\nr0 = *(u64 *)(r1 + 0)\nr0 <<= 8\nr0 |= r2\nexit", u64le(0x100000003), 0x100000007<<8 | 3},
	{"cmpxchg64 success", "r0 = 5\nr2 = 9\nr0 = cmpxchg_64(r1 + 0, r0, r2)\nr3 = *(u64 *)(r1 + 0)\nr3 <<= 8\nr0 |= r3\nexit", u64le(5), 9<<8 | 5},
	{"cmpxchg64 failure", "r0 = 4\nr2 = 9\nr0 = cmpxchg_64(r1 + 0, r0, r2)\nr3 = *(u64 *)(r1 + 0)\nr3 <<= 8\nr0 |= r3\nexit", u64le(5), 5<<8 | 5},
	{"cmpxchg32 compares low half", "r0 = 0x1200000005 ll\nw2 = 9\nw0 = cmpxchg32_32(r1 + 0, w0, w2)\nr3 = *(u64 *)(r1 + 0)\nr3 <<= 8\nr0 |= r3\nexit", u64le(5), 9<<8 | 5},
	{"cmpxchg32 failure zero-extends", "r0 = -1\nw2 = 9\nw0 = cmpxchg32_32(r1 + 0, w0, w2)\nexit", u64le(0x80000005), 0x80000005},

	// 32-bit jumps compare the low halves.
	{"jslt32 negative low half", "r1 = 0x1ffffffff ll\nr0 = 0\nif w1 s< 0 goto +1\nexit\nr0 = 1\nexit", nil, 1},
	{"jslt64 same value", "r1 = 0x1ffffffff ll\nr0 = 0\nif r1 s< 0 goto +1\nexit\nr0 = 1\nexit", nil, 0},
	{"jsgt32 reg", "w1 = -2\nw2 = -3\nr0 = 0\nif w1 s> w2 goto +1\nexit\nr0 = 1\nexit", nil, 1},
	{"jsge32 equal", "w1 = -2\nr0 = 0\nif w1 s>= -2 goto +1\nexit\nr0 = 1\nexit", nil, 1},
	{"jsle32 reg", "w1 = -3\nw2 = 1\nr0 = 0\nif w1 s<= w2 goto +1\nexit\nr0 = 1\nexit", nil, 1},
	{"jgt32 ignores upper half", "r1 = 0x100000000 ll\nr0 = 0\nif w1 > 0 goto +1\nexit\nr0 = 1\nexit", nil, 0},
	{"jgt64 sees upper half", "r1 = 0x100000000 ll\nr0 = 0\nif r1 > 0 goto +1\nexit\nr0 = 1\nexit", nil, 1},
	{"jgt64 imm sign-extended", "r1 = -1\nr0 = 0\nif r1 >= -1 goto +1\nexit\nr0 = 1\nexit", nil, 1},
	{"jset32", "r1 = 0x100000000 ll\nr0 = 0\nif w1 & 0x1 goto +1\nexit\nr0 = 1\nexit", nil, 0},
	{"jset64 reg", "r1 = 0x100000000 ll\nr2 = r1\nr0 = 0\nif r1 & r2 goto +1\nexit\nr0 = 1\nexit", nil, 1},
	{"jne32", "r1 = 0x100000001 ll\nr0 = 0\nif w1 != 1 goto +1\nexit\nr0 = 1\nexit", nil, 0},
	{"gotol", "r0 = 1\ngotol +1\nr0 = 2\nexit", nil, 1},

	// bpf-to-bpf calls.
	{"call preserves r6-r9", "r6 = 6\nr7 = 7\nr8 = 8\nr9 = 9\ncall pc+6\nr0 = r6\nr0 += r7\nr0 += r8\nr0 += r9\nexit\nexit\nr6 = 0\nr7 = 0\nr8 = 0\nr9 = 0\nr0 = 0\nexit", nil, 30},
	{"call passes r1-r5 and returns r0", "r1 = 1\nr2 = 2\nr3 = 3\nr4 = 4\nr5 = 5\ncall pc+1\nexit\nr0 = r1\nr0 += r2\nr0 += r3\nr0 += r4\nr0 += r5\nexit", nil, 15},
	{"each frame has its own stack", "*(u64 *)(r10 - 8) = 1\ncall pc+3\nr0 = *(u64 *)(r10 - 8)\nr0 <<= 8\nexit\n*(u64 *)(r10 - 8) = 2\nr0 = 0\nexit", nil, 1 << 8},
	{"callee reads caller stack", "*(u64 *)(r10 - 8) = 42\nr1 = r10\nr1 += -8\ncall pc+1\nexit\nr0 = *(u64 *)(r1 + 0)\nexit", nil, 42},
	{"eight frames", "r1 = 6\ncall pc+1\nexit\nif r1 == 0 goto +3\nr1 -= 1\ncall pc-3\nexit\nr0 = 8\nexit", nil, 8},

	// Helpers and the raw program type.
	{"helper 5 returns r1", "r1 = 77\ncall 5\nexit", nil, 77},
	{"callx", "r1 = 78\nr2 = 5\ncallx r2\nexit", nil, 78},
	{"r2 is the length", "r0 = r2\nexit", make([]byte, 13), 13},
	{"input is writable", "*(u32 *)(r1 + 4) = 0x01020304\nr0 = *(u32 *)(r1 + 4)\nexit", make([]byte, 8), 0x01020304},
	{"stack top is r10", "*(u8 *)(r10 - 1) = 9\nr0 = *(u8 *)(r10 - 1)\nexit", nil, 9},
	{"lowest stack byte", "*(u8 *)(r10 - 512) = 9\nr0 = *(u8 *)(r10 - 512)\nexit", nil, 9},
}

func TestSemantics(t *testing.T) {
	for _, tc := range semanticCases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := vm.Load(assemble(t, tc.src), vm.Options{Unverified: true, Helpers: vm.ConformanceHelpers()})
			if err != nil {
				t.Fatal(err)
			}
			mem := append([]byte(nil), tc.mem...)
			got, err := p.Run(mem)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("r0 = %#x, want %#x", got, tc.want)
			}
		})
	}
}

type runErrCase struct {
	name  string
	src   string
	mem   []byte
	opts  vm.Options
	err   error  // sentinel wrapped by the error
	index int    // RunError.Index
	text  string // substring of the message
}

var runErrCases = []runErrCase{
	{name: "read past input", src: "r0 = 0\nr0 = *(u64 *)(r1 + 8)\nexit", mem: make([]byte, 12),
		err: vm.ErrBadAccess, index: 1, text: "insn 1 (r0 = *(u64 *)(r1 +8)): invalid memory access: read of 8 bytes at 0x"},
	{name: "write past input", src: "*(u32 *)(r1 + 9) = 1\nexit", mem: make([]byte, 12),
		err: vm.ErrBadAccess, index: 0, text: "write of 4 bytes"},
	{name: "read with empty input", src: "r0 = *(u8 *)(r1 + 0)\nexit",
		err: vm.ErrBadAccess, index: 0, text: "read of 1 bytes at 0x0"},
	{name: "null pointer", src: "r1 = 0\nr0 = *(u8 *)(r1 + 0)\nexit", mem: make([]byte, 4),
		err: vm.ErrBadAccess, index: 1},
	{name: "above the stack", src: "*(u8 *)(r10 + 0) = 1\nexit",
		err: vm.ErrBadAccess, index: 0, text: "write of 1 bytes"},
	{name: "below the stack frame", src: "r0 = *(u8 *)(r10 - 513)\nexit",
		err: vm.ErrBadAccess, index: 0},
	{name: "straddles the stack top", src: "r0 = *(u64 *)(r10 - 4)\nexit",
		err: vm.ErrBadAccess, index: 0},
	{name: "wrapping address", src: "r1 = -1\nr0 = *(u64 *)(r1 + 0)\nexit", mem: make([]byte, 8),
		err: vm.ErrBadAccess, index: 1},
	{name: "dead callee frame after return", src: "call pc+3\nr1 = r0\nr0 = *(u8 *)(r1 + 0)\nexit\nr0 = r10\nr0 += -8\nexit",
		err: vm.ErrBadAccess, index: 2},
	{name: "misaligned atomic", src: "r2 = 1\nlock *(u64 *)(r1 + 4) += r2\nexit", mem: make([]byte, 16),
		err: vm.ErrMisaligned, index: 1},
	{name: "atomic out of bounds", src: "r2 = 1\nlock *(u32 *)(r1 + 8) += r2\nexit", mem: make([]byte, 8),
		err: vm.ErrBadAccess, index: 1},
	{name: "nine frames", src: "r1 = 7\ncall pc+1\nexit\nif r1 == 0 goto +3\nr1 -= 1\ncall pc-3\nexit\nr0 = 8\nexit",
		err: vm.ErrCallDepth, index: 5, text: "call depth exceeded"},
	{name: "infinite recursion", src: "call pc-1\nexit", err: vm.ErrCallDepth, index: 0},
	{name: "budget", src: "r0 = 0\nr0 += 1\ngoto -2\nexit", opts: vm.Options{Unverified: true, MaxInsns: 100},
		err: vm.ErrBudgetExhausted, index: 2, text: "100 instructions"},
	{name: "default budget", src: "goto -1\nexit",
		err: vm.ErrBudgetExhausted, index: 0, text: "1000000 instructions"},
	{name: "budget exactly one short", src: "r0 = 1\nr0 += 1\nexit", opts: vm.Options{Unverified: true, MaxInsns: 2},
		err: vm.ErrBudgetExhausted, index: 2},
	{name: "fall off the end", src: "r0 = 1\nr0 += 1", err: vm.ErrFellOffEnd, index: 1},
	{name: "fall off after a jump", src: "r0 = 1\nif r0 == 1 goto +1\nexit\nr0 = 2", err: vm.ErrFellOffEnd, index: 3},
	{name: "callx unknown helper", src: "r2 = 99\ncallx r2\nexit", err: vm.ErrUnknownHelper, index: 1, text: "helper id 99"},
}

func TestRunErrors(t *testing.T) {
	for _, tc := range runErrCases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.opts.Helpers == nil {
				tc.opts.Helpers = vm.ConformanceHelpers()
			}
			tc.opts.Unverified = true
			p, err := vm.Load(assemble(t, tc.src), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			r0, err := p.Run(append([]byte(nil), tc.mem...))
			if err == nil {
				t.Fatalf("no error, r0 = %#x", r0)
			}
			if !errors.Is(err, tc.err) {
				t.Fatalf("error %q does not wrap %q", err, tc.err)
			}
			var re *vm.RunError
			if !errors.As(err, &re) {
				t.Fatalf("error %q is not a *vm.RunError", err)
			}
			if re.Index != tc.index {
				t.Fatalf("index %d, want %d: %v", re.Index, tc.index, err)
			}
			if !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("error %q does not contain %q", err, tc.text)
			}
		})
	}
}

func TestRunStatsCountsInstructions(t *testing.T) {
	p, err := vm.Load(assemble(t, "r0 = 0\nr1 = 10\nr0 += r1\nr1 -= 1\nif r1 != 0 goto -3\nexit"), vm.Options{Unverified: true})
	if err != nil {
		t.Fatal(err)
	}
	st, err := p.RunStats(nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.R0 != 55 || st.Insns != 2+3*10+1 {
		t.Fatalf("got %+v, want R0 55, Insns 33", st)
	}
	// A fault in the middle of a straight-line stretch counts the
	// instructions up to and including the faulting one.
	p2, err := vm.Load(assemble(t, "r0 = 0\nr1 = 0\nr0 = *(u64 *)(r1 + 8)\nr0 += 1\nr0 += 1\nexit"), vm.Options{Unverified: true})
	if err != nil {
		t.Fatal(err)
	}
	if st, err := p2.RunStats(nil); !errors.Is(err, vm.ErrBadAccess) || st.Insns != 3 {
		t.Fatalf("fault: got %+v, %v; want 3 instructions and a bad access", st, err)
	}
	// A budget that ends exactly at the end of a program without exit.
	p3, err := vm.Load(assemble(t, "r0 = 1"), vm.Options{Unverified: true, MaxInsns: 1})
	if err != nil {
		t.Fatal(err)
	}
	if st, err := p3.RunStats(nil); !errors.Is(err, vm.ErrFellOffEnd) || st.Insns != 1 {
		t.Fatalf("fall off: got %+v, %v", st, err)
	}
	// The budget is exactly enough.
	p, err = vm.Load(p.Instructions(), vm.Options{Unverified: true, MaxInsns: 33})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Run(nil); err != nil {
		t.Fatal(err)
	}
}

func TestNoLimit(t *testing.T) {
	// 3 million instructions: over the default budget.
	src := "r0 = 0\nr1 = 1000000\nr0 += 1\nr1 -= 1\nif r1 != 0 goto -3\nexit"
	p, err := vm.Load(assemble(t, src), vm.Options{Unverified: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Run(nil); !errors.Is(err, vm.ErrBudgetExhausted) {
		t.Fatalf("default budget: got %v", err)
	}
	p, err = vm.Load(assemble(t, src), vm.Options{Unverified: true, NoLimit: true})
	if err != nil {
		t.Fatal(err)
	}
	st, err := p.RunStats(nil)
	if err != nil || st.R0 != 1000000 || st.Insns != 3000003 {
		t.Fatalf("no limit: got %+v, %v", st, err)
	}
}

type loadErrCase struct {
	name  string
	insns []isa.Instruction
	err   error
	index int
	text  string
}

var (
	exit  = isa.Instruction{OpCode: isa.OpExit}
	mov0  = isa.Instruction{OpCode: isa.OpMov64, Dst: isa.R0}
	lddw0 = isa.Instruction{OpCode: isa.OpLDDW, Dst: isa.R0, Constant: 1 << 40}
)

var loadErrCases = []loadErrCase{
	{"empty", nil, vm.ErrEmptyProgram, -1, "empty program"},
	{"jump past the end", []isa.Instruction{mov0, {OpCode: isa.OpJA, Offset: 1}, exit}, vm.ErrJumpOutOfRange, 1, "insn 1 (goto pc+1): jump out of range"},
	{"jump before the start", []isa.Instruction{mov0, {OpCode: isa.OpJA, Offset: -3}, exit}, vm.ErrJumpOutOfRange, 1, "slot -1"},
	{"jump into lddw", []isa.Instruction{{OpCode: isa.OpJA, Offset: 1}, lddw0, exit}, vm.ErrJumpOutOfRange, 0, "middle of an lddw"},
	{"gotol past the end", []isa.Instruction{mov0, {OpCode: isa.OpJA32, Constant: 5}, exit}, vm.ErrJumpOutOfRange, 1, "jump"},
	{"conditional jump past the end", []isa.Instruction{mov0, {OpCode: 0x15, Offset: 2}, exit}, vm.ErrJumpOutOfRange, 1, "jump"},
	{"local call past the end", []isa.Instruction{mov0, {OpCode: isa.OpCall, Src: isa.PseudoCallLocal, Constant: 7}, exit}, vm.ErrJumpOutOfRange, 1, "call to slot 9"},
	{"unknown helper", []isa.Instruction{mov0, {OpCode: isa.OpCall, Constant: 99}, exit}, vm.ErrUnknownHelper, 1, "insn 1 (call 99): unknown helper: helper id 99"},
	{"kfunc", []isa.Instruction{{OpCode: isa.OpCall, Src: isa.PseudoCallKfunc, Constant: 1}, exit}, vm.ErrUnsupported, 0, "kfunc"},
	{"lddw map fd", []isa.Instruction{{OpCode: isa.OpLDDW, Src: isa.PseudoMapFD, Constant: 3}, exit}, vm.ErrBadMap, 0, "map index 3, the program has 0 maps"},
	{"lddw btf id", []isa.Instruction{{OpCode: isa.OpLDDW, Src: isa.PseudoBTFID, Constant: 3}, exit}, vm.ErrUnsupported, 0, "pseudo source 3"},
	{"ld_abs", []isa.Instruction{{OpCode: 0x30, Constant: 12}, exit}, vm.ErrUnsupported, 0, "(LD_ABS/LD_IND) needs a packet context"},
	{"ld_ind", []isa.Instruction{{OpCode: 0x48, Src: isa.R1, Constant: 12}, exit}, vm.ErrUnsupported, 0, "packet context"},
	{"invalid opcode", []isa.Instruction{{OpCode: 0xff}, exit}, isa.ErrInvalid, 0, "insn 0"},
	{"register out of range", []isa.Instruction{{OpCode: isa.OpMov64, Dst: 11}, exit}, isa.ErrInvalid, 0, "register"},
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range loadErrCases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := vm.Load(tc.insns, vm.Options{Unverified: true, Helpers: vm.ConformanceHelpers()})
			if err == nil {
				t.Fatalf("loaded %v", p.Instructions())
			}
			if !errors.Is(err, tc.err) {
				t.Fatalf("error %q does not wrap %q", err, tc.err)
			}
			if tc.index >= 0 {
				var le *vm.LoadError
				if !errors.As(err, &le) || le.Index != tc.index {
					t.Fatalf("error %q: want a *vm.LoadError at index %d", err, tc.index)
				}
			}
			if !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("error %q does not contain %q", err, tc.text)
			}
		})
	}
}

func TestEngines(t *testing.T) {
	want := []vm.Engine{vm.Interp}
	if runtime.GOOS == "linux" && runtime.GOARCH == "amd64" {
		want = append(want, vm.JIT)
	}
	if got := vm.Engines(); !slices.Equal(got, want) {
		t.Fatalf("Engines() = %v, want %v", got, want)
	}
	prog := assemble(t, "r0 = 3\nexit")
	for _, e := range append([]vm.Engine{""}, want...) {
		p, err := vm.Load(prog, vm.Options{Unverified: true, Engine: e})
		if err != nil {
			t.Fatalf("engine %q: %v", e, err)
		}
		if e != "" && p.Engine() != e {
			t.Fatalf("engine %q: Program.Engine() = %q", e, p.Engine())
		}
		if r0, err := p.Run(nil); err != nil || r0 != 3 {
			t.Fatalf("engine %q: r0 %d, %v", e, r0, err)
		}
	}
	for _, e := range []vm.Engine{"wasm"} {
		_, err := vm.Load(prog, vm.Options{Unverified: true, Engine: e})
		if !errors.Is(err, vm.ErrEngineUnavailable) || !strings.Contains(err.Error(), "available engines: "+fmt.Sprint(strings.Join(engineNames(want), ", "))) {
			t.Fatalf("engine %q: got %v", e, err)
		}
	}
}

// regionHelpers has helper 1, which returns the address of a fresh 16-byte
// buffer holding 42 (writable if r1 != 0), and helper 2, which sums the
// r2 bytes at r1 through Call.Memory.
func regionHelpers() *vm.Helpers {
	h := vm.NewHelpers()
	h.Register(1, "buffer", func(c *vm.Call, r1, _, _, _, _ uint64) (uint64, error) {
		b := make([]byte, 16)
		b[0] = 42
		a := c.AddRegion(b, r1 != 0)
		if _, err := c.Memory(a, 16, r1 != 0); err != nil {
			return 0, err
		}
		return a, nil
	})
	h.Register(2, "sum", func(c *vm.Call, r1, r2, _, _, _ uint64) (uint64, error) {
		m, err := c.Memory(r1, r2, false)
		if err != nil {
			return 0, err
		}
		s := uint64(0)
		for _, v := range m {
			s += uint64(v)
		}
		return s, nil
	})
	h.Register(3, "fail", func(c *vm.Call, _, _, _, _, _ uint64) (uint64, error) {
		return 0, errors.New("deliberate")
	})
	return h
}

func TestHelperRegions(t *testing.T) {
	cases := []struct {
		name string
		src  string
		mem  []byte
		want uint64
		err  error
		text string
	}{
		{name: "read helper region", src: "r1 = 0\ncall 1\nr0 = *(u8 *)(r0 + 0)\nexit", want: 42},
		{name: "write writable region", src: "r1 = 1\ncall 1\n*(u8 *)(r0 + 15) = 7\nr0 = *(u8 *)(r0 + 15)\nexit", want: 7},
		{name: "write read-only region", src: "r1 = 0\ncall 1\n*(u8 *)(r0 + 0) = 7\nexit", err: vm.ErrBadAccess, text: "insn 2"},
		{name: "past helper region", src: "r1 = 0\ncall 1\nr0 = *(u8 *)(r0 + 16)\nexit", err: vm.ErrBadAccess},
		{name: "helper reads input", src: "r2 = 4\ncall 2\nexit", mem: []byte{1, 2, 3, 4}, want: 10},
		{name: "helper reads stack", src: "*(u64 *)(r10 - 8) = 0x0101\nr1 = r10\nr1 += -8\nr2 = 8\ncall 2\nexit", want: 2},
		{name: "helper read out of bounds", src: "r2 = 5\ncall 2\nexit", mem: []byte{1, 2, 3, 4}, err: vm.ErrBadAccess, text: "insn 1 (call 2): helper failed"},
		{name: "helper error", src: "call 3\nexit", err: vm.ErrHelper, text: "deliberate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := vm.Load(assemble(t, tc.src), vm.Options{Unverified: true, Helpers: regionHelpers()})
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.Run(tc.mem)
			if tc.err != nil {
				if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.text) {
					t.Fatalf("got %v, want %v containing %q", err, tc.err, tc.text)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %#x, %v; want %#x", got, err, tc.want)
			}
		})
	}
}

func TestZeroHelpers(t *testing.T) {
	var h vm.Helpers
	h.Register(9, "nine", func(*vm.Call, uint64, uint64, uint64, uint64, uint64) (uint64, error) { return 9, nil })
	p, err := vm.Load(assemble(t, "call 9\nexit"), vm.Options{Unverified: true, Helpers: &h})
	if err != nil {
		t.Fatal(err)
	}
	if r0, err := p.Run(nil); err != nil || r0 != 9 {
		t.Fatalf("got %d, %v", r0, err)
	}
}

func TestRegistrySnapshot(t *testing.T) {
	h := vm.NewHelpers()
	h.Register(7007, "seven", func(*vm.Call, uint64, uint64, uint64, uint64, uint64) (uint64, error) { return 7, nil })
	p, err := vm.Load(assemble(t, "r1 = 7008\ncallx r1\nexit"), vm.Options{Unverified: true, Helpers: h})
	if err != nil {
		t.Fatal(err)
	}
	h.Register(7008, "eight", func(*vm.Call, uint64, uint64, uint64, uint64, uint64) (uint64, error) { return 8, nil })
	if _, err := p.Run(nil); !errors.Is(err, vm.ErrUnknownHelper) {
		t.Fatalf("helper registered after Load is visible: %v", err)
	}
	if name, ok := h.Name(7008); !ok || name != "eight" {
		t.Fatalf("Name(7008) = %q, %v", name, ok)
	}
}

func TestStackZeroedBetweenRuns(t *testing.T) {
	// Reads a stack slot of its own frame and of a callee's, then dirties both.
	p, err := vm.Load(assemble(t, "r6 = *(u64 *)(r10 - 8)\n*(u64 *)(r10 - 8) = 5\ncall pc+2\nr0 += r6\nexit\nr0 = *(u64 *)(r10 - 8)\n*(u64 *)(r10 - 8) = 6\nexit"), vm.Options{Unverified: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if r0, err := p.Run(nil); err != nil || r0 != 0 {
			t.Fatalf("run %d: r0 = %d, %v", i, r0, err)
		}
	}
	if r0, _, err := p.RunRepeat(nil, 3); err != nil || r0 != 0 {
		t.Fatalf("RunRepeat: r0 = %d, %v", r0, err)
	}
}

func TestRunRepeat(t *testing.T) {
	// Counts its runs in the input memory.
	p, err := vm.Load(assemble(t, "r0 = *(u64 *)(r1 + 0)\nr0 += 1\n*(u64 *)(r1 + 0) = r0\nexit"), vm.Options{Unverified: true})
	if err != nil {
		t.Fatal(err)
	}
	mem := make([]byte, 8)
	r0, avg, err := p.RunRepeat(mem, 5)
	if err != nil || r0 != 5 || binary.LittleEndian.Uint64(mem) != 5 || avg <= 0 {
		t.Fatalf("got r0 %d, avg %v, mem %x, %v", r0, avg, mem, err)
	}
	if r0, _, err := p.RunRepeat(mem, 0); err != nil || r0 != 6 {
		t.Fatalf("n = 0 runs once: r0 %d, %v", r0, err)
	}
	bad, err := vm.Load(assemble(t, "r0 = *(u64 *)(r1 + 8)\nexit"), vm.Options{Unverified: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := bad.RunRepeat(mem, 3); !errors.Is(err, vm.ErrBadAccess) {
		t.Fatalf("got %v", err)
	}
}

func TestConcurrentRuns(t *testing.T) {
	// Each run sums its own input and adds 1 atomically to a shared
	// counter that helper 4 makes reachable.
	counter := make([]byte, 8)
	h := vm.NewHelpers()
	h.Register(4, "counter", func(c *vm.Call, _, _, _, _, _ uint64) (uint64, error) {
		return c.AddRegion(counter, true), nil
	})
	p, err := vm.Load(assemble(t, `r6 = r1
r7 = r2
r0 = 0
r3 = 0
r4 = r6
r4 += r3
r4 = *(u8 *)(r4 + 0)
r0 += r4
r3 += 1
if r3 < r7 goto -6
*(u64 *)(r10 - 8) = r0
call 4
r1 = 1
lock *(u64 *)(r0 + 0) += r1
r0 = *(u64 *)(r10 - 8)
exit`), vm.Options{Unverified: true, Helpers: h})
	if err != nil {
		t.Fatal(err)
	}
	const goroutines, runs = 8, 200
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < runs; i++ {
				mem := make([]byte, 64)
				want := uint64(0)
				for j := range mem {
					mem[j] = byte(g*31 + i + j)
					want += uint64(mem[j])
				}
				got, err := p.Run(mem)
				if err != nil {
					errs <- err
					return
				}
				if got != want {
					errs <- fmt.Errorf("goroutine %d run %d: sum %d, want %d", g, i, got, want)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := binary.LittleEndian.Uint64(counter); n != goroutines*runs {
		t.Fatalf("counter = %d, want %d", n, goroutines*runs)
	}
}

// TestFusedMatchesPlain runs the semantic cases with and without fused
// instruction pairs, and programs built around each fused pattern, in
// particular with jumps into the middle of a pair.
func TestFusedMatchesPlain(t *testing.T) {
	srcs := []string{
		"r1 = 5\nr2 = 7\nr0 = r1\nr0 += r2\nexit",
		"r1 = 5\nr0 = r1\nr0 += r0\nexit",
		"r1 = 5\nr0 = r1\nr0 += 9\nexit",
		"r0 = -1\nr0 <<= 32\nr0 >>= 32\nexit",
		"r0 = 0\nr1 = 0\nr2 = 10\nr0 += r1\nr1 += 1\nif r1 < r2 goto -3\nexit",
		"r0 = 0\nr1 = 10\nr2 = 0\nr0 += 1\nr2 += 1\nif r1 > r2 goto -3\nexit",
		"r0 = 0\nr1 = 10\nr0 += 2\nif r0 != r1 goto -2\nexit",
		"r0 = 0\nr1 = 10\nr0 += 5\nif r0 == r1 goto +1\ngoto -3\nexit",
		"r0 = 0\nr1 = 5\nr2 = 0x10\nif r2 > r1 goto +1\nr0 = 1\nexit",
		"r0 = 0\nr1 = 5\nr2 = 3\nif r2 < r1 goto +1\nr0 = 1\nexit",
		"r0 = 0\nr1 = 5\nr2 = 5\nif r1 == r2 goto +1\nr0 = 1\nexit",
		"r0 = 0\nr1 = 5\nr2 = 5\nif r2 != r1 goto +1\nr0 = 1\nexit",
		// Jumps to the second instruction of a pair.
		"r0 = 1\nr1 = 2\nif r0 == 1 goto +1\nr0 = r1\nr0 += r1\nexit",
		"r0 = 3\nif r0 == 3 goto +1\nr0 <<= 32\nr0 >>= 32\nexit",
		"r0 = 0\nr1 = 3\ngoto +1\nr0 += 1\nif r0 < r1 goto -2\nexit",
	}
	for _, tc := range semanticCases {
		srcs = append(srcs, tc.src)
	}
	for _, src := range srcs {
		insns := assemble(t, src)
		fused, err := vm.Load(insns, vm.Options{Unverified: true, Helpers: vm.ConformanceHelpers()})
		if err != nil {
			t.Fatal(err)
		}
		plain, err := vm.LoadUnfused(insns, vm.Options{Unverified: true, Helpers: vm.ConformanceHelpers()})
		if err != nil {
			t.Fatal(err)
		}
		of, op := vm.RunBoth(fused, plain, make([]byte, 16))
		if of.Stats != op.Stats || of.Err != op.Err || !bytes.Equal(of.Mem, op.Mem) {
			t.Errorf("%q: fused %+v; plain %+v", src, of, op)
		}
	}
}

func engineNames(es []vm.Engine) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = string(e)
	}
	return out
}
