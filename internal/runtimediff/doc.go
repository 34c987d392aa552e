// Package runtimediff holds the differential corpus that compares gbpf's
// runtime with the Linux kernel: C programs under testdata/, compiled at
// test time with clang-19 and libbpf's headers, each run through
// BPF_PROG_TEST_RUN in the kernel and through vm.Program.TestRun in gbpf on
// the same inputs (packets of the shared pcap captures, or syscall context
// buffers), after which return values, output data and the contents of
// every map must be identical.
//
// The package has no API: everything is in its tests.
package runtimediff
