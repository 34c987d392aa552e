package trace

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// need skips the test with reason, or fails it under CI=true, where every
// tool is installed.
func need(t *testing.T, ok bool, reason string) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true but %s", reason)
	}
	t.Skip(reason)
}

// oneLiners run against testdata/workload.c (comm "gbpfwl") under both
// bpftrace and gbpf trace; their whole standard output must match. In a
// program, :WL: and "WL" stand for the workload's path.
var oneLiners = []struct {
	name string
	args []string // program and parameters; -c is added
}{
	{"count", []string{`tracepoint:syscalls:sys_enter_getpid /comm == "gbpfwl"/ { @ = count(); }`}},
	{"count-comm", []string{`tracepoint:syscalls:sys_enter_getpid /comm == "gbpfwl"/ { @[comm] = count(); }`}},
	{"wildcard", []string{`tracepoint:syscalls:sys_enter_getp* /comm == "gbpfwl"/ { @[args->__syscall_nr] = count(); }`}},
	{"shared-block", []string{`tracepoint:syscalls:sys_enter_getpid, tracepoint:syscalls:sys_enter_getuid /comm == "gbpfwl"/ { @ = count(); }`}},
	{"hist", []string{`tracepoint:syscalls:sys_enter_read /comm == "gbpfwl"/ { @ = hist(args->count); }`}},
	{"hist-keyed", []string{`tracepoint:syscalls:sys_enter_read /comm == "gbpfwl"/ { @[args->count > 100] = hist(args->count); }`}},
	{"lhist", []string{`tracepoint:syscalls:sys_enter_read /comm == "gbpfwl"/ { @ = lhist(args->count, 0, 4096, 512); }`}},
	{"sum", []string{`tracepoint:syscalls:sys_enter_read /comm == "gbpfwl"/ { @ = sum(args->count); }`}},
	{"avg", []string{`tracepoint:syscalls:sys_enter_read /comm == "gbpfwl"/ { @ = avg(args->count); }`}},
	{"min-max", []string{`tracepoint:syscalls:sys_enter_read /comm == "gbpfwl"/ { @lo = min(args->count); @hi = max(args->count); }`}},
	{"stats", []string{`tracepoint:syscalls:sys_enter_read /comm == "gbpfwl"/ { @s[comm] = stats(args->count); }`}},
	{"count-by-arg", []string{`tracepoint:syscalls:sys_enter_read /comm == "gbpfwl"/ { @[args->count] = count(); }`}},
	{"str-key", []string{`tracepoint:syscalls:sys_enter_openat /comm == "gbpfwl"/ { @[str(args->filename)] = count(); }`}},
	{"printf-str", []string{`tracepoint:syscalls:sys_enter_openat /comm == "gbpfwl"/ { printf("%s\n", str(args->filename)); }`}},
	{"printf-widths", []string{`BEGIN { printf("%-10s|%5d|%x|%c|%05u|%%\n", "ab", 42, 255, 65, 7); }`}},
	{"begin-end", []string{`BEGIN { printf("hello\n"); } END { printf("bye\n"); }`}},
	{"scratch", []string{`tracepoint:syscalls:sys_enter_read /comm == "gbpfwl"/ { $x = args->count * 2; @ = sum($x); }`}},
	{"if-else", []string{`tracepoint:syscalls:sys_enter_read /comm == "gbpfwl"/ { if (args->count > 100) { @big = count(); } else { @small = count(); } }`}},
	{"ternary", []string{`tracepoint:syscalls:sys_enter_read /comm == "gbpfwl"/ { @[args->count > 64 ? 1 : 0] = count(); }`}},
	{"tuple-key", []string{`tracepoint:syscalls:sys_enter_read /comm == "gbpfwl"/ { @[comm, args->count] = count(); }`}},
	{"delete", []string{`tracepoint:syscalls:sys_enter_read /comm == "gbpfwl"/ { @[args->count] = count(); } END { delete(@[1]); delete(@[4096]); }`}},
	{"clear", []string{`tracepoint:syscalls:sys_enter_read /comm == "gbpfwl"/ { @[args->count] = count(); @n = count(); } END { clear(@); }`}},
	{"zero", []string{`tracepoint:syscalls:sys_enter_read /comm == "gbpfwl"/ { @[args->count] = count(); } END { zero(@); }`}},
	{"print-top", []string{`tracepoint:syscalls:sys_enter_read /comm == "gbpfwl"/ { @[args->count] = count(); } END { print(@, 3); clear(@); }`}},
	{"print-div", []string{`tracepoint:syscalls:sys_enter_getp* /comm == "gbpfwl"/ { @[args->__syscall_nr] = count(); } END { print(@, 0, 2); }`}},
	{"assign-last", []string{`tracepoint:syscalls:sys_enter_read /comm == "gbpfwl"/ { @last = args->count; }`}},
	{"increment", []string{`tracepoint:syscalls:sys_enter_getuid /comm == "gbpfwl"/ { @n++; }`}},
	{"params", []string{`BEGIN { printf("%d %s %d\n", $#, str($1), $2); }`, "hello", "42"}},
	{"arith", []string{`tracepoint:syscalls:sys_enter_read /comm == "gbpfwl"/ { @ = sum(args->count % 7 + (args->count / 3) - 1); }`}},
	{"bits", []string{`tracepoint:syscalls:sys_enter_read /comm == "gbpfwl"/ { @[args->count & 0xf0, args->count >> 4 | 1] = count(); }`}},
	{"logic", []string{`tracepoint:syscalls:sys_enter_read /comm == "gbpfwl" && (args->count >= 16 || args->count == 2)/ { @ = count(); }`}},
	{"str-ne", []string{`tracepoint:syscalls:sys_enter_getpid /comm != "bash" && comm == "gbpfwl"/ { @ = count(); }`}},
	{"unroll", []string{`BEGIN { $i = 0; unroll(5) { $i = $i + 2; } printf("%d\n", $i); }`}},
	{"cast", []string{`tracepoint:syscalls:sys_enter_read /comm == "gbpfwl"/ { @[(uint8)(args->count + 250)] = count(); }`}},
	{"exit-ret", []string{`tracepoint:syscalls:sys_exit_openat /comm == "gbpfwl"/ { @[args->ret] = count(); }`}},
	{"write-hist", []string{`tracepoint:syscalls:sys_exit_write /comm == "gbpfwl"/ { @ = hist(args->ret); }`}},
	{"min-keyed", []string{`tracepoint:syscalls:sys_enter_write /comm == "gbpfwl"/ { @[args->fd > 0] = min(args->count); @x[1] = max(args->count); }`}},
	{"string-map", []string{`tracepoint:syscalls:sys_enter_openat /comm == "gbpfwl"/ { @last[comm] = str(args->filename); }`}},
	{"begin-maps", []string{`BEGIN { @a[1] = count(); @a[2] = count(); @a[2] = count(); @b = 5; @c["x", 2] = sum(3); @t = (1, "a"); exit(); }`}},
	{"uprobe-arg", []string{`uprobe:WL:work { @[arg0] = count(); }`}},
	{"uretprobe", []string{`uretprobe:WL:work { @[retval] = count(); @s = sum(retval); }`}},
	{"uprobe-comm", []string{`uprobe:WL:work { @[comm] = count(); }`}},
	{"uid-gid", []string{`tracepoint:syscalls:sys_enter_getuid /comm == "gbpfwl"/ { @[uid, gid] = count(); }`}},
	{"tid-pid", []string{`tracepoint:syscalls:sys_enter_getpid /comm == "gbpfwl"/ { @[tid == pid] = count(); }`}},
	{"string-var", []string{`BEGIN { $s = "abc"; $t = 1 ? "xy" : "z"; printf("%s %s %d %d %d\n", $s, $t, !0, ~1, -5); @x = -3; @y = (uint32)-1; exit(); }`}},
	{"negative-aggs", []string{`BEGIN { @a = hist(-1); @b = avg(-4); @c = stats(-2); @d = sum(-7); exit(); }`}},
	{"hist-negative", []string{`tracepoint:syscalls:sys_exit_openat /comm == "gbpfwl"/ { @ = hist(args->ret); }`}},
	{"signed-compare", []string{`tracepoint:syscalls:sys_exit_openat /comm == "gbpfwl" && args->ret < 0/ { @neg = count(); }`}},
	{"str-len", []string{`tracepoint:syscalls:sys_enter_openat /comm == "gbpfwl"/ { @[str(args->filename, 5)] = count(); }`}},
	{"printf-many", []string{`tracepoint:syscalls:sys_enter_write /comm == "gbpfwl"/ { printf("%s fd=%d n=%u %x\n", comm, args->fd, args->count, args->count); }`}},
	{"lhist-small", []string{`tracepoint:syscalls:sys_enter_write /comm == "gbpfwl"/ { @ = lhist(args->count, 100, 110, 2); }`}},
	{"stats-keyed", []string{`tracepoint:syscalls:sys_enter_read /comm == "gbpfwl"/ { @[args->count > 512] = stats(args->count); }`}},
	{"avg-keyed", []string{`tracepoint:syscalls:sys_enter_read /comm == "gbpfwl"/ { @[args->count > 512] = avg(args->count); }`}},
	{"maps-order", []string{`tracepoint:syscalls:sys_enter_getuid /comm == "gbpfwl"/ { @z = count(); @a = count(); @m[comm] = count(); }`}},
	{"if-only", []string{`tracepoint:syscalls:sys_enter_read /comm == "gbpfwl"/ { if (args->count == 4096) { @big = count(); } }`}},
	{"nested-if", []string{`tracepoint:syscalls:sys_enter_read /comm == "gbpfwl"/ { if (args->count > 8) { if (args->count > 1000) { @[2] = count(); } else { @[1] = count(); } } else { @[0] = count(); } }`}},
	{"return", []string{`tracepoint:syscalls:sys_enter_read /comm == "gbpfwl"/ { if (args->count < 100) { return; } @ = count(); }`}},
	{"compound-vars", []string{`tracepoint:syscalls:sys_enter_read /comm == "gbpfwl"/ { $x = args->count; $x -= 1; $x *= 2; $x /= 2; @ = sum($x); }`}},
	{"print-several", []string{`tracepoint:syscalls:sys_enter_getuid /comm == "gbpfwl"/ { @a = count(); @b[1] = sum(2); } END { print(@a); print(@b); clear(@a); }`}},
	{"exit-begin", []string{`BEGIN { @x[1] = count(); exit(); } END { printf("end\n"); }`}},
	{"getppid-count", []string{`tracepoint:syscalls:sys_enter_getppid /comm == "gbpfwl"/ { @[comm, "ppid"] = count(); }`}},
	{"json-printf", []string{"-f", "json", `BEGIN { printf("a %d\n", 1); @x = 2; exit(); }`}},
	{"probe", []string{`tracepoint:syscalls:sys_enter_getp* /comm == "gbpfwl"/ { @[probe] = count(); }`}},
	{"json-count", []string{"-f", "json", `tracepoint:syscalls:sys_enter_read /comm == "gbpfwl" && args->count != 832/ { @[args->count] = count(); @s = stats(args->count); }`}},
	{"json-hist", []string{"-f", "json", `tracepoint:syscalls:sys_enter_read /comm == "gbpfwl"/ { @ = hist(args->count); printf("x\n"); }`}},
	// Timed probes: the workload lingers 300 ms (--linger), so each fires.
	{"interval", []string{"--linger", "300", `interval:ms:10 { @fired = 1; exit(); }`}},
	{"interval-probe", []string{"--linger", "300", `interval:ms:20 { printf("%s\n", probe); exit(); }`}},
	{"profile-hz", []string{"--linger", "300", `profile:hz:99 { @p = 1; } interval:ms:100 { exit(); }`}},
	{"profile-probe", []string{"--linger", "300", `profile:ms:5 { @[probe] = 1; } interval:ms:60 { exit(); }`}},
	{"software-clock", []string{"--linger", "300", `software:cpu-clock:1000000 { @s = 1; } interval:ms:60 { exit(); }`}},
	{"page-faults", []string{`software:page-faults:1 /comm == "gbpfwl"/ { @pf = 1; }`}},
	{"interval-us", []string{"--linger", "300", `interval:us:5000 { @[probe] = 1; exit(); }`}},
	{"kstack", []string{`tracepoint:syscalls:sys_enter_getpid /comm == "gbpfwl"/ { @[kstack] = count(); @n = count(); }`}},
	{"kstack-printf", []string{`tracepoint:syscalls:sys_enter_getpid /comm == "gbpfwl"/ { printf("%s|\n", kstack); exit(); }`}},
	{"ustack", []string{"--linger", "300", `tracepoint:syscalls:sys_enter_getpid /comm == "gbpfwl"/ { @[ustack] = count(); } interval:ms:100 { print(@); clear(@); exit(); }`}},
	{"ustack-uprobe", []string{"--linger", "300", `uprobe:WL:work { @[ustack, arg0] = sum(arg0 + 1); } interval:ms:100 { print(@); clear(@); exit(); }`}},
	{"join", []string{"--linger", "5", `tracepoint:syscalls:sys_enter_execve /str(args->filename) == "WL"/ { printf("%d: ", pid > 0); join(args->argv); join(args->argv, ","); }`}},
	{"json-join", []string{"--linger", "5", "-f", "json", `tracepoint:syscalls:sys_enter_execve /str(args->filename) == "WL"/ { join(args->argv); }`}},
	{"deref-field", []string{`tracepoint:syscalls:sys_enter_openat /comm == "gbpfwl"/ { @[*args->filename] = count(); }`}},
	{"deref-buf", []string{`tracepoint:syscalls:sys_enter_write /comm == "gbpfwl"/ { @[*args->buf] = count(); }`}},
	{"kaddr-deref", []string{`BEGIN { $a = kaddr("do_syscall_64"); @x = *$a; @y = *($a + 8) > 0; exit(); }`}},
	{"while", []string{`BEGIN { $i = 0; $s = 0; while ($i < 10) { $i++; if ($i == 3) { continue; } if ($i == 8) { break; } $s += $i; } printf("%d %d\n", $i, $s); exit(); }`}},
	{"while-log2", []string{`tracepoint:syscalls:sys_enter_read /comm == "gbpfwl"/ { $n = args->count; $b = 0; while ($n > 1 && $b < 64) { $n = $n / 2; $b++; } @[$b] = count(); }`}},
	{"printf-lengths", []string{`BEGIN { $v = (uint64)0x1234567890; printf("%d|%u|%x|%X|%lx|%lu|%ld|%llx|%o|%c|%5x\n", $v, $v, $v, $v, $v, $v, $v, $v, $v, 65, $v); $w = (int32)-2; printf("%d %u %x %lx %hd %hhu\n", $w, $w, $w, $w, 0x18001, 0x1ff); exit(); }`}},
	// C types: tracepoint char arrays are strings; struct fields through
	// BTF, from curtask, casts and tracepoint struct pointers.
	{"tp-char-array", []string{`tracepoint:sched:sched_process_exit /args->comm == "gbpfwl"/ { @[args->comm] = count(); printf("%s|%s\n", args->comm, comm); }`}},
	{"btf-curtask", []string{`tracepoint:syscalls:sys_enter_getpid /comm == "gbpfwl"/ { @[curtask->comm, curtask->pid == tid, curtask->tgid == pid, curtask->real_parent->tgid > 1] = count(); }`}},
	{"btf-cast-nested", []string{`tracepoint:syscalls:sys_enter_getuid /comm == "gbpfwl"/ { $t = (struct task_struct *)curtask; @[$t->signal->nr_threads, $t->se.load.weight] = count(); }`}},
	{"btf-tp-pointer", []string{"--linger", "1200", `tracepoint:syscalls:sys_enter_clock_nanosleep /comm == "gbpfwl"/ { printf("%d %d\n", args->rqtp->tv_sec, args->rqtp->tv_nsec); @ns = sum(args->rqtp->tv_nsec); }`}},
	{"strftime", []string{`BEGIN { @y = strftime("%Y", nsecs); printf("%s\n", strftime("%Y-%m", nsecs)); exit(); }`}},
	{"ntop", []string{`BEGIN { printf("%s %s\n", ntop(0x0100007f), ntop(2, 0x0101a8c0)); @[ntop(0x0200000a)] = count(); exit(); }`}},
	{"pton", []string{`BEGIN { $a = pton("127.0.0.1"); printf("%s %s\n", ntop($a), ntop(pton("fe80::1"))); @m[ntop(pton("10.1.2.3"))] = 1; @p = pton("1.2.3.4"); exit(); }`}},
	{"buf-macaddr", []string{`BEGIN { $a = kaddr("do_syscall_64"); printf("%r %s\n", buf($a, 6), macaddr($a)); @[buf($a, 2)] = count(); @m = macaddr($a); exit(); }`}},
	{"print-value", []string{`BEGIN { print(123); print((1, "a")); print(-5); print("str"); exit(); }`}},
	{"strncmp-strcontains", []string{`tracepoint:syscalls:sys_enter_getpid /comm == "gbpfwl"/ { @[strncmp(comm, "gbpfxx", 4), strncmp(comm, "gbx", 3), strcontains(comm, "pfw"), strcontains(comm, "wlx")] = count(); }`}},
	{"cat", []string{`BEGIN { cat("/proc/sys/kernel/ostype"); exit(); }`}},
	{"system", []string{"--unsafe", `BEGIN { system("echo %d-%s", 42, "x"); exit(); }`}},
	{"signal", []string{"--linger", "3000", "--unsafe", `tracepoint:syscalls:sys_enter_clock_nanosleep /comm == "gbpfwl"/ { signal("KILL"); } tracepoint:sched:sched_process_exit /comm == "gbpfwl"/ { printf("exit code %d\n", curtask->exit_code); }`}},
	{"sizeof-struct", []string{`BEGIN { printf("%d %d\n", sizeof(struct task_struct), sizeof(struct __kernel_timespec)); exit(); }`}},
	{"misc-functions", []string{`BEGIN { printf("%d %d %d %x %x %lx\n", sizeof(uint32), sizeof(int8), sizeof(comm), bswap((uint32)1), bswap((uint16)0x1234), bswap((uint64)1)); printf("%d %d %d\n", cgroup > 0, curtask > 0, uptr(5) + kptr(6)); exit(); }`}},
	{"exit-drops-output", []string{`tracepoint:syscalls:sys_enter_getpid /comm == "gbpfwl"/ { printf("x\n"); exit(); } END { printf("end\n"); }`}},
	{"uprobe-library", []string{`uprobe:libc:write /comm == "gbpfwl"/ { @[probe] = count(); }`}},
	// A local symbol only libc's debug file (libc6-dbg) names.
	{"uprobe-debug-symbol", []string{`uprobe:libc:__GI___libc_write /comm == "gbpfwl"/ { @[arg2] = count(); }`}},
	{"uprobe-library-arg", []string{`uprobe:libc:write /comm == "gbpfwl"/ { @[arg2] = count(); }`}},
}

