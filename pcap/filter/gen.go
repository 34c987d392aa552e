package filter

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/gbpf/gbpf/pcap"
)

const (
	ipv4Proto = 9
	ipv4Src   = 12
	ipv4Dst   = 16
	ipv6Proto = 6
	ipv6Src   = 8
	ipv6Dst   = 24
	arpSrc    = 14
	arpDst    = 24
)

func (c *compiler) assertNonWlanDir(dir int) {
	switch dir {
	case qSrc, qDst, qAnd, qDefault, qOr:
		return
	}
	c.errorf("'%s' is valid for 802.11 syntax only", dqkw(dir))
}

func (c *compiler) hostop(addr, mask uint32, dir int, srcOff, dstOff uint32) *block {
	var off uint32
	switch dir {
	case qSrc:
		off = srcOff
	case qDst:
		off = dstOff
	case qAnd:
		b0 := c.hostop(addr, mask, qSrc, srcOff, dstOff)
		b1 := c.hostop(addr, mask, qDst, srcOff, dstOff)
		return genAnd(b0, b1)
	default:
		b0 := c.hostop(addr, mask, qSrc, srcOff, dstOff)
		b1 := c.hostop(addr, mask, qDst, srcOff, dstOff)
		return genOr(b0, b1)
	}
	return c.mcmp(orLinkPL, off, bW, addr, mask)
}

func (c *compiler) hostop6(addr, mask [16]byte, dir int) *block {
	var off uint32
	switch dir {
	case qSrc:
		off = ipv6Src
	case qDst:
		off = ipv6Dst
	case qAnd:
		return genAnd(c.hostop6(addr, mask, qSrc), c.hostop6(addr, mask, qDst))
	default:
		return genOr(c.hostop6(addr, mask, qSrc), c.hostop6(addr, mask, qDst))
	}
	b1 := c.genTrue()
	for i := 3; i >= 0; i-- {
		a := be32(addr[4*i:])
		m := be32(mask[4*i:])
		b0 := c.mcmp(orLinkPL, off+uint32(4*i), bW, a, m)
		b1 = genAnd(b0, b1)
	}
	return b1
}

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func (c *compiler) host(addrs, masks []uint32, proto, dir int, not bool, context string) *block {
	c.assertNonWlanDir(dir)
	var llproto, srcOff, dstOff uint32
	switch proto {
	case qDefault:
		b0 := c.host(addrs, masks, qIP, dir, not, context)
		if c.labelStackDepth == 0 {
			b1 := c.host(addrs, masks, qARP, dir, not, context)
			b1 = genOr(b0, b1)
			b0 = c.host(addrs, masks, qRARP, dir, not, context)
			b0 = genOr(b1, b0)
		}
		return b0
	case qIP:
		llproto, srcOff, dstOff = ethertypeIP, ipv4Src, ipv4Dst
	case qRARP:
		llproto, srcOff, dstOff = ethertypeRevARP, arpSrc, arpDst
	case qARP:
		llproto, srcOff, dstOff = ethertypeARP, arpSrc, arpDst
	default:
		c.errorf("'%s' is not a valid qualifier for '%s'", pqkw(proto), context)
	}
	b0 := c.linktypeCheck(llproto)
	if b0.meaning == isFalse {
		return b0
	}
	b1 := c.genFalse()
	for i := range addrs {
		b1 = genOr(b1, c.hostop(addrs[i], masks[i], dir, srcOff, dstOff))
	}
	if not {
		genNot(b1)
	}
	return genAnd(b0, b1)
}

func (c *compiler) host6(addrs, masks [][16]byte, proto, dir int, not bool, context string) *block {
	c.assertNonWlanDir(dir)
	if proto != qDefault && proto != qIPv6 {
		c.errorf("'%s' is not a valid qualifier for '%s'", pqkw(proto), context)
	}
	link := c.linktypeCheck(ethertypeIPv6)
	h := c.genFalse()
	for i := range addrs {
		h = genOr(h, c.hostop6(addrs[i], masks[i], dir))
	}
	if not {
		genNot(h)
	}
	return genAnd(link, h)
}

