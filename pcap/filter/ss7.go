package filter

import "github.com/gbpf/gbpf/pcap"

// SS7 (MTP2/MTP3) and ATM fields, selected by keyword.
var ss7Fields = map[string]bool{"sio": true, "opc": true, "dpc": true, "sls": true,
	"hsio": true, "hopc": true, "hdpc": true, "hsls": true}
var mtp2Types = map[string]bool{"fisu": true, "lssu": true, "msu": true, "hfisu": true, "hlssu": true, "hmsu": true}

// ss7Offsets returns the offsets of the MTP2 length indicator (also for
// high-speed links) and of the SIO, OPC, DPC and SLS fields, or false.
func ss7Offsets(lt pcap.LinkType) (li, liHSL, sio, opc, dpc, sls uint32, ok bool) {
	switch lt {
	case pcap.LinkTypeMTP2:
		return 2, 4, 3, 4, 4, 7, true
	case pcap.LinkTypeMTP2_WITH_PHDR:
		return 6, 8, 7, 8, 8, 11, true
	case pcap.LinkTypeERF:
		return 22, 24, 23, 24, 24, 27, true
	}
	return 0, 0, 0, 0, 0, 0, false
}

func (c *compiler) assertSS7(kw string) {
	if _, _, _, _, _, _, ok := ss7Offsets(c.linktype); !ok {
		c.errorf("'%s' supported only on SS7", kw)
	}
}

func swap16(v uint32) uint32 { return (v&0xff)<<8 | (v>>8)&0xff }

func (c *compiler) mtp2Type(kw string) *block {
	c.assertSS7(kw)
	li, liHSL, _, _, _, _, _ := ss7Offsets(c.linktype)
	switch kw {
	case "fisu":
		return c.ncmp(orPacket, li, bB, 0x3f, bJEQ, false, 0)
	case "lssu":
		b0 := c.ncmp(orPacket, li, bB, 0x3f, bJGT, true, 2)
		b1 := c.ncmp(orPacket, li, bB, 0x3f, bJGT, false, 0)
		return genAnd(b1, b0)
	case "msu":
		return c.ncmp(orPacket, li, bB, 0x3f, bJGT, false, 2)
	case "hfisu":
		return c.ncmp(orPacket, liHSL, bH, 0xff80, bJEQ, false, 0)
	case "hlssu":
		b0 := c.ncmp(orPacket, liHSL, bH, 0xff80, bJGT, true, 0x0100)
		b1 := c.ncmp(orPacket, liHSL, bH, 0xff80, bJGT, false, 0)
		return genAnd(b1, b0)
	}
	return c.ncmp(orPacket, liHSL, bH, 0xff80, bJGT, false, 0x0100)
}

func (c *compiler) mtp3Field(kw string, v uint32, jtype uint16, reverse bool) *block {
	c.assertSS7(kw)
	_, _, sio, opc, dpc, sls, _ := ss7Offsets(c.linktype)
	add := uint32(0)
	if kw[0] == 'h' {
		add = 3
		kw = kw[1:]
	}
	name := kw
	if add != 0 {
		name = "h" + kw
	}
	switch kw {
	case "sio":
		c.assertMaxval(name, v, 255)
		return c.ncmp(orPacket, sio+add, bB, 0xffffffff, jtype, reverse, v)
	case "opc":
		c.assertMaxval(name, v, 0x3fff)
		return c.ncmp(orPacket, opc+add, bW, swap32(0x3fff<<14), jtype, reverse, swap32(v<<14))
	case "dpc":
		c.assertMaxval(name, v, 0x3fff)
		return c.ncmp(orPacket, dpc+add, bH, swap16(0x3fff), jtype, reverse, swap16(v))
	}
	c.assertMaxval(name, v, 0xf)
	return c.ncmp(orPacket, sls+add, bB, 0xf<<4, jtype, reverse, v<<4)
}

