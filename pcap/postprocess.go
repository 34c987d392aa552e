package pcap

import "encoding/binary"

// This file reproduces libpcap's pcap_post_process: for a file written on a
// host of the other byte order it converts the host-order fields of some
// pseudo-headers to this host's order, and it corrects the wire length of
// some Linux USB isochronous packets from older captures.

// swapsPseudoHeader reports whether libpcap rewrites packet data of the link
// type when the file's byte order is not the host's.
func swapsPseudoHeader(lt LinkType) bool {
	switch lt {
	case LinkTypePFLOG, LinkTypeLINUX_SLL, LinkTypeLINUX_SLL2, LinkTypeUSB_LINUX,
		LinkTypeUSB_LINUX_MMAPPED, LinkTypeNFLOG:
		return true
	}
	return false
}

// postProcess converts data in place and may change p.Length.
func postProcess(lt LinkType, swapped bool, p *Packet, data []byte) {
	if swapped {
		caplen, length := uint32(p.CaptureLength), uint32(p.Length)
		switch lt {
		case LinkTypePFLOG:
			swapPflog(caplen, length, data)
		case LinkTypeLINUX_SLL:
			swapSLLCAN(caplen, length, data, 16, 14)
		case LinkTypeLINUX_SLL2:
			swapSLLCAN(caplen, length, data, 20, 0)
		case LinkTypeUSB_LINUX:
			swapLinuxUSB(caplen, data, false)
		case LinkTypeUSB_LINUX_MMAPPED:
			swapLinuxUSB(caplen, data, true)
		case LinkTypeNFLOG:
			swapNflog(caplen, length, data)
		}
	}
	if lt == LinkTypeUSB_LINUX_MMAPPED {
		fixUSBMmappedLength(p, data)
	}
}

// swap32 reverses the byte order of the 4 bytes at b[off:].
func swap32(b []byte, off uint32) {
	b[off], b[off+1], b[off+2], b[off+3] = b[off+3], b[off+2], b[off+1], b[off]
}

func swap16(b []byte, off uint32) {
	b[off], b[off+1] = b[off+1], b[off]
}

func swap64(b []byte, off uint32) {
	for i := uint32(0); i < 4; i++ {
		b[off+i], b[off+7-i] = b[off+7-i], b[off+i]
	}
}

// swapPflog converts the uid, pid, rule_uid and rule_pid fields of a pflog
// header that are present in the header (its length byte), the capture and
// the packet.
func swapPflog(caplen, length uint32, b []byte) {
	hdrLen := uint32(0)
	for _, off := range []uint32{44, 48, 52, 56} {
		end := off + 4
		if caplen < end || length < end {
			return
		}
		if off == 44 {
			hdrLen = uint32(b[0])
		}
		if hdrLen < end {
			return
		}
		swap32(b, off)
	}
}

// Linux cooked-capture protocol numbers of CAN frames, whose SocketCAN header
// carries the CAN id in host byte order.
const (
	sllProtoCAN   = 0x000C
	sllProtoCANFD = 0x000D
)

// swapSLLCAN converts the CAN id after a Linux cooked header (v1: 16 bytes,
// protocol at 14; v2: 20 bytes, protocol at 0).
func swapSLLCAN(caplen, length uint32, b []byte, hdrLen, protoOff uint32) {
	if caplen < hdrLen || length < hdrLen {
		return
	}
	proto := binary.BigEndian.Uint16(b[protoOff:])
	if proto != sllProtoCAN && proto != sllProtoCANFD {
		return
	}
	if caplen < hdrLen+4 || length < hdrLen+4 {
		return
	}
	swap32(b, hdrLen)
}

// Linux USB header constants (pcap/usb.h).
const (
	usbHeaderMmappedLen = 64
	usbIsoDescLen       = 16
	urbIsochronous      = 0
	urbComplete         = 'C'
	urbTransferIn       = 0x80
)

