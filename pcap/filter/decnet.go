package filter

// parseDECnet parses an "AREA.NODE" DECnet address (area 0-63, node
// 0-1023) into its 16-bit form.
func parseDECnet(s string) (uint32, bool) {
	var area, node uint32
	state := 0 // 0 start, 1 area, 2 dot, 3 node
	for i := 0; i < len(s); i++ {
		ch := s[i]
		digit := ch >= '0' && ch <= '9'
		switch state {
		case 0:
			if !digit {
				return 0, false
			}
			area, state = uint32(ch-'0'), 1
		case 1:
			if ch == '.' {
				state = 2
				continue
			}
			if !digit {
				return 0, false
			}
			area = area*10 + uint32(ch-'0')
			if area > 63 {
				return 0, false
			}
		case 2:
			if !digit {
				return 0, false
			}
			node, state = uint32(ch-'0'), 3
		case 3:
			if !digit {
				return 0, false
			}
			node = node*10 + uint32(ch-'0')
			if node > 1023 {
				return 0, false
			}
		}
	}
	if state != 3 {
		return 0, false
	}
	return area<<10 | node, true
}

func (c *compiler) dnhostop(addr uint32, dir int) *block {
	var lh, sh uint32
	switch dir {
	case qDst:
		sh, lh = 1, 7
	case qSrc:
		sh, lh = 3, 15
	case qAnd:
		b0 := c.dnhostop(addr, qSrc)
		return genAnd(b0, c.dnhostop(addr, qDst))
	case qDefault, qOr:
		b0 := c.dnhostop(addr, qSrc)
		return genOr(b0, c.dnhostop(addr, qDst))
	default:
		c.errorf("internal error in gen_dnhostop(): dir == '%s'", dqkw(dir))
	}
	sa := swap16(addr)
	tmp := c.mcmp(orLinkPL, 2, bH, 0x8106, 0xff07)
	b1 := c.cmp(orLinkPL, 2+1+lh, bH, sa)
	b1 = genAnd(tmp, b1)
	tmp = c.mcmp(orLinkPL, 2, bB, 0x06, 0x07)
	b2 := c.cmp(orLinkPL, 2+lh, bH, sa)
	b2 = genAnd(tmp, b2)
	b1 = genOr(b2, b1)
	if dir == qDst {
		b2 = c.mcmp(orLinkPL, 2, bW, 0x81020000|sa, 0xff07ffff)
	} else {
		tmp = c.mcmp(orLinkPL, 2, bH, 0x8102, 0xff07)
		b2 = c.cmp(orLinkPL, 2+1+sh, bH, sa)
		b2 = genAnd(tmp, b2)
	}
	b1 = genOr(b2, b1)
	if dir == qDst {
		b2 = c.mcmp(orLinkPL, 2, bW, 0x02000000|sa<<8, 0x07ffff00)
	} else {
		tmp = c.mcmp(orLinkPL, 2, bB, 0x02, 0x07)
		b2 = c.cmp(orLinkPL, 2+sh, bH, sa)
		b2 = genAnd(tmp, b2)
	}
	return genOr(b2, b1)
}

// dnhost generates "decnet [src|dst] [host] AREA.NODE".
func (c *compiler) dnhost(s string, v uint32, q qual) *block {
	c.assertNonWlanDir(q.dir)
	if q.addr != qDefault && q.addr != qHost {
		c.errorf("'%s' is not a valid qualifier for '%s'", "decnet", tqkw(q.addr))
	}
	if s == "" {
		c.errorf("invalid DECnet address '%d'", v)
	}
	addr, ok := parseDECnet(s)
	if !ok {
		c.errorf("invalid DECnet address '%s'", s)
	}
	b0 := c.linktypeCheck(ethertypeDN)
	return genAnd(b0, c.dnhostop(addr, q.dir))
}
