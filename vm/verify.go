package vm

import (
	"errors"
	"fmt"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/verifier"
)

// ErrMemSize is returned by the runs of a verified raw program given memory
// of another size than Options.MemSize, the size it was proven safe for.
var ErrMemSize = errors.New("memory size differs from the verified size")

// verifierTypes maps the VM's program types to the verifier's.
var verifierTypes = map[helpers.ProgType]verifier.ProgType{
	helpers.Raw:          verifier.Raw,
	helpers.SocketFilter: verifier.SocketFilter,
	helpers.XDP:          verifier.XDP,
	helpers.SchedCLS:     verifier.SchedCLS,
	helpers.SchedACT:     verifier.SchedCLS, // the same context and helpers (tc_cls_act_*)
	helpers.Syscall:      verifier.Syscall,
}

// VerifierOptions returns the verifier options Load uses for a program
// loaded with opts: its type, memory size, maps and the embedder's
// helpers' declarations. LogLevel is left for the caller to set.
func VerifierOptions(opts Options) (verifier.Options, error) {
	t, ok := verifierTypes[opts.Type]
	if !ok {
		return verifier.Options{}, fmt.Errorf("program type %s: %w by the verifier", opts.Type, ErrUnsupported)
	}
	vo := verifier.Options{ProgType: t, MemSize: opts.MemSize, Maps: make([]verifier.MapInfo, len(opts.Maps)), Funcs: opts.Funcs}
	for i, m := range opts.Maps {
		if m == nil {
			return verifier.Options{}, fmt.Errorf("map %d: %w: nil", i, ErrBadMap)
		}
		vo.Maps[i] = verifier.MapInfoOf(m)
	}
	if opts.Helpers != nil {
		vo.Helpers = make(map[helpers.ID]helpers.Proto, len(opts.Helpers.byID))
		for id, h := range opts.Helpers.byID {
			vo.Helpers[helpers.ID(id)] = helpers.Custom(helpers.ID(id), helpers.RetInteger, h.args...)
		}
	}
	return vo, nil
}

// verify proves insns safe for opts (see Options.Unverified).
func verify(insns []isa.Instruction, opts Options) (*verifier.Result, error) {
	vo, err := VerifierOptions(opts)
	if err != nil {
		return nil, err
	}
	vo.LogLevel = opts.VerifierLogLevel
	res, err := verifier.Verify(insns, vo)
	if errors.Is(err, verifier.ErrUnsupported) {
		return nil, fmt.Errorf("%w (it can run unverified, in checked mode)", err)
	}
	return res, err
}

// Verification returns what the verifier proved about the program, or nil
// if it was loaded with Options.Unverified.
func (p *Program) Verification() *verifier.Result { return p.verified }

// Verified reports whether the program passed the verifier when loaded.
func (p *Program) Verified() bool { return p.verified != nil }

// ctxAccesses marks the loads and stores the verifier proved to go
// through the context pointer itself: their address is the context's plus
// the instruction's offset on every path (the kernel rewrites exactly these
// in convert_ctx_accesses). nil if there are none.
func ctxAccesses(res *verifier.Result) []bool {
	var at []bool
	for i, f := range res.Insns {
		if f.Base == verifier.PtrToCtx {
			if at == nil {
				at = make([]bool, len(res.Insns))
			}
			at[i] = true
		}
	}
	return at
}

// checkMem refuses, for a verified raw program, memory of another size
// than the verifier proved accesses against.
func (p *Program) checkMem(mem []byte) error {
	if p.verified != nil && len(mem) != p.memSize {
		return fmt.Errorf("run with %d bytes of memory: %w (%d bytes, Options.MemSize)", len(mem), ErrMemSize, p.memSize)
	}
	return nil
}
