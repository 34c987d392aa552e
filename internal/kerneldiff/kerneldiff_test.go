package kerneldiff

import (
	"bytes"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gbpf/gbpf/internal/progen"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/vm"
)

var (
	flagN    = flag.Int("kerneldiff.n", 3000, "number of random programs to compare, spread over the seeds")
	flagSeed = flag.String("kerneldiff.seed", "", "the random seed (decimal); default: $KERNELDIFF_SEED, else a fresh one")
	flagProg = flag.Int("kerneldiff.prog", -1, "run only this program index of every seed (to replay a failure)")
)

// fixedSeeds are compared on every run, besides the random seed.
var fixedSeeds = []uint64{1, 2, 0x5eed, 20261124}

// maxReports bounds the mismatches reported in detail.
const maxReports = 5

// requireKernel skips the test when the kernel cannot be used, or fails it
// under CI=true, where everything is installed.
func requireKernel(t *testing.T) {
	t.Helper()
	if err := Available(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but the kernel oracle is unavailable: %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
}

// randomSeed returns the seed of this run: -kerneldiff.seed, else
// $KERNELDIFF_SEED, else a fresh random one.
func randomSeed(t *testing.T) uint64 {
	t.Helper()
	s := *flagSeed
	if s == "" {
		s = os.Getenv("KERNELDIFF_SEED")
	}
	if s == "" {
		return rand.Uint64()
	}
	seed, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		t.Fatalf("bad seed %q: %v", s, err)
	}
	return seed
}

// testCase is one generated program with its configuration and input.
type testCase struct {
	seed  uint64
	index int
	cfg   progen.Config
	prog  []isa.Instruction
	mem   []byte
}

// makeCase derives program index of seed: its own PCG stream, so that any
// one program can be replayed alone.
func makeCase(seed uint64, index int) testCase {
	r := rand.New(rand.NewPCG(seed, uint64(index)))
	cfg := progen.Config{
		Insns:        1 + r.IntN(128),
		MemSize:      6 + r.IntN(123), // XDP wants 14 bytes of packet: memory + 8 bytes of r0
		StackSize:    8 * (1 + r.IntN(16)),
		MaxCondJumps: 1 + r.IntN(10),
	}
	if r.IntN(8) == 0 {
		cfg.StackSize = progen.MaxStackSize
	}
	if r.IntN(16) == 0 {
		cfg.MemSize = 6 + r.IntN(2048) // up to a large packet; the program touches it all over
	}
	prog := progen.Generate(r, cfg)
	mem := make([]byte, cfg.MemSize)
	for i := range mem {
		mem[i] = byte(r.Uint32())
	}
	return testCase{seed: seed, index: index, cfg: cfg, prog: prog, mem: mem}
}

// describe is everything needed to understand and replay a case.
func (c testCase) describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "seed %d program %d (replay: go test ./internal/kerneldiff -kerneldiff.seed=%d -kerneldiff.prog=%d)\n",
		c.seed, c.index, c.seed, c.index)
	fmt.Fprintf(&b, "config %+v\nmemory %s\n", c.cfg, hex.EncodeToString(c.mem))
	b.WriteString(listing(c.prog))
	return b.String()
}

// listing is a program as text, one instruction a line with its index.
func listing(prog []isa.Instruction) string {
	var b strings.Builder
	for i, ins := range prog {
		fmt.Fprintf(&b, "%4d: %-40s // %x\n", i, ins, ins.Append(nil))
	}
	return b.String()
}

// outcome is what one engine made of a case.
type outcome struct {
	r0  uint64
	mem []byte
	err error
}

func (o outcome) String() string {
	if o.err != nil {
		return "error: " + o.err.Error()
	}
	return fmt.Sprintf("r0 = %#x, memory %s", o.r0, hex.EncodeToString(o.mem))
}

func (o outcome) equal(p outcome) bool {
	if o.err != nil || p.err != nil {
		return false
	}
	return o.r0 == p.r0 && bytes.Equal(o.mem, p.mem)
}

// runKernel runs prog on a copy of mem in the kernel.
func runKernel(prog []isa.Instruction, mem []byte) outcome {
	res, err := RunKernel(prog, progen.MemReg, mem)
	return outcome{r0: res.R0, mem: res.Mem, err: err}
}

