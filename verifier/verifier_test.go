package verifier_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/verifier"
)

func assemble(t testing.TB, src string) []isa.Instruction {
	t.Helper()
	insns, err := asm.Assemble(src, asm.Kernel)
	if err != nil {
		t.Fatalf("assemble: %v", err)
	}
	return insns
}

// verdicts holds programs with the kernel's verdict: "" accepted, otherwise
// the reason the kernel prints.
var verdicts = []struct {
	name   string
	src    string
	opts   verifier.Options
	reason string
}{
	{"return constant", "r0 = 0\nexit", verifier.Options{}, ""},
	{"uninitialised r0", "exit", verifier.Options{}, "R0 !read_ok"},
	{"uninitialised src", "r0 = r3\nexit", verifier.Options{}, "R3 !read_ok"},
	{"scalar deref", "r1 = 5\nr0 = *(u64 *)(r1 +0)\nexit", verifier.Options{}, "R1 invalid mem access 'scalar'"},
	{"stack below limit", "r1 = 0\n*(u64 *)(r10 -520) = r1\nr0 = 0\nexit", verifier.Options{}, "invalid write to stack R10 off=-520 size=8"},
	{"stack above fp", "r0 = *(u64 *)(r10 +0)\nexit", verifier.Options{}, "invalid read from stack R10 off=0 size=8"},
	{"misaligned stack", "r0 = *(u64 *)(r10 -4)\nexit", verifier.Options{}, "misaligned stack access off 0+0+-4 size 8"},
	{"frame pointer write", "r10 = 0\nr0 = 0\nexit", verifier.Options{}, "frame pointer is read only"},
	{"uninit stack read privileged", "r0 = *(u64 *)(r10 -8)\nexit", verifier.Options{}, ""},
	{"uninit stack read unprivileged", "r0 = *(u64 *)(r10 -8)\nexit", verifier.Options{Unprivileged: true}, "invalid read from stack off -8+0 size 8"},
	{"unreachable", "r0 = 0\nexit\nr0 = 1\nexit", verifier.Options{}, "unreachable insn 2"},
	{"jump out of range", "r0 = 0\nif r0 == 0 goto +5\nexit", verifier.Options{}, "jump out of range from insn 1 to 7"},
	{"last insn", "r0 = 0", verifier.Options{}, "last insn is not an exit or jmp"},
	{"into lddw", "r0 = 0\nif r0 == 0 goto +1\nr1 = 0x1122334455667788 ll\nexit", verifier.Options{}, "jump into the middle of ldimm64 insn 2"},
	{"infinite loop", "r0 = 0\nl: if r0 < 100 goto l\nexit", verifier.Options{}, "infinite loop detected at insn 1"},
	{"bounded loop", "r0 = 0\nl: r0 += 1\nif r0 < 100 goto l\nexit", verifier.Options{}, ""},
	{"back-edge unprivileged", "r0 = 0\nl: r0 += 1\nif r0 < 100 goto l\nexit", verifier.Options{Unprivileged: true}, "back-edge from insn 2 to 1"},
	{"too complex", "r0 = 0\nl: r0 += 1\nif r0 != 0 goto l\nexit", verifier.Options{}, "BPF program is too large. Processed 1000001 insn"},
	{"mem in bounds", "r0 = *(u64 *)(r1 +56)\nexit", verifier.Options{MemSize: 64}, ""},
	{"mem out of bounds", "r0 = *(u64 *)(r1 +57)\nexit", verifier.Options{MemSize: 64}, "invalid access to memory, mem_size=64 off=57 size=8"},
	{"bounded index", "r3 = *(u8 *)(r1 +0)\nif r3 > 56 goto +2\nr1 += r3\nr0 = *(u64 *)(r1 +0)\nr0 = 0\nexit", verifier.Options{MemSize: 64}, ""},
	{"index one too far", "r3 = *(u8 *)(r1 +0)\nif r3 > 57 goto +2\nr1 += r3\nr0 = *(u64 *)(r1 +0)\nr0 = 0\nexit", verifier.Options{MemSize: 64}, "invalid access to memory, mem_size=64 off=57 size=8"},
	{"unbounded index", "r3 = *(u64 *)(r1 +0)\nr1 += r3\nr0 = 0\nexit", verifier.Options{MemSize: 64}, "math between mem pointer and register with unbounded min value is not allowed"},
	{"negative index", "r3 = *(u64 *)(r1 +0)\nif r3 s> 8 goto +3\nif r3 s< -8 goto +2\nr1 += r3\nr0 = *(u8 *)(r1 +0)\nr0 = 0\nexit", verifier.Options{MemSize: 64}, "R1 min value is negative, either use unsigned index or do a if (index >=0) check."},
	{"jmp32 bound", "w3 = *(u32 *)(r1 +0)\nif w3 > 7 goto +2\nr1 += r3\nr0 = *(u8 *)(r1 +0)\nr0 = 0\nexit", verifier.Options{MemSize: 8}, ""},
	{"pointer times", "r1 *= 2\nr0 = 0\nexit", verifier.Options{MemSize: 8}, "R1 pointer arithmetic with *= operator prohibited"},
	{"pointer and", "r1 &= 2\nr0 = 0\nexit", verifier.Options{MemSize: 8}, "R1 bitwise operator &= on pointer prohibited"},
	{"pointer 32-bit", "w1 += 2\nr0 = 0\nexit", verifier.Options{MemSize: 8}, "R1 32-bit pointer arithmetic prohibited"},
	{"pointer minus pointer", "r1 -= r10\nr0 = r1\nexit", verifier.Options{MemSize: 8}, ""},
	{"pointer plus pointer", "r1 += r10\nr0 = 0\nexit", verifier.Options{MemSize: 8}, "R1 pointer += pointer prohibited"},
	{"scalar minus pointer", "r0 = 1\nr0 -= r1\nexit", verifier.Options{MemSize: 8}, "R0 tried to subtract pointer from scalar"},
	{"div by zero imm", "r0 = 1\nr0 /= 0\nexit", verifier.Options{}, "div by zero"},
	{"div by zero reg", "r0 = 1\nr1 = 0\nr0 /= r1\nexit", verifier.Options{}, ""},
	{"invalid shift", "r0 = 1\nr0 <<= 64\nexit", verifier.Options{}, "invalid shift 64"},
	{"spill and fill pointer", "*(u64 *)(r10 -8) = r1\nr2 = *(u64 *)(r10 -8)\nr0 = *(u64 *)(r2 +0)\nexit", verifier.Options{MemSize: 8}, ""},
	{"partial fill of pointer", "*(u64 *)(r10 -8) = r1\nr2 = *(u32 *)(r10 -8)\nr0 = 0\nexit", verifier.Options{MemSize: 8}, "invalid size of register fill"},
	{"overwritten spill", "*(u64 *)(r10 -8) = r1\nr3 = 0\n*(u32 *)(r10 -4) = r3\nr2 = *(u64 *)(r10 -8)\nr0 = *(u64 *)(r2 +0)\nexit", verifier.Options{MemSize: 8}, "R2 invalid mem access 'scalar'"},
	{"corrupt spilled pointer unprivileged", "*(u64 *)(r10 -8) = r10\nr0 = 0\n*(u32 *)(r10 -8) = r0\nexit", verifier.Options{Unprivileged: true}, "attempt to corrupt spilled pointer on stack"},
	{"stack pointer out of frame unprivileged", "r1 = r10\nr1 += 8\nr0 = 0\nexit", verifier.Options{Unprivileged: true}, "R1 stack pointer arithmetic goes out of range, prohibited for !root; off=8"},
	{"local call", "r1 = 5\ncall f\nexit\nf:\nr0 = r1\nexit", verifier.Options{}, ""},
	{"callee r6 uninit", "r6 = 5\ncall f\nexit\nf:\nr0 = r6\nexit", verifier.Options{}, "R6 !read_ok"},
	{"r1 clobbered by call", "r1 = 5\ncall f\nr0 = r1\nexit\nf:\nr0 = 0\nexit", verifier.Options{}, "R1 !read_ok"},
	{"caller stack via pointer", "r1 = r10\nr1 += -8\ncall f\nr0 = *(u64 *)(r10 -8)\nexit\nf:\nr2 = 7\n*(u64 *)(r1 +0) = r2\nr0 = 0\nexit", verifier.Options{}, ""},
	{"recursion too deep", "call f\nexit\nf:\ncall f\nr0 = 0\nexit", verifier.Options{}, "the call stack of 9 frames is too deep !"},
	{"combined stack", "r1 = 0\n*(u64 *)(r10 -512) = r1\ncall f\nexit\nf:\nr1 = 0\n*(u64 *)(r10 -8) = r1\nr0 = 0\nexit", verifier.Options{}, "combined stack size of 2 calls is 544. Too large"},
	{"dead branch", "r0 = 0\nif r0 == 1 goto +1\nexit\nr0 = *(u64 *)(r0 +0)\nexit", verifier.Options{}, ""},
	{"ld_abs raw", "r6 = r1\nr0 = *(u8 *)skb[0]\nexit", verifier.Options{}, "BPF_LD_[ABS|IND] instructions not allowed for this program type"},
	{"ld_abs socket", "r6 = r1\nr0 = *(u8 *)skb[0]\nexit", verifier.Options{ProgType: verifier.SocketFilter}, ""},
	{"skb len", "r0 = *(u32 *)(r1 +0)\nexit", verifier.Options{ProgType: verifier.SocketFilter}, ""},
	{"skb data in socket filter", "r0 = *(u32 *)(r1 +76)\nexit", verifier.Options{ProgType: verifier.SocketFilter}, "invalid bpf_context access off=76 size=4"},
	{"skb write len", "r0 = 0\n*(u32 *)(r1 +0) = r0\nexit", verifier.Options{ProgType: verifier.SocketFilter}, "invalid bpf_context access off=0 size=4"},
	{"skb write cb", "r0 = 0\n*(u32 *)(r1 +48) = r0\nexit", verifier.Options{ProgType: verifier.SocketFilter}, ""},
	{"skb st", "*(u32 *)(r1 +48) = 0\nr0 = 0\nexit", verifier.Options{ProgType: verifier.SocketFilter}, "BPF_ST stores into R1 ctx is not allowed"},
	{"modified ctx", "r1 += 4\nr0 = *(u32 *)(r1 +0)\nexit", verifier.Options{ProgType: verifier.SocketFilter}, "dereference of modified ctx ptr R1 off=4 disallowed"},
	{"subtract from fp", "r1 = r10\nr1 -= 8\nr0 = 0\nexit", verifier.Options{}, "R1 subtraction from stack pointer prohibited"},
	{"var stack write", "r3 = *(u8 *)(r1 +0)\nr3 &= 8\nr2 = r10\nr2 += -16\nr2 += r3\nr4 = 1\n*(u64 *)(r2 +0) = r4\nr0 = *(u64 *)(r10 -8)\nexit", verifier.Options{MemSize: 8}, ""},
	{"linked scalars", "r3 = *(u8 *)(r1 +0)\nr4 = r3\nif r4 > 7 goto +2\nr1 += r3\nr0 = *(u8 *)(r1 +0)\nr0 = 0\nexit", verifier.Options{MemSize: 8}, ""},
	{"helper map arg not a map", "call 1\nexit", verifier.Options{}, "R1 type=mem expected=map_ptr"},
	{"helper integer", "call 5\nr1 = r0\nexit", verifier.Options{}, ""},
	{"helper clobbers r1", "call 7\nr0 = r1\nexit", verifier.Options{}, "R1 !read_ok"},
	{"helper zero-sized stack arg out of frame", "r0 = 0\n*(u64 *)(r10 -8) = r0\nr1 = r10\nr2 = 0\nr3 = 0\ncall 113\nexit", verifier.Options{}, "invalid indirect access to stack R1 off=0 size=0"},
	{"helper stack arg", "r1 = r10\nr1 += -8\nr2 = 8\nr3 = 0\ncall 113\nr0 = *(u64 *)(r10 -8)\nexit", verifier.Options{}, ""},
	{"subprog r0 uninit", "call f\nr0 = 0\nexit\nf:\nexit", verifier.Options{}, ""},
	{"subprog r0 uninit read", "call f\nexit\nf:\nexit", verifier.Options{}, "R0 !read_ok"},
	{"xdp packet checked", "r2 = *(u32 *)(r1 +0)\nr3 = *(u32 *)(r1 +4)\nr4 = r2\nr4 += 14\nif r4 > r3 goto +2\nr0 = *(u8 *)(r2 +13)\n*(u8 *)(r2 +0) = r0\nr0 = 2\nexit", verifier.Options{ProgType: verifier.XDP}, ""},
	{"xdp packet one too far", "r2 = *(u32 *)(r1 +0)\nr3 = *(u32 *)(r1 +4)\nr4 = r2\nr4 += 14\nif r4 > r3 goto +1\nr0 = *(u8 *)(r2 +14)\nr0 = 2\nexit", verifier.Options{ProgType: verifier.XDP}, "R2 offset is outside of the packet"},
	{"xdp packet unchecked", "r2 = *(u32 *)(r1 +0)\nr0 = *(u8 *)(r2 +0)\nexit", verifier.Options{ProgType: verifier.XDP}, "R2 offset is outside of the packet"},
	{"xdp signed data load", "r2 = *(s32 *)(r1 +0)\nr0 = 2\nexit", verifier.Options{ProgType: verifier.XDP}, "invalid bpf_context access off=0 size=4"},
	{"xdp end arithmetic", "r3 = *(u32 *)(r1 +4)\nr3 += 1\nr0 = 2\nexit", verifier.Options{ProgType: verifier.XDP}, "R3 pointer arithmetic on pkt_end prohibited"},
	{"xdp end before pointer", "r2 = *(u32 *)(r1 +0)\nr3 = *(u32 *)(r1 +4)\nr4 = r2\nr4 += 8\nif r3 >= r4 goto +2\nr0 = 2\nexit\nr0 = *(u64 *)(r2 +0)\nexit", verifier.Options{ProgType: verifier.XDP}, ""},
	{"helper unknown", "call 100000\nexit", verifier.Options{}, "invalid func unknown#100000"},

	{"tracepoint record read", "r0 = *(u64 *)(r1 +8)\nr0 = *(u32 *)(r1 +8188)\nexit", verifier.Options{ProgType: verifier.Tracepoint}, ""},
	{"tracepoint common header", "r0 = *(u64 *)(r1 +0)\nexit", verifier.Options{ProgType: verifier.Tracepoint}, "invalid bpf_context access off=0 size=8"},
	{"tracepoint write", "r0 = 0\n*(u64 *)(r1 +8) = r0\nexit", verifier.Options{ProgType: verifier.Tracepoint}, "invalid bpf_context access off=8 size=8"},
	{"kprobe past pt_regs", "r0 = *(u64 *)(r1 +168)\nexit", verifier.Options{ProgType: verifier.Kprobe}, "invalid bpf_context access off=168 size=8"},
	{"raw tracepoint args", "r0 = *(u64 *)(r1 +88)\nexit", verifier.Options{ProgType: verifier.RawTracepoint}, ""},
	{"raw tracepoint past the args", "r0 = *(u64 *)(r1 +96)\nexit", verifier.Options{ProgType: verifier.RawTracepoint}, "invalid bpf_context access off=96 size=8"},
	{"tracepoint coarse time", "call 160\nexit", verifier.Options{ProgType: verifier.Tracepoint}, "program of this type cannot use helper bpf_ktime_get_coarse_ns#160"},
	{"bounded recursion", "r1 = 0\ncall f\nexit\nf:\nr1 += 1\nr0 = r1\nif r1 < 4 goto +1\nexit\ncall f\nexit", verifier.Options{}, "the call stack of 8 frames is too deep !"},
	{"helper size may be zero", "r1 = r10\nr1 += -8\nr2 = *(u8 *)(r10 -1)\nr2 &= 4\ncall 6\nexit", verifier.Options{}, "R2 invalid zero-sized read: u64=[0,4]"},

	// Maps. lookup is a hash lookup with a zeroed 8-byte key at fp-8.
	{"map lookup null-checked", lookup + "if r0 == 0 goto +1\nr0 = *(u64 *)(r0 +40)\nr0 = 0\nexit", mapOpts, ""},
	{"map lookup not null-checked", lookup + "r0 = *(u64 *)(r0 +0)\nexit", mapOpts, "R0 invalid mem access 'map_value_or_null'"},
	{"map value past the end", lookup + "if r0 == 0 goto +1\nr0 = *(u64 *)(r0 +41)\nr0 = 0\nexit", mapOpts, "R0 min value is outside of the allowed memory range"},
	{"map value negative offset", lookup + "if r0 == 0 goto +1\nr0 = *(u8 *)(r0 -1)\nr0 = 0\nexit", mapOpts, "R0 min value is outside of the allowed memory range"},
	{"map null branch is zero", lookup + "if r0 != 0 goto +1\nexit\nr0 = 0\nexit", mapOpts, ""},
	{"map null check via copy", lookup + "r6 = r0\nif r0 == 0 goto +1\nr0 = *(u64 *)(r6 +0)\nr0 = 0\nexit", mapOpts, ""},
	{"map null check via spill", lookup + "*(u64 *)(r10 -16) = r0\nif r0 == 0 goto +2\nr1 = *(u64 *)(r10 -16)\nr0 = *(u64 *)(r1 +0)\nr0 = 0\nexit", mapOpts, ""},
	{"map null check of another lookup", lookup + "r6 = r0\n" + lookup + "if r0 == 0 goto +1\nr0 = *(u64 *)(r6 +0)\nr0 = 0\nexit", mapOpts, "R6 invalid mem access 'map_value_or_null'"},
	{"map 32-bit null check", lookup + "if w0 == 0 goto +1\nr0 = *(u64 *)(r0 +0)\nr0 = 0\nexit", mapOpts, "R0 invalid mem access 'map_value_or_null'"},
	{"map arithmetic before null check", lookup + "r0 += 8\nexit", mapOpts, "R0 pointer arithmetic on map_value_or_null prohibited, null-check it first"},
	{"map bounded variable offset", lookup + "if r0 == 0 goto +4\nr1 = *(u64 *)(r0 +0)\nr1 &= 31\nr0 += r1\nr0 = *(u64 *)(r0 +8)\nr0 = 0\nexit", mapOpts, ""},
	{"map variable offset too far", lookup + "if r0 == 0 goto +4\nr1 = *(u64 *)(r0 +0)\nr1 &= 63\nr0 += r1\nr0 = *(u64 *)(r0 +0)\nr0 = 0\nexit", mapOpts, "R0 max value is outside of the allowed memory range"},
	{"map unbounded variable offset", lookup + "if r0 == 0 goto +5\nr1 = *(u64 *)(r0 +0)\nif r1 s< 0 goto +3\nr0 += r1\nr0 = *(u64 *)(r0 +0)\nr0 = 0\nexit", mapOpts, "R0 unbounded memory access, make sure to bounds check any such access"},
	{"map pointer deref", "r1 = map_fd(0)\nr0 = *(u64 *)(r1 +0)\nexit", mapOpts, "not supported yet"},
	{"map pointer arithmetic", "r1 = map_fd(0)\nr1 += 8\nr0 = 0\nexit", mapOpts, "R1 pointer arithmetic on map_ptr prohibited"},
	{"map without Options.Maps", "r1 = map_fd(0)\nr0 = 0\nexit", verifier.Options{}, "Options.Maps describes no maps"},
	{"map index out of range", "r1 = map_fd(7)\nr0 = 0\nexit", mapOpts, "fd 7 is not pointing to valid bpf_map"},
	{"map unprivileged", "r2 = r10\nr2 += -8\nr1 = map_fd(0)\ncall 1\nr0 = 0\nexit", verifier.Options{Maps: mapOpts.Maps, Unprivileged: true}, "maps in unprivileged programs are not supported yet"},
	{"map key outside the frame", "r2 = r10\nr2 += -4\nr1 = map_fd(0)\ncall 1\nr0 = 0\nexit", mapOpts, "invalid indirect access to stack R2 off=-4 size=8"},
	{"map key is a scalar", "r2 = 0\nr1 = map_fd(0)\ncall 1\nr0 = 0\nexit", mapOpts, "R2 type=scalar expected=fp"},
	{"map update from a value", lookup + "if r0 == 0 goto +7\nr3 = r0\nr2 = r10\nr2 += -8\nr1 = map_fd(0)\nr4 = 0\ncall 2\nr0 = 0\nexit", mapOpts, ""},
	{"map update value too short", "r1 = 0\n*(u64 *)(r10 -8) = r1\nr2 = r10\nr2 += -8\nr3 = r10\nr3 += -16\nr1 = map_fd(0)\nr4 = 0\ncall 2\nr0 = 0\nexit", mapOpts, "invalid indirect access to stack R3 off=-16 size=48"},
	{"map read-only write", "r1 = map_value(1, 0)\nr2 = 1\n*(u32 *)(r1 +4) = r2\nr0 = 0\nexit", mapOpts, "write into map forbidden, value_size=16 off=4 size=4"},
	{"map read-only read", "r1 = map_value(1, 8)\nr0 = *(u64 *)(r1 +0)\nexit", mapOpts, ""},
	{"map read-only past the end", "r1 = map_value(1, 8)\nr0 = *(u64 *)(r1 +4)\nexit", mapOpts, "R1 min value is outside of the allowed memory range"},
	{"map read-only update", "r1 = 0\n*(u64 *)(r10 -8) = r1\nr2 = r10\nr2 += -8\nr3 = r10\nr3 += -16\nr1 = map_fd(1)\nr4 = 0\ncall 2\nr0 = 0\nexit", mapOpts, "write into map forbidden"},
	{"map direct value of a hash", "r1 = map_value(0, 0)\nr0 = 0\nexit", mapOpts, "no direct value access support for this map type"},
	{"map direct value offset too far", "r1 = map_value(1, 16)\nr0 = 0\nexit", mapOpts, "invalid access to map value pointer, value_size=16 off=16"},
	{"map lookup in a queue", lookupQueue, mapOpts, "cannot pass map_type 22 into func bpf_map_lookup_elem#1"},
	{"map pop from a queue", "r2 = r10\nr2 += -8\nr1 = map_fd(2)\ncall 88\nr0 = *(u64 *)(r10 -8)\nexit", mapOpts, ""},
	{"map pop from a hash", "r2 = r10\nr2 += -48\nr1 = map_fd(0)\ncall 88\nr0 = 0\nexit", mapOpts, "cannot pass map_type 1 into func bpf_map_pop_elem#88"},
	{"map of maps inner lookup", outerLookup + "if r0 == 0 goto +8\nr1 = r0\nr2 = 0\n*(u64 *)(r10 -16) = r2\nr2 = r10\nr2 += -16\ncall 1\nif r0 == 0 goto +1\nr0 = *(u64 *)(r0 +40)\nr0 = 0\nexit", mapOpts, ""},
	{"map of maps inner value past the end", outerLookup + "if r0 == 0 goto +8\nr1 = r0\nr2 = 0\n*(u64 *)(r10 -16) = r2\nr2 = r10\nr2 += -16\ncall 1\nif r0 == 0 goto +1\nr0 = *(u64 *)(r0 +48)\nr0 = 0\nexit", mapOpts, "R0 min value is outside of the allowed memory range"},
	{"map of maps value not checked", outerLookup + "r1 = r0\nr2 = r10\nr2 += -8\ncall 1\nr0 = 0\nexit", mapOpts, "R1 type=map_value_or_null expected=map_ptr"},
	{"map of maps update", "r1 = 0\n*(u64 *)(r10 -8) = r1\nr2 = r10\nr2 += -8\nr3 = r10\nr3 += -8\nr1 = map_fd(3)\nr4 = 0\ncall 2\nr0 = 0\nexit", mapOpts, "cannot pass map_type 12 into func bpf_map_update_elem#2"},
	{"ringbuf reserve and submit", reserve + "if r0 == 0 goto +5\nr1 = 7\n*(u64 *)(r0 +8) = r1\nr1 = r0\nr2 = 0\ncall 132\nr0 = 0\nexit", mapOpts, ""},
	{"ringbuf reserve and discard", reserve + "if r0 == 0 goto +3\nr1 = r0\nr2 = 0\ncall 133\nr0 = 0\nexit", mapOpts, ""},
	{"ringbuf record leaked", reserve + "if r0 == 0 goto +0\nr0 = 0\nexit", mapOpts, "Unreleased reference id=1 alloc_insn=4"},
	{"ringbuf record not checked", reserve + "r1 = 0\n*(u64 *)(r0 +0) = r1\nexit", mapOpts, "R0 invalid mem access 'ringbuf_mem_or_null'"},
	{"ringbuf record past the end", reserve + "if r0 == 0 goto +5\nr1 = 0\n*(u64 *)(r0 +9) = r1\nr1 = r0\nr2 = 0\ncall 132\nr0 = 0\nexit", mapOpts, "R0 min value is outside of the allowed memory range"},
	{"ringbuf record used after submit", reserve + "if r0 == 0 goto +5\nr6 = r0\nr1 = r0\nr2 = 0\ncall 132\nr0 = *(u64 *)(r6 +0)\nr0 = 0\nexit", mapOpts, "R6 invalid mem access 'scalar'"},
	{"ringbuf submit of an offset record", reserve + "if r0 == 0 goto +4\nr1 = r0\nr1 += 8\nr2 = 0\ncall 132\nr0 = 0\nexit", mapOpts, "R1 must have zero offset when passed to release func or trusted arg to kfunc"},
	{"ringbuf submit of the stack", "r1 = r10\nr1 += -8\nr2 = 0\ncall 132\nr0 = 0\nexit", mapOpts, "R1 type=fp expected=ringbuf_mem"},
	{"ringbuf variable size", "r2 = *(u8 *)(r10 -1)\nr1 = map_fd(4)\nr3 = 0\ncall 131\nr0 = 0\nexit", mapOpts, "R2 is not a known constant'"},
	{"ringbuf output", "r2 = r10\nr2 += -8\nr3 = 8\nr4 = 0\nr1 = map_fd(4)\ncall 130\nr0 = 0\nexit", mapOpts, ""},
	{"ringbuf lookup", "r2 = r10\nr2 += -8\nr1 = map_fd(4)\ncall 1\nr0 = 0\nexit", mapOpts, "cannot pass map_type 27 into func bpf_map_lookup_elem#1"},
	{"map frozen constant", "r1 = map_value(5, 0)\nr0 = *(u32 *)(r1 +4)\nif r0 == 7 goto +1\nr10 = 0\nr0 = *(s8 *)(r1 +8)\nif r0 == -2 goto +1\nr10 = 0\nr0 = 0\nexit", mapOpts, ""},
	{"map frozen constant is known", "r1 = map_value(5, 0)\nr0 = *(u32 *)(r1 +4)\nif r0 == 6 goto +1\nexit\nr10 = 0\nexit", mapOpts, ""},
	{"map frozen variable offset", "r1 = map_value(5, 0)\nr2 = *(u8 *)(r10 -1)\nr2 &= 4\nr1 += r2\nr0 = *(u32 *)(r1 +4)\nif r0 == 7 goto +1\nr10 = 0\nr0 = 0\nexit", mapOpts, "frame pointer is read only"},
	{"redirect to a device map", "r1 = map_fd(6)\nr2 = 1\nr3 = 0\ncall 51\nexit", xdpMapOpts, ""},
	{"redirect to a hash", "r1 = map_fd(0)\nr2 = 1\nr3 = 0\ncall 51\nexit", xdpMapOpts, "cannot pass map_type 1 into func bpf_redirect_map#51"},
	{"device map value read", "r1 = 0\n*(u32 *)(r10 -4) = r1\nr2 = r10\nr2 += -4\nr1 = map_fd(6)\ncall 1\nif r0 == 0 goto +1\nr0 = *(u32 *)(r0 +0)\nr0 = 2\nexit", xdpMapOpts, ""},
	{"device map value write", "r1 = 0\n*(u32 *)(r10 -4) = r1\nr2 = r10\nr2 += -4\nr1 = map_fd(6)\ncall 1\nif r0 == 0 goto +2\nr1 = 0\n*(u32 *)(r0 +0) = r1\nr0 = 2\nexit", xdpMapOpts, "write into map forbidden, value_size=8 off=0 size=4"},
	{"device map update", "r1 = 0\n*(u64 *)(r10 -8) = r1\nr2 = r10\nr2 += -8\nr3 = r10\nr3 += -8\nr1 = map_fd(6)\nr4 = 0\ncall 2\nr0 = 0\nexit", xdpMapOpts, "write into map forbidden"},
	{"spin lock field load", lockedLookup + "if r0 == 0 goto +1\nr0 = *(u32 *)(r0 +2)\nr0 = 0\nexit", lockOpts, "bpf_spin_lock cannot be accessed directly by load/store"},
	{"spin lock neighbour load", lockedLookup + "if r0 == 0 goto +1\nr0 = *(u32 *)(r0 +0)\nr0 = 0\nexit", lockOpts, ""},
	{"spin lock field in a variable range", lockedLookup + "if r0 == 0 goto +4\nr1 = *(u8 *)(r0 +0)\nr1 &= 4\nr0 += r1\nr0 = *(u32 *)(r0 +0)\nr0 = 0\nexit", lockOpts, "bpf_spin_lock cannot be accessed directly by load/store"},
	{"spin lock and unlock", lockedLookup + "if r0 == 0 goto +8\nr6 = r0\nr1 = r0\nr1 += 4\ncall 93\n*(u32 *)(r6 +0) = r6\nr1 = r6\nr1 += 4\ncall 94\nr0 = 0\nexit", lockOpts, ""},
	{"spin unlock missing", lockedLookup + "if r0 == 0 goto +3\nr1 = r0\nr1 += 4\ncall 93\nr0 = 0\nexit", lockOpts, "bpf_spin_unlock is missing"},
	{"spin lock then a helper", lockedLookup + "if r0 == 0 goto +5\nr6 = r0\nr1 = r0\nr1 += 4\ncall 93\ncall 5\nr0 = 0\nexit", lockOpts, "function calls are not allowed while holding a lock"},
	{"spin lock at the wrong offset", lockedLookup + "if r0 == 0 goto +2\nr1 = r0\ncall 93\nr0 = 0\nexit", lockOpts, "off 0 doesn't point to 'struct bpf_spin_lock' that is at 4"},
	{"spin unlock without lock", lockedLookup + "if r0 == 0 goto +3\nr1 = r0\nr1 += 4\ncall 94\nr0 = 0\nexit", lockOpts, "bpf_spin_unlock without taking a lock"},
	{"spin unlock of another value", lockedLookup + "if r0 == 0 goto +16\nr6 = r0\n" + lockedLookup + "if r0 == 0 goto +7\nr7 = r0\nr1 = r6\nr1 += 4\ncall 93\nr1 = r7\nr1 += 4\ncall 94\nr0 = 0\nexit", lockOpts, "bpf_spin_unlock of different lock"},
	{"spin lock twice", lockedLookup + "if r0 == 0 goto +6\nr6 = r0\nr1 = r0\nr1 += 4\ncall 93\nr1 = r6\nr1 += 4\ncall 93\nr0 = 0\nexit", lockOpts, "function calls are not allowed while holding a lock"},
	{"spin lock in a socket filter", lockedLookup + "r0 = 0\nexit", verifier.Options{ProgType: verifier.SocketFilter, Maps: lockOpts.Maps}, "socket filter progs cannot use bpf_spin_lock yet"},
	{"spin lock in a tracepoint", lockedLookup + "r0 = 0\nexit", verifier.Options{ProgType: verifier.Tracepoint, Maps: lockOpts.Maps}, "tracing progs cannot use bpf_spin_lock yet"},
	{"map misaligned atomic", lookup + "if r0 == 0 goto +2\nr1 = 1\nlock *(u32 *)(r0 +2) += r1\nr0 = 0\nexit", mapOpts, "misaligned value access off 0+0+2 size 4"},
	{"map aligned atomic", lookup + "if r0 == 0 goto +2\nr1 = 1\nlock *(u64 *)(r0 +8) += r1\nr0 = 0\nexit", mapOpts, ""},
}

