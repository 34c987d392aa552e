package trace

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestResolveUprobeTarget(t *testing.T) {
	for _, tc := range []struct{ in, suffix string }{
		{"/usr/bin/true", "/usr/bin/true"},
		{"libc", "/libc.so.6"},
		{"c", "/libc.so.6"},
		{"libc.so", "/libc.so.6"},
		{"sh", "/sh"},
	} {
		got, err := resolveUprobeTarget(tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if !strings.HasSuffix(got, tc.suffix) || !filepath.IsAbs(got) {
			t.Errorf("%s: %s, want an absolute path ending in %s", tc.in, got, tc.suffix)
		}
		if !isELF(got) {
			t.Errorf("%s: %s is not an ELF file", tc.in, got)
		}
	}
	if got, err := resolveUprobeTarget("gbpf-no-such-thing"); err == nil {
		t.Errorf("gbpf-no-such-thing resolves to %s", got)
	}
}
