package conformance_test

import (
	"runtime"
	"slices"
	"testing"

	"github.com/gbpf/gbpf/internal/conformance"
	"github.com/gbpf/gbpf/vm"
)

// TestInterp runs the whole suite on the interpreter.
func TestInterp(t *testing.T) { conformance.RunSuite(t, vm.Interp) }

// TestJIT runs the whole suite on the amd64 JIT, where this build has it.
func TestJIT(t *testing.T) {
	if !slices.Contains(vm.Engines(), vm.JIT) {
		t.Skipf("no JIT on %s/%s (engines: %v)", runtime.GOOS, runtime.GOARCH, vm.Engines())
	}
	conformance.RunSuite(t, vm.JIT)
}

// TestSuiteSize guards against a truncated or misread suite.
func TestSuiteSize(t *testing.T) {
	tests := conformance.Require(t)
	if len(tests) != 313 {
		t.Fatalf("suite has %d tests, want 313", len(tests))
	}
}
