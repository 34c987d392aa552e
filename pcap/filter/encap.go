package filter

import "github.com/gbpf/gbpf/pcap"

// encap generates vlan, mpls, pppoes, geneve and vxlan: each matches the
// encapsulation and moves the offsets so that the following primitives
// look inside it.
func (c *compiler) encap(kw string, v uint32, has bool) *block {
	switch kw {
	case "vlan":
		return c.vlan(v, has)
	case "mpls":
		return c.mpls(v, has)
	case "pppoes":
		return c.pppoes(v, has)
	}
	return c.tunnel(kw, v, has)
}

func (c *compiler) vlan(v uint32, has bool) *block {
	if c.labelStackDepth > 0 {
		c.errorf("no VLAN match after MPLS")
	}
	switch c.linktype {
	case pcap.LinkTypeEN10MB, pcap.LinkTypeNETANALYZER, pcap.LinkTypeNETANALYZER_TRANSPARENT,
		pcap.LinkTypeDSA_TAG_BRCM, pcap.LinkTypeDSA_TAG_DSA, pcap.LinkTypeIEEE802_11,
		pcap.LinkTypePRISM_HEADER, pcap.LinkTypeIEEE802_11_RADIO_AVS, pcap.LinkTypeIEEE802_11_RADIO:
	default:
		c.failKwOnDLT("vlan")
	}
	b0 := c.linktypeCheck(ethertypeVLAN)
	b1 := c.linktypeCheck(ethertypeQinQ)
	b0 = genOr(b0, b1)
	b1 = c.linktypeCheck(ethertype9100)
	b0 = genOr(b0, b1)
	if has {
		c.assertMaxval("VLAN tag", v, 0x0fff)
		b0 = genAnd(b0, c.mcmp(orLinkPL, 0, bH, v, 0x0fff))
	}
	c.offLinkPL.constant += 4
	c.offLinkType.constant += 4
	c.vlanStackDepth++
	return b0
}

func (c *compiler) mpls(v uint32, has bool) *block {
	var b0 *block
	if c.labelStackDepth > 0 {
		b0 = genNot(c.set(0x01, c.loadA(orPrevMPLSHdr, 2, bB)))
	} else {
		switch c.linktype {
		case pcap.LinkTypeC_HDLC, pcap.LinkTypeEN10MB, pcap.LinkTypeNETANALYZER,
			pcap.LinkTypeNETANALYZER_TRANSPARENT, pcap.LinkTypeDSA_TAG_BRCM, pcap.LinkTypeDSA_TAG_DSA:
			b0 = c.linktypeCheck(ethertypeMPLS)
		case pcap.LinkTypePPP:
			b0 = c.linktypeCheck(0x0281)
		default:
			c.failKwOnDLT("mpls")
		}
	}
	if has {
		c.assertMaxval("MPLS label", v, 0xfffff)
		b1 := c.mcmp(orLinkPL, 0, bW, v<<12, 0xfffff<<12)
		b0 = genAnd(b0, b1)
	}
	c.offNLNoSNAP += 4
	c.offNL += 4
	c.labelStackDepth++
	return b0
}

func (c *compiler) pppoes(v uint32, has bool) *block {
	b0 := c.linktypeCheck(ethertypePPPoES)
	if has {
		c.assertMaxval("PPPoE session number", v, 65535)
		b0 = genAnd(b0, c.cmp(orLinkPL, 2, bH, v))
	}
	c.pushLinkHdr(pcap.LinkTypePPP, c.offLinkPL.variable, c.offLinkPL.constant+c.offNL+6, c.offLinkPL.reg)
	c.offLinkType = c.offLinkHdr
	c.offLinkPL.constant = c.offLinkHdr.constant + 2
	c.offNL = 0
	c.offNLNoSNAP = 0
	return b0
}

func (c *compiler) pushLinkHdr(lt pcap.LinkType, variable bool, constant uint32, reg int) {
	c.prevlinktype = c.linktype
	c.offPrevLinkHdr = c.offLinkHdr
	c.linktype = lt
	c.offLinkHdr = absOffset{constant: constant, variable: variable, reg: reg}
	c.isEncap = false
}

func (c *compiler) inOutbound(outbound bool) *block {
	sel := func(in, out uint32) uint32 {
		if outbound {
			return out
		}
		return in
	}
	switch c.linktype {
	case pcap.LinkTypeSLIP:
		return c.cmp(orLinkHdr, 0, bB, sel(0, 1))
	case pcap.LinkTypeIPNET:
		return c.cmp(orLinkHdr, 2, bH, sel(2, 1))
	case pcap.LinkTypeLINUX_SLL:
		b0 := c.cmp(orLinkHdr, 0, bH, 4)
		if outbound {
			return b0
		}
		return genNot(b0)
	case pcap.LinkTypeLINUX_SLL2:
		b0 := c.cmp(orLinkHdr, 10, bB, 4)
		if outbound {
			return b0
		}
		return genNot(b0)
	case pcap.LinkTypePFLOG:
		return c.cmp(orLinkHdr, 60, bB, sel(1, 2))
	case pcap.LinkTypePPP_PPPD:
		return c.cmp(orLinkHdr, 0, bB, sel(0, 1))
	case pcap.LinkTypeDSA_TAG_BRCM:
		return c.mcmp(orLinkHdr, 12, bB, sel(0, 0x20), 0xe0)
	case pcap.LinkTypeDSA_TAG_DSA:
		return c.mcmp(orLinkHdr, 12, bB, sel(0, 0x40), sel(0x40, 0xc0))
	}
	if isJuniper(c.linktype) {
		return c.mcmp(orLinkHdr, 3, bB, sel(1, 0), 0x01)
	}
	kw := "inbound"
	if outbound {
		kw = "outbound"
	}
	c.errorf("not a live capture, '%s' not supported on %s", kw, dltString(c.linktype))
	return nil
}

func isJuniper(lt pcap.LinkType) bool {
	return lt.Name() != "" && len(lt.Name()) > 8 && lt.Name()[:8] == "JUNIPER_"
}

func (c *compiler) ifindex(v uint32) *block {
	if c.linktype == pcap.LinkTypeLINUX_SLL2 {
		return c.cmp(orLinkHdr, 4, bW, v)
	}
	c.errorf("not a live capture, '%s' not supported on %s", "ifindex", dltString(c.linktype))
	return nil
}
