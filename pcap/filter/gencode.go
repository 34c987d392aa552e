package filter

import (
	"fmt"

	"github.com/gbpf/gbpf/pcap"
)

// Address (type) qualifiers.
const (
	qDefault    = 0
	qHost       = 1
	qNet        = 2
	qPort       = 3
	qGateway    = 4
	qProto      = 5
	qProtochain = 6
	qPortrange  = 7
	qUndef      = 255
)

// Protocol qualifiers.
const (
	qLink     = 1
	qIP       = 2
	qARP      = 3
	qRARP     = 4
	qSCTP     = 5
	qTCP      = 6
	qUDP      = 7
	qICMP     = 8
	qIGMP     = 9
	qIGRP     = 10
	qATalk    = 11
	qDECnet   = 12
	qLAT      = 13
	qSCA      = 14
	qMOPRC    = 15
	qMOPDL    = 16
	qIPv6     = 17
	qICMPv6   = 18
	qAH       = 19
	qESP      = 20
	qPIM      = 21
	qVRRP     = 22
	qAARP     = 23
	qISO      = 24
	qESIS     = 25
	qISIS     = 26
	qCLNP     = 27
	qSTP      = 28
	qIPX      = 29
	qNetBEUI  = 30
	qISISL1   = 31
	qISISL2   = 32
	qISISIIH  = 33
	qISISSNP  = 34
	qISISCSNP = 35
	qISISPSNP = 36
	qISISLSP  = 37
	qRadio    = 38
	qCARP     = 39
)

// Direction qualifiers.
const (
	qSrc   = 1
	qDst   = 2
	qOr    = 3
	qAnd   = 4
	qAddr1 = 5
	qAddr2 = 6
	qAddr3 = 7
	qAddr4 = 8
	qRA    = 9
	qTA    = 10
)

var protoKeywords = map[int]string{
	qLink: "link", qIP: "ip", qARP: "arp", qRARP: "rarp", qSCTP: "sctp", qTCP: "tcp", qUDP: "udp",
	qICMP: "icmp", qIGMP: "igmp", qIGRP: "igrp", qATalk: "atalk", qDECnet: "decnet", qLAT: "lat",
	qSCA: "sca", qMOPRC: "moprc", qMOPDL: "mopdl", qIPv6: "ip6", qICMPv6: "icmp6", qAH: "ah",
	qESP: "esp", qPIM: "pim", qVRRP: "vrrp", qAARP: "aarp", qISO: "iso", qESIS: "esis",
	qISIS: "isis", qCLNP: "clnp", qSTP: "stp", qIPX: "ipx", qNetBEUI: "netbeui", qISISL1: "l1",
	qISISL2: "l2", qISISIIH: "iih", qISISSNP: "snp", qISISCSNP: "csnp", qISISPSNP: "psnp",
	qISISLSP: "lsp", qRadio: "radio", qCARP: "carp",
}

var dirKeywords = map[int]string{
	qSrc: "src", qDst: "dst", qOr: "src or dst", qAnd: "src and dst", qAddr1: "addr1",
	qAddr2: "addr2", qAddr3: "addr3", qAddr4: "addr4", qRA: "ra", qTA: "ta",
}

var typeKeywords = map[int]string{
	qHost: "host", qNet: "net", qPort: "port", qGateway: "gateway", qProto: "proto",
	qProtochain: "protochain", qPortrange: "portrange",
}

func kw(kind string, m map[int]string, id int) string {
	if s, ok := m[id]; ok {
		return s
	}
	return fmt.Sprintf("<invalid %s %d>", kind, id)
}
func pqkw(id int) string { return kw("proto", protoKeywords, id) }
func dqkw(id int) string { return kw("dir", dirKeywords, id) }
func tqkw(id int) string { return kw("type", typeKeywords, id) }

// qual is a set of qualifiers: protocol, direction and address type.
type qual struct {
	addr, proto, dir int
}

var qerr = qual{qUndef, qUndef, qUndef}

// Offsets are relative to one of these.
type offrel int

const (
	orPacket offrel = iota
	orLinkHdr
	orPrevLinkHdr
	orLLC
	orPrevMPLSHdr
	orLinkPL
	orLinkPLNoSNAP
	orLinkType
	orTranIPv4
	orTranIPv6
)

const offsetNotSet = 0xffffffff

// absOffset is an offset that may have a variable part kept in a
// scratch register.
type absOffset struct {
	constant uint32
	variable bool
	reg      int
}

// compileError is a libpcap-worded compile error.
type compileError struct{ msg string }

func (e *compileError) Error() string { return e.msg }

