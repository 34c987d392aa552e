// Package pcap reads and writes capture files in the pcap and pcapng formats
// exactly as libpcap 1.10.3 reads them: the same packets, time stamps,
// captured and wire lengths, the same files and records rejected, with
// libpcap's error messages.
//
// Readers stream: they read records one at a time from an io.Reader and never
// hold more than one record (or pcapng block) in memory. NewReader recognises
// the format by its magic number. A Copier writes a subset of a file's packets
// keeping the file's format, headers and records byte for byte; Writer and
// NgWriter write new pcap and pcapng files.
package pcap

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"
)

// Packet is one packet of a capture file, as libpcap's pcap_next_ex returns it
// when the file is opened with nanosecond time stamp precision.
type Packet struct {
	// Seconds and Nanoseconds are the time stamp exactly as libpcap reports
	// it (tv_sec and tv_usec of struct pcap_pkthdr at nanosecond precision).
	// Crafted files can give Nanoseconds outside [0, 1e9) or negative values.
	Seconds, Nanoseconds int64
	// CaptureLength is the number of bytes captured (len(Data)), Length the
	// length of the packet on the wire.
	CaptureLength, Length int
	// Data is the captured bytes as libpcap delivers them: for files written
	// on a host of the other byte order, the pseudo-headers libpcap converts
	// (pflog, Linux cooked CAN ids, Linux USB, NFLOG) are in this host's byte
	// order. A Reader reuses the memory: Data is valid until the next call
	// of Next.
	Data []byte
	// LinkType is the link-layer header type of the packet's interface.
	LinkType LinkType
	// InterfaceIndex is the pcapng interface the packet arrived on, within
	// its section; 0 for pcap files.
	InterfaceIndex int
}

// Time returns the packet's time stamp as a time.Time in UTC.
func (p *Packet) Time() time.Time {
	return time.Unix(p.Seconds, p.Nanoseconds).UTC()
}

// SetTime sets Seconds and Nanoseconds from t.
func (p *Packet) SetTime(t time.Time) {
	p.Seconds = t.Unix()
	p.Nanoseconds = int64(t.Nanosecond())
}

// Format identifies a capture file format.
type Format int

// The formats a Reader reads.
const (
	// FormatPcap is the pcap format with microsecond time stamps (magic 0xa1b2c3d4).
	FormatPcap Format = iota + 1
	// FormatPcapNano is the pcap format with nanosecond time stamps (magic 0xa1b23c4d).
	FormatPcapNano
	// FormatPcapModified is Alexey Kuznetzov's modified pcap format with
	// 24-byte record headers (magic 0xa1b2cd34).
	FormatPcapModified
	// FormatPcapNG is the pcapng format.
	FormatPcapNG
)

// String returns a short name of the format.
func (f Format) String() string {
	switch f {
	case FormatPcap:
		return "pcap"
	case FormatPcapNano:
		return "pcap-nsec"
	case FormatPcapModified:
		return "pcap-modified"
	case FormatPcapNG:
		return "pcapng"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// Raw is the file content behind the last call of a Reader's Next.
type Raw struct {
	// Before holds the blocks Next read and skipped before the packet
	// record, or before the end of the file or an error: pcapng Interface
	// Description, Section Header, statistics, name resolution and unknown
	// blocks, contiguous as in the file. Always empty for pcap files.
	Before []byte
	// Record is the packet's record exactly as stored: for pcap the record
	// header and all its captured bytes (even those libpcap discards beyond
	// the snapshot length); for pcapng the whole block. Empty when Next
	// returned an error.
	Record []byte
}

// Reader reads the packets of a capture file in order.
type Reader interface {
	// Next returns the next packet, io.EOF after the last one, or an *Error
	// for a record libpcap rejects (after which the Reader is done).
	Next() (Packet, error)
	// LinkType returns the file's link type: that of the first interface of
	// a pcapng file (pcap_datalink).
	LinkType() LinkType
	// Snaplen returns the snapshot length as libpcap reports it
	// (pcap_snapshot): the file header's, or the first interface's, value,
	// replaced by the link type's maximum when zero or above 2^31-1.
	Snaplen() int
	// Format returns the file's format.
	Format() Format
	// ByteOrder returns the byte order the file is written in.
	ByteOrder() binary.ByteOrder
	// Version returns the major and minor version in the file header (the
	// first section header for pcapng).
	Version() (major, minor int)
	// Header returns the file's raw leading bytes that come before the
	// first record Next reads: the pcap file header, or for pcapng the
	// Section Header Block and every block up to and including the first
	// Interface Description Block.
	Header() []byte
	// Raw returns the raw bytes behind the last call of Next; they are valid
	// until the next call of Next.
	Raw() Raw
}

// Error is an error in a capture file: the file libpcap refuses to open, or
// the record at which libpcap stops reading.
type Error struct {
	// Offset is the byte offset in the file of the record or block at fault
	// (0 for the file header).
	Offset int64
	// Packets is the number of packets read before the error.
	Packets int
	// Msg is libpcap's message for the error.
	Msg string
	// Err is the underlying read error, if any.
	Err error
}

// Error returns the message with where it occurred.
func (e *Error) Error() string {
	return fmt.Sprintf("%s (at byte offset %d, after %d packets)", e.Msg, e.Offset, e.Packets)
}

// Unwrap returns the underlying read error, or io.ErrUnexpectedEOF for a
// truncated file.
func (e *Error) Unwrap() error { return e.Err }

// ErrUnknownFormat is the error (wrapped in an *Error) for input that is
// neither pcap nor pcapng.
var ErrUnknownFormat = errors.New("unknown file format")

// readBufferSize is the size of the buffer a Reader puts in front of its
// io.Reader.
const readBufferSize = 64 << 10

// NewReader reads the header of a pcap or pcapng file, recognised by its
// magic number, and returns a Reader for its packets. It fails where
// pcap_open_offline fails, with an *Error carrying libpcap's message.
func NewReader(r io.Reader) (Reader, error) {
	return NewReaderOptions(r, ReaderOptions{})
}

// ReaderOptions changes how NewReaderOptions reads a file.
type ReaderOptions struct {
	// MixedInterfaces accepts pcapng files whose interfaces have different
	// link types or snapshot lengths, which libpcap refuses ("an interface
	// has a type ... different from the type of the first interface"). Each
	// packet then carries its own interface's link type, and its captured
	// length is checked against its own interface's snapshot length;
	// Reader.LinkType and Reader.Snaplen still describe the first interface.
	MixedInterfaces bool
}

// NewReaderOptions is NewReader with options; with the zero ReaderOptions
// it reads exactly as libpcap does.
func NewReaderOptions(r io.Reader, opts ReaderOptions) (Reader, error) {
	s := &source{r: bufio.NewReaderSize(r, readBufferSize)}
	var magic [4]byte
	n, err := io.ReadFull(s.r, magic[:])
	s.off += int64(n)
	if err != nil {
		return nil, s.readError(0, 0, err, fmt.Sprintf(
			"truncated dump file; tried to read %d file header bytes, only got %d", len(magic), n))
	}
	if pr, err := newPcapReader(s, magic); pr != nil || err != nil {
		if err != nil {
			return nil, err
		}
		return pr, nil
	}
	if nr, err := newNgReader(s, magic, opts.MixedInterfaces); nr != nil || err != nil {
		if err != nil {
			return nil, err
		}
		return nr, nil
	}
	return nil, &Error{Msg: "unknown file format", Err: ErrUnknownFormat}
}

// source is the buffered input of a Reader with its byte offset.
type source struct {
	r   *bufio.Reader
	off int64
}

// readError builds the *Error for a failed read: truncated (msg) when the
// input ended, otherwise libpcap's "error reading dump file".
func (s *source) readError(at int64, packets int, err error, msg string) *Error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return &Error{Offset: at, Packets: packets, Msg: msg, Err: io.ErrUnexpectedEOF}
	}
	return &Error{Offset: at, Packets: packets, Msg: "error reading dump file: " + err.Error(), Err: err}
}

