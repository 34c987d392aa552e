package filter

import (
	"strings"

	"github.com/gbpf/gbpf/pcap"
)

// IEEE 802.11 frame control bits.
const (
	fc0TypeMask    = 0x0c
	fc0TypeMgt     = 0x00
	fc0TypeCtl     = 0x04
	fc0TypeData    = 0x08
	fc0SubtypeMask = 0xf0
	fc0SubtypeCTS  = 0xc0
	fc0SubtypeACK  = 0xd0
	fc1DirMask     = 0x03
	fc1DirToDS     = 0x01
	fc1DirFromDS   = 0x02
	fc1DirDSToDS   = 0x03
)

type nameVal struct {
	name string
	v    uint32
}

var wlanTypes = []nameVal{{"data", fc0TypeData}, {"mgt", fc0TypeMgt}, {"management", fc0TypeMgt},
	{"ctl", fc0TypeCtl}, {"control", fc0TypeCtl}}

var wlanSubtypes = []struct {
	typ  uint32
	toks []nameVal
}{
	{fc0TypeMgt, []nameVal{{"assocreq", 0x00}, {"assoc-req", 0x00}, {"assocresp", 0x10}, {"assoc-resp", 0x10},
		{"reassocreq", 0x20}, {"reassoc-req", 0x20}, {"reassocresp", 0x30}, {"reassoc-resp", 0x30},
		{"probereq", 0x40}, {"probe-req", 0x40}, {"proberesp", 0x50}, {"probe-resp", 0x50},
		{"beacon", 0x80}, {"atim", 0x90}, {"disassoc", 0xa0}, {"disassociation", 0xa0},
		{"auth", 0xb0}, {"authentication", 0xb0}, {"deauth", 0xc0}, {"deauthentication", 0xc0}}},
	{fc0TypeCtl, []nameVal{{"bar", 0x80}, {"ba", 0x90}, {"ps-poll", 0xa0}, {"rts", 0xb0}, {"cts", 0xc0},
		{"ack", 0xd0}, {"cf-end", 0xe0}, {"cf-end-ack", 0xf0}}},
	{fc0TypeData, []nameVal{{"data", 0x00}, {"data-cf-ack", 0x10}, {"data-cf-poll", 0x20},
		{"data-cf-ack-poll", 0x30}, {"null", 0x40}, {"cf-ack", 0x50}, {"cf-poll", 0x60}, {"cf-ack-poll", 0x70},
		{"qos-data", 0x80}, {"qos-data-cf-ack", 0x90}, {"qos-data-cf-poll", 0xa0}, {"qos-data-cf-ack-poll", 0xb0},
		{"qos", 0xc0}, {"qos-cf-poll", 0xe0}, {"qos-cf-ack-poll", 0xf0}}},
}

var llcSSubtypes = []nameVal{{"rr", 0x01}, {"rnr", 0x05}, {"rej", 0x09}}
var llcUSubtypes = []nameVal{{"ui", 0x03}, {"ua", 0x63}, {"disc", 0x43}, {"dm", 0x0f}, {"sabme", 0x6f},
	{"test", 0xe3}, {"xid", 0xaf}, {"frmr", 0x87}}

func str2tok(s string, toks []nameVal) (uint32, bool) {
	for _, t := range toks {
		if strings.EqualFold(t.name, s) {
			return t.v, true
		}
	}
	return 0, false
}

func isWlan(lt pcap.LinkType) bool {
	switch lt {
	case pcap.LinkTypeIEEE802_11, pcap.LinkTypePRISM_HEADER, pcap.LinkTypeIEEE802_11_RADIO_AVS,
		pcap.LinkTypeIEEE802_11_RADIO, pcap.LinkTypePPI:
		return true
	}
	return false
}

