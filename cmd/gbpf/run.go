package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/internal/hexfmt"
	"github.com/gbpf/gbpf/object"
	"github.com/gbpf/gbpf/vm"
)

// cmdRun runs a program in gbpf's virtual machine, as BPF_PROG_TEST_RUN
// runs one in the kernel.
func cmdRun(e *env, args []string) error {
	fs := newFlagSet("run")
	progType := fs.String("type", "", "program type: raw, socket, xdp, tc or syscall (default: raw, or the ELF section's)")
	engine := fs.String("engine", string(vm.Interp), "execution engine")
	unverified := fs.Bool("unverified", false, "run without the verifier, in checked mode with an instruction budget")
	maxInsns := fs.Uint64("max-insns", vm.DefaultMaxInsns, "stop the run after N executed instructions (0 = no limit; default: no limit for a verified program)")
	memHex := fs.String("mem", "", "input memory (packet) as hex bytes")
	memFile := fs.String("mem-file", "", "input memory (packet) from a file")
	dataIn := fs.String("data-in", "", "input packet (memory) from a file")
	dataOut := fs.String("data-out", "", "write the memory or packet after the run to a file")
	ctxIn := fs.String("ctx-in", "", "context structure from a file (ctx_in)")
	ctxOut := fs.String("ctx-out", "", "write the context after the run to a file (ctx_out)")
	dumpMaps := fs.String("dump-maps", "", "write the maps after the run to a file as JSON")
	repeat := fs.Int("repeat", 1, "run N times over the same input")
	asJSON := fs.Bool("json", false, "print one JSON object")
	syntax := fs.String("syntax", "", "assembly dialect of a text FILE: kernel or conformance")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("usage: gbpf run %s", synopsis["run"])
	}
	if *repeat < 1 {
		return usagef("--repeat must be at least 1, not %d", *repeat)
	}
	typ, typeGiven := helpers.Raw, *progType != ""
	if typeGiven {
		if typ, err = parseProgType(*progType); err != nil {
			return err
		}
	}

	mem, err := readMemory(fs.Lookup("mem").Value.String() != "", *memHex, *memFile, *dataIn)
	if err != nil {
		return err
	}
	var ctx []byte
	if *ctxIn != "" {
		if ctx, err = os.ReadFile(*ctxIn); err != nil {
			return fmt.Errorf("%v", strings.TrimPrefix(err.Error(), "open "))
		}
	}
	file, progName := splitSpec(pos[0])
	lopts := loadOptions{engine: vm.Engine(*engine), unverified: *unverified, memSize: len(mem), trace: e.stderr}
	if flagGiven(fs, "max-insns") {
		lopts.maxInsns, lopts.maxGiven = *maxInsns, true
	}
	var prog *vm.Program
	var coll *object.Collection
	if isELF(file) {
		prog, coll, err = loadObjectProgram(file, progName, typ, typeGiven, lopts)
	} else {
		prog, err = loadCodeProgram(pos[0], *syntax, typ, lopts)
	}
	if err != nil {
		return err
	}
	res, err := prog.TestRun(vm.TestRunOptions{Data: mem, Context: ctx, Repeat: *repeat})
	if err != nil {
		return err
	}
	if *dataOut != "" {
		if err := os.WriteFile(*dataOut, res.DataOut, 0o644); err != nil {
			return err
		}
	}
	if *ctxOut != "" {
		if err := os.WriteFile(*ctxOut, res.ContextOut, 0o644); err != nil {
			return err
		}
	}
	if *dumpMaps != "" {
		if coll == nil {
			return usagef("--dump-maps needs an ELF object: %s has no maps", file)
		}
		if err := writeMapDump(*dumpMaps, coll.Maps); err != nil {
			return err
		}
	}
	raw := prog.Type() == helpers.Raw
	retval := uint64(res.Retval)
	if raw {
		retval = res.R0
	}
	if *asJSON {
		line, err := json.Marshal(struct {
			Retval     uint64 `json:"retval"`
			DurationNS int64  `json:"duration_ns"`
		}{retval, res.Duration.Nanoseconds()})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s\n", line)
		return nil
	}
	if raw {
		fmt.Fprintf(e.stdout, "%#x\n", retval)
		return nil
	}
	avg := ""
	if *repeat > 1 {
		avg = " (average)"
	}
	fmt.Fprintf(e.stdout, "Return value: %d, duration%s: %dns\n", retval, avg, res.Duration.Nanoseconds())
	return nil
}

// loadOptions are the vm.Load settings the run flags choose.
type loadOptions struct {
	engine     vm.Engine
	unverified bool   // --unverified
	memSize    int    // the raw type's memory, which the verifier proves accesses against
	maxInsns   uint64 // --max-insns, if maxGiven (0 = no limit)
	maxGiven   bool
	trace      io.Writer
}

