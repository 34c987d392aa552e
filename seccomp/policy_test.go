package seccomp

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/gbpf/gbpf/cbpf"
)

// x86 builds seccomp_data of an x86_64 call.
func x86(name string, args ...uint64) Data {
	nr, err := SyscallNumber("x86_64", name)
	if err != nil {
		panic(err)
	}
	d := Data{Nr: int32(nr), Arch: ArchX86_64}
	copy(d.Args[:], args)
	return d
}

// checkBoth evaluates the compiled program and the policy reference on d and
// fails unless both give want.
func checkBoth(t *testing.T, p *Policy, d Data, want Action) {
	t.Helper()
	insns, err := p.Compile()
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	got, err := Evaluate(insns, d)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	ref, err := p.Decide(d)
	if err != nil {
		t.Fatalf("Decide: %v", err)
	}
	if got != want || ref != want {
		t.Errorf("nr %d arch %v args %#x: program %v, Decide %v, want %v\n%s", d.Nr, d.Arch, d.Args, got, ref, want, cbpf.Disasm(insns))
	}
}

const (
	big   = 0x1_0000_0005 // high word 1, low word 5
	maxU  = math.MaxUint64
	hiBit = 1 << 63
)

func TestArgComparisons(t *testing.T) {
	deny := Errno(13)
	type probe struct {
		arg  uint64
		want bool // the comparison holds
	}
	cases := []struct {
		name   string
		cmp    ArgCmp
		probes []probe
	}{
		{"eq small", ArgCmp{Op: OpEq, Value: 5}, []probe{{5, true}, {4, false}, {6, false}, {big, false}, {0, false}}},
		{"eq 64-bit", ArgCmp{Op: OpEq, Value: big}, []probe{{big, true}, {5, false}, {1 << 32, false}, {big + 1<<32, false}}},
		{"ne", ArgCmp{Op: OpNe, Value: big}, []probe{{big, false}, {5, true}, {1 << 32, true}, {0, true}}},
		{"lt", ArgCmp{Op: OpLt, Value: big}, []probe{{big - 1, true}, {big, false}, {big + 1, false}, {5, true}, {0xffffffff, true}, {0x2_0000_0000, false}, {1<<32 | 0xffffffff, false}}},
		{"le", ArgCmp{Op: OpLe, Value: big}, []probe{{big - 1, true}, {big, true}, {big + 1, false}, {0, true}, {maxU, false}, {1<<32 | 4, true}}},
		{"gt", ArgCmp{Op: OpGt, Value: big}, []probe{{big + 1, true}, {big, false}, {big - 1, false}, {0x2_0000_0000, true}, {6, false}, {maxU, true}}},
		{"ge", ArgCmp{Op: OpGe, Value: big}, []probe{{big, true}, {big + 1, true}, {big - 1, false}, {1 << 32, false}, {0xffffffff, false}}},
		{"gt max", ArgCmp{Op: OpGt, Value: maxU}, []probe{{maxU, false}, {0, false}}},
		{"ge zero", ArgCmp{Op: OpGe, Value: 0}, []probe{{0, true}, {maxU, true}}},
		{"lt zero", ArgCmp{Op: OpLt, Value: 0}, []probe{{0, false}, {maxU, false}}},
		{"le max", ArgCmp{Op: OpLe, Value: maxU}, []probe{{0, true}, {maxU, true}}},
		{"unsigned", ArgCmp{Op: OpLt, Value: 10}, []probe{{hiBit, false}, {maxU, false}, {9, true}}},
		{"masked low", ArgCmp{Op: OpMaskedEq, Mask: 0x3, Value: 0x2}, []probe{{2, true}, {6, true}, {3, false}, {big<<8 | 2, true}}},
		{"masked high", ArgCmp{Op: OpMaskedEq, Mask: 0xff00000000, Value: 0x0100000000}, []probe{{0x0100000000, true}, {0x01ffffffff, true}, {0x0200000000, false}, {0x1, false}}},
		{"masked no mask", ArgCmp{Op: OpMaskedEq, Mask: 0, Value: 0}, []probe{{0, true}, {maxU, true}}},
		{"masked no mask, value", ArgCmp{Op: OpMaskedEq, Mask: 0, Value: 1}, []probe{{0, false}, {1, false}}},
		{"masked value outside mask", ArgCmp{Op: OpMaskedEq, Mask: 0xffffffff, Value: 1 << 32}, []probe{{1 << 32, false}, {0, false}}},
		{"masked both", ArgCmp{Op: OpMaskedEq, Mask: hiBit | 1, Value: hiBit}, []probe{{hiBit, true}, {hiBit | 1, false}, {hiBit | 2, true}, {2, false}}},
	}
	for _, c := range cases {
		for index := 0; index < 6; index += 5 {
			cmp := c.cmp
			cmp.Index = index
			p := &Policy{Arch: "x86_64", DefaultAction: Allow, Rules: []Rule{{Syscalls: []string{"read"}, Action: deny, Args: []ArgCmp{cmp}}}}
			for _, pr := range c.probes {
				t.Run(fmt.Sprintf("%s/arg%d/%#x", c.name, index, pr.arg), func(t *testing.T) {
					var args [6]uint64
					args[index] = pr.arg
					want := Allow
					if pr.want {
						want = deny
					}
					if cmp.Matches(pr.arg) != pr.want {
						t.Fatalf("ArgCmp.Matches(%#x) = %v", pr.arg, !pr.want)
					}
					checkBoth(t, p, x86("read", args[:]...), want)
				})
			}
		}
	}
}

