/* A workload with SystemTap SDT probes (sys/sdt.h, systemtap-sdt-dev):
 * ARGV[1] rounds of gbpfwl:tick(i, i*10), gbpfwl:three(i+1, -i, "hello"),
 * other:mem(a global, 42) and gbpfwl:guarded, a probe behind a semaphore
 * (it fires only while a tracer has raised the semaphore). */
#define _SDT_HAS_SEMAPHORES 1
#include <stdlib.h>
#include <sys/sdt.h>

/* With semaphores on, every probe has one; only guarded's is tested. */
#define SEMAPHORE(name) __extension__ unsigned short name##_semaphore __attribute__((unused)) __attribute__((section(".probes")))
SEMAPHORE(gbpfwl_tick);
SEMAPHORE(gbpfwl_three);
SEMAPHORE(other_mem);
SEMAPHORE(gbpfwl_guarded);
static volatile long cell = 7;

int main(int argc, char **argv) {
	int n = argc > 1 ? atoi(argv[1]) : 5, seen = 0;
	for (int i = 0; i < n; i++) {
		long v = i * 10;
		DTRACE_PROBE2(gbpfwl, tick, i, v);
		DTRACE_PROBE3(gbpfwl, three, i + 1, (short)-i, "hello");
		DTRACE_PROBE2(other, mem, cell, 42);
		cell++;
		if (gbpfwl_guarded_semaphore) {
			seen++;
			DTRACE_PROBE1(gbpfwl, guarded, seen);
		}
	}
	return 0;
}
