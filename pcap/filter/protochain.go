package filter

// protochain generates "[ip|ip6] protochain P": a loop in the statement
// list that follows the IPv6 extension headers (and AH) until it finds P,
// the end of the chain, or an unknown header. The optimizer cannot handle
// the loop, so it is switched off.
func (c *compiler) protochain(v uint32, proto int) *block {
	reg2 := c.allocReg()
	switch proto {
	case qIP, qIPv6:
		c.assertMaxval("protocol number", v, 255)
	case qDefault:
		b0 := c.protochain(v, qIP)
		b := c.protochain(v, qIPv6)
		return genOr(b0, b)
	default:
		c.errorf("'%s' is not a valid qualifier for '%s'", pqkw(proto), "protochain")
	}
	if c.offLinkPL.variable {
		c.errorf("'protochain' not supported with variable length headers")
	}
	c.noOptimize = true
	s := []*slist{newStmt(0, 0)} // s[0] is a placeholder, as in libpcap
	add := func(x *slist) int {
		s = append(s, x)
		return len(s) - 1
	}
	var b0 *block
	if proto == qIP {
		b0 = c.linktypeCheck(ethertypeIP)
		add(c.loadA(orLinkPL, ipv4Proto, bB))
		add(c.loadxIPHdrLen())
	} else {
		b0 = c.linktypeCheck(ethertypeIPv6)
		add(c.loadA(orLinkPL, ipv6Proto, bB))
		add(newStmt(bLDX|bIMM, ip6HdrLen))
	}
	again := len(s)
	fix5 := add(newStmt(bJMP|bJEQ|bK, v))
	fix2 := add(newStmt(bJMP|bJEQ|bK, ipprotoNone))
	s[fix5].s.jf = s[fix2]
	fix3 := 0
	base := c.offLinkPL.constant + c.offNL
	if proto == qIPv6 {
		v6start := add(newStmt(bJMP|bJEQ|bK, ipprotoHopOpts))
		s[fix2].s.jf = s[v6start]
		for _, p := range []uint32{ipprotoDstOpts, ipprotoRouting, ipprotoFragment} {
			i := add(newStmt(bJMP|bJEQ|bK, p))
			s[i-1].s.jf = s[i]
		}
		fix3 = len(s) - 1
		v6end := fix3
		v6advance := add(newStmt(bLD|bIND|bB, base))
		add(newStmt(bST, uint32(reg2)))
		add(newStmt(bLD|bIND|bB, base+1))
		add(newStmt(bALU|bADD|bK, 1))
		add(newStmt(bALU|bMUL|bK, 8))
		add(newStmt(bALU|bADD|bX, 0))
		add(newStmt(bMISC|bTAX, 0))
		add(newStmt(bLD|bMEM, uint32(reg2)))
		i := len(s)
		add(newStmt(bJMP|bJA|bK, uint32(again-i-1)))
		s[i-1].s.jf = s[i]
		for j := v6start; j <= v6end; j++ {
			s[j].s.jt = s[v6advance]
		}
	} else {
		i := add(newStmt(bALU|bADD|bK, 0))
		s[fix2].s.jf = s[i]
	}
	ahcheck := add(newStmt(bJMP|bJEQ|bK, ipprotoAH))
	if fix3 != 0 {
		s[fix3].s.jf = s[ahcheck]
	}
	fix4 := ahcheck
	i := add(newStmt(bLD|bIND|bB, base))
	s[i-1].s.jt = s[i]
	add(newStmt(bST, uint32(reg2)))
	i = add(newStmt(bMISC|bTXA, 0))
	s[i-1].s.jt = s[i]
	add(newStmt(bALU|bADD|bK, 1))
	add(newStmt(bMISC|bTAX, 0))
	add(newStmt(bLD|bIND|bB, base))
	add(newStmt(bALU|bADD|bK, 2))
	add(newStmt(bALU|bMUL|bK, 4))
	add(newStmt(bMISC|bTAX, 0))
	add(newStmt(bLD|bMEM, uint32(reg2)))
	i = len(s)
	add(newStmt(bJMP|bJA|bK, uint32(again-i-1)))
	end := add(newStmt(bALU|bADD|bK, 0))
	s[fix2].s.jt = s[end]
	s[fix4].s.jf = s[end]
	s[fix5].s.jt = s[end]
	for j := 0; j < len(s)-1; j++ {
		s[j].next = s[j+1]
	}
	s[len(s)-1].next = nil
	b := jmpK(bJEQ, v, s[1])
	c.freeReg(reg2)
	return genAnd(b0, b)
}
