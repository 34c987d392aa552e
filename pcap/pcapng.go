package pcap

import (
	"encoding/binary"
	"fmt"
	"io"
)

// pcapng block types.
const (
	blockSHB = 0x0A0D0D0A
	blockIDB = 0x00000001
	blockPB  = 0x00000002 // obsolete Packet Block
	blockSPB = 0x00000003
	blockEPB = 0x00000006
)

const (
	byteOrderMagic = 0x1A2B3C4D
	// shbMaxLen is the largest Section Header Block libpcap accepts.
	shbMaxLen = 1024 * 1024
	// initialMaxBlock is libpcap's limit on a block's length, raised for
	// link types whose maximum snapshot length needs more.
	initialMaxBlock = 16 * 1024 * 1024
	// Option codes libpcap interprets.
	optEndOfOpt = 0
	optTSResol  = 9
	optTSOffset = 14
)

// maxBlockForSnaplen is libpcap's MAX_BLOCKSIZE_FOR_SNAPLEN.
func maxBlockForSnaplen(snaplen uint32) uint32 {
	return 8 + 20 + snaplen + 131072 + 4
}

// ngInterface is what libpcap keeps of an Interface Description Block.
type ngInterface struct {
	linkType LinkType
	snaplen  uint32 // as libpcap adjusts it
	tsresol  uint64
	tsoffset uint64
	binary   bool
}

// NgReader reads a pcapng file. It implements Reader.
//
// Like libpcap 1.10.3 it requires every interface of the file to have the
// first interface's link type and snapshot length (unless opened with
// ReaderOptions.MixedInterfaces), and it skips blocks of types it does not
// know (and statistics, name resolution and custom blocks).
type NgReader struct {
	src      *source
	order    binary.ByteOrder
	swapped  bool
	major    int
	minor    int
	linkType LinkType
	snaplen  uint32
	maxBlock uint32
	ifaces   []ngInterface
	header   []byte
	block    []byte // room for blocks larger than the read buffer
	before   []byte
	post     []byte
	record   []byte
	packets  int
	err      error
	mixed    bool // ReaderOptions.MixedInterfaces
}

// newNgReader reads a pcapng Section Header Block and the blocks up to the
// first Interface Description Block. It returns nil, nil when the input is
// not pcapng.
func newNgReader(s *source, magic [4]byte, mixed bool) (*NgReader, error) {
	if binary.LittleEndian.Uint32(magic[:]) != blockSHB {
		return nil, nil
	}
	var lenAndMagic [8]byte
	buf, n, err := s.read(lenAndMagic[:0], 8)
	if err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			// libpcap goes on to the next format, and finds none.
			_ = n
			return nil, nil
		}
		return nil, s.readError(0, 0, err, "")
	}
	var order binary.ByteOrder
	switch {
	case binary.LittleEndian.Uint32(buf[4:]) == byteOrderMagic:
		order = binary.LittleEndian
	case binary.BigEndian.Uint32(buf[4:]) == byteOrderMagic:
		order = binary.BigEndian
	default:
		return nil, nil
	}
	r := &NgReader{src: s, order: order, swapped: order != hostOrder, maxBlock: initialMaxBlock, mixed: mixed}
	total := order.Uint32(buf[0:])
	if total < 8+16+4 || total > shbMaxLen {
		return nil, &Error{Msg: fmt.Sprintf(
			"Section Header Block in pcapng dump file has invalid length %d < _%d_ < %d (BT_SHB_INSANE_MAX)",
			8+16+4, total, shbMaxLen)}
	}
	shb := make([]byte, 0, total)
	shb = append(shb, magic[:]...)
	shb = append(shb, buf...)
	shb, n, err = s.read(shb, int(total)-12)
	if err != nil {
		return nil, s.readError(0, 0, err, fmt.Sprintf(
			"truncated pcapng dump file; tried to read %d bytes, only got %d", int(total)-12, n))
	}
	major, minor := order.Uint16(shb[12:]), order.Uint16(shb[14:])
	if !(major == 1 && (minor == 0 || minor == 2)) {
		return nil, &Error{Msg: fmt.Sprintf("unsupported pcapng savefile version %d.%d", major, minor)}
	}
	r.major, r.minor = int(major), int(minor)
	r.header = shb
	for {
		at := s.off
		block, err := r.readBlock()
		if err == io.EOF {
			return nil, &Error{Offset: at, Msg: "the capture file has no Interface Description Blocks"}
		}
		if err != nil {
			return nil, err
		}
		r.header = append(r.header, block...)
		body := block[8 : len(block)-4]
		switch r.order.Uint32(block) {
		case blockIDB:
			if len(body) < 8 {
				return nil, r.fail(at, tooShort(blockIDB))
			}
			lt := linkTypeFromFile(uint32(r.order.Uint16(body)))
			r.linkType = lt
			r.snaplen = adjustSnaplen(lt, r.order.Uint32(body[4:]))
			if err := r.addInterface(at, body); err != nil {
				return nil, err
			}
			if m := maxBlockForSnaplen(maxSnaplen(lt)); m > r.maxBlock {
				r.maxBlock = m
			}
			return r, nil
		case blockEPB, blockSPB, blockPB:
			return nil, r.fail(at, "the capture file has a packet block before any Interface Description Blocks")
		}
	}
}

