package vm_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/vm"
)

// needJIT skips where this build has no JIT.
func needJIT(t testing.TB) {
	t.Helper()
	if !slices.Contains(vm.Engines(), vm.JIT) {
		t.Skipf("no JIT in this build (engines %v)", vm.Engines())
	}
}

// sameOnBoth loads insns on the interpreter (unfused, so that both engines
// run the same instructions, and fused) and on the JIT, runs them over mem
// with one run state, and fails on any difference in r0, the instruction
// count, the error or the memory after the run.
func sameOnBoth(t *testing.T, what string, insns []isa.Instruction, mem []byte, opts vm.Options) {
	t.Helper()
	ip, ierr := vm.Load(insns, opts)
	jo := opts
	jo.Engine = vm.JIT
	jp, jerr := vm.Load(insns, jo)
	if (ierr == nil) != (jerr == nil) {
		t.Fatalf("%s: interpreter load error %v, JIT load error %v", what, ierr, jerr)
	}
	if ierr != nil {
		return
	}
	oi, oj := vm.RunBoth(ip, jp, mem)
	if oi.Stats != oj.Stats || oi.Err != oj.Err || string(oi.Mem) != string(oj.Mem) {
		t.Fatalf("%s:\ninterpreter %+v\nJIT         %+v\n%s", what, oi, oj, asm.Disassemble(insns, asm.Kernel))
	}
}

func mustAssemble(t *testing.T, src string) []isa.Instruction {
	t.Helper()
	insns, err := asm.Assemble(src, asm.Kernel)
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	return insns
}

// dumpProgram sets r0-r9 to vals, runs body, and copies r0-r9 into the
// 80-byte memory; r10 is left alone, and the memory pointer is kept on
// the stack.
func dumpProgram(vals [10]uint64, body string) string {
	var b strings.Builder
	b.WriteString("*(u64 *)(r10 -96) = r1\n")
	for r, v := range vals {
		fmt.Fprintf(&b, "r%d = %#x ll\n", r, v)
	}
	b.WriteString(body + "\n")
	for r := range 10 {
		fmt.Fprintf(&b, "*(u64 *)(r10 -%d) = r%d\n", 8*(r+1), r)
	}
	b.WriteString("r1 = *(u64 *)(r10 -96)\n")
	for r := range 10 {
		fmt.Fprintf(&b, "r2 = *(u64 *)(r10 -%d)\n*(u64 *)(r1 +%d) = r2\n", 8*(r+1), 8*r)
	}
	b.WriteString("r0 = 0\nexit\n")
	return b.String()
}

// valueSets are register contents that reach the edge cases of division,
// shifts and sign extension.
var valueSets = [][10]uint64{
	{0x8000000000000000, 0xffffffffffffffff, 0x80000000, 0xffffffff, 0, 7, 0x1234567890abcdef, 63, 0xfedcba9876543210, 33},
	{0xffffffffffffffff, 0x8000000000000000, 0xffffffff, 0x80000000, 3, 0, 65, 0x7fffffffffffffff, 1, 0xffffffff00000001},
	{5, 0xffffffff80000000, 0x100000000, 31, 0x8000, 0x80, 0xff, 0xffff, 0x7f, 64},
}

// TestJITRegisterPairs runs every register-operand ALU operation and
// conditional jump with every destination and source register (r10
// included as a source) on both engines: it finds mistakes in the JIT's
// use of rax, rcx and rdx, which division and shifts need on x86.
func TestJITRegisterPairs(t *testing.T) {
	needJIT(t)
	ops := []string{"+=", "-=", "*=", "/=", "s/=", "%=", "s%=", "|=", "&=", "^=", "<<=", ">>=", "s>>=", "="}
	for _, vals := range valueSets {
		for d := range 10 {
			for s := range 11 {
				var bodies []string
				for _, op := range ops {
					bodies = append(bodies, fmt.Sprintf("r%d %s r%d", d, op, s), fmt.Sprintf("w%d %s w%d", d, op, s))
				}
				for _, n := range []int{8, 16, 32} {
					bodies = append(bodies, fmt.Sprintf("r%d = (s%d)r%d", d, n, s))
					if n < 32 {
						bodies = append(bodies, fmt.Sprintf("w%d = (s%d)w%d", d, n, s))
					}
				}
				for _, c := range []string{"==", "!=", ">", ">=", "<", "<=", "s>", "s>=", "s<", "s<=", "&"} {
					bodies = append(bodies, fmt.Sprintf("if r%d %s r%d goto +1\nr%d = 0x77", d, c, s, (d+1)%10),
						fmt.Sprintf("if w%d %s w%d goto +1\nr%d = 0x77", d, c, s, (d+1)%10))
				}
				for _, body := range bodies {
					mem := make([]byte, 80)
					sameOnBoth(t, body, mustAssemble(t, dumpProgram(vals, body)), mem, vm.Options{Unverified: true})
				}
			}
		}
	}
}

