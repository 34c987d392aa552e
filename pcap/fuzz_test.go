package pcap

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// maxRecordAlloc bounds what reading one record may allocate beyond the
// input: the read buffer grows with the data that actually arrives.
const maxRecordAlloc = growChunk + readBufferSize

// checkReader reads every packet of in and checks the invariants that hold
// for any input: a Reader either opens or returns an *Error; Next returns a
// packet or an error, never both; captured lengths match the data and the
// snapshot length; the raw record holds the data; and copying everything
// reproduces the input up to the failing record.
func checkReader(in []byte) error {
	r, err := NewReader(bytes.NewReader(in))
	if err != nil {
		if r != nil {
			return fmt.Errorf("NewReader returned a reader and the error %v", err)
		}
		var pe *Error
		if !errors.As(err, &pe) {
			return fmt.Errorf("NewReader error %v is not an *Error", err)
		}
		return nil
	}
	if r.Snaplen() <= 0 {
		return fmt.Errorf("snapshot length %d", r.Snaplen())
	}
	for n := 0; ; n++ {
		p, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				return fmt.Errorf("packet %d: error %v is not an *Error", n, err)
			}
			if p.Data != nil || p.CaptureLength != 0 || len(r.Raw().Record) != 0 {
				return fmt.Errorf("packet %d: error %v with a packet", n, err)
			}
			if pe.Packets != n || pe.Offset > int64(len(in)) {
				return fmt.Errorf("packet %d: error %v says %d packets, offset %d of %d", n, err, pe.Packets, pe.Offset, len(in))
			}
			break
		}
		if p.CaptureLength != len(p.Data) || p.CaptureLength > r.Snaplen() || p.CaptureLength < 0 {
			return fmt.Errorf("packet %d: captured length %d, %d bytes of data, snapshot length %d", n, p.CaptureLength, len(p.Data), r.Snaplen())
		}
		if p.LinkType != r.LinkType() {
			return fmt.Errorf("packet %d: link type %v, file %v", n, p.LinkType, r.LinkType())
		}
		if len(r.Raw().Record) < p.CaptureLength {
			return fmt.Errorf("packet %d: record of %d bytes for %d captured bytes", n, len(r.Raw().Record), p.CaptureLength)
		}
	}
	if _, err := r.Next(); err == nil {
		return fmt.Errorf("Next returned a packet after the end")
	}
	_, err = checkCopyIdentical(in)
	return err
}

// FuzzReader feeds arbitrary bytes to NewReader and Next: no panic, no hang,
// bounded memory, and the invariants of checkReader. The seed corpus in
// testdata/fuzz/FuzzReader holds slices of real captures.
func FuzzReader(f *testing.F) {
	for _, b := range craftedFiles() {
		if len(b) < 4096 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if err := checkReader(in); err != nil {
			t.Fatal(err)
		}
	})
}

// TestReadMemoryBounded checks that records and blocks claiming huge lengths
// in short files do not make the reader allocate for the claim.
func TestReadMemoryBounded(t *testing.T) {
	b := le()
	cases := map[string][]byte{
		"pcapng 16 MiB block":  b.shb(1, 0).idb(1, 0).blockLen(6, make([]byte, 64), initialMaxBlock, 0).buf,
		"pcapng dbus block":    be().shb(1, 0).idb(231, 0).blockLen(6, make([]byte, 64), 130<<20, 0).buf,
		"pcap dbus 128 MiB":    newPcap(hostOrder, magicMicro, 2, 4, 0, 231).rec(1, 2, 128<<20, 128<<20, make([]byte, 100)).buf,
		"pcap ebhscr 8 MiB":    newPcap(hostOrder, magicMicro, 2, 4, 0, 279).rec(1, 2, 8<<20, 8<<20, make([]byte, 100)).buf,
		"pcapng SHB of 1 MiB":  le().blockLen(blockSHB, make([]byte, 64), shbMaxLen, 0).buf,
		"pcap 256 KiB records": newPcap(hostOrder, magicMicro, 2, 4, 0, 1).rec(1, 2, MaxSnaplen, MaxSnaplen, make([]byte, 10)).buf,
	}
	for name, in := range cases {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		r, err := NewReader(bytes.NewReader(in))
		if err == nil {
			for {
				if _, err := r.Next(); err != nil {
					break
				}
			}
		}
		runtime.ReadMemStats(&after)
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 4*maxRecordAlloc {
			t.Errorf("%s: reading %d bytes allocated %d bytes", name, len(in), grew)
		}
	}
}

// TestCraftedCapturesTerminate reads each shared capture whose name says it
// is crafted or malformed (the manifest's name_suggests_crafted column: 210
// of tcpdump's and libpcap's invalid files) to
// its end or error, with a time limit, under the invariants of checkReader.
func TestCraftedCapturesTerminate(t *testing.T) {
	manifest, err := os.ReadFile(capturesDir + "/manifest.tsv")
	if err != nil {
		unavailable(t, "shared captures missing: %v", err)
	}
	n, tcpdump := 0, 0
	for _, line := range strings.Split(strings.TrimSpace(string(manifest)), "\n")[1:] {
		cols := strings.Split(line, "\t")
		if len(cols) < 10 || cols[9] != "yes" {
			continue
		}
		in, err := os.ReadFile(capturesDir + "/" + cols[0])
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- checkReader(in) }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%s: %v", cols[0], err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: reading did not finish in 10s", cols[0])
		}
		n++
		if strings.HasPrefix(cols[0], "tcpdump/") {
			tcpdump++
		}
	}
	if tcpdump != 210 {
		t.Errorf("read %d crafted captures of tcpdump's, the manifest should list 210", tcpdump)
	}
	t.Logf("%d crafted captures (%d of tcpdump's) read to their end or error", n, tcpdump)
}
