package pktprint

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"
)

// ipv4 prints an IPv4 packet after the "IP " prefix; length is the number
// of bytes on the wire from the IP header on.
func (p *Printer) ipv4(b *strings.Builder, data []byte, length int) {
	if len(data) < 20 {
		b.WriteString("[|ip]")
		return
	}
	if v := data[0] >> 4; v != 4 {
		fmt.Fprintf(b, "IP%d ", v)
		return
	}
	hlen := int(data[0]&0xf) * 4
	if hlen < 20 {
		fmt.Fprintf(b, "bad-hlen %d", hlen)
		return
	}
	ipLen := int(binary.BigEndian.Uint16(data[2:]))
	if ipLen < hlen {
		fmt.Fprintf(b, "[total length %d < header length %d]", ipLen, hlen)
		return
	}
	if ipLen > length {
		fmt.Fprintf(b, "truncated-ip - %d bytes missing! ", ipLen-length)
		ipLen = length
	}
	src := netip.AddrFrom4([4]byte(data[12:16]))
	dst := netip.AddrFrom4([4]byte(data[16:20]))
	proto := data[9]
	off := binary.BigEndian.Uint16(data[6:]) & 0x1fff
	payload := clip(data, hlen, ipLen)
	plen := max(ipLen-hlen, 0)
	if off != 0 {
		fmt.Fprintf(b, "%s > %s: ip-proto-%d", src, dst, proto)
		return
	}
	p.transport(b, proto, src, dst, payload, plen)
}

// ipv6 prints an IPv6 packet after the "IP6 " prefix.
func (p *Printer) ipv6(b *strings.Builder, data []byte, length int) {
	if len(data) < 40 {
		b.WriteString("[|ip6]")
		return
	}
	if v := data[0] >> 4; v != 6 {
		fmt.Fprintf(b, "IP6, wrong link-layer encapsulation")
		return
	}
	plen := int(binary.BigEndian.Uint16(data[4:]))
	if plen+40 > length {
		fmt.Fprintf(b, "truncated-ip6 - %d bytes missing!", plen+40-length)
		plen = max(length-40, 0)
	}
	src := netip.AddrFrom16([16]byte(data[8:24]))
	dst := netip.AddrFrom16([16]byte(data[24:40]))
	nh := data[6]
	rest := clip(data, 40, 40+plen)
	var prefix strings.Builder
	for nh == 0 || nh == 60 {
		// Hop-by-hop and destination options: tcpdump names them and goes on.
		if len(rest) < 8 {
			fmt.Fprintf(b, "%s > %s: [|ip6]", src, dst)
			return
		}
		n := (int(rest[1]) + 1) * 8
		if n > len(rest) || n > plen {
			fmt.Fprintf(b, "%s > %s: [|ip6]", src, dst)
			return
		}
		if nh == 0 {
			prefix.WriteString("HBH ")
		} else {
			prefix.WriteString("DSTOPT ")
		}
		nh = rest[0]
		rest, plen = rest[n:], plen-n
	}
	if prefix.Len() > 0 {
		// tcpdump prints the extension headers before the addresses when
		// the next header is a transport it decodes.
		fmt.Fprintf(b, "%s > %s: %s", src, dst, prefix.String())
		p.transportNoAddr(b, nh, src, dst, rest, plen)
		return
	}
	p.transport(b, nh, src, dst, rest, plen)
}

// transport prints "SRC[.PORT] > DST[.PORT]: SUMMARY" for the protocol
// proto; payload is the captured part of the plen bytes after the IP
// header(s).
func (p *Printer) transport(b *strings.Builder, proto uint8, src, dst netip.Addr, payload []byte, plen int) {
	switch proto {
	case 6:
		p.tcp(b, src, dst, payload, plen)
	case 17:
		p.udp(b, src, dst, payload, plen)
	default:
		fmt.Fprintf(b, "%s > %s: ", src, dst)
		p.transportNoAddr(b, proto, src, dst, payload, plen)
	}
}

