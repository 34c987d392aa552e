package pcap

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// benchInput reads the shared benchmark capture, merged-en10mb.pcap.
func benchInput(b *testing.B) []byte {
	in, err := os.ReadFile(filepath.Join(capturesDir, "merged-en10mb.pcap"))
	if err != nil {
		unavailable(b, "shared captures missing: %v", err)
	}
	return in
}

// BenchmarkReadMerged reads every packet of merged-en10mb.pcap (5,678
// Ethernet packets) from memory.
func BenchmarkReadMerged(b *testing.B) {
	in := benchInput(b)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	packets := 0
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(in))
		if err != nil {
			b.Fatal(err)
		}
		packets = 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			packets++
		}
	}
	b.ReportMetric(float64(packets), "packets/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(packets), "ns/packet")
}

// BenchmarkCopyMerged copies every packet of merged-en10mb.pcap with a Copier.
func BenchmarkCopyMerged(b *testing.B) {
	in := benchInput(b)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(in))
		if err != nil {
			b.Fatal(err)
		}
		c, err := NewCopier(io.Discard, r)
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, err := c.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if err := c.Keep(); err != nil {
				b.Fatal(err)
			}
		}
	}
}