// splitArgs puts the flags of a case before -e PROGRAM and its
// parameters after it.
func splitArgs(args []string) (flags []string, prog string, params []string) {
	for i := 0; i < len(args); i++ {
		if args[i] == "--unsafe" {
			flags = append(flags, args[i])
			continue
		}
		if strings.HasPrefix(args[i], "-") {
			flags = append(flags, args[i], args[i+1])
			i++
			continue
		}
		if prog == "" {
			prog = args[i]
			continue
		}
		params = append(params, args[i])
	}
	return
}

// bpftraceAndWorkload returns bpftrace's path and the workload built from
// testdata/workload.c, skipping (failing under CI=true) without root,
// bpftrace, gcc or tracefs.
func bpftraceAndWorkload(t *testing.T) (bt, wl string) {
	t.Helper()
	need(t, os.Geteuid() == 0, "tracing needs root")
	bt, err := exec.LookPath("bpftrace")
	need(t, err == nil, "bpftrace is not installed")
	cc, err := exec.LookPath("gcc")
	need(t, err == nil, "gcc is not installed (builds the workload)")
	need(t, ensureTracefs(tracefsDir) == nil, "tracefs cannot be mounted")
	wl = filepath.Join(t.TempDir(), "gbpfwl")
	if out, err := exec.Command(cc, "-O1", "-o", wl, "testdata/workload.c").CombinedOutput(); err != nil {
		t.Fatalf("building the workload: %v\n%s", err, out)
	}
	return bt, wl
}

