package seccomp

import (
	"errors"
	"fmt"

	"github.com/gbpf/gbpf/cbpf"
)

// Op is an argument comparison. All comparisons are unsigned and on the
// full 64-bit argument, done on its two 32-bit halves as libseccomp does.
type Op int

// The comparisons of ArgCmp.
const (
	OpEq       Op = iota + 1 // arg == Value
	OpNe                     // arg != Value
	OpLt                     // arg < Value
	OpLe                     // arg <= Value
	OpGt                     // arg > Value
	OpGe                     // arg >= Value
	OpMaskedEq               // arg & Mask == Value
)

var opNames = map[Op]string{OpEq: "==", OpNe: "!=", OpLt: "<", OpLe: "<=", OpGt: ">", OpGe: ">=", OpMaskedEq: "&="}

// String returns the operator as the policy file writes it: "==", "!=",
// "<", "<=", ">", ">=", or "&=" for OpMaskedEq.
func (o Op) String() string {
	if s, ok := opNames[o]; ok {
		return s
	}
	return fmt.Sprintf("Op(%d)", int(o))
}

// ParseOp reads an operator as Op.String prints it; "masked_eq" is also
// accepted for "&=", and "eq", "ne", "lt", "le", "gt", "ge" for the others.
func ParseOp(s string) (Op, error) {
	for o, n := range opNames {
		if s == n {
			return o, nil
		}
	}
	switch s {
	case "eq":
		return OpEq, nil
	case "ne":
		return OpNe, nil
	case "lt":
		return OpLt, nil
	case "le":
		return OpLe, nil
	case "gt":
		return OpGt, nil
	case "ge":
		return OpGe, nil
	case "masked_eq":
		return OpMaskedEq, nil
	}
	return 0, fmt.Errorf("seccomp: unknown comparison %q (want ==, !=, <, <=, >, >=, &=)", s)
}

// ArgCmp compares system call argument Index (0 to 5) with Value.
// Mask is used by OpMaskedEq only.
type ArgCmp struct {
	Index int
	Op    Op
	Value uint64
	Mask  uint64
}

// Matches reports whether argument value v satisfies the comparison.
func (c ArgCmp) Matches(v uint64) bool {
	switch c.Op {
	case OpEq:
		return v == c.Value
	case OpNe:
		return v != c.Value
	case OpLt:
		return v < c.Value
	case OpLe:
		return v <= c.Value
	case OpGt:
		return v > c.Value
	case OpGe:
		return v >= c.Value
	case OpMaskedEq:
		return v&c.Mask == c.Value
	}
	return false
}

// Rule gives Action to the listed system calls when every argument
// comparison in Args holds (an empty Args always holds).
type Rule struct {
	Syscalls []string // names in the policy architecture's table, or decimal numbers
	Action   Action
	Args     []ArgCmp
}

// Policy is a seccomp filter in Go terms. For a system call of the policy's
// architecture, the first rule (in order) that lists the call and whose
// comparisons all hold decides; when none does, DefaultAction.
//
// A call made with another architecture (seccomp_data.arch), an x32 call
// (number with X32SyscallBit) under an x86_64 policy, or an x86_64 call under
// an x32 policy gets KillProcess, or BadArchAction when BadArchSet is true.
//
// The zero Action is KillThread, so a Policy must set DefaultAction.
type Policy struct {
	DefaultAction Action
	Arch          string // architecture name (see ArchNames); "" is the native one
	BadArchAction Action // used for foreign calls when BadArchSet is true
	BadArchSet    bool
	Rules         []Rule
}

// ErrTooLong is returned by Compile for a policy whose program would exceed
// the kernel's BPF_MAXINSNS (4096) instructions.
var ErrTooLong = errors.New("seccomp: program longer than 4096 instructions")

// badArch returns the policy's action for a foreign architecture.
func (p *Policy) badArch() Action {
	if p.BadArchSet {
		return p.BadArchAction
	}
	return KillProcess
}

// Validate checks the policy without compiling it: known architecture and
// system calls, argument indexes 0 to 5, known comparisons.
func (p *Policy) Validate() error {
	_, err := p.resolve()
	return err
}

// group is the rules of one system call number, in policy order.
type group struct {
	nr    uint32
	rules []*Rule
}

