package runtimediff

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/object"
	"github.com/gbpf/gbpf/verifier"
	"github.com/gbpf/gbpf/vm"
)

// TestVerificationTime verifies every program of the runtime corpus with
// gbpf's verifier and with the kernel's, and reports both times: gbpf's
// best of 5 runs of verifier.Verify with the options vm.Load uses, the
// kernel's "verification time N usec" from its log. Every program must
// pass both verifiers: object.NewCollection verifies what it loads.
func TestVerificationTime(t *testing.T) {
	need(t, kernelAvailable())
	seen := map[string]bool{}
	var gbpfTotal, kernelTotal time.Duration
	n := 0
	for _, tc := range corpus {
		key := tc.file + "/" + tc.prog
		if seen[key] {
			continue
		}
		seen[key] = true
		obj := cc.object(t, tc.file)
		spec, err := object.LoadSpec(obj)
		if err != nil {
			t.Fatal(err)
		}
		ps, err := spec.Program(tc.prog)
		if err != nil {
			t.Fatal(err)
		}
		coll, err := object.NewCollection(spec, object.CollectionOptions{Programs: []string{tc.prog}})
		if err != nil {
			t.Errorf("%s: gbpf: %v", key, err)
			continue
		}
		vo, err := vm.VerifierOptions(vm.Options{Type: helpers.ProgType(ps.Type), Maps: coll.MapList, Funcs: ps.FuncInfo()})
		if err != nil {
			t.Fatal(err)
		}
		best := time.Duration(math.MaxInt64)
		for pass := 0; pass < 5; pass++ {
			start := time.Now()
			if _, err := verifier.Verify(ps.Insns, vo); err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			best = min(best, time.Since(start))
		}
		kt, err := kernelVerificationTime(obj, tc.prog)
		if err != nil {
			t.Errorf("%s: kernel: %v", key, err)
			continue
		}
		t.Logf("%-28s %4d insns: gbpf %8v, kernel %8v", key, len(ps.Insns), best, kt)
		gbpfTotal += best
		kernelTotal += kt
		n++
	}
	t.Logf("verification time of the %d runtime corpus programs: gbpf %v, kernel %v (sum of \"verification time N usec\"), ratio %.2f",
		n, gbpfTotal, kernelTotal, float64(gbpfTotal)/float64(max(kernelTotal, 1)))
}

// kernelVerificationTime loads obj's collection into the kernel with
// statistics in the logs and returns prog's verification time.
func kernelVerificationTime(obj, prog string) (time.Duration, error) {
	kspec, err := ebpf.LoadCollectionSpec(obj)
	if err != nil {
		return 0, err
	}
	kcoll, err := ebpf.NewCollectionWithOptions(kspec, ebpf.CollectionOptions{Programs: ebpf.ProgramOptions{LogLevel: ebpf.LogLevelStats}})
	if err != nil {
		return 0, err
	}
	defer kcoll.Close()
	p := kcoll.Programs[prog]
	if p == nil {
		return 0, fmt.Errorf("no program %s", prog)
	}
	for _, l := range strings.Split(p.VerifierLog, "\n") {
		var usec int
		if _, err := fmt.Sscanf(l, "verification time %d usec", &usec); err == nil {
			return time.Duration(usec) * time.Microsecond, nil
		}
	}
	return 0, fmt.Errorf("no verification time in the log of %s", prog)
}
