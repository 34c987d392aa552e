#!/bin/sh
# Side-by-side figures of bpftrace and gbpf trace (run as root):
#   launch to attached: until the -c command starts (both tools start it
#   once every probe is attached), and launch to exit with -c /bin/true,
#   ns added per event for the count one-liner and for a printf per event,
#   peak RSS.
# Each per-event figure is the best of three runs minus the best untraced run.
# Usage: trace/bench.sh [ITERATIONS]   (from the repository root)
set -eu
N=${1:-2000000}
PN=$((N / 10))
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat > "$work/loop.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv) {
	long n = atol(argv[1]);
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		syscall(SYS_getpid);
	clock_gettime(CLOCK_MONOTONIC, &b);
	fprintf(stderr, "%.1f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
	return 0;
}
C
gcc -O2 -o "$work/gbpfloop" "$work/loop.c"
cat > "$work/stamp.c" <<'C'
#include <stdio.h>
#include <time.h>
int main(void) {
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	fprintf(stderr, "%lld\n", (long long)t.tv_sec * 1000000000LL + t.tv_nsec);
	return 0;
}
C
gcc -O2 -o "$work/stamp" "$work/stamp.c"
cat > "$work/paced.c" <<'C'
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
/* gbpfpaced N RATE: N getpid calls at RATE per second (busy-waiting). */
static long long now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1000000000LL + t.tv_nsec; }
int main(int argc, char **argv) {
	long n = atol(argv[1]);
	long long gap = 1000000000LL / atol(argv[2]), t = now();
	for (long i = 0; i < n; i++) {
		while (now() < t)
			;
		syscall(SYS_getpid);
		t += gap;
	}
	return 0;
}
C
gcc -O2 -o "$work/gbpfpaced" "$work/paced.c"

mkdir -p "$work/gt"
cat > "$work/gt/main.go" <<'G'
package main

import (
	"os"

	"github.com/gbpf/gbpf/trace"
)

func main() { os.Exit(trace.Main(os.Args[1:], os.Stdout, os.Stderr)) }
G
CGO_ENABLED=0 go build -o "$work/gbpf-trace" "$work/gt/main.go" # static, as users build it

COUNT='tracepoint:syscalls:sys_enter_getpid /comm == "gbpfloop"/ { @[comm] = count(); }'
PRINTF='tracepoint:syscalls:sys_enter_getpid /comm == "gbpfloop"/ { printf("%d %s\n", pid, comm); }'

ms() { date +%s%N; }
launch() { # tool...
	best=999999999
	for i in 1 2 3 4 5; do
		t0=$(ms)
		"$@" -e "$COUNT" -c /bin/true >/dev/null 2>&1
		t1=$(ms)
		d=$(( (t1 - t0) / 1000 ))
		[ "$d" -lt "$best" ] && best=$d
	done
	echo "$best"
}
attached() { # tool...
	best=999999999
	for i in 1 2 3 4 5; do
		t0=$(ms)
		t1=$("$@" -e "$COUNT" -c "$work/stamp" 2>&1 >/dev/null | grep -E '^[0-9]{19}$' | tail -1)
		d=$(( (t1 - t0) / 1000 ))
		[ "$d" -lt "$best" ] && best=$d
	done
	echo "$best"
}
# min3 prints the smallest of three runs of a command printing one number.
min3() {
	for i in 1 2 3; do "$@"; done | sort -n | head -1
}
per_event_once() { # n prog tool...
	n=$1; prog=$2; shift 2
	"$@" -e "$prog" -c "$work/gbpfloop $n" 2>&1 >/dev/null | grep -E '^[0-9.]+$' | tail -1
}
per_event() { min3 per_event_once "$@"; }
untraced() { "$work/gbpfloop" "$1" 2>&1; }
rss() { # tool...
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f %M "$@" -e "$COUNT" -c "$work/gbpfloop 1000" 2>&1 >/dev/null | tail -1
	else
		echo "n/a"
	fi
}

libsize() { # binary: its size plus the shared libraries it loads
	{ echo "$1"; ldd "$1" 2>/dev/null | awk '/=> \//{print $3}'; } | xargs du -kL 2>/dev/null | awk '{s+=$1} END {print s}'
}
base=$(min3 untraced "$N")
pbase=$(min3 untraced "$PN")
printf '%-34s %14s %14s\n' "" "bpftrace" "gbpf trace"
printf '%-34s %14s %14s\n' "launch to attached (us)" "$(attached bpftrace)" "$(attached "$work/gbpf-trace")"
printf '%-34s %14s %14s\n' "launch to exit, -c /bin/true (us)" "$(launch bpftrace)" "$(launch "$work/gbpf-trace")"
bt=$(per_event "$N" "$COUNT" bpftrace)
gt=$(per_event "$N" "$COUNT" "$work/gbpf-trace")
printf '%-34s %14s %14s\n' "count: ns/event added" "$(echo "$bt - $base" | bc)" "$(echo "$gt - $base" | bc)"
bt=$(per_event "$PN" "$PRINTF" bpftrace)
gt=$(per_event "$PN" "$PRINTF" "$work/gbpf-trace")
printf '%-34s %14s %14s\n' "printf: ns/event added" "$(echo "$bt - $pbase" | bc)" "$(echo "$gt - $pbase" | bc)"
PACED='tracepoint:syscalls:sys_enter_getpid /comm == "gbpfpaced"/ { printf("%d %s\n", pid, comm); }'
printed() { "$@" -e "$PACED" -c "$work/gbpfpaced 1000000 500000" 2>/dev/null | grep -c gbpfpaced; }
printf '%-34s %14s %14s\n' "printf at 500k/s: of 1000000 lines" "$(printed bpftrace)" "$(printed "$work/gbpf-trace")"
printf '%-34s %14s %14s\n' "peak RSS (KiB)" "$(rss bpftrace)" "$(rss "$work/gbpf-trace")"
printf '%-34s %14s %14s\n' "binary + shared libraries (KiB)" "$(libsize "$(command -v bpftrace)")" "$(libsize "$work/gbpf-trace")"
echo "(getpid untraced: $base ns/call; N=$N, printf N=$PN)"