func (c *compiler) assertATM(kw string) {
	if c.linktype != pcap.LinkTypeSUNATM {
		c.errorf("'%s' supported only on SUNATM", kw)
	}
}

func (c *compiler) atmField(kw string, v uint32, jtype uint16, reverse bool) *block {
	c.assertATM(kw)
	if kw == "vpi" {
		c.assertMaxval("VPI", v, 255)
		return c.ncmp(orLinkHdr, 1, bB, 0xffffffff, jtype, reverse, v)
	}
	c.assertMaxval("VCI", v, 65535)
	return c.ncmp(orLinkHdr, 2, bH, 0xffffffff, jtype, reverse, v)
}

func (c *compiler) atmType(kw string) *block {
	c.assertATM(kw)
	vcis := map[string]uint32{"metac": 1, "bcc": 2, "oamf4sc": 3, "oamf4ec": 4, "sc": 5, "ilmic": 16}
	if vci, ok := vcis[kw]; ok {
		b0 := c.atmField("vpi", 0, bJEQ, false)
		b1 := c.atmField("vci", vci, bJEQ, false)
		return genAnd(b0, b1)
	}
	msg := func(t uint32) *block { return c.cmp(orLinkHdr, 4+5, bB, t) }
	switch kw {
	case "oam", "oamf4":
		b0 := c.atmField("vci", 3, bJEQ, false)
		b1 := c.atmField("vci", 4, bJEQ, false)
		b1 = genOr(b0, b1)
		b0 = c.atmField("vpi", 0, bJEQ, false)
		return genAnd(b0, b1)
	case "connectmsg", "metaconnect":
		types := []uint32{0x05, 0x02, 0x07, 0x0f, 0x4d, 0x5a}
		sig := "sc"
		if kw == "metaconnect" {
			types = []uint32{0x05, 0x02, 0x07, 0x4d, 0x5a}
			sig = "metac"
		}
		b0 := msg(types[0])
		b1 := msg(types[1])
		b1 = genOr(b0, b1)
		for _, t := range types[2:] {
			b0 = msg(t)
			b1 = genOr(b0, b1)
		}
		b0 = c.atmType(sig)
		return genAnd(b0, b1)
	case "lane":
		b1 := c.mcmp(orLinkHdr, 0, bB, 0x01, 0x0f)
		c.pushLinkHdr(pcap.LinkTypeEN10MB, false, 4+2, -1)
		c.offLinkType.constant = c.offLinkHdr.constant + 12
		c.offLinkPL.constant = c.offLinkHdr.constant + 14
		c.offNL = 0
		c.offNLNoSNAP = 3
		return b1
	}
	// The parser passes only the keywords above.
	c.errorf("unknown ATM keyword '%s'", kw)
	return nil
}

// parseFieldValue parses the value part of "FIELD value", "FIELD relop
// value" and "FIELD (v1 or v2 ...)" for SS7 and ATM fields.
func (p *parser) parseFieldValue(gen func(v uint32, jtype uint16, reverse bool) *block) *block {
	t := p.tok()
	if isChar(t, '(') {
		p.next()
		b := gen(p.num(), bJEQ, false)
		for isAndOr(p.tok()) && !isAnd(p.tok()) {
			p.next()
			b = genOr(b, gen(p.num(), bJEQ, false))
		}
		p.expectChar(')')
		return b
	}
	if t.kind == tNUM {
		return gen(p.num(), bJEQ, false)
	}
	p.next()
	switch {
	case isChar(t, '>'):
		return gen(p.num(), bJGT, false)
	case t.kind == tGEQ:
		return gen(p.num(), bJGE, false)
	case isChar(t, '='):
		return gen(p.num(), bJEQ, false)
	case t.kind == tLEQ:
		return gen(p.num(), bJGT, true)
	case isChar(t, '<'):
		return gen(p.num(), bJGE, true)
	case t.kind == tNEQ:
		return gen(p.num(), bJEQ, true)
	}
	p.i--
	p.fail()
	return nil
}
