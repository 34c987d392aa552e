package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/cilium/ebpf"
	ebpfasm "github.com/cilium/ebpf/asm"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/vm"
)

// cmdBench measures a program's cost per run in gbpf's engines and, with
// --vs-kernel, in the Linux kernel's BPF_PROG_TEST_RUN in the same run. The
// kernel figure has the kernel's test_run cost of an empty program of the
// same type subtracted, measured in the same run, so both sides count the
// program's own work.
func cmdBench(e *env, args []string) error {
	fs := newFlagSet("bench")
	engine := fs.String("engine", "", "engine to measure (default: every available engine)")
	progType := fs.String("type", "", "program type of a text or bytecode FILE: raw, socket, xdp, tc or syscall")
	vsKernel := fs.Bool("vs-kernel", false, "also run the program in the kernel (needs root and bpf())")
	repeat := fs.Int("repeat", 100000, "runs per measurement")
	memHex := fs.String("mem", "", "input memory (packet) as hex bytes")
	memFile := fs.String("mem-file", "", "input memory (packet) from a file")
	dataIn := fs.String("data-in", "", "input packet (memory) from a file")
	asJSON := fs.Bool("json", false, "print one JSON line")
	unverified := fs.Bool("unverified", false, "measure the program unverified, in checked mode")
	syntax := fs.String("syntax", "", "assembly dialect of a text FILE: kernel or conformance")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("usage: gbpf bench %s", synopsis["bench"])
	}
	if *repeat < 1 {
		return usagef("--repeat must be at least 1, not %d", *repeat)
	}
	mem, err := readMemory(fs.Lookup("mem").Value.String() != "", *memHex, *memFile, *dataIn)
	if err != nil {
		return err
	}
	typ := helpers.Raw
	if *progType != "" {
		if typ, err = parseProgType(*progType); err != nil {
			return err
		}
	}
	engines := vm.Engines()
	if *engine != "" {
		engines = []vm.Engine{vm.Engine(*engine)}
	}
	file, progName := splitSpec(pos[0])
	type row struct {
		Engine string  `json:"engine"`
		NsRun  float64 `json:"ns_per_run"`
		Retval uint64  `json:"retval"`
		Note   string  `json:"note,omitempty"`
	}
	var rows []row
	var code []byte
	for _, eng := range engines {
		lopts := loadOptions{engine: eng, memSize: len(mem), unverified: *unverified}
		var prog *vm.Program
		if isELF(file) {
			prog, _, err = loadObjectProgram(file, progName, 0, false, lopts)
		} else {
			prog, err = loadCodeProgram(pos[0], *syntax, typ, lopts)
		}
		if err != nil {
			return err
		}
		typ = prog.Type()
		res, err := prog.TestRun(vm.TestRunOptions{Data: mem, Repeat: *repeat})
		if err != nil {
			return err
		}
		r := uint64(res.Retval)
		if typ == helpers.Raw {
			r = res.R0
		}
		rows = append(rows, row{Engine: string(eng), NsRun: float64(res.Duration.Nanoseconds()), Retval: r})
		if code == nil {
			code = encodeProgram(prog)
		}
	}
	if *vsKernel {
		k, err := kernelBench(file, progName, typ, code, mem, *repeat)
		if err != nil {
			return fmt.Errorf("kernel: %v", err)
		}
		rows = append(rows, row{Engine: "kernel", NsRun: k.net, Retval: uint64(k.retval),
			Note: fmt.Sprintf("test_run %.0fns minus an empty program's %.0fns", k.total, k.empty)})
	}
	if *asJSON {
		line, err := json.Marshal(rows)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s\n", line)
		return nil
	}
	fmt.Fprintf(e.stdout, "%-8s %12s  %s\n", "engine", "ns/run", "retval")
	for _, r := range rows {
		note := ""
		if r.Note != "" {
			note = "  (" + r.Note + ")"
		}
		fmt.Fprintf(e.stdout, "%-8s %12.1f  %d%s\n", r.Engine, r.NsRun, r.Retval, note)
	}
	return nil
}

// encodeProgram returns the raw bytecode of a loaded program.
func encodeProgram(p *vm.Program) []byte {
	var b []byte
	for _, ins := range p.Instructions() {
		b = ins.Append(b)
	}
	return b
}

// kernelTypes maps gbpf's program types to the kernel's for --vs-kernel.
var kernelTypes = map[helpers.ProgType]ebpf.ProgramType{
	helpers.SocketFilter: ebpf.SocketFilter,
	helpers.XDP:          ebpf.XDP,
	helpers.SchedCLS:     ebpf.SchedCLS,
	helpers.Syscall:      ebpf.Syscall,
}

type kernelResult struct {
	total, empty, net float64
	retval            uint32
}

// kernelBench loads the program into the kernel (an ELF object through
// cilium/ebpf, with its maps) and times test_run, and an empty program of the
// same type for the baseline.
func kernelBench(file, progName string, typ helpers.ProgType, code, mem []byte, repeat int) (kernelResult, error) {
	ktyp, ok := kernelTypes[typ]
	if !ok {
		return kernelResult{}, fmt.Errorf("program type %s has no BPF_PROG_TEST_RUN in the kernel (use --type or an ELF section of xdp, socket, tc or syscall)", typ)
	}
	var prog *ebpf.Program
	if isELF(file) {
		spec, err := ebpf.LoadCollectionSpec(file)
		if err != nil {
			return kernelResult{}, err
		}
		coll, err := ebpf.NewCollection(spec)
		if err != nil {
			return kernelResult{}, verifierError(err)
		}
		defer coll.Close()
		if progName == "" {
			for n := range coll.Programs {
				progName = n
			}
		}
		if prog = coll.Programs[progName]; prog == nil {
			for n, ps := range spec.Programs {
				if ps.SectionName == progName {
					prog = coll.Programs[n]
				}
			}
		}
		if prog == nil {
			return kernelResult{}, fmt.Errorf("no program %q", progName)
		}
	} else {
		insns, err := ebpfasm.AppendInstructions(nil, bytes.NewReader(code), binary.LittleEndian, "linux")
		if err != nil {
			return kernelResult{}, err
		}
		p, err := ebpf.NewProgram(&ebpf.ProgramSpec{Type: ktyp, License: "GPL", Instructions: insns})
		if err != nil {
			return kernelResult{}, verifierError(err)
		}
		defer p.Close()
		prog = p
	}
	empty, err := ebpf.NewProgram(&ebpf.ProgramSpec{Type: ktyp, License: "GPL",
		Instructions: ebpfasm.Instructions{ebpfasm.Mov.Imm(ebpfasm.R0, 0), ebpfasm.Return()}})
	if err != nil {
		return kernelResult{}, err
	}
	defer empty.Close()
	in := mem
	if ktyp == ebpf.Syscall {
		in = nil
	}
	ret, d, err := prog.Benchmark(in, repeat, nil)
	if err != nil {
		return kernelResult{}, err
	}
	_, de, err := empty.Benchmark(in, repeat, nil)
	if err != nil {
		return kernelResult{}, err
	}
	r := kernelResult{total: float64(d.Nanoseconds()), empty: float64(de.Nanoseconds()), retval: ret}
	r.net = r.total - r.empty
	if r.net < 0 {
		r.net = 0
	}
	return r, nil
}

// verifierError shortens the kernel verifier's error to its last line.
func verifierError(err error) error {
	var ve *ebpf.VerifierError
	if errors.As(err, &ve) && len(ve.Log) > 0 {
		return fmt.Errorf("the kernel's verifier rejected the program: %s", ve.Log[len(ve.Log)-1])
	}
	return err
}