// mapOpts describes seven maps: 0 a hash of 8-byte keys and 48-byte
// values, 1 a read-only one-element array of 16 bytes (global data), 2 a
// queue of 8-byte values, 3 an array of hash maps like 0, 4 a ring buffer,
// 5 frozen read-only global data (12 bytes, 7 at offset 4, -2 at 8), 6 a
// device map.
var mapOpts = verifier.Options{Maps: []verifier.MapInfo{
	{Name: "hash", Type: maps.Hash, KeySize: 8, ValueSize: 48, MaxEntries: 16},
	{Name: ".rodata", Type: maps.Array, KeySize: 4, ValueSize: 16, MaxEntries: 1, Flags: maps.FlagRdOnlyProg},
	{Name: "queue", Type: maps.Queue, ValueSize: 8, MaxEntries: 16},
	{Name: "outer", Type: maps.ArrayOfMaps, KeySize: 4, ValueSize: 4, MaxEntries: 2,
		Inner: &verifier.MapInfo{Type: maps.Hash, KeySize: 8, ValueSize: 48, MaxEntries: 16}},
	{Name: "ringbuf", Type: maps.RingBuf, MaxEntries: 4096},
	{Name: ".rodata", Type: maps.Array, KeySize: 4, ValueSize: 12, MaxEntries: 1, Flags: maps.FlagRdOnlyProg,
		Frozen: []byte{0, 0, 0, 0, 7, 0, 0, 0, 0xfe}},
	{Name: "devmap", Type: maps.DevMap, KeySize: 4, ValueSize: 8, MaxEntries: 4},
}}