// transportNoAddr prints the summary of protocols whose line puts the
// addresses first, or the ports (TCP/UDP) when the addresses are already
// printed.
func (p *Printer) transportNoAddr(b *strings.Builder, proto uint8, src, dst netip.Addr, payload []byte, plen int) {
	switch proto {
	case 6:
		p.tcp(b, src, dst, payload, plen)
	case 17:
		p.udp(b, src, dst, payload, plen)
	case 1:
		p.icmp(b, payload, plen)
	case 58:
		p.icmp6(b, payload, plen)
	default:
		fmt.Fprintf(b, "ip-proto-%d %d", proto, plen)
	}
}

func (p *Printer) ports(b *strings.Builder, src, dst netip.Addr, sport, dport uint16) {
	fmt.Fprintf(b, "%s.%d > %s.%d: ", src, sport, dst, dport)
}

func (p *Printer) udp(b *strings.Builder, src, dst netip.Addr, data []byte, plen int) {
	if len(data) < 8 {
		fmt.Fprintf(b, "%s > %s: [|udp]", src, dst)
		return
	}
	sport := binary.BigEndian.Uint16(data[0:])
	dport := binary.BigEndian.Uint16(data[2:])
	ulen := int(binary.BigEndian.Uint16(data[4:]))
	p.ports(b, src, dst, sport, dport)
	switch {
	case ulen < 8:
		fmt.Fprintf(b, "UDP, bad length %d < 8", ulen)
	case ulen > plen:
		fmt.Fprintf(b, "UDP, bad length %d > %d", ulen, plen)
	default:
		fmt.Fprintf(b, "UDP, length %d", ulen-8)
	}
}

// tcpFlags are the flag characters in tcpdump's order (lowest bit first).
const tcpFlags = "FSRP.UEW"

func (p *Printer) tcp(b *strings.Builder, src, dst netip.Addr, data []byte, plen int) {
	if len(data) < 20 {
		fmt.Fprintf(b, "%s > %s: [|tcp]", src, dst)
		return
	}
	sport := binary.BigEndian.Uint16(data[0:])
	dport := binary.BigEndian.Uint16(data[2:])
	seq := binary.BigEndian.Uint32(data[4:])
	ack := binary.BigEndian.Uint32(data[8:])
	hlen := int(data[12]>>4) * 4
	flags := data[13]
	win := binary.BigEndian.Uint16(data[14:])
	urp := binary.BigEndian.Uint16(data[18:])
	p.ports(b, src, dst, sport, dport)
	if hlen > plen {
		fmt.Fprintf(b, " [bad hdr length %d - too long, > %d]", hlen, plen)
		return
	}
	dlen := plen - hlen
	if p.opts.Quiet {
		fmt.Fprintf(b, "tcp %d", dlen)
		return
	}
	if hlen < 20 {
		fmt.Fprintf(b, "tcp %d [bad hdr length %d - too short, < 20]", dlen, hlen)
		return
	}
	b.WriteString("Flags [")
	if flags == 0 {
		b.WriteString("none")
	}
	for i := 0; i < 8; i++ {
		if flags&(1<<i) != 0 {
			b.WriteByte(tcpFlags[i])
		}
	}
	b.WriteString("]")
	const fin, syn, rst, ackf, urg = 0x01, 0x02, 0x04, 0x10, 0x20
	if flags&ackf != 0 {
		seq, ack = p.relative(src, dst, sport, dport, seq, ack, flags&syn != 0)
	}
	if dlen > 0 {
		fmt.Fprintf(b, ", seq %d:%d", seq, seq+uint32(dlen))
	} else if flags&(syn|fin|rst) != 0 {
		fmt.Fprintf(b, ", seq %d", seq)
	}
	if flags&ackf != 0 {
		fmt.Fprintf(b, ", ack %d", ack)
	}
	fmt.Fprintf(b, ", win %d", win)
	if flags&urg != 0 {
		fmt.Fprintf(b, ", urg %d", urp)
	}
	if hlen > 20 {
		end := min(hlen, len(data))
		b.WriteString(", options [")
		tcpOptions(b, data[20:end])
		b.WriteString("]")
	}
	fmt.Fprintf(b, ", length %d", dlen)
}

