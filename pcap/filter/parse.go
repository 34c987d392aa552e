package filter

import (
	"github.com/gbpf/gbpf/pcap"
)

// syntaxError is a grammar error; speculative parses may recover from it.
type syntaxError struct{ pos int }

func (e *syntaxError) Error() string { return "syntax error in filter expression" }

// parser is a recursive-descent parser for libpcap's grammar that
// generates code in the order of the grammar's semantic actions.
type parser struct {
	c    *compiler
	toks []token
	i    int
}

func (p *parser) tok() token { return p.toks[p.i] }
func (p *parser) peek(n int) token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}
func (p *parser) next() token {
	t := p.toks[p.i]
	if p.i < len(p.toks)-1 {
		p.i++
	}
	return t
}
func (p *parser) fail() { panic(&syntaxError{p.tok().pos}) }

func isKw(t token, k string) bool { return t.kind == tKeyword && t.text == k }
func isChar(t token, c byte) bool { return t.kind == tChar && t.ch == c }
func isAndOr(t token) bool        { return t.kind == tAND || t.kind == tOR || isKw(t, "and") || isKw(t, "or") }
func isAnd(t token) bool          { return t.kind == tAND || isKw(t, "and") }
func (p *parser) expectChar(c byte) {
	if !isChar(p.tok(), c) {
		p.fail()
	}
	p.next()
}

func (p *parser) num() uint32 {
	t := p.tok()
	if t.kind != tNUM {
		p.fail()
	}
	if t.err != "" {
		p.c.errorf("%s", t.err)
	}
	p.next()
	return t.num
}

var pnames = map[string]int{
	"link": qLink, "ip": qIP, "arp": qARP, "rarp": qRARP, "sctp": qSCTP, "tcp": qTCP, "udp": qUDP,
	"icmp": qICMP, "igmp": qIGMP, "igrp": qIGRP, "pim": qPIM, "vrrp": qVRRP, "carp": qCARP,
	"atalk": qATalk, "aarp": qAARP, "decnet": qDECnet, "lat": qLAT, "sca": qSCA, "mopdl": qMOPDL,
	"moprc": qMOPRC, "ip6": qIPv6, "icmp6": qICMPv6, "ah": qAH, "esp": qESP, "iso": qISO,
	"esis": qESIS, "isis": qISIS, "l1": qISISL1, "l2": qISISL2, "iih": qISISIIH, "lsp": qISISLSP,
	"snp": qISISSNP, "csnp": qISISCSNP, "psnp": qISISPSNP, "clnp": qCLNP, "stp": qSTP, "ipx": qIPX,
	"netbeui": qNetBEUI, "radio": qRadio,
}

var dquals = map[string]int{"src": qSrc, "dst": qDst, "addr1": qAddr1, "addr2": qAddr2, "addr3": qAddr3,
	"addr4": qAddr4, "ra": qRA, "ta": qTA}
var aquals = map[string]int{"host": qHost, "net": qNet, "port": qPort, "portrange": qPortrange}

func pname(t token) (int, bool) {
	if t.kind != tKeyword {
		return 0, false
	}
	v, ok := pnames[t.text]
	return v, ok
}

func (p *parser) parseProg() {
	if p.tok().kind == tEOF {
		return
	}
	b, _ := p.parseExpr(qerr)
	if p.tok().kind != tEOF {
		p.fail()
	}
	p.c.finish(b)
}

func (p *parser) parseExpr(inh qual) (*block, qual) {
	b, q := p.parseTerm(inh)
	for isAndOr(p.tok()) {
		and := isAnd(p.next())
		var r *block
		var rq qual
		if p.idStart() {
			r, rq = p.parseID(q)
		} else {
			r, rq = p.parseTerm(q)
		}
		if and {
			b = genAnd(b, r)
		} else {
			b = genOr(b, r)
		}
		q = rq
	}
	return b, q
}

func isAddrTok(t token) bool {
	switch t.kind {
	case tID, tHID, tHID6, tEID, tAID:
		return true
	}
	return false
}

