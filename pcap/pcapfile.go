package pcap

import (
	"encoding/binary"
	"fmt"
	"io"
)

// Magic numbers of the pcap format, as they read in the file's byte order.
const (
	magicMicro    = 0xa1b2c3d4 // TCPDUMP_MAGIC
	magicModified = 0xa1b2cd34 // KUZNETZOV_TCPDUMP_MAGIC
	magicNano     = 0xa1b23c4d // NSEC_TCPDUMP_MAGIC
)

const (
	pcapHeaderLen         = 24
	pcapRecordLen         = 16
	pcapModifiedRecordLen = 24
)

// How libpcap treats the caplen and len fields of a record (files before
// version 2.3, and DG/UX's 543.0, store them the other way round).
type lengthsSwap int

const (
	lengthsInOrder lengthsSwap = iota
	lengthsSwapped
	lengthsMaybeSwapped
)

// PcapReader reads a pcap file. It implements Reader.
type PcapReader struct {
	src        *source
	order      binary.ByteOrder
	swapped    bool // file byte order differs from the host's
	format     Format
	major      int
	minor      int
	linkType   LinkType
	snaplen    uint32
	recLen     int
	lengths    lengthsSwap
	header     [pcapHeaderLen]byte
	buf        []byte // the last record: header then captured bytes
	post       []byte // the packet's data when post-processing changes it
	record     []byte
	packets    int
	err        error
	scaleMicro bool
}

// newPcapReader reads the rest of a pcap file header after magic. It returns
// nil, nil when magic is not a pcap magic number.
func newPcapReader(s *source, magic [4]byte) (*PcapReader, error) {
	var order binary.ByteOrder
	var m uint32
	for _, o := range []binary.ByteOrder{hostOrder, otherOrder(hostOrder)} {
		m = o.Uint32(magic[:])
		if m == magicMicro || m == magicModified || m == magicNano {
			order = o
			break
		}
	}
	if order == nil {
		return nil, nil
	}
	r := &PcapReader{src: s, order: order, swapped: order != hostOrder}
	copy(r.header[:], magic[:])
	rest, n, err := s.read(r.header[:4], pcapHeaderLen-4)
	if err != nil {
		return nil, s.readError(0, 0, err, fmt.Sprintf(
			"truncated dump file; tried to read %d file header bytes, only got %d", pcapHeaderLen, n))
	}
	copy(r.header[:], rest)
	h := r.header[:]
	major := order.Uint16(h[4:])
	minor := order.Uint16(h[6:])
	snaplen := order.Uint32(h[16:])
	linktype := order.Uint32(h[20:])
	if major < 2 {
		return nil, &Error{Msg: "archaic pcap savefile format"}
	}
	if !(major == 2 && minor <= 4) && !(major == 543 && minor == 0) {
		return nil, &Error{Msg: fmt.Sprintf("unsupported pcap savefile version %d.%d", major, minor)}
	}
	r.major, r.minor = int(major), int(minor)
	r.linkType = linkTypeFromFile(linktype & 0x03FFFFFF)
	r.snaplen = adjustSnaplen(r.linkType, snaplen)
	r.scaleMicro = m != magicNano
	switch {
	case major == 2 && minor < 3, major == 543:
		r.lengths = lengthsSwapped
	case major == 2 && minor == 3:
		r.lengths = lengthsMaybeSwapped
	}
	r.recLen = pcapRecordLen
	switch m {
	case magicMicro:
		r.format = FormatPcap
	case magicNano:
		r.format = FormatPcapNano
	case magicModified:
		r.format = FormatPcapModified
		r.recLen = pcapModifiedRecordLen
		if r.linkType == LinkTypeEN10MB {
			// libpcap assumes a cooked capture with a faked 14-byte
			// Ethernet header added to each snapshot.
			if r.snaplen <= 1<<31-1-14 {
				r.snaplen += 14
			} else {
				r.snaplen = 1<<31 - 1
			}
		}
	}
	return r, nil
}

// LinkType returns the file's link type.
func (r *PcapReader) LinkType() LinkType { return r.linkType }

// Snaplen returns the snapshot length libpcap reports for the file.
func (r *PcapReader) Snaplen() int { return int(r.snaplen) }

