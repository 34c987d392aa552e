package runtimediff

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/cilium/ebpf"

	"github.com/gbpf/gbpf/object"
	"github.com/gbpf/gbpf/verifier"
)

// verifierTypes maps the program types of the objects to the verifier's.
var verifierTypes = map[object.ProgramType]verifier.ProgType{
	object.SocketFilter: verifier.SocketFilter,
	object.XDP:          verifier.XDP,
	object.SchedCLS:     verifier.SchedCLS,
}

// TestLoadAcceptance loads each program of testdata/loadcheck.c alone in
// the kernel and verifies it with gbpf's verifier: the two must agree on
// accepting it. (object.NewCollection and vm.Load do not run the verifier:
// they check structure only, so the runtime corpus cannot see this.)
func TestLoadAcceptance(t *testing.T) {
	need(t, kernelAvailable())
	if _, err := exec.LookPath("clang-19"); err != nil {
		need(t, err)
	}
	if _, err := os.Stat("/usr/include/bpf/bpf_helpers.h"); err != nil {
		need(t, err)
	}
	obj := cc.object(t, "loadcheck.c")
	spec, err := object.LoadSpec(obj)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		prog     string
		kernelOK bool // what the kernel on this machine does
	}{
		{"sock_store_mark", false},
		{"sock_store_cb", true},
		{"tc_store_mark", true},
		{"xdp_past_check", false},
		{"xdp_in_check", true},
	}
	for _, tt := range tests {
		t.Run(tt.prog, func(t *testing.T) {
			kspec, err := ebpf.LoadCollectionSpec(obj)
			if err != nil {
				t.Fatal(err)
			}
			for name := range kspec.Programs {
				if name != tt.prog {
					delete(kspec.Programs, name)
				}
			}
			kcoll, kerr := ebpf.NewCollection(kspec)
			if kerr == nil {
				kcoll.Close()
			}
			if (kerr == nil) != tt.kernelOK {
				t.Fatalf("the kernel no longer does what the table says (accepts: %v): %v", tt.kernelOK, kerr)
			}
			ps, err := spec.Program(tt.prog)
			if err != nil {
				t.Fatal(err)
			}
			typ, ok := verifierTypes[ps.Type]
			if !ok {
				t.Fatalf("program type %v has no verifier type", ps.Type)
			}
			_, gerr := verifier.Verify(ps.Insns, verifier.Options{ProgType: typ})
			if gerr != nil && errors.Is(gerr, verifier.ErrUnsupported) {
				t.Skipf("known gap: gbpf's verifier does not model this program: %v", gerr)
			}
			switch {
			case kerr == nil && gerr != nil:
				t.Errorf("kernel accepts, gbpf refuses: %v", gerr)
			case kerr != nil && gerr == nil:
				t.Errorf("kernel refuses (%s), gbpf accepts", firstLine(kerr))
			}
		})
	}
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