func TestCompareWithBpftrace(t *testing.T) {
	bt, wl := bpftraceAndWorkload(t)
	passed := 0
	for _, tc := range oneLiners {
		t.Run(tc.name, func(t *testing.T) {
			flags, prog, params := splitArgs(tc.args)
			prog = strings.ReplaceAll(prog, ":WL:", ":"+wl+":")
			prog = strings.ReplaceAll(prog, `"WL"`, `"`+wl+`"`)
			command := wl
			if len(flags) >= 2 && flags[0] == "--linger" {
				command += " " + flags[1]
				flags = flags[2:]
			}
			args := append(append(append([]string{}, flags...), "-c", command, "-e", prog), params...)
			cmd := exec.Command(bt, args...)
			var btOut, btErr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &btOut, &btErr
			if err := cmd.Run(); err != nil {
				t.Fatalf("bpftrace %q: %v\n%s", args, err, btErr.String())
			}
			var out, errOut bytes.Buffer
			if rc := Main(args, &out, &errOut); rc != 0 {
				t.Fatalf("gbpf trace %q: exit %d\n%s", args, rc, errOut.String())
			}
			if normalize(out.String()) != normalize(btOut.String()) {
				t.Fatalf("gbpf trace %q differs from bpftrace\n--- bpftrace\n%s--- gbpf trace\n%s", args, btOut.String(), out.String())
			}
			passed++
		})
	}
	t.Logf("%d of %d one-liners print the same as bpftrace", passed, len(oneLiners))
}

