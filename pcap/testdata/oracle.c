/*
 * oracle: what libpcap reports for capture files, for the pcap package's
 * oracle test. For each file named on standard input (one per line), or
 * given inline as a line "BLOB <name> <length>" followed by that many bytes,
 * it opens the file with nanosecond time stamp precision and prints
 *
 *   FILE <path>
 *   OPEN <dlt> <snaplen> <major> <minor> <swapped>   or   OPENERR <message>
 *   P <tv_sec> <tv_usec> <caplen> <len> <FNV-1a 64 of the data, hex>   per packet
 *   END EOF   or   END ERR <message>
 *
 * With the argument "names" it prints instead, for every DLT_ value from 0
 * to 65535 that libpcap names, "<value>\t<name>\t<description>".
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

int main(int argc, char **argv)
{
	char path[4096];
	char errbuf[PCAP_ERRBUF_SIZE];
	unsigned char *buf = NULL;
	size_t bufsize = 0;

	if (argc > 1 && strcmp(argv[1], "names") == 0) {
		for (int v = 0; v <= 65535; v++) {
			const char *name = pcap_datalink_val_to_name(v);
			if (name != NULL)
				printf("%d\t%s\t%s\n", v, name,
				    pcap_datalink_val_to_description(v));
		}
		return 0;
	}

	while (fgets(path, sizeof path, stdin) != NULL) {
		path[strcspn(path, "\n")] = '\0';
		if (path[0] == '\0')
			continue;
		pcap_t *p;
		errbuf[0] = '\0';
		if (strncmp(path, "BLOB ", 5) == 0) {
			char *name = path + 5;
			char *len = strrchr(name, ' ');
			size_t n;
			if (len == NULL)
				return 2;
			*len++ = '\0';
			n = strtoul(len, NULL, 10);
			if (n > bufsize) {
				free(buf);
				bufsize = n;
				buf = malloc(bufsize);
				if (buf == NULL)
					return 2;
			}
			if (fread(buf, 1, n, stdin) != n)
				return 2;
			printf("FILE %s\n", name);
			/* fmemopen refuses an empty buffer; /dev/null is empty. */
			FILE *f = n > 0 ? fmemopen(buf, n, "rb") : fopen("/dev/null", "rb");
			if (f == NULL)
				return 2;
			p = pcap_fopen_offline_with_tstamp_precision(f,
			    PCAP_TSTAMP_PRECISION_NANO, errbuf);
			if (p == NULL)
				fclose(f);
		} else {
			printf("FILE %s\n", path);
			p = pcap_open_offline_with_tstamp_precision(path,
			    PCAP_TSTAMP_PRECISION_NANO, errbuf);
		}
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