func isArithOp(t token) bool {
	if t.kind == tChar {
		switch t.ch {
		case '+', '-', '*', '/', '%', '&', '|', '^', '>', '<', '=', '[':
			return true
		}
	}
	switch t.kind {
	case tGEQ, tLEQ, tNEQ, tLSH, tRSH:
		return true
	}
	return false
}

// idStart reports whether the tokens ahead form a bare id (an address
// inheriting the previous qualifiers) rather than a term.
func (p *parser) idStart() bool {
	j := p.i
	for isKw(p.toks[j], "not") || isChar(p.toks[j], '(') {
		j++
	}
	t := p.toks[j]
	if isAddrTok(t) {
		return true
	}
	if t.kind == tNUM {
		return !isArithOp(p.toks[j+1])
	}
	return false
}

func (p *parser) parseTerm(inh qual) (*block, qual) {
	if isKw(p.tok(), "not") {
		p.next()
		b, q := p.parseTerm(inh)
		return genNot(b), q
	}
	return p.parseRterm(inh)
}

func (p *parser) parseID(q qual) (*block, qual) {
	t := p.tok()
	switch {
	case isKw(t, "not"):
		p.next()
		b, q2 := p.parseID(q)
		return genNot(b), q2
	case isChar(t, '('):
		p.next()
		b, _ := p.parseID(q)
		for isAndOr(p.tok()) {
			and := isAnd(p.next())
			r, _ := p.parseID(q)
			if and {
				b = genAnd(b, r)
			} else {
				b = genOr(b, r)
			}
		}
		p.expectChar(')')
		return b, q
	case t.kind == tNUM:
		v := p.num()
		return p.c.ncode("", v, q), q
	}
	return p.parseNid(q), q
}

func (p *parser) addrCheck(q qual, what string) {
	switch q.addr {
	case qPort:
		p.c.errorf("'port' qualifier applied to %s", what)
	case qPortrange:
		p.c.errorf("'portrange' qualifier applied to %s", what)
	case qProto:
		p.c.errorf("'proto' qualifier applied to %s", what)
	case qProtochain:
		p.c.errorf("'protochain' qualifier applied to %s", what)
	}
}

func (p *parser) parseNid(q qual) *block {
	t := p.next()
	if t.err != "" {
		p.c.errorf("%s", t.err)
	}
	switch t.kind {
	case tID:
		return p.c.scode(t.text, q)
	case tHID:
		if isChar(p.tok(), '/') {
			p.next()
			n := p.num()
			p.addrCheck(q, "IPv4 address and prefix length")
			return p.c.mcode(t.text, "", n, q)
		}
		if isKw(p.tok(), "mask") {
			p.next()
			m := p.next()
			if m.kind != tHID {
				p.i--
				p.fail()
			}
			p.addrCheck(q, "IPv4 address and netmask")
			return p.c.mcode(t.text, m.text, 0, q)
		}
		p.addrCheck(q, "IPv4 address")
		return p.c.ncode(t.text, 0, q)
	case tHID6:
		if isChar(p.tok(), '/') {
			p.next()
			n := p.num()
			p.addrCheck(q, "IPv6 address and prefix length")
			return p.c.mcode6(t.text, n, q)
		}
		p.addrCheck(q, "IPv6 address")
		return p.c.mcode6(t.text, 128, q)
	case tEID:
		return p.c.ecode(t.text, q)
	case tAID:
		return p.c.acode(t.text, q)
	}
	p.i--
	p.fail()
	return nil
}

// parseHead parses the qualifiers before an id and returns them, or false
// if the tokens ahead are not a head.
func (p *parser) parseHead() (qual, bool) {
	start := p.i
	q := qual{proto: qDefault, dir: qDefault, addr: qDefault}
	if pq, ok := pname(p.tok()); ok {
		q.proto = pq
		p.next()
	}
	t := p.tok()
	if t.kind == tKeyword {
		switch t.text {
		case "proto":
			p.next()
			q.addr = qProto
			return q, true
		case "protochain":
			p.next()
			q.addr = qProtochain
			return q, true
		case "gateway":
			p.next()
			q.addr = qGateway
			return q, true
		}
	}
	hasDir := false
	if d, ok := dquals[t.text]; ok && t.kind == tKeyword {
		p.next()
		hasDir = true
		q.dir = d
		if (d == qSrc || d == qDst) && isAndOr(p.tok()) {
			other := "dst"
			if d == qDst {
				other = "src"
			}
			if isKw(p.peek(1), other) {
				if isAnd(p.next()) {
					q.dir = qAnd
				} else {
					q.dir = qOr
				}
				p.next()
			}
		}
	}
	t = p.tok()
	if a, ok := aquals[t.text]; ok && t.kind == tKeyword {
		p.next()
		q.addr = a
		return q, true
	}
	if hasDir {
		return q, true
	}
	p.i = start
	return q, false
}

