// Package trace is gbpf trace: bpftrace's language compiled straight to eBPF
// by gbpf's own code generator (no LLVM), loaded into the Linux kernel
// through github.com/cilium/ebpf, with a runtime that prints events and maps
// in bpftrace's text and JSON formats.
//
// The front end (parser and type checker) is package trace/lang; this
// package holds the code generator, the kernel runtime and Main, the whole
// `gbpf trace` command.
package trace

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/cilium/ebpf/ringbuf"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/trace/lang"
)

// options are the parsed command-line flags of gbpf trace.
type options struct {
	program string
	name    string
	cmd     string
	pid     int
	outFile string
	format  string
	list    bool
	listPat string
	dump    bool
	verbose bool
	params  []string
	hasProg bool
	unsafe  bool // --unsafe: allow system()
	// ringSize is the event ring buffer's size in bytes; 0 means 4 MiB.
	ringSize uint32
}

const usage = "usage: gbpf trace [-e PROGRAM | FILE] [-c CMD] [-p PID] [-o FILE] [-f text|json] [-l [PATTERN]] [-d] [-v] [--unsafe] [args...]"

func parseArgs(args []string) (*options, error) {
	o := &options{format: "text", name: "stdin"}
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		value := func() (string, error) {
			if i+1 >= len(args) {
				return "", fmt.Errorf("option %s needs a value", a)
			}
			i++
			return args[i], nil
		}
		var err error
		switch a {
		case "-e":
			o.program, err = value()
			o.hasProg = true
		case "-c":
			o.cmd, err = value()
		case "-p":
			var v string
			if v, err = value(); err == nil {
				o.pid, err = strconv.Atoi(v)
			}
		case "-o":
			o.outFile, err = value()
		case "-f":
			o.format, err = value()
			if err == nil && o.format != "text" && o.format != "json" {
				err = fmt.Errorf("unknown output format %q (text or json)", o.format)
			}
		case "-l":
			o.list = true
		case "-d", "-dd":
			o.dump = true
		case "-v":
			o.verbose = true
		case "--unsafe":
			o.unsafe = true
		case "-h", "--help":
			return nil, errors.New(usage)
		case "--":
			pos = append(pos, args[i+1:]...)
			i = len(args)
		default:
			if strings.HasPrefix(a, "-") && len(a) > 1 && len(pos) == 0 {
				return nil, fmt.Errorf("unknown option %s\n%s", a, usage)
			}
			pos = append(pos, a)
		}
		if err != nil {
			return nil, err
		}
	}
	if o.list {
		if len(pos) > 0 {
			o.listPat = pos[0]
		}
		return o, nil
	}
	if !o.hasProg {
		if len(pos) == 0 {
			return nil, errors.New("no program given\n" + usage)
		}
		b, err := os.ReadFile(pos[0])
		if err != nil {
			return nil, err
		}
		o.program, o.name = string(b), pos[0]
		pos = pos[1:]
	}
	o.params = pos
	return o, nil
}

// Main runs `gbpf trace` with the arguments that follow "trace" on the
// command line and returns the exit status. Output goes to stdout (or the
// -o file), diagnostics to stderr.
func Main(args []string, stdout, stderr io.Writer) int {
	o, err := parseArgs(args)
	if err != nil {
		fmt.Fprintf(stderr, "ERROR: %v\n", err)
		return 1
	}
	if o.outFile != "" {
		f, err := os.Create(o.outFile)
		if err != nil {
			fmt.Fprintf(stderr, "ERROR: %v\n", err)
			return 1
		}
		defer f.Close()
		stdout = f
	}
	if o.list {
		return list(o.listPat, stdout, stderr)
	}
	if err := run(o, stdout, stderr); err != nil {
		var le *lang.Error
		if errors.As(err, &le) {
			fmt.Fprint(stderr, le.String())
		} else {
			msg := err.Error()
			if !strings.Contains(msg, "ERROR:") {
				msg = "ERROR: " + msg
			}
			fmt.Fprintln(stderr, msg)
		}
		return 1
	}
	return 0
}

