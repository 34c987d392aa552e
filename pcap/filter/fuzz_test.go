package filter

import (
	"testing"

	"github.com/gbpf/gbpf/cbpf"
	"github.com/gbpf/gbpf/pcap"
)

var fuzzLinkTypes = []pcap.LinkType{pcap.LinkTypeEN10MB, pcap.LinkTypeRAW, pcap.LinkTypeLINUX_SLL,
	pcap.LinkTypeLINUX_SLL2, pcap.LinkTypeNULL, pcap.LinkTypeIEEE802_11, pcap.LinkTypeIEEE802_11_RADIO,
	pcap.LinkTypePPP, pcap.LinkTypeIPV4, pcap.LinkTypeIPV6}

// FuzzCompile checks that Compile never panics, returns either an error or
// a program, and that every program passes cbpf validation.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{"tcp dst port 22", "host 10.0.0.1 and not udp", "tcp[tcpflags] & tcp-syn != 0",
		"(tcp port 80 or tcp port 443 or udp port 53) and not net 192.168.0.0/16", "len > 1500",
		"ip6 host ::1", "ether host ff:ff:ff:ff:ff:ff", "type mgt subtype beacon", "ip[2:2] % 0 = 1",
		"((((((((((((((((((((tcp))))))))))))))))))))", "((((((len)))))) > 1", "ip6 protochain 17", "geneve and vlan 10 and ip"} {
		f.Add(s, uint8(0), true)
	}
	f.Fuzz(func(t *testing.T, expr string, lt uint8, opt bool) {
		prog, err := Compile(expr, Options{LinkType: fuzzLinkTypes[int(lt)%len(fuzzLinkTypes)], Optimize: opt})
		if (err == nil) == (prog == nil) {
			t.Fatalf("%q: program %v and error %v", expr, prog, err)
		}
		if err == nil {
			if verr := cbpf.Validate(prog); verr != nil {
				t.Fatalf("%q: invalid program: %v", expr, verr)
			}
		}
	})
}