func (p *parser) parseRterm(inh qual) (*block, qual) {
	t := p.tok()
	if isChar(t, '(') {
		if p.parenIsArith() {
			return p.parseRelation(), qerr
		}
		p.next()
		b, _ := p.parseExpr(inh)
		p.expectChar(')')
		return b, inh
	}
	if t.kind == tNUM || isKw(t, "len") || isChar(t, '-') {
		return p.parseRelation(), qerr
	}
	if pq, ok := pname(t); ok {
		nx := p.peek(1)
		if isChar(nx, '[') {
			return p.parseRelation(), qerr
		}
		if isKw(nx, "broadcast") || isKw(nx, "multicast") {
			p.next()
			p.next()
			if nx.text == "broadcast" {
				return p.c.broadcast(pq), qerr
			}
			return p.c.multicast(pq), qerr
		}
		if isKw(nx, "type") || isKw(nx, "subtype") || isKw(nx, "dir") {
			p.next()
			return p.parseP80211(), qerr
		}
	}
	if q, ok := p.parseHead(); ok {
		b, _ := p.parseID(q)
		return b, q
	}
	if pq, ok := pname(t); ok {
		p.next()
		return p.c.protoAbbrev(pq), qerr
	}
	if t.kind != tKeyword {
		p.fail()
	}
	p.next()
	switch t.text {
	case "broadcast":
		return p.c.broadcast(qDefault), qerr
	case "multicast":
		return p.c.multicast(qDefault), qerr
	case "less":
		return genNot(jmpK(bJGT, p.num(), newStmt(bLD|bLEN, 0))), qerr
	case "greater":
		return jmpK(bJGE, p.num(), newStmt(bLD|bLEN, 0)), qerr
	case "byte":
		idx := p.num()
		op := p.next()
		if op.kind != tChar {
			p.i--
			p.fail()
		}
		val := p.num()
		return p.c.byteop(op.ch, idx, val), qerr
	case "type", "subtype", "dir":
		p.i--
		return p.parseP80211(), qerr
	case "vlan", "mpls", "pppoes", "geneve", "vxlan":
		has := false
		var v uint32
		if p.tok().kind == tNUM {
			v = p.num()
			has = true
		}
		return p.c.encap(t.text, v, has), qerr
	case "llc":
		return p.parseLLC(), qerr
	case "on", "rset", "rnr", "srnr", "reason", "action":
		return p.parsePF(t.text), qerr
	case "sio", "opc", "dpc", "sls", "hsio", "hopc", "hdpc", "hsls":
		return p.parseFieldValue(func(v uint32, j uint16, r bool) *block { return p.c.mtp3Field(t.text, v, j, r) }), qerr
	case "vpi", "vci":
		return p.parseFieldValue(func(v uint32, j uint16, r bool) *block { return p.c.atmField(t.text, v, j, r) }), qerr
	case "fisu", "lssu", "msu", "hfisu", "hlssu", "hmsu":
		return p.c.mtp2Type(t.text), qerr
	case "metac", "bcc", "oamf4ec", "oamf4sc", "sc", "ilmic", "lane", "oam", "oamf4", "connectmsg", "metaconnect":
		return p.c.atmType(t.text), qerr
	case "pppoed":
		return p.c.linktypeCheck(ethertypePPPoED), qerr
	case "inbound", "outbound":
		return p.c.inOutbound(t.text == "outbound"), qerr
	case "ifindex":
		return p.c.ifindex(p.num()), qerr
	}
	p.i--
	p.fail()
	return nil, qerr
}