// runVM runs prog on a copy of mem in gbpf's VM with the given engine.
func runVM(prog []isa.Instruction, mem []byte, engine vm.Engine) outcome {
	p, err := vm.Load(prog, vm.Options{Engine: engine, MemSize: len(mem)})
	if err != nil {
		return outcome{err: fmt.Errorf("vm.Load: %w", err)}
	}
	m := append([]byte(nil), mem...)
	r0, err := p.Run(m)
	if err != nil {
		return outcome{err: fmt.Errorf("vm.Run: %w", err)}
	}
	return outcome{r0: r0, mem: m}
}

// memDiff lists the bytes in which two memories differ.
func memDiff(a, b []byte) string {
	if len(a) != len(b) {
		return fmt.Sprintf("lengths differ: %d and %d", len(a), len(b))
	}
	var d []string
	for i := range a {
		if a[i] != b[i] {
			d = append(d, fmt.Sprintf("[%d] %#02x vs %#02x", i, a[i], b[i]))
		}
	}
	return strings.Join(d, ", ")
}

// nop is what the minimiser puts in place of an instruction: gotol +0.
// Not goto +0, which Linux 6.18 deletes early and then removes the wrong
// instructions as dead code (see package progen).
var nop = isa.Instruction{OpCode: isa.OpJA32}

// minimize shrinks a program on which kernel and VM disagree while they
// keep disagreeing, the kernel keeps accepting it and it keeps the
// generator's guarantees (no read of an unwritten stack byte, whose value
// the kernel leaves unspecified, for one): it replaces
// instructions by nops (an lddw by two, so that no jump offset changes),
// then drops the nops, fixing the jumps.
func minimize(prog []isa.Instruction, cfg progen.Config, mem []byte, engine vm.Engine) []isa.Instruction {
	differs := func(p []isa.Instruction) bool {
		if progen.Check(p, cfg) != nil {
			return false
		}
		k := runKernel(p, mem)
		return k.err == nil && !k.equal(runVM(p, mem, engine))
	}
	cur := append([]isa.Instruction(nil), prog...)
	for changed := true; changed; {
		changed = false
		for i := len(cur) - 2; i >= 0; i-- { // the exit stays
			if cur[i] == nop {
				continue
			}
			try := append([]isa.Instruction(nil), cur[:i]...)
			try = append(try, nop)
			if cur[i].IsLoadImm64() {
				try = append(try, nop)
			}
			try = append(try, cur[i+1:]...)
			if differs(try) {
				cur, changed = try, true
			}
		}
	}
	if small := dropNops(cur); differs(small) {
		return small
	}
	return cur
}

// dropNops removes the nops of prog and retargets its jumps: a jump to a
// nop goes to the next instruction that remains.
func dropNops(prog []isa.Instruction) []isa.Instruction {
	si := isa.NewSlotIndex(prog)
	newIndex := make([]int, len(prog)+1) // old index -> new index (nops map to what follows)
	n := 0
	for i := range prog {
		newIndex[i] = n
		if prog[i] != nop {
			n++
		}
	}
	newIndex[len(prog)] = n
	var out []isa.Instruction
	var targets []int // new index of each kept jump's target, -1 for non-jumps
	for i, ins := range prog {
		if ins == nop {
			continue
		}
		t := -1
		if ins.IsJump() {
			t = newIndex[si.Index(si.Slot(i)+1+int(ins.JumpOffset()))]
		}
		out = append(out, ins)
		targets = append(targets, t)
	}
	nsi := isa.NewSlotIndex(out)
	for i, t := range targets {
		if t < 0 {
			continue
		}
		off := nsi.Slot(t) - nsi.Slot(i) - 1
		if out[i].OpCode == isa.OpJA32 {
			out[i].Constant = int64(off)
		} else {
			out[i].Offset = int16(off)
		}
	}
	return out
}

