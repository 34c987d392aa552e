package runtimediff

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/ringbuf"
	"golang.org/x/sys/unix"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/object"
	"github.com/gbpf/gbpf/pcap"
	"github.com/gbpf/gbpf/vm"
)

// captureFile holds the packets every packet program is fed.
const captureFile = "../../../shared/pcap/captures/merged-en10mb.pcap"

// maxPackets is how many packets of captureFile one input sequence holds.
const maxPackets = 200

// maxPacket is the longest packet of the main input sequence; longer ones
// (up to maxJumbo) go to the jumbo sequence.
const (
	maxPacket = 1500
	maxJumbo  = 9000
	maxJumbos = 20
)

// repeatEvery makes every repeatEvery-th packet a test run with repeat 3.
const repeatEvery = 7

var flagDump = flag.Bool("runtimediff.dump", false, "log the kernel's map dumps of every program")

// maxReports bounds the run mismatches reported per program.
const maxReports = 5

// input is one BPF_PROG_TEST_RUN: a packet, or a context buffer for the
// syscall program type.
type input struct {
	data   []byte
	ctx    []byte
	repeat int // BPF_PROG_TEST_RUN's repeat; 0 counts as 1
}

// corpusCase is one program of the corpus and the inputs it runs on.
type corpusCase struct {
	file   string                     // C file under testdata/
	prog   string                     // entry function
	inputs func(t *testing.T) []input // the input sequence; nil = the capture's packets
	// known names a mismatch with the kernel that gbpf has not fixed yet:
	// the case then skips, quoting the differences, instead of failing.
	known string
	// name tells apart cases of the same program on other inputs.
	name string
	// setup, when set, stores the same elements in both sides' maps
	// before the runs (for maps user space fills, such as devmaps).
	setup func(t *testing.T, g *object.Collection, k *ebpf.Collection)
}

// corpus lists the programs compared, in order.
var corpus = []corpusCase{
	{file: "xdp_rewrite.c", prog: "xdp_rewrite"},
	{file: "skb.c", prog: "socket_count"},
	{file: "skb.c", prog: "tc_classify"},
	{file: "counters.c", prog: "xdp_counters"},
	{file: "queues.c", prog: "xdp_queues"},
	{file: "tailcall.c", prog: "xdp_chain"},
	{file: "tailcall.c", prog: "xdp_selfloop"},
	{file: "subtail.c", prog: "xdp_subtail"},
	{file: "mapinmap.c", prog: "xdp_mapinmap"},
	{file: "globals.c", prog: "xdp_globals"},
	{file: "adjust.c", prog: "xdp_adjust"},
	{file: "syscall.c", prog: "syscall_strings", inputs: syscallInputs},
	{file: "syscall.c", prog: "syscall_formats", inputs: syscallInputs},
	{file: "syscall.c", prog: "syscall_char", inputs: syscallInputs},
	{file: "skbctx.c", prog: "tc_ctx", inputs: withContext(skBuffSize)},
	{file: "skbctx.c", prog: "socket_ctx", inputs: withContext(skBuffSize)},
	{file: "skbctx.c", prog: "xdp_meta", inputs: withContext(24)},
	{file: "edges.c", prog: "xdp_edges"},
	{file: "edges.c", prog: "xdp_output_edges"},
	{file: "edges.c", prog: "xdp_loop_limit"},
	{file: "csum.c", prog: "tc_csum"},
	{file: "xdp_rewrite.c", prog: "xdp_rewrite", name: "jumbo", inputs: jumboPackets},
	{file: "skb.c", prog: "socket_count", name: "jumbo", inputs: jumboPackets},
	{file: "adjust.c", prog: "xdp_adjust", name: "jumbo", inputs: jumboPackets},
	// Eviction in full LRU hash maps: gbpf follows the kernel's bpf_lru_list
	// given the CPU, and both sides run on CPU 0 (see pinCPU0).
	{file: "lru.c", prog: "xdp_lru"},
	{file: "redirect.c", prog: "xdp_redirect", setup: redirectTargets},
	{file: "current.c", prog: "syscall_current", inputs: func(*testing.T) []input { return []input{{ctx: make([]byte, 8)}, {ctx: make([]byte, 8)}} }},
}