// list prints the tracepoints matching pattern, as `bpftrace -l` does,
// or the functions of a binary for uprobe:BINARY:PATTERN.
func list(pattern string, stdout, stderr io.Writer) int {
	if prov, rest, ok := strings.Cut(pattern, ":"); ok && (prov == "uprobe" || prov == "uretprobe" || prov == "u" || prov == "ur") {
		return listUprobes(prov, rest, stdout, stderr)
	} else if ok && (prov == "usdt" || prov == "U") {
		return listUSDT(rest, stdout, stderr)
	}
	if err := ensureTracefs(tracefsDir); err != nil {
		fmt.Fprintf(stderr, "ERROR: %v\n", err)
		return 1
	}
	catPat, namePat := "*", "*"
	if pattern != "" {
		p := pattern
		if prov, rest, ok := strings.Cut(p, ":"); ok && (prov == "tracepoint" || prov == "t") {
			p = rest
		} else if ok && strings.Count(p, ":") >= 2 {
			// Another provider (kprobe:..., uprobe:...): no tracepoints.
			return 0
		}
		c, n, ok := strings.Cut(p, ":")
		if ok {
			catPat, namePat = c, n
		} else {
			catPat, namePat = "*", p
			if p == "*" {
				catPat = "*"
			}
		}
	}
	names, err := listTracepoints(tracefsDir, catPat, namePat)
	if err != nil {
		fmt.Fprintf(stderr, "ERROR: %v\n", err)
		return 1
	}
	var b strings.Builder
	for _, n := range names {
		b.WriteString("tracepoint:" + n + "\n")
	}
	io.WriteString(stdout, b.String())
	return 0
}

func run(o *options, stdout, stderr io.Writer) error {
	prog, err := lang.Parse(o.name, o.program)
	if err != nil {
		return err
	}
	if usesTracefs(prog) {
		if err := ensureTracefs(tracefsDir); err != nil {
			return err
		}
	}
	ct := newCTypes(tracefsDir)
	warnings, err := lang.Check(prog, lang.Options{Params: o.params, Unsafe: o.unsafe, CTypes: ct})
	if err != nil {
		return err
	}
	for _, w := range warnings {
		fmt.Fprint(stderr, prog.Source.Render(w))
	}
	c, err := newCompiler(prog, o.params)
	if err != nil {
		return err
	}
	c.ctypes = ct
	c.selfPid = os.Getpid()
	var ts unixTime
	c.startNs = ts.monotonicNs()
	monoToWall.Store(time.Now().UnixNano() - c.startNs)
	s := &session{c: c, out: stdout, errOut: stderr, exitCh: make(chan struct{}), json: o.format == "json", ringSize: 1 << 22}
	if o.ringSize != 0 {
		s.ringSize = o.ringSize
	}
	s.pid = o.pid
	if o.dump {
		progs, err := c.compileAll()
		if err != nil {
			return err
		}
		for _, p := range progs {
			fmt.Fprintf(stdout, "%s:\n%s\n", p.Point.Name, asm.Disassemble(p.Insns, asm.Kernel))
		}
		return nil
	}
	if err := s.createMaps(); err != nil {
		return err
	}
	progs, err := c.compileAll()
	if err != nil {
		return err
	}
	if err := s.load(progs, o.verbose); err != nil {
		return err
	}
	rd, err := ringbuf.NewReader(s.ring)
	if err != nil {
		return err
	}
	defer rd.Close()
	n := len(progs) - s.skipped
	if n == 0 {
		return errors.New("No probes to attach")
	}
	if s.json {
		s.write(fmt.Sprintf("{\"type\": \"attached_probes\", \"data\": {\"probes\": %d}}\n", n))
	} else if n == 1 {
		s.write("Attaching 1 probe...\n")
	} else {
		s.write(fmt.Sprintf("Attaching %d probes...\n", n))
	}
	var stopMu sync.Mutex
	stopping := false
	readerDone := make(chan struct{})
	go s.readEvents(rd, &stopping, &stopMu, readerDone)

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)

	if err := runSpecial(s.begin); err != nil {
		return fmt.Errorf("running BEGIN: %w", err)
	}
	if err := s.attach(); err != nil {
		s.detach()
		return err
	}
	if err := s.runIterators(); err != nil {
		s.detach()
		return err
	}
	var cmdDone chan struct{}
	if o.cmd != "" {
		words := strings.Fields(o.cmd)
		cmd := exec.Command(words[0], words[1:]...)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
		if err := cmd.Start(); err != nil {
			s.detach()
			return fmt.Errorf("starting %q: %w", o.cmd, err)
		}
		cmdDone = make(chan struct{})
		go func() { cmd.Wait(); close(cmdDone) }()
	}
	var pidDone chan struct{}
	if o.pid > 0 {
		pidDone = make(chan struct{})
		go func() {
			for processAlive(o.pid) {
				time.Sleep(50 * time.Millisecond)
			}
			close(pidDone)
		}()
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
wait:
	for {
		select {
		case <-sigs:
			break wait
		case <-s.exitCh:
			break wait
		case <-cmdDone:
			break wait
		case <-pidDone:
			break wait
		case <-tick.C:
			s.checkLost()
			if s.exitRequested() {
				break wait
			}
		}
	}
	s.detach()
	endErr := runSpecial(s.end)
	stopMu.Lock()
	stopping = true
	stopMu.Unlock()
	rd.Flush()
	<-readerDone
	s.checkLost()
	s.printAll()
	if endErr != nil {
		return fmt.Errorf("running END: %w", endErr)
	}
	return nil
}

