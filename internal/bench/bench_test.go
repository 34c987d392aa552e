package bench

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"text/tabwriter"

	"github.com/gbpf/gbpf/internal/bench/native"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/vm"
)

var (
	update = flag.Bool("update", false, "rewrite testdata/results.golden")
	report = flag.Bool("report", false, "TestReport: benchmark every workload and print the comparison table")
	rounds = flag.Int("rounds", 3, "TestReport: measurements per program and side; the fastest counts")
)

// missing skips the test for a missing tool or input, or fails it under
// CI=true, where everything the tests need is installed.
func missing(tb testing.TB, format string, args ...any) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatalf(format, args...)
	}
	tb.Skipf(format, args...)
}

// compiled is one workload ready to run on both sides.
type compiled struct {
	Workload
	prog   *vm.Program
	insns  int                     // static instruction count
	native func(mem []byte) uint64 // nil without cgo
}

// compileAll compiles every workload with clang into a temporary directory,
// extracts prog() from each object and loads it with no instruction budget.
func compileAll(tb testing.TB) []compiled {
	tb.Helper()
	dir := tb.TempDir()
	var out []compiled
	for _, w := range Workloads {
		obj, err := Compile(SourcePath(".", w.Name), dir)
		if errors.Is(err, ErrNoClang) {
			missing(tb, "the eBPF side needs %s: %v", Clang, err)
		}
		if err != nil {
			tb.Fatal(err)
		}
		insns, err := Function(obj, "prog")
		if err != nil {
			tb.Fatal(err)
		}
		// The workloads are instruction-set benchmarks; some loop over
		// whole buffers past the verifier's complexity limit (log2 does).
		// All run unverified, in checked mode, so that they compare alike.
		prog, err := vm.Load(insns, vm.Options{NoLimit: true, Unverified: true})
		if err != nil {
			tb.Fatalf("%s: load: %v", w.Name, err)
		}
		f, _ := native.Func(w.Name)
		out = append(out, compiled{Workload: w, prog: prog, insns: len(insns), native: f})
	}
	return out
}

// result is one line of testdata/results.golden.
type result struct {
	r0    uint64
	insns uint64 // executed instructions of one run
}

const goldenPath = "testdata/results.golden"

func readGolden(t *testing.T) map[string]result {
	t.Helper()
	data, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]result{}
	for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if len(f) != 3 {
			t.Fatalf("%s:%d: want 3 fields (name r0 insns), got %q", goldenPath, i+1, line)
		}
		r0, err1 := strconv.ParseUint(f[1], 0, 64)
		n, err2 := strconv.ParseUint(f[2], 10, 64)
		if err := errors.Join(err1, err2); err != nil {
			t.Fatalf("%s:%d: %v", goldenPath, i+1, err)
		}
		out[f[0]] = result{r0: r0, insns: n}
	}
	return out
}