// relative turns seq and ack into numbers relative to the first packet of
// the conversation seen with ACK set, as tcpdump does without -S.
func (p *Printer) relative(src, dst netip.Addr, sport, dport uint16, seq, ack uint32, syn bool) (uint32, uint32) {
	rev := false
	if c := src.Compare(dst); c > 0 || (c == 0 && sport > dport) {
		rev = true
	}
	k := tcpKey{a: src, b: dst, aport: sport, bport: dport}
	if rev {
		k = tcpKey{a: dst, b: src, aport: dport, bport: sport}
	}
	st, ok := p.tcpConvos[k]
	if !ok || syn {
		if !ok {
			st = new(tcpSeq)
			p.tcpConvos[k] = st
		}
		if rev {
			st.ack, st.seq = seq, ack-1
		} else {
			st.seq, st.ack = seq, ack-1
		}
		return seq, ack
	}
	if rev {
		return seq - st.ack, ack - st.seq
	}
	return seq - st.seq, ack - st.ack
}

// tcpOptions prints the options as tcpdump's tcp_print does.
func tcpOptions(b *strings.Builder, opt []byte) {
	first := true
	for len(opt) > 0 {
		if !first {
			b.WriteByte(',')
		}
		first = false
		kind := opt[0]
		if kind == 0 {
			// End of options: tcpdump ignores the padding after it.
			b.WriteString("eol")
			return
		}
		if kind == 1 {
			b.WriteString("nop")
			opt = opt[1:]
			continue
		}
		if len(opt) < 2 {
			b.WriteString("[|tcp]")
			return
		}
		n := int(opt[1])
		if n < 2 || n > len(opt) {
			fmt.Fprintf(b, "opt-%d [bad length %d]", kind, n)
			return
		}
		body := opt[2:n]
		switch {
		case kind == 2 && len(body) == 2:
			fmt.Fprintf(b, "mss %d", binary.BigEndian.Uint16(body))
		case kind == 3 && len(body) == 1:
			fmt.Fprintf(b, "wscale %d", body[0])
		case kind == 4 && len(body) == 0:
			b.WriteString("sackOK")
		case kind == 5 && len(body)%8 == 0:
			fmt.Fprintf(b, "sack %d ", len(body)/8)
			for i := 0; i+8 <= len(body); i += 8 {
				fmt.Fprintf(b, "{%d:%d}", binary.BigEndian.Uint32(body[i:]), binary.BigEndian.Uint32(body[i+4:]))
			}
		case kind == 8 && len(body) == 8:
			fmt.Fprintf(b, "TS val %d ecr %d", binary.BigEndian.Uint32(body), binary.BigEndian.Uint32(body[4:]))
		case kind == 19 && len(body) == 16:
			b.WriteString("md5 shared secret not supplied with -M, can't check - ")
			for _, c := range body {
				fmt.Fprintf(b, "%02x", c)
			}
		default:
			fmt.Fprintf(b, "opt-%d:", kind)
			for _, c := range body {
				fmt.Fprintf(b, "%02x", c)
			}
		}
		opt = opt[n:]
	}
}

var icmpUnreach = map[uint8]string{
	0: "net %s unreachable", 1: "host %s unreachable",
	5: "%s unreachable - source route failed",
	6: "net %s unreachable - unknown", 7: "host %s unreachable - unknown",
	9: "net %s unreachable - admin prohibited", 10: "host %s unreachable - admin prohibited",
	11: "net %s unreachable - tos prohibited", 12: "host %s unreachable - tos prohibited",
	13: "host %s unreachable - admin prohibited filter",
}

