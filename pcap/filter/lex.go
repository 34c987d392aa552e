package filter

import (
	"fmt"
	"regexp"
	"strings"
)

// Token kinds of the filter language.
type tokKind int

const (
	tEOF  tokKind = iota
	tChar         // a single punctuation character, in tok.ch
	tGEQ
	tLEQ
	tNEQ
	tLSH
	tRSH
	tAND
	tOR
	tNUM
	tID
	tHID
	tHID6
	tEID
	tAID
	tKeyword // a keyword, in tok.text
)

type token struct {
	kind tokKind
	ch   byte
	text string
	num  uint32
	pos  int
	err  string // a lexical error to report if the token is used
}

var keywords = map[string]string{}

func init() {
	for _, k := range strings.Fields(`dst src link ether ppp slip fddi tr wlan arp rarp ip sctp tcp udp icmp igmp igrp pim vrrp carp radio
		ip6 icmp6 ah esp atalk aarp decnet lat sca moprc mopdl iso esis es-is isis is-is l1 l2 iih lsp snp csnp psnp clnp stp ipx netbeui
		host net mask port portrange proto protochain gateway type subtype direction dir address1 addr1 address2 addr2 address3 addr3
		address4 addr4 ra ta less greater byte broadcast multicast and or not len length inbound outbound ifindex vlan mpls pppoed pppoes
		geneve vxlan lane llc metac bcc oam oamf4 oamf4ec oamf4sc sc ilmic vpi vci connectmsg metaconnect on ifname rset ruleset rnr rulenum
		srnr subrulenum reason action fisu lssu lsu msu hfisu hlssu hmsu sio opc dpc sls hsio hopc hdpc hsls`) {
		keywords[k] = k
	}
	for a, b := range map[string]string{"ether": "link", "ppp": "link", "slip": "link", "fddi": "link", "tr": "link", "wlan": "link",
		"es-is": "esis", "is-is": "isis", "direction": "dir", "address1": "addr1", "address2": "addr2", "address3": "addr3",
		"address4": "addr4", "length": "len", "lsu": "lssu", "ifname": "on", "ruleset": "rset", "rulenum": "rnr", "subrulenum": "srnr"} {
		keywords[a] = b
	}
}

var namedNums = map[string]uint32{
	"icmptype": 0, "icmpcode": 1, "icmp-echoreply": 0, "icmp-unreach": 3, "icmp-sourcequench": 4, "icmp-redirect": 5,
	"icmp-echo": 8, "icmp-routeradvert": 9, "icmp-routersolicit": 10, "icmp-timxceed": 11, "icmp-paramprob": 12,
	"icmp-tstamp": 13, "icmp-tstampreply": 14, "icmp-ireq": 15, "icmp-ireqreply": 16, "icmp-maskreq": 17,
	"icmp-maskreply": 18, "icmp6type": 0, "icmp6code": 1, "icmp6-destinationunreach": 1, "icmp6-packettoobig": 2,
	"icmp6-timeexceeded": 3, "icmp6-parameterproblem": 4, "icmp6-echo": 128, "icmp6-echoreply": 129,
	"icmp6-multicastlistenerquery": 130, "icmp6-multicastlistenerreportv1": 131, "icmp6-multicastlistenerdone": 132,
	"icmp6-routersolicit": 133, "icmp6-routeradvert": 134, "icmp6-neighborsolicit": 135, "icmp6-neighboradvert": 136,
	"icmp6-redirect": 137, "icmp6-routerrenum": 138, "icmp6-nodeinformationquery": 139,
	"icmp6-nodeinformationresponse": 140, "icmp6-ineighbordiscoverysolicit": 141, "icmp6-ineighbordiscoveryadvert": 142,
	"icmp6-multicastlistenerreportv2": 143, "icmp6-homeagentdiscoveryrequest": 144, "icmp6-homeagentdiscoveryreply": 145,
	"icmp6-mobileprefixsolicit": 146, "icmp6-mobileprefixadvert": 147, "icmp6-certpathsolicit": 148,
	"icmp6-certpathadvert": 149, "icmp6-multicastrouteradvert": 151, "icmp6-multicastroutersolicit": 152,
	"icmp6-multicastrouterterm": 153, "tcpflags": 13, "tcp-fin": 0x01, "tcp-syn": 0x02, "tcp-rst": 0x04,
	"tcp-push": 0x08, "tcp-ack": 0x10, "tcp-urg": 0x20, "tcp-ece": 0x40, "tcp-cwr": 0x80,
}

