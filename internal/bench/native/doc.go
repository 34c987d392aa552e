// Package native runs the benchmark workloads of package bench as native code:
// the same testdata/*.c files, compiled by cgo with gcc -O2
// -fno-tree-vectorize (scalar code, like the eBPF side), called in the same
// process as the interpreter so that both are measured in one run.
//
// Only the tests of package bench import it. Without cgo, Available is false
// and Func finds nothing.
package native
