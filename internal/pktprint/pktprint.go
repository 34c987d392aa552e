// Package pktprint prints one-line packet summaries in the format of
// tcpdump 4.99 with -nn: time stamp, link-layer header (with -e), and the
// network and transport summary for Ethernet (with 802.1Q tags), Linux
// cooked captures, raw IP and BSD loopback links carrying IPv4, IPv6, ARP,
// TCP (flags, relative sequence numbers, options), UDP, ICMP and ICMPv6.
//
// Protocols it does not decode get a generic line that still names the
// addresses and lengths; application protocols above TCP and UDP are not
// decoded, so where tcpdump adds ": BGP" or a DNS summary this package
// stops at the transport summary. Addresses and ports always print
// numerically.
package pktprint

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/gbpf/gbpf/pcap"
)

// TimeFormat selects how a line's time stamp prints, as tcpdump's -t flags.
type TimeFormat int

const (
	// TimeOfDay prints the local time of day, "15:04:05.000000" (default).
	TimeOfDay TimeFormat = iota
	// TimeNone prints no time stamp (-t).
	TimeNone
	// TimeUnix prints seconds and microseconds since the epoch (-tt).
	TimeUnix
	// TimeDelta prints the time since the previous packet (-ttt).
	TimeDelta
	// TimeDate prints the local date and time (-tttt).
	TimeDate
	// TimeSinceFirst prints the time since the first packet (-ttttt).
	TimeSinceFirst
)

// Options control the summary lines.
type Options struct {
	// Time is the time stamp format.
	Time TimeFormat
	// LinkHeader prints the link-level header (tcpdump -e).
	LinkHeader bool
	// Quiet prints less protocol information (tcpdump -q).
	Quiet bool
	// Location is the time zone of TimeOfDay and TimeDate; nil means
	// time.Local.
	Location *time.Location
}

// Printer formats packets. It keeps state between packets (the previous
// time stamp, TCP sequence number bases), so one Printer serves one stream
// of packets and is not safe for concurrent use.
type Printer struct {
	opts      Options
	havePrev  bool
	prev      int64 // microseconds
	first     int64
	tcpConvos map[tcpKey]*tcpSeq
}

type tcpKey struct {
	a, b         netip.Addr
	aport, bport uint16
}

type tcpSeq struct{ seq, ack uint32 }

// New returns a Printer with the given options.
func New(opts Options) *Printer {
	if opts.Location == nil {
		opts.Location = time.Local
	}
	return &Printer{opts: opts, tcpConvos: make(map[tcpKey]*tcpSeq)}
}

// Line returns the summary line of pkt, without a trailing newline.
func (p *Printer) Line(pkt pcap.Packet) string {
	var b strings.Builder
	p.stamp(&b, pkt)
	p.link(&b, pkt.LinkType, pkt.Data, pkt.Length)
	return b.String()
}

func (p *Printer) stamp(b *strings.Builder, pkt pcap.Packet) {
	// tcpdump opens files at microsecond precision: libpcap divides the
	// nanoseconds by 1000.
	sec, usec := pkt.Seconds, pkt.Nanoseconds/1000
	us := sec*1000000 + usec
	switch p.opts.Time {
	case TimeNone:
		return
	case TimeUnix:
		fmt.Fprintf(b, "%d.%06d ", sec, usec)
	case TimeOfDay, TimeDate:
		t := time.Unix(sec, usec*1000).In(p.opts.Location)
		if p.opts.Time == TimeDate {
			fmt.Fprintf(b, "%04d-%02d-%02d ", t.Year(), int(t.Month()), t.Day())
		}
		fmt.Fprintf(b, "%02d:%02d:%02d.%06d ", t.Hour(), t.Minute(), t.Second(), usec)
	case TimeDelta, TimeSinceFirst:
		if !p.havePrev {
			p.prev, p.first, p.havePrev = us, us, true
		}
		base := p.prev
		if p.opts.Time == TimeSinceFirst {
			base = p.first
		}
		d := us - base
		sign := " "
		if d < 0 {
			sign, d = "-", -d
		}
		s := d / 1000000
		fmt.Fprintf(b, "%s%02d:%02d:%02d.%06d ", sign, s/3600, s/60%60, s%60, d%1000000)
		p.prev = us
	}
}

