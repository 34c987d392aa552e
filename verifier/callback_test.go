package verifier_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/verifier"
)

// slots counts the instruction slots of src (an lddw takes two).
func slots(t *testing.T, src string) int {
	n := 0
	for _, ins := range assemble(t, src) {
		n++
		if ins.IsLoadImm64() {
			n++
		}
	}
	return n
}

// withCallback assembles main followed by the subprogram cb; "CB" in main,
// on an "ld_pseudo rN, 4, CB" line, becomes the offset that names cb.
func withCallback(t *testing.T, main, cb string) []isa.Instruction {
	t.Helper()
	k := strings.Index(main, "ld_pseudo")
	before := 0
	if k > 0 {
		before = slots(t, strings.TrimSuffix(main[:k], "\n"))
	}
	off := slots(t, strings.ReplaceAll(main, "CB", "0")) - before - 1
	return assemble(t, strings.ReplaceAll(main, "CB", fmt.Sprint(off))+"\n"+cb)
}

// loop calls bpf_loop(COUNT, cb, r10-8, 0) with the 8 bytes at r10-8
// zeroed, then returns the value the callbacks left there in r0.
const loop = "r1 = 0\n*(u64 *)(r10 -8) = r1\nr1 = COUNT\nld_pseudo r2, 4, CB\nr3 = r10\nr3 += -8\nr4 = 0\ncall 181\nr0 = *(u64 *)(r10 -8)\n"

// increment is a bpf_loop callback adding 1 to *ctx.
const increment = "r1 = *(u64 *)(r2 +0)\nr1 += 1\n*(u64 *)(r2 +0) = r1\nr0 = 0\nexit"

// forEach calls bpf_for_each_map_elem on map 0 (a hash) with cb.
const forEach = "r1 = map_fd(0)\nld_pseudo r2, 4, CB\nr3 = 0\nr4 = 0\ncall 164\nr0 = 0\nexit"