func (p *Policy) resolve() ([]group, error) {
	a, err := lookupArch(p.Arch)
	if err != nil {
		return nil, err
	}
	var groups []group
	index := map[uint32]int{}
	for ri := range p.Rules {
		r := &p.Rules[ri]
		if len(r.Syscalls) == 0 {
			return nil, fmt.Errorf("seccomp: rule %d: no system calls", ri)
		}
		for ci, c := range r.Args {
			if c.Index < 0 || c.Index > 5 {
				return nil, fmt.Errorf("seccomp: rule %d, comparison %d: argument index %d outside 0 to 5", ri, ci, c.Index)
			}
			if _, ok := opNames[c.Op]; !ok {
				return nil, fmt.Errorf("seccomp: rule %d, comparison %d: unknown comparison %d", ri, ci, int(c.Op))
			}
		}
		for _, name := range r.Syscalls {
			nr, err := a.number(name)
			if err != nil {
				return nil, fmt.Errorf("rule %d: %w", ri, err)
			}
			if a.x32 && nr&X32SyscallBit == 0 {
				nr |= X32SyscallBit
			}
			gi, ok := index[nr]
			if !ok {
				gi = len(groups)
				index[nr] = gi
				groups = append(groups, group{nr: nr})
			}
			if n := len(groups[gi].rules); n > 0 && groups[gi].rules[n-1] == r {
				continue // the same call listed twice in one rule
			}
			groups[gi].rules = append(groups[gi].rules, r)
		}
	}
	return groups, nil
}

// Compile returns the classic BPF program of the policy: it checks the
// architecture, then dispatches on the system call number with a chain of
// "jeq" in order of first mention; a call's argument tests, rule by rule,
// follow its "jeq", and calls without them jump to shared returns at the end. The program passes CheckFilter (the kernel's seccomp
// rules and BPF_MAXINSNS); conditional jumps too far for their 8-bit offsets
// go through "ja" trampolines.
func (p *Policy) Compile() ([]cbpf.Instruction, error) {
	groups, err := p.resolve()
	if err != nil {
		return nil, err
	}
	a, _ := lookupArch(p.Arch)
	little := a.audit.LittleEndian()
	var b builder
	badArch := b.newLabel()
	b.ld(OffsetArch)
	arch := b.newLabel()
	b.jump(cbpf.OpJEQK, uint32(a.audit), arch, badArch)
	b.mark(arch)
	b.ld(OffsetNr)
	if a.audit == ArchX86_64 {
		next := b.newLabel()
		if a.x32 {
			b.jump(cbpf.OpJGEK, X32SyscallBit, next, badArch)
		} else {
			b.jump(cbpf.OpJGEK, X32SyscallBit, badArch, next)
		}
		b.mark(next)
	}
	rets := map[Action]label{}
	var retActs []Action // in order of first use, the default first
	retLabel := func(act Action) label {
		l, ok := rets[act]
		if !ok {
			l = b.newLabel()
			rets[act] = l
			retActs = append(retActs, act)
		}
		return l
	}
	defaultRet := retLabel(p.DefaultAction)
	for _, g := range groups {
		next := b.newLabel()
		if len(g.rules[0].Args) == 0 {
			b.jump(cbpf.OpJEQK, g.nr, retLabel(g.rules[0].Action), next)
			b.mark(next)
			continue
		}
		// The call's rules follow its jeq; every path through them returns.
		body := b.newLabel()
		b.jump(cbpf.OpJEQK, g.nr, body, next)
		b.mark(body)
		for _, r := range g.rules {
			if len(r.Args) == 0 {
				b.ret(r.Action)
				break
			}
			fail := b.newLabel()
			for _, c := range r.Args {
				ok := b.newLabel()
				b.compare(c, little, ok, fail)
				b.mark(ok)
			}
			b.ret(r.Action)
			b.mark(fail)
		}
		b.ret(p.DefaultAction)
		b.mark(next)
	}
	b.jump(cbpf.OpJA, 0, defaultRet, defaultRet)
	b.mark(badArch)
	b.ret(p.badArch())
	for _, act := range retActs {
		b.mark(rets[act])
		b.ret(act)
	}
	insns, err := b.assemble()
	if err != nil {
		return nil, err
	}
	if err := CheckFilter(insns); err != nil {
		return nil, fmt.Errorf("seccomp: compiled program: %w", err)
	}
	return insns, nil
}
