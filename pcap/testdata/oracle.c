/*
 * oracle: what libpcap reports for capture files, for the pcap package's
 * oracle test. For each file named on standard input (one per line) it opens
 * the file with nanosecond time stamp precision and prints
 *
 *   FILE <path>
 *   OPEN <dlt> <snaplen> <major> <minor> <swapped>   or   OPENERR <message>
 *   P <tv_sec> <tv_usec> <caplen> <len> <FNV-1a 64 of the data, hex>   per packet
 *   END EOF   or   END ERR <message>
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint64_t fnv1a(const unsigned char *p, unsigned n)
{
	uint64_t h = 14695981039346656037ULL;
	for (unsigned i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

int main(void)
{
	char path[4096];
	char errbuf[PCAP_ERRBUF_SIZE];

	while (fgets(path, sizeof path, stdin) != NULL) {
		path[strcspn(path, "\n")] = '\0';
		if (path[0] == '\0')
			continue;
		printf("FILE %s\n", path);
		errbuf[0] = '\0';
		pcap_t *p = pcap_open_offline_with_tstamp_precision(path,
		    PCAP_TSTAMP_PRECISION_NANO, errbuf);
		if (p == NULL) {
			printf("OPENERR %s\n", errbuf);
			continue;
		}
		printf("OPEN %d %d %d %d %d\n", pcap_datalink(p), pcap_snapshot(p),
		    pcap_major_version(p), pcap_minor_version(p), pcap_is_swapped(p));
		for (;;) {
			struct pcap_pkthdr *h;
			const u_char *data;
			int rc = pcap_next_ex(p, &h, &data);
			if (rc == 1) {
				printf("P %lld %lld %u %u %016llx\n", (long long)h->ts.tv_sec,
				    (long long)h->ts.tv_usec, h->caplen, h->len,
				    (unsigned long long)fnv1a(data, h->caplen));
				continue;
			}
			if (rc == PCAP_ERROR_BREAK)
				printf("END EOF\n");
			else
				printf("END ERR %s\n", pcap_geterr(p));
			break;
		}
		pcap_close(p);
	}
	return 0;
}