var callbackVerdicts = []struct {
	name, main, cb string
	opts           verifier.Options
	reason         string
}{
	{"bpf_loop", strings.ReplaceAll(loop, "COUNT", "4") + "r0 = 0\nexit", increment, verifier.Options{}, ""},
	{"bpf_loop count bounds the result",
		strings.ReplaceAll(loop, "COUNT", "2") + "if r0 <= 2 goto +1\nr10 = 0\nr0 = 0\nexit", increment, verifier.Options{}, ""},
	{"bpf_loop one iteration more",
		strings.ReplaceAll(loop, "COUNT", "3") + "if r0 <= 2 goto +1\nr10 = 0\nr0 = 0\nexit", increment, verifier.Options{}, "frame pointer is read only"},
	{"bpf_loop without iterations", strings.ReplaceAll(loop, "COUNT", "2") + "if r0 != 0 goto +1\nr10 = 0\nr0 = 0\nexit", increment, verifier.Options{}, "frame pointer is read only"},
	{"bpf_loop unknown count", "r1 = 0\n*(u64 *)(r10 -8) = r1\ncall 7\nr1 = r0\nld_pseudo r2, 4, CB\nr3 = r10\nr3 += -8\nr4 = 0\ncall 181\nr0 = 0\nexit", increment, verifier.Options{}, ""},
	{"callback returns 2", strings.ReplaceAll(loop, "COUNT", "1") + "exit", "r0 = 2\nexit", verifier.Options{}, "At callback return the register R0 has smin=2 smax=2 should have been in [0, 1]"},
	{"callback returns a pointer", strings.ReplaceAll(loop, "COUNT", "1") + "exit", "r0 = r10\nexit", verifier.Options{}, "R0 not a scalar value"},
	{"callback reads an argument it lacks", strings.ReplaceAll(loop, "COUNT", "1") + "exit", "r0 = r3\nr0 = 0\nexit", verifier.Options{}, "R3 !read_ok"},
	{"callback writes past ctx", strings.ReplaceAll(loop, "COUNT", "1") + "exit", "r1 = 0\n*(u64 *)(r2 +8) = r1\nr0 = 0\nexit", verifier.Options{}, "invalid write to stack R2 off=0 size=8"},
	{"endless loop around bpf_loop", "l:\nr1 = 1\nld_pseudo r2, 4, CB\nr3 = 0\nr4 = 0\ncall 181\ngoto l", "r0 = 0\nexit", verifier.Options{}, "infinite loop detected at insn"},
	{"a loop around bpf_loop that the callback keeps going", "*(u64 *)(r10 -8) = 0\nloop:\nr1 = 1\nld_pseudo r2, 4, CB\nr3 = r10\nr3 += -8\nr4 = 0\ncall 181\nr1 = *(u64 *)(r10 -8)\nr1 += 1\n*(u64 *)(r10 -8) = r1\nif r1 < 3 goto loop\nr0 = 0\nexit",
		"*(u64 *)(r2 +0) = 0\nr0 = 0\nexit", verifier.Options{ProgType: verifier.XDP}, "BPF program is too large"},
	{"a loop around for_each that the callback keeps going", "*(u64 *)(r10 -8) = 0\nloop:\nr1 = map_fd(1)\nld_pseudo r2, 4, CB\nr3 = r10\nr3 += -8\nr4 = 0\ncall 164\nr1 = *(u64 *)(r10 -8)\nr1 += 1\n*(u64 *)(r10 -8) = r1\nif r1 < 3 goto loop\nr0 = 0\nexit",
		"*(u64 *)(r4 +0) = 0\nr0 = 0\nexit", xdpMapOpts, "BPF program is too large"},
	{"a bounded loop around bpf_loop", "*(u64 *)(r10 -8) = 0\nr6 = 0\nloop:\nr1 = 1\nld_pseudo r2, 4, CB\nr3 = r10\nr3 += -8\nr4 = 0\ncall 181\nr6 += 1\nif r6 < 3 goto loop\nr0 = 0\nexit",
		"*(u64 *)(r2 +0) = 0\nr0 = 0\nexit", verifier.Options{ProgType: verifier.XDP}, ""},
	{"callback not a function", "r1 = 1\nr2 = 0\nr3 = 0\nr4 = 0\ncall 181\nexit", "", verifier.Options{}, "R2 type=scalar expected=func"},
	{"for_each reads key and value", forEach, "r0 = *(u64 *)(r2 +0)\nr0 = *(u64 *)(r3 +40)\nr0 = 0\nexit", mapOpts, ""},
	{"for_each key write", forEach, "r1 = 0\n*(u64 *)(r2 +0) = r1\nr0 = 0\nexit", mapOpts, "write to change key R2 not allowed"},
	{"for_each past the key", forEach, "r0 = *(u64 *)(r2 +4)\nr0 = 0\nexit", mapOpts, "R2 min value is outside of the allowed memory range"},
	{"for_each past the value", forEach, "r0 = *(u64 *)(r3 +48)\nr0 = 0\nexit", mapOpts, "R3 min value is outside of the allowed memory range"},
	{"for_each over a queue", strings.Replace(forEach, "map_fd(0)", "map_fd(2)", 1), "r0 = 0\nexit", mapOpts, "cannot pass map_type 22 into func bpf_for_each_map_elem#164"},
	{"ringbuf record in a callback", strings.ReplaceAll(loop, "COUNT", "1") + "exit",
		reserve + "if r0 == 0 goto +3\nr1 = r0\nr2 = 0\ncall 132\nr0 = 0\nexit", mapOpts, ""},
	{"ringbuf record leaked by a callback", strings.ReplaceAll(loop, "COUNT", "1") + "exit",
		reserve + "if r0 == 0 goto +0\nr0 = 0\nexit", mapOpts, "Unreleased reference id="},
	{"callback submits its caller's record", reserve + "if r0 == 0 goto +11\n*(u64 *)(r10 -8) = r0\nr1 = 1\nld_pseudo r2, 4, CB\nr3 = r10\nr3 += -8\nr4 = 0\ncall 181\nr1 = *(u64 *)(r10 -8)\nr2 = 0\ncall 132\nr0 = 0\nexit",
		"r1 = *(u64 *)(r2 +0)\nr2 = 0\ncall 132\nr0 = 0\nexit", mapOpts, "func bpf_ringbuf_submit#132 reference has not been acquired before"},
	{"ld_abs in a callback", "*(u64 *)(r10 -8) = r1\nr1 = 1\nld_pseudo r2, 4, CB\nr3 = r10\nr3 += -8\nr4 = 0\ncall 181\nr0 = 0\nexit",
		"r6 = *(u64 *)(r2 +0)\nr0 = *(u8 *)skb[0]\nr0 = 0\nexit",
		verifier.Options{ProgType: verifier.SocketFilter}, "cannot use BPF_LD_[ABS|IND] within callback"},
}

