package object_test

import (
	"bytes"
	"testing"

	"github.com/gbpf/gbpf/object"
)

// FuzzLoadSpec feeds arbitrary and mutated ELF bytes to the loader: it must
// not panic, and it returns a spec or an error, never both or neither.
// The seed corpus under testdata/fuzz/FuzzLoadSpec holds small clang-compiled
// objects.
func FuzzLoadSpec(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x7fELF"))
	f.Fuzz(func(t *testing.T, data []byte) {
		spec, err := object.LoadSpecFromReader(bytes.NewReader(data))
		if (spec == nil) == (err == nil) {
			t.Fatalf("spec %v, err %v", spec, err)
		}
		if spec == nil {
			return
		}
		for name, p := range spec.Programs {
			if p == nil || p.Name != name || len(p.Insns) == 0 {
				t.Fatalf("program %q: %+v", name, p)
			}
		}
	})
}