func (c *compiler) host46ByName(name string, proto4, proto6, dir int, not bool) *block {
	const context = "host <Internet hostname>"
	addrs, ok := c.names.hosts[strings.ToLower(name)]
	if !ok || len(addrs) == 0 {
		c.errorf("unknown host '%s'", name)
	}
	var ret *block
	if proto4 != qIPv6 {
		var a4, m4 []uint32
		for _, a := range addrs {
			if a.Is4() {
				b := a.As4()
				a4 = append(a4, be32(b[:]))
				m4 = append(m4, 0xffffffff)
			}
		}
		sort.Slice(a4, func(i, j int) bool { return a4[i] < a4[j] })
		if len(a4) > 0 {
			ret = c.host(a4, m4, proto4, dir, not, context)
		}
	}
	if proto6 != qARP && proto6 != qIP && proto6 != qRARP {
		var a6, m6 [][16]byte
		for _, a := range addrs {
			if a.Is6() {
				a6 = append(a6, a.As16())
				m6 = append(m6, mask128)
			}
		}
		sort.Slice(a6, func(i, j int) bool { return string(a6[i][:]) < string(a6[j][:]) })
		if len(a6) > 0 {
			h := c.host6(a6, m6, proto6, dir, not, context)
			if ret != nil {
				ret = genOr(ret, h)
			} else {
				ret = h
			}
		}
	}
	if ret == nil {
		if proto4 == qDefault {
			c.errorf("unknown host '%s'", name)
		}
		c.errorf("unknown host '%s' for specified address family", name)
	}
	return ret
}

var mask128 = [16]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

func isMAC48Linktype(lt pcap.LinkType) bool {
	switch lt {
	case pcap.LinkTypeEN10MB, pcap.LinkTypeFDDI, pcap.LinkTypeIEEE802, pcap.LinkTypeIEEE802_11,
		pcap.LinkTypeIEEE802_11_RADIO, pcap.LinkTypeIEEE802_11_RADIO_AVS, pcap.LinkTypeIP_OVER_FC,
		pcap.LinkTypeNETANALYZER, pcap.LinkTypeNETANALYZER_TRANSPARENT, pcap.LinkTypeDSA_TAG_BRCM,
		pcap.LinkTypeDSA_TAG_DSA, pcap.LinkTypePPI, pcap.LinkTypePRISM_HEADER:
		return true
	}
	return false
}

func (c *compiler) mac48host(eaddr []byte, dir int, keyword string) *block {
	var b1 *block
	var srcOff, dstOff uint32
	switch c.linktype {
	case pcap.LinkTypeEN10MB, pcap.LinkTypeNETANALYZER, pcap.LinkTypeNETANALYZER_TRANSPARENT,
		pcap.LinkTypeDSA_TAG_BRCM, pcap.LinkTypeDSA_TAG_DSA:
		b1 = c.prevLinkHdrCheck()
		srcOff, dstOff = 6, 0
	case pcap.LinkTypeFDDI:
		srcOff, dstOff = 7, 1
	case pcap.LinkTypeIEEE802:
		srcOff, dstOff = 8, 2
	case pcap.LinkTypeIEEE802_11, pcap.LinkTypePRISM_HEADER, pcap.LinkTypeIEEE802_11_RADIO_AVS,
		pcap.LinkTypeIEEE802_11_RADIO, pcap.LinkTypePPI:
		return c.wlanHostop(eaddr, dir)
	case pcap.LinkTypeIP_OVER_FC:
		srcOff, dstOff = 10, 2
	default:
		c.failKwOnDLT(keyword)
	}
	c.assertNonWlanDir(dir)
	var b0 *block
	switch dir {
	case qSrc:
		b0 = c.bcmp(orLinkHdr, srcOff, eaddr)
	case qDst:
		b0 = c.bcmp(orLinkHdr, dstOff, eaddr)
	case qAnd:
		tmp := c.bcmp(orLinkHdr, srcOff, eaddr)
		b0 = genAnd(tmp, c.bcmp(orLinkHdr, dstOff, eaddr))
	default:
		tmp := c.bcmp(orLinkHdr, srcOff, eaddr)
		b0 = genOr(tmp, c.bcmp(orLinkHdr, dstOff, eaddr))
	}
	if b1 != nil {
		return genAnd(b1, b0)
	}
	return b0
}

func (c *compiler) wlanHostop(eaddr []byte, dir int) *block {
	return c.wlanHostopImpl(eaddr, dir)
}