func TestPolicySemantics(t *testing.T) {
	p := &Policy{
		Arch:          "x86_64",
		DefaultAction: Errno(1),
		Rules: []Rule{
			{Syscalls: []string{"getpid", "getppid"}, Action: Errno(38)},
			{Syscalls: []string{"write"}, Action: Allow, Args: []ArgCmp{{Index: 0, Op: OpLe, Value: 2}}},
			{Syscalls: []string{"write"}, Action: Log, Args: []ArgCmp{{Index: 0, Op: OpEq, Value: 7}, {Index: 2, Op: OpLt, Value: 100}}},
			{Syscalls: []string{"write"}, Action: Trap},
			{Syscalls: []string{"read", "write"}, Action: Allow}, // write: never reached
			{Syscalls: []string{"kill"}, Action: KillThread},
			{Syscalls: []string{"ptrace"}, Action: Trace(9)},
			{Syscalls: []string{"ioctl"}, Action: UserNotif},
			{Syscalls: []string{"exit_group"}, Action: KillProcess},
			{Syscalls: []string{"60"}, Action: Allow}, // exit, by number
		},
	}
	cases := []struct {
		d    Data
		want Action
	}{
		{x86("getpid"), Errno(38)},
		{x86("getppid"), Errno(38)},
		{x86("write", 1), Allow},
		{x86("write", 2), Allow},
		{x86("write", 7, 0, 99), Log},
		{x86("write", 7, 0, 100), Trap},
		{x86("write", 3), Trap},
		{x86("read", 3), Allow},
		{x86("kill"), KillThread},
		{x86("ptrace"), Trace(9)},
		{x86("ioctl"), UserNotif},
		{x86("exit_group"), KillProcess},
		{x86("exit"), Allow},
		{x86("openat"), Errno(1)},
		{Data{Nr: 39, Arch: ArchI386}, KillProcess},                        // foreign architecture
		{Data{Nr: 39 | X32SyscallBit, Arch: ArchX86_64}, KillProcess},      // x32 call
		{Data{Nr: -1, Arch: ArchX86_64}, KillProcess},                      // nr 0xffffffff has the x32 bit
		{Data{Nr: math.MinInt32 | 39, Arch: ArchX86_64}, KillProcess},      // above the x32 bit
		{Data{Nr: 1000, Arch: ArchX86_64}, Errno(1)},                       // unknown number
		{Data{Nr: 39, Arch: ArchX86_64, InstructionPointer: 1}, Errno(38)}, // ip does not matter
	}
	for i, c := range cases {
		t.Run(strconv.Itoa(i), func(t *testing.T) { checkBoth(t, p, c.d, c.want) })
	}

	bad := *p
	bad.BadArchSet, bad.BadArchAction = true, Errno(95)
	checkBoth(t, &bad, Data{Nr: 39, Arch: ArchAArch64}, Errno(95))
	bad.BadArchAction = KillThread
	checkBoth(t, &bad, Data{Nr: 39, Arch: ArchAArch64}, KillThread)
}