func TestCallbacks(t *testing.T) {
	for _, tc := range callbackVerdicts {
		t.Run(tc.name, func(t *testing.T) {
			insns := withCallback(t, tc.main, tc.cb)
			if tc.cb == "" {
				insns = assemble(t, tc.main)
			}
			opts := tc.opts
			if opts.ProgType == verifier.SocketFilter {
				// Legacy packet loads in subprograms need their BTF.
				opts.Funcs = []verifier.FuncInfo{{Insn: 0, ScalarReturn: true}, {Insn: len(assemble(t, strings.ReplaceAll(tc.main, "CB", "0"))), ScalarReturn: true}}
			}
			checkVerdict(t, insns, opts, tc.reason)
		})
	}
}

// checkVerdict verifies insns and checks the verdict: accepted for an
// empty reason, else rejected with a *verifier.Error whose reason contains
// it and whose log has the reason.
func checkVerdict(t *testing.T, insns []isa.Instruction, opts verifier.Options, reason string) {
	t.Helper()
	res, err := verifier.Verify(insns, opts)
	if reason == "" {
		if err != nil {
			t.Fatalf("rejected: %+v", err)
		}
		if res.ProcessedInsns == 0 {
			t.Fatal("accepted without processing any instruction")
		}
		return
	}
	if err == nil {
		t.Fatalf("accepted, want %q\n%s", reason, res.Log)
	}
	var ve *verifier.Error
	if !errors.As(err, &ve) {
		t.Fatalf("error %T is not a *verifier.Error", err)
	}
	if !strings.Contains(ve.Reason, reason) {
		t.Fatalf("reason %q, want %q\n%+v", ve.Reason, reason, err)
	}
	if !strings.Contains(ve.Log, ve.Reason) {
		t.Fatalf("log lacks the reason:\n%s", ve.Log)
	}
}

// tcOpts is a tc program with mapOpts' maps.
var tcOpts = verifier.Options{ProgType: verifier.SchedCLS, Maps: mapOpts.Maps}

// loadSk loads __sk_buff.sk into r2 and returns 0 if it is NULL.
const loadSk = "r2 = *(u64 *)(r1 +168)\nr0 = 0\nif r2 == 0 goto +2\n"

