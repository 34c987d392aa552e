package main

import (
	"os"
	"strings"
	"testing"
)

func TestTraceWiring(t *testing.T) {
	// A syntax error needs no kernel: bpftrace's message and carets.
	out, errs, st := gbpf(t, "trace", "-e", "BEGIN { printf(}")
	if st != 1 || out != "" || !strings.HasPrefix(errs, "stdin:1:9-17: ERROR: syntax error, unexpected }") {
		t.Errorf("syntax error: status %d, stdout %q, stderr %q", st, out, errs)
	}
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("gbpf trace needs root under CI=true")
		}
		t.Skip("gbpf trace needs root to load programs")
	}
	out, errs, st = gbpf(t, "trace", "-e", `BEGIN { printf("hello %d\n", 42); exit(); }`)
	if st != 0 || out != "Attaching 1 probe...\nhello 42\n\n\n" {
		t.Errorf("status %d, stdout %q, stderr %q", st, out, errs)
	}
}