// compiler is the state of one compilation (libpcap's compiler_state_t).
type compiler struct {
	linktype, outermost, prevlinktype pcap.LinkType

	offOutermostLinkHdr absOffset
	offPrevLinkHdr      absOffset
	offLinkHdr          absOffset
	offLinkPL           absOffset
	offLinkType         absOffset
	offNL               uint32
	offNLNoSNAP         uint32

	isEncap         bool
	isVlanVLOffset  bool
	labelStackDepth int
	vlanStackDepth  int

	snaplen    uint32
	netmask    uint32
	offline    bool
	swapped    bool
	noOptimize bool

	regused [16]bool
	curreg  int

	names *nameDB
	root  *block
}

func (c *compiler) errorf(format string, args ...any) {
	panic(&compileError{fmt.Sprintf(format, args...)})
}

func (c *compiler) syntax() { c.errorf("syntax error in filter expression") }

func newCompiler(lt pcap.LinkType, snaplen, netmask uint32, names *nameDB) *compiler {
	c := &compiler{linktype: lt, outermost: lt, prevlinktype: lt, snaplen: snaplen, netmask: netmask, names: names}
	for _, o := range []*absOffset{&c.offOutermostLinkHdr, &c.offPrevLinkHdr, &c.offLinkHdr, &c.offLinkPL, &c.offLinkType} {
		o.reg = -1
	}
	set := func(linktype, linkpl, nl, nosnap uint32) {
		c.offLinkType.constant = linktype
		c.offLinkPL.constant = linkpl
		c.offNL = nl
		c.offNLNoSNAP = nosnap
	}
	switch lt {
	case pcap.LinkTypeARCNET:
		set(2, 6, 0, 0)
	case pcap.LinkTypeARCNET_LINUX:
		set(4, 8, 0, 0)
	case pcap.LinkTypeEN10MB:
		set(12, 14, 0, 3)
	case pcap.LinkTypeSLIP:
		set(offsetNotSet, 16, 0, 0)
	case pcap.LinkTypeSLIP_BSDOS:
		set(offsetNotSet, 24, 0, 0)
	case pcap.LinkTypeNULL, pcap.LinkTypeLOOP:
		set(0, 4, 0, 0)
	case pcap.LinkTypeENC:
		set(0, 12, 0, 0)
	case pcap.LinkTypePPP, pcap.LinkTypePPP_PPPD, pcap.LinkTypeC_HDLC, pcap.LinkTypePPP_SERIAL:
		set(2, 4, 0, 0)
	case pcap.LinkTypePPP_ETHER:
		set(6, 8, 0, 0)
	case pcap.LinkTypePPP_BSDOS:
		set(5, 24, 0, 0)
	case pcap.LinkTypeFDDI:
		set(13, 13, 8, 3)
	case pcap.LinkTypeIEEE802:
		set(14, 14, 8, 3)
	case pcap.LinkTypePRISM_HEADER, pcap.LinkTypeIEEE802_11_RADIO_AVS, pcap.LinkTypeIEEE802_11_RADIO:
		c.offLinkHdr.variable = true
		fallthrough
	case pcap.LinkTypeIEEE802_11:
		set(24, 0, 8, 3)
		c.offLinkPL.variable = true
	case pcap.LinkTypePPI:
		set(24, 0, 8, 3)
		c.offLinkPL.variable = true
		c.offLinkHdr.variable = true
	case pcap.LinkTypeATM_RFC1483, pcap.LinkTypeATM_CLIP:
		set(0, 0, 8, 3)
	case pcap.LinkTypeSUNATM:
		set(4, 4, 8, 3)
	case pcap.LinkTypeRAW, pcap.LinkTypeIPV4, pcap.LinkTypeIPV6:
		set(offsetNotSet, 0, 0, 0)
	case pcap.LinkTypeLINUX_SLL:
		set(14, 16, 0, 0)
	case pcap.LinkTypeLINUX_SLL2:
		set(0, 20, 0, 0)
	case pcap.LinkTypeLTALK:
		set(offsetNotSet, 0, 0, 0)
	case pcap.LinkTypeIP_OVER_FC:
		set(16, 16, 8, 3)
	case pcap.LinkTypeFRELAY:
		set(offsetNotSet, 0, 0, 0)
	case pcap.LinkTypeAPPLE_IP_OVER_IEEE1394:
		set(16, 18, 0, 0)
	case pcap.LinkTypeSYMANTEC_FIREWALL:
		set(6, 44, 0, 0)
	case pcap.LinkTypeIPNET:
		set(1, 24, 0, offsetNotSet)
	case pcap.LinkTypePFLOG:
		set(0, 0, 0, 0)
		c.offLinkPL.variable = true
	case pcap.LinkTypeNETANALYZER:
		c.offLinkHdr.constant = 4
		set(16, 18, 0, 3)
	case pcap.LinkTypeNETANALYZER_TRANSPARENT:
		c.offLinkHdr.constant = 12
		set(24, 26, 0, 3)
	case pcap.LinkTypeDSA_TAG_BRCM, pcap.LinkTypeDSA_TAG_DSA:
		set(16, 18, 0, 3)
	case pcap.LinkTypeJUNIPER_MFR, pcap.LinkTypeJUNIPER_MLFR, pcap.LinkTypeJUNIPER_MLPPP,
		pcap.LinkTypeJUNIPER_PPP, pcap.LinkTypeJUNIPER_CHDLC, pcap.LinkTypeJUNIPER_FRELAY:
		set(4, 4, 0, offsetNotSet)
	default:
		set(offsetNotSet, offsetNotSet, offsetNotSet, offsetNotSet)
	}
	c.offOutermostLinkHdr = c.offLinkHdr
	return c
}