// redirectTargets fills testdata/redirect.c's maps: devs[1] and devh[7]
// name the loopback interface, cpus[0] gets a queue.
func redirectTargets(t *testing.T, g *object.Collection, k *ebpf.Collection) {
	t.Helper()
	lo := make([]byte, 8)
	binary.LittleEndian.PutUint32(lo, 1)
	qsize := make([]byte, 8)
	binary.LittleEndian.PutUint32(qsize, 64)
	for _, e := range []struct {
		m   string
		key uint32
		val []byte
	}{{"devs", 1, lo[:4]}, {"devh", 7, lo}, {"cpus", 0, qsize}} {
		if err := k.Maps[e.m].Update(e.key, e.val, ebpf.UpdateAny); err != nil {
			t.Fatalf("kernel %s: %v", e.m, err)
		}
		if err := g.Maps[e.m].Update(e.key, e.val, maps.UpdateAny); err != nil {
			t.Fatalf("gbpf %s: %v", e.m, err)
		}
	}
}

// withContext returns the input sequence of the capture's packets, each
// with a context structure of size bytes: for __sk_buff, mark, priority,
// cb[0] and cb[4] derived from the packet's index; other contexts zeroed.
func withContext(size int) func(t *testing.T) []input {
	return func(t *testing.T) []input {
		pkts := packets(t)
		out := make([]input, len(pkts))
		for i, p := range pkts {
			ctx := make([]byte, size)
			if size == skBuffSize {
				binary.LittleEndian.PutUint32(ctx[8:], uint32(i*3))    // mark
				binary.LittleEndian.PutUint32(ctx[32:], uint32(i%7))   // priority
				binary.LittleEndian.PutUint32(ctx[48:], uint32(i))     // cb[0]
				binary.LittleEndian.PutUint32(ctx[64:], uint32(i*i+1)) // cb[4]
			}
			out[i] = input{data: p.data, ctx: ctx, repeat: p.repeat}
		}
		return out
	}
}

// skBuffSize is sizeof(struct __sk_buff).
const skBuffSize = 192

// syscallArgsSize is sizeof(struct args) of testdata/syscall.c.
const syscallArgsSize = 32 + 9*8 + 8

// syscallInputs are context buffers for testdata/syscall.c: the text
// field holds a string to compare and parse.
func syscallInputs(*testing.T) []input {
	texts := []string{"1234abcd", "1234abce", "-42", "0x1f", "  77 xyz", "+5", "0777",
		"99999999999999999999", "-9223372036854775808", "", "abc", "\t\n12", "18446744073709551615"}
	var out []input
	for _, s := range texts {
		ctx := make([]byte, syscallArgsSize)
		copy(ctx, s)
		for i := len(s) + 1; i < 32; i++ {
			ctx[i] = byte('a' + i)
		}
		out = append(out, input{ctx: ctx})
	}
	return out
}

// need skips the test when something it needs is missing, or fails it
// under CI=true, where everything is installed.
func need(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true but %v", err)
	}
	t.Skipf("skipping: %v", err)
}

// kernelAvailable reports why the kernel side cannot run, or nil.
func kernelAvailable() error {
	if os.Geteuid() != 0 {
		return errors.New("the kernel side needs root")
	}
	m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 4, MaxEntries: 1})
	if err != nil {
		return fmt.Errorf("bpf() unavailable: %w", err)
	}
	m.Close()
	return nil
}

// compiler compiles the C files of testdata once per test binary.
type compiler struct {
	dir  string
	once sync.Once
	objs map[string]string
	errs map[string]error
}

var cc compiler

// object returns the path of file compiled, compiling every file of the
// corpus in parallel the first time.
func (c *compiler) object(t *testing.T, file string) string {
	t.Helper()
	c.once.Do(func() {
		c.objs, c.errs = map[string]string{}, map[string]error{}
		dir, err := os.MkdirTemp("", "runtimediff")
		if err != nil {
			c.errs[""] = err
			return
		}
		c.dir = dir
		files, _ := filepath.Glob("testdata/*.c")
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, f := range files {
			wg.Add(1)
			go func() {
				defer wg.Done()
				base := filepath.Base(f)
				out := filepath.Join(dir, strings.TrimSuffix(base, ".c")+".o")
				cmd := exec.Command("clang-19", "-O2", "-g", "-target", "bpf",
					"-I/usr/include/"+archTriple(), "-c", f, "-o", out)
				msg, err := cmd.CombinedOutput()
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					c.errs[base] = fmt.Errorf("clang-19 %s: %v\n%s", f, err, msg)
				}
				c.objs[base] = out
			}()
		}
		wg.Wait()
	})
	if err := c.errs[""]; err != nil {
		t.Fatal(err)
	}
	if err := c.errs[file]; err != nil {
		t.Fatal(err)
	}
	return c.objs[file]
}