// ethertypes names the EtherTypes tcpdump names in "ethertype NAME (0x...)".
var ethertypes = map[uint16]string{
	0x0800: "IPv4", 0x0806: "ARP", 0x8035: "Reverse ARP", 0x86dd: "IPv6",
	0x8100: "802.1Q", 0x88a8: "802.1Q-QinQ", 0x9100: "802.1Q-9100",
	0x8847: "MPLS unicast", 0x8848: "MPLS multicast", 0x8863: "PPPoE D",
	0x8864: "PPPoE S", 0x88cc: "LLDP", 0x888e: "EAPOL", 0x8809: "Slow Protocols",
	0x9000: "Loopback", 0x88e5: "MACsec", 0x8902: "CFM", 0x6558: "TEB",
}

func ethertypeName(t uint16) string {
	if n, ok := ethertypes[t]; ok {
		return n
	}
	return "Unknown"
}

func mac(b []byte) string {
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5])
}

func (p *Printer) link(b *strings.Builder, lt pcap.LinkType, data []byte, wireLen int) {
	switch lt {
	case pcap.LinkTypeEN10MB:
		p.ether(b, data, wireLen)
	case pcap.LinkTypeRAW, pcap.LinkTypeIPV4, pcap.LinkTypeIPV6:
		p.rawIP(b, data, wireLen)
	case pcap.LinkTypeNULL, pcap.LinkTypeLOOP:
		p.null(b, lt, data, wireLen)
	case pcap.LinkTypeLINUX_SLL:
		p.sll(b, data, wireLen)
	case pcap.LinkTypeLINUX_SLL2:
		p.sll2(b, data, wireLen)
	case pcap.LinkTypePPP:
		p.ppp(b, data, wireLen)
	default:
		fmt.Fprintf(b, "%s, length %d", lt.Name(), wireLen)
	}
}

func (p *Printer) ether(b *strings.Builder, data []byte, wireLen int) {
	if len(data) < 14 {
		b.WriteString("[|ether]")
		return
	}
	et := binary.BigEndian.Uint16(data[12:])
	if p.opts.LinkHeader {
		fmt.Fprintf(b, "%s > %s, ", mac(data[6:12]), mac(data[0:6]))
	}
	if et <= 1500 {
		// 802.3 length field: an LLC frame.
		if p.opts.LinkHeader {
			fmt.Fprintf(b, "802.3, length %d: ", wireLen)
		}
		fmt.Fprintf(b, "LLC, length %d", wireLen-14)
		return
	}
	if p.opts.LinkHeader {
		p.ethertypeField(b, et)
		fmt.Fprintf(b, ", length %d: ", wireLen)
	}
	off := 14
	for et == 0x8100 || et == 0x88a8 || et == 0x9100 {
		if len(data) < off+4 {
			b.WriteString("[|vlan]")
			return
		}
		tci := binary.BigEndian.Uint16(data[off:])
		et = binary.BigEndian.Uint16(data[off+2:])
		if p.opts.LinkHeader {
			fmt.Fprintf(b, "vlan %d, p %d, ", tci&0xfff, tci>>13)
			if tci&0x1000 != 0 {
				b.WriteString("DEI, ")
			}
			p.ethertypeField(b, et)
			b.WriteString(", ")
		}
		off += 4
	}
	p.network(b, et, data[off:], wireLen-off, !p.opts.LinkHeader)
}

func (p *Printer) ethertypeField(b *strings.Builder, et uint16) {
	if p.opts.Quiet {
		b.WriteString(ethertypeName(et))
		return
	}
	fmt.Fprintf(b, "ethertype %s (0x%04x)", ethertypeName(et), et)
}

