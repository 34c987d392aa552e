package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/object"
	"github.com/gbpf/gbpf/verifier"
	"github.com/gbpf/gbpf/vm"
)

// errRejected is the verifier's "no": exit status 1, the log already on stderr.
type errRejected struct{ reason string }

func (e *errRejected) Error() string { return e.reason }

// cmdVerify runs gbpf's verifier over a program, judging as the kernel
// judges a program loaded by root: exit 0 accepted, 1 rejected (with the
// log on stderr), 2 anything else.
func cmdVerify(e *env, args []string) error {
	fs := newFlagSet("verify")
	progType := fs.String("type", "", "program type: raw, socket, xdp, tc or syscall (default: raw, or the ELF section's)")
	logLevel := fs.Int("log-level", 0, "0: errors only, 1: every processed instruction, 2: and the register state")
	unpriv := fs.Bool("unprivileged", false, "apply the rules for programs loaded without CAP_BPF")
	strict := fs.Bool("strict-alignment", false, "check the alignment of every access, as BPF_F_STRICT_ALIGNMENT")
	memHex := fs.String("mem", "", "raw type: the memory r1 points to, as hex (only its length matters)")
	memFile := fs.String("mem-file", "", "raw type: the memory r1 points to, from a file")
	memSize := fs.Int("mem-size", -1, "raw type: the size of the memory r1 points to")
	syntax := fs.String("syntax", "", "assembly dialect of a text FILE: kernel or conformance")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("usage: gbpf verify %s", synopsis["verify"])
	}
	typ, typeGiven := helpers.Raw, *progType != ""
	if typeGiven {
		if typ, err = parseProgType(*progType); err != nil {
			return err
		}
	}
	file, progName := splitSpec(pos[0])
	var insns []isa.Instruction
	lopts := vm.Options{Type: typ}
	if isELF(file) {
		spec, err := object.LoadSpec(file)
		if err != nil {
			return usagef("%v", err)
		}
		var ps *object.ProgramSpec
		if progName != "" || len(spec.Programs) != 1 {
			if ps, err = spec.Program(progName); err != nil {
				return usagef("%v", err)
			}
		} else {
			for _, p := range spec.Programs {
				ps = p
			}
		}
		if typeGiven && helpers.ProgType(ps.Type) != typ {
			return usagef("program %s is of type %s (section %s), not %s", ps.Name, helpers.ProgType(ps.Type), ps.Section, typ)
		}
		// The object's maps, created and initialised as `gbpf run` has
		// them (read-only data frozen), describe the program's maps.
		coll, err := object.NewCollection(spec, object.CollectionOptions{Programs: []string{ps.Name}, Unverified: true})
		if err != nil {
			return usagef("%v", err)
		}
		lopts.Type, lopts.Maps, lopts.Funcs, insns = helpers.ProgType(ps.Type), coll.MapList, ps.FuncInfo(), ps.Insns
	} else {
		progs, err := readPrograms(pos[0], *syntax)
		if err != nil {
			return usagef("%v", err)
		}
		insns = progs[0].insns
		if typ == helpers.Raw {
			lopts.Helpers = vm.ConformanceHelpers() // as gbpf run has them
		}
	}
	size := *memSize
	if size < 0 {
		mem, err := readMemory(fs.Lookup("mem").Value.String() != "", *memHex, *memFile, "")
		if err != nil {
			return err
		}
		size = len(mem)
	}
	lopts.MemSize = size
	vopts, err := vm.VerifierOptions(lopts)
	if err != nil {
		return usagef("%v", err)
	}
	vopts.LogLevel, vopts.Unprivileged, vopts.StrictAlignment = *logLevel, *unpriv, *strict
	res, err := verifier.Verify(insns, vopts)
	var verr *verifier.Error
	switch {
	case errors.Is(err, verifier.ErrUnsupported):
		return usagef("%v", err)
	case errors.As(err, &verr):
		fmt.Fprint(e.stderr, strings.TrimSuffix(verr.Log, "\n")+"\n")
		return &exitStatus{code: 1}
	case err != nil:
		return err
	}
	if *logLevel > 0 {
		fmt.Fprint(e.stderr, res.Log)
	}
	return nil
}