func (c *compiler) allocReg() int {
	for n := 0; n < 16; n++ {
		if c.regused[c.curreg] {
			c.curreg = (c.curreg + 1) % 16
		} else {
			c.regused[c.curreg] = true
			return c.curreg
		}
	}
	c.errorf("too many registers needed to evaluate expression")
	return 0
}

func (c *compiler) freeReg(n int) { c.regused[n] = false }

func (c *compiler) absOffsetVarpart(off *absOffset) *slist {
	if !off.variable {
		return nil
	}
	if off.reg == -1 {
		off.reg = c.allocReg()
	}
	return newStmt(bLDX|bMEM, uint32(off.reg))
}

func (c *compiler) loadAbsOffsetRel(s *slist, offset uint32, size uint16) *slist {
	if s != nil {
		sappend(s, newStmt(bLD|bIND|size, offset))
		return s
	}
	return newStmt(bLD|bABS|size, offset)
}

func (c *compiler) loadA(rel offrel, offset uint32, size uint16) *slist {
	var s *slist
	switch rel {
	case orPacket:
	case orLinkHdr:
		s = c.absOffsetVarpart(&c.offLinkHdr)
		offset += c.offLinkHdr.constant
	case orPrevLinkHdr:
		s = c.absOffsetVarpart(&c.offPrevLinkHdr)
		offset += c.offPrevLinkHdr.constant
	case orLLC:
		s = c.absOffsetVarpart(&c.offLinkPL)
		offset += c.offLinkPL.constant
	case orPrevMPLSHdr:
		s = c.absOffsetVarpart(&c.offLinkPL)
		offset += c.offLinkPL.constant + c.offNL - 4
	case orLinkPL:
		s = c.absOffsetVarpart(&c.offLinkPL)
		offset += c.offLinkPL.constant + c.offNL
	case orLinkPLNoSNAP:
		s = c.absOffsetVarpart(&c.offLinkPL)
		offset += c.offLinkPL.constant + c.offNLNoSNAP
	case orLinkType:
		s = c.absOffsetVarpart(&c.offLinkType)
		offset += c.offLinkType.constant
	case orTranIPv4:
		s = c.loadxIPHdrLen()
		offset += c.offLinkPL.constant + c.offNL
	case orTranIPv6:
		s = c.absOffsetVarpart(&c.offLinkPL)
		offset += c.offLinkPL.constant + c.offNL + ip6HdrLen
	}
	return c.loadAbsOffsetRel(s, offset, size)
}

func (c *compiler) loadxIPHdrLen() *slist {
	s := c.absOffsetVarpart(&c.offLinkPL)
	if s != nil {
		sappend(s, newStmt(bLD|bIND|bB, c.offLinkPL.constant+c.offNL))
		sappend(s, newStmt(bALU|bAND|bK, 0xf))
		sappend(s, newStmt(bALU|bLSH|bK, 2))
		sappend(s, newStmt(bALU|bADD|bX, 0))
		sappend(s, newStmt(bMISC|bTAX, 0))
		return s
	}
	return newStmt(bLDX|bMSH|bB, c.offLinkPL.constant+c.offNL)
}

func jmpK(jtype uint16, v uint32, s *slist) *block {
	b := newBlock(bJMP|jtype|bK, v)
	b.stmts = s
	return b
}

func jmpX(jtype uint16, s *slist) *block {
	b := newBlock(bJMP|jtype|bX, 0)
	b.stmts = s
	return b
}

func (c *compiler) ncmp(rel offrel, offset uint32, size uint16, mask uint32, jtype uint16, reverse bool, v uint32) *block {
	s := c.loadA(rel, offset, size)
	if mask != 0xffffffff {
		sappend(s, newStmt(bALU|bAND|bK, mask))
	}
	b := jmpK(jtype, v, s)
	if reverse {
		genNot(b)
	}
	return b
}

