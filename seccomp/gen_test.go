package seccomp

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestGeneratedTablesUpToDate runs the generator (go generate's command)
// into a temporary file and compares it with the committed zsyscalls.go.
func TestGeneratedTablesUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the generator run")
	}
	for _, tool := range []string{"gcc", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("CI=true: %v", err)
			}
			t.Skipf("%v", err)
		}
	}
	requireFile(t, "/usr/include/asm-generic/unistd.h")
	out := filepath.Join(t.TempDir(), "zsyscalls.go")
	cmd := exec.Command("go", "run", "./internal/mksyscalls", "-o", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("mksyscalls: %v\n%s", err, msg)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("zsyscalls.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("zsyscalls.go differs from what the installed headers give: run go generate")
	}
}
