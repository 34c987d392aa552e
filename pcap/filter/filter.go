// Package filter compiles tcpdump/libpcap filter expressions (the language
// of pcap-filter(7)) into classic BPF, generating the same code as
// libpcap's gencode.c and, with Options.Optimize, its optimizer.
//
// The whole language is supported: hosts, networks, ports and port ranges
// with direction qualifiers and qualifier inheritance ("host a or b"),
// protocols, protochain, arithmetic on packet bytes, the named offsets and
// flags, vlan, mpls, pppoe, geneve, vxlan, 802.11, LLC, ISO, DECnet, ATM,
// SS7 and pflog primitives, on every link type libpcap compiles for.
//
// Host, service, protocol, network and MAC names resolve from /etc/hosts,
// /etc/services, /etc/protocols, /etc/networks and /etc/ethers of the
// machine (no DNS). Errors use libpcap's wording ("syntax error",
// "unknown host 'x'", "'vlan' not supported on RAW", ...).
package filter

import (
	"fmt"

	"github.com/gbpf/gbpf/cbpf"
	"github.com/gbpf/gbpf/pcap"
)

// DefaultSnaplen is the snapshot length used when Options.Snaplen is 0,
// and the value an accepting program returns.
const DefaultSnaplen = 262144

// netmaskUnknown is PCAP_NETMASK_UNKNOWN.
const netmaskUnknown = 0xffffffff

// Options control a compilation.
type Options struct {
	// LinkType is the link-layer header type (a DLT_ value) of the packets.
	LinkType pcap.LinkType
	// Snaplen is returned for accepted packets; 0 means DefaultSnaplen.
	Snaplen uint32
	// Netmask is the IPv4 netmask for "ip broadcast"; 0 means unknown
	// (PCAP_NETMASK_UNKNOWN, as pcap_compile's callers usually pass and
	// "ip broadcast" is then an error) unless NetmaskSet is true.
	Netmask uint32
	// NetmaskSet makes a zero Netmask a known netmask of 0.0.0.0, which is
	// what tcpdump -r passes to pcap_compile.
	NetmaskSet bool
	// Optimize runs libpcap's optimizer on the generated code.
	Optimize bool
	// Offline selects libpcap's code for capture files (as pcap_open_offline
	// sets BPF_OFFLINE_AF_HANDLING): on NULL and LOOP links an address
	// family matches any of the values operating systems use, in either
	// byte order. Without it the code is that of a live Linux capture
	// (pcap_open_dead, tcpdump -d -y), as the bytecode oracle expects.
	Offline bool
	// Swapped tells an Offline compilation that the file's byte order is
	// not the host's; it only orders the NULL link's two checks.
	Swapped bool
}

// Error is a compile error: libpcap's message and, for syntax errors, the
// byte offset in the expression where parsing stopped (-1 otherwise).
type Error struct {
	Pos int
	Msg string
}

func (e *Error) Error() string { return e.Msg }

// Compile compiles expr for the link type in opts and returns the program.
// The empty expression accepts every packet.
func Compile(expr string, opts Options) (prog []cbpf.Instruction, err error) {
	snaplen := opts.Snaplen
	if snaplen == 0 {
		snaplen = DefaultSnaplen
	}
	netmask := opts.Netmask
	if netmask == 0 && !opts.NetmaskSet {
		netmask = netmaskUnknown
	}
	toks, lerr := lex(expr)
	if lerr != nil {
		return nil, &Error{Pos: -1, Msg: "syntax error"}
	}
	c := newCompiler(opts.LinkType, snaplen, netmask, systemNames())
	c.offline, c.swapped = opts.Offline, opts.Swapped
	p := &parser{c: c, toks: toks}
	defer func() {
		if r := recover(); r != nil {
			switch e := r.(type) {
			case *syntaxError:
				prog, err = nil, &Error{Pos: e.pos, Msg: "syntax error"}
			case *compileError:
				prog, err = nil, &Error{Pos: -1, Msg: e.msg}
			default:
				panic(r)
			}
		}
	}()
	p.parseProg()
	if c.root == nil {
		c.root = newBlock(bRET|bK, snaplen)
	}
	if opts.Optimize && !c.noOptimize {
		if err := optimize(c); err != nil {
			return nil, err
		}
		if c.root == nil || (c.root.s.code == bRET|bK && c.root.s.k == 0) {
			return nil, &Error{Pos: -1, Msg: "expression rejects all packets"}
		}
	}
	out, cerr := toInstructions(c.root)
	if cerr != nil {
		return nil, &Error{Pos: -1, Msg: cerr.Error()}
	}
	if err := cbpf.Validate(out); err != nil {
		return nil, &Error{Pos: -1, Msg: fmt.Sprintf("internal error: generated program invalid: %v", err)}
	}
	return out, nil
}