func (c *compiler) cmp(rel offrel, off uint32, size uint16, v uint32) *block {
	return c.ncmp(rel, off, size, 0xffffffff, bJEQ, false, v)
}
func (c *compiler) cmpGT(rel offrel, off uint32, size uint16, v uint32) *block {
	return c.ncmp(rel, off, size, 0xffffffff, bJGT, false, v)
}
func (c *compiler) cmpGE(rel offrel, off uint32, size uint16, v uint32) *block {
	return c.ncmp(rel, off, size, 0xffffffff, bJGE, false, v)
}
func (c *compiler) cmpLT(rel offrel, off uint32, size uint16, v uint32) *block {
	return c.ncmp(rel, off, size, 0xffffffff, bJGE, true, v)
}
func (c *compiler) cmpLE(rel offrel, off uint32, size uint16, v uint32) *block {
	return c.ncmp(rel, off, size, 0xffffffff, bJGT, true, v)
}
func (c *compiler) cmpNE(rel offrel, off uint32, size uint16, v uint32) *block {
	return c.ncmp(rel, off, size, 0xffffffff, bJEQ, true, v)
}
func (c *compiler) mcmp(rel offrel, off uint32, size uint16, v, mask uint32) *block {
	if mask == 0 {
		if v != 0 {
			return c.genFalse()
		}
		return c.genTrue()
	}
	return c.ncmp(rel, off, size, mask, bJEQ, false, v)
}
func (c *compiler) mcmpNE(rel offrel, off uint32, size uint16, v, mask uint32) *block {
	return c.ncmp(rel, off, size, mask, bJEQ, true, v)
}

func (c *compiler) bcmp(rel offrel, offset uint32, v []byte) *block {
	var b *block
	size := uint32(len(v))
	for size >= 4 {
		p := v[size-4:]
		tmp := c.cmp(rel, offset+size-4, bW, uint32(p[0])<<24|uint32(p[1])<<16|uint32(p[2])<<8|uint32(p[3]))
		if b != nil {
			b = genAnd(b, tmp)
		} else {
			b = tmp
		}
		size -= 4
	}
	for size >= 2 {
		p := v[size-2:]
		tmp := c.cmp(rel, offset+size-2, bH, uint32(p[0])<<8|uint32(p[1]))
		if b != nil {
			b = genAnd(b, tmp)
		} else {
			b = tmp
		}
		size -= 2
	}
	if size > 0 {
		tmp := c.cmp(rel, offset, bB, uint32(v[0]))
		if b != nil {
			b = genAnd(b, tmp)
		} else {
			b = tmp
		}
	}
	return b
}

func (c *compiler) set(v uint32, s *slist) *block   { return jmpK(bJSET, v, s) }
func (c *compiler) unset(v uint32, s *slist) *block { return genNot(jmpK(bJSET, v, s)) }

func (c *compiler) uncond(rsense bool) *block {
	k := uint32(1)
	if rsense {
		k = 0
	}
	b := jmpK(bJEQ, 0, newStmt(bLD|bIMM, k))
	if rsense {
		b.meaning = isTrue
	} else {
		b.meaning = isFalse
	}
	return b
}
func (c *compiler) genTrue() *block  { return c.uncond(true) }
func (c *compiler) genFalse() *block { return c.uncond(false) }

func sprependToBlock(s *slist, b *block) *block {
	if s != nil {
		if b.stmts != nil {
			sappend(s, b.stmts)
		}
		b.stmts = s
		b.meaning = isUncertain
	}
	return b
}

func (c *compiler) assertMaxval(name string, val, max uint32) {
	if val > max {
		c.errorf("%s %d greater than maximum %d", name, val, max)
	}
}

func (c *compiler) failKwOnDLT(keyword string) {
	c.errorf("'%s' not supported on %s", keyword, dltString(c.linktype))
}

func dltString(lt pcap.LinkType) string {
	if n := lt.Name(); n != "" {
		return n
	}
	return fmt.Sprintf("DLT %d", uint32(lt))
}

func (c *compiler) ipVersion(rel offrel, ver uint32) *block {
	return c.mcmp(rel, 0, bB, ver<<4, 0xf0)
}

func (c *compiler) prevLinkHdrCheck() *block {
	if c.isEncap {
		return c.encapLLCheck()
	}
	if c.prevlinktype == pcap.LinkTypeSUNATM {
		// LANE-encapsulated Ethernet: not an LE Control frame.
		return c.cmpNE(orPrevLinkHdr, 4, bH, 0xff00)
	}
	return nil
}

// encapLLCheck checks, inside a Geneve or VXLAN tunnel, that there is an
// inner link-layer header (the link header and payload offsets differ).
func (c *compiler) encapLLCheck() *block {
	s := newStmt(bLD|bMEM, uint32(c.offLinkHdr.reg))
	sappend(s, newStmt(bLDX|bMEM, uint32(c.offLinkPL.reg)))
	return genNot(jmpX(bJEQ, s))
}