// network prints the packet after the link-layer header; prefix says
// whether to lead with the protocol name ("IP ", "ARP, ") as tcpdump does
// without -e.
func (p *Printer) network(b *strings.Builder, et uint16, data []byte, length int, prefix bool) {
	switch et {
	case 0x0800:
		if prefix {
			b.WriteString("IP ")
		}
		p.ipv4(b, data, length)
	case 0x86dd:
		if prefix {
			b.WriteString("IP6 ")
		}
		p.ipv6(b, data, length)
	case 0x0806, 0x8035:
		if prefix {
			b.WriteString(ethertypeName(et))
			b.WriteString(", ")
		}
		p.arp(b, data, length)
	default:
		if prefix {
			fmt.Fprintf(b, "ethertype %s (0x%04x), length %d", ethertypeName(et), et, length)
			return
		}
		fmt.Fprintf(b, "length %d", length)
	}
}

func (p *Printer) rawIP(b *strings.Builder, data []byte, wireLen int) {
	if p.opts.LinkHeader {
		b.WriteString("ip: ")
	}
	if len(data) < 1 {
		b.WriteString("[|ip]")
		return
	}
	switch data[0] >> 4 {
	case 4:
		b.WriteString("IP ")
		p.ipv4(b, data, wireLen)
	case 6:
		b.WriteString("IP6 ")
		p.ipv6(b, data, wireLen)
	default:
		fmt.Fprintf(b, "IP%d", data[0]>>4)
	}
}

func (p *Printer) null(b *strings.Builder, lt pcap.LinkType, data []byte, wireLen int) {
	if len(data) < 4 {
		b.WriteString("[|null]")
		return
	}
	var af uint32
	if lt == pcap.LinkTypeLOOP {
		af = binary.BigEndian.Uint32(data)
	} else {
		af = binary.NativeEndian.Uint32(data)
		if af&0xffff0000 != 0 {
			af = binary.BigEndian.Uint32(data) // written on the other byte order
			if af&0xffff0000 != 0 {
				af = binary.LittleEndian.Uint32(data)
			}
		}
	}
	var et uint16
	name := ""
	switch af {
	case 2:
		et, name = 0x0800, "IPv4"
	case 24, 28, 30:
		et, name = 0x86dd, "IPv6"
	}
	if p.opts.LinkHeader {
		if name == "" {
			fmt.Fprintf(b, "AF Unknown (%d), length %d: ", af, wireLen)
		} else {
			fmt.Fprintf(b, "AF %s (%d), length %d: ", name, af, wireLen)
		}
	}
	if name == "" {
		fmt.Fprintf(b, "AF %d, length %d", af, wireLen)
		return
	}
	p.network(b, et, data[4:], wireLen-4, !p.opts.LinkHeader)
}

var sllTypes = map[uint16]string{0: "In", 1: "B", 2: "M", 3: "P", 4: "Out"}

func (p *Printer) sll(b *strings.Builder, data []byte, wireLen int) {
	if len(data) < 16 {
		b.WriteString("[|sll]")
		return
	}
	et := binary.BigEndian.Uint16(data[14:])
	if p.opts.LinkHeader {
		pt := binary.BigEndian.Uint16(data[0:])
		name, ok := sllTypes[pt]
		if !ok {
			name = fmt.Sprintf("%d", pt)
		}
		alen := int(binary.BigEndian.Uint16(data[4:]))
		fmt.Fprintf(b, "%3s ", name)
		if alen > 8 {
			alen = 8
		}
		for i := 0; i < alen; i++ {
			if i > 0 {
				b.WriteByte(':')
			}
			fmt.Fprintf(b, "%02x", data[6+i])
		}
		b.WriteByte(' ')
		p.ethertypeField(b, et)
		fmt.Fprintf(b, ", length %d: ", wireLen)
	}
	p.network(b, et, data[16:], wireLen-16, !p.opts.LinkHeader)
}