// lockOpts describes a tc program's hash map whose 8-byte values hold a
// struct bpf_spin_lock at offset 4.
var lockOpts = verifier.Options{ProgType: verifier.SchedCLS, Maps: []verifier.MapInfo{
	{Name: "locked", Type: maps.Hash, KeySize: 8, ValueSize: 8, MaxEntries: 4,
		Fields: []verifier.Field{{Kind: verifier.SpinLock, Off: 4, Size: 4}}},
}}

// lockedLookup looks up the zero key in lockOpts' map.
const lockedLookup = lookup

// xdpMapOpts is mapOpts for an XDP program.
var xdpMapOpts = verifier.Options{ProgType: verifier.XDP, Maps: mapOpts.Maps}

// reserve reserves 16 bytes of ring buffer map 4, leaving the record in r0.
const reserve = "r1 = map_fd(4)\nr2 = 16\nr3 = 0\ncall 131\n"

// outerLookup looks up the zero key in map 3, an array of hash maps.
const outerLookup = "r1 = 0\n*(u64 *)(r10 -8) = r1\nr2 = r10\nr2 += -8\nr1 = map_fd(3)\ncall 1\n"

// lookup looks up the zero key in map 0, leaving the result in r0.
const lookup = "r1 = 0\n*(u64 *)(r10 -8) = r1\nr2 = r10\nr2 += -8\nr1 = map_fd(0)\ncall 1\n"