func (c *compiler) etherLinktype(p uint32) *block {
	switch p {
	case llcsapISONS, llcsapIP, llcsapNetBEUI:
		b0 := c.cmpLE(orLinkType, 0, bH, etherMTU)
		b1 := c.cmp(orLLC, 0, bH, p<<8|p)
		return genAnd(b0, b1)
	case llcsapIPX:
		b0 := c.cmp(orLLC, 0, bB, llcsapIPX)
		b1 := c.cmp(orLLC, 0, bH, 0xffff)
		b1 = genOr(b0, b1)
		b0 = c.snap(0, ethertypeIPX)
		b1 = genOr(b0, b1)
		b0 = c.cmpLE(orLinkType, 0, bH, etherMTU)
		b1 = genAnd(b0, b1)
		b0 = c.cmp(orLinkType, 0, bH, ethertypeIPX)
		return genOr(b0, b1)
	case ethertypeATalk, ethertypeAARP:
		b0 := c.cmpLE(orLinkType, 0, bH, etherMTU)
		var b1 *block
		if p == ethertypeATalk {
			b1 = c.snap(0x080007, ethertypeATalk)
		} else {
			b1 = c.snap(0, ethertypeAARP)
		}
		b1 = genAnd(b0, b1)
		b0 = c.cmp(orLinkType, 0, bH, p)
		return genOr(b0, b1)
	default:
		if p <= etherMTU {
			c.assertMaxval("LLC DSAP", p, 255)
			b0 := c.cmpLE(orLinkType, 0, bH, etherMTU)
			b1 := c.cmp(orLinkType, 2, bB, p)
			return genAnd(b0, b1)
		}
		c.assertMaxval("EtherType", p, 65535)
		return c.cmp(orLinkType, 0, bH, p)
	}
}

func (c *compiler) snap(orgcode, ptype uint32) *block {
	v := []byte{llcsapSNAP, llcsapSNAP, 0x03, byte(orgcode >> 16), byte(orgcode >> 8), byte(orgcode), byte(ptype >> 8), byte(ptype)}
	return c.bcmp(orLLC, 0, v)
}

func (c *compiler) llcLinktype(p uint32) *block {
	switch p {
	case llcsapIP, llcsapISONS, llcsapNetBEUI:
		return c.cmp(orLLC, 0, bH, p<<8|p)
	case llcsapIPX:
		return c.cmp(orLLC, 0, bB, llcsapIPX)
	case ethertypeATalk:
		return c.snap(0x080007, ethertypeATalk)
	default:
		if p <= etherMTU {
			c.assertMaxval("LLC DSAP", p, 255)
			return c.cmp(orLLC, 0, bB, p)
		}
		c.assertMaxval("EtherType", p, 65535)
		return c.cmp(orLLC, 6, bH, p)
	}
}

func (c *compiler) sllLinktype(p uint32) *block {
	const p8022, p8023 = 0x0004, 0x0001
	switch p {
	case llcsapISONS, llcsapIP, llcsapNetBEUI:
		b0 := c.cmp(orLinkType, 0, bH, p8022)
		b1 := c.cmp(orLLC, 0, bH, p<<8|p)
		return genAnd(b0, b1)
	case llcsapIPX:
		b0 := c.cmp(orLLC, 0, bB, llcsapIPX)
		b1 := c.snap(0, ethertypeIPX)
		b1 = genOr(b0, b1)
		b0 = c.cmp(orLinkType, 0, bH, p8022)
		b1 = genAnd(b0, b1)
		b0 = c.cmp(orLinkType, 0, bH, p8023)
		b1 = genOr(b0, b1)
		b0 = c.cmp(orLinkType, 0, bH, ethertypeIPX)
		return genOr(b0, b1)
	case ethertypeATalk, ethertypeAARP:
		b0 := c.cmp(orLinkType, 0, bH, p8022)
		var b1 *block
		if p == ethertypeATalk {
			b1 = c.snap(0x080007, ethertypeATalk)
		} else {
			b1 = c.snap(0, ethertypeAARP)
		}
		b1 = genAnd(b0, b1)
		b0 = c.cmp(orLinkType, 0, bH, p)
		return genOr(b0, b1)
	default:
		if p <= etherMTU {
			c.assertMaxval("LLC DSAP", p, 255)
			b0 := c.cmp(orLinkType, 0, bH, p8022)
			b1 := c.cmp(orLinkHdr, c.offLinkPL.constant, bB, p)
			return genAnd(b0, b1)
		}
		c.assertMaxval("EtherType", p, 65535)
		return c.cmp(orLinkType, 0, bH, p)
	}
}

func (c *compiler) bsdAF(p uint32, swapped bool) *block {
	v := func(af uint32) uint32 {
		if swapped {
			return af>>24 | (af>>8)&0xff00 | (af<<8)&0xff0000 | af<<24
		}
		return af
	}
	switch p {
	case ethertypeIP:
		return c.cmp(orLinkHdr, 0, bW, v(2))
	case ethertypeIPv6:
		b0 := c.cmp(orLinkHdr, 0, bW, v(24))
		b1 := c.cmp(orLinkHdr, 0, bW, v(28))
		b1 = genOr(b0, b1)
		b0 = c.cmp(orLinkHdr, 0, bW, v(30))
		return genOr(b0, b1)
	}
	return c.genFalse()
}