var moreVerdicts = []struct {
	name, src string
	opts      verifier.Options
	reason    string
}{
	{"socket family", loadSk + "r0 = *(u32 *)(r2 +4)\nr0 = 0\nexit", tcOpts, ""},
	{"socket port halves", loadSk + "r0 = *(u16 *)(r2 +48)\nr0 = *(u8 *)(r2 +49)\nexit", tcOpts, ""},
	{"socket not null-checked", "r2 = *(u64 *)(r1 +168)\nr0 = *(u32 *)(r2 +4)\nexit", tcOpts, "R2 invalid mem access 'sock_common_or_null'"},
	{"socket type is not common", loadSk + "r0 = *(u32 *)(r2 +8)\nr0 = 0\nexit", tcOpts, "R2 invalid sock_common access off=8 size=4"},
	{"socket padding", loadSk + "r0 = *(u16 *)(r2 +50)\nr0 = 0\nexit", tcOpts, "R2 invalid sock_common access off=50 size=2"},
	{"socket write", loadSk + "r0 = 0\n*(u32 *)(r2 +4) = r0\nexit", tcOpts, "R2 cannot write into sock_common"},
	{"socket arithmetic", loadSk + "r2 += 4\nr0 = 0\nexit", tcOpts, "R2 pointer arithmetic on sock_common prohibited"},
	{"snprintf with a frozen format", "r1 = r10\nr1 += -8\nr2 = 8\nr3 = map_value(5, 0)\nr4 = 0\nr5 = 0\ncall 165\nr0 = 0\nexit", mapOpts, ""},
	{"snprintf with a writable format", "r1 = r10\nr1 += -8\nr2 = 8\nr3 = map_value(1, 0)\nr4 = 0\nr5 = 0\ncall 165\nr0 = 0\nexit", mapOpts, "R3 does not point to a readonly map'"},
	{"snprintf format on the stack", "r1 = r10\nr1 += -8\nr2 = 8\nr3 = r10\nr3 += -16\nr4 = 0\nr5 = 0\ncall 165\nr0 = 0\nexit", mapOpts, "R3 type=fp expected=map_value"},
	{"snprintf format not terminated", "r1 = r10\nr1 += -8\nr2 = 8\nr3 = map_value(7, 0)\nr4 = 0\nr5 = 0\ncall 165\nr0 = 0\nexit",
		verifier.Options{Maps: append(append([]verifier.MapInfo(nil), mapOpts.Maps...),
			verifier.MapInfo{Name: ".rodata", Type: maps.Array, KeySize: 4, ValueSize: 2, MaxEntries: 1, Flags: maps.FlagRdOnlyProg, Frozen: []byte{'a', 'b'}})},
		"string is not zero-terminated"},
	{"ringbuf record in a subprogram", "call f\nexit\nf:\n" + reserve + "if r0 == 0 goto +3\nr1 = r0\nr2 = 0\ncall 132\nr0 = 0\nexit", mapOpts, ""},
	{"ringbuf record leaked by a subprogram", "call f\nr0 = 0\nexit\nf:\n" + reserve + "r0 = 0\nexit", mapOpts, "Unreleased reference id="},
	{"spin lock held at a subprogram's exit", "call f\nr0 = 0\nexit\nf:\n" + lockedLookup + "if r0 == 0 goto +3\nr1 = r0\nr1 += 4\ncall 93\nr0 = 0\nexit", lockOpts, "bpf_spin_unlock is missing"},
	{"tail call from a subprogram", "call f\nexit\nf:\nr2 = map_fd(8)\nr3 = 0\ncall 12\nr0 = 0\nexit", withFuncs(progArrayOpts, 2), ""},
	{"tail call from a subprogram without BTF", "call f\nexit\nf:\nr2 = map_fd(8)\nr3 = 0\ncall 12\nr0 = 0\nexit", progArrayOpts, "tail_call is not allowed in subprogs without BTF"},
	{"tail call from a void subprogram", "call f\nexit\nf:\nr2 = map_fd(8)\nr3 = 0\ncall 12\nr0 = 0\nexit",
		verifier.Options{ProgType: verifier.SocketFilter, Maps: progArrayOpts.Maps, Funcs: []verifier.FuncInfo{{Insn: 0, ScalarReturn: true}, {Insn: 2}}},
		"tail_call is only allowed in functions that return 'int'."},
	{"a subprogram that tail calls returns a scalar", "call f\nr0 = *(u32 *)(r0 +0)\nr0 = 0\nexit\nf:\nr7 = r1\nr2 = map_fd(8)\nr3 = 0\ncall 12\nr0 = r7\nexit",
		withFuncs(progArrayOpts, 4), "R0 invalid mem access 'scalar'"},
	{"returning a caller's stack pointer", "r1 = r10\nr1 += -8\ncall f\nr0 = 0\nexit\nf:\nr0 = r1\nexit", verifier.Options{}, "cannot return stack pointer to the caller"},
	{"an intermediate frame's stack pointer spilled into the caller's", "r1 = r10\nr1 += -8\nr2 = 0\n*(u64 *)(r10 -8) = r2\ncall f\nr2 = *(u64 *)(r10 -8)\nr0 = *(u64 *)(r2 -8)\nexit\n" +
		"f:\nr2 = 0\n*(u64 *)(r10 -8) = r2\nr2 = r10\ncall g\nr0 = 0\nexit\ng:\n*(u64 *)(r1 +0) = r2\nr0 = 0\nexit", verifier.Options{MemSize: 16},
		"cannot spill pointers to stack into stack frame of the caller"},
	{"tail call under a deep stack", "r2 = 0\n*(u64 *)(r10 -256) = r2\ncall f\nexit\nf:\nr2 = map_fd(8)\nr3 = 0\ncall 12\nr0 = 0\nexit", withFuncs(progArrayOpts, 4),
		"tail_calls are not allowed when call stack of previous frames is 256 bytes. Too large"},
	{"packet pointers after adjust_head", "r6 = r1\nr2 = *(u32 *)(r6 +0)\nr3 = *(u32 *)(r6 +4)\nr7 = r2\nr2 += 8\nif r2 > r3 goto +4\nr1 = r6\nr2 = -100\ncall 44\nr0 = *(u64 *)(r7 +0)\nr0 = 0\nexit",
		verifier.Options{ProgType: verifier.XDP}, "R7 invalid mem access 'scalar'"},
	{"cmpxchg may not store", "r2 = 1000\n*(u64 *)(r10 -8) = r2\nr0 = 5\nr3 = 0\nr0 = cmpxchg_64(r10 -8, r0, r3)\nr2 = *(u64 *)(r10 -8)\nr1 += r2\nr0 = *(u8 *)(r1 +0)\nexit",
		verifier.Options{MemSize: 64}, "math between mem pointer and register with unbounded min value is not allowed"},
	{"a byte swap drops a delta link", "r6 = r1\nr1 = *(u64 *)(r6 +0)\nr7 = r1\nr1 += 100\nr1 = le64 r1\nr2 = r1\nr1 += 5\nif r2 > 10 goto +4\nr1 += 95\nr6 += r1\nr0 = *(u8 *)(r6 +0)\nexit\nr0 = 0\nexit",
		verifier.Options{MemSize: 64}, "invalid access to memory, mem_size=64 off=100 size=1"},
	{"syscall context", "r0 = *(u64 *)(r1 +96)\n*(u32 *)(r1 +8) = r0\nr0 = 0\nexit", verifier.Options{ProgType: verifier.Syscall}, ""},
	{"syscall context misaligned", "r0 = *(u64 *)(r1 +100)\nr0 = 0\nexit", verifier.Options{ProgType: verifier.Syscall}, "invalid bpf_context access off=100 size=8"},
	{"syscall sleepable maps", "r1 = map_fd(2)\nr2 = r10\nr2 += -8\ncall 88\nr0 = 0\nexit", verifier.Options{ProgType: verifier.Syscall, Maps: mapOpts.Maps}, ""},
	{"syscall device map", "r1 = map_fd(6)\nr2 = 0\nr3 = 0\ncall 51\nr0 = 0\nexit", verifier.Options{ProgType: verifier.Syscall, Maps: mapOpts.Maps}, "Sleepable programs can only use array, hash, ringbuf and local storage maps"},
	{"linked by a delta", "r3 = *(u8 *)(r1 +0)\nr4 = r3\nr4 += 2\nif r3 > 13 goto +5\nr5 = r1\nr5 += r4\nr0 = *(u8 *)(r5 +0)\nr0 = 0\nexit\nr0 = 0\nexit", verifier.Options{MemSize: 16}, ""},
	{"linked by a delta, one too far", "r3 = *(u8 *)(r1 +0)\nr4 = r3\nr4 += 2\nif r3 > 14 goto +5\nr5 = r1\nr5 += r4\nr0 = *(u8 *)(r5 +0)\nr0 = 0\nexit\nr0 = 0\nexit", verifier.Options{MemSize: 16}, "invalid access to memory, mem_size=16 off=16 size=1"},
	{"deltas do not chain", "r3 = *(u8 *)(r1 +0)\nr4 = r3\nr4 += 2\nr6 = r4\nr6 += 1\nif r3 > 12 goto +5\nr5 = r1\nr5 += r6\nr0 = *(u8 *)(r5 +0)\nr0 = 0\nexit\nr0 = 0\nexit", verifier.Options{MemSize: 16}, "invalid access to memory, mem_size=16 off=258 size=1"},
	{"dead branch, privileged", "r0 = 0\nif r0 == 0 goto +1\nr0 = *(u64 *)(r0 +0)\nexit", verifier.Options{}, ""},
	{"dead branch explored speculatively, unprivileged", "r0 = 0\nif r0 == 0 goto +1\nr0 = *(u64 *)(r0 +0)\nexit", verifier.Options{Unprivileged: true}, "R0 invalid mem access 'scalar'"},
	{"context arithmetic by a register, unprivileged", "r0 = 1\nr1 -= r0\nr0 = 0\nexit", verifier.Options{ProgType: verifier.SocketFilter, Unprivileged: true},
		"R1 has pointer with unsupported alu operation, pointer arithmetic with it prohibited for !root"},
	{"movsx32 of a small value", "call 7\nr3 = r0\nr3 &= 0xf\nw7 = (s8)w3\nif w7 s>= 16 goto +2\nw0 = 0\nexit\nr10 = 1\nexit", verifier.Options{}, ""},
	{"movsx64 within the narrow range", "call 7\nr3 = r0\nr3 &= 0xff\nr7 = (s8)r3\nif r7 s> 127 goto +2\nr0 = 0\nexit\nr10 = 1\nexit", verifier.Options{}, ""},
	{"movsx64 may be negative", "call 7\nr3 = r0\nr3 &= 0xff\nr7 = (s8)r3\nif r7 s< 0 goto +2\nr0 = 0\nexit\nr10 = 1\nexit", verifier.Options{}, "frame pointer is read only"},
	{"bounds across the sign boundary", "call 7\nr0 = (s8)r0\nr1 = 0xffffffffffffff00 ll\nif r0 > r1 goto +2\nif r0 < 128 goto +1\nr10 = 0\nr0 = 0\nexit", verifier.Options{}, ""},
	{"strict alignment of the packet", "r2 = *(u32 *)(r1 +0)\nr3 = *(u32 *)(r1 +4)\nr4 = r2\nr4 += 8\nr0 = 2\nif r4 > r3 goto +1\nr0 = *(u32 *)(r2 +4)\nexit",
		verifier.Options{ProgType: verifier.XDP, StrictAlignment: true}, "misaligned packet access off 2+0+0+4 size 4"},
	{"strict alignment, aligned for NET_IP_ALIGN", "r2 = *(u32 *)(r1 +0)\nr3 = *(u32 *)(r1 +4)\nr4 = r2\nr4 += 8\nr0 = 2\nif r4 > r3 goto +1\nr0 = *(u32 *)(r2 +2)\nexit",
		verifier.Options{ProgType: verifier.XDP, StrictAlignment: true}, ""},
	{"strict alignment of a map value", lookup + "if r0 == 0 goto +1\nr0 = *(u32 *)(r0 +2)\nr0 = 0\nexit", verifier.Options{Maps: mapOpts.Maps, StrictAlignment: true}, "misaligned value access off 0+0+2 size 4"},
	{"ld_abs in a void subprogram", "r6 = r1\ncall f\nr0 = 0\nexit\nf:\nr6 = r1\nr0 = *(u8 *)skb[0]\nexit",
		verifier.Options{ProgType: verifier.SocketFilter, Funcs: []verifier.FuncInfo{{Insn: 0, ScalarReturn: true}, {Insn: 4}}}, "LD_ABS is only allowed in functions that return 'int'."},
	{"ld_abs in an int subprogram", "r6 = r1\ncall f\nr0 = 0\nexit\nf:\nr6 = r1\nr0 = *(u8 *)skb[0]\nexit",
		verifier.Options{ProgType: verifier.SocketFilter, Funcs: []verifier.FuncInfo{{Insn: 0, ScalarReturn: true}, {Insn: 4, ScalarReturn: true}}}, ""},
	{"narrow spill keeps the link", "call 7\nr0 &= 0x8000\n*(u16 *)(r10 -8) = r0\nr1 = *(u16 *)(r10 -8)\nr2 = 0\nif r1 != r2 goto +2\nif r0 == r2 goto +1\nr10 = 0\nr0 = 0\nexit", verifier.Options{}, ""},
}