// wlanHostop matches an 802.11 address in the position dir selects.
func (c *compiler) wlanHostopImpl(e []byte, dir int) *block {
	ld := func(off uint32) *slist { return c.loadA(orLinkHdr, off, bB) }
	switch dir {
	case qSrc:
		b1 := c.set(fc1DirToDS, ld(1))
		b0 := c.bcmp(orLinkHdr, 24, e)
		b0 = genAnd(b1, b0)
		b2 := c.unset(fc1DirToDS, ld(1))
		b1 = c.bcmp(orLinkHdr, 16, e)
		b1 = genAnd(b2, b1)
		b0 = genOr(b1, b0)
		b1 = c.set(fc1DirFromDS, ld(1))
		b0 = genAnd(b1, b0)
		b2 = c.unset(fc1DirFromDS, ld(1))
		b1 = c.bcmp(orLinkHdr, 10, e)
		b1 = genAnd(b2, b1)
		b0 = genOr(b1, b0)
		b1 = c.set(fc0TypeData, ld(0))
		b0 = genAnd(b1, b0)
		b2 = c.unset(fc0TypeData, ld(0))
		b1 = c.bcmp(orLinkHdr, 10, e)
		b1 = genAnd(b2, b1)
		b0 = genOr(b1, b0)
		b1 = c.unset(fc0TypeCtl, ld(0))
		return genAnd(b1, b0)
	case qDst:
		b1 := c.set(fc1DirToDS, ld(1))
		b0 := c.bcmp(orLinkHdr, 16, e)
		b0 = genAnd(b1, b0)
		b2 := c.unset(fc1DirToDS, ld(1))
		b1 = c.bcmp(orLinkHdr, 4, e)
		b1 = genAnd(b2, b1)
		b0 = genOr(b1, b0)
		b1 = c.set(fc0TypeData, ld(0))
		b0 = genAnd(b1, b0)
		b2 = c.unset(fc0TypeData, ld(0))
		b1 = c.bcmp(orLinkHdr, 4, e)
		b1 = genAnd(b2, b1)
		b0 = genOr(b1, b0)
		b1 = c.unset(fc0TypeCtl, ld(0))
		return genAnd(b1, b0)
	case qAnd:
		b0 := c.wlanHostopImpl(e, qSrc)
		return genAnd(b0, c.wlanHostopImpl(e, qDst))
	case qDefault, qOr:
		b0 := c.wlanHostopImpl(e, qSrc)
		return genOr(b0, c.wlanHostopImpl(e, qDst))
	case qAddr1:
		return c.bcmp(orLinkHdr, 4, e)
	case qAddr2, qTA:
		b0 := c.mcmpNE(orLinkHdr, 0, bB, fc0TypeCtl, fc0TypeMask)
		b1 := c.mcmpNE(orLinkHdr, 0, bB, fc0SubtypeCTS, fc0SubtypeMask)
		b2 := c.mcmpNE(orLinkHdr, 0, bB, fc0SubtypeACK, fc0SubtypeMask)
		b2 = genAnd(b1, b2)
		b2 = genOr(b0, b2)
		if dir == qTA {
			b1 = c.set(fc0TypeData, ld(0))
			b2 = genAnd(b1, b2)
		}
		b1 = c.bcmp(orLinkHdr, 10, e)
		return genAnd(b2, b1)
	case qAddr3:
		b0 := c.mcmpNE(orLinkHdr, 0, bB, fc0TypeCtl, fc0TypeMask)
		b1 := c.bcmp(orLinkHdr, 16, e)
		return genAnd(b0, b1)
	case qAddr4:
		b0 := c.mcmp(orLinkHdr, 1, bB, fc1DirDSToDS, fc1DirMask)
		b1 := c.bcmp(orLinkHdr, 24, e)
		return genAnd(b0, b1)
	case qRA:
		b1 := c.set(fc0TypeData, ld(0))
		b0 := c.bcmp(orLinkHdr, 4, e)
		return genAnd(b1, b0)
	}
	c.errorf("internal error in gen_wlanhostop(): dir == %d", dir)
	return nil
}

func (c *compiler) wlanMulticast() *block {
	ld := func(off uint32) *slist { return c.loadA(orLinkHdr, off, bB) }
	b1 := c.set(fc1DirToDS, ld(1))
	b0 := c.macMulticast(16)
	b0 = genAnd(b1, b0)
	b2 := c.unset(fc1DirToDS, ld(1))
	b1 = c.macMulticast(4)
	b1 = genAnd(b2, b1)
	b0 = genOr(b1, b0)
	b1 = c.set(fc0TypeData, ld(0))
	b0 = genAnd(b1, b0)
	b2 = c.unset(fc0TypeData, ld(0))
	b1 = c.macMulticast(4)
	b1 = genAnd(b2, b1)
	b0 = genOr(b1, b0)
	b1 = c.unset(fc0TypeCtl, ld(0))
	return genAnd(b1, b0)
}

func (c *compiler) p80211Type(v, mask uint32) *block {
	if !isWlan(c.linktype) {
		c.failKwOnDLT("type/subtype")
	}
	return c.mcmp(orLinkHdr, 0, bB, v, mask)
}

func (c *compiler) p80211Dir(v uint32) *block {
	if !isWlan(c.linktype) {
		c.failKwOnDLT("dir")
	}
	return c.mcmp(orLinkHdr, 1, bB, v, fc1DirMask)
}