func (c *compiler) loopbackLinktype(p uint32) *block {
	if c.offline {
		if c.linktype == pcap.LinkTypeLOOP {
			return c.bsdAF(p, false)
		}
		b0 := c.bsdAF(p, c.swapped)
		b1 := c.bsdAF(p, !c.swapped)
		return genOr(b0, b1)
	}
	// Live-capture semantics as pcap_open_dead() and tcpdump -d use: the
	// address family in host byte order (Linux: AF_INET 2, AF_INET6 10).
	var af uint32
	switch p {
	case ethertypeIP:
		af = 2
	case ethertypeIPv6:
		af = 10
	default:
		return c.genFalse()
	}
	if c.linktype == pcap.LinkTypeNULL || c.linktype == pcap.LinkTypeENC {
		af = af<<24 | (af<<8)&0xff0000
	}
	return c.cmp(orLinkHdr, 0, bW, af)
}

func (c *compiler) pppType(p uint32) uint32 {
	switch p {
	case ethertypeIP:
		return 0x0021
	case ethertypeIPv6:
		return 0x0057
	case ethertypeDN:
		return 0x0027
	case ethertypeATalk:
		return 0x0029
	case 0x0600:
		return 0x0025
	case llcsapISONS:
		return 0x0023
	case llcsap8021D:
		return 0x0031
	case llcsapIPX:
		return 0x002b
	}
	c.assertMaxval("PPP protocol", p, 65535)
	return p
}

func (c *compiler) linktypeCheck(p uint32) *block {
	if c.labelStackDepth > 0 {
		return c.mplsLinktype(p)
	}
	switch c.linktype {
	case pcap.LinkTypeEN10MB, pcap.LinkTypeNETANALYZER, pcap.LinkTypeNETANALYZER_TRANSPARENT,
		pcap.LinkTypeDSA_TAG_BRCM, pcap.LinkTypeDSA_TAG_DSA:
		var b0 *block
		if !c.isEncap {
			b0 = c.prevLinkHdrCheck()
		}
		b1 := c.etherLinktype(p)
		if b0 != nil {
			return genAnd(b0, b1)
		}
		return b1
	case pcap.LinkTypeC_HDLC:
		c.assertMaxval("HDLC protocol", p, 65535)
		if p == llcsapISONS {
			p = p<<8 | llcsapISONS
		}
		return c.cmp(orLinkType, 0, bH, p)
	case pcap.LinkTypeIEEE802_11, pcap.LinkTypePRISM_HEADER, pcap.LinkTypeIEEE802_11_RADIO_AVS,
		pcap.LinkTypeIEEE802_11_RADIO, pcap.LinkTypePPI:
		b0 := c.mcmp(orLinkHdr, 0, bB, 0x08, 0x0c)
		b1 := c.llcLinktype(p)
		return genAnd(b0, b1)
	case pcap.LinkTypeFDDI, pcap.LinkTypeIEEE802, pcap.LinkTypeATM_RFC1483, pcap.LinkTypeATM_CLIP, pcap.LinkTypeIP_OVER_FC:
		return c.llcLinktype(p)
	case pcap.LinkTypeLINUX_SLL:
		return c.sllLinktype(p)
	case pcap.LinkTypeSUNATM:
		b0 := c.mcmp(orLinkHdr, 0, bB, 0x02, 0x0f)
		b1 := c.llcLinktype(p)
		return genAnd(b0, b1)
	case pcap.LinkTypeSLIP, pcap.LinkTypeSLIP_BSDOS, pcap.LinkTypeRAW:
		switch p {
		case ethertypeIP:
			return c.ipVersion(orLinkHdr, 4)
		case ethertypeIPv6:
			return c.ipVersion(orLinkHdr, 6)
		}
		return c.genFalse()
	case pcap.LinkTypeIPV4:
		if p == ethertypeIP {
			return c.genTrue()
		}
		return c.genFalse()
	case pcap.LinkTypeIPV6:
		if p == ethertypeIPv6 {
			return c.genTrue()
		}
		return c.genFalse()
	case pcap.LinkTypePPP, pcap.LinkTypePPP_PPPD, pcap.LinkTypePPP_SERIAL, pcap.LinkTypePPP_ETHER:
		return c.cmp(orLinkType, 0, bH, c.pppType(p))
	case pcap.LinkTypePPP_BSDOS:
		if p == ethertypeIP {
			b0 := c.cmp(orLinkType, 0, bH, 0x0021)
			b1 := c.cmp(orLinkType, 0, bH, 0x002d)
			b1 = genOr(b0, b1)
			b0 = c.cmp(orLinkType, 0, bH, 0x002f)
			return genOr(b1, b0)
		}
		return c.cmp(orLinkType, 0, bH, c.pppType(p))
	case pcap.LinkTypeNULL, pcap.LinkTypeLOOP, pcap.LinkTypeENC:
		return c.loopbackLinktype(p)
	case pcap.LinkTypePFLOG:
		return c.pflogLinktype(p)
	case pcap.LinkTypeARCNET, pcap.LinkTypeARCNET_LINUX:
		switch p {
		case ethertypeIPv6:
			return c.cmp(orLinkType, 0, bB, 0xc4)
		case ethertypeIP:
			return c.cmp(orLinkType, 0, bB, 0xd4)
		case ethertypeARP:
			return c.cmp(orLinkType, 0, bB, 0xd5)
		case ethertypeRevARP:
			return c.cmp(orLinkType, 0, bB, 0xd6)
		case ethertypeATalk:
			return c.cmp(orLinkType, 0, bB, 0xdd)
		}
		return c.genFalse()
	case pcap.LinkTypeLTALK:
		if p == ethertypeATalk {
			return c.genTrue()
		}
		return c.genFalse()
	case pcap.LinkTypeFRELAY:
		switch p {
		case ethertypeIP:
			return c.cmp(orLinkHdr, 2, bH, 0x0300|iso9577IPv4)
		case ethertypeIPv6:
			return c.cmp(orLinkHdr, 2, bH, 0x0300|iso9577IPv6)
		case llcsapISONS:
			b0 := c.cmp(orLinkHdr, 2, bH, 0x0300|iso8473CLNP)
			b1 := c.cmp(orLinkHdr, 2, bH, 0x0300|iso9542ESIS)
			b2 := c.cmp(orLinkHdr, 2, bH, 0x0300|iso10589ISIS)
			b2 = genOr(b1, b2)
			return genOr(b0, b2)
		}
		return c.genFalse()
	case pcap.LinkTypeIPNET:
		switch p {
		case ethertypeIP:
			return c.cmp(orLinkType, 0, bB, 2)
		case ethertypeIPv6:
			return c.cmp(orLinkType, 0, bB, 26)
		}
		return c.genFalse()
	default:
		if isJuniper(c.linktype) {
			return c.mcmp(orLinkHdr, 0, bW, 0x4d474300, 0xffffff00)
		}
		if c.offLinkType.constant != offsetNotSet {
			c.assertMaxval("EtherType", p, 65535)
			return c.cmp(orLinkType, 0, bH, p)
		}
	}
	// libpcap's own error for link types without a type field.
	c.errorf("link-layer type filtering not implemented for %s", dltString(c.linktype))
	return nil
}