// parenIsArith reports whether the parenthesized group at the current
// token is an arithmetic operand: it is followed by an arithmetic or
// relational operator. Deciding by lookahead keeps parsing linear.
func (p *parser) parenIsArith() bool {
	depth := 0
	for j := p.i; j < len(p.toks); j++ {
		t := p.toks[j]
		switch {
		case isChar(t, '('):
			depth++
		case isChar(t, ')'):
			depth--
			if depth == 0 {
				return j+1 < len(p.toks) && isArithOp(p.toks[j+1]) && !isChar(p.toks[j+1], '[')
			}
		case t.kind == tEOF:
			return false
		}
	}
	return false
}

// arth is an arithmetic value kept in a scratch register.
type arth struct {
	b     *block
	s     *slist
	regno int
}

func (p *parser) parseRelation() *block {
	a0 := p.parseArth(0)
	t := p.next()
	var code uint16
	rev := false
	switch {
	case isChar(t, '>'):
		code = bJGT
	case t.kind == tGEQ:
		code = bJGE
	case isChar(t, '='):
		code = bJEQ
	case t.kind == tLEQ:
		code, rev = bJGT, true
	case isChar(t, '<'):
		code, rev = bJGE, true
	case t.kind == tNEQ:
		code, rev = bJEQ, true
	default:
		p.i--
		p.fail()
	}
	a1 := p.parseArth(0)
	return p.c.relation(code, a0, a1, rev)
}

func binop(t token) (uint16, int, bool) {
	switch {
	case isChar(t, '|'):
		return bOR, 1, true
	case isChar(t, '&'):
		return bAND, 2, true
	case t.kind == tLSH:
		return bLSH, 3, true
	case t.kind == tRSH:
		return bRSH, 3, true
	case isChar(t, '+'):
		return bADD, 4, true
	case isChar(t, '-'):
		return bSUB, 4, true
	case isChar(t, '*'):
		return bMUL, 5, true
	case isChar(t, '/'):
		return bDIV, 5, true
	}
	return 0, 0, false
}

// parseArth parses an arithmetic expression whose operators bind tighter
// than minPrec. '%' and '^' have no precedence in libpcap's grammar, so
// they always shift: they take everything to their right.
func (p *parser) parseArth(minPrec int) *arth {
	a := p.parseUnary()
	for {
		t := p.tok()
		if isChar(t, '%') || isChar(t, '^') {
			p.next()
			r := p.parseArth(0)
			op := bMOD
			if t.ch == '^' {
				op = bXOR
			}
			a = p.c.arith(op, a, r)
			continue
		}
		op, prec, ok := binop(t)
		if !ok || prec <= minPrec {
			return a
		}
		p.next()
		r := p.parseArth(prec)
		a = p.c.arith(op, a, r)
	}
}

func (p *parser) parseUnary() *arth {
	t := p.tok()
	switch {
	case isChar(t, '-'):
		p.next()
		a := p.parseUnaryOrMod()
		return p.c.neg(a)
	case t.kind == tNUM:
		return p.c.loadi(p.num())
	case isKw(t, "len"):
		p.next()
		return p.c.loadlen()
	case isChar(t, '('):
		p.next()
		a := p.parseArth(0)
		p.expectChar(')')
		return a
	}
	if pq, ok := pname(t); ok && isChar(p.peek(1), '[') {
		p.next()
		p.next()
		idx := p.parseArth(0)
		size := uint32(1)
		if isChar(p.tok(), ':') {
			p.next()
			size = p.num()
		}
		p.expectChar(']')
		return p.c.load(pq, idx, size)
	}
	p.fail()
	return nil
}

func (p *parser) parseUnaryOrMod() *arth {
	a := p.parseUnary()
	for isChar(p.tok(), '%') || isChar(p.tok(), '^') {
		t := p.next()
		r := p.parseArth(0)
		op := bMOD
		if t.ch == '^' {
			op = bXOR
		}
		a = p.c.arith(op, a, r)
	}
	return a
}