// parseP80211 parses "type T [subtype S]", "subtype S" and "dir D".
func (p *parser) parseP80211() *block {
	t := p.next()
	switch t.text {
	case "type":
		typ := p.wlanType()
		if isKw(p.tok(), "subtype") {
			p.next()
			st := p.wlanSubtype(typ)
			return p.c.p80211Type(typ|st, fc0TypeMask|fc0SubtypeMask)
		}
		return p.c.p80211Type(typ, fc0TypeMask)
	case "subtype":
		n := p.next()
		if n.kind != tID {
			p.i--
			p.fail()
		}
		for _, ts := range wlanSubtypes {
			if v, ok := str2tok(n.text, ts.toks); ok {
				return p.c.p80211Type(v|ts.typ, fc0TypeMask|fc0SubtypeMask)
			}
		}
		p.c.errorf("unknown 802.11 type name")
	case "dir":
		n := p.tok()
		if n.kind == tNUM {
			v := p.num()
			if v&^fc1DirMask != 0 {
				p.c.errorf("invalid 802.11 direction value 0x%x", v)
			}
			return p.c.p80211Dir(v)
		}
		if n.kind != tID {
			p.fail()
		}
		p.next()
		dirs := map[string]uint32{"nods": 0, "tods": fc1DirToDS, "fromds": fc1DirFromDS, "dstods": fc1DirDSToDS}
		v, ok := dirs[strings.ToLower(n.text)]
		if !ok {
			p.c.errorf("unknown 802.11 direction")
		}
		return p.c.p80211Dir(v)
	}
	p.i--
	p.fail()
	return nil
}

func (p *parser) wlanType() uint32 {
	n := p.tok()
	if n.kind == tNUM {
		v := p.num()
		if v&^fc0TypeMask != 0 {
			p.c.errorf("invalid 802.11 type value 0x%02x", v)
		}
		return v
	}
	if n.kind != tID {
		p.fail()
	}
	p.next()
	v, ok := str2tok(n.text, wlanTypes)
	if !ok {
		p.c.errorf("unknown 802.11 type name \"%s\"", n.text)
	}
	return v
}

func (p *parser) wlanSubtype(typ uint32) uint32 {
	n := p.tok()
	if n.kind == tNUM {
		v := p.num()
		if v&^fc0SubtypeMask != 0 {
			p.c.errorf("invalid 802.11 subtype value 0x%02x", v)
		}
		return v
	}
	if n.kind != tID {
		p.fail()
	}
	p.next()
	for _, ts := range wlanSubtypes {
		if ts.typ == typ {
			v, ok := str2tok(n.text, ts.toks)
			if !ok {
				p.c.errorf("unknown 802.11 subtype name \"%s\"", n.text)
			}
			return v
		}
	}
	p.c.errorf("unknown 802.11 type")
	return 0
}

func (c *compiler) llcCheck() *block {
	switch c.linktype {
	case pcap.LinkTypeEN10MB, pcap.LinkTypeDSA_TAG_BRCM, pcap.LinkTypeDSA_TAG_DSA:
		b0 := c.cmpLE(orLinkType, 0, bH, etherMTU)
		b1 := c.cmpNE(orLLC, 0, bH, 0xffff)
		return genAnd(b0, b1)
	case pcap.LinkTypeIEEE802, pcap.LinkTypeFDDI, pcap.LinkTypeATM_RFC1483:
		return c.genTrue()
	case pcap.LinkTypeSUNATM:
		b0 := c.mcmp(orLinkHdr, 0, bB, 0x02, 0x0f)
		c.linktype = c.prevlinktype
		return b0
	}
	if isWlan(c.linktype) {
		return c.mcmp(orLinkHdr, 0, bB, fc0TypeData, fc0TypeMask)
	}
	c.failKwOnDLT("llc")
	return nil
}

// parseLLC parses "llc [i|s|u|subtype]".
func (p *parser) parseLLC() *block {
	c := p.c
	t := p.tok()
	var name string
	switch {
	case t.kind == tID:
		name = t.text
	case isKw(t, "rnr"):
		name = "rnr"
	default:
		return c.llcCheck()
	}
	p.next()
	switch strings.ToLower(name) {
	case "i":
		b0 := c.llcCheck()
		return genAnd(b0, c.unset(0x01, c.loadA(orLLC, 2, bB)))
	case "s":
		b0 := c.llcCheck()
		return genAnd(b0, c.mcmp(orLLC, 2, bB, 1, 0x03))
	case "u":
		b0 := c.llcCheck()
		return genAnd(b0, c.mcmp(orLLC, 2, bB, 3, 0x03))
	}
	if v, ok := str2tok(name, llcSSubtypes); ok {
		b0 := c.llcCheck()
		return genAnd(b0, c.mcmp(orLLC, 2, bB, v, 0x0f))
	}
	if v, ok := str2tok(name, llcUSubtypes); ok {
		b0 := c.llcCheck()
		return genAnd(b0, c.mcmp(orLLC, 2, bB, v, 0xef))
	}
	c.errorf("unknown LLC type name \"%s\"", name)
	return nil
}