// archTriple is the Debian multiarch directory of the host's kernel headers.
func archTriple() string {
	switch runtime.GOARCH {
	case "arm64":
		return "aarch64-linux-gnu"
	default:
		return "x86_64-linux-gnu"
	}
}

// packets returns maxPackets packets spread evenly over the capture (which
// merges many captures one after the other, so that its first packets are
// all alike), of those the kernel accepts for a packet test run: at least an
// Ethernet header, at most maxPacket bytes.
func packets(t *testing.T) []input {
	return readPackets(t, 14, maxPacket, maxPackets)
}

// jumboPackets returns up to maxJumbos packets of the capture longer than
// maxPacket: XDP test runs make multi-buffer packets of those over 3520
// bytes, and socket filter and tc test runs refuse those over 3712.
// The longest is also cut to the lengths around both limits.
func jumboPackets(t *testing.T) []input {
	ins := readPackets(t, maxPacket+1, maxJumbo, maxJumbos)
	var longest []byte
	for _, in := range ins {
		if len(in.data) > len(longest) {
			longest = in.data
		}
	}
	for _, n := range []int{3520, 3521, 3712, 3713} {
		if n <= len(longest) {
			ins = append(ins, input{data: longest[:n:n]})
		}
	}
	return ins
}

// readPackets returns n packets spread evenly over the capture, of those
// from min to max bytes long; every repeatEvery-th runs repeatedly.
func readPackets(t *testing.T, min, max, n int) []input {
	t.Helper()
	f, err := os.Open(captureFile)
	need(t, err)
	defer f.Close()
	r, err := pcap.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var all [][]byte
	for {
		p, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Data) < min || len(p.Data) > max {
			continue
		}
		all = append(all, append([]byte(nil), p.Data...))
	}
	var out []input
	if n > len(all) {
		n = len(all)
	}
	for i := 0; i < n; i++ {
		in := input{data: all[i*len(all)/n]}
		if i%repeatEvery == repeatEvery-1 {
			// Repeated runs share one packet buffer and one context in
			// the kernel: what a run changes, the next one sees.
			in.repeat = 3
		}
		out = append(out, in)
	}
	return out
}

// pinCPU0 runs the calling goroutine on CPU 0 until the returned function
// is called, so that kernel test runs use CPU 0 as gbpf's first execution
// slot does: per-CPU values and bpf_get_smp_processor_id then agree.
func pinCPU0(t *testing.T) func() {
	t.Helper()
	runtime.LockOSThread()
	var old, set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		runtime.UnlockOSThread()
		t.Fatalf("sched_getaffinity: %v", err)
	}
	set.Set(0)
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		runtime.UnlockOSThread()
		t.Fatalf("sched_setaffinity: %v", err)
	}
	return func() {
		unix.SchedSetaffinity(0, &old)
		runtime.UnlockOSThread()
	}
}

// coverage collects the map types and helpers the compared programs use.
type coverage struct {
	mu      sync.Mutex
	maps    map[maps.Type]bool
	helpers map[helpers.ID]bool
}

func (c *coverage) add(spec *object.Spec, ps *object.ProgramSpec) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range spec.Maps {
		c.maps[m.Type] = true
	}
	for _, ins := range ps.Insns {
		if ins.OpCode == isa.OpCall && ins.Src == 0 {
			c.helpers[helpers.ID(ins.Constant)] = true
		}
	}
}

// requiredMaps are the map types the corpus must exercise.
var requiredMaps = []maps.Type{
	maps.Array, maps.PerCPUArray, maps.Hash, maps.PerCPUHash, maps.LRUHash,
	maps.LRUPerCPUHash, maps.LPMTrie, maps.Queue, maps.Stack, maps.BloomFilter,
	maps.RingBuf, maps.PerfEventArray, maps.ProgArray, maps.ArrayOfMaps, maps.HashOfMaps,
	maps.DevMap, maps.DevMapHash, maps.CPUMap, maps.XSKMap,
}

