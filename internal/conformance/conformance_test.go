package conformance_test

import (
	"testing"

	"github.com/gbpf/gbpf/internal/conformance"
	"github.com/gbpf/gbpf/vm"
)

// TestInterp runs the whole suite on the interpreter.
func TestInterp(t *testing.T) { conformance.RunSuite(t, vm.Interp) }

// TestSuiteSize guards against a truncated or misread suite.
func TestSuiteSize(t *testing.T) {
	tests := conformance.Require(t)
	if len(tests) != 313 {
		t.Fatalf("suite has %d tests, want 313", len(tests))
	}
}
