package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/gbpf/gbpf/internal/hexfmt"
	"github.com/gbpf/gbpf/vm"
)

// cmdRun runs a program in gbpf's virtual machine.
func cmdRun(e *env, args []string) error {
	fs := newFlagSet("run")
	progType := fs.String("type", "raw", "program type (raw)")
	engine := fs.String("engine", string(vm.Interp), "execution engine")
	unverified := fs.Bool("unverified", false, "run without the verifier, in checked mode")
	maxInsns := fs.Uint64("max-insns", 1_000_000, "stop an unverified program after N executed instructions (0 = no limit)")
	memHex := fs.String("mem", "", "input memory as hex bytes")
	memFile := fs.String("mem-file", "", "input memory from a file")
	dataIn := fs.String("data-in", "", "input memory (packet data) from a file")
	dataOut := fs.String("data-out", "", "write the memory after the run to a file")
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
	if *progType != "raw" {
		return usagef("program type %q is not supported yet (supported: raw)", *progType)
	}
	if *repeat < 1 {
		return usagef("--repeat must be at least 1, not %d", *repeat)
	}
	// Until the verifier exists every program runs unverified, in checked
	// mode with an instruction budget; --unverified states that explicitly.
	_ = *unverified

	mem, err := readMemory(fs.Lookup("mem").Value.String() != "", *memHex, *memFile, *dataIn)
	if err != nil {
		return err
	}
	progs, err := readPrograms(pos[0], *syntax)
	if err != nil {
		return err
	}
	file, _ := splitSpec(pos[0])
	p, err := pickOne(file, progs)
	if err != nil {
		return err
	}
	if p.relocs > 0 {
		return fmt.Errorf("%s: program %s has %d relocations (map or function references); running relocated ELF programs needs the object loader", file, p.name, p.relocs)
	}
	prog, err := vm.Load(p.insns, vm.Options{
		Engine:   vm.Engine(*engine),
		MaxInsns: *maxInsns,
		NoLimit:  *maxInsns == 0,
		Helpers:  vm.ConformanceHelpers(),
	})
	if err != nil {
		return err
	}
	var r0 uint64
	var avg time.Duration
	if *repeat == 1 {
		start := time.Now()
		r0, err = prog.Run(mem)
		avg = time.Since(start)
	} else {
		r0, avg, err = prog.RunRepeat(mem, *repeat)
	}
	if err != nil {
		return err
	}
	if *dataOut != "" {
		if err := os.WriteFile(*dataOut, mem, 0o644); err != nil {
			return err
		}
	}
	if *asJSON {
		line, err := json.Marshal(struct {
			Retval     uint64 `json:"retval"`
			DurationNS int64  `json:"duration_ns"`
		}{r0, avg.Nanoseconds()})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s\n", line)
		return nil
	}
	fmt.Fprintf(e.stdout, "%#x\n", r0)
	return nil
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