func (c *compiler) mplsLinktype(p uint32) *block {
	switch p {
	case ethertypeIP, ethertypeIPv6:
		b0 := c.set(0x01, c.loadA(orPrevMPLSHdr, 2, bB))
		ver := uint32(4)
		if p == ethertypeIPv6 {
			ver = 6
		}
		return genAnd(b0, c.ipVersion(orLinkPL, ver))
	}
	c.errorf("unsupported protocol over mpls")
	return nil
}

// insertComputeVLOffsets prepends to the root block the code that computes
// variable-length link-layer header offsets.
func (c *compiler) insertComputeVLOffsets(b *block) {
	if c.offLinkPL.reg != -1 && c.offLinkHdr.variable && c.offLinkHdr.reg == -1 {
		c.offLinkHdr.reg = c.allocReg()
	}
	var s *slist
	switch c.outermost {
	case pcap.LinkTypeIEEE802_11_RADIO, pcap.LinkTypePPI:
		s = c.loadRadiotapPrefixLen()
	case pcap.LinkTypePRISM_HEADER:
		s = c.loadPrismPrefixLen()
	case pcap.LinkTypeIEEE802_11_RADIO_AVS:
		if c.offLinkHdr.reg != -1 {
			s = newStmt(bLD|bW|bABS, 4)
			sappend(s, newStmt(bST, uint32(c.offLinkHdr.reg)))
			sappend(s, newStmt(bMISC|bTAX, 0))
		}
	}
	switch c.outermost {
	case pcap.LinkTypeIEEE802_11, pcap.LinkTypePRISM_HEADER, pcap.LinkTypeIEEE802_11_RADIO_AVS,
		pcap.LinkTypeIEEE802_11_RADIO, pcap.LinkTypePPI:
		s = c.load80211HeaderLen(s, b.stmts)
	case pcap.LinkTypePFLOG:
		s = c.loadPflogPrefixLen()
	}
	if s == nil && c.isVlanVLOffset {
		if c.offLinkPL.reg == -1 {
			c.offLinkPL.reg = c.allocReg()
		}
		if c.offLinkType.reg == -1 {
			c.offLinkType.reg = c.allocReg()
		}
		s = newStmt(bLD|bW|bIMM, 0)
		sappend(s, newStmt(bST, uint32(c.offLinkPL.reg)))
		sappend(s, newStmt(bST, uint32(c.offLinkType.reg)))
	}
	sprependToBlock(s, b)
}