// TestJITImmediates runs the immediate forms with immediates at the edges
// of their encodings.
func TestJITImmediates(t *testing.T) {
	needJIT(t)
	imms := []int64{0, 1, -1, 2, 3, 7, 31, 32, 63, 127, 128, -128, -129, 0x7fffffff, -0x80000000, 0x12345}
	ops := []string{"+=", "-=", "*=", "/=", "s/=", "%=", "s%=", "|=", "&=", "^=", "<<=", ">>=", "s>>=", "="}
	for _, vals := range valueSets {
		for d := range 10 {
			var bodies []string
			for _, k := range imms {
				for _, op := range ops {
					if strings.Contains(op, "<<") || strings.Contains(op, ">>") {
						if k < 0 || k > 63 {
							continue
						}
						bodies = append(bodies, fmt.Sprintf("r%d %s %d", d, op, k))
						if k < 32 {
							bodies = append(bodies, fmt.Sprintf("w%d %s %d", d, op, k))
						}
						continue
					}
					bodies = append(bodies, fmt.Sprintf("r%d %s %d", d, op, k), fmt.Sprintf("w%d %s %d", d, op, k))
				}
				for _, c := range []string{"==", "!=", ">", ">=", "<", "<=", "s>", "s>=", "s<", "s<=", "&"} {
					bodies = append(bodies, fmt.Sprintf("if r%d %s %d goto +1\nr%d = 0x77", d, c, k, (d+1)%10),
						fmt.Sprintf("if w%d %s %d goto +1\nr%d = 0x77", d, c, k, (d+1)%10))
				}
			}
			for _, e := range []string{"be16", "be32", "be64", "le16", "le32", "le64"} {
				bodies = append(bodies, fmt.Sprintf("r%d = %s r%d", d, e, d))
			}
			for _, n := range []int{16, 32, 64} {
				bodies = append(bodies, fmt.Sprintf("r%d = bswap%d r%d", d, n, d))
			}
			bodies = append(bodies, fmt.Sprintf("r%d = -r%d", d, d), fmt.Sprintf("w%d = -w%d", d, d),
				fmt.Sprintf("r%d = 0x1122334455667788 ll", d))
			for _, body := range bodies {
				mem := make([]byte, 80)
				sameOnBoth(t, body, mustAssemble(t, dumpProgram(vals, body)), mem, vm.Options{Unverified: true})
			}
		}
	}
}

// TestJITMemory loads and stores every size with every base and value
// register, inside and outside the memory and the stack.
func TestJITMemory(t *testing.T) {
	needJIT(t)
	sizes := []string{"u8", "u16", "u32", "u64"}
	for b := 1; b < 10; b++ {
		for v := range 10 {
			if v == b {
				continue
			}
			for _, sz := range sizes {
				for _, off := range []int{0, 3, 8, 60, 63, 64, -1} {
					// Point base at the memory, whose address is in r1.
					pro := fmt.Sprintf("r%d = r1\nr%d = 0x8899aabbccddeeff ll\n", b, v)
					bodies := []string{
						fmt.Sprintf("*(%s *)(r%d %+d) = r%d\nr0 = *(%s *)(r%d %+d)", sz, b, off, v, sz, b, off),
						fmt.Sprintf("*(%s *)(r%d %+d) = -3\nr0 = *(%s *)(r%d %+d)", sz, b, off, sz, b, off),
					}
					if sz != "u64" {
						bodies = append(bodies, fmt.Sprintf("*(%s *)(r%d %+d) = r%d\nr%d = *(s%s *)(r%d %+d)", sz, b, off, v, v, sz[1:], b, off))
					}
					for _, body := range bodies {
						mem := make([]byte, 64)
						for i := range mem {
							mem[i] = byte(i * 7)
						}
						src := pro + body + "\nexit\n"
						sameOnBoth(t, src, mustAssemble(t, src), mem, vm.Options{Unverified: true})
					}
				}
			}
		}
	}
	// The stack, through r10 and through a copy of it, in and out of the frame.
	for _, off := range []int{-512, -8, -1, -513, 0, 8} {
		for _, sz := range sizes {
			for _, src := range []string{
				fmt.Sprintf("*(%s *)(r10 %+d) = 5\nr0 = *(%s *)(r10 %+d)\nexit\n", sz, off, sz, off),
				fmt.Sprintf("r3 = r10\n*(%s *)(r3 %+d) = 5\nr0 = *(%s *)(r3 %+d)\nexit\n", sz, off, sz, off),
				fmt.Sprintf("r0 = *(%s *)(r10 %+d)\nexit\n", sz, off),
			} {
				sameOnBoth(t, src, mustAssemble(t, src), make([]byte, 8), vm.Options{Unverified: true})
			}
		}
	}
}

