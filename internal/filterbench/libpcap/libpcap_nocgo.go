//go:build !cgo

package libpcap

// Available reports whether libpcap can be called (the package was built with
// cgo).
const Available = false

// Filter is a program compiled by libpcap; without cgo there is none.
type Filter struct{}

// Compile would compile expr with libpcap; without cgo it returns
// ErrUnavailable.
func Compile(expr string, snaplen int, optimize bool) (*Filter, error) {
	return nil, ErrUnavailable
}

// Run would filter the batch; without cgo it does nothing and returns 0.
func (f *Filter) Run(b *Batch, verdicts []uint32) int { return 0 }

// Len would return the program's instruction count; without cgo it is 0.
func (f *Filter) Len() int { return 0 }

// Close does nothing without cgo.
func (f *Filter) Close() {}
