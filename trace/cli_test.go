package trace

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestCLIWithoutKernel covers what needs no bpf(): usage errors, front-end
// errors in bpftrace's shape, and -d.
func TestCLIWithoutKernel(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		rc     int
		stdout string // substring
		stderr string // substring
	}{
		{"no-program", nil, 1, "", "no program given"},
		{"bad-flag", []string{"-x"}, 1, "", "unknown option -x"},
		{"bad-format", []string{"-f", "yaml", "-e", "BEGIN {}"}, 1, "", "unknown output format"},
		{"syntax", []string{"-e", "BEGIN { printf(}"}, 1, "", "stdin:1:"},
		{"dump", []string{"-d", "-e", "BEGIN { printf(\"%d\\n\", 1 + 2); }"}, 0, "BEGIN:\nr6 = r1\n", ""},
		{"unsupported-probe", []string{"-d", "-e", "watchpoint:0x10000000:8:w { @ = count(); }"}, 1, "", "watchpoint probes are not supported"},
		{"dump-profile", []string{"-d", "-e", "profile:hz:99 { @ = count(); }"}, 0, "profile:hz:99:\nr6 = r1\n", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			rc := Main(tc.args, &out, &errOut)
			if rc != tc.rc || !strings.Contains(out.String(), tc.stdout) || !strings.Contains(errOut.String(), tc.stderr) {
				t.Fatalf("Main(%q) = %d\nstdout: %s\nstderr: %s", tc.args, rc, out.String(), errOut.String())
			}
		})
	}
}

// TestCLIKernel covers -l, -o, -p and the kprobe error on the real kernel.
func TestCLIKernel(t *testing.T) {
	need(t, os.Geteuid() == 0, "tracing needs root")
	need(t, ensureTracefs(tracefsDir) == nil, "tracefs cannot be mounted")
	var out, errOut bytes.Buffer
	if rc := Main([]string{"-l", "tracepoint:syscalls:sys_enter_getp*"}, &out, &errOut); rc != 0 || !strings.Contains(out.String(), "tracepoint:syscalls:sys_enter_getpid\n") || strings.Contains(out.String(), "sys_exit") {
		t.Errorf("-l: rc %d\n%s%s", rc, out.String(), errOut.String())
	}
	out.Reset()
	errOut.Reset()
	if _, err := os.Stat(filepath.Join(tracefsDir, "kprobe_events")); err != nil {
		rc := Main([]string{"-e", "kprobe:do_sys_open { @ = count(); }"}, &out, &errOut)
		if rc != 1 || !strings.Contains(errOut.String(), "this kernel has no kprobes") {
			t.Errorf("kprobe: rc %d\n%s", rc, errOut.String())
		}
	}
	// fentry: the kernel's refusal, or (where it takes them) a plain
	// "not yet"; never a run.
	out.Reset()
	errOut.Reset()
	rc := Main([]string{"-e", "fentry:vfs_read { @ = count(); }"}, &out, &errOut)
	if msg := errOut.String(); rc != 1 || !strings.Contains(msg, "the kernel refuses fentry programs for vfs_read: ") && !strings.Contains(msg, "(the kernel offers them)") {
		t.Errorf("fentry: rc %d\n%s", rc, msg)
	}
	// Every attach point skipped: an error, as bpftrace's, not a run
	// that waits for nothing.
	out.Reset()
	errOut.Reset()
	if rc := Main([]string{"-e", "uprobe:/bin/true:gbpf_no_such_function { @ = count(); }"}, &out, &errOut); rc != 1 || !strings.Contains(errOut.String(), "No probes to attach") {
		t.Errorf("no probes: rc %d\n%s", rc, errOut.String())
	}
	// -p PID: uprobes fire in that process only (a sleeper, which does
	// not write, while echo does).
	sleeper0 := exec.Command("sleep", "0.6")
	if err := sleeper0.Start(); err != nil {
		t.Fatal(err)
	}
	go sleeper0.Wait()
	go func() {
		time.Sleep(300 * time.Millisecond)
		for i := 0; i < 3; i++ {
			exec.Command("/bin/echo", "x").Run()
		}
	}()
	out.Reset()
	errOut.Reset()
	if rc := Main([]string{"-p", itoa(sleeper0.Process.Pid), "-e", `uprobe:libc:write /comm == "echo"/ { @w = count(); }`}, &out, &errOut); rc != 0 || strings.Contains(out.String(), "@w") {
		t.Errorf("-p with a uprobe: rc %d, output of another process:\n%s%s", rc, out.String(), errOut.String())
	}
	// -p PID: ends when the process does; -o FILE gets the output.
	sleeper := exec.Command("sleep", "0.5")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	go sleeper.Wait()
	file := filepath.Join(t.TempDir(), "out.txt")
	out.Reset()
	errOut.Reset()
	pid := []string{"-p", itoa(sleeper.Process.Pid), "-o", file, "-e", "BEGIN { printf(\"go\\n\"); } END { printf(\"done\\n\"); }"}
	if rc := Main(pid, &out, &errOut); rc != 0 {
		t.Fatalf("-p: rc %d: %s", rc, errOut.String())
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Attaching 2 probes...\ngo\ndone\n\n\n"; string(b) != want || out.Len() != 0 {
		t.Errorf("-o file = %q, want %q (stdout %q)", b, want, out.String())
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestLostEvents fills a one-page ring buffer from BEGIN, whose run the
// reader cannot drain midway, and expects bpftrace's "Lost N events".
func TestLostEvents(t *testing.T) {
	need(t, os.Geteuid() == 0, "loading programs needs root")
	o := &options{program: `BEGIN { unroll(100) { printf("%s\n", "0123456789012345678901234567890123456789"); } exit(); }`, name: "stdin", format: "text", ringSize: 4096}
	var out, errOut bytes.Buffer
	if err := run(o, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	printed := strings.Count(out.String(), "0123456789012345678901234567890123456789\n")
	var lost int
	if _, err := fmt.Sscanf(errOut.String(), "Lost %d events", &lost); err != nil {
		t.Fatalf("stderr %q: %v", errOut.String(), err)
	}
	// The exit event may be among the lost ones.
	if printed == 0 || lost == 0 || printed+lost < 100 || printed+lost > 101 {
		t.Fatalf("printed %d, lost %d, want a sum of 100 (101 with the exit event) with both non-zero", printed, lost)
	}
}