// requiredHelpers are the helpers the corpus must exercise.
var requiredHelpers = []helpers.ID{
	helpers.MapLookupElem, helpers.MapUpdateElem, helpers.MapDeleteElem,
	helpers.KtimeGetNS, helpers.GetSMPProcessorID, helpers.TailCall,
	helpers.SKBStoreBytes, helpers.SKBLoadBytes, helpers.CsumDiff,
	helpers.PerfEventOutput, helpers.XDPAdjustHead, helpers.XDPAdjustTail,
	helpers.MapPushElem, helpers.MapPopElem, helpers.MapPeekElem,
	helpers.SpinLock, helpers.SpinUnlock, helpers.Strtol, helpers.Strtoul,
	helpers.ProbeReadKernel, helpers.RingbufOutput, helpers.RingbufReserve,
	helpers.RingbufSubmit, helpers.RingbufDiscard, helpers.ForEachMapElem,
	helpers.Snprintf, helpers.Loop, helpers.Strncmp, helpers.XDPAdjustMeta,
	helpers.RingbufQuery, helpers.ProbeReadKernelStr,
	helpers.KtimeGetBootNS, helpers.KtimeGetCoarseNS, helpers.Jiffies64, helpers.GetPrandomU32,
	helpers.GetNUMANodeID, helpers.TracePrintk, helpers.GetCurrentPIDTGID, helpers.GetCurrentUIDGID,
	helpers.GetCurrentComm, helpers.ProbeReadUser, helpers.ProbeReadUserStr, helpers.Redirect,
	helpers.RedirectMap,
}

func TestCorpus(t *testing.T) {
	need(t, kernelAvailable())
	if _, err := exec.LookPath("clang-19"); err != nil {
		need(t, fmt.Errorf("clang-19 not found: %w", err))
	}
	if _, err := os.Stat("/usr/include/bpf/bpf_helpers.h"); err != nil {
		need(t, fmt.Errorf("libbpf headers (libbpf-dev) not found: %w", err))
	}
	cov := &coverage{maps: map[maps.Type]bool{}, helpers: map[helpers.ID]bool{}}
	pkts := packets(t)
	ran := 0 // cases that -run did not filter out
	for _, tc := range corpus {
		name := strings.TrimSuffix(tc.file, ".c") + "/" + tc.prog
		if tc.name != "" {
			name += "/" + tc.name
		}
		t.Run(name, func(t *testing.T) {
			ran++
			ins := pkts
			if tc.inputs != nil {
				ins = tc.inputs(t)
			}
			// Both engines run every case against the kernel.
			for _, e := range vm.Engines() {
				t.Run(string(e), func(t *testing.T) { runCase(t, tc, e, ins, cov) })
			}
		})
	}
	t.Run("coverage", func(t *testing.T) {
		if ran < len(corpus) {
			t.Skipf("only %d of the %d cases ran", ran, len(corpus))
		}
		var mt []string
		for typ := range cov.maps {
			mt = append(mt, typ.String())
		}
		sort.Strings(mt)
		var ids []int
		for id := range cov.helpers {
			ids = append(ids, int(id))
		}
		sort.Ints(ids)
		var hs []string
		for _, id := range ids {
			hs = append(hs, fmt.Sprintf("%d %s", id, helpers.ID(id)))
		}
		t.Logf("map types exercised (%d): %s", len(mt), strings.Join(mt, ", "))
		t.Logf("helpers exercised (%d): %s", len(hs), strings.Join(hs, ", "))
		for _, typ := range requiredMaps {
			if cov.maps[typ] {
				continue
			}
			t.Errorf("map type %v is exercised by no program of the corpus", typ)
		}
		for _, id := range requiredHelpers {
			if !cov.helpers[id] {
				t.Errorf("helper %d %v is exercised by no program of the corpus", int(id), id)
			}
		}
	})
}

