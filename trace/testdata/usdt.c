/* A workload with SystemTap SDT probes (sys/sdt.h, systemtap-sdt-dev):
 * ARGV[1] rounds of gbpfwl:tick(i, i*10) and gbpfwl:three(i+1, -i, "hello"),
 * and a probe with a semaphore-free constant and memory argument. */
#include <stdlib.h>
#include <sys/sdt.h>

static volatile long cell = 7;

int main(int argc, char **argv) {
	int n = argc > 1 ? atoi(argv[1]) : 5;
	for (int i = 0; i < n; i++) {
		long v = i * 10;
		DTRACE_PROBE2(gbpfwl, tick, i, v);
		DTRACE_PROBE3(gbpfwl, three, i + 1, (short)-i, "hello");
		DTRACE_PROBE2(other, mem, cell, 42);
		cell++;
	}
	return 0;
}
