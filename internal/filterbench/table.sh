#!/bin/sh
# table.sh prints the filter benchmark as a table: the median ns/packet of each
# (filter, engine) pair over -count runs, and the ratios of gbpf's engines
# (cBPF interpreter, eBPF interpreter, eBPF JIT through a vm.Runner) to libpcap.
# With a file argument it reads saved `go test -bench` output instead of
# running the benchmark.
#
#	sh internal/filterbench/table.sh            # runs the benchmark (-count 3)
#	sh internal/filterbench/table.sh bench.txt  # formats saved output
set -eu
if [ $# -ge 1 ]; then
	in=$1
else
	in=$(mktemp)
	trap 'rm -f "$in"' EXIT
	cd "$(dirname "$0")"
	go test -run '^$' -bench . -benchtime 1s -count 3 . >"$in"
fi
awk '
/^BenchmarkFilters\// && /ns\/packet/ {
	name = $1
	sub(/^BenchmarkFilters\//, "", name)
	sub(/-[0-9]+$/, "", name)
	eng = name; sub(/.*\/engine=/, "", eng)
	f = name; sub(/\/engine=[a-z]+$/, "", f)
	for (i = 2; i < NF; i++) if ($(i+1) == "ns/packet") v = $i
	k = f SUBSEP eng
	n[k]++; val[k, n[k]] = v
	if (!(f in seen)) { seen[f] = 1; order[++nf] = f }
}
function median(k,   m, i, j, t, a) {
	m = n[k]
	if (m == 0) return -1
	for (i = 1; i <= m; i++) a[i] = val[k, i] + 0
	for (i = 2; i <= m; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
	return a[int((m + 1) / 2)]
}
END {
	printf "| filter | gbpf cBPF | gbpf eBPF (interp) | gbpf eBPF (JIT) | eBPF + copy | libpcap | x/net/bpf | cBPF/libpcap | eBPF/libpcap | JIT/libpcap |\n"
	printf "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
	for (i = 1; i <= nf; i++) {
		f = order[i]
		c = median(f SUBSEP "cbpf"); e = median(f SUBSEP "ebpf"); ec = median(f SUBSEP "ebpfcopy"); j = median(f SUBSEP "ebpfjit")
		l = median(f SUBSEP "libpcap"); x = median(f SUBSEP "xnetbpf")
		expr = f; gsub(/_/, " ", expr)
		rc = (l > 0) ? sprintf("%.2f", c / l) : "-"
		re = (l > 0) ? sprintf("%.2f", e / l) : "-"
		rj = (l > 0 && j >= 0) ? sprintf("%.2f", j / l) : "-"
		printf "| `%s` | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %s | %s | %s |\n", expr, c, e, j, ec, l, x, rc, re, rj
	}
}' "$in"