// growChunk bounds how much a read allocates ahead of the data that has
// actually arrived, so that a record claiming a huge length in a short file
// costs memory in proportion to the file, not to the claim.
const growChunk = 1 << 20

// peek returns the next n bytes of the input without consuming them; they
// stay valid until the next read. When the input ends first it consumes what
// is left and returns it with io.EOF (nothing left) or io.ErrUnexpectedEOF.
func (s *source) peek(n int) ([]byte, error) {
	h, err := s.r.Peek(n)
	if len(h) < n {
		k, _ := s.r.Discard(len(h))
		s.off += int64(k)
		if err == io.EOF && k > 0 {
			err = io.ErrUnexpectedEOF
		}
		return h, err
	}
	return h, nil
}

// take consumes a record of hdrLen+bodyLen bytes whose first hdrLen bytes
// peek returned. A record that fits the read buffer is returned without
// copying and stays valid until the next read; a larger one is assembled in
// *buf. got counts the body bytes that arrived; err is io.ErrUnexpectedEOF
// when the input ends inside the body.
func (s *source) take(buf *[]byte, hdrLen, bodyLen int) (rec []byte, got int, err error) {
	if total := hdrLen + bodyLen; total <= s.r.Size() {
		rec, err := s.r.Peek(total)
		n, _ := s.r.Discard(len(rec))
		s.off += int64(n)
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, n - hdrLen, err
		}
		return rec, bodyLen, nil
	}
	h, _ := s.r.Peek(hdrLen)
	*buf = append((*buf)[:0], h...)
	n, _ := s.r.Discard(hdrLen)
	s.off += int64(n)
	b, got, err := s.read(*buf, bodyLen)
	*buf = b
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, got, err
	}
	return b, got, nil
}

// read appends n bytes from the input to buf. It returns the extended buffer
// and how many bytes it got; err is io.EOF when none arrived and
// io.ErrUnexpectedEOF when only some did.
func (s *source) read(buf []byte, n int) ([]byte, int, error) {
	start := len(buf)
	got := 0
	for got < n {
		want := n - got
		if free := cap(buf) - len(buf); want > free {
			// Grow by at most what has been read so far (doubling) or growChunk.
			step := want
			if limit := max(got, growChunk); step > limit {
				step = limit
			}
			if step > free {
				nb := make([]byte, len(buf), max(len(buf)+step, min(2*cap(buf), len(buf)+want)))
				copy(nb, buf)
				buf = nb
			}
			want = min(want, cap(buf)-len(buf))
		}
		k, err := io.ReadFull(s.r, buf[len(buf):len(buf)+want])
		buf = buf[:len(buf)+k]
		got += k
		s.off += int64(k)
		if err != nil {
			if got > 0 && err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return buf, len(buf) - start, err
		}
	}
	return buf, got, nil
}

// hostOrder is this machine's byte order; libpcap converts pseudo-headers of
// files in the other order to it.
var hostOrder binary.ByteOrder = func() binary.ByteOrder {
	if binary.NativeEndian.Uint16([]byte{1, 0}) == 1 {
		return binary.LittleEndian
	}
	return binary.BigEndian
}()

// otherOrder returns the byte order that is not o.
func otherOrder(o binary.ByteOrder) binary.ByteOrder {
	if o == binary.ByteOrder(binary.LittleEndian) {
		return binary.BigEndian
	}
	return binary.LittleEndian
}