func TestX32Policy(t *testing.T) {
	p := &Policy{Arch: "x32", DefaultAction: Allow, Rules: []Rule{{Syscalls: []string{"getpid"}, Action: Errno(5)}}}
	checkBoth(t, p, Data{Nr: 39 | X32SyscallBit, Arch: ArchX86_64}, Errno(5))
	checkBoth(t, p, Data{Nr: 40 | X32SyscallBit, Arch: ArchX86_64}, Allow)
	checkBoth(t, p, Data{Nr: 39, Arch: ArchX86_64}, KillProcess) // a 64-bit call
}

func TestBigEndianArch(t *testing.T) {
	// s390x stores the high word of each argument first.
	p := &Policy{Arch: "s390x", DefaultAction: Allow, Rules: []Rule{{Syscalls: []string{"20"}, Action: Errno(7),
		Args: []ArgCmp{{Index: 1, Op: OpEq, Value: 0x1_0000_0002}}}}}
	d := Data{Nr: 20, Arch: ArchS390X}
	d.Args[1] = 0x1_0000_0002
	checkBoth(t, p, d, Errno(7))
	d.Args[1] = 0x2_0000_0001
	checkBoth(t, p, d, Allow)
	if w := d.Words(); w[6] != 2 || w[7] != 1 {
		t.Errorf("s390x words of args[1]: %#x %#x, want high word first", w[6], w[7])
	}
	if b := d.Bytes(); b[27] != 2 || b[31] != 1 {
		t.Errorf("s390x bytes of args[1]: % x", b[24:32])
	}
}

// TestRandomPolicies compares the compiled program with Policy.Decide on
// random policies and calls, including long ones that need trampolines.
func TestRandomPolicies(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 300; i++ {
		p := randomPolicy(rng, 1+rng.IntN(40), []uint32{0, 1, 2, 3, 39, 110, 257})
		if i%10 == 0 {
			p = randomPolicy(rng, 120, nil) // long: far jumps
		}
		insns, err := p.Compile()
		if err != nil {
			t.Fatalf("policy %d: %v", i, err)
		}
		f, err := NewFilter(insns)
		if err != nil {
			t.Fatalf("policy %d: %v", i, err)
		}
		for j := 0; j < 100; j++ {
			d := randomCall(rng, p)
			want, _ := p.Decide(d)
			if got := f.Evaluate(d); got != want {
				t.Fatalf("policy %d call %+v: program %v, Decide %v\n%s", i, d, got, want, cbpf.Disasm(insns))
			}
		}
	}
}

// interesting are argument values at the edges of 32-bit halves.
var interesting = []uint64{0, 1, 2, 0x7fffffff, 0x80000000, 0xffffffff, 1 << 32, 1<<32 | 1, big, 0xffffffff_00000000, hiBit, maxU - 1, maxU}

func randomValue(rng *rand.Rand) uint64 {
	switch rng.IntN(3) {
	case 0:
		return interesting[rng.IntN(len(interesting))]
	case 1:
		return uint64(rng.IntN(8))
	}
	return rng.Uint64()
}

// randomPolicy returns an x86_64 policy of n rules over the given numbers
// (or, for nil, random ones below 400).
func randomPolicy(rng *rand.Rand, n int, nrs []uint32) *Policy {
	acts := []Action{Allow, Log, Trap, KillThread, KillProcess, UserNotif, Errno(1), Errno(38), Errno(4095), Trace(3)}
	p := &Policy{Arch: "x86_64", DefaultAction: acts[rng.IntN(len(acts))]}
	for i := 0; i < n; i++ {
		r := Rule{Action: acts[rng.IntN(len(acts))]}
		for k := 1 + rng.IntN(3); k > 0; k-- {
			nr := uint32(rng.IntN(400))
			if nrs != nil {
				nr = nrs[rng.IntN(len(nrs))]
			}
			r.Syscalls = append(r.Syscalls, strconv.Itoa(int(nr)))
		}
		for k := rng.IntN(4); k > 0; k-- {
			c := ArgCmp{Index: rng.IntN(6), Op: Op(1 + rng.IntN(7)), Value: randomValue(rng)}
			if c.Op == OpMaskedEq {
				c.Mask = randomValue(rng)
				if rng.IntN(2) == 0 {
					c.Value &= c.Mask
				}
			}
			r.Args = append(r.Args, c)
		}
		p.Rules = append(p.Rules, r)
	}
	return p
}