// TestJITControl covers what leaves the native code: helper calls,
// local calls (to the frame limit), callbacks, atomics and the budget.
func TestJITControl(t *testing.T) {
	needJIT(t)
	cases := []struct {
		name string
		src  string
		opts vm.Options
	}{
		{"local calls", "r6 = 7\ncall +3\nr0 += r6\nr0 += 1\nexit\nr6 = 100\nr0 = r6\nr0 *= 2\nexit", vm.Options{Unverified: true}},
		{"nested calls", "r0 = 0\ncall +1\nexit\nr0 += 1\ncall +1\nexit\nr0 += 2\ncall +1\nexit\nr0 += 4\n*(u64 *)(r10 -8) = r0\nr0 = *(u64 *)(r10 -8)\nexit", vm.Options{Unverified: true}},
		{"too deep", "call +0\nexit", vm.Options{Unverified: true}},
		{"recursion stack", "r1 = 3\ncall +2\nr0 = r1\nexit\n*(u64 *)(r10 -512) = r1\nr0 = *(u64 *)(r10 -512)\nexit", vm.Options{Unverified: true}},
		{"helper", "r1 = 5\ncall 5\nr0 += 1\nexit", vm.Options{Unverified: true, Helpers: vm.ConformanceHelpers()}},
		{"budget loop", "r0 = 0\nr0 += 1\nif r0 < 1000 goto -2\nexit", vm.Options{Unverified: true, MaxInsns: 100}},
		{"budget exact", "r0 = 0\nr0 += 1\nif r0 < 10 goto -2\nexit", vm.Options{Unverified: true, MaxInsns: 22}},
		{"budget one short", "r0 = 0\nr0 += 1\nif r0 < 10 goto -2\nexit", vm.Options{Unverified: true, MaxInsns: 21}},
		{"fell off", "r0 = 1\nif r0 == 1 goto +0", vm.Options{Unverified: true}},
		{"atomics", "r2 = 3\n*(u64 *)(r10 -8) = r2\nlock *(u64 *)(r10 -8) += r2\nr2 = atomic64_fetch_add((u64 *)(r10 -8), r2)\nr0 = *(u64 *)(r10 -8)\nr0 += r2\nexit", vm.Options{Unverified: true}},
		{"cmpxchg", "r0 = 0\n*(u64 *)(r1 +0) = r0\nr2 = 9\nr0 = atomic64_cmpxchg((u64 *)(r1 +0), r0, r2)\nexit", vm.Options{Unverified: true}},
		{"bad access", "r1 += 4096\nr0 = *(u8 *)(r1 +0)\nexit", vm.Options{Unverified: true}},
		{"written r10", "r10 = r1\nr0 = *(u8 *)(r10 +0)\nexit", vm.Options{Unverified: true}},
		{"no limit", "r0 = 0\nr0 += 1\nif r0 < 100000 goto -2\nexit", vm.Options{Unverified: true, NoLimit: true}},
	}
	for _, tc := range cases {
		insns, err := asm.Assemble(tc.src, asm.Kernel)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		sameOnBoth(t, tc.name, insns, make([]byte, 16), tc.opts)
	}
}

// TestJITRandom runs random programs of the kernel differential's
// generator on both engines.
func TestJITRandom(t *testing.T) {
	needJIT(t)
	forRandomPrograms(3000, 7, func(i int, insns []isa.Instruction, mem []byte) {
		sameOnBoth(t, fmt.Sprintf("program %d", i), insns, mem, vm.Options{Unverified: true})
	})
}
