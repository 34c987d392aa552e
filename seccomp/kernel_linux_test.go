//go:build linux

package seccomp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/gbpf/gbpf/cbpf"
	"golang.org/x/sys/unix"
)

// Test child modes, chosen by environment variable in TestMain.
const (
	envProbe = "GBPF_SECCOMP_TEST_PROBE" // run the raw system calls listed, print "errno" per call
	envLoad  = "GBPF_SECCOMP_TEST_LOAD"  // check the hex programs on stdin in the kernel, print "accepted" or the error
)

func TestMain(m *testing.M) {
	MaybeRunChild()
	if spec, ok := os.LookupEnv(envProbe); ok {
		runProbes(spec)
	}
	if _, ok := os.LookupEnv(envLoad); ok {
		enc, err := io.ReadAll(os.Stdin)
		if err != nil {
			fmt.Println(err)
			os.Exit(3)
		}
		runLoad(strings.TrimSpace(string(enc)))
	}
	os.Exit(m.Run())
}

// runProbes runs "nr:a0:a1:a2:a3:a4:a5;..." as raw system calls and prints the
// errno of each (0 for success) on one line each, then exits.
func runProbes(spec string) {
	var out bytes.Buffer
	for _, call := range strings.Split(spec, ";") {
		f := strings.Split(call, ":")
		var v [7]uintptr
		for i := range f {
			n, _ := strconv.ParseUint(f[i], 10, 64)
			v[i] = uintptr(n)
		}
		r1, _, errno := unix.RawSyscall6(v[0], v[1], v[2], v[3], v[4], v[5], v[6])
		e := int(errno)
		if r := int64(r1); e == 0 && r < 0 && r >= -4095 {
			e = int(-r) // Go's raw syscalls take -4095 for a result, the kernel's errno cap
		}
		fmt.Fprintf(&out, "%d\n", e)
	}
	os.Stdout.Write(out.Bytes())
	os.Exit(0)
}

// runLoad has the kernel check programs without filtering anything that
// matters: one thread installs an allow-all filter of its own, then, for each
// program, a fresh thread loads it with SECCOMP_FILTER_FLAG_TSYNC |
// TSYNC_ESRCH. The kernel checks the program first and only then finds that
// the threads cannot be synchronised, so ESRCH means "accepted" and EINVAL
// "rejected". It prints one line per program ("accepted" or the error) and
// exits. enc is the hex programs separated by commas (read from stdin).
func runLoad(enc string) {
	ready := make(chan error)
	go func() {
		runtime.LockOSThread()
		ready <- install([]cbpf.Instruction{cbpf.Stmt(cbpf.OpRetK, uint32(Allow))}, 0)
		select {}
	}()
	if err := <-ready; err != nil {
		fmt.Println("allow-all filter:", err)
		os.Exit(3)
	}
	for _, one := range strings.Split(enc, ",") {
		insns, err := decodeFilter(one)
		if err != nil {
			fmt.Println(err)
			os.Exit(3)
		}
		result := make(chan string)
		go func() {
			runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
			err := install(insns, unix.SECCOMP_FILTER_FLAG_TSYNC|unix.SECCOMP_FILTER_FLAG_TSYNC_ESRCH)
			switch {
			case errors.Is(err, unix.ESRCH):
				result <- "accepted"
			case err == nil:
				result <- "installed: the threads were synchronised after all"
			default:
				result <- err.Error()
			}
		}()
		fmt.Println(<-result)
	}
	os.Exit(0)
}

// requireSeccomp skips (fails under CI=true) where seccomp filters are unavailable.
func requireSeccomp(t *testing.T) {
	t.Helper()
	reason := ""
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		reason = "the kernel tests probe x86_64 system calls"
	} else if _, err := unix.PrctlRetInt(unix.PR_GET_SECCOMP, 0, 0, 0, 0); err != nil {
		// A filter already in place (a container's) is fine: filters stack.
		reason = fmt.Sprintf("seccomp unavailable (PR_GET_SECCOMP: %v)", err)
	} else if _, err := os.Stat("/proc/self/exe"); err != nil {
		reason = "no /proc/self/exe"
	}
	if reason == "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true: %s", reason)
	}
	t.Skip(reason)
}

// probe is one raw system call of a probe child.
type probe struct {
	nr   uint32
	args [6]uint64
}