// normalize orders the lines of map entries that have equal values: their
// order follows the kernel's hash iteration, which a random seed decides.
func normalize(s string) string {
	lines := strings.Split(s, "\n")
	group := func(l string) string {
		i := strings.Index(l, "]: ")
		if !strings.HasPrefix(l, "@") || i < 0 {
			return ""
		}
		name := l[:strings.Index(l, "[")]
		return name + " " + l[i+3:]
	}
	for i := 0; i < len(lines); {
		g := group(lines[i])
		j := i + 1
		for g != "" && j < len(lines) && group(lines[j]) == g {
			j++
		}
		sort.Strings(lines[i:j])
		i = j
	}
	return strings.Join(lines, "\n")
}

// TestRawTracepoint counts the workload's getpid calls through the raw
// sys_enter tracepoint (arg1 is the syscall number), which bpftrace 0.17
// lacks, and compares the output with bpftrace's count of the same calls
// through the syscall tracepoint.
func TestRawTracepoint(t *testing.T) {
	bt, wl := bpftraceAndWorkload(t)
	want, err := exec.Command(bt, "-c", wl, "-e", `tracepoint:syscalls:sys_enter_getpid /comm == "gbpfwl"/ { @ = count(); }`).Output()
	if err != nil {
		t.Fatalf("bpftrace: %v", err)
	}
	var out, errOut bytes.Buffer
	args := []string{"-c", wl, "-e", fmt.Sprintf(`rawtracepoint:sys_enter /comm == "gbpfwl" && arg1 == %d/ { @ = count(); }`, unix.SYS_GETPID)}
	if rc := Main(args, &out, &errOut); rc != 0 {
		t.Fatalf("gbpf trace %q: exit %d\n%s", args, rc, errOut.String())
	}
	if out.String() != string(want) {
		t.Fatalf("gbpf trace %q:\n%s\nbpftrace's syscall tracepoint count:\n%s", args, out.String(), want)
	}
}