// vmOptions returns the vm.Load options for a program of type typ.
func (o loadOptions) vmOptions(typ helpers.ProgType) vm.Options {
	return vm.Options{
		Engine:      o.engine,
		MaxInsns:    o.maxInsns,
		NoLimit:     o.maxGiven && o.maxInsns == 0,
		Type:        typ,
		TraceOutput: o.trace,
		MemSize:     o.memSize,
		Unverified:  o.unverified,
	}
}

// flagGiven reports whether the command line set the flag.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// loadCodeProgram loads an assembly or raw bytecode program.
func loadCodeProgram(spec, syntax string, typ helpers.ProgType, o loadOptions) (*vm.Program, error) {
	progs, err := readPrograms(spec, syntax)
	if err != nil {
		return nil, err
	}
	var h *vm.Helpers
	if typ == helpers.Raw {
		h = vm.ConformanceHelpers() // helper 5 returns r1, as the conformance suite expects
	}
	opts := o.vmOptions(typ)
	opts.Helpers = h
	return vm.Load(progs[0].insns, opts)
}

// loadObjectProgram loads one program of an ELF object with its maps and
// global data in their initial state.
func loadObjectProgram(file, name string, typ helpers.ProgType, typeGiven bool, o loadOptions) (*vm.Program, *object.Collection, error) {
	spec, err := object.LoadSpec(file)
	if err != nil {
		return nil, nil, err
	}
	var ps *object.ProgramSpec
	if name != "" {
		if ps, err = spec.Program(name); err != nil {
			return nil, nil, err
		}
	} else {
		if len(spec.Programs) != 1 {
			names := make([]string, 0, len(spec.Programs))
			for n, p := range spec.Programs {
				names = append(names, n+" (section "+p.Section+")")
			}
			sort.Strings(names)
			return nil, nil, fmt.Errorf("%s holds %d programs: pick one with FILE:PROG; programs: %s", file, len(spec.Programs), strings.Join(names, ", "))
		}
		for _, p := range spec.Programs {
			ps = p
		}
	}
	if typeGiven && helpers.ProgType(ps.Type) != typ {
		return nil, nil, usagef("program %s is of type %s (section %s), not %s", ps.Name, helpers.ProgType(ps.Type), ps.Section, typ)
	}
	coll, err := object.NewCollection(spec, object.CollectionOptions{
		Programs:    []string{ps.Name},
		Engine:      o.engine,
		MaxInsns:    o.maxInsns,
		NoLimit:     o.maxGiven && o.maxInsns == 0,
		TraceOutput: o.trace,
		Unverified:  o.unverified,
	})
	if err != nil {
		return nil, nil, err
	}
	return coll.Programs[ps.Name], coll, nil
}

// progTypes are the names --type accepts.
var progTypes = map[string]helpers.ProgType{
	"raw":           helpers.Raw,
	"socket":        helpers.SocketFilter,
	"socket_filter": helpers.SocketFilter,
	"xdp":           helpers.XDP,
	"tc":            helpers.SchedCLS,
	"sched_cls":     helpers.SchedCLS,
	"syscall":       helpers.Syscall,
}

func parseProgType(name string) (helpers.ProgType, error) {
	if t, ok := progTypes[name]; ok {
		return t, nil
	}
	return 0, usagef("program type %q is not supported (supported: raw, socket, xdp, tc, syscall)", name)
}

// isELF reports whether file starts with the ELF magic.
func isELF(file string) bool {
	f, err := os.Open(file)
	if err != nil {
		return false
	}
	defer f.Close()
	var magic [4]byte
	_, err = io.ReadFull(f, magic[:])
	return err == nil && string(magic[:]) == "\x7fELF"
}

// readMemory returns the run's input memory from at most one of --mem,
// --mem-file and --data-in.
func readMemory(haveHex bool, memHex, memFile, dataIn string) ([]byte, error) {
	n := 0
	for _, set := range []bool{haveHex, memFile != "", dataIn != ""} {
		if set {
			n++
		}
	}
	if n > 1 {
		return nil, usagef("give at most one of --mem, --mem-file and --data-in")
	}
	switch {
	case haveHex:
		b, err := hexfmt.Parse(memHex)
		if err != nil {
			return nil, fmt.Errorf("--mem: %v", err)
		}
		return b, nil
	case memFile != "" || dataIn != "":
		name := memFile + dataIn
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("%v", strings.TrimPrefix(err.Error(), "open "))
		}
		return b, nil
	}
	return []byte{}, nil
}