func tooShort(blockType uint32) string {
	return fmt.Sprintf("block of type %d in pcapng dump file is too short", blockType)
}

func (r *NgReader) fail(at int64, msg string) *Error {
	return &Error{Offset: at, Packets: r.packets, Msg: msg}
}

// readBlock reads one whole block into r.block and checks its lengths.
func (r *NgReader) readBlock() ([]byte, error) {
	at := r.src.off
	h, err := r.src.peek(8)
	if err == io.EOF {
		return nil, io.EOF
	}
	if err != nil {
		return nil, r.src.readError(at, r.packets, err, fmt.Sprintf(
			"truncated pcapng dump file; tried to read %d bytes, only got %d", 8, len(h)))
	}
	total := r.order.Uint32(h[4:])
	if total < 12 {
		return nil, r.fail(at, fmt.Sprintf("block in pcapng dump file has a length of %d < %d", total, 12))
	}
	if total%4 != 0 {
		return nil, r.fail(at, fmt.Sprintf("block in pcapng dump file has a length of %d that is not a multiple of 4", total))
	}
	if total > r.maxBlock {
		return nil, r.fail(at, fmt.Sprintf("pcapng block size %d > maximum %d", total, r.maxBlock))
	}
	buf, n, err := r.src.take(&r.block, 8, int(total)-8)
	if err != nil {
		return nil, r.src.readError(at, r.packets, err, fmt.Sprintf(
			"truncated pcapng dump file; tried to read %d bytes, only got %d", total-8, n))
	}
	if r.order.Uint32(buf[total-4:]) != total {
		return nil, r.fail(at, "block total length in header and trailer don't match")
	}
	return buf, nil
}

