package pcap

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
)

// copyAll copies a capture with a Copier, keeping the packets keep selects,
// and returns the output, the kept packets (with copied data) and the error
// that ended the input (nil at io.EOF).
func copyAll(in []byte, keep func(i int) bool) ([]byte, []Packet, error) {
	r, err := NewReader(bytes.NewReader(in))
	if err != nil {
		return nil, nil, err
	}
	var out bytes.Buffer
	c, err := NewCopier(&out, r)
	if err != nil {
		return nil, nil, err
	}
	var kept []Packet
	for i := 0; ; i++ {
		p, err := c.Next()
		if err == io.EOF {
			return out.Bytes(), kept, nil
		}
		if err != nil {
			return out.Bytes(), kept, err
		}
		if keep(i) {
			p.Data = append([]byte(nil), p.Data...)
			kept = append(kept, p)
			if err := c.Keep(); err != nil {
				return nil, nil, err
			}
		}
	}
}

// readAll reads every packet of a capture, copying their data.
func readAll(in []byte) (Reader, []Packet, error) {
	r, err := NewReader(bytes.NewReader(in))
	if err != nil {
		return nil, nil, err
	}
	var ps []Packet
	for {
		p, err := r.Next()
		if err == io.EOF {
			return r, ps, nil
		}
		if err != nil {
			return r, ps, err
		}
		p.Data = append([]byte(nil), p.Data...)
		ps = append(ps, p)
	}
}

// checkCopyIdentical checks that copying every packet of in reproduces in
// byte for byte, up to the record at which reading fails.
func checkCopyIdentical(in []byte) (opened bool, _ error) {
	out, _, err := copyAll(in, func(int) bool { return true })
	want := in
	if err != nil {
		var pe *Error
		if !errors.As(err, &pe) {
			return false, fmt.Errorf("not an *Error: %v", err)
		}
		if out == nil {
			return false, nil // the file does not open
		}
		want = in[:pe.Offset]
	}
	if !bytes.Equal(out, want) {
		return true, fmt.Errorf("copy of %d bytes differs from the %d input bytes it should reproduce (error %v)", len(out), len(want), err)
	}
	return true, nil
}

// samePacket reports whether two packets are equal in every field.
func samePacket(a, b Packet) bool {
	return a.Seconds == b.Seconds && a.Nanoseconds == b.Nanoseconds && a.CaptureLength == b.CaptureLength &&
		a.Length == b.Length && a.LinkType == b.LinkType && a.InterfaceIndex == b.InterfaceIndex && bytes.Equal(a.Data, b.Data)
}

// TestCopyIdentical copies every packet of every shared capture and checks
// the output is the input, byte for byte (up to the failing record of the
// files libpcap stops reading).
func TestCopyIdentical(t *testing.T) {
	n, files := 0, captureFiles(t)
	for _, f := range files {
		in, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		opened, err := checkCopyIdentical(in)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if opened {
			n++
		}
	}
	t.Logf("%d of the %d capture files open, and each copies byte for byte", n, len(files))
}