// runUnder runs the test binary as a probe child under the policy's program,
// and returns the errno of each probe, the exit error and stderr.
func runUnder(t *testing.T, insns []cbpf.Instruction, probes []probe) ([]int, error, string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var spec []string
	for _, p := range probes {
		f := []string{strconv.FormatUint(uint64(p.nr), 10)}
		for _, a := range p.args {
			f = append(f, strconv.FormatUint(a, 10))
		}
		spec = append(spec, strings.Join(f, ":"))
	}
	cmd, err := CommandFilter(insns, exe, "-test.run=^$")
	if err != nil {
		t.Fatal(err)
	}
	cmd.Env = append(cmd.Env, envProbe+"="+strings.Join(spec, ";"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var errnos []int
	for _, l := range strings.Fields(stdout.String()) {
		n, _ := strconv.Atoi(l)
		errnos = append(errnos, n)
	}
	return errnos, runErr, stderr.String()
}

func nr(t *testing.T, name string) uint32 {
	n, err := SyscallNumber("x86_64", name)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestKernelErrno runs a real child under a policy and sees the denied
// calls fail with the chosen errno and the others succeed.
func TestKernelErrno(t *testing.T) {
	requireSeccomp(t)
	p, err := ParsePolicy([]byte(`{
		"default": "allow",
		"bad_arch": "errno:95",
		"rules": [
			{"syscalls": ["getppid"], "action": "errno:38"},
			{"syscalls": ["uname"], "action": "errno:EPERM"},
			{"syscalls": ["getuid"], "action": "errno:77", "args": [{"index": 1, "op": ">", "value": "0x100000000"}]},
			{"syscalls": ["getgid"], "action": "errno:4095"},
			{"syscalls": ["geteuid"], "action": "trace:5"},
			{"syscalls": ["getegid"], "action": "user_notif"},
			{"syscalls": ["getpgrp"], "action": "log"}
		]}`))
	if err != nil {
		t.Fatal(err)
	}
	insns, err := p.Compile()
	if err != nil {
		t.Fatal(err)
	}
	probes := []probe{
		{nr: nr(t, "getppid")},
		{nr: nr(t, "getpid")},
		{nr: nr(t, "uname")}, // args[0] = NULL: EFAULT if it ran
		{nr: nr(t, "getuid"), args: [6]uint64{0, 0x100000001}},
		{nr: nr(t, "getuid"), args: [6]uint64{0, 0x100000000}},
		{nr: nr(t, "getuid"), args: [6]uint64{0, 0xffffffff}},
		{nr: nr(t, "getgid")},
		{nr: nr(t, "geteuid")}, // no tracer: ENOSYS
		{nr: nr(t, "getegid")}, // no listener: ENOSYS
		{nr: nr(t, "getpgrp")},
		{nr: X32SyscallBit | nr(t, "getppid")}, // an x32 call: the bad_arch action
		{nr: 0xffffffff},                       // nr -1 has the x32 bit too
		{nr: 1000},                             // an unknown number: the default, allow, then ENOSYS
	}
	want := []int{38, 0, 1, 77, 0, 0, 4095, 38, 38, 0, 95, 95, 38}
	got, runErr, stderr := runUnder(t, insns, probes)
	if runErr != nil {
		t.Fatalf("child: %v\n%s", runErr, stderr)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("errnos %v, want %v", got, want)
	}
	// The evaluator agrees wherever the kernel's answer is an errno or success.
	f, _ := NewFilter(insns)
	for i, pr := range probes {
		if e := observable(f.Evaluate(Data{Nr: int32(pr.nr), Arch: ArchX86_64, Args: pr.args})); e >= 0 && pr.nr != nr(t, "uname") && pr.nr != 1000 && e != want[i] {
			t.Errorf("probe %d: evaluator errno %d, kernel %d", i, e, want[i])
		}
	}
}

// observable returns the errno a call with action a sees in a process with
// no tracer and no listener (0: the call runs), or -1 when a stops the process.
func observable(a Action) int {
	if e, ok := a.ErrnoValue(); ok {
		return e
	}
	switch a.Kind() {
	case Allow, Log:
		return 0
	case traceBase, UserNotif:
		return int(syscall.ENOSYS)
	}
	return -1
}

// TestKernelKill sees the kill and trap actions stop the child with SIGSYS.
func TestKernelKill(t *testing.T) {
	requireSeccomp(t)
	for _, act := range []Action{KillProcess, Trap} {
		t.Run(act.String(), func(t *testing.T) {
			p := &Policy{DefaultAction: Allow, Rules: []Rule{{Syscalls: []string{"getppid"}, Action: act}}}
			insns, err := p.Compile()
			if err != nil {
				t.Fatal(err)
			}
			got, runErr, stderr := runUnder(t, insns, []probe{{nr: nr(t, "getpid")}, {nr: nr(t, "getppid")}})
			var ee *exec.ExitError
			if !errors.As(runErr, &ee) {
				t.Fatalf("child: %v, want it stopped (output %v)", runErr, got)
			}
			ws := ee.Sys().(syscall.WaitStatus)
			switch act {
			case KillProcess:
				if !ws.Signaled() || ws.Signal() != syscall.SIGSYS {
					t.Fatalf("child: %v, want killed by SIGSYS\n%s", runErr, stderr)
				}
			case Trap:
				// Go's runtime turns the SIGSYS of a trapped call into a crash
				// report naming the signal.
				if !strings.Contains(stderr, "SIGSYS") {
					t.Fatalf("child: %v; stderr lacks SIGSYS:\n%s", runErr, stderr)
				}
			}
		})
	}
}

// TestKernelDifferential runs random policies over argument-ignoring calls
// in real children and compares every errno with the evaluator's verdict.
func TestKernelDifferential(t *testing.T) {
	requireSeccomp(t)
	rng := rand.New(rand.NewPCG(7, 11))
	names := []string{"getppid", "getuid", "geteuid", "getgid", "getegid", "getpgrp"}
	var nrs []uint32
	for _, n := range names {
		nrs = append(nrs, nr(t, n))
	}
	acts := []Action{Allow, Log, Errno(1), Errno(13), Errno(38), Errno(200), Errno(4095), Errno(5000), Trace(1), UserNotif}
	calls, policies := 0, 25
	if raceEnabled {
		policies = 4
	}
	for i := 0; i < policies; i++ {
		p := &Policy{Arch: "x86_64", DefaultAction: Allow}
		for k := 1 + rng.IntN(12); k > 0; k-- {
			r := Rule{Action: acts[rng.IntN(len(acts))], Syscalls: []string{names[rng.IntN(len(names))]}}
			for c := rng.IntN(3); c > 0; c-- {
				cmp := ArgCmp{Index: rng.IntN(6), Op: Op(1 + rng.IntN(7)), Value: randomValue(rng), Mask: randomValue(rng)}
				if cmp.Op == OpMaskedEq && rng.IntN(2) == 0 {
					cmp.Value &= cmp.Mask
				}
				r.Args = append(r.Args, cmp)
			}
			p.Rules = append(p.Rules, r)
		}
		insns, err := p.Compile()
		if err != nil {
			t.Fatal(err)
		}
		f, err := NewFilter(insns)
		if err != nil {
			t.Fatal(err)
		}
		var probes []probe
		var want []int
		for j := 0; j < 40; j++ {
			pr := probe{nr: nrs[rng.IntN(len(nrs))]}
			if len(p.Rules) > 0 && rng.IntN(2) == 0 {
				r := p.Rules[rng.IntN(len(p.Rules))]
				pr.nr = nr(t, r.Syscalls[0])
				for _, c := range r.Args {
					pr.args[c.Index] = c.Value + uint64(rng.IntN(3)) - 1
				}
			}
			for a := range pr.args {
				if rng.IntN(3) == 0 {
					pr.args[a] = randomValue(rng)
				}
			}
			probes = append(probes, pr)
			want = append(want, observable(f.Evaluate(Data{Nr: int32(pr.nr), Arch: ArchX86_64, Args: pr.args})))
		}
		got, runErr, stderr := runUnder(t, insns, probes)
		if runErr != nil {
			t.Fatalf("policy %d: child: %v\n%s", i, runErr, stderr)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			text, _ := MarshalPolicy(p)
			t.Fatalf("policy %d: kernel errnos %v, evaluator %v\n%s\n%s", i, got, want, text, cbpf.Disasm(insns))
		}
		calls += len(probes)
	}
	t.Logf("%d calls under %d random policies: kernel and evaluator agree", calls, policies)
}

// loadInKernel reports, for each program, whether the kernel accepts it as a
// seccomp filter ("" if so, else the error), asking one child process.
func loadInKernel(t *testing.T, progs ...[]cbpf.Instruction) []string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// A trivial program first: if the kernel refuses it, the TSYNC_ESRCH
	// trick (Linux 5.7) is not available here.
	progs = append([][]cbpf.Instruction{{cbpf.Stmt(cbpf.OpRetK, uint32(Allow))}}, progs...)
	var enc []string
	for _, insns := range progs {
		enc = append(enc, encodeFilter(insns))
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), envLoad+"=1")
	cmd.Stdin = strings.NewReader(strings.Join(enc, ","))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("load child: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(progs) {
		t.Fatalf("load child: %d answers for %d programs: %q", len(lines), len(progs), out)
	}
	if lines[0] != "accepted" {
		reason := "the kernel refuses a one-instruction filter with SECCOMP_FILTER_FLAG_TSYNC_ESRCH (before Linux 5.7?): " + lines[0]
		if os.Getenv("CI") == "true" {
			t.Fatal(reason)
		}
		t.Skip(reason)
	}
	lines = lines[1:]
	for i, l := range lines {
		if l == "accepted" {
			lines[i] = ""
		}
	}
	return lines
}

// TestKernelAccepts loads compiled programs, short and long (trampolines,
// near 4096 instructions), in the kernel.
func TestKernelAccepts(t *testing.T) {
	requireSeccomp(t)
	rng := rand.New(rand.NewPCG(3, 4))
	var progs [][]cbpf.Instruction
	for i := 0; i < 30; i++ {
		n := 1 + rng.IntN(20)
		if i%5 == 0 {
			n = 100 + rng.IntN(60)
		}
		p := randomPolicy(rng, n, nil)
		insns, err := p.Compile()
		if errors.Is(err, ErrTooLong) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		progs = append(progs, insns)
	}
	names, _ := Syscalls("x86_64")
	long := &Policy{DefaultAction: Errno(1)}
	for i, n := range names {
		long.Rules = append(long.Rules, Rule{Syscalls: []string{n}, Action: Allow, Args: []ArgCmp{{Index: i % 6, Op: OpGe, Value: uint64(i) << 31}}})
	}
	insns, err := long.Compile()
	if err != nil {
		t.Fatal(err)
	}
	progs = append(progs, insns)
	maxLen := 0
	for i, msg := range loadInKernel(t, progs...) {
		if msg != "" {
			t.Errorf("program %d (%d instructions): kernel refused: %s", i, len(progs[i]), msg)
		}
		maxLen = max(maxLen, len(progs[i]))
	}
	t.Logf("kernel accepted %d compiled programs, the longest %d instructions", len(progs), maxLen)
}

// TestCheckFilterKernel compares CheckFilter's verdict on hand-written
// programs with the kernel's.
func TestCheckFilterKernel(t *testing.T) {
	allow := cbpf.Stmt(cbpf.OpRetK, uint32(Allow))
	cases := []struct {
		name  string
		insns []cbpf.Instruction
		ok    bool
	}{
		{"ret", []cbpf.Instruction{allow}, true},
		{"ld nr", []cbpf.Instruction{cbpf.Stmt(cbpf.OpLdW, 0), allow}, true},
		{"ld args[5] high", []cbpf.Instruction{cbpf.Stmt(cbpf.OpLdW, 60), allow}, true},
		{"ld past seccomp_data", []cbpf.Instruction{cbpf.Stmt(cbpf.OpLdW, 64), allow}, false},
		{"ld unaligned", []cbpf.Instruction{cbpf.Stmt(cbpf.OpLdW, 2), allow}, false},
		{"ldh", []cbpf.Instruction{cbpf.Stmt(cbpf.OpLdH, 0), allow}, false},
		{"ldb", []cbpf.Instruction{cbpf.Stmt(cbpf.OpLdB, 0), allow}, false},
		{"ld ind", []cbpf.Instruction{cbpf.Stmt(cbpf.OpLdIndW, 0), allow}, false},
		{"ldx msh", []cbpf.Instruction{cbpf.Stmt(cbpf.OpLdxMsh, 0), allow}, false},
		{"ancillary", []cbpf.Instruction{cbpf.Stmt(cbpf.OpLdW, cbpf.SKFAdOff+cbpf.SKFAdCPU), allow}, false},
		{"ld len", []cbpf.Instruction{cbpf.Stmt(cbpf.OpLdLen, 0), cbpf.Stmt(cbpf.OpRetA, 0)}, true},
		{"ldx len", []cbpf.Instruction{cbpf.Stmt(cbpf.OpLdxLen, 0), cbpf.Stmt(cbpf.OpTXA, 0), cbpf.Stmt(cbpf.OpRetA, 0)}, true},
		{"mod", []cbpf.Instruction{cbpf.Stmt(cbpf.OpLdW, 0), cbpf.Stmt(cbpf.OpModK, 3), allow}, false},
		{"xor", []cbpf.Instruction{cbpf.Stmt(cbpf.OpLdW, 0), cbpf.Stmt(cbpf.OpXorK, 3), allow}, true},
		{"alu and scratch", []cbpf.Instruction{cbpf.Stmt(cbpf.OpLdW, 0), cbpf.Stmt(cbpf.OpSt, 3), cbpf.Stmt(cbpf.OpLdxMem, 3), cbpf.Stmt(cbpf.OpAddX, 0), cbpf.Stmt(cbpf.OpNeg, 0), cbpf.Stmt(cbpf.OpLshK, 2), allow}, true},
		{"scratch read first", []cbpf.Instruction{cbpf.Stmt(cbpf.OpLdMem, 3), allow}, false},
		{"jset", []cbpf.Instruction{cbpf.Stmt(cbpf.OpLdW, 16), cbpf.Jump(cbpf.OpJSETK, 1, 0, 1), allow, cbpf.Stmt(cbpf.OpRetK, uint32(Errno(1)))}, true},
		{"jump out", []cbpf.Instruction{cbpf.Jump(cbpf.OpJEQK, 1, 0, 5), allow}, false},
		{"no return at end", []cbpf.Instruction{cbpf.Stmt(cbpf.OpLdW, 0)}, false},
		{"div by zero", []cbpf.Instruction{cbpf.Stmt(cbpf.OpDivK, 0), allow}, false},
		{"empty", nil, false},
	}
	var progs [][]cbpf.Instruction
	for _, c := range cases {
		if err := CheckFilter(c.insns); (err == nil) != c.ok {
			t.Errorf("%s: CheckFilter: %v, want ok=%v", c.name, err, c.ok)
		}
		if len(c.insns) > 0 { // install refuses an empty program before the kernel sees it
			progs = append(progs, c.insns)
		}
	}
	requireSeccomp(t)
	msgs := loadInKernel(t, progs...)
	for i, c := range cases[:len(progs)] {
		if (msgs[i] == "") != c.ok {
			t.Errorf("%s: kernel: %q, want accepted=%v", c.name, msgs[i], c.ok)
		}
	}
}

// TestCommandExternal runs the system's uname under policies: denied uname
// fails with EPERM, a denied execve makes the child exit 127, and an allowed
// command runs normally.
func TestCommandExternal(t *testing.T) {
	requireSeccomp(t)
	if _, err := exec.LookPath("uname"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	cases := []struct {
		policy string
		status int
		stderr string
		stdout string
	}{
		{`{"default": "allow"}`, 0, "", "Linux\n"},
		{`{"default": "allow", "rules": [{"syscalls": ["uname"], "action": "errno:EPERM"}]}`, 1, "Operation not permitted", ""},
		{`{"default": "allow", "rules": [{"syscalls": ["execve"], "action": "errno:EACCES"}]}`, 127, "gbpf seccomp: exec ", ""},
	}
	for _, c := range cases {
		p, err := ParsePolicy([]byte(c.policy))
		if err != nil {
			t.Fatal(err)
		}
		cmd, err := Command(p, "uname", "-s")
		if err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err = cmd.Run()
		status := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			status = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if status != c.status || !strings.Contains(stderr.String(), c.stderr) || stdout.String() != c.stdout {
			t.Errorf("%s: status %d, stdout %q, stderr %q; want %d, %q, containing %q", c.policy, status, stdout.String(), stderr.String(), c.status, c.stdout, c.stderr)
		}
	}
	if _, err := Command(&Policy{DefaultAction: Allow}, "no-such-command-gbpf"); err == nil {
		t.Error("Command of a missing command: no error")
	}
}