func (c *compiler) loadRadiotapPrefixLen() *slist {
	if c.offLinkHdr.reg == -1 {
		return nil
	}
	s := newStmt(bLD|bB|bABS, 3)
	sappend(s, newStmt(bALU|bLSH|bK, 8))
	sappend(s, newStmt(bMISC|bTAX, 0))
	sappend(s, newStmt(bLD|bB|bABS, 2))
	sappend(s, newStmt(bALU|bOR|bX, 0))
	sappend(s, newStmt(bST, uint32(c.offLinkHdr.reg)))
	sappend(s, newStmt(bMISC|bTAX, 0))
	return s
}

// loadPrismPrefixLen loads the length of a Prism (or AVS) header.
func (c *compiler) loadPrismPrefixLen() *slist {
	c.noOptimize = true
	if c.offLinkHdr.reg == -1 {
		return nil
	}
	s := newStmt(bLD|bW|bABS, 0)
	sappend(s, newStmt(bALU|bAND|bK, 0xfffff000))
	cookie := newStmt(bJMP|bJEQ|bK, 0x80211000)
	sappend(s, cookie)
	s2 := newStmt(bLD|bW|bABS, 4)
	sappend(s, s2)
	cookie.s.jt = s2
	common := newStmt(bJMP|bJA|bK, 1)
	sappend(s, common)
	s2 = newStmt(bLD|bW|bIMM, 144)
	sappend(s, s2)
	cookie.s.jf = s2
	s2 = newStmt(bST, uint32(c.offLinkHdr.reg))
	sappend(s, s2)
	common.s.jf = s2
	sappend(s, newStmt(bMISC|bTAX, 0))
	return s
}

func swap32(v uint32) uint32 {
	return v>>24 | (v>>8)&0xff00 | (v<<8)&0xff0000 | v<<24
}

func (c *compiler) load80211HeaderLen(s, snext *slist) *slist {
	if c.offLinkPL.reg == -1 {
		return s
	}
	c.noOptimize = true
	if s == nil {
		s = newStmt(bLDX|bIMM, c.offOutermostLinkHdr.constant)
	}
	reg := uint32(c.offLinkPL.reg)
	sappend(s, newStmt(bMISC|bTXA, 0))
	sappend(s, newStmt(bALU|bADD|bK, 24))
	sappend(s, newStmt(bST, reg))
	sappend(s, newStmt(bLD|bIND|bB, 0))
	data1 := newStmt(bJMP|bJSET|bK, 0x08)
	sappend(s, data1)
	data2 := newStmt(bJMP|bJSET|bK, 0x04)
	data1.s.jt = data2
	sappend(s, data2)
	data1.s.jf = snext
	data2.s.jt = snext
	qos := newStmt(bJMP|bJSET|bK, 0x80)
	data2.s.jf = qos
	sappend(s, qos)
	s2 := newStmt(bLD|bMEM, reg)
	qos.s.jt = s2
	sappend(s, s2)
	sappend(s, newStmt(bALU|bADD|bK, 2))
	sappend(s, newStmt(bST, reg))
	if c.linktype == pcap.LinkTypeIEEE802_11_RADIO {
		s2 = newStmt(bLD|bABS|bW, 4)
		qos.s.jf = s2
		sappend(s, s2)
		flags := newStmt(bJMP|bJSET|bK, swap32(0x00000002))
		sappend(s, flags)
		flags.s.jf = snext
		ext := newStmt(bJMP|bJSET|bK, swap32(0x80000000))
		sappend(s, ext)
		flags.s.jt = ext
		ext.s.jt = snext
		tsft := newStmt(bJMP|bJSET|bK, swap32(0x00000001))
		sappend(s, tsft)
		ext.s.jf = tsft
		s2 = newStmt(bLD|bABS|bB, 16)
		sappend(s, s2)
		tsft.s.jt = s2
		tpad := newStmt(bJMP|bJSET|bK, 0x20)
		sappend(s, tpad)
		s2 = newStmt(bLD|bABS|bB, 8)
		sappend(s, s2)
		tsft.s.jf = s2
		npad := newStmt(bJMP|bJSET|bK, 0x20)
		sappend(s, npad)
		round := newStmt(bLD|bMEM, reg)
		sappend(s, round)
		sappend(s, newStmt(bALU|bADD|bK, 3))
		sappend(s, newStmt(bALU|bAND|bK, ^uint32(3)))
		sappend(s, newStmt(bST, reg))
		tpad.s.jt = round
		tpad.s.jf = snext
		npad.s.jt = round
		npad.s.jf = snext
	} else {
		qos.s.jf = snext
	}
	return s
}

// finish closes the program: both outcomes become returns.
func (c *compiler) finish(p *block) {
	c.insertComputeVLOffsets(p.head)
	if c.linktype == pcap.LinkTypePPI {
		p = genAnd(c.cmp(orPacket, 4, bW, swap32(uint32(pcap.LinkTypeIEEE802_11))), p)
	}
	backpatch(p, newBlock(bRET|bK, c.snaplen))
	p.sense = !p.sense
	backpatch(p, newBlock(bRET|bK, 0))
	c.root = p.head
}