// TestMachineDependentLikeBpftrace runs programs whose fate depends on
// the machine (a hardware PMU event, a data symbol in kallsyms) under
// both tools: both must fail, gbpf naming what failed, or both print the
// same.
func TestMachineDependentLikeBpftrace(t *testing.T) {
	need(t, os.Geteuid() == 0, "tracing needs root")
	bt, err := exec.LookPath("bpftrace")
	need(t, err == nil, "bpftrace is not installed")
	for _, tc := range []struct{ prog, mentions, want string }{
		{`hardware:cycles:100000 { @ = 1; exit(); }`, "perf_event_open", "@: 1"},
		{`BEGIN { $a = kaddr("avenrun"); @ = *$a > 0; exit(); }`, "avenrun", "@: 1"},
	} {
		btOut, btErr := exec.Command(bt, "-e", tc.prog).CombinedOutput()
		var out, errOut bytes.Buffer
		rc := Main([]string{"-e", tc.prog}, &out, &errOut)
		switch {
		case btErr != nil && rc == 0:
			t.Errorf("%s: bpftrace fails (%s) but gbpf trace runs:\n%s", tc.prog, btOut, out.String())
		case btErr == nil && rc != 0:
			t.Errorf("%s: bpftrace runs but gbpf trace fails: %s", tc.prog, errOut.String())
		case rc != 0:
			if !strings.Contains(errOut.String(), tc.mentions) {
				t.Errorf("%s: gbpf trace's error does not mention %s: %s", tc.prog, tc.mentions, errOut.String())
			}
			t.Logf("%s: both fail: bpftrace %q, gbpf trace %q", tc.prog, strings.TrimSpace(string(btOut)), strings.TrimSpace(errOut.String()))
		default:
			if !strings.Contains(string(btOut), tc.want) || !strings.Contains(out.String(), tc.want) {
				t.Errorf("%s: outputs: bpftrace %q, gbpf trace %q", tc.prog, btOut, out.String())
			}
		}
	}
}

// TestFunc checks func in a uprobe: the probed function's name, ten calls
// of work. (bpftrace 0.17 prints the address for this PIE binary.)
func TestFunc(t *testing.T) {
	_, wl := bpftraceAndWorkload(t)
	var out, errOut bytes.Buffer
	args := []string{"-c", wl, "-e", "uprobe:" + wl + `:work { @[func] = count(); printf("%s\n", func); }`}
	if rc := Main(args, &out, &errOut); rc != 0 {
		t.Fatalf("gbpf trace %q: exit %d\n%s", args, rc, errOut.String())
	}
	want := "Attaching 1 probe...\n" + strings.Repeat("work\n", 10) + "\n\n@[work]: 10\n"
	if out.String() != want {
		t.Errorf("gbpf trace %q:\n%q\nwant\n%q", args, out.String(), want)
	}
}