// progArrayOpts adds a prog array (map 8) to mapOpts, for a socket filter.
var progArrayOpts = verifier.Options{ProgType: verifier.SocketFilter, Maps: append(append([]verifier.MapInfo(nil), mapOpts.Maps...),
	verifier.MapInfo{Name: ".rodata.str", Type: maps.Array, KeySize: 4, ValueSize: 2, MaxEntries: 1},
	verifier.MapInfo{Name: "progs", Type: maps.ProgArray, KeySize: 4, ValueSize: 4, MaxEntries: 4})}

func TestMoreVerdicts(t *testing.T) {
	for _, tc := range moreVerdicts {
		t.Run(tc.name, func(t *testing.T) {
			checkVerdict(t, assemble(t, tc.src), tc.opts, tc.reason)
		})
	}
}

func TestSyscallMaxCtxOffset(t *testing.T) {
	res, err := verifier.Verify(assemble(t, "r0 = *(u64 *)(r1 +96)\n*(u32 *)(r1 +8) = r0\nr0 = 0\nexit"), verifier.Options{ProgType: verifier.Syscall})
	if err != nil {
		t.Fatal(err)
	}
	if res.MaxCtxOffset != 104 {
		t.Errorf("MaxCtxOffset %d, want 104", res.MaxCtxOffset)
	}
}

