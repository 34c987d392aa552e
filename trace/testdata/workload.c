/* A deterministic workload for the bpftrace comparison tests: known
 * syscalls a known number of times; with an argument N it then sleeps N
 * milliseconds (for timed probes). Its comm is the executable's name. */
#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

/* work is the uprobe target: called 10 times with arguments 0, 1, 2, 0, ... */
__attribute__((noinline)) int work(int n) {
	__asm__ volatile("" ::: "memory");
	return n * 2 + 1;
}

int main(int argc, char **argv) {
	static char buf[8192];
	char path[64];
	int i, j;
	for (i = 0; i < 1000; i++)
		syscall(SYS_getpid);
	for (i = 0; i < 300; i++)
		syscall(SYS_getppid);
	for (i = 0; i < 50; i++)
		syscall(SYS_getuid);
	int zero = open("/dev/zero", O_RDONLY);
	for (i = 0; i <= 12; i++)
		for (j = 0; j <= i; j++)
			read(zero, buf, 1 << i);
	for (i = 0; i < 20; i++) {
		snprintf(path, sizeof path, "/nonexistent/gbpf-wl-%d", i % 4);
		syscall(SYS_openat, AT_FDCWD, path, O_RDONLY);
	}
	int null = open("/dev/null", O_WRONLY);
	for (i = 0; i < 7; i++)
		write(null, buf, 100 + i);
	for (i = 0; i < 10; i++)
		work(i % 3);
	if (argc > 1) { /* then linger ARGV[1] milliseconds, for timed probes */
		struct timespec ts = { atoi(argv[1]) / 1000, atoi(argv[1]) % 1000 * 1000000L };
		nanosleep(&ts, NULL);
	}
	return 0;
}