// TestSymbolsLikeBpftrace compares usym of a thread's start routine
// (printed while the process runs: named; in a map printed after it
// exits: an address in both) and ksym of a null address.
func TestSymbolsLikeBpftrace(t *testing.T) {
	bt, _ := bpftraceAndWorkload(t)
	wl := filepath.Join(t.TempDir(), "gbpfthr")
	if out, err := exec.Command("gcc", "-O1", "-pthread", "-o", wl, "testdata/threads.c").CombinedOutput(); err != nil {
		t.Fatalf("building the thread workload: %v\n%s", err, out)
	}
	prog := `uprobe:libc:pthread_create /comm == "gbpfthr"/ { printf("%s|%s\n", usym(arg2), ksym(0)); @[usym(arg2)] = count(); }`
	want, err := exec.Command(bt, "-c", wl, "-e", prog).Output()
	if err != nil {
		t.Fatalf("bpftrace: %v", err)
	}
	var out, errOut bytes.Buffer
	if rc := Main([]string{"-c", wl, "-e", prog}, &out, &errOut); rc != 0 {
		t.Fatalf("gbpf trace: exit %d\n%s", rc, errOut.String())
	}
	mask := func(s string) string { // the map key is an address, different per run
		if i := strings.Index(s, "@[0x"); i >= 0 {
			if j := strings.Index(s[i:], "]"); j > 0 {
				s = s[:i] + "@[ADDR" + s[i+j:]
			}
		}
		return s
	}
	if !strings.Contains(out.String(), "worker|0\n") || mask(out.String()) != mask(string(want)) {
		t.Fatalf("gbpf trace:\n%s\nbpftrace:\n%s", out.String(), want)
	}
}

// TestForRange runs for-range loops, which bpftrace 0.17 lacks, and
// compares the output with bpftrace running the same loops as while
// loops (the range's end is exclusive, continue skips to the next value).
func TestForRange(t *testing.T) {
	bt, _ := bpftraceAndWorkload(t)
	forProg := `BEGIN { $s = 0; $n = 0; for ($i : 2..9) { if ($i == 4) { continue; } if ($i == 7) { break; } $s += $i; for ($j : 0..$i) { $n++; } } printf("%d %d\n", $s, $n); exit(); }`
	whileProg := `BEGIN { $s = 0; $n = 0; $i = 2; while ($i < 9) { if ($i == 4) { $i++; continue; } if ($i == 7) { break; } $s += $i; $j = 0; while ($j < $i) { $n++; $j++; } $i++; } printf("%d %d\n", $s, $n); exit(); }`
	want, err := exec.Command(bt, "-e", whileProg).Output()
	if err != nil {
		t.Fatalf("bpftrace: %v", err)
	}
	var out, errOut bytes.Buffer
	if rc := Main([]string{"-e", forProg}, &out, &errOut); rc != 0 {
		t.Fatalf("gbpf trace: exit %d\n%s", rc, errOut.String())
	}
	if out.String() != string(want) || !strings.Contains(out.String(), "16 16\n") {
		t.Fatalf("gbpf trace (for):\n%s\nbpftrace (while):\n%s", out.String(), want)
	}
}

// TestHasKeyAndCgroupID checks has_key (which bpftrace 0.17 lacks)
// against the map's contents, and cgroupid of this process's cgroup v2
// directory against the cgroup builtin in the BEGIN probe, which runs in
// this process.
func TestHasKeyAndCgroupID(t *testing.T) {
	need(t, os.Geteuid() == 0, "tracing needs root")
	dir := cgroup2Dir(t)
	prog := fmt.Sprintf(`BEGIN { @a[1] = 2; printf("%%d %%d %%d\n", has_key(@a, 1), has_key(@a, 2), cgroup == cgroupid(%q)); clear(@a); exit(); }`, dir)
	var out, errOut bytes.Buffer
	if rc := Main([]string{"-e", prog}, &out, &errOut); rc != 0 {
		t.Fatalf("gbpf trace: exit %d\n%s", rc, errOut.String())
	}
	if want := "Attaching 1 probe...\n1 0 1\n"; !strings.HasPrefix(out.String(), want) {
		t.Errorf("gbpf trace %s:\n%q, want it to start %q", prog, out.String(), want)
	}
}

// cgroup2Dir is the directory of this process's cgroup v2.
func cgroup2Dir(t *testing.T) string {
	t.Helper()
	cg, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	rel := ""
	for _, l := range strings.Split(string(cg), "\n") {
		if p, ok := strings.CutPrefix(l, "0::"); ok {
			rel = p
		}
	}
	mi, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(mi), "\n") {
		if f := strings.Fields(l); len(f) > 9 && strings.Contains(l, " - cgroup2 ") {
			return filepath.Join(f[4], rel)
		}
	}
	need(t, false, "no cgroup v2 hierarchy is mounted")
	return ""
}

