//go:build !cgo

package native

// Available reports whether native code can be run (cgo is enabled).
const Available = false

// Func returns the native entry point of the workload name; without cgo there
// is none.
func Func(name string) (func(mem []byte) uint64, bool) { return nil, false }