// TestCopySubset keeps every other packet (and, separately, none) of every
// shared capture and reads the output back: the kept packets come back
// unchanged, the format, link type, snapshot length and byte order stay, and
// the output is valid even with no packets.
func TestCopySubset(t *testing.T) {
	for _, f := range captureFiles(t) {
		in, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src, _, srcErr := readAll(in)
		if src == nil {
			continue // libpcap cannot open it either
		}
		for _, mode := range []string{"odd", "none"} {
			out, kept, err := copyAll(in, func(i int) bool { return mode == "odd" && i%2 == 1 })
			if err != nil && !errors.Is(err, srcErr) && err.Error() != srcErr.Error() {
				t.Errorf("%s: copy error %v, reader error %v", f, err, srcErr)
			}
			r, back, err := readAll(out)
			if err != nil {
				t.Errorf("%s (%s): reading the copy: %v", f, mode, err)
				continue
			}
			if r.Format() != src.Format() || r.LinkType() != src.LinkType() || r.Snaplen() != src.Snaplen() || r.ByteOrder() != src.ByteOrder() {
				t.Errorf("%s (%s): copy is %v %v %d %v, input %v %v %d %v", f, mode,
					r.Format(), r.LinkType(), r.Snaplen(), r.ByteOrder(), src.Format(), src.LinkType(), src.Snaplen(), src.ByteOrder())
			}
			if len(back) != len(kept) {
				t.Errorf("%s (%s): kept %d packets, copy has %d", f, mode, len(kept), len(back))
				continue
			}
			for i := range back {
				if !samePacket(back[i], kept[i]) {
					t.Errorf("%s (%s): packet %d is %+v in the copy, %+v in the input", f, mode, i, back[i], kept[i])
					break
				}
			}
		}
	}
}

// randomPackets returns packets with random contents on the given number of
// interfaces.
func randomPackets(rng *rand.Rand, n, ifaces int) []Packet {
	ps := make([]Packet, n)
	for i := range ps {
		data := make([]byte, rng.Intn(1600))
		rng.Read(data)
		ps[i] = Packet{
			Seconds:        rng.Int63n(1 << 32),
			Nanoseconds:    rng.Int63n(1e9),
			Data:           data,
			CaptureLength:  len(data),
			Length:         len(data) + rng.Intn(3)*rng.Intn(1000),
			InterfaceIndex: rng.Intn(ifaces),
		}
	}
	return ps
}

// TestWriterRoundTrip writes random packets with each writer configuration,
// reads them back and compares.
func TestWriterRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for _, c := range []struct {
		name  string
		order binary.ByteOrder
		nano  bool
		ng    bool
	}{
		{"pcap-le-micro", binary.LittleEndian, false, false},
		{"pcap-be-micro", binary.BigEndian, false, false},
		{"pcap-le-nano", binary.LittleEndian, true, false},
		{"pcap-be-nano", binary.BigEndian, true, false},
		{"pcapng-le", binary.LittleEndian, true, true},
		{"pcapng-be", binary.BigEndian, true, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			ifaces := 1
			var ps []Packet
			if c.ng {
				ifaces = 3
				w, err := NewNgWriter(&buf, NgWriterOptions{ByteOrder: c.order, Application: "gbpf test"})
				if err != nil {
					t.Fatal(err)
				}
				for range ifaces {
					if _, err := w.AddInterface(LinkTypeEN10MB, 0); err != nil {
						t.Fatal(err)
					}
				}
				ps = randomPackets(rng, 200, ifaces)
				for _, p := range ps {
					if err := w.WritePacket(p); err != nil {
						t.Fatal(err)
					}
				}
			} else {
				w, err := NewWriter(&buf, LinkTypeRAW, WriterOptions{ByteOrder: c.order, Nanosecond: c.nano, Snaplen: 4096})
				if err != nil {
					t.Fatal(err)
				}
				ps = randomPackets(rng, 200, ifaces)
				for _, p := range ps {
					if err := w.WritePacket(p); err != nil {
						t.Fatal(err)
					}
				}
			}
			r, back, err := readAll(buf.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			wantFormat, wantLT, wantSnap := FormatPcap, LinkTypeRAW, 4096
			switch {
			case c.ng:
				wantFormat, wantLT, wantSnap = FormatPcapNG, LinkTypeEN10MB, MaxSnaplen
			case c.nano:
				wantFormat = FormatPcapNano
			}
			if r.Format() != wantFormat || r.LinkType() != wantLT || r.Snaplen() != wantSnap || r.ByteOrder() != c.order {
				t.Errorf("read back as %v %v %d %v", r.Format(), r.LinkType(), r.Snaplen(), r.ByteOrder())
			}
			if len(back) != len(ps) {
				t.Fatalf("wrote %d packets, read %d", len(ps), len(back))
			}
			for i, p := range ps {
				want := p
				want.LinkType = wantLT
				if !c.nano {
					want.Nanoseconds = want.Nanoseconds / 1000 * 1000
				}
				if !c.ng && c.order != hostOrder {
					// libpcap widens byte-swapped seconds without sign extension.
					want.Seconds = int64(uint32(want.Seconds))
				} else if !c.ng {
					want.Seconds = int64(int32(want.Seconds))
				}
				if !samePacket(back[i], want) {
					t.Fatalf("packet %d: wrote %+v, read %+v", i, want, back[i])
				}
			}
		})
	}
}