func v6Pattern() string {
	const w = `[0-9A-Fa-f]{1,4}`
	var alts []string
	groups := func(n int) string {
		if n == 0 {
			return ""
		}
		return w + strings.Repeat(":"+w, n-1)
	}
	alts = append(alts, groups(8))
	const n = `(?:[0-9]+|0[xX][0-9A-Fa-f]+)`
	v4 := n + `\.` + n + `\.` + n + `\.` + n
	alts = append(alts, groups(6)+":"+v4)
	for total := 0; total <= 7; total++ {
		for pre := 0; pre <= total; pre++ {
			post := total - pre
			alts = append(alts, groups(pre)+"::"+groups(post))
			if total <= 5 {
				p := groups(post)
				if p != "" {
					p += ":"
				}
				alts = append(alts, groups(pre)+"::"+p+v4)
			}
		}
	}
	return strings.Join(alts, "|")
}

var (
	reHID    = regexp.MustCompile(`^(?:N\.N\.N\.N|N\.N\.N|N\.N)`)
	reMAC    = regexp.MustCompile(`^(?:B:B:B:B:B:B|B-B-B-B-B-B|B\.B\.B\.B\.B\.B|B2\.B2\.B2|B2B2B2)`)
	reBadMAC = regexp.MustCompile(`^B:+(?:B:+)+`)
	reAID    = regexp.MustCompile(`^\$[0-9A-Fa-f][0-9A-Fa-f]?`)
	reV6     = regexp.MustCompile(`^(?:` + v6Pattern() + `)`)
)

func init() {
	const n = `(?:[0-9]+|0[xX][0-9A-Fa-f]+)`
	reHID = regexp.MustCompile(strings.ReplaceAll(reHID.String(), "N", n))
	const b, b2 = `[0-9A-Fa-f][0-9A-Fa-f]?`, `[0-9A-Fa-f]{4}`
	reMAC = regexp.MustCompile(strings.ReplaceAll(strings.ReplaceAll(reMAC.String(), "B2", b2), "B", b))
	reBadMAC = regexp.MustCompile(strings.ReplaceAll(reBadMAC.String(), "B", b))
	for _, r := range []*regexp.Regexp{reHID, reMAC, reBadMAC, reAID, reV6} {
		r.Longest()
	}
}

// idLength is the length of the longest ID token at the start of s:
// [A-Za-z0-9]([-_.A-Za-z0-9]*[.A-Za-z0-9])?
func idLength(s string) int {
	alnum := func(c byte) bool {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
	}
	if s == "" || !alnum(s[0]) {
		return 0
	}
	n := 1
	for i := 1; i < len(s); i++ {
		c := s[i]
		if alnum(c) || c == '.' {
			n = i + 1
		} else if c != '-' && c != '_' {
			break
		}
	}
	return n
}

// hexRun returns the leading run of characters that can appear in a
// number, address or MAC token.
func hexRun(s string) string {
	i := 0
	for i < len(s) {
		c := s[i]
		if c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':' || c == '.' || c == '-' || c == 'x' || c == 'X' {
			i++
			continue
		}
		break
	}
	return s[:i]
}