// runCase runs the input sequence on fresh collections of both sides and
// compares every run and then every map.
func runCase(t *testing.T, tc corpusCase, engine vm.Engine, ins []input, cov *coverage) {
	unpin := pinCPU0(t)
	defer unpin()
	for attempt := 1; ; attempt++ {
		b := load(t, tc.file, tc.prog, tc.known, engine)
		if tc.setup != nil {
			tc.setup(t, b.coll, b.kcoll)
		}
		problems, lines, interrupted := runSequence(t, b, ins)
		if interrupted {
			if attempt < maxAttempts {
				t.Logf("attempt %d: a repeated kernel test run was interrupted by a signal and rerun, "+
					"so the kernel's maps saw extra runs: starting over", attempt)
				continue
			}
			t.Fatalf("%d attempts, each with a repeated kernel test run interrupted by a signal", attempt)
		}
		if tc.known != "" {
			if len(problems) == 0 {
				t.Logf("the known mismatch (%s) no longer shows: remove it from the corpus table", tc.known)
			} else {
				t.Skipf("known mismatch: %s:\n%s", tc.known, strings.Join(problems, "\n"))
			}
		}
		for _, p := range problems {
			t.Error(p)
		}
		if !t.Failed() {
			cov.add(b.spec, b.ps)
			t.Logf("%d inputs, %d maps identical (%d map lines)", len(ins), len(b.spec.Maps), lines)
		}
		return
	}
}

// maxAttempts bounds how often a case starts over after an interrupted
// kernel run.
const maxAttempts = 5

