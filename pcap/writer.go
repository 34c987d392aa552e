package pcap

import (
	"encoding/binary"
	"fmt"
	"io"
)

// WriterOptions configures a pcap Writer.
type WriterOptions struct {
	// Nanosecond writes nanosecond time stamps (magic 0xa1b23c4d) instead
	// of microsecond ones.
	Nanosecond bool
	// ByteOrder is the byte order of the file; nil means this host's order,
	// as libpcap writes.
	ByteOrder binary.ByteOrder
	// Snaplen is the snapshot length in the header; 0 means MaxSnaplen.
	Snaplen int
}

// Writer writes a pcap file (version 2.4). Each WritePacket is one Write of
// the underlying writer, which need not be seekable.
type Writer struct {
	w        io.Writer
	order    binary.ByteOrder
	nano     bool
	linkType LinkType
	buf      []byte
}

// NewWriter writes a pcap file header for the link type to w and returns a
// Writer for the packets.
func NewWriter(w io.Writer, lt LinkType, opts WriterOptions) (*Writer, error) {
	order := opts.ByteOrder
	if order == nil {
		order = hostOrder
	}
	fileType, ok := lt.FileValue()
	if !ok {
		return nil, fmt.Errorf("pcap: link type %v has no LINKTYPE_ value for a capture file", lt)
	}
	snaplen := opts.Snaplen
	if snaplen == 0 {
		snaplen = MaxSnaplen
	}
	if snaplen < 0 || snaplen > 1<<31-1 {
		return nil, fmt.Errorf("pcap: snapshot length %d out of range", snaplen)
	}
	magic := uint32(magicMicro)
	if opts.Nanosecond {
		magic = magicNano
	}
	h := make([]byte, pcapHeaderLen)
	order.PutUint32(h[0:], magic)
	order.PutUint16(h[4:], 2)
	order.PutUint16(h[6:], 4)
	order.PutUint32(h[16:], uint32(snaplen))
	order.PutUint32(h[20:], fileType)
	if _, err := w.Write(h); err != nil {
		return nil, err
	}
	return &Writer{w: w, order: order, nano: opts.Nanosecond, linkType: lt}, nil
}

// WritePacket writes one packet record: its time stamp (Seconds and
// Nanoseconds, truncated to microseconds unless the file has nanosecond
// time stamps), len(p.Data) as the captured length and p.Length as the wire
// length (len(p.Data) when p.Length is 0).
func (w *Writer) WritePacket(p Packet) error {
	frac := p.Nanoseconds
	if !w.nano {
		frac /= 1000
	}
	if p.Seconds < -1<<31 || p.Seconds > 1<<32-1 || frac < -1<<31 || frac > 1<<32-1 {
		return fmt.Errorf("pcap: time stamp %d.%09d does not fit a pcap record", p.Seconds, p.Nanoseconds)
	}
	length, err := wireLength(p)
	if err != nil {
		return err
	}
	w.buf = append(w.buf[:0], make([]byte, pcapRecordLen)...)
	w.order.PutUint32(w.buf[0:], uint32(p.Seconds))
	w.order.PutUint32(w.buf[4:], uint32(frac))
	w.order.PutUint32(w.buf[8:], uint32(len(p.Data)))
	w.order.PutUint32(w.buf[12:], length)
	w.buf = append(w.buf, p.Data...)
	_, err = w.w.Write(w.buf)
	return err
}

// wireLength checks a packet's lengths for writing and returns the wire
// length to store.
func wireLength(p Packet) (uint32, error) {
	if len(p.Data) > 1<<31-1 {
		return 0, fmt.Errorf("pcap: packet of %d bytes is too large", len(p.Data))
	}
	length := p.Length
	if length == 0 {
		length = len(p.Data)
	}
	if length < 0 || uint64(length) > 1<<32-1 {
		return 0, fmt.Errorf("pcap: packet length %d out of range", p.Length)
	}
	if p.CaptureLength != 0 && p.CaptureLength != len(p.Data) {
		return 0, fmt.Errorf("pcap: captured length %d differs from the %d bytes of data", p.CaptureLength, len(p.Data))
	}
	return uint32(length), nil
}

// NgWriterOptions configures an NgWriter.
type NgWriterOptions struct {
	// ByteOrder is the byte order of the file; nil means this host's order.
	ByteOrder binary.ByteOrder
	// Application is written as the section's shb_userappl option when not
	// empty.
	Application string
}

// NgWriter writes a pcapng file: one section, interfaces added with
// AddInterface, and Enhanced Packet Blocks with nanosecond time stamps.
type NgWriter struct {
	w      io.Writer
	order  binary.ByteOrder
	ifaces []LinkType
	buf    []byte
}

// pcapng option codes the writer uses.
const (
	optSHBUserAppl = 4
)

// NewNgWriter writes a Section Header Block to w and returns a writer for the
// section.
func NewNgWriter(w io.Writer, opts NgWriterOptions) (*NgWriter, error) {
	order := opts.ByteOrder
	if order == nil {
		order = hostOrder
	}
	nw := &NgWriter{w: w, order: order}
	body := make([]byte, 16)
	order.PutUint32(body[0:], byteOrderMagic)
	order.PutUint16(body[4:], 1)
	order.PutUint16(body[6:], 0)
	order.PutUint64(body[8:], ^uint64(0)) // section length not given
	if opts.Application != "" {
		body = nw.appendOption(body, optSHBUserAppl, []byte(opts.Application))
		body = nw.appendOption(body, optEndOfOpt, nil)
	}
	if err := nw.writeBlock(blockSHB, body); err != nil {
		return nil, err
	}
	return nw, nil
}