// debianTools are the tools of Debian's bpftrace package (/usr/sbin/*.bt)
// that use only probe types this kernel offers: each runs unchanged under
// gbpf trace around the workload and starts as bpftrace does (the same
// "Attaching N probes..." line and the same first line of its own).
var debianTools = []string{
	"bashreadline", "bitesize", "cpuwalk", "execsnoop", "gethostlatency", "killsnoop",
	"naptime", "opensnoop", "pidpersec", "setuids", "ssllatency", "sslsnoop",
	"statsnoop", "syncsnoop", "syscount", "threadsnoop", "writeback",
}

// debianToolsFailing cannot run on this kernel: it lacks kprobes (vfsstat,
// swapin), kernel data symbols in kallsyms (loads), and cfs_rq's
// nr_running (runqlen; renamed in 6.14). gbpf trace fails with the reason;
// bpftrace fails too, or skips the probes it cannot attach and runs what
// is left. When bpftrace's error is about the program, gbpf's first error
// line must be the same.
var debianToolsFailing = map[string]bool{"runqlen": true, "loads": true, "vfsstat": true, "swapin": true}

func TestDebianTools(t *testing.T) {
	bt, wl := bpftraceAndWorkload(t)
	var names []string
	names = append(names, debianTools...)
	for n := range debianToolsFailing {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			script := "/usr/sbin/" + name + ".bt"
			if _, err := os.Stat(script); err != nil {
				need(t, false, script+" is missing (Debian's bpftrace package installs it)")
			}
			args := []string{"-c", wl + " 200", script}
			cmd := exec.Command(bt, args...)
			var btOut, btErr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &btOut, &btErr
			btFailed := cmd.Run() != nil
			var out, errOut bytes.Buffer
			rc := Main(args, &out, &errOut)
			if debianToolsFailing[name] {
				if rc == 0 {
					t.Fatalf("gbpf trace runs %s, which bpftrace cannot:\n%s", name, out.String())
				}
				if want := firstError(btErr.String()); btFailed && strings.Contains(want, script) && firstError(errOut.String()) != want {
					t.Fatalf("first error differs\nbpftrace: %s\ngbpf:     %s", want, firstError(errOut.String()))
				}
				t.Logf("both fail: %s", firstError(errOut.String()))
				return
			}
			if btFailed {
				t.Fatalf("bpftrace %s: %s", name, btErr.String())
			}
			if rc != 0 {
				t.Fatalf("gbpf trace %s: exit %d\n%s", name, rc, errOut.String())
			}
			got, want := strings.SplitN(out.String(), "\n", 3), strings.SplitN(btOut.String(), "\n", 3)
			if len(got) < 2 || len(want) < 2 || got[0] != want[0] || got[1] != want[1] {
				t.Fatalf("gbpf trace %s starts differently\n--- bpftrace\n%s\n--- gbpf trace\n%s", name, btOut.String(), out.String())
			}
		})
	}
}