// addInterface records an Interface Description Block (body: the block
// without its header and trailer) and its time stamp options.
func (r *NgReader) addInterface(at int64, body []byte) error {
	iface := ngInterface{
		linkType: linkTypeFromFile(uint32(r.order.Uint16(body))),
		tsresol:  1000000,
	}
	iface.snaplen = adjustSnaplen(iface.linkType, r.order.Uint32(body[4:]))
	opts := body[8:]
	sawResol, sawOffset := false, false
options:
	for len(opts) != 0 {
		if len(opts) < 4 {
			return r.fail(at, tooShort(blockIDB))
		}
		code, length := r.order.Uint16(opts), r.order.Uint16(opts[2:])
		padded := (int(length) + 3) / 4 * 4
		if len(opts)-4 < padded {
			return r.fail(at, tooShort(blockIDB))
		}
		value := opts[4 : 4+int(length)]
		opts = opts[4+padded:]
		switch code {
		case optEndOfOpt:
			if length != 0 {
				return r.fail(at, fmt.Sprintf(
					"Interface Description Block has opt_endofopt option with length %d != 0", length))
			}
			break options
		case optTSResol:
			if length != 1 {
				return r.fail(at, fmt.Sprintf(
					"Interface Description Block has if_tsresol option with length %d != 1", length))
			}
			if sawResol {
				return r.fail(at, "Interface Description Block has more than one if_tsresol option")
			}
			sawResol = true
			v := value[0]
			if v&0x80 != 0 {
				shift := v & 0x7F
				if shift > 63 {
					return r.fail(at, fmt.Sprintf(
						"Interface Description Block if_tsresol option resolution 2^-%d is too high", shift))
				}
				iface.binary = true
				iface.tsresol = 1 << shift
			} else {
				if v > 19 {
					return r.fail(at, fmt.Sprintf(
						"Interface Description Block if_tsresol option resolution 10^-%d is too high", v))
				}
				iface.binary = false
				iface.tsresol = 1
				for i := byte(0); i < v; i++ {
					iface.tsresol *= 10
				}
			}
		case optTSOffset:
			if length != 8 {
				return r.fail(at, fmt.Sprintf(
					"Interface Description Block has if_tsoffset option with length %d != 8", length))
			}
			if sawOffset {
				return r.fail(at, "Interface Description Block has more than one if_tsoffset option")
			}
			sawOffset = true
			iface.tsoffset = r.order.Uint64(value)
		}
	}
	r.ifaces = append(r.ifaces, iface)
	return nil
}

// LinkType returns the link type of the file's first interface.
func (r *NgReader) LinkType() LinkType { return r.linkType }

// Snaplen returns the first interface's snapshot length as libpcap reports it.
func (r *NgReader) Snaplen() int { return int(r.snaplen) }

// Format returns FormatPcapNG.
func (r *NgReader) Format() Format { return FormatPcapNG }

// ByteOrder returns the byte order of the file's first section.
func (r *NgReader) ByteOrder() binary.ByteOrder { return r.order }

// Version returns the version of the first Section Header Block.
func (r *NgReader) Version() (major, minor int) { return r.major, r.minor }

// Header returns the Section Header Block and the blocks up to and including
// the first Interface Description Block.
func (r *NgReader) Header() []byte { return r.header }

// Raw returns the blocks behind the last call of Next.
func (r *NgReader) Raw() Raw { return Raw{Before: r.before, Record: r.record} }

// Interfaces returns the number of interfaces of the current section.
func (r *NgReader) Interfaces() int { return len(r.ifaces) }

