package filter

import (
	"strings"

	"github.com/gbpf/gbpf/pcap"
)

// Offsets in struct pfloghdr.
const (
	pflogAF        = 1
	pflogAction    = 2
	pflogReason    = 3
	pflogIfname    = 4
	pflogRuleset   = 20
	pflogRulenr    = 36
	pflogSubrulenr = 40
	pflogDir       = 60
	pflogNameSize  = 16
)

var pfReasons = []nameVal{{"match", 0}, {"bad-offset", 1}, {"fragment", 2}, {"short", 3}, {"normalize", 4},
	{"memory", 5}, {"bad-timestamp", 6}, {"congestion", 7}, {"ip-option", 8}, {"proto-cksum", 9},
	{"state-mismatch", 10}, {"state-insert", 11}, {"state-limit", 12}, {"src-limit", 13}, {"synproxy", 14}}

var pfActions = []nameVal{{"pass", 0}, {"accept", 0}, {"drop", 1}, {"block", 1}, {"scrub", 2},
	{"noscrub", 3}, {"nat", 4}, {"nonat", 5}, {"binat", 6}, {"nobinat", 7}, {"rdr", 8}, {"nordr", 9},
	{"synproxy-drop", 10}}

func (c *compiler) assertPflog(kw string) {
	if c.linktype != pcap.LinkTypePFLOG {
		c.errorf("'%s' supported only on PFLOG linktype", kw)
	}
}

// pflogLinktype matches the address family in the pflog header.
func (c *compiler) pflogLinktype(p uint32) *block {
	if c.offline {
		switch p {
		case ethertypeIP:
			return c.cmp(orLinkHdr, pflogAF, bB, 2)
		case ethertypeIPv6:
			b0 := c.cmp(orLinkHdr, pflogAF, bB, 24)
			b1 := c.cmp(orLinkHdr, pflogAF, bB, 28)
			b1 = genOr(b0, b1)
			b0 = c.cmp(orLinkHdr, pflogAF, bB, 30)
			return genOr(b0, b1)
		}
		return c.genFalse()
	}
	switch p {
	case ethertypeIP:
		return c.cmp(orLinkHdr, pflogAF, bB, 2)
	case ethertypeIPv6:
		return c.cmp(orLinkHdr, pflogAF, bB, 10)
	}
	return c.genFalse()
}

// loadPflogPrefixLen loads the pflog header length (rounded up to 4).
func (c *compiler) loadPflogPrefixLen() *slist {
	if c.offLinkPL.reg == -1 {
		return nil
	}
	s := newStmt(bLD|bB|bABS, 0)
	sappend(s, newStmt(bALU|bADD|bK, 3))
	sappend(s, newStmt(bALU|bAND|bK, 0xfffffffc))
	sappend(s, newStmt(bST, uint32(c.offLinkPL.reg)))
	sappend(s, newStmt(bMISC|bTAX, 0))
	return s
}

// parsePF parses the pflog primitives: on/ifname, rset/ruleset,
// rnr/rulenum, srnr/subrulenum, reason and action.
func (p *parser) parsePF(kw string) *block {
	c := p.c
	switch kw {
	case "on", "rset":
		t := p.next()
		if t.kind != tID {
			p.i--
			p.fail()
		}
		name := "ifname"
		off := uint32(pflogIfname)
		if kw == "rset" {
			name, off = "ruleset", pflogRuleset
		}
		c.assertPflog(name)
		if len(t.text) >= pflogNameSize {
			if kw == "on" {
				c.errorf("ifname interface names can only be %d characters", pflogNameSize-1)
			}
			c.errorf("ruleset names can only be %d characters", pflogNameSize-1)
		}
		return c.bcmp(orLinkHdr, off, []byte(t.text))
	case "rnr", "srnr":
		v := p.num()
		c.assertPflog(kw)
		off := uint32(pflogRulenr)
		if kw == "srnr" {
			off = pflogSubrulenr
		}
		return c.cmp(orLinkHdr, off, bW, v)
	case "reason":
		var v uint32
		if p.tok().kind == tNUM {
			v = p.num()
		} else {
			t := p.next()
			if t.kind != tID {
				p.i--
				p.fail()
			}
			var ok bool
			if v, ok = str2tok(t.text, pfReasons); !ok {
				c.errorf("unknown PF reason \"%s\"", t.text)
			}
		}
		c.assertPflog("reason")
		return c.cmp(orLinkHdr, pflogReason, bB, v)
	}
	t := p.next()
	if t.kind != tID {
		p.i--
		p.fail()
	}
	v, ok := str2tok(strings.TrimSpace(t.text), pfActions)
	if !ok {
		c.errorf("unknown PF action \"%s\"", t.text)
	}
	c.assertPflog("action")
	return c.cmp(orLinkHdr, pflogAction, bB, v)
}