const lookupQueue = "r1 = 0\n*(u64 *)(r10 -8) = r1\nr2 = r10\nr2 += -8\nr1 = map_fd(2)\ncall 1\nr0 = 0\nexit"

func TestVerdicts(t *testing.T) {
	for _, tc := range verdicts {
		t.Run(tc.name, func(t *testing.T) {
			checkVerdict(t, assemble(t, tc.src), tc.opts, tc.reason)
		})
	}
}

func TestLogLevels(t *testing.T) {
	insns := assemble(t, "r0 = *(u64 *)(r1 +8)\nexit")
	_, err := verifier.Verify(insns, verifier.Options{ProgType: verifier.SocketFilter, LogLevel: 1})
	if err == nil {
		t.Fatal("8-byte read of __sk_buff.pkt_type accepted")
	}
	full := fmt.Sprintf("%+v", err)
	short := fmt.Sprintf("%v", err)
	for _, want := range []string{"0: (79) r0 = *(u64 *)(r1 +8)\n", "invalid bpf_context access off=8 size=8\n", "processed 1 insns"} {
		if !strings.Contains(full, want) {
			t.Errorf("log lacks %q:\n%s", want, full)
		}
	}
	if short != "verifier: insn 0 (r0 = *(u64 *)(r1 +8)): invalid bpf_context access off=8 size=8" {
		t.Errorf("short form %q", short)
	}
	res, err := verifier.Verify(assemble(t, "r0 = 0\nexit"), verifier.Options{ProgType: verifier.SocketFilter, LogLevel: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Log, "0: R1=ctx() R10=fp0\n0: (b7) r0 = 0\n") {
		t.Errorf("level 2 log:\n%s", res.Log)
	}
}

func TestResultFacts(t *testing.T) {
	insns := assemble(t, "r2 = 1\n*(u64 *)(r10 -16) = r2\nr0 = *(u8 *)(r1 +0)\ncall f\nexit\nf:\nr2 = 3\n*(u32 *)(r10 -4) = r2\nr0 = 0\nexit")
	res, err := verifier.Verify(insns, verifier.Options{MemSize: 4})
	if err != nil {
		t.Fatalf("%+v", err)
	}
	if res.StackDepth != 16 || len(res.SubprogStackDepth) != 2 || res.SubprogStackDepth[1] != 4 {
		t.Errorf("stack depths %d %v", res.StackDepth, res.SubprogStackDepth)
	}
	if res.Insns[1].Base != verifier.PtrToStack || res.Insns[2].Base != verifier.PtrToMem || !res.Insns[8].Reached {
		t.Errorf("facts %+v", res.Insns)
	}
}

func ExampleVerify() {
	insns, _ := asm.Assemble("r0 = *(u64 *)(r1 +60)\nexit", asm.Kernel)
	_, err := verifier.Verify(insns, verifier.Options{ProgType: verifier.Raw, MemSize: 64})
	fmt.Println(err)
	// Output: verifier: insn 0 (r0 = *(u64 *)(r1 +60)): invalid access to memory, mem_size=64 off=60 size=8
}
