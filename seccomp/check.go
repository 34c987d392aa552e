package seccomp

import (
	"encoding/binary"
	"fmt"

	"github.com/gbpf/gbpf/cbpf"
)

// seccompAllowed are the opcodes the kernel's seccomp_check_filter accepts
// besides the loads it rewrites (kernel/seccomp.c): no packet loads other
// than aligned words of seccomp_data, no modulo, no ancillary data.
var seccompAllowed = map[uint16]bool{
	cbpf.OpRetK: true, cbpf.OpRetA: true,
	cbpf.OpAddK: true, cbpf.OpAddX: true, cbpf.OpSubK: true, cbpf.OpSubX: true,
	cbpf.OpMulK: true, cbpf.OpMulX: true, cbpf.OpDivK: true, cbpf.OpDivX: true,
	cbpf.OpAndK: true, cbpf.OpAndX: true, cbpf.OpOrK: true, cbpf.OpOrX: true,
	cbpf.OpXorK: true, cbpf.OpXorX: true, cbpf.OpLshK: true, cbpf.OpLshX: true,
	cbpf.OpRshK: true, cbpf.OpRshX: true, cbpf.OpNeg: true,
	cbpf.OpLdImm: true, cbpf.OpLdxImm: true, cbpf.OpTAX: true, cbpf.OpTXA: true,
	cbpf.OpLdMem: true, cbpf.OpLdxMem: true, cbpf.OpSt: true, cbpf.OpStx: true,
	cbpf.OpJA: true, cbpf.OpJEQK: true, cbpf.OpJEQX: true, cbpf.OpJGEK: true, cbpf.OpJGEX: true,
	cbpf.OpJGTK: true, cbpf.OpJGTX: true, cbpf.OpJSETK: true, cbpf.OpJSETX: true,
	cbpf.OpLdLen: true, cbpf.OpLdxLen: true, // read as sizeof(struct seccomp_data)
}

// CheckFilter applies the kernel's checks for a seccomp filter
// (seccomp_prepare_filter): the classic-BPF checks of cbpf.CheckKernel
// (1 to 4096 instructions, forward jumps inside the program, a final
// return, no scratch word read before written), then seccomp_check_filter's:
// every absolute load is a 32-bit word at an offset below 64 that is a
// multiple of 4, and only the opcodes seccomp allows appear (no half-word,
// byte, indexed or MSH loads, no modulo). The error names the instruction.
// The kernel answers every failure with EINVAL.
func CheckFilter(insns []cbpf.Instruction) error {
	if err := cbpf.CheckKernel(insns); err != nil {
		return err
	}
	for pc, ins := range insns {
		if ins.Op == cbpf.OpLdW {
			if ins.K >= DataSize || ins.K&3 != 0 {
				return &cbpf.Error{PC: pc, Msg: fmt.Sprintf("seccomp: load of offset %d: not an aligned word of seccomp_data (0 to 60, multiple of 4)", ins.K)}
			}
			continue
		}
		if !seccompAllowed[ins.Op] {
			return &cbpf.Error{PC: pc, Msg: fmt.Sprintf("seccomp: opcode %#04x not allowed in a seccomp filter", ins.Op)}
		}
	}
	return nil
}

// Filter is a checked seccomp program ready to evaluate. Its only
// constructor is NewFilter. A Filter is immutable and safe for concurrent use.
type Filter struct {
	insns []cbpf.Instruction
	prog  *cbpf.Program
}

// NewFilter checks insns with CheckFilter and prepares them for Evaluate.
func NewFilter(insns []cbpf.Instruction) (*Filter, error) {
	if err := CheckFilter(insns); err != nil {
		return nil, err
	}
	own := append([]cbpf.Instruction(nil), insns...)
	prog, err := cbpf.NewProgram(own)
	if err != nil {
		return nil, err
	}
	return &Filter{insns: own, prog: prog}, nil
}

// Instructions returns a copy of the filter's program.
func (f *Filter) Instructions() []cbpf.Instruction {
	return append([]cbpf.Instruction(nil), f.insns...)
}

// Evaluate runs the filter over d without the kernel, through the cBPF
// interpreter, and returns the filter's return value as the kernel would
// see it. Each 32-bit word of seccomp_data is laid out big-endian so that
// the interpreter's network-order "ld [k]" reads the native word the kernel
// would load; "ld #len" gives 64 (sizeof(struct seccomp_data)), as the
// kernel rewrites it. Use Action.Kind to interpret the result as the kernel
// does (an unknown action kills the process).
func (f *Filter) Evaluate(d Data) Action {
	var buf [DataSize]byte
	for i, w := range d.Words() {
		binary.BigEndian.PutUint32(buf[4*i:], w)
	}
	return Action(f.prog.Run(buf[:], DataSize))
}

// Evaluate checks prog (CheckFilter) and runs it over d; see Filter.Evaluate.
func Evaluate(prog []cbpf.Instruction, d Data) (Action, error) {
	f, err := NewFilter(prog)
	if err != nil {
		return 0, err
	}
	return f.Evaluate(d), nil
}

// Evaluate compiles the policy and evaluates it for d; see Filter.Evaluate.
// Tests that evaluate many calls should compile once and use NewFilter.
func (p *Policy) Evaluate(d Data) (Action, error) {
	insns, err := p.Compile()
	if err != nil {
		return 0, err
	}
	return Evaluate(insns, d)
}

// Decide returns the action the policy prescribes for d by reading the
// policy directly, without compiling it: the reference the compiled program
// is tested against.
func (p *Policy) Decide(d Data) (Action, error) {
	a, err := lookupArch(p.Arch)
	if err != nil {
		return 0, err
	}
	groups, err := p.resolve()
	if err != nil {
		return 0, err
	}
	nr := uint32(d.Nr)
	if d.Arch != a.audit || (a.audit == ArchX86_64 && (nr >= X32SyscallBit) != a.x32) {
		return p.badArch(), nil
	}
	for _, g := range groups {
		if g.nr != nr {
			continue
		}
		for _, r := range g.rules {
			all := true
			for _, c := range r.Args {
				if !c.Matches(d.Args[c.Index]) {
					all = false
					break
				}
			}
			if all {
				return r.Action, nil
			}
		}
	}
	return p.DefaultAction, nil
}