func (c *compiler) ipProto(p uint32) *block  { return c.cmp(orLinkPL, ipv4Proto, bB, p) }
func (c *compiler) ip6Proto(p uint32) *block { return c.cmp(orLinkPL, ipv6Proto, bB, p) }
func (c *compiler) ipfrag() *block           { return c.unset(0x1fff, c.loadA(orLinkPL, 6, bH)) }

func (c *compiler) portAtom(off uint32, v uint32) *block  { return c.cmp(orTranIPv4, off, bH, v) }
func (c *compiler) portAtom6(off uint32, v uint32) *block { return c.cmp(orTranIPv6, off, bH, v) }

func (c *compiler) portDir(dir, addr int, kwd string, atom func(off uint32) *block) *block {
	switch dir {
	case qSrc:
		return atom(0)
	case qDst:
		return atom(2)
	case qAnd:
		tmp := atom(0)
		return genAnd(tmp, atom(2))
	case qDefault, qOr:
		tmp := atom(0)
		return genOr(tmp, atom(2))
	}
	c.errorf("'%s' is not a valid qualifier for '%s'", dqkw(dir), kwd)
	return nil
}

func (c *compiler) portCommon(proto int, b1 *block) *block {
	var tmp *block
	switch proto {
	case ipprotoUDP, ipprotoTCP, ipprotoSCTP:
		tmp = c.ipProto(uint32(proto))
	default:
		tmp = c.ipProto(ipprotoSCTP)
		tmp = genOr(c.ipProto(ipprotoUDP), tmp)
		tmp = genOr(c.ipProto(ipprotoTCP), tmp)
	}
	b0 := c.ipfrag()
	b0 = genAnd(tmp, b0)
	b1 = genAnd(b0, b1)
	return genAnd(c.linktypeCheck(ethertypeIP), b1)
}

func (c *compiler) port6Common(proto int, b1 *block) *block {
	var tmp *block
	switch proto {
	case ipprotoUDP, ipprotoTCP, ipprotoSCTP:
		tmp = c.ip6Proto(uint32(proto))
	default:
		tmp = c.ip6Proto(ipprotoSCTP)
		tmp = genOr(c.ip6Proto(ipprotoUDP), tmp)
		tmp = genOr(c.ip6Proto(ipprotoTCP), tmp)
	}
	b1 = genAnd(tmp, b1)
	return genAnd(c.linktypeCheck(ethertypeIPv6), b1)
}

func (c *compiler) port(port uint32, proto, dir, addr int) *block {
	b := c.portDir(dir, addr, tqkw(addr), func(off uint32) *block { return c.portAtom(off, port) })
	return c.portCommon(proto, b)
}

func (c *compiler) port6(port uint32, proto, dir, addr int) *block {
	b := c.portDir(dir, addr, tqkw(addr), func(off uint32) *block { return c.portAtom6(off, port) })
	return c.port6Common(proto, b)
}

func (c *compiler) portrange(p1, p2 uint32, proto, dir int, v6 bool) *block {
	lo, hi := min(p1, p2), max(p1, p2)
	atom := func(off uint32) *block {
		rel := orTranIPv4
		if v6 {
			rel = orTranIPv6
		}
		if p1 == p2 {
			return c.cmp(rel, off, bH, p1)
		}
		b1 := c.cmpGE(rel, off, bH, lo)
		b2 := c.cmpLE(rel, off, bH, hi)
		return genAnd(b1, b2)
	}
	b := c.portDir(dir, qPortrange, "portrange", atom)
	if v6 {
		return c.port6Common(proto, b)
	}
	return c.portCommon(proto, b)
}

func (c *compiler) portPQToIPProto(proto int, kwd string) int {
	switch proto {
	case qUDP:
		return ipprotoUDP
	case qTCP:
		return ipprotoTCP
	case qSCTP:
		return ipprotoSCTP
	case qDefault:
		return protoUndef
	}
	c.errorf("'%s' is not a valid qualifier for '%s'", pqkw(proto), kwd)
	return 0
}