func (c *compiler) byteop(op byte, idx, val uint32) *block {
	c.assertMaxval("byte argument", val, 255)
	switch op {
	case '=':
		return c.cmp(orLinkHdr, idx, bB, val)
	case '<':
		return c.cmpLT(orLinkHdr, idx, bB, val)
	case '>':
		return c.cmpGT(orLinkHdr, idx, bB, val)
	case '|', '&':
		code := bALU | bOR | bK
		if op == '&' {
			code = bALU | bAND | bK
		}
		s0 := c.loadA(orLinkHdr, idx, bB)
		sappend(s0, newStmt(code, val))
		return genNot(jmpK(bJEQ, 0, s0))
	}
	panic(&syntaxError{})
}

func (c *compiler) broadcast(proto int) *block {
	switch proto {
	case qDefault, qLink:
		switch c.linktype {
		case pcap.LinkTypeARCNET, pcap.LinkTypeARCNET_LINUX:
			return c.mac8host(0, qDst, "broadcast")
		case pcap.LinkTypeBACNET_MS_TP:
			return c.mac8host(0xff, qDst, "broadcast")
		}
		return c.mac48host([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, qDst, "broadcast")
	case qIP:
		if c.netmask == netmaskUnknown {
			c.errorf("netmask not known, so 'ip broadcast' not supported")
		}
		b0 := c.linktypeCheck(ethertypeIP)
		hostmask := ^c.netmask
		b1 := c.mcmp(orLinkPL, ipv4Dst, bW, 0, hostmask)
		b2 := c.mcmp(orLinkPL, ipv4Dst, bW, hostmask, hostmask)
		return genAnd(b0, genOr(b1, b2))
	}
	c.errorf("'%s' is not a valid qualifier for '%s'", pqkw(proto), "broadcast")
	return nil
}

func (c *compiler) macMulticast(off uint32) *block {
	return c.set(1, c.loadA(orLinkHdr, off, bB))
}

func (c *compiler) multicast(proto int) *block {
	switch proto {
	case qDefault, qLink:
		switch c.linktype {
		case pcap.LinkTypeARCNET, pcap.LinkTypeARCNET_LINUX:
			return c.mac8host(0, qDst, "multicast")
		case pcap.LinkTypeEN10MB, pcap.LinkTypeNETANALYZER, pcap.LinkTypeNETANALYZER_TRANSPARENT,
			pcap.LinkTypeDSA_TAG_BRCM, pcap.LinkTypeDSA_TAG_DSA:
			b1 := c.prevLinkHdrCheck()
			b0 := c.macMulticast(0)
			if b1 != nil {
				return genAnd(b1, b0)
			}
			return b0
		case pcap.LinkTypeFDDI:
			return c.macMulticast(1)
		case pcap.LinkTypeIEEE802:
			return c.macMulticast(2)
		case pcap.LinkTypeIP_OVER_FC:
			return c.macMulticast(2)
		}
		if isWlan(c.linktype) {
			return c.wlanMulticast()
		}
		c.failKwOnDLT("multicast")
	case qIP:
		b0 := c.linktypeCheck(ethertypeIP)
		b1 := c.mcmp(orLinkPL, ipv4Dst, bB, 224, 0xf0)
		return genAnd(b0, b1)
	case qIPv6:
		b0 := c.linktypeCheck(ethertypeIPv6)
		b1 := c.cmp(orLinkPL, ipv6Dst, bB, 255)
		return genAnd(b0, b1)
	}
	c.errorf("'%s' is not a valid qualifier for '%s'", pqkw(proto), "multicast")
	return nil
}

func (c *compiler) loadi(v uint32) *arth {
	reg := c.allocReg()
	s := newStmt(bLD|bIMM, v)
	s.next = newStmt(bST, uint32(reg))
	return &arth{s: s, regno: reg}
}

func (c *compiler) loadlen() *arth {
	reg := c.allocReg()
	s := newStmt(bLD|bLEN, 0)
	s.next = newStmt(bST, uint32(reg))
	return &arth{s: s, regno: reg}
}

func (c *compiler) neg(a *arth) *arth {
	sappend(a.s, newStmt(bLD|bMEM, uint32(a.regno)))
	sappend(a.s, newStmt(bALU|bNEG, 0))
	sappend(a.s, newStmt(bST, uint32(a.regno)))
	return a
}

func (c *compiler) arith(code uint16, a0, a1 *arth) *arth {
	if a1.s.s.code == bLD|bIMM {
		switch {
		case code == bDIV && a1.s.s.k == 0:
			c.errorf("division by zero")
		case code == bMOD && a1.s.s.k == 0:
			c.errorf("modulus by zero")
		case (code == bLSH || code == bRSH) && a1.s.s.k > 31:
			c.errorf("shift by more than 31 bits")
		}
	}
	s0 := newStmt(bLDX|bMEM, uint32(a1.regno))
	s1 := newStmt(bLD|bMEM, uint32(a0.regno))
	sappend(s1, newStmt(bALU|bX|code, 0))
	sappend(s0, s1)
	sappend(a1.s, s0)
	sappend(a0.s, a1.s)
	c.freeReg(a0.regno)
	c.freeReg(a1.regno)
	reg := c.allocReg()
	sappend(a0.s, newStmt(bST, uint32(reg)))
	a0.regno = reg
	return a0
}

func (c *compiler) load(proto int, inst *arth, size uint32) *arth {
	reg := c.allocReg()
	c.freeReg(inst.regno)
	var sizeCode uint16
	switch size {
	case 1:
		sizeCode = bB
	case 2:
		sizeCode = bH
	case 4:
		sizeCode = bW
	default:
		c.errorf("data size must be 1, 2, or 4")
	}
	var b *block
	var s *slist
	var constpart uint32
	switch proto {
	case qLink:
		s = c.absOffsetVarpart(&c.offLinkHdr)
		constpart = c.offLinkHdr.constant
	case qIP, qARP, qRARP, qATalk, qDECnet, qSCA, qLAT, qMOPRC, qMOPDL, qIPv6:
		s = c.absOffsetVarpart(&c.offLinkPL)
		constpart = c.offLinkPL.constant + c.offNL
		b = c.protoAbbrev(proto)
	case qSCTP, qTCP, qUDP, qICMP, qIGMP, qIGRP, qPIM, qVRRP, qCARP:
		s = c.loadxIPHdrLen()
		constpart = c.offLinkPL.constant + c.offNL
		b = c.protoAbbrev(qIP)
		b = genAnd(b, c.ipProto(c.pqToIPProto(proto)))
		b = genAnd(b, c.ipfrag())
	case qICMPv6:
		b = c.protoAbbrev(qIPv6)
		b = genAnd(b, c.ip6Proto(ipprotoICMPv6))
		s = c.absOffsetVarpart(&c.offLinkPL)
		constpart = c.offLinkPL.constant + c.offNL + ip6HdrLen
	case qRadio:
		switch c.linktype {
		case pcap.LinkTypeIEEE802_11_RADIO_AVS, pcap.LinkTypeIEEE802_11_RADIO, pcap.LinkTypePRISM_HEADER:
		default:
			c.errorf("radio information not present in capture")
		}
	default:
		c.errorf("'%s' does not support the index operation", pqkw(proto))
	}
	if b != nil {
		if inst.b != nil {
			inst.b = genAnd(inst.b, b)
		} else {
			inst.b = b
		}
	}
	if s == nil {
		s = newStmt(bLDX|bMEM, uint32(inst.regno))
	} else {
		sappend(s, newStmt(bLD|bMEM, uint32(inst.regno)))
		sappend(s, newStmt(bALU|bADD|bX, 0))
		sappend(s, newStmt(bMISC|bTAX, 0))
	}
	sappend(inst.s, c.loadAbsOffsetRel(s, constpart, sizeCode))
	inst.regno = reg
	sappend(inst.s, newStmt(bST, uint32(reg)))
	return inst
}

func (c *compiler) relation(code uint16, a0, a1 *arth, reversed bool) *block {
	s0 := newStmt(bLDX|bMEM, uint32(a1.regno))
	s1 := newStmt(bLD|bMEM, uint32(a0.regno))
	sappend(s0, s1)
	sappend(a1.s, s0)
	sappend(a0.s, a1.s)
	b := jmpX(code, a0.s)
	if reversed {
		genNot(b)
	}
	c.freeReg(a0.regno)
	c.freeReg(a1.regno)
	if a0.b != nil {
		b = genAnd(a0.b, b)
	}
	if a1.b != nil {
		b = genAnd(a1.b, b)
	}
	return b
}
