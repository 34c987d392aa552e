package selftests

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf"

	"github.com/gbpf/gbpf/verifier"
	"golang.org/x/sys/unix"
)

// skipOrFail skips with reason, or fails when CI=true.
func skipOrFail(t *testing.T, reason string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true but %s", reason)
	}
	t.Skip(reason)
}

// progType maps a section name to the program type gbpf verifies it as.
func progType(section string) (verifier.ProgType, bool) {
	section = strings.TrimPrefix(section, "?")
	if strings.HasPrefix(section, "raw_tp/") || strings.HasPrefix(section, "raw_tracepoint/") {
		// Attached to a named tracepoint; the context is the same.
		return verifier.RawTracepoint, true
	}
	switch section {
	case "socket", "socket_filter":
		return verifier.SocketFilter, true
	case "xdp":
		return verifier.XDP, true
	case "tc", "classifier", "tc/ingress", "tc/egress", "tcx/ingress", "tcx/egress":
		return verifier.SchedCLS, true
	case "tracepoint":
		return verifier.Tracepoint, true
	case "kprobe":
		return verifier.Kprobe, true
	case "raw_tp", "raw_tracepoint":
		return verifier.RawTracepoint, true
	}
	return 0, false
}

// knownDifferences reads testdata/known-differences.txt: "file/program"
// followed by the explanation, one per line; # starts a comment.
func knownDifferences(t *testing.T) map[string]string {
	f, err := os.Open("testdata/known-differences.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	known := map[string]string{}
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, why, ok := strings.Cut(line, " ")
		if !ok || strings.TrimSpace(why) == "" {
			t.Fatalf("known-differences.txt: %q has no explanation", line)
		}
		known[key] = strings.TrimSpace(why)
	}
	return known
}