func (c *compiler) pqToIPProto(pq int) uint32 {
	m := map[int]uint32{qAH: ipprotoAH, qCARP: ipprotoCARP, qESP: ipprotoESP, qICMP: ipprotoICMP,
		qICMPv6: ipprotoICMPv6, qIGMP: ipprotoIGMP, qIGRP: ipprotoIGRP, qPIM: ipprotoPIM,
		qSCTP: ipprotoSCTP, qTCP: ipprotoTCP, qUDP: ipprotoUDP, qVRRP: ipprotoVRRP}
	if v, ok := m[pq]; ok {
		return v
	}
	c.errorf("Proto qualifier '%s' has no IP protocol", pqkw(pq))
	return 0
}

func (c *compiler) pqToEthertype(pq int) uint32 {
	m := map[int]uint32{qAARP: ethertypeAARP, qARP: ethertypeARP, qATalk: ethertypeATalk,
		qDECnet: ethertypeDN, qIP: ethertypeIP, qIPv6: ethertypeIPv6, qLAT: ethertypeLAT,
		qMOPDL: ethertypeMOPDL, qMOPRC: ethertypeMOPRC, qRARP: ethertypeRevARP, qSCA: ethertypeSCA}
	if v, ok := m[pq]; ok {
		return v
	}
	c.errorf("Proto qualifier '%s' has no EtherType", pqkw(pq))
	return 0
}

func (c *compiler) protoAbbrev(proto int) *block {
	switch proto {
	case qSCTP, qTCP, qUDP, qAH, qESP, qPIM:
		return c.proto(c.pqToIPProto(proto), qDefault)
	case qICMP, qIGMP, qIGRP, qVRRP, qCARP:
		return c.proto(c.pqToIPProto(proto), qIP)
	case qICMPv6:
		return c.proto(c.pqToIPProto(proto), qIPv6)
	case qIP, qARP, qRARP, qATalk, qAARP, qDECnet, qSCA, qLAT, qMOPDL, qMOPRC, qIPv6:
		return c.linktypeCheck(c.pqToEthertype(proto))
	case qISO:
		return c.linktypeCheck(llcsapISONS)
	case qSTP:
		return c.linktypeCheck(llcsap8021D)
	case qIPX:
		return c.linktypeCheck(llcsapIPX)
	case qNetBEUI:
		return c.linktypeCheck(llcsapNetBEUI)
	case qESIS:
		return c.proto(iso9542ESIS, qISO)
	case qISIS:
		return c.proto(iso10589ISIS, qISO)
	case qCLNP:
		return c.proto(iso8473CLNP, qISO)
	case qISISL1:
		return c.isisOr(0x0f, 0x11, 0x12, 0x18, 0x1a)
	case qISISL2:
		return c.isisOr(0x10, 0x11, 0x14, 0x19, 0x1b)
	case qISISIIH:
		return c.isisOr(0x0f, 0x10, 0x11)
	case qISISLSP:
		return c.isisOr2(0x12, 0x14)
	case qISISSNP:
		return c.isisOr(0x18, 0x19, 0x1a, 0x1b)
	case qISISCSNP:
		return c.isisOr2(0x18, 0x19)
	case qISISPSNP:
		return c.isisOr2(0x1a, 0x1b)
	}
	c.errorf("'%s' cannot be used as an abbreviation", pqkw(proto))
	return nil
}

// isisOr builds ((t0 or t1) or t2) or ... with the later PDU on the left,
// as libpcap chains them.
func (c *compiler) isisOr(t ...uint32) *block {
	b0 := c.proto(t[0], qISIS)
	b1 := c.proto(t[1], qISIS)
	b1 = genOr(b0, b1)
	for _, v := range t[2:] {
		b0 = c.proto(v, qISIS)
		b1 = genOr(b0, b1)
	}
	return b1
}

func (c *compiler) isisOr2(a, b uint32) *block {
	b0 := c.proto(a, qISIS)
	b1 := c.proto(b, qISIS)
	return genOr(b0, b1)
}