// TestKernelVsVM runs random programs in the kernel and in every engine of
// gbpf's VM (vm.Engines: the interpreter, and the JIT once it exists) and
// compares r0 and the memory after the run.
func TestKernelVsVM(t *testing.T) {
	requireKernel(t)
	seed := randomSeed(t)
	engines := vm.Engines()
	t.Logf("random seed %d (replay with -kerneldiff.seed=%d or KERNELDIFF_SEED=%d)", seed, seed, seed)
	seeds := append(append([]uint64(nil), fixedSeeds...), seed)
	perSeed := max(1, *flagN/len(seeds))

	type job struct {
		seed  uint64
		index int
	}
	jobs := make(chan job)
	var (
		mu                               sync.Mutex
		compared, mismatches, rejections atomic.Int64
		reports                          []string
	)
	report := func(s string) {
		mu.Lock()
		defer mu.Unlock()
		if len(reports) < maxReports {
			reports = append(reports, s)
		}
	}
	start := time.Now()
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for j := range jobs {
				c := makeCase(j.seed, j.index)
				k := runKernel(c.prog, c.mem)
				var rej *RejectedError
				if errors.As(k.err, &rej) {
					rejections.Add(1)
					report(fmt.Sprintf("kernel verifier rejected a generated program (a generator bug): %v\n%s\nverifier log (tail):\n%s",
						rej.Err, c.describe(), tail(rej.Log, 40)))
					continue
				}
				if k.err != nil {
					mismatches.Add(1)
					report(fmt.Sprintf("kernel run failed: %v\n%s", k.err, c.describe()))
					continue
				}
				compared.Add(1)
				for _, e := range engines {
					v := runVM(c.prog, c.mem, e)
					if k.equal(v) {
						continue
					}
					if mismatches.Add(1) > maxReports {
						continue // minimising is slow; only the reported ones
					}
					msg := fmt.Sprintf("kernel and vm engine %s disagree\n%s\nkernel: %s\n%-6s: %s\n", e, c.describe(), k, e, v)
					if v.err == nil && k.r0 != v.r0 {
						msg += fmt.Sprintf("r0 differs: kernel %#x, %s %#x\n", k.r0, e, v.r0)
					}
					if v.err == nil && !bytes.Equal(k.mem, v.mem) {
						msg += "memory differs (kernel vs " + string(e) + "): " + memDiff(k.mem, v.mem) + "\n"
					}
					small := minimize(c.prog, c.cfg, c.mem, e)
					ks, vs := runKernel(small, c.mem), runVM(small, c.mem, e)
					msg += fmt.Sprintf("minimised program:\n%skernel: %s\n%-6s: %s", listing(small), ks, e, vs)
					report(msg)
				}
			}
		})
	}
	for _, s := range seeds {
		if *flagProg >= 0 {
			jobs <- job{s, *flagProg}
			continue
		}
		for i := range perSeed {
			jobs <- job{s, i}
		}
	}
	close(jobs)
	wg.Wait()

	t.Logf("compared %d programs with engines %v (seeds %v, %d each) in %v: %d mismatches, %d kernel verifier rejections",
		compared.Load(), engines, seeds, perSeed, time.Since(start).Round(time.Millisecond), mismatches.Load(), rejections.Load())
	for _, r := range reports {
		t.Error(r)
	}
	if n := mismatches.Load() + rejections.Load(); n > 0 {
		t.Errorf("%d failures (random seed %d; details of the first %d above)", n, seed, min(int(n), maxReports))
	}
}

// TestKernelDeterministic checks the kernel half on its own: generated
// programs are accepted, and running one twice on the same input gives the
// same r0 and memory.
func TestKernelDeterministic(t *testing.T) {
	requireKernel(t)
	for i := range 50 {
		c := makeCase(99, i)
		prog, err := Load(c.prog, progen.MemReg, len(c.mem))
		if err != nil {
			var rej *RejectedError
			if errors.As(err, &rej) {
				t.Fatalf("%v\n%s\nverifier log (tail):\n%s", err, c.describe(), tail(rej.Log, 40))
			}
			t.Fatalf("%v\n%s", err, c.describe())
		}
		a, errA := Run(prog, c.mem)
		b, errB := Run(prog, c.mem)
		prog.Close()
		if errA != nil || errB != nil {
			t.Fatalf("runs failed: %v, %v\n%s", errA, errB, c.describe())
		}
		if a.R0 != b.R0 || !bytes.Equal(a.Mem, b.Mem) {
			t.Fatalf("two runs differ: r0 %#x vs %#x, memory %s\n%s", a.R0, b.R0, memDiff(a.Mem, b.Mem), c.describe())
		}
	}
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