// Format returns FormatPcap, FormatPcapNano or FormatPcapModified.
func (r *PcapReader) Format() Format { return r.format }

// ByteOrder returns the file's byte order.
func (r *PcapReader) ByteOrder() binary.ByteOrder { return r.order }

// Version returns the version in the file header.
func (r *PcapReader) Version() (major, minor int) { return r.major, r.minor }

// Header returns the 24-byte file header.
func (r *PcapReader) Header() []byte { return r.header[:] }

// Raw returns the record of the last packet.
func (r *PcapReader) Raw() Raw { return Raw{Record: r.record} }

// Next returns the next packet, io.EOF at the end of the file, or an *Error.
func (r *PcapReader) Next() (Packet, error) {
	r.record = nil
	if r.err != nil {
		return Packet{}, r.err
	}
	p, err := r.next()
	if err != nil {
		r.err = err
		return Packet{}, err
	}
	r.packets++
	return p, nil
}

func (r *PcapReader) fail(at int64, msg string) error {
	return &Error{Offset: at, Packets: r.packets, Msg: msg}
}

func (r *PcapReader) next() (Packet, error) {
	at := r.src.off
	h, err := r.src.peek(r.recLen)
	if err == io.EOF {
		return Packet{}, io.EOF
	}
	if err != nil {
		return Packet{}, r.src.readError(at, r.packets, err, fmt.Sprintf(
			"truncated dump file; tried to read %d header bytes, only got %d", r.recLen, len(h)))
	}
	var p Packet
	sec, frac := r.order.Uint32(h[0:]), r.order.Uint32(h[4:])
	if r.swapped {
		// libpcap byte-swaps into an unsigned int, which then widens
		// without sign extension.
		p.Seconds, p.Nanoseconds = int64(sec), int64(frac)
	} else {
		p.Seconds, p.Nanoseconds = int64(int32(sec)), int64(int32(frac))
	}
	if r.scaleMicro {
		p.Nanoseconds *= 1000
	}
	caplen, length := r.order.Uint32(h[8:]), r.order.Uint32(h[12:])
	switch r.lengths {
	case lengthsMaybeSwapped:
		if caplen <= length {
			break
		}
		fallthrough
	case lengthsSwapped:
		caplen, length = length, caplen
	}
	if caplen > maxSnaplen(r.linkType) {
		if caplen > r.snaplen {
			return Packet{}, r.fail(at, fmt.Sprintf(
				"invalid packet capture length %d, bigger than snaplen of %d", caplen, r.snaplen))
		}
		return Packet{}, r.fail(at, fmt.Sprintf(
			"invalid packet capture length %d, bigger than maximum of %d", caplen, maxSnaplen(r.linkType)))
	}
	rec, n, err := r.src.take(&r.buf, r.recLen, int(caplen))
	if err != nil {
		// libpcap reads up to the snapshot length first, then discards
		// the rest; its message depends on which read came up short.
		if caplen > r.snaplen && uint32(n) < r.snaplen {
			return Packet{}, r.src.readError(at, r.packets, err, fmt.Sprintf(
				"truncated dump file; tried to read %d captured bytes, only got %d", r.snaplen, n))
		}
		return Packet{}, r.src.readError(at, r.packets, err, fmt.Sprintf(
			"truncated dump file; tried to read %d captured bytes, only got %d", caplen, n))
	}
	if caplen > r.snaplen {
		// libpcap keeps the first snapshot-length bytes.
		caplen = r.snaplen
	}
	r.record = rec
	data := rec[r.recLen : r.recLen+int(caplen)]
	p.CaptureLength, p.Length = int(caplen), int(length)
	p.LinkType = r.linkType
	p.Data = r.postProcess(data, &p)
	return p, nil
}

// postProcess applies libpcap's pcap_post_process to a packet, copying the
// data first when it changes them so that the raw record stays intact.
func (r *PcapReader) postProcess(data []byte, p *Packet) []byte {
	if r.swapped && swapsPseudoHeader(r.linkType) {
		r.post = append(r.post[:0], data...)
		data = r.post
	}
	postProcess(r.linkType, r.swapped, p, data)
	return data
}
