#!/usr/bin/env bash
# Prints the interpreter-versus-native table: every workload of testdata/ on
# gbpf's interpreter and as native code (gcc -O2, no vectorization) in the same
# process, then the conformance programs on gbpf alone.
#
#   internal/bench/run.sh [BENCHTIME]     (default 1s per measurement)
#
# The raw Go benchmarks (ns/op, allocs/op, ns/insn) are
#   go test -run '^$' -bench . -benchmem ./internal/bench
set -euo pipefail
cd "$(dirname "$0")"
go test -count=1 -run '^TestReport$' -v -benchtime "${1:-1s}" . -args -report |
  grep -v -E '^(=== RUN|--- PASS|PASS|ok )'