func (c *compiler) proto(v uint32, proto int) *block {
	switch proto {
	case qDefault:
		b0 := c.proto(v, qIP)
		b1 := c.proto(v, qIPv6)
		return genOr(b0, b1)
	case qLink:
		return c.linktypeCheck(v)
	case qIP:
		c.assertMaxval("protocol number", v, 255)
		b0 := c.linktypeCheck(ethertypeIP)
		b1 := c.ipProto(v)
		return genAnd(b0, b1)
	case qIPv6:
		c.assertMaxval("protocol number", v, 255)
		b0 := c.linktypeCheck(ethertypeIPv6)
		b2 := c.ip6Proto(ipprotoFragment)
		b1 := c.cmp(orLinkPL, ip6HdrLen, bB, v)
		b1 = genAnd(b2, b1)
		b2 = c.ip6Proto(v)
		b1 = genOr(b2, b1)
		return genAnd(b0, b1)
	case qISO:
		c.assertMaxval("ISO protocol", v, 255)
		switch c.linktype {
		case pcap.LinkTypeFRELAY:
			return c.cmp(orLinkHdr, 2, bH, 0x0300|v)
		case pcap.LinkTypeC_HDLC:
			b0 := c.linktypeCheck(llcsapISONS<<8 | llcsapISONS)
			b1 := c.cmp(orLinkPLNoSNAP, 1, bB, v)
			return genAnd(b0, b1)
		}
		b0 := c.linktypeCheck(llcsapISONS)
		b1 := c.cmp(orLinkPLNoSNAP, 0, bB, v)
		return genAnd(b0, b1)
	case qISIS:
		c.assertMaxval("IS-IS PDU type", v, 0x1f)
		b0 := c.proto(iso10589ISIS, qISO)
		off := uint32(4)
		if c.linktype == pcap.LinkTypeC_HDLC {
			off = 5
		}
		b1 := c.mcmp(orLinkPLNoSNAP, off, bB, v, 0x1f)
		return genAnd(b0, b1)
	}
	c.errorf("'%s' is not a valid qualifier for '%s'", pqkw(proto), "proto")
	return nil
}

func (c *compiler) lookupProto(name string, q qual) uint32 {
	v := -1
	switch q.proto {
	case qDefault, qIP, qIPv6:
		if p, ok := c.names.protocols[name]; ok {
			v = p
		}
	case qLink:
		if p, ok := etherProtoNames[name]; ok {
			v = p
		} else if p, ok := llcNames[name]; ok {
			v = p
		}
	case qISO:
		switch name {
		case "esis":
			v = iso9542ESIS
		case "isis":
			v = iso10589ISIS
		case "clnp":
			v = iso8473CLNP
		}
	}
	if v >= 0 {
		return uint32(v)
	}
	if q.proto == qDefault {
		c.errorf("unknown '%s' value '%s'", tqkw(q.addr), name)
	}
	c.errorf("unknown '%s %s' value '%s'", pqkw(q.proto), tqkw(q.addr), name)
	return 0
}

var etherProtoNames = map[string]int{
	"ip": 0x0800, "ip6": 0x86dd, "arp": 0x0806, "rarp": 0x8035, "atalk": 0x809b, "aarp": 0x80f3,
	"decnet": 0x6003, "sca": 0x6007, "lat": 0x6004, "mopdl": 0x6001, "moprc": 0x6002,
	"lldp": 0x88cc, "loopback": 0x9000, "slow": 0x8809, "vlan": 0x8100, "mpls": 0x8847,
	"pppoed": 0x8863, "pppoes": 0x8864,
}

var llcNames = map[string]int{"iso": 0xfe, "stp": 0x42, "ipx": 0xe0, "netbeui": 0xf0}

