package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/seccomp"
)

func TestMain(m *testing.M) {
	// "gbpf seccomp exec" re-executes the running binary as the child that
	// installs the filter: in tests that binary is this test binary.
	seccomp.MaybeRunChild()
	os.Exit(m.Run())
}

func TestSeccompCompile(t *testing.T) {
	want, err := os.ReadFile("../../seccomp/testdata/policies/errno-getpid.golden")
	if err != nil {
		t.Fatal(err)
	}
	out, errs, st := gbpf(t, "seccomp", "compile", "--policy", "../../seccomp/testdata/policies/errno-getpid.json")
	if st != 0 || out != string(want) {
		t.Errorf("status %d, stderr %q\ngot:\n%s\ngolden:\n%s", st, errs, out, want)
	}
	out, _, st = gbpf(t, "seccomp", "compile", "-dd", "--policy", "../../seccomp/testdata/policies/errno-getpid.json")
	if st != 0 || !strings.HasPrefix(out, "{ 0x20, 0, 0, 0x00000004 },") {
		t.Errorf("-dd: status %d, %q", st, out)
	}
}

func TestSeccompExec(t *testing.T) {
	deny := writeFile(t, "deny.json", `{"default": "allow", "rules": [{"syscalls": ["uname"], "action": "errno:EPERM"}]}`)
	var out, errb bytes.Buffer
	st := run([]string{"seccomp", "exec", "--policy", deny, "--", "uname", "-s"}, &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb})
	if st == 0 || !strings.Contains(errb.String(), "Operation not permitted") {
		t.Errorf("denied uname: status %d, stdout %q, stderr %q", st, out.String(), errb.String())
	}
	out.Reset()
	errb.Reset()
	st = run([]string{"seccomp", "exec", "--policy", deny, "--", "sh", "-c", "echo allowed; exit 3"}, &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb})
	if st != 3 || out.String() != "allowed\n" || errb.String() != "" {
		t.Errorf("allowed command: status %d, stdout %q, stderr %q; want 3, \"allowed\"", st, out.String(), errb.String())
	}
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"seccomp", "exec", "--", "true"}, "--policy FILE is required"},
		{[]string{"seccomp", "exec", "--policy", deny}, "usage"},
		{[]string{"seccomp", "frob"}, "unknown subcommand"},
		{[]string{"seccomp", "compile", "--policy", writeFile(t, "bad.json", `{"default": "allow", "rules": [{"syscalls": ["nosuchcall"]`)}, "bad.json"},
	} {
		o, e, st := gbpf(t, c.args...)
		if st == 0 || o != "" || !strings.Contains(e, c.msg) || strings.Count(e, "\n") != 1 {
			t.Errorf("gbpf %q: status %d, stdout %q, stderr %q; want an error mentioning %q", c.args, st, o, e, c.msg)
		}
	}
}