func setup(t *testing.T) *Corpus {
	if _, err := os.Stat(Tarball); err != nil {
		if os.Getenv("CI") == "true" {
			out, err := exec.Command("apt-get", "install", "-y", "linux-source-6.12").CombinedOutput()
			if err != nil {
				t.Fatalf("apt-get install linux-source-6.12: %v\n%s", err, out)
			}
		} else {
			t.Skip(ErrNoSources.Error())
		}
	}
	clang, err := exec.LookPath("clang-19")
	if err != nil {
		skipOrFail(t, "clang-19 is not installed")
	}
	if _, err := exec.LookPath("bpftool"); err != nil {
		skipOrFail(t, "bpftool is not installed")
	}
	if _, err := os.Stat("/sys/kernel/btf/vmlinux"); err != nil {
		skipOrFail(t, "the kernel has no BTF (/sys/kernel/btf/vmlinux) for vmlinux.h")
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		skipOrFail(t, "no user cache directory: "+err.Error())
	}
	c, err := Setup(filepath.Join(cache, "gbpf", "selftests"), clang)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// kernelVerdict loads a program into the running kernel as root, with
// the maps it refers to, and returns its verdict, its own verification time
// and, if rejected, the last line of its log. ok is false if the program
// could not be offered to the kernel's verifier (a map it needs could not
// be created).
func kernelVerdict(p Program) (accepted bool, took time.Duration, reason string, ok bool) {
	spec := p.Spec.Copy()
	spec.Type = ebpf.SocketFilter
	switch pt, _ := progType(p.Section); pt {
	case verifier.XDP:
		spec.Type = ebpf.XDP
	case verifier.SchedCLS:
		spec.Type = ebpf.SchedCLS
	case verifier.Tracepoint:
		spec.Type = ebpf.TracePoint
	case verifier.Kprobe:
		spec.Type = ebpf.Kprobe
	case verifier.RawTracepoint:
		spec.Type = ebpf.RawTracepoint
	}
	spec.License = "GPL"
	if p.StrictAlignment {
		spec.Flags |= unix.BPF_F_STRICT_ALIGNMENT
	}
	// The maps the program refers to, created for this load only.
	for k := range spec.Instructions {
		ins := &spec.Instructions[k]
		if !ins.IsLoadFromMap() {
			continue
		}
		ms, found := p.Collection.Maps[ins.Reference()]
		if !found {
			return false, 0, "", false
		}
		ms = ms.Copy()
		if ms.Type == ebpf.ProgramArray || ms.Type == ebpf.ArrayOfMaps || ms.Type == ebpf.HashOfMaps {
			// Its initial contents name programs or maps of the object.
			ms.Contents = nil
		}
		m, err := ebpf.NewMap(ms)
		if err != nil {
			return false, 0, "", false
		}
		defer m.Close()
		if err := ins.AssociateMap(m); err != nil {
			return false, 0, "", false
		}
	}
	prog, err := ebpf.NewProgramWithOptions(spec, ebpf.ProgramOptions{LogLevel: ebpf.LogLevelStats, LogSizeStart: 1 << 16})
	if err != nil {
		var ve *ebpf.VerifierError
		reason := err.Error()
		if errors.As(err, &ve) {
			for k := len(ve.Log) - 1; k >= 0; k-- {
				l := ve.Log[k]
				if l != "" && !strings.HasPrefix(l, "processed ") && !strings.HasPrefix(l, "verification time") && !strings.HasPrefix(l, "stack depth") {
					reason = l
					break
				}
			}
		}
		var took time.Duration
		if ve != nil {
			took = verificationTime(ve.Log)
		}
		return false, took, reason, true
	}
	defer prog.Close()
	return true, verificationTime(strings.Split(prog.VerifierLog, "\n")), "", true
}

// verificationTime reads the kernel's "verification time N usec" line,
// which its log has for accepted and rejected programs alike.
func verificationTime(log []string) time.Duration {
	var usec int
	for _, l := range log {
		if _, err := fmt.Sscanf(l, "verification time %d usec", &usec); err == nil {
			break
		}
	}
	return time.Duration(usec) * time.Microsecond
}

// msgsMatch reports whether every expected message appears in the log, in
// order, as the selftests' test_loader checks them.
func msgsMatch(log string, msgs []string) bool {
	for _, m := range msgs {
		k := strings.Index(log, m)
		if k < 0 {
			return false
		}
		log = log[k+len(m):]
	}
	return true
}

// TestCorpus verifies every selftest program of a supported type and
// compares the verdict with its annotation. A program gbpf accepts while the
// annotation says the kernel rejects it fails the test unless
// known-differences.txt explains it; so does any other unexplained
// difference.
func TestCorpus(t *testing.T) {
	c := setup(t)
	known := knownDifferences(t)
	for _, f := range c.Failed {
		t.Logf("not compiled: %s", f)
	}
	var total, supported, agree, rejected, msgWanted, msgOK, unsupported int
	type timedProg struct {
		p      Program
		pt     verifier.ProgType
		kernel bool          // the kernel verified it too, and its time is summed
		kTime  time.Duration // the kernel's time
		limit  bool          // gbpf stops it at the complexity limit
	}
	var timed []timedProg
	var elapsed, kernelTime time.Duration
	var kernelRuns, kernelAgree int
	kernelOK := os.Geteuid() == 0
	if !kernelOK {
		t.Log("not root: the kernel's verdicts and times are not compared")
	}
	var diffs []string
	seen := map[string]bool{}
	why := map[string]int{} // reasons for ErrUnsupported
	for _, obj := range c.Objects {
		progs, err := Programs(obj)
		if err != nil {
			t.Logf("%v", err)
			continue
		}
		for _, p := range progs {
			if p.Auxiliary {
				continue
			}
			total++
			key := p.File + "/" + p.Name
			pt, ok := progType(p.Section)
			if !ok || p.LoadErr != nil || p.MapsUnsupported != "" {
				unsupported++
				continue
			}
			start := time.Now()
			_, err := verifier.Verify(p.Insns, p.Options(pt))
			elapsed += time.Since(start)
			if err != nil {
				// Again with the instructions in the log, for __msg.
				_, err = verifier.Verify(p.Insns, withLog(p.Options(pt), 1))
			}
			if errors.Is(err, verifier.ErrUnsupported) {
				unsupported++
				var ve *verifier.Error
				if errors.As(err, &ve) {
					why[ve.Reason]++
				}
				continue
			}
			supported++
			var le *verifier.Error
			limit := errors.As(err, &le) && strings.HasPrefix(le.Reason, "BPF program is too large")
			timed = append(timed, timedProg{p: p, pt: pt, limit: limit})
			accepted := err == nil
			if kernelOK {
				kAccepted, kTime, kReason, kOK := kernelVerdict(p)
				if !kOK {
					t.Logf("kernel not asked about %s: its maps could not be created", key)
				} else {
					timed[len(timed)-1].kernel = true
					timed[len(timed)-1].kTime = kTime
					kernelTime += kTime
					kernelRuns++
					if kAccepted == accepted {
						kernelAgree++
					} else {
						t.Logf("kernel differs on %s: kernel accepts=%v (%s), gbpf accepts=%v", key, kAccepted, kReason, accepted)
					}
				}
			}
			if accepted != p.ExpectFail {
				agree++
			}
			var ve *verifier.Error
			if !accepted {
				rejected++
				errors.As(err, &ve)
			}
			if p.ExpectFail && !accepted && len(p.Msgs) > 0 {
				msgWanted++
				if msgsMatch(ve.Log, p.Msgs) {
					msgOK++
				} else {
					t.Logf("message mismatch %s: want %q, got %q", key, p.Msgs, ve.Reason)
				}
			}
			if accepted == p.ExpectFail {
				seen[key] = true
				what := "gbpf accepts, the annotation rejects"
				if !accepted {
					what = "gbpf rejects (" + ve.Reason + "), the annotation accepts"
				}
				line := fmt.Sprintf("%s: %s", key, what)
				if why, ok := known[key]; ok {
					t.Logf("known difference %s: %s", line, why)
					continue
				}
				diffs = append(diffs, line)
			}
		}
	}
	sort.Strings(diffs)
	for _, d := range diffs {
		t.Errorf("unexplained difference %s", d)
	}
	for key := range known {
		if !seen[key] {
			t.Logf("known-differences.txt lists %s, which now agrees (or is no longer supported)", key)
		}
	}
	reasons := make([]string, 0, len(why))
	for r := range why {
		reasons = append(reasons, r)
	}
	sort.Slice(reasons, func(i, j int) bool {
		if why[reasons[i]] != why[reasons[j]] {
			return why[reasons[i]] > why[reasons[j]]
		}
		return reasons[i] < reasons[j]
	})
	for _, r := range reasons {
		t.Logf("unsupported by the verifier (%d): %s", why[r], r)
	}
	t.Logf("programs %d, supported %d, unsupported %d (other program types, helpers, maps, kfuncs)", total, supported, unsupported)
	t.Logf("verdict agreement %d/%d (%.1f%%)", agree, supported, 100*float64(agree)/float64(max(supported, 1)))
	t.Logf("message match %d/%d rejected programs with __msg (%.1f%%)", msgOK, msgWanted, 100*float64(msgOK)/float64(max(msgWanted, 1)))
	// gbpf's time, best of 5 passes, over every supported program and
	// over the programs the kernel verified too (the same set as its sum).
	best, bestKernelSet, bestSmall := time.Duration(math.MaxInt64), time.Duration(math.MaxInt64), time.Duration(math.MaxInt64)
	var kernelSmall time.Duration
	for _, tp := range timed {
		if tp.kernel && !tp.limit {
			kernelSmall += tp.kTime
		}
	}
	for pass := 0; pass < 5; pass++ {
		var all, kset, small time.Duration
		for _, tp := range timed {
			start := time.Now()
			_, _ = verifier.Verify(tp.p.Insns, tp.p.Options(tp.pt))
			d := time.Since(start)
			all += d
			if tp.kernel {
				kset += d
				if !tp.limit {
					small += d
				}
			}
		}
		best, bestKernelSet, bestSmall = min(best, all), min(bestKernelSet, kset), min(bestSmall, small)
	}
	t.Logf("gbpf verification time for %d supported programs: %v (best of 5 passes; first pass %v)", supported, best, elapsed)
	if kernelRuns > 0 {
		t.Logf("this machine's kernel: verdict agreement %d/%d (%.1f%%)", kernelAgree, kernelRuns, 100*float64(kernelAgree)/float64(kernelRuns))
		t.Logf("verification time of the %d programs both verified: gbpf %v, kernel %v (sum of its \"verification time N usec\"), ratio %.2f",
			kernelRuns, bestKernelSet, kernelTime, float64(bestKernelSet)/float64(max(kernelTime, 1)))
		t.Logf("the same without the programs that reach the complexity limit: gbpf %v, kernel %v, ratio %.2f",
			bestSmall, kernelSmall, float64(bestSmall)/float64(max(kernelSmall, 1)))
	}
}

// BenchmarkCorpus verifies every supported selftest program once per
// iteration; compare with the kernel's time that TestCorpus reports.
func BenchmarkCorpus(b *testing.B) {
	cache, err := os.UserCacheDir()
	if err != nil {
		b.Skip(err)
	}
	objs, _ := filepath.Glob(filepath.Join(cache, "gbpf", "selftests", "obj", "*.o"))
	if len(objs) == 0 {
		b.Skip("no compiled corpus: run TestCorpus first")
	}
	type prog struct {
		p  Program
		pt verifier.ProgType
	}
	var progs []prog
	for _, o := range objs {
		ps, err := Programs(o)
		if err != nil {
			continue
		}
		for _, p := range ps {
			pt, ok := progType(p.Section)
			if !ok || p.Auxiliary || p.LoadErr != nil || p.MapsUnsupported != "" {
				continue
			}
			if _, err := verifier.Verify(p.Insns, p.Options(pt)); errors.Is(err, verifier.ErrUnsupported) {
				continue
			}
			progs = append(progs, prog{p, pt})
		}
	}
	b.ReportMetric(float64(len(progs)), "programs")
	b.ResetTimer()
	for b.Loop() {
		for _, p := range progs {
			_, _ = verifier.Verify(p.p.Insns, p.p.Options(p.pt))
		}
	}
}

// TestCorpusUnprivileged compares gbpf's unprivileged rules with the
// selftests' unprivileged expectations, for the programs the unprivileged
// model covers (not those with maps: Spectre masking of map value
// arithmetic is not modelled). A program gbpf accepts unprivileged while
// the annotation rejects it fails the test; a stricter verdict is only
// reported, since it is never unsafe.
func TestCorpusUnprivileged(t *testing.T) {
	c := setup(t)
	var n, agree, msgWanted, msgOK, accRej, rejAcc int
	for _, obj := range c.Objects {
		progs, err := Programs(obj)
		if err != nil {
			continue
		}
		for _, p := range progs {
			pt, ok := progType(p.Section)
			if !ok || p.Auxiliary || !p.Unpriv || p.LoadErr != nil || p.MapsUnsupported != "" {
				continue
			}
			_, err := verifier.Verify(p.Insns, unprivileged(withLog(p.Options(pt), 1)))
			if errors.Is(err, verifier.ErrUnsupported) {
				continue
			}
			n++
			accepted := err == nil
			if accepted != p.UnprivFail {
				agree++
			} else if accepted {
				accRej++
				t.Errorf("%s/%s: gbpf accepts unprivileged, the annotation rejects (privileged too: %v)", p.File, p.Name, p.ExpectFail)
			} else {
				rejAcc++
			}
			if !accepted && p.UnprivFail && len(p.UnprivMsgs) > 0 {
				msgWanted++
				var ve *verifier.Error
				if errors.As(err, &ve) && msgsMatch(ve.Log, p.UnprivMsgs) {
					msgOK++
				}
			}
		}
	}
	t.Logf("unprivileged: %d programs with unprivileged expectations, agreement %d (%.1f%%), gbpf accepts/annotation rejects %d, gbpf rejects/annotation accepts %d, message match %d/%d",
		n, agree, 100*float64(agree)/float64(max(n, 1)), accRej, rejAcc, msgOK, msgWanted)
}

// TestOne prints gbpf's log for the programs named by GBPF_SELFTEST
// ("file/program", comma-separated), for debugging differences.
func TestOne(t *testing.T) {
	want := os.Getenv("GBPF_SELFTEST")
	if want == "" {
		t.Skip("set GBPF_SELFTEST=file/program")
	}
	c := setup(t)
	names := map[string]bool{}
	for _, n := range strings.Split(want, ",") {
		names[n] = true
	}
	for _, obj := range c.Objects {
		progs, err := Programs(obj)
		if err != nil {
			continue
		}
		for _, p := range progs {
			if !names[p.File+"/"+p.Name] {
				continue
			}
			pt, _ := progType(p.Section)
			res, err := verifier.Verify(p.Insns, withLog(p.Options(pt), 2))
			if err != nil {
				t.Logf("%s: %+v", p.Name, err)
			} else {
				t.Logf("%s: accepted\n%s", p.Name, res.Log)
			}
			t.Logf("annotation: fail=%v msgs=%q maps=%+v unsupported=%q", p.ExpectFail, p.Msgs, p.Maps, p.MapsUnsupported)
		}
	}
}

func withLog(o verifier.Options, level int) verifier.Options {
	o.LogLevel = level
	return o
}

func unprivileged(o verifier.Options) verifier.Options {
	o.Unprivileged = true
	return o
}