// usesTracefs says whether a program has probes that tracefs describes.
func usesTracefs(prog *lang.Program) bool {
	for _, p := range prog.Probes {
		for _, sp := range p.Specs {
			switch sp.Provider {
			case "tracepoint", "kprobe", "kretprobe":
				return true
			}
		}
	}
	return false
}

// listUprobes prints uprobe:PATH:FUNC for every function of the binary in
// target ("BINARY:PATTERN", the pattern a glob; "*" without one).
func listUprobes(prov, target string, stdout, stderr io.Writer) int {
	bin, pat, ok := strings.Cut(target, ":")
	if !ok {
		pat = "*"
	}
	path, err := resolveUprobeTarget(bin)
	if err != nil {
		fmt.Fprintf(stderr, "ERROR: %s: %v\n", bin, err)
		return 1
	}
	names, err := binaryFunctions(path)
	if err != nil {
		fmt.Fprintf(stderr, "ERROR: %v\n", err)
		return 1
	}
	if prov == "u" || prov == "uprobe" {
		prov = "uprobe"
	} else {
		prov = "uretprobe"
	}
	var b strings.Builder
	for _, n := range names {
		if ok, _ := filepath.Match(pat, n); ok {
			b.WriteString(prov + ":" + path + ":" + n + "\n")
		}
	}
	io.WriteString(stdout, b.String())
	return 0
}

// listUSDT prints usdt:PATH:PROVIDER:NAME for the SDT probes of the binary
// in target ("BINARY[:PROVIDER][:NAME]", globs).
func listUSDT(target string, stdout, stderr io.Writer) int {
	parts := strings.Split(target, ":")
	provPat, namePat := "*", "*"
	switch len(parts) {
	case 2:
		namePat = parts[1]
	case 3:
		provPat, namePat = parts[1], parts[2]
	}
	path, err := resolveUprobeTarget(parts[0])
	if err != nil {
		fmt.Fprintf(stderr, "ERROR: %s: %v\n", parts[0], err)
		return 1
	}
	probes, err := matchUSDT(path, provPat, namePat)
	if err != nil {
		fmt.Fprintf(stderr, "ERROR: %v\n", err)
		return 1
	}
	var b strings.Builder
	seen := map[string]bool{}
	for _, p := range probes {
		line := "usdt:" + path + ":" + p.Provider + ":" + p.Name + "\n"
		if !seen[line] {
			seen[line] = true
			b.WriteString(line)
		}
	}
	io.WriteString(stdout, b.String())
	return 0
}