// randomCall returns a call that often hits the policy's rules and values.
func randomCall(rng *rand.Rand, p *Policy) Data {
	d := Data{Arch: ArchX86_64, Nr: int32(rng.IntN(400))}
	if rng.IntN(20) == 0 {
		d.Arch = ArchAArch64
	}
	if len(p.Rules) > 0 && rng.IntN(4) != 0 {
		r := p.Rules[rng.IntN(len(p.Rules))]
		n, _ := strconv.Atoi(r.Syscalls[rng.IntN(len(r.Syscalls))])
		d.Nr = int32(n)
		for _, c := range r.Args {
			if rng.IntN(3) != 0 {
				d.Args[c.Index] = c.Value + uint64(rng.IntN(3)) - 1
			}
		}
	}
	for i := range d.Args {
		if d.Args[i] == 0 && rng.IntN(2) == 0 {
			d.Args[i] = randomValue(rng)
		}
	}
	return d
}

func TestLongPolicy(t *testing.T) {
	names, err := Syscalls("x86_64")
	if err != nil {
		t.Fatal(err)
	}
	// Every call with an argument test: the dispatch chain is far longer
	// than an 8-bit jump offset reaches.
	p := &Policy{Arch: "x86_64", DefaultAction: Errno(1)}
	for i, n := range names {
		p.Rules = append(p.Rules, Rule{Syscalls: []string{n}, Action: Errno(uint16(i + 2)), Args: []ArgCmp{{Index: i % 6, Op: OpNe, Value: uint64(i)}}})
	}
	insns, err := p.Compile()
	if err != nil {
		t.Fatal(err)
	}
	if len(insns) < 1000 {
		t.Fatalf("only %d instructions", len(insns))
	}
	f, err := NewFilter(insns)
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range names {
		d := x86(n)
		d.Args[i%6] = uint64(i) + 1
		if got := f.Evaluate(d); got != Errno(uint16(i+2)) {
			t.Fatalf("%s %#x: %v, want %v", n, d.Args, got, Errno(uint16(i+2)))
		}
		d.Args[i%6] = uint64(i)
		if got := f.Evaluate(d); got != Errno(1) {
			t.Fatalf("%s %#x: %v, want errno:1", n, d.Args, got)
		}
	}
	d := x86("read")
	d.Nr = 999
	if got := f.Evaluate(d); got != Errno(1) {
		t.Fatalf("nr 999: %v, want errno:1", got)
	}
	// The first jeq's way to the shared default return is longer than an
	// 8-bit offset: the evaluation above went through trampolines.
	if len(insns) < 600 {
		t.Errorf("only %d instructions", len(insns))
	}
	// Far too long.
	p.Rules = nil
	for i := 0; i < 1000; i++ {
		p.Rules = append(p.Rules, Rule{Syscalls: []string{"read"}, Action: Allow, Args: []ArgCmp{{Index: 0, Op: OpGt, Value: uint64(i)}}})
	}
	if _, err := p.Compile(); !errors.Is(err, ErrTooLong) {
		t.Errorf("1000 rules with a 64-bit comparison each: %v, want ErrTooLong", err)
	}
}

func TestPolicyErrors(t *testing.T) {
	cases := []struct {
		p    Policy
		want string
	}{
		{Policy{Arch: "vax"}, `seccomp: unknown architecture "vax"`},
		{Policy{Arch: "x86_64", Rules: []Rule{{Syscalls: []string{"nosuchcall"}}}}, `rule 0: seccomp: unknown system call "nosuchcall" on x86_64`},
		{Policy{Arch: "arm", Rules: []Rule{{Syscalls: []string{"read"}}}}, `rule 0: seccomp: no system call table for arm: give "read" as a number`},
		{Policy{Arch: "x86_64", Rules: []Rule{{Syscalls: []string{"read"}, Args: []ArgCmp{{Index: 6, Op: OpEq}}}}}, "seccomp: rule 0, comparison 0: argument index 6 outside 0 to 5"},
		{Policy{Arch: "x86_64", Rules: []Rule{{Syscalls: []string{"read"}, Args: []ArgCmp{{Index: 0}}}}}, "seccomp: rule 0, comparison 0: unknown comparison 0"},
		{Policy{Arch: "x86_64", Rules: []Rule{{}}}, "seccomp: rule 0: no system calls"},
	}
	for _, c := range cases {
		_, err := c.p.Compile()
		if err == nil || len(err.Error()) < len(c.want) || err.Error()[:len(c.want)] != c.want {
			t.Errorf("%+v: error %v, want prefix %q", c.p, err, c.want)
		}
	}
}
