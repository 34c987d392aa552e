/*
 * Baseline for BenchmarkRun: libpcap's pcap_offline_filter() over every
 * packet of a capture held in memory, per filter expression, compiled as
 * tcpdump compiles it (optimizer on, netmask 0). Prints the best of 10
 * rounds of 2,000,000 packets in ns/packet.
 *
 *   gcc -O2 -o /tmp/libpcap_bench cbpf/testdata/bench/libpcap_bench.c -lpcap
 *   /tmp/libpcap_bench ../shared/pcap/captures/merged-en10mb.pcap 'tcp dst port 22' ...
 */
#include <pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct pkt {
	struct pcap_pkthdr h;
	u_char *d;
};

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	if (argc < 3) {
		fprintf(stderr, "usage: %s FILE EXPR...\n", argv[0]);
		return 2;
	}
	pcap_t *p = pcap_open_offline(argv[1], err);
	if (p == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	int n = 0, cap = 1024;
	struct pkt *pk = malloc(sizeof *pk * cap);
	struct pcap_pkthdr *h;
	const u_char *d;
	while (pcap_next_ex(p, &h, &d) == 1) {
		if (n == cap)
			pk = realloc(pk, sizeof *pk * (cap *= 2));
		pk[n].h = *h;
		pk[n].d = malloc(h->caplen ? h->caplen : 1);
		memcpy(pk[n].d, d, h->caplen);
		n++;
	}
	if (n == 0) {
		fprintf(stderr, "no packets\n");
		return 1;
	}
	for (int a = 2; a < argc; a++) {
		struct bpf_program prog;
		if (pcap_compile(p, &prog, argv[a], 1, 0) < 0) {
			fprintf(stderr, "%s: %s\n", argv[a], pcap_geterr(p));
			return 1;
		}
		const long iters = 2000000;
		long acc = 0;
		double best = 1e18;
		for (int round = 0; round < 10; round++) {
			struct timespec t0, t1;
			acc = 0;
			clock_gettime(CLOCK_MONOTONIC, &t0);
			for (long i = 0, j = 0; i < iters; i++, j = (j + 1 == n) ? 0 : j + 1)
				if (pcap_offline_filter(&prog, &pk[j].h, pk[j].d))
					acc++;
			clock_gettime(CLOCK_MONOTONIC, &t1);
			double ns = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / iters;
			if (ns < best)
				best = ns;
		}
		printf("%-75s %3d insns  min %6.2f ns/packet  accepted %.5f\n",
		    argv[a], prog.bf_len, best, (double)acc / iters);
		pcap_freecode(&prog);
	}
	return 0;
}