// scode generates code for a name (ID token) under qualifiers q.
func (c *compiler) scode(name string, q qual) *block {
	proto := q.proto
	if proto == qDECnet {
		a := q.addr
		if a == qDefault {
			a = qHost
		}
		c.errorf("'%s' is not a valid qualifier for '%s'", "decnet", tqkw(a))
	}
	switch q.addr {
	case qNet:
		addr, ok := c.names.networks[name]
		if !ok || addr == 0 {
			c.errorf("unknown network '%s'", name)
		}
		mask := uint32(0xffffffff)
		for addr != 0 && addr&0xff000000 == 0 {
			addr <<= 8
			mask <<= 8
		}
		return c.host([]uint32{addr}, []uint32{mask}, q.proto, q.dir, false, "net <IPv4 network name>")
	case qDefault, qHost:
		if proto == qLink {
			return c.mac48hostByName(name, q.dir, "link host NAME")
		}
		return c.host46ByName(name, q.proto, q.proto, q.dir, false)
	case qPort:
		c.portPQToIPProto(proto, "port")
		port, real, ok := c.names.port(name)
		if !ok {
			c.errorf("unknown port '%s'", name)
		}
		real = c.checkPortProto(proto, real, "port '"+name+"'")
		b := c.port(uint32(port), real, q.dir, q.addr)
		b6 := c.port6(uint32(port), real, q.dir, q.addr)
		return genOr(b6, b)
	case qPortrange:
		c.portPQToIPProto(proto, "portrange")
		p1, p2, real := c.stringToPortrange(name)
		real = c.checkPortProto(proto, real, "port in range '"+name+"'")
		c.assertMaxval("port number", p1, 65535)
		c.assertMaxval("port number", p2, 65535)
		b := c.portrange(p1, p2, real, q.dir, false)
		b6 := c.portrange(p1, p2, real, q.dir, true)
		return genOr(b6, b)
	case qGateway:
		return c.gateway(name, q.proto)
	case qProto:
		return c.proto(c.lookupProto(name, q), proto)
	case qProtochain:
		return c.protochain(c.lookupProto(name, q), proto)
	case qUndef:
		c.syntax()
	}
	c.errorf("'%s' is not a valid qualifier for '%s'", tqkw(q.addr), name)
	return nil
}

func (c *compiler) checkPortProto(proto, real int, what string) int {
	names := map[int]string{ipprotoTCP: "tcp", ipprotoUDP: "udp", ipprotoSCTP: "sctp"}
	want := map[int]int{qUDP: ipprotoUDP, qTCP: ipprotoTCP, qSCTP: ipprotoSCTP}
	if w, ok := want[proto]; ok {
		if real != protoUndef && real != w {
			c.errorf("%s is %s", what, names[real])
		}
		return w
	}
	return real
}

func (c *compiler) stringToPort(s string) (uint32, int) {
	if s != "" && s[0] >= '0' && s[0] <= '9' {
		v, ok := parseNum(s)
		if !ok {
			c.errorf("invalid port number '%s'", s)
		}
		return v, protoUndef
	}
	p, proto, ok := c.names.port(s)
	if !ok {
		c.errorf("'%s' is not a valid port", s)
	}
	return uint32(p), proto
}

func (c *compiler) stringToPortrange(s string) (uint32, uint32, int) {
	i := strings.IndexByte(s, '-')
	if i < 0 {
		c.errorf("port range '%s' contains no hyphen", s)
	}
	if strings.IndexByte(s[i+1:], '-') >= 0 {
		c.errorf("port range '%s' contains more than one hyphen", s)
	}
	if i == 0 {
		c.errorf("port range '%s' has no starting port", s)
	}
	if i == len(s)-1 {
		c.errorf("port range '%s' has no ending port", s)
	}
	p1, r1 := c.stringToPort(s[:i])
	p2, r2 := c.stringToPort(s[i+1:])
	real := r1
	if r1 != r2 {
		real = protoUndef
	}
	return p1, p2, real
}

func parseNum(s string) (uint32, bool) {
	var v uint64
	var err error
	switch {
	case strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X"):
		v, err = strconv.ParseUint(s[2:], 16, 32)
	case len(s) > 1 && s[0] == '0':
		v, err = strconv.ParseUint(s[1:], 8, 32)
	default:
		v, err = strconv.ParseUint(s, 10, 32)
	}
	return uint32(v), err == nil
}

// ncode generates code for a number or IPv4 address (s may be empty).
func (c *compiler) ncode(s string, v uint32, q qual) *block {
	if q.proto == qDECnet {
		return c.dnhost(s, v, q)
	}
	proto := q.proto
	vlen := 32
	idstr := fmt.Sprint(v)
	if s != "" {
		var n int
		v, n = parseIPv4Prefix(s)
		if n < 0 {
			c.errorf("invalid IPv4 address '%s'", s)
		}
		vlen = n
		idstr = s
	}
	switch q.addr {
	case qDefault, qHost, qNet:
		if proto == qLink {
			c.errorf("illegal link-layer address '%s'", idstr)
		}
		mask := uint32(0xffffffff)
		if s == "" && q.addr == qNet {
			for v != 0 && v&0xff000000 == 0 {
				v <<= 8
				mask <<= 8
			}
		} else {
			v = uint32(uint64(v) << (32 - vlen))
			mask = uint32(uint64(mask) << (32 - vlen))
		}
		ctx := "host <IPv4 address>"
		if q.addr == qNet {
			ctx = "net <IPv4 address>"
		}
		return c.host([]uint32{v}, []uint32{mask}, q.proto, q.dir, false, ctx)
	case qPortrange, qPort:
		p := c.portPQToIPProto(proto, tqkw(q.addr))
		c.assertMaxval("port number", v, 65535)
		b := c.port(v, p, q.dir, q.addr)
		b6 := c.port6(v, p, q.dir, q.addr)
		return genOr(b6, b)
	case qProto:
		return c.proto(v, proto)
	case qProtochain:
		return c.protochain(v, proto)
	case qUndef:
		c.syntax()
	}
	c.errorf("'%s' is not a valid qualifier for '%s'", tqkw(q.addr), idstr)
	return nil
}

