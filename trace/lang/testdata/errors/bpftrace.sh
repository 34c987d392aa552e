#!/bin/sh
# Regenerates the NNN.bpftrace reference files: what the installed bpftrace
# (Debian's 0.17.0) prints on stderr for each NNN.bt program given with -e
# in dry-run mode (-d: nothing is attached). The line about
# available_filter_functions and the RLIMIT_MEMLOCK notice are environment
# noise and are dropped.
set -e
cd "$(dirname "$0")"
for f in *.bt; do
	prog=$(cat "$f")
	timeout 10 bpftrace -d -e "$prog" 2>&1 >/dev/null |
		sed -e 's/^Error while reading traceable functions.*directoryERROR/ERROR/' |
		grep -v -e 'RLIMIT_MEMLOCK' > "${f%.bt}.bpftrace" || true
done