// runSequence runs the inputs on both sides and compares the runs and then
// the maps. interrupted reports that cilium/ebpf had to rerun a repeated
// kernel test run after a signal (EINTR), which makes the kernel's maps see
// more runs than gbpf's.
func runSequence(t *testing.T, b *sides, ins []input) (problems []string, lines int, interrupted bool) {
	spec, coll, gprog, kcoll, kprog := b.spec, b.coll, b.gprog, b.kcoll, b.kprog
	reports := 0
	report := func(format string, args ...any) {
		reports++
		if reports <= maxReports {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	for i, in := range ins {
		if in.data == nil && in.ctx == nil {
			continue
		}
		kret, kdata, kctx, intr, kerr := runKernel(kprog, in)
		if intr {
			return nil, 0, true
		}
		gres, gerr := gprog.TestRun(vm.TestRunOptions{Data: in.data, Context: in.ctx, Repeat: in.repeat})
		switch {
		case kerr != nil || gerr != nil:
			if (kerr == nil) != (gerr == nil) {
				report("input %d: kernel error %v, gbpf error %v", i, kerr, gerr)
			}
			continue
		case kret != gres.Retval:
			report("input %d: return value: kernel %d, gbpf %d", i, kret, gres.Retval)
		}
		if in.data != nil && !bytes.Equal(kdata, gres.DataOut) {
			report("input %d: data out differs:\nkernel %x\ngbpf   %x", i, kdata, gres.DataOut)
		}
		if in.ctx != nil && !bytes.Equal(kctx, gres.ContextOut) {
			report("input %d: context out differs:\nkernel %x\ngbpf   %x", i, kctx, gres.ContextOut)
		}
	}
	if reports > maxReports {
		problems = append(problems, fmt.Sprintf("%d run mismatches in all, %d shown", reports, maxReports))
	}
	diffs, lines := compareMaps(spec, coll, kcoll, t)
	return append(problems, diffs...), lines, false
}

// sides is one program loaded fresh on both sides.
type sides struct {
	spec  *object.Spec
	ps    *object.ProgramSpec
	coll  *object.Collection
	gprog *vm.Program
	kcoll *ebpf.Collection
	kprog *ebpf.Program
}

// load compiles file and loads fresh collections of it on both sides; the
// kernel's is closed when the test ends.
// A gbpf load error skips the test when known names a known mismatch.
func load(t *testing.T, file, prog, known string, engine vm.Engine) *sides {
	t.Helper()
	obj := cc.object(t, file)
	spec, err := object.LoadSpec(obj)
	if err != nil {
		t.Fatalf("gbpf: %v", err)
	}
	ps, err := spec.Program(prog)
	if err != nil {
		t.Fatal(err)
	}
	coll, err := object.NewCollection(spec, object.CollectionOptions{Programs: []string{prog}, Engine: engine})
	if err != nil && known != "" {
		t.Skipf("known mismatch: %s: gbpf: %v", known, err)
	}
	if err != nil {
		t.Fatalf("gbpf: %v", err)
	}
	kspec, err := ebpf.LoadCollectionSpec(obj)
	if err != nil {
		t.Fatalf("kernel: %v", err)
	}
	kcoll, err := ebpf.NewCollection(kspec)
	if err != nil {
		t.Fatalf("kernel: %v", err)
	}
	t.Cleanup(kcoll.Close)
	kprog := kcoll.Programs[prog]
	if kprog == nil {
		t.Fatalf("kernel: no program %s", prog)
	}
	return &sides{spec: spec, ps: ps, coll: coll, gprog: coll.Programs[prog], kcoll: kcoll, kprog: kprog}
}

// runKernel test-runs in on the kernel program. interrupted reports that
// the run was restarted after a signal.
func runKernel(p *ebpf.Program, in input) (ret uint32, data, ctx []byte, interrupted bool, err error) {
	opts := &ebpf.RunOptions{Reset: func() { interrupted = true }}
	if in.ctx != nil {
		opts.Context = in.ctx
		ctx = make([]byte, len(in.ctx))
		opts.ContextOut = ctx
	}
	if in.data != nil {
		opts.Data = in.data
		opts.DataOut = make([]byte, len(in.data)+1024)
	}
	opts.Repeat = uint32(in.repeat)
	ret, err = p.Run(opts)
	return ret, opts.DataOut, ctx, interrupted, err
}

// compareMaps compares the dump of every map of the object.
// It returns the differences found and the number of lines (elements) the
// kernel's dumps hold.
// With -runtimediff.dump, log (when non-nil) gets the kernel's dumps.
func compareMaps(spec *object.Spec, coll *object.Collection, kcoll *ebpf.Collection, log testing.TB) (diffs []string, lines int) {
	for _, ms := range spec.Maps {
		gm := coll.Maps[ms.Name]
		km := kcoll.Maps[ms.Name]
		if km == nil {
			diffs = append(diffs, fmt.Sprintf("map %s: missing on the kernel side", ms.Name))
			continue
		}
		switch ms.Type {
		case maps.BloomFilter, maps.PerfEventArray, maps.XSKMap:
			// Neither side can list these; the programs record what
			// their operations return in other maps.
			continue
		}
		g, err := dumpGbpf(gm)
		if err != nil {
			diffs = append(diffs, fmt.Sprintf("map %s: gbpf: %v", ms.Name, err))
			continue
		}
		k, err := dumpKernel(km, ms)
		if err != nil {
			diffs = append(diffs, fmt.Sprintf("map %s: kernel: %v", ms.Name, err))
			continue
		}
		lines += len(k)
		if *flagDump && log != nil {
			log.Logf("map %s (%v):\n\t%s", ms.Name, ms.Type, strings.Join(k, "\n\t"))
		}
		if d := diffLines(k, g); d != "" {
			diffs = append(diffs, fmt.Sprintf("map %s (%v): contents differ (- kernel, + gbpf):\n%s", ms.Name, ms.Type, d))
		}
	}
	return diffs, lines
}

// dumpGbpf lists a gbpf map in the canonical line form.
func dumpGbpf(m *maps.Map) ([]string, error) {
	switch m.Type() {
	case maps.Queue, maps.Stack:
		vs, err := m.QueueContents()
		return seqLines(vs), err
	case maps.RingBuf:
		vs, err := m.RingBufPending()
		return seqLines(vs), err
	}
	es, err := m.Entries()
	if err != nil {
		return nil, err
	}
	var out []string
	keysOnly := m.Type() == maps.ProgArray || m.Type() == maps.ArrayOfMaps || m.Type() == maps.HashOfMaps
	for _, e := range es {
		switch {
		case keysOnly:
			out = append(out, hex.EncodeToString(e.Key))
		case e.Values != nil:
			out = append(out, perCPULine(e.Key, e.Values))
		default:
			out = append(out, hex.EncodeToString(e.Key)+" => "+hex.EncodeToString(e.Value))
		}
	}
	return out, nil
}

// dumpKernel lists a kernel map in the canonical line form. Queues, stacks
// and ring buffers are consumed.
func dumpKernel(m *ebpf.Map, ms *object.MapSpec) ([]string, error) {
	switch ms.Type {
	case maps.Queue, maps.Stack:
		var vs [][]byte
		for {
			v := make([]byte, ms.ValueSize)
			if err := m.LookupAndDelete(nil, &v); errors.Is(err, ebpf.ErrKeyNotExist) {
				break
			} else if err != nil {
				return nil, err
			}
			vs = append(vs, v)
		}
		return seqLines(vs), nil
	case maps.RingBuf:
		rd, err := ringbuf.NewReader(m)
		if err != nil {
			return nil, err
		}
		defer rd.Close()
		rd.SetDeadline(time.Now())
		var vs [][]byte
		for {
			rec, err := rd.Read()
			if errors.Is(err, os.ErrDeadlineExceeded) {
				break
			} else if err != nil {
				return nil, err
			}
			vs = append(vs, rec.RawSample)
		}
		return seqLines(vs), nil
	}
	keysOnly := ms.Type == maps.ProgArray || ms.Type == maps.ArrayOfMaps || ms.Type == maps.HashOfMaps
	var out []string
	var keys [][]byte
	var prev []byte
	for i := 0; i <= int(ms.MaxEntries); i++ {
		next := make([]byte, ms.KeySize)
		var err error
		if prev == nil {
			err = m.NextKey(nil, &next)
		} else {
			err = m.NextKey(prev, &next)
		}
		if errors.Is(err, ebpf.ErrKeyNotExist) {
			break
		} else if err != nil {
			return nil, err
		}
		keys = append(keys, next)
		prev = next
	}
	sort.Slice(keys, func(i, j int) bool { return bytes.Compare(keys[i], keys[j]) < 0 })
	for _, k := range keys {
		if keysOnly {
			var id uint32
			if err := m.Lookup(k, &id); errors.Is(err, ebpf.ErrKeyNotExist) {
				continue
			} else if err != nil {
				return nil, fmt.Errorf("key %x: %w", k, err)
			}
			out = append(out, hex.EncodeToString(k))
			continue
		}
		if ms.Type == maps.PerCPUArray || ms.Type == maps.PerCPUHash || ms.Type == maps.LRUPerCPUHash {
			vs := make([][]byte, possibleCPUs())
			if err := m.Lookup(k, vs); errors.Is(err, ebpf.ErrKeyNotExist) {
				continue
			} else if err != nil {
				return nil, fmt.Errorf("key %x: %w", k, err)
			}
			out = append(out, perCPULine(k, vs))
			continue
		}
		v := make([]byte, ms.ValueSize)
		if err := m.Lookup(k, &v); errors.Is(err, ebpf.ErrKeyNotExist) {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("key %x: %w", k, err)
		}
		out = append(out, hex.EncodeToString(k)+" => "+hex.EncodeToString(v))
	}
	return out, nil
}

// possibleCPUs is the number of possible CPUs as cilium/ebpf counts them
// for per-CPU values, else as gbpf does.
func possibleCPUs() int {
	n, err := ebpf.PossibleCPU()
	if err != nil {
		return maps.PossibleCPUs()
	}
	return n
}

func perCPULine(key []byte, vs [][]byte) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = hex.EncodeToString(v)
	}
	return hex.EncodeToString(key) + " => [" + strings.Join(parts, " | ") + "]"
}

func seqLines(vs [][]byte) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = fmt.Sprintf("#%d %s", i, hex.EncodeToString(v))
	}
	return out
}

// diffLines returns the lines only in k ("- ") and only in g ("+ "), at
// most 10 of each, or "" when the lists are equal.
func diffLines(k, g []string) string {
	if len(k) == len(g) {
		same := true
		for i := range k {
			if k[i] != g[i] {
				same = false
				break
			}
		}
		if same {
			return ""
		}
	}
	inG := map[string]int{}
	for _, l := range g {
		inG[l]++
	}
	inK := map[string]int{}
	for _, l := range k {
		inK[l]++
	}
	var b strings.Builder
	fmt.Fprintf(&b, "kernel %d lines, gbpf %d lines\n", len(k), len(g))
	n := 0
	for _, l := range k {
		if inG[l] == 0 && n < 10 {
			b.WriteString("- " + l + "\n")
			n++
		}
	}
	n = 0
	for _, l := range g {
		if inK[l] == 0 && n < 10 {
			b.WriteString("+ " + l + "\n")
			n++
		}
	}
	return b.String()
}