// mcode generates code for an IPv4 network with a mask or prefix length.
func (c *compiler) mcode(s1, s2 string, masklen uint32, q qual) *block {
	if q.proto == qDECnet {
		a := q.addr
		if a == qDefault {
			a = qHost
		}
		c.errorf("'%s' is not a valid qualifier for '%s'", "decnet", tqkw(a))
	}
	n, nlen := parseIPv4Prefix(s1)
	if nlen < 0 {
		c.errorf("invalid IPv4 address '%s'", s1)
	}
	n = uint32(uint64(n) << (32 - nlen))
	var m uint32
	var idstr string
	if s2 != "" {
		mm, mlen := parseIPv4Prefix(s2)
		if mlen < 0 {
			c.errorf("invalid IPv4 address '%s'", s2)
		}
		m = uint32(uint64(mm) << (32 - mlen))
		idstr = s1 + " mask " + s2
	} else {
		c.assertMaxval("netmask length", masklen, 32)
		m = uint32(uint64(0xffffffff) << (32 - masklen))
		idstr = fmt.Sprintf("%s/%d", s1, masklen)
	}
	if n&^m != 0 {
		c.errorf("non-network bits set in \"%s\"", idstr)
	}
	if q.addr == qNet {
		return c.host([]uint32{n}, []uint32{m}, q.proto, q.dir, false, "net <IPv4 prefix>")
	}
	c.errorf("'%s' is not a valid qualifier for '%s'", tqkw(q.addr), idstr)
	return nil
}

// mcode6 generates code for an IPv6 address or prefix.
func (c *compiler) mcode6(s string, masklen uint32, q qual) *block {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is6() {
		c.errorf("'%s' is not a valid IPv6 address", s)
	}
	if masklen > 128 {
		c.errorf("mask length must be <= 128")
	}
	addr := a.As16()
	var mask [16]byte
	for i := uint32(0); i < masklen/8; i++ {
		mask[i] = 0xff
	}
	if masklen%8 != 0 {
		mask[masklen/8] = byte(0xff << (8 - masklen%8))
	}
	for i := range addr {
		if addr[i]&^mask[i] != 0 {
			c.errorf("non-network bits set in \"%s/%d\"", s, masklen)
		}
	}
	switch q.addr {
	case qDefault, qHost, qNet:
		if q.addr != qNet && masklen != 128 {
			c.errorf("'%s' is not a valid qualifier for '%s'", "host", fmt.Sprintf("%s/%d", s, masklen))
		}
		ctx := "net <IPv6 prefix>"
		if q.addr == qHost {
			ctx = "host <IPv6 address>"
		}
		return c.host6([][16]byte{addr}, [][16]byte{mask}, q.proto, q.dir, false, ctx)
	}
	if masklen == 128 {
		c.errorf("'%s' is not a valid qualifier for '%s'", tqkw(q.addr), s)
	}
	c.errorf("'%s' is not a valid qualifier for '%s'", tqkw(q.addr), fmt.Sprintf("%s/%d", s, masklen))
	return nil
}

// ecode generates code for a MAC-48 address.
func (c *compiler) ecode(s string, q qual) *block {
	const context = "link host XX:XX:XX:XX:XX:XX"
	if !((q.addr == qHost || q.addr == qDefault) && q.proto == qLink) {
		c.errorf("Ethernet address used in non-ether expression")
	}
	if !isMAC48Linktype(c.linktype) {
		c.failKwOnDLT(context)
	}
	e, ok := parseMAC48(s)
	if !ok {
		c.errorf("invalid MAC-48 address '%s'", s)
	}
	return c.mac48host(e, q.dir, context)
}

