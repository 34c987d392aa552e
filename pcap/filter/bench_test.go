package filter

import (
	"testing"

	"github.com/gbpf/gbpf/pcap"
)

var benchFilters = []struct{ name, expr string }{
	{"tcp_dst_port_22", "tcp dst port 22"},
	{"host_and_not_udp", "host 10.0.0.1 and not udp"},
	{"tcp_syn", "tcp[tcpflags] & tcp-syn != 0"},
	{"web_dns_not_private", "(tcp port 80 or tcp port 443 or udp port 53) and not net 192.168.0.0/16"},
	{"vlan_and_ip6", "vlan and ip6"},
	{"len_gt_1500", "len > 1500"},
}

// BenchmarkCompile measures compiling (with the optimizer) the benchmark
// filters of issue 5 for Ethernet.
func BenchmarkCompile(b *testing.B) {
	for _, f := range benchFilters {
		b.Run(f.name, func(b *testing.B) {
			opts := Options{LinkType: pcap.LinkTypeEN10MB, Optimize: true}
			if _, err := Compile(f.expr, opts); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := Compile(f.expr, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