func (p *Printer) icmp(b *strings.Builder, data []byte, plen int) {
	b.WriteString("ICMP ")
	if len(data) < 4 {
		b.WriteString("[|icmp]")
		return
	}
	typ, code := data[0], data[1]
	inner := func() (netip.Addr, uint8, []byte, bool) {
		if len(data) < 28 {
			return netip.Addr{}, 0, nil, false
		}
		ip := data[8:]
		hl := int(ip[0]&0xf) * 4
		if hl < 20 || len(ip) < hl {
			return netip.Addr{}, 0, nil, false
		}
		return netip.AddrFrom4([4]byte(ip[16:20])), ip[9], ip[hl:], true
	}
	switch typ {
	case 0, 8:
		if len(data) < 8 {
			b.WriteString("[|icmp]")
			return
		}
		what := "echo reply"
		if typ == 8 {
			what = "echo request"
		}
		fmt.Fprintf(b, "%s, id %d, seq %d", what, binary.BigEndian.Uint16(data[4:]), binary.BigEndian.Uint16(data[6:]))
	case 3:
		dst, proto, tp, ok := inner()
		if !ok {
			b.WriteString("[|icmp]")
			return
		}
		switch code {
		case 2:
			fmt.Fprintf(b, "%s protocol %d unreachable", dst, proto)
		case 3:
			if len(tp) < 4 {
				b.WriteString("[|icmp]")
				return
			}
			name := fmt.Sprintf("ip-proto-%d", proto)
			if proto == 6 {
				name = "tcp"
			} else if proto == 17 {
				name = "udp"
			}
			fmt.Fprintf(b, "%s %s port %d unreachable", dst, name, binary.BigEndian.Uint16(tp[2:]))
		case 4:
			fmt.Fprintf(b, "%s unreachable - need to frag (mtu %d)", dst, binary.BigEndian.Uint16(data[6:]))
		default:
			f, ok := icmpUnreach[code]
			if !ok {
				fmt.Fprintf(b, "%s unreachable - #%d", dst, code)
			} else {
				fmt.Fprintf(b, f, dst)
			}
		}
	case 4:
		b.WriteString("source quench")
	case 11:
		switch code {
		case 0:
			b.WriteString("time exceeded in-transit")
		case 1:
			b.WriteString("ip reassembly time exceeded")
		default:
			fmt.Fprintf(b, "time exceeded-#%d", code)
		}
	case 13, 14:
		if len(data) < 8 {
			b.WriteString("[|icmp]")
			return
		}
		what := "time stamp query"
		if typ == 14 {
			what = "time stamp reply"
		}
		fmt.Fprintf(b, "%s id %d seq %d", what, binary.BigEndian.Uint16(data[4:]), binary.BigEndian.Uint16(data[6:]))
	case 10:
		b.WriteString("router solicitation")
	default:
		fmt.Fprintf(b, "type-#%d", typ)
	}
	fmt.Fprintf(b, ", length %d", plen)
}

var icmp6Types = map[uint8]string{
	1: "destination unreachable", 2: "packet too big", 3: "time exceeded in-transit",
	4: "parameter problem", 130: "multicast listener query", 131: "multicast listener report",
	132: "multicast listener done", 133: "router solicitation", 134: "router advertisement",
	137: "redirect",
}

func (p *Printer) icmp6(b *strings.Builder, data []byte, plen int) {
	b.WriteString("ICMP6, ")
	if len(data) < 4 {
		b.WriteString("[|icmp6]")
		return
	}
	typ := data[0]
	switch typ {
	case 128, 129:
		if len(data) < 8 {
			b.WriteString("[|icmp6]")
			return
		}
		what := "echo reply"
		if typ == 128 {
			what = "echo request"
		}
		fmt.Fprintf(b, "%s, id %d, seq %d", what, binary.BigEndian.Uint16(data[4:]), binary.BigEndian.Uint16(data[6:]))
	case 135, 136:
		if len(data) < 24 {
			b.WriteString("[|icmp6]")
			return
		}
		tgt := netip.AddrFrom16([16]byte(data[8:24]))
		if typ == 135 {
			fmt.Fprintf(b, "neighbor solicitation, who has %s", tgt)
		} else {
			fmt.Fprintf(b, "neighbor advertisement, tgt is %s", tgt)
		}
	case 143:
		if len(data) < 8 {
			b.WriteString("[|icmp6]")
			return
		}
		fmt.Fprintf(b, "multicast listener report v2, %d group record(s)", binary.BigEndian.Uint16(data[6:]))
	default:
		name, ok := icmp6Types[typ]
		if !ok {
			fmt.Fprintf(b, "unknown icmp6 type (%d)", typ)
		} else {
			b.WriteString(name)
		}
	}
	fmt.Fprintf(b, ", length %d", plen)
}

// clip returns data[lo:hi] limited to the bytes data has.
func clip(data []byte, lo, hi int) []byte {
	hi = min(hi, len(data))
	lo = min(lo, hi)
	if lo < 0 {
		return nil
	}
	return data[lo:hi]
}