// numLength is the length of the N token at the start of s: decimal
// digits, or 0x followed by hex digits.
func numLength(s string) int {
	hex := func(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && hex(s[2]) {
		i := 3
		for i < len(s) && hex(s[i]) {
			i++
		}
		return i
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

func matchLen(r *regexp.Regexp, s string) int {
	loc := r.FindStringIndex(s)
	if loc == nil {
		return 0
	}
	return loc[1]
}

// lex splits a filter expression into tokens as libpcap's scanner does
// (longest match; on a tie, the earlier rule).
func lex(src string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(src) {
		ch := src[i]
		if ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' {
			i++
			continue
		}
		rest := src[i:]
		if len(rest) >= 2 {
			two := rest[:2]
			var k tokKind = -1
			switch two {
			case ">=":
				k = tGEQ
			case "<=":
				k = tLEQ
			case "!=":
				k = tNEQ
			case "==":
				toks = append(toks, token{kind: tChar, ch: '=', pos: i})
				i += 2
				continue
			case "<<":
				k = tLSH
			case ">>":
				k = tRSH
			case "&&":
				k = tAND
			case "||":
				k = tOR
			}
			if k >= 0 {
				toks = append(toks, token{kind: k, pos: i, text: two})
				i += 2
				continue
			}
		}
		if n := matchLen(reV6, rest); ch == ':' && n > 1 {
			toks = append(toks, token{kind: tHID6, text: rest[:n], pos: i})
			i += n
			continue
		}
		if strings.IndexByte("+-*/%:[]!<>()&|^=", ch) >= 0 {
			if ch == '!' {
				toks = append(toks, token{kind: tKeyword, text: "not", pos: i})
			} else {
				toks = append(toks, token{kind: tChar, ch: ch, pos: i})
			}
			i++
			continue
		}
		if ch == '\\' {
			j := i + 1
			for j < len(src) && strings.IndexByte(" !()\n\t", src[j]) < 0 {
				j++
			}
			if j == i+1 {
				return nil, fmt.Errorf("illegal character in filter expression at column %d", i+1)
			}
			toks = append(toks, token{kind: tID, text: src[i+1 : j], pos: i})
			i = j
			continue
		}
		idLen := idLength(rest)
		run := hexRun(rest)
		type cand struct {
			n    int
			kind tokKind
		}
		best := cand{0, tEOF}
		consider := func(n int, k tokKind) {
			if n > best.n {
				best = cand{n, k}
			}
		}
		if idLen > 0 {
			if _, ok := keywords[rest[:idLen]]; ok {
				consider(idLen, tKeyword)
			}
		}
		if ch == '$' {
			consider(matchLen(reAID, rest), tAID)
		}
		hasColon := strings.IndexByte(run, ':') >= 0
		hasDot := strings.IndexByte(run, '.') >= 0
		if hasColon || hasDot || strings.IndexByte(run, '-') >= 0 || len(run) >= 12 {
			consider(matchLen(reMAC, rest), tEID)
		}
		if ch >= '0' && ch <= '9' {
			consider(numLength(rest), tNUM)
			if hasDot {
				consider(matchLen(reHID, rest), tHID)
			}
		}
		bad := 0
		if hasColon {
			consider(matchLen(reV6, rest), tHID6)
			bad = matchLen(reBadMAC, rest)
		}
		if bad > best.n {
			best = cand{bad, tEID}
		}
		if idLen > 0 {
			if _, ok := namedNums[rest[:idLen]]; ok {
				consider(idLen, tNUM+100)
			}
		}
		consider(idLen, tID)
		if best.n == 0 {
			return nil, fmt.Errorf("illegal character in filter expression at column %d", i+1)
		}
		text := rest[:best.n]
		t := token{kind: best.kind, text: text, pos: i}
		switch best.kind {
		case tKeyword:
			t.text = keywords[text]
		case tNUM:
			v, ok := parseNum(text)
			if !ok {
				if len(text) > 1 && text[0] == '0' && text[1] != 'x' && text[1] != 'X' {
					t.err = fmt.Sprintf("number %s contains non-octal digit", text)
				} else {
					t.err = fmt.Sprintf("number %s overflows 32 bits", text)
				}
			}
			t.num = v
		case tNUM + 100:
			t.kind = tNUM
			t.num = namedNums[text]
		case tEID:
			if bad == best.n && best.n != matchLen(reMAC, rest) {
				t.err = "invalid Ethernet address " + text
			}
		}
		toks = append(toks, t)
		i += best.n
	}
	toks = append(toks, token{kind: tEOF, pos: len(src)})
	return toks, nil
}
