package filter_test

import (
	"fmt"

	"github.com/gbpf/gbpf/cbpf"
	"github.com/gbpf/gbpf/pcap"
	"github.com/gbpf/gbpf/pcap/filter"
)

// Compile a filter for Ethernet captures and print it as tcpdump -d does.
func ExampleCompile() {
	prog, err := filter.Compile("tcp dst port 22", filter.Options{LinkType: pcap.LinkTypeEN10MB, Optimize: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(cbpf.Disasm(prog))
	// Output:
	// (000) ldh      [12]
	// (001) jeq      #0x86dd          jt 2	jf 6
	// (002) ldb      [20]
	// (003) jeq      #0x6             jt 4	jf 15
	// (004) ldh      [56]
	// (005) jeq      #0x16            jt 14	jf 15
	// (006) jeq      #0x800           jt 7	jf 15
	// (007) ldb      [23]
	// (008) jeq      #0x6             jt 9	jf 15
	// (009) ldh      [20]
	// (010) jset     #0x1fff          jt 15	jf 11
	// (011) ldxb     4*([14]&0xf)
	// (012) ldh      [x + 16]
	// (013) jeq      #0x16            jt 14	jf 15
	// (014) ret      #262144
	// (015) ret      #0
}

// Errors use libpcap's words.
func ExampleCompile_error() {
	_, err := filter.Compile("vlan", filter.Options{LinkType: pcap.LinkTypeRAW})
	fmt.Println(err)
	_, err = filter.Compile("tcp and", filter.Options{LinkType: pcap.LinkTypeEN10MB})
	fmt.Println(err)
	_, err = filter.Compile("tcp and udp", filter.Options{LinkType: pcap.LinkTypeEN10MB, Optimize: true})
	fmt.Println(err)
	// Output:
	// 'vlan' not supported on RAW
	// syntax error
	// expression rejects all packets
}