// Next returns the next packet, io.EOF at the end of the file, or an *Error.
func (r *NgReader) Next() (Packet, error) {
	r.before = r.before[:0]
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

func (r *NgReader) next() (Packet, error) {
	o := r.order
	for {
		at := r.src.off
		block, err := r.readBlock()
		if err != nil {
			return Packet{}, err
		}
		body := block[8 : len(block)-4]
		var p Packet
		var ifIndex uint32
		var t uint64
		var data []byte
		spb := false
		switch btype := o.Uint32(block); btype {
		case blockEPB:
			if len(body) < 20 {
				return Packet{}, r.fail(at, tooShort(btype))
			}
			ifIndex = o.Uint32(body)
			t = uint64(o.Uint32(body[4:]))<<32 | uint64(o.Uint32(body[8:]))
			p.CaptureLength, p.Length = int(o.Uint32(body[12:])), int(o.Uint32(body[16:]))
			data = body[20:]
		case blockSPB:
			if len(body) < 4 {
				return Packet{}, r.fail(at, tooShort(btype))
			}
			// The captured length is the wire length cut to the
			// snapshot length, once the interface is known.
			spb = true
			p.Length = int(o.Uint32(body))
			data = body[4:]
		case blockPB:
			if len(body) < 20 {
				return Packet{}, r.fail(at, tooShort(btype))
			}
			ifIndex = uint32(o.Uint16(body))
			t = uint64(o.Uint32(body[4:]))<<32 | uint64(o.Uint32(body[8:]))
			p.CaptureLength, p.Length = int(o.Uint32(body[12:])), int(o.Uint32(body[16:]))
			data = body[20:]
		case blockIDB:
			if len(body) < 8 {
				return Packet{}, r.fail(at, tooShort(btype))
			}
			lt := uint32(o.Uint16(body))
			if r.mixed {
				if m := maxBlockForSnaplen(maxSnaplen(linkTypeFromFile(lt))); m > r.maxBlock {
					r.maxBlock = m
				}
			} else if uint32(r.linkType) != lt {
				return Packet{}, r.fail(at, fmt.Sprintf(
					"an interface has a type %d different from the type of the first interface", lt))
			}
			if snap := o.Uint32(body[4:]); !r.mixed && r.snaplen != adjustSnaplen(r.linkType, snap) {
				return Packet{}, r.fail(at, fmt.Sprintf(
					"an interface has a snapshot length %d different from the snapshot length of the first interface", snap))
			}
			if err := r.addInterface(at, body); err != nil {
				return Packet{}, err
			}
			r.before = append(r.before, block...)
			continue
		case blockSHB:
			if len(body) < 16 {
				return Packet{}, r.fail(at, tooShort(btype))
			}
			switch o.Uint32(body) {
			case byteOrderMagic:
			case 0x4D3C2B1A:
				return Packet{}, r.fail(at, "the file has sections with different byte orders")
			default:
				return Packet{}, r.fail(at, "the file has a section with a bad byte order magic field")
			}
			if major := o.Uint16(body[4:]); major != 1 {
				return Packet{}, r.fail(at, fmt.Sprintf("unknown pcapng savefile major version number %d", major))
			}
			r.ifaces = r.ifaces[:0]
			r.before = append(r.before, block...)
			continue
		default:
			r.before = append(r.before, block...)
			continue
		}
		if ifIndex >= uint32(len(r.ifaces)) {
			return Packet{}, r.fail(at, fmt.Sprintf(
				"a packet arrived on interface %d, but there's no Interface Description Block for that interface", ifIndex))
		}
		// Without MixedInterfaces every interface has the first one's
		// link type and snapshot length, as libpcap requires.
		iface := &r.ifaces[ifIndex]
		if spb {
			p.CaptureLength = int(min(uint32(p.Length), iface.snaplen))
		}
		if uint32(p.CaptureLength) > iface.snaplen {
			return Packet{}, r.fail(at, fmt.Sprintf(
				"invalid packet capture length %d, bigger than snaplen of %d", uint32(p.CaptureLength), iface.snaplen))
		}
		sec := t/iface.tsresol + iface.tsoffset
		frac := t % iface.tsresol
		const userResol = 1000000000
		switch {
		case iface.tsresol == userResol:
		case iface.binary:
			frac = frac * userResol / iface.tsresol
		case iface.tsresol > userResol:
			frac /= iface.tsresol / userResol
		default:
			frac *= userResol / iface.tsresol
		}
		p.Seconds = int64(sec)
		p.Nanoseconds = int64(int32(uint32(frac)))
		if len(data) < p.CaptureLength {
			return Packet{}, r.fail(at, tooShort(o.Uint32(block)))
		}
		data = data[:p.CaptureLength]
		p.LinkType = iface.linkType
		p.InterfaceIndex = int(ifIndex)
		r.record = block
		if r.swapped && swapsPseudoHeader(iface.linkType) {
			r.post = append(r.post[:0], data...)
			data = r.post
		}
		postProcess(iface.linkType, r.swapped, &p, data)
		p.Data = data
		return p, nil
	}
}
