#!/usr/bin/env bash
# Prints the interpreter-versus-native table: every workload of testdata/ on
# gbpf's interpreter and as native code (gcc -O2, no vectorization) in the same
# process, then the conformance programs on gbpf alone.
#
#   internal/bench/run.sh [BENCHTIME [ROUNDS]]
#
# Each program and side is measured ROUNDS times (default 3), BENCHTIME each
# (default 1s), alternating gbpf and native; the fastest measurement counts.
#
# The raw Go benchmarks (ns/op, allocs/op, ns/insn) are
#   go test -run '^$' -bench . -benchmem ./internal/bench
set -euo pipefail
cd "$(dirname "$0")"
go test -count=1 -run '^TestReport$' -v -benchtime "${1:-1s}" . -args -report -rounds "${2:-3}" |
  grep -v -E '^(=== RUN|--- PASS|PASS|ok )'