// TestLivenessPrunes checks that pruning ignores a register no path reads
// any more: two paths that differ only in r5 meet, and the second is cut
// there instead of walking the tail again.
func TestLivenessPrunes(t *testing.T) {
	tail := strings.Repeat("r0 += 1\n", 50)
	// Enough instructions and jumps before the join that the first path
	// leaves a checkpoint there (the kernel's heuristic).
	fill := strings.Repeat("r3 += 1\n", 8)
	src := "r0 = *(u8 *)(r1 +0)\nr3 = 0\nif r0 > 3 goto +10\nr5 = 1\n" + fill + "goto +9\nr5 = 2\n" + fill + "r0 = 0\n" + tail + "exit"
	res, err := verifier.Verify(assemble(t, src), verifier.Options{MemSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.ProcessedInsns > 85 {
		t.Errorf("processed %d instructions: the second path was not pruned at the join", res.ProcessedInsns)
	}
	// Read r5 at the end: now the paths differ and both are explored.
	res, err = verifier.Verify(assemble(t, strings.Replace(src, "exit", "r0 += r5\nexit", 1)), verifier.Options{MemSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.ProcessedInsns < 120 {
		t.Errorf("processed %d instructions: a path that reads r5 was pruned", res.ProcessedInsns)
	}
}

// withFuncs gives o BTF function information: the entry and a subprogram
// at instruction sub, both returning a scalar.
func withFuncs(o verifier.Options, sub int) verifier.Options {
	o.Funcs = []verifier.FuncInfo{{Insn: 0, ScalarReturn: true}, {Insn: sub, ScalarReturn: true}}
	return o
}