// TestWriterErrors checks that writers refuse what the formats cannot hold.
func TestWriterErrors(t *testing.T) {
	w, err := NewWriter(io.Discard, LinkTypeEN10MB, WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	nw, err := NewNgWriter(io.Discard, NgWriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nw.AddInterface(LinkTypeEN10MB, 0); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		err  error
	}{
		{"pcap seconds too large", w.WritePacket(Packet{Seconds: 1 << 33})},
		{"pcap captured length mismatch", w.WritePacket(Packet{Data: []byte{1}, CaptureLength: 2})},
		{"pcap negative length", w.WritePacket(Packet{Data: []byte{1}, Length: -1})},
		{"pcapng negative time", nw.WritePacket(Packet{Seconds: -1})},
		{"pcapng nanoseconds out of range", nw.WritePacket(Packet{Nanoseconds: 1e9})},
		{"pcapng unknown interface", nw.WritePacket(Packet{InterfaceIndex: 1})},
	} {
		if c.err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
	if _, err := NewWriter(io.Discard, LinkType(1<<20), WriterOptions{}); err == nil {
		t.Errorf("NewWriter accepted a link type with no LINKTYPE_ value")
	}
	if _, err := nw.AddInterface(LinkTypeEN10MB, -1); err == nil {
		t.Errorf("AddInterface accepted a negative snapshot length")
	}
}

// TestZeroPacketOutput checks that a copy keeping nothing, and writers that
// write nothing, still produce files that libpcap opens.
func TestZeroPacketOutput(t *testing.T) {
	dir := t.TempDir()
	var files []string
	add := func(name string, b []byte) {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	var buf bytes.Buffer
	if _, err := NewWriter(&buf, LinkTypeLINUX_SLL, WriterOptions{Nanosecond: true}); err != nil {
		t.Fatal(err)
	}
	add("pcap", append([]byte(nil), buf.Bytes()...))
	buf.Reset()
	nw, err := NewNgWriter(&buf, NgWriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nw.AddInterface(LinkTypeIEEE802_11_RADIO, 65535); err != nil {
		t.Fatal(err)
	}
	add("pcapng", append([]byte(nil), buf.Bytes()...))
	for _, c := range []string{"tcpdump/ahcp.pcapng", "tcpdump/802.1D_spanning_tree.pcap"} {
		in, err := os.ReadFile(filepath.Join(capturesDir, c))
		if err != nil {
			unavailable(t, "shared captures missing: %v", err)
		}
		out, _, err := copyAll(in, func(int) bool { return false })
		if err != nil {
			t.Fatal(err)
		}
		add(filepath.Base(c), out)
	}
	for _, f := range files {
		got := describe(f)
		if got[:5] != "OPEN " || got[len(got)-8:] != "END EOF\n" {
			t.Errorf("%s: %q", f, got)
		}
	}
	if bin, err := oracleBinary(t); err == nil {
		want := runOracle(t, bin, files)
		for _, f := range files {
			if got := describe(f); got != want[f] {
				t.Errorf("%s: libpcap reads %q, pcap reads %q", f, want[f], got)
			}
		}
	} else if os.Getenv("CI") == "true" {
		t.Fatal(err)
	}
}