// swapLinuxUSB converts a Linux USB header (48 bytes, or 64 with
// mmapped=true) field by field as far as the capture reaches.
func swapLinuxUSB(caplen uint32, b []byte, mmapped bool) {
	off := uint32(8)
	if caplen < off {
		return
	}
	swap64(b, 0) // id
	off += 4     // event_type, transfer_type, endpoint_number, device_address
	off += 2
	if caplen < off {
		return
	}
	swap16(b, 12) // bus_id
	off += 2      // setup_flag, data_flag
	off += 8
	if caplen < off {
		return
	}
	swap64(b, 16)                                    // ts_sec
	for _, field := range []uint32{24, 28, 32, 36} { // ts_usec, status, urb_len, data_len
		off += 4
		if caplen < off {
			return
		}
		swap32(b, field)
	}
	if b[9] == urbIsochronous {
		for _, field := range []uint32{40, 44} { // s.iso.error_count, s.iso.numdesc
			off += 4
			if caplen < off {
				return
			}
			swap32(b, field)
		}
	} else {
		off += 8
	}
	if !mmapped {
		return
	}
	for _, field := range []uint32{48, 52, 56, 60} { // interval, start_frame, xfer_flags, ndesc
		off += 4
		if caplen < off {
			return
		}
		swap32(b, field)
	}
	if b[9] != urbIsochronous {
		return
	}
	ndesc := hostOrder.Uint32(b[60:])
	pos := off
	for i := uint32(0); i < ndesc; i++ {
		for k := uint32(0); k < 3; k++ { // status, offset, len
			off += 4
			if caplen < off {
				return
			}
			swap32(b, pos+4*k)
		}
		off += 4 // padding
		pos += usbIsoDescLen
	}
}

// swapNflog converts the type and length of each NFLOG TLV.
func swapNflog(caplen, length uint32, b []byte) {
	if caplen < 4 || length < 4 {
		return
	}
	if b[1] != 0 { // nflog_version
		return
	}
	caplen -= 4
	length -= 4
	p := uint32(4)
	for caplen >= 4 {
		swap16(b, p)
		swap16(b, p+2)
		size := uint32(hostOrder.Uint16(b[p:]))
		if size%4 != 0 {
			size += 4 - size%4
		}
		if size < 4 {
			return
		}
		if caplen < size || length < size {
			return
		}
		length -= size
		caplen -= size
		p += size
	}
}

// fixUSBMmappedLength recomputes the wire length of a completion event of an
// incoming isochronous transfer whose length an older libpcap derived from
// the URB length (fixup_pcap_pkthdr and fix_linux_usb_mmapped_length).
func fixUSBMmappedLength(p *Packet, b []byte) {
	caplen := uint32(p.CaptureLength)
	if caplen < usbHeaderMmappedLen {
		return
	}
	o := hostOrder
	dataFlag := b[15]
	urbLen := uint64(o.Uint32(b[32:]))
	ndesc := o.Uint32(b[60:])
	length := uint64(uint32(p.Length))
	computed := usbHeaderMmappedLen + uint64(ndesc)*usbIsoDescLen + urbLen
	if dataFlag != 0 || length != computed {
		return
	}
	if b[9] != urbIsochronous || b[8] != urbComplete || b[10]&urbTransferIn == 0 {
		return
	}
	left := caplen - usbHeaderMmappedLen
	var dataLen uint32
	for d, pos := uint32(0), uint32(usbHeaderMmappedLen); d < ndesc && left >= usbIsoDescLen; d, pos, left = d+1, pos+usbIsoDescLen, left-usbIsoDescLen {
		dOff, dLen := o.Uint32(b[pos+4:]), o.Uint32(b[pos+8:])
		if dLen != 0 {
			if end := dOff + dLen; end > dataLen {
				dataLen = end
			}
		}
	}
	pre := uint32(usbHeaderMmappedLen + uint64(ndesc)*usbIsoDescLen + uint64(dataLen))
	newLen := uint32(length)
	if pre >= caplen {
		newLen = pre
	}
	if caplen > newLen {
		newLen = caplen
	}
	p.Length = int(newLen)
}