// TestWorkloads runs every workload once on gbpf and natively: both must
// return the same r0 and leave the same memory, and r0 and the executed
// instruction count must match testdata/results.golden (go test -update
// rewrites it).
func TestWorkloads(t *testing.T) {
	ws := compileAll(t)
	golden := readGolden(t)
	var buf bytes.Buffer
	buf.WriteString("# workload r0 executed-insns (clang-19 -O2 -target bpf, inputs from bench.go)\n")
	for _, w := range ws {
		t.Run(w.Name, func(t *testing.T) {
			in := w.Input()
			vmMem := bytes.Clone(in)
			st, err := w.prog.RunStats(vmMem)
			if err != nil {
				t.Fatalf("gbpf: %v", err)
			}
			if w.native != nil {
				natMem := bytes.Clone(in)
				if got := w.native(natMem); got != st.R0 {
					t.Errorf("r0: gbpf %#x, native %#x", st.R0, got)
				}
				if i := firstDiff(vmMem, natMem); i >= 0 {
					t.Errorf("memory differs at byte %d: gbpf %#02x, native %#02x", i, vmMem[i], natMem[i])
				}
			}
			if w.Name == "memcpy" && !bytes.Equal(vmMem[:w.Size/2], vmMem[w.Size/2:]) {
				t.Errorf("memcpy: second half is not a copy of the first")
			}
			if w.Name != "memcpy" && !bytes.Equal(vmMem, in) {
				t.Errorf("%s changed its read-only input at byte %d", w.Name, firstDiff(vmMem, in))
			}
			fmt.Fprintf(&buf, "%s %#x %d\n", w.Name, st.R0, st.Insns)
			if *update {
				return
			}
			want, ok := golden[w.Name]
			if !ok {
				t.Fatalf("%s has no line for %s (go test -update writes it)", goldenPath, w.Name)
			}
			if st.R0 != want.r0 || st.Insns != want.insns {
				t.Errorf("r0 %#x after %d insns, golden file says %#x after %d", st.R0, st.Insns, want.r0, want.insns)
			}
			if w.native == nil {
				missing(t, "checked gbpf against %s only: the native side needs cgo (CGO_ENABLED=1 and gcc)", goldenPath)
			}
		})
	}
	if *update {
		if err := os.WriteFile(goldenPath, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// firstDiff returns the first index where a and b differ, or -1.
func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

// TestFunction checks the ELF extraction against its failure modes.
func TestFunction(t *testing.T) {
	dir := t.TempDir()
	obj, err := Compile(SourcePath(".", "sum"), dir)
	if errors.Is(err, ErrNoClang) {
		missing(t, "needs %s: %v", Clang, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "calls.c")
	src := "int g;\nstatic __attribute__((noinline)) int f(int x) { return x * g; }\nint prog(int x) { return f(x) + 1; }\n"
	if err := os.WriteFile(bad, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	badObj, err := Compile(bad, dir)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		obj, name, err string
	}{
		{obj: obj, name: "prog"},
		{obj: obj, name: "nope", err: `no function symbol "nope"`},
		{obj: badObj, name: "prog", err: "target slot 3 is outside the function's 3 slots"},
		{obj: badObj, name: "f", err: "relocation at byte 0x18 (insn slot 0)"},
		{obj: filepath.Join(dir, "absent.o"), name: "prog", err: "no such file"},
		{obj: SourcePath(".", "sum"), name: "prog", err: "bad magic"},
	}
	for _, tc := range tests {
		t.Run(filepath.Base(tc.obj)+":"+tc.name, func(t *testing.T) {
			insns, err := Function(tc.obj, tc.name)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			last := insns[len(insns)-1]
			if last.OpCode != isa.OpExit {
				t.Errorf("last instruction %v, want exit", last)
			}
		})
	}
}

// TestCompileError checks that a clang failure names the file and says why.
func TestCompileError(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "broken.c")
	if err := os.WriteFile(src, []byte("int prog(void) { return }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Compile(src, dir)
	if errors.Is(err, ErrNoClang) {
		missing(t, "needs %s: %v", Clang, err)
	}
	if err == nil || !strings.Contains(err.Error(), "broken.c") || !strings.Contains(err.Error(), "expected expression") {
		t.Fatalf("error %v, want one naming broken.c and the syntax error", err)
	}
}

// TestInputsDeterministic checks that inputs do not change between calls and
// have the shapes the workloads rely on.
func TestInputsDeterministic(t *testing.T) {
	for _, w := range Workloads {
		a, b := w.Input(), w.Input()
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two inputs differ", w.Name)
		}
		if len(a) != w.Size || bytes.Count(a, []byte{0}) == len(a) {
			t.Errorf("%s: input of %d bytes is empty or all zero", w.Name, len(a))
		}
	}
	strs := Workloads[3]
	if strs.Name != "strcmp" {
		t.Fatalf("Workloads[3] is %s, want strcmp", strs.Name)
	}
	mem := strs.Input()
	half := len(mem) / 2
	equal := 0
	for off := 0; off+64 <= half; off += 64 {
		if bytes.Equal(mem[off:off+64], mem[half+off:half+off+64]) {
			equal++
		}
	}
	if records := half / 64; equal < records/3 || equal > 2*records/3 {
		t.Errorf("strcmp: %d of %d record pairs equal, want about half", equal, records)
	}
}

// runGbpf is the body of a gbpf benchmark: it reports ns/op, allocations and
// ns per executed instruction.
func runGbpf(b *testing.B, prog *vm.Program, mem []byte) {
	st, err := prog.RunStats(mem)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := prog.Run(mem); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(st.Insns), "ns/insn")
	b.ReportMetric(float64(st.Insns), "insns/op")
}

// runNative is the body of a native benchmark.
func runNative(b *testing.B, f func([]byte) uint64, mem []byte) {
	b.ReportAllocs()
	for b.Loop() {
		f(mem)
	}
}

// BenchmarkWorkloads runs every workload on gbpf's interpreter and natively.
// The native time includes one cgo call; BenchmarkCgoCall measures that.
func BenchmarkWorkloads(b *testing.B) {
	for _, w := range compileAll(b) {
		b.Run(w.Name+"/gbpf", func(b *testing.B) { runGbpf(b, w.prog, w.Input()) })
		if w.native != nil {
			b.Run(w.Name+"/native", func(b *testing.B) { runNative(b, w.native, w.Input()) })
		}
	}
}

// BenchmarkCgoCall measures a cgo call of a C function that does nothing:
// the overhead included in every native measurement.
func BenchmarkCgoCall(b *testing.B) {
	f, ok := native.Func("empty")
	if !ok {
		missing(b, "the native side needs cgo (CGO_ENABLED=1 and gcc)")
	}
	runNative(b, f, make([]byte, 64))
}

// conformancePrograms are the conformance tests benchmarked on gbpf alone:
// the ones with loops and the longest-running straight-line ones.
var conformancePrograms = []string{
	"prime", "subnet", "call_local", "alu64-arith", "alu64-bit", "ldxh-all",
	"ldxw-all", "stxb-all", "lock_cmpxchg", "rfc9669_div64", "jeq-reg",
}

// conformanceTest is one line of assembled.jsonl.
type conformanceTest struct {
	Name    string `json:"name"`
	Program string `json:"program"`
	Mem     string `json:"mem"`
	Result  string `json:"result"`
}

// conformance is one benchmarkable conformance program.
type conformance struct {
	name string
	prog *vm.Program
	mem  []byte
	want uint64
}

// loadConformance reads the programs named in conformancePrograms from
// ../shared/conformance/assembled.jsonl (beside the repository) and loads
// them.
func loadConformance(tb testing.TB) []conformance {
	tb.Helper()
	path, err := filepath.Abs("../../../shared/conformance/assembled.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		missing(tb, "../shared/conformance is missing (expected beside the repository): %v", err)
	}
	defer f.Close()
	byName := map[string]conformanceTest{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		var ct conformanceTest
		if err := json.Unmarshal(sc.Bytes(), &ct); err != nil {
			tb.Fatalf("%s:%d: %v", path, line, err)
		}
		byName[ct.Name] = ct
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	var out []conformance
	for _, name := range conformancePrograms {
		ct, ok := byName[name]
		if !ok {
			tb.Fatalf("%s: no test %q", path, name)
		}
		code, err1 := hex.DecodeString(ct.Program)
		mem, err2 := hex.DecodeString(ct.Mem)
		want, err3 := strconv.ParseUint(ct.Result, 0, 64)
		if err := errors.Join(err1, err2, err3); err != nil {
			tb.Fatalf("%s: test %s: %v", path, name, err)
		}
		insns, err := isa.Decode(code)
		if err != nil {
			tb.Fatalf("%s: test %s: %v", path, name, err)
		}
		prog, err := vm.Load(insns, vm.Options{NoLimit: true, MemSize: len(mem)})
		if err != nil {
			tb.Fatalf("%s: test %s: load: %v", path, name, err)
		}
		out = append(out, conformance{name: name, prog: prog, mem: mem, want: want})
	}
	return out
}

// TestConformancePrograms checks that the benchmarked conformance programs
// give their expected results, so the benchmarks measure correct runs.
func TestConformancePrograms(t *testing.T) {
	for _, c := range loadConformance(t) {
		got, err := c.prog.Run(bytes.Clone(c.mem))
		if err != nil || got != c.want {
			t.Errorf("%s: r0 %#x, error %v; want %#x", c.name, got, err, c.want)
		}
	}
}

// BenchmarkConformance runs conformance programs on gbpf, reporting ns per
// executed instruction. Programs that store into their memory start each run
// from the state the previous run left, as with --repeat.
func BenchmarkConformance(b *testing.B) {
	for _, c := range loadConformance(b) {
		b.Run(c.name, func(b *testing.B) { runGbpf(b, c.prog, bytes.Clone(c.mem)) })
	}
}

// row is one line of the report.
type row struct {
	name     string
	insns    uint64
	gbpf     float64 // ns per run
	native   float64 // ns per run, cgo call included; 0 = no native side
	allocs   int64   // allocations per gbpf run
	hasRatio bool
}

// TestReport benchmarks every workload on both sides and the conformance
// programs on gbpf, and prints the table. It runs only with -report (see
// run.sh); -test.benchtime sets the time per measurement, -rounds how many
// measurements per program and side (the fastest counts: the machine may be
// busy with other work).
func TestReport(t *testing.T) {
	if !*report {
		t.Skip("prints the benchmark table only with -report (go test -run TestReport -v ./internal/bench -args -report, or run.sh)")
	}
	if !native.Available {
		missing(t, "the native side needs cgo (CGO_ENABLED=1 and gcc)")
	}
	empty, _ := native.Func("empty")
	cgo := best(func(b *testing.B) { runNative(b, empty, make([]byte, 64)) })

	var rows []row
	for _, w := range compileAll(t) {
		mem := w.Input()
		st, err := w.prog.RunStats(mem)
		if err != nil {
			t.Fatalf("%s: %v", w.Name, err)
		}
		r := row{name: w.Name, insns: st.Insns, gbpf: math.Inf(1), native: math.Inf(1), hasRatio: true}
		for range max(*rounds, 1) { // alternate the sides, so that both see the same machine load
			g := testing.Benchmark(func(b *testing.B) { runGbpf(b, w.prog, mem) })
			n := testing.Benchmark(func(b *testing.B) { runNative(b, w.native, mem) })
			r.gbpf, r.native = min(r.gbpf, nsPerOp(g)), min(r.native, nsPerOp(n))
			r.allocs = max(r.allocs, g.AllocsPerOp())
		}
		rows = append(rows, r)
	}
	for _, c := range loadConformance(t) {
		mem := bytes.Clone(c.mem)
		st, err := c.prog.RunStats(mem)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		r := row{name: "conformance/" + c.name, insns: st.Insns, gbpf: math.Inf(1)}
		for range max(*rounds, 1) {
			g := testing.Benchmark(func(b *testing.B) { runGbpf(b, c.prog, mem) })
			r.gbpf = min(r.gbpf, nsPerOp(g))
			r.allocs = max(r.allocs, g.AllocsPerOp())
		}
		rows = append(rows, r)
	}
	fmt.Print(formatReport(rows, cgo))
}

// best returns the fastest ns/op of -rounds measurements of f.
func best(f func(b *testing.B)) float64 {
	ns := math.Inf(1)
	for range max(*rounds, 1) {
		ns = min(ns, nsPerOp(testing.Benchmark(f)))
	}
	return ns
}

func nsPerOp(r testing.BenchmarkResult) float64 {
	if r.N == 0 {
		return math.NaN()
	}
	return float64(r.T.Nanoseconds()) / float64(r.N)
}

// formatReport renders the table. The ratio divides the gbpf time by the
// native time minus the cost of an empty cgo call.
func formatReport(rows []row, cgo float64) string {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', tabwriter.AlignRight)
	width := len("program")
	for _, r := range rows {
		width = max(width, len(r.name))
	}
	fmt.Fprintf(tw, "%-*s\texecuted insns\tns/insn\tgbpf ns/run\tallocs/run\tnative ns/run\tratio\t\n", width, "program")
	logSum, count := 0.0, 0
	for _, r := range rows {
		nat, ratio := "-", "-"
		if r.hasRatio {
			net := r.native - cgo
			q := r.gbpf / net
			nat = fmt.Sprintf("%.0f", net)
			ratio = fmt.Sprintf("%.1fx", q)
			logSum += math.Log(q)
			count++
		}
		fmt.Fprintf(tw, "%-*s\t%d\t%.2f\t%.0f\t%d\t%s\t%s\t\n",
			width, r.name, r.insns, r.gbpf/float64(r.insns), r.gbpf, r.allocs, nat, ratio)
	}
	tw.Flush()
	if count > 0 {
		fmt.Fprintf(&buf, "geometric mean of the ratios over %d workloads: %.1fx native\n", count, math.Exp(logSum/float64(count)))
	}
	fmt.Fprintf(&buf, "native ns/run excludes the cgo call (%.1f ns, an empty C function, measured in the same run)\n", cgo)
	return buf.String()
}

// TestFormatReport checks the table against a golden file.
func TestFormatReport(t *testing.T) {
	rows := []row{
		{name: "a", insns: 1000, gbpf: 2000, native: 110, hasRatio: true},
		{name: "b", insns: 500, gbpf: 4000, native: 1010, allocs: 1, hasRatio: true},
		{name: "conformance/c", insns: 40, gbpf: 80},
	}
	got := formatReport(rows, 10)
	const path = "testdata/report.golden"
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("report:\n%s\nwant (%s):\n%s", got, path, want)
	}
	// a: 2000/100 = 20x; b: 4000/1000 = 4x; geometric mean sqrt(80) = 8.9x.
	if !strings.Contains(got, "20.0x") || !strings.Contains(got, "over 2 workloads: 8.9x") {
		t.Errorf("report lacks the expected ratios:\n%s", got)
	}
}
