package main

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// compileC compiles a test program with clang-19 and libbpf's headers.
func compileC(t *testing.T, src string) string {
	t.Helper()
	clang := requireTool(t, "clang-19")
	if _, err := os.Stat("/usr/include/bpf/bpf_helpers.h"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("libbpf-dev headers are required under CI=true: %v", err)
		}
		t.Skipf("libbpf-dev not installed: %v", err)
	}
	arch, err := exec.Command("uname", "-m").Output()
	if err != nil {
		t.Fatal(err)
	}
	obj := filepath.Join(t.TempDir(), strings.TrimSuffix(filepath.Base(src), ".c")+".o")
	cmd := exec.Command(clang, "-O2", "-g", "-target", "bpf", "-I/usr/include/"+strings.TrimSpace(string(arch))+"-linux-gnu", "-c", src, "-o", obj)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("clang: %v\n%s", err, out)
	}
	return obj
}

func TestRunObject(t *testing.T) {
	obj := compileC(t, "testdata/counter.c")
	ipv4 := "ffffffffffff" + "020000000001" + "0800" + strings.Repeat("45", 20)
	pkt := writeFile(t, "pkt.bin", string(mustHex(t, ipv4)))
	dir := t.TempDir()
	out, errs, st := gbpf(t, "run", obj+":count", "--data-in", pkt, "--data-out", filepath.Join(dir, "out.bin"),
		"--dump-maps", filepath.Join(dir, "maps.json"), "--repeat", "5")
	if st != 0 {
		t.Fatalf("status %d: %s", st, errs)
	}
	// bpftool prog run's line; 3 is XDP_TX.
	if !strings.HasPrefix(out, "Return value: 3, duration (average): ") || !strings.HasSuffix(out, "ns\n") {
		t.Errorf("stdout %q", out)
	}
	got, err := os.ReadFile(filepath.Join(dir, "out.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "aaaaaaaaaaaa" + ipv4[12:]; hex.EncodeToString(got) != want {
		t.Errorf("data out %x, want %s", got, want)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "maps.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dump map[string]json.RawMessage
	if err := json.Unmarshal(raw, &dump); err != nil {
		t.Fatalf("maps.json: %v\n%s", err, raw)
	}
	// Five runs over the same packet: the EtherType counted 5 times, the
	// global counter 5, and the per-CPU total 5 on one CPU.
	if got := string(dump["by_proto"]); got != `[{"key":"0008","value":"0500000000000000"}]` {
		t.Errorf("by_proto = %s", got)
	}
	if got := string(dump[".bss"]); got != `[{"key":"00000000","value":"0500000000000000"}]` {
		t.Errorf(".bss = %s", got)
	}
	var total []struct {
		Key    string   `json:"key"`
		Values []string `json:"values"`
	}
	if err := json.Unmarshal(dump["total"], &total); err != nil || len(total) != 1 || len(total[0].Values) < 1 {
		t.Fatalf("total = %s (%v)", dump["total"], err)
	}
	sum := 0
	for _, v := range total[0].Values {
		b := mustHex(t, v)
		sum += int(b[0])
	}
	if sum != 5 {
		t.Errorf("per-CPU totals %v sum to %d, want 5", total[0].Values, sum)
	}

	// JSON output; each run starts from the object's initial state.
	out, errs, st = gbpf(t, "run", "--json", obj, "count", "--data-in", pkt)
	if st == 0 {
		t.Errorf("a stray positional argument was accepted: %q", out)
	}
	out, errs, st = gbpf(t, "run", "--json", obj+":count", "--data-in", pkt, "--dump-maps", filepath.Join(dir, "maps.json"))
	if st != 0 || !strings.HasPrefix(out, `{"retval":3,"duration_ns":`) {
		t.Errorf("json run: status %d, stdout %q, stderr %q", st, out, errs)
	}
	raw, _ = os.ReadFile(filepath.Join(dir, "maps.json"))
	if !strings.Contains(string(raw), `"by_proto":[{"key":"0008","value":"0100000000000000"}]`) {
		t.Errorf("second run did not start from the initial state: %s", raw)
	}

	// A socket filter returns skb->len: the frame length minus 14.
	out, errs, st = gbpf(t, "run", obj+":accept_all", "--data-in", pkt)
	if st != 0 || !strings.HasPrefix(out, "Return value: 20, duration: ") {
		t.Errorf("socket filter: status %d, stdout %q, stderr %q", st, out, errs)
	}
}

func TestObjectErrorsAndMaps(t *testing.T) {
	obj := compileC(t, "testdata/counter.c")
	cases := []struct {
		args []string
		msg  string
	}{
		{[]string{"run", obj}, "pick one with FILE:PROG"},
		{[]string{"run", obj + ":nosuch"}, "nosuch"},
		{[]string{"run", obj + ":count", "--type", "socket"}, "is of type xdp"},
	}
	for _, c := range cases {
		out, errs, st := gbpf(t, c.args...)
		if st == 0 || out != "" || !strings.Contains(errs, c.msg) || strings.Count(errs, "\n") != 1 {
			t.Errorf("gbpf %q: status %d, stdout %q, stderr %q; want an error mentioning %q", c.args, st, out, errs, c.msg)
		}
	}
	out, errs, st := gbpf(t, "maps", obj)
	if st != 0 {
		t.Fatalf("maps: %d %s", st, errs)
	}
	for _, want := range []string{"by_proto: hash  flags 0x0", "key 2B  value 8B  max_entries 16", "total: percpu_array", ".bss: array"} {
		if !strings.Contains(out, want) {
			t.Errorf("gbpf maps output lacks %q:\n%s", want, out)
		}
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