func (p *Printer) arp(b *strings.Builder, data []byte, length int) {
	if len(data) < 8 {
		b.WriteString("[|ARP]")
		return
	}
	hrd := binary.BigEndian.Uint16(data[0:])
	pro := binary.BigEndian.Uint16(data[2:])
	hln, pln := int(data[4]), int(data[5])
	op := binary.BigEndian.Uint16(data[6:])
	if (hrd != 1 && hrd != 6) || pro != 0x0800 || hln != 6 || pln != 4 || len(data) < 28 {
		fmt.Fprintf(b, "arp-#%d for proto #%d (0x%04x) hardware #%d (%d), length %d", op, pro, pro, hrd, hln, length)
		return
	}
	sha, spa := data[8:14], netip.AddrFrom4([4]byte(data[14:18]))
	tha, tpa := data[18:24], netip.AddrFrom4([4]byte(data[24:28]))
	switch op {
	case 1:
		fmt.Fprintf(b, "Request who-has %s", tpa)
		if tha[0]|tha[1]|tha[2]|tha[3]|tha[4]|tha[5] != 0 {
			fmt.Fprintf(b, " (%s)", mac(tha))
		}
		fmt.Fprintf(b, " tell %s", spa)
	case 2:
		fmt.Fprintf(b, "Reply %s is-at %s", spa, mac(sha))
	case 3:
		fmt.Fprintf(b, "Reverse Request who-is %s tell %s", mac(tha), mac(sha))
	case 4:
		fmt.Fprintf(b, "Reverse Reply %s at %s", mac(tha), tpa)
	default:
		fmt.Fprintf(b, "arp-#%d", op)
	}
	fmt.Fprintf(b, ", length %d", length)
}

// sll2 prints a Linux cooked v2 packet: tcpdump leads with the interface's
// name on this host (as if_indextoname gives it) and the packet type.
func (p *Printer) sll2(b *strings.Builder, data []byte, wireLen int) {
	if len(data) < 20 {
		b.WriteString("[|sll2]")
		return
	}
	et := binary.BigEndian.Uint16(data[0:])
	ifname := "?"
	if ifi, err := net.InterfaceByIndex(int(binary.BigEndian.Uint32(data[4:]))); err == nil {
		ifname = ifi.Name
	}
	name, ok := sllTypes[uint16(data[10])]
	if !ok {
		name = "?"
	}
	fmt.Fprintf(b, "%-5s %-3s ", ifname, name)
	if p.opts.LinkHeader {
		fmt.Fprintf(b, "ifindex %d ", binary.BigEndian.Uint32(data[4:]))
		alen := min(int(data[11]), 8)
		for i := 0; i < alen; i++ {
			if i > 0 {
				b.WriteByte(':')
			}
			fmt.Fprintf(b, "%02x", data[12+i])
		}
		b.WriteByte(' ')
		p.ethertypeField(b, et)
		fmt.Fprintf(b, ", length %d: ", wireLen)
	}
	p.network(b, et, data[20:], wireLen-20, !p.opts.LinkHeader)
}

// pppProtocols maps PPP protocol numbers to the EtherType of the same
// network protocol and tcpdump's name.
var pppProtocols = map[uint16]struct {
	et   uint16
	name string
}{0x0021: {0x0800, "IP"}, 0x0057: {0x86dd, "IPv6"}}

// ppp prints a PPP packet (DLT_PPP) carrying IPv4 or IPv6.
func (p *Printer) ppp(b *strings.Builder, data []byte, wireLen int) {
	off := 0
	if len(data) >= 2 && data[0] == 0xff && data[1] == 0x03 {
		off = 2
	}
	if len(data) < off+1 {
		b.WriteString("[|ppp]")
		return
	}
	var proto uint16
	if data[off]&1 != 0 {
		proto = uint16(data[off])
		off++
	} else {
		if len(data) < off+2 {
			b.WriteString("[|ppp]")
			return
		}
		proto = binary.BigEndian.Uint16(data[off:])
		off += 2
	}
	pp, ok := pppProtocols[proto]
	if p.opts.LinkHeader {
		name := "unknown"
		if ok {
			name = pp.name
		}
		fmt.Fprintf(b, "%s (0x%04x), length %d: ", name, proto, wireLen)
	}
	if !ok {
		fmt.Fprintf(b, "PPP protocol 0x%04x, length %d", proto, wireLen)
		return
	}
	p.network(b, pp.et, data[off:], wireLen-off, !p.opts.LinkHeader)
}