// firstError is the first line of stderr that reports an error.
func firstError(stderr string) string {
	for _, l := range strings.Split(stderr, "\n") {
		if strings.Contains(l, "ERROR") && !strings.Contains(l, "RLIMIT_MEMLOCK") {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

// TestListUprobes lists the functions of binaries as bpftrace -l does:
// bash's dynamic symbols, and libc's with those of its debug file
// (libc6-dbg), when installed.
func TestListUprobes(t *testing.T) {
	bt, _ := bpftraceAndWorkload(t)
	for _, pat := range []string{"uprobe:/bin/bash:read*", "uretprobe:/bin/bash:*hist*", "uprobe:libc:str*"} {
		want, err := exec.Command(bt, "-l", pat).Output()
		if err != nil {
			t.Fatalf("bpftrace -l %s: %v", pat, err)
		}
		var out, errOut bytes.Buffer
		if rc := Main([]string{"-l", pat}, &out, &errOut); rc != 0 {
			t.Fatalf("gbpf trace -l %s: exit %d: %s", pat, rc, errOut.String())
		}
		if out.String() != string(want) {
			t.Errorf("gbpf trace -l %s\n--- bpftrace\n%s--- gbpf trace\n%s", pat, want, out.String())
		}
		if len(want) == 0 {
			t.Errorf("bpftrace -l %s lists nothing", pat)
		}
	}
}

// TestIterTask runs an iter:task probe (bpftrace 0.17 refuses it on this
// kernel): the program sees every task once, kthreadd and this test's
// own process among them, and the run ends, with END, when the iterator
// does.
func TestIterTask(t *testing.T) {
	need(t, os.Geteuid() == 0, "tracing needs root")
	prog := `iter:task /ctx->task->pid == ctx->task->tgid/ { printf("%d %s\n", ctx->task->pid, ctx->task->comm); @n = count(); } END { printf("end\n"); }`
	var out, errOut bytes.Buffer
	if rc := Main([]string{"-e", prog}, &out, &errOut); rc != 0 {
		if strings.Contains(errOut.String(), "the kernel refuses iter programs") {
			need(t, false, "the kernel refuses iterator programs: "+errOut.String())
		}
		t.Fatalf("exit %d: %s", rc, errOut.String())
	}
	self, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{"\n2 kthreadd\n", fmt.Sprintf("\n%d %s\n", os.Getpid(), strings.TrimSpace(string(self))), "\nend\n", "\n@n: "} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
}

// TestUSDTLikeBpftrace traces the SDT probes of testdata/usdt.c (built
// with sys/sdt.h from systemtap-sdt-dev): listing, register arguments of
// each size and sign, and wildcard probe names print what bpftrace
// prints. The rip-relative global argument, which bpftrace 0.17 cannot
// read ("deref ident is not handled yet"), must read the variable.
func TestUSDTLikeBpftrace(t *testing.T) {
	bt, _ := bpftraceAndWorkload(t)
	_, err := os.Stat("/usr/include/x86_64-linux-gnu/sys/sdt.h")
	need(t, err == nil, "sys/sdt.h is missing (apt-get install systemtap-sdt-dev)")
	wl := filepath.Join(t.TempDir(), "gbpfusdt")
	if out, err := exec.Command("gcc", "-O2", "-o", wl, "testdata/usdt.c").CombinedOutput(); err != nil {
		t.Fatalf("building the usdt workload: %v\n%s", err, out)
	}
	run := func(t *testing.T, tool string, args ...string) string {
		t.Helper()
		if tool == "gbpf" {
			var out, errOut bytes.Buffer
			if rc := Main(args, &out, &errOut); rc != 0 {
				t.Fatalf("gbpf trace %q: exit %d: %s", args, rc, errOut.String())
			}
			return out.String()
		}
		out, err := exec.Command(bt, args...).Output()
		if err != nil {
			t.Fatalf("bpftrace %q: %v", args, err)
		}
		return string(out)
	}
	cases := [][]string{
		{"-l", "usdt:" + wl + ":*"},
		{"-l", "usdt:" + wl + ":gbpfwl:t*"},
		{"-c", wl + " 3", "-e", "usdt:" + wl + ":gbpfwl:tick { printf(\"%d %d\\n\", arg0, arg1); } usdt:" + wl + ":gbpfwl:three { printf(\"%d %d\\n\", arg0, arg1); }"},
		{"-c", wl + " 4", "-e", "usdt:" + wl + ":gbpfwl:* { @[probe, arg0] = count(); @s[probe] = sum(arg0); }"},
		{"-c", wl + " 2", "-e", "usdt:" + wl + ":three { @[arg1] = count(); }"},
		{"-c", wl + " 5", "-e", "usdt:" + wl + ":gbpfwl:guarded { @ = max(arg0); }"}, // 5: the semaphore is raised
	}
	for i, args := range cases {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			got, want := run(t, "gbpf", args...), run(t, bt, args...)
			if normalize(got) != normalize(want) {
				t.Fatalf("%q\n--- bpftrace\n%s--- gbpf trace\n%s", args, want, got)
			}
		})
	}
	got := run(t, "gbpf", "-c", wl+" 3", "-e", "usdt:"+wl+":other:mem { printf(\"%d %d\\n\", arg0, arg1); }")
	if want := "Attaching 1 probe...\n7 42\n8 42\n9 42\n"; !strings.HasPrefix(got, want) {
		t.Errorf("rip-relative argument: got %q, want %q", got, want)
	}
}

// TestForMap walks maps with for ($kv : @map), which bpftrace 0.17 lacks:
// printing every entry from the loop, in bpftrace's map format, must give
// the entries bpftrace prints for the same maps (counts and sums added up
// over the CPUs, tuple keys, plain values); break stops the walk, and the
// loop body reads and writes the probe's variables; len(@map) counts the
// entries.
func TestForMap(t *testing.T) {
	bt, wl := bpftraceAndWorkload(t)
	record := `tracepoint:syscalls:sys_enter_read /comm == "gbpfwl"/ { @c[args->count] = count(); @s[comm, args->count > 100] = sum(args->count); @p[args->count] = args->count * 2; }`
	walk := ` END { for ($kv : @c) { printf("@c[%d]: %d\n", $kv.0, $kv.1); } for ($e : @s) { printf("@s[%s, %d]: %d\n", $e.0.0, $e.0.1, $e.1); } $n = 0; $t = 0; for ($kv : @p) { printf("@p[%d]: %d\n", $kv.0, $kv.1); $n++; $t += $kv.1; } printf("n=%d t=%d\n", $n, $t); $b = 0; for ($kv : @c) { $b++; break; } printf("b=%d len=%d\n", $b, len(@p)); clear(@c); clear(@s); clear(@p); }`
	out, err := exec.Command(bt, "-c", wl, "-e", record+` END { $n = 0; }`).Output()
	if err != nil {
		t.Fatalf("bpftrace: %v", err)
	}
	want := map[string]bool{}
	n, total := 0, 0
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "@") {
			want[l] = true
			if strings.HasPrefix(l, "@p[") {
				var k, v int
				fmt.Sscanf(l, "@p[%d]: %d", &k, &v)
				n, total = n+1, total+v
			}
		}
	}
	var gout, errOut bytes.Buffer
	if rc := Main([]string{"-c", wl, "-e", record + walk}, &gout, &errOut); rc != 0 {
		t.Fatalf("gbpf trace: exit %d\n%s", rc, errOut.String())
	}
	got := map[string]bool{}
	for _, l := range strings.Split(gout.String(), "\n") {
		if strings.HasPrefix(l, "@") {
			got[l] = true
		}
	}
	if len(want) < 5 || !reflect.DeepEqual(got, want) {
		t.Errorf("entries walked by gbpf:\n%s\nentries bpftrace prints:\n%s", gout.String(), out)
	}
	if tail := fmt.Sprintf("n=%d t=%d\nb=1 len=%d\n", n, total, n); !strings.Contains(gout.String(), tail) {
		t.Errorf("gbpf output lacks %q:\n%s", tail, gout.String())
	}
}
