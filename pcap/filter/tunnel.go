package filter

import "github.com/gbpf/gbpf/pcap"

const (
	genevePort   = 6081
	vxlanPort    = 4789
	ethertypeTEB = 0x6558
	tunnelGeneve = "geneve"
	tunnelVXLAN  = "vxlan"
)

// tunnelCheck matches the UDP port and header of a Geneve or VXLAN packet
// carried over IPv4 (v6 false) or IPv6.
func (c *compiler) tunnelCheck(kind string, v6 bool, vni uint32, has bool) *block {
	port := uint32(genevePort)
	if kind == tunnelVXLAN {
		port = vxlanPort
	}
	rel := orTranIPv4
	var b0 *block
	if v6 {
		rel = orTranIPv6
		b0 = c.port6(port, ipprotoUDP, qDst, qPort)
	} else {
		b0 = c.port(port, ipprotoUDP, qDst, qPort)
	}
	var b1 *block
	if kind == tunnelGeneve {
		b1 = c.mcmp(rel, 8, bB, 0, 0xc0)
	} else {
		b1 = c.cmp(rel, 8, bB, 0x08)
	}
	b0 = genAnd(b0, b1)
	if has {
		name := "Geneve VNI"
		if kind == tunnelVXLAN {
			name = "VXLAN VNI"
		}
		c.assertMaxval(name, vni, 0xffffff)
		b0 = genAnd(b0, c.mcmp(rel, 12, bW, vni<<8, 0xffffff00))
	}
	// Leave the transport header offset in A for the offsets code.
	var s *slist
	if v6 {
		s = c.absOffsetVarpart(&c.offLinkPL)
		if s != nil {
			sappend(s, newStmt(bLD|bIMM, ip6HdrLen))
			sappend(s, newStmt(bALU|bADD|bX, 0))
		} else {
			s = newStmt(bLD|bIMM, ip6HdrLen)
		}
		sappend(s, newStmt(bMISC|bTAX, 0))
	} else {
		s = c.loadxIPHdrLen()
		sappend(s, newStmt(bMISC|bTXA, 0))
	}
	return genAnd(b0, jmpX(bJEQ, s))
}

func (c *compiler) geneveOffsets() *slist {
	s := newStmt(bALU|bADD|bK, c.offLinkPL.constant+c.offNL+8)
	sappend(s, newStmt(bMISC|bTAX, 0))
	sappend(s, newStmt(bALU|bADD|bK, 2))
	c.offLinkType = absOffset{reg: c.allocReg(), variable: true}
	sappend(s, newStmt(bST, uint32(c.offLinkType.reg)))
	sappend(s, newStmt(bLD|bIND|bB, 0))
	sappend(s, newStmt(bALU|bAND|bK, 0x3f))
	sappend(s, newStmt(bALU|bMUL|bK, 4))
	sappend(s, newStmt(bALU|bADD|bK, 8))
	sappend(s, newStmt(bALU|bADD|bX, 0))
	c.pushLinkHdr(pcap.LinkTypeEN10MB, true, 0, c.allocReg())
	sappend(s, newStmt(bST, uint32(c.offLinkHdr.reg)))
	c.noOptimize = true
	sappend(s, newStmt(bLD|bIND|bH, 2))
	sappend(s, newStmt(bLDX|bMEM, uint32(c.offLinkHdr.reg)))
	proto := newStmt(bJMP|bJEQ|bK, ethertypeTEB)
	sappend(s, proto)
	s1 := newStmt(bMISC|bTXA, 0)
	sappend(s, s1)
	proto.s.jt = s1
	sappend(s, newStmt(bALU|bADD|bK, 12))
	sappend(s, newStmt(bST, uint32(c.offLinkType.reg)))
	sappend(s, newStmt(bALU|bADD|bK, 2))
	sappend(s, newStmt(bMISC|bTAX, 0))
	c.offLinkPL = absOffset{reg: c.allocReg(), variable: true}
	s1 = newStmt(bSTX, uint32(c.offLinkPL.reg))
	sappend(s, s1)
	proto.s.jf = s1
	c.offNL = 0
	return s
}

func (c *compiler) vxlanOffsets() *slist {
	s := newStmt(bALU|bADD|bK, c.offLinkPL.constant+c.offNL+8)
	sappend(s, newStmt(bALU|bADD|bK, 8))
	c.pushLinkHdr(pcap.LinkTypeEN10MB, true, 0, c.allocReg())
	sappend(s, newStmt(bST, uint32(c.offLinkHdr.reg)))
	sappend(s, newStmt(bALU|bADD|bK, 12))
	c.offLinkType = absOffset{reg: c.allocReg(), variable: true}
	sappend(s, newStmt(bST, uint32(c.offLinkType.reg)))
	sappend(s, newStmt(bALU|bADD|bK, 2))
	sappend(s, newStmt(bMISC|bTAX, 0))
	c.offLinkPL = absOffset{reg: c.allocReg(), variable: true}
	sappend(s, newStmt(bSTX, uint32(c.offLinkPL.reg)))
	c.offNL = 0
	return s
}

// tunnel generates "geneve [vni]" and "vxlan [vni]": after them, the
// primitives look at the encapsulated Ethernet frame.
func (c *compiler) tunnel(kind string, vni uint32, has bool) *block {
	b0 := c.tunnelCheck(kind, false, vni, has)
	b1 := c.tunnelCheck(kind, true, vni, has)
	var s *slist
	if kind == tunnelGeneve {
		s = c.geneveOffsets()
	} else {
		s = c.vxlanOffsets()
	}
	offsets := sprependToBlock(s, c.genTrue())
	c.isEncap = true
	return genAnd(genOr(b0, b1), offsets)
}
