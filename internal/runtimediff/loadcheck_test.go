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

// TestLoadAcceptance loads each program of testdata/loadcheck.c alone in
// the kernel and in gbpf (object.NewCollection, which verifies what it
// loads): the two must agree on accepting it. The runtime corpus has only
// programs both accept; these are also ones both refuse.
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
			_, gerr := object.NewCollection(spec, object.CollectionOptions{Programs: []string{tt.prog}})
			if gerr != nil && errors.Is(gerr, verifier.ErrUnsupported) {
				t.Fatalf("gbpf's verifier does not model this program: %v", gerr)
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