// appendOption appends one option, padded to 4 bytes.
func (w *NgWriter) appendOption(b []byte, code uint16, value []byte) []byte {
	b = append(b, 0, 0, 0, 0)
	w.order.PutUint16(b[len(b)-4:], code)
	w.order.PutUint16(b[len(b)-2:], uint16(len(value)))
	b = append(b, value...)
	for pad := (4 - len(value)%4) % 4; pad > 0; pad-- {
		b = append(b, 0)
	}
	return b
}

// writeBlock writes a block of the given type around body (already padded).
func (w *NgWriter) writeBlock(blockType uint32, body []byte) error {
	total := uint32(12 + len(body))
	w.buf = append(w.buf[:0], make([]byte, 8)...)
	w.order.PutUint32(w.buf[0:], blockType)
	w.order.PutUint32(w.buf[4:], total)
	w.buf = append(w.buf, body...)
	w.buf = append(w.buf, 0, 0, 0, 0)
	w.order.PutUint32(w.buf[len(w.buf)-4:], total)
	_, err := w.w.Write(w.buf)
	return err
}

// AddInterface writes an Interface Description Block with nanosecond time
// stamp resolution and returns the interface's index for Packet.InterfaceIndex.
// A snaplen of 0 means MaxSnaplen.
func (w *NgWriter) AddInterface(lt LinkType, snaplen int) (int, error) {
	fileType, ok := lt.FileValue()
	if !ok || fileType > 0xFFFF {
		return 0, fmt.Errorf("pcap: link type %v has no LINKTYPE_ value for a pcapng interface", lt)
	}
	if snaplen == 0 {
		snaplen = MaxSnaplen
	}
	if snaplen < 0 || snaplen > 1<<31-1 {
		return 0, fmt.Errorf("pcap: snapshot length %d out of range", snaplen)
	}
	body := make([]byte, 8, 20)
	w.order.PutUint16(body[0:], uint16(fileType))
	w.order.PutUint32(body[4:], uint32(snaplen))
	body = w.appendOption(body, optTSResol, []byte{9})
	body = w.appendOption(body, optEndOfOpt, nil)
	if err := w.writeBlock(blockIDB, body); err != nil {
		return 0, err
	}
	w.ifaces = append(w.ifaces, lt)
	return len(w.ifaces) - 1, nil
}

// WritePacket writes an Enhanced Packet Block for the packet on interface
// p.InterfaceIndex, with len(p.Data) as the captured length and p.Length as
// the wire length (len(p.Data) when p.Length is 0). Time stamps before 1970
// cannot be written.
func (w *NgWriter) WritePacket(p Packet) error {
	if p.InterfaceIndex < 0 || p.InterfaceIndex >= len(w.ifaces) {
		return fmt.Errorf("pcap: packet on interface %d, but the file has %d interfaces", p.InterfaceIndex, len(w.ifaces))
	}
	if p.Seconds < 0 || p.Nanoseconds < 0 || p.Nanoseconds >= 1e9 || uint64(p.Seconds) >= (1<<64-1)/1000000000 {
		return fmt.Errorf("pcap: time stamp %d.%09d cannot be written to pcapng", p.Seconds, p.Nanoseconds)
	}
	length, err := wireLength(p)
	if err != nil {
		return err
	}
	t := uint64(p.Seconds)*1e9 + uint64(p.Nanoseconds)
	body := make([]byte, 20, 20+len(p.Data)+3)
	w.order.PutUint32(body[0:], uint32(p.InterfaceIndex))
	w.order.PutUint32(body[4:], uint32(t>>32))
	w.order.PutUint32(body[8:], uint32(t))
	w.order.PutUint32(body[12:], uint32(len(p.Data)))
	w.order.PutUint32(body[16:], length)
	body = append(body, p.Data...)
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	return w.writeBlock(blockEPB, body)
}

// Copier copies packets from a Reader to a writer in the reader's format:
// the file header and every non-packet block unchanged, and the records of
// the packets the caller keeps, byte for byte. With every packet kept the
// output is identical to the input (up to where the input ends or fails).
type Copier struct {
	r   Reader
	w   io.Writer
	has bool
}

// NewCopier writes r's file header to w and returns a Copier.
func NewCopier(w io.Writer, r Reader) (*Copier, error) {
	if _, err := w.Write(r.Header()); err != nil {
		return nil, err
	}
	return &Copier{r: r, w: w}, nil
}

// Next reads the next packet from the reader, writing the non-packet blocks
// that precede it (or the end of the file); its results are the reader's.
func (c *Copier) Next() (Packet, error) {
	p, err := c.r.Next()
	raw := c.r.Raw()
	c.has = err == nil
	if len(raw.Before) > 0 {
		if _, werr := c.w.Write(raw.Before); werr != nil {
			c.has = false
			return Packet{}, werr
		}
	}
	return p, err
}

// Keep writes the record of the packet the last Next returned.
func (c *Copier) Keep() error {
	if !c.has {
		return fmt.Errorf("pcap: Copier.Keep without a packet from Next")
	}
	c.has = false
	_, err := c.w.Write(c.r.Raw().Record)
	return err
}
