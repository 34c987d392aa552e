package main

import (
	"strings"
	"testing"
)

func TestVerify(t *testing.T) {
	load8 := writeFile(t, "load8.s", "r0 = *(u64 *)(r1 + 0)\nexit\n")
	scalar := writeFile(t, "scalar.s", "r1 = 0\nr0 = *(u64 *)(r1 + 0)\nexit\n")
	noexit := writeFile(t, "uninit.s", "r0 = r5\nexit\n")
	xdpMisaligned := writeFile(t, "xdp.s", "r2 = *(u32 *)(r1 +0)\nr3 = *(u32 *)(r1 +4)\nr4 = r2\nr4 += 8\nr0 = 2\nif r4 > r3 goto +1\nr0 = *(u32 *)(r2 +4)\nexit\n")
	cases := []struct {
		args   []string
		status int
		msg    string
	}{
		{[]string{"verify", "--mem-size", "8", load8}, 0, ""},
		{[]string{"verify", load8, "--mem", "0001020304050607"}, 0, ""},
		{[]string{"verify", "--mem-size", "4", load8}, 1, "invalid access to memory, mem_size=4 off=0 size=8"},
		{[]string{"verify", "--type", "socket", scalar}, 1, "R1 invalid mem access 'scalar'"},
		{[]string{"verify", noexit}, 1, "R5 !read_ok"},
		{[]string{"verify", "--log-level", "2", "--mem-size", "8", load8}, 0, "R10=fp0"},
		{[]string{"verify", "--type", "syscall", load8}, 0, ""},
		{[]string{"verify", "--type", "xdp", load8}, 1, "invalid bpf_context access off=0 size=8"},
		{[]string{"verify", "--type", "xdp", "--strict-alignment", xdpMisaligned}, 1, "misaligned packet access off 2+0+0+4 size 4"},
		{[]string{"verify", "--type", "xdp", xdpMisaligned}, 0, ""},
		{[]string{"verify", "/nonexistent.s"}, 2, "no such file"},
		{[]string{"verify"}, 2, "usage"},
	}
	for _, c := range cases {
		out, errs, st := gbpf(t, c.args...)
		if st != c.status || out != "" || !strings.Contains(errs, c.msg) {
			t.Errorf("gbpf %q: status %d, stdout %q, stderr %q; want status %d mentioning %q", c.args, st, out, errs, c.status, c.msg)
		}
	}
}

// TestVerifyObject verifies a program of an ELF object with its maps, as
// gbpf run loads it.
func TestVerifyObject(t *testing.T) {
	obj := compileC(t, "testdata/counter.c")
	out, errs, st := gbpf(t, "verify", "--log-level", "1", obj+":count")
	if st != 0 || out != "" || !strings.Contains(errs, "processed ") || !strings.Contains(errs, "call bpf_map_lookup_elem#1") {
		t.Errorf("status %d, stdout %q, stderr %q; want status 0 and the log", st, out, errs)
	}
}
