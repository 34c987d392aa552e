// Package libpcap is a test-only wrapper around the installed libpcap's
// pcap_compile and pcap_offline_filter, so that the tests and benchmarks of
// package filterbench can run libpcap's own filter engine in the same process
// as gbpf's. No production code may import it.
//
// It needs cgo, gcc and libpcap's development files (the header pcap/pcap.h
// and -lpcap). Without cgo, Available is false and Compile fails.
//
// A whole batch of packets is filtered inside one C call (Filter.Run), so
// that the cost of crossing from Go to C is paid once per batch, not once per
// packet.
package libpcap

import (
	"errors"
	"fmt"
)

// Batch is a set of packets laid out for one C call, checked once by
// NewBatch so that filtering it does no per-packet work in Go.
type Batch struct {
	data     []byte
	offsets  []uint32
	capLens  []uint32
	wireLens []uint32
}

// NewBatch checks and wraps a set of packets: packet i is
// data[offsets[i]:offsets[i]+capLens[i]], captured from a packet of
// wireLens[i] bytes on the wire. The slices are not copied and must not be
// changed while the Batch is in use.
func NewBatch(data []byte, offsets, capLens, wireLens []uint32) (*Batch, error) {
	n := len(offsets)
	if len(capLens) != n || len(wireLens) != n {
		return nil, fmt.Errorf("libpcap: batch of %d offsets, %d captured lengths and %d wire lengths", n, len(capLens), len(wireLens))
	}
	for i := range n {
		if uint64(offsets[i])+uint64(capLens[i]) > uint64(len(data)) {
			return nil, fmt.Errorf("libpcap: batch packet %d (offset %d, %d bytes) lies outside the %d bytes of data", i, offsets[i], capLens[i], len(data))
		}
	}
	return &Batch{data: data, offsets: offsets, capLens: capLens, wireLens: wireLens}, nil
}

// Len returns the number of packets in the batch.
func (b *Batch) Len() int { return len(b.offsets) }

// ErrUnavailable is returned by Compile when the package was built without
// cgo.
var ErrUnavailable = errors.New("libpcap: built without cgo, libpcap cannot be called")