func parseMAC48(s string) ([]byte, bool) {
	var hex []byte
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch >= '0' && ch <= '9', ch >= 'a' && ch <= 'f', ch >= 'A' && ch <= 'F':
			hex = append(hex, ch)
		case ch == ':' || ch == '-' || ch == '.':
			// Separators split groups; a one-digit group gets a leading zero.
			hex = append(hex, ch)
		default:
			return nil, false
		}
	}
	var groups []string
	if strings.ContainsAny(s, ":-.") {
		groups = strings.FieldsFunc(s, func(r rune) bool { return r == ':' || r == '-' || r == '.' })
	} else {
		groups = []string{s}
	}
	var out []byte
	for _, g := range groups {
		if len(g)%2 == 1 {
			g = "0" + g
		}
		for i := 0; i < len(g); i += 2 {
			v, err := strconv.ParseUint(g[i:i+2], 16, 8)
			if err != nil {
				return nil, false
			}
			out = append(out, byte(v))
		}
	}
	return out, len(out) == 6
}

func (c *compiler) mac8host(mac8 uint32, dir int, context string) *block {
	var srcOff, dstOff uint32
	switch c.linktype {
	case pcap.LinkTypeARCNET, pcap.LinkTypeARCNET_LINUX:
		srcOff, dstOff = 0, 1
	case pcap.LinkTypeBACNET_MS_TP:
		srcOff, dstOff = 4, 3
	default:
		c.failKwOnDLT(context)
	}
	switch dir {
	case qSrc:
		return c.cmp(orLinkHdr, srcOff, bB, mac8)
	case qDst:
		return c.cmp(orLinkHdr, dstOff, bB, mac8)
	case qAnd:
		src := c.cmp(orLinkHdr, srcOff, bB, mac8)
		return genAnd(src, c.cmp(orLinkHdr, dstOff, bB, mac8))
	case qDefault, qOr:
		src := c.cmp(orLinkHdr, srcOff, bB, mac8)
		return genOr(src, c.cmp(orLinkHdr, dstOff, bB, mac8))
	}
	c.errorf("internal error in gen_mac8host(): dir == '%s'", dqkw(dir))
	return nil
}

// acode generates code for a MAC-8 ("$XX") address.
func (c *compiler) acode(s string, q qual) *block {
	c.assertNonWlanDir(q.dir)
	if q.addr != qHost && q.addr != qDefault {
		c.errorf("'%s' is not a valid qualifier for '%s'", tqkw(q.addr), "$XX")
	}
	if q.proto != qLink {
		c.errorf("'link' is the only valid proto qualifier for 'host $XX'")
	}
	v, err := strconv.ParseUint(strings.TrimPrefix(s, "$"), 16, 8)
	if err != nil {
		c.errorf("invalid MAC-8 address '%s'", s)
	}
	return c.mac8host(uint32(v), q.dir, "link host $XX")
}

func (c *compiler) mac48hostByName(name string, dir int, context string) *block {
	if !isMAC48Linktype(c.linktype) {
		c.failKwOnDLT(context)
	}
	e, ok := c.names.ethers[name]
	if !ok {
		c.errorf("unknown Ethernet-like host '%s'", name)
	}
	return c.mac48host(e, dir, context)
}

// gateway generates "gateway NAME": the MAC address of NAME (from
// /etc/ethers) is a link-layer endpoint while its IP address is not an
// IP endpoint.
func (c *compiler) gateway(name string, proto int) *block {
	switch proto {
	case qDefault, qIP, qARP, qRARP:
	default:
		c.errorf("'%s' is not a valid qualifier for '%s'", pqkw(proto), "gateway")
	}
	if c.labelStackDepth > 0 {
		c.errorf("'gateway' cannot be used within MPLS")
	}
	if c.isEncap {
		c.errorf("'gateway' cannot be used within VXLAN or Geneve")
	}
	b0 := c.mac48hostByName(name, qOr, "gateway")
	b1 := c.host46ByName(name, proto, qIP, qOr, true)
	return genAnd(b0, b1)
}
