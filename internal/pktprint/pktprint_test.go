package pktprint

import (
	"io"
	"os"
	"testing"
	"time"

	"github.com/gbpf/gbpf/pcap"
)

func readAll(t *testing.T, name string) []pcap.Packet {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pcap.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var ps []pcap.Packet
	for {
		p, err := r.Next()
		if err == io.EOF {
			return ps
		}
		if err != nil {
			t.Fatal(err)
		}
		p.Data = append([]byte(nil), p.Data...)
		ps = append(ps, p)
	}
}

// TestLines compares with what tcpdump 4.99.3 printed for
// testdata/basic.pcap (tcpdump -nn -tt, -nn -e -t, -nn -q -t). Packets 6
// (DNS with no payload) and 9 (OSPF) are protocols this package does not
// decode, where tcpdump says more; the table gives this package's generic
// line for them.
func TestLines(t *testing.T) {
	pkts := readAll(t, "testdata/basic.pcap")
	cases := []struct {
		opts Options
		want []string
	}{
		{Options{Time: TimeUnix}, []string{
			"1700000000.123456 IP 10.0.0.1.40000 > 10.0.0.2.22: Flags [S], seq 1000, win 64240, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0",
			"1700000001.123456 IP 10.0.0.2.22 > 10.0.0.1.40000: Flags [S.], seq 5000, ack 1001, win 65160, options [mss 1460], length 0",
			"1700000002.123456 IP 10.0.0.1.40000 > 10.0.0.2.22: Flags [P.], seq 1:6, ack 1, win 502, length 5",
			"1700000003.123456 IP 10.0.0.1.5555 > 10.0.0.2.9999: UDP, length 6",
			"1700000004.123456 IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 1, length 16",
			"1700000005.123456 ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28",
			"1700000006.123456 IP 10.0.0.1.53 > 10.0.0.2.53: UDP, length 0",
			"1700000007.123456 IP6 fe80::1 > ff02::1:ff00:2: ICMP6, neighbor solicitation, who has fe80::2, length 24",
			"1700000008.123456 IP 10.0.0.1 > 10.0.0.2: ip-proto-17",
			"1700000009.123456 IP 10.0.0.1 > 10.0.0.2: ip-proto-89 12",
			"1700000010.123456 IP 10.0.0.1.40000 > 10.0.0.2.22: Flags [F.], seq 1, ack 1, win 502, length 0",
		}},
		{Options{Time: TimeNone, LinkHeader: true}, []string{
			"02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 74: 10.0.0.1.40000 > 10.0.0.2.22: Flags [S], seq 1000, win 64240, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0",
			"02:00:00:00:00:02 > 02:00:00:00:00:01, ethertype IPv4 (0x0800), length 58: 10.0.0.2.22 > 10.0.0.1.40000: Flags [S.], seq 5000, ack 1001, win 65160, options [mss 1460], length 0",
			"02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 59: 10.0.0.1.40000 > 10.0.0.2.22: Flags [P.], seq 1:6, ack 1, win 502, length 5",
			"02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 48: 10.0.0.1.5555 > 10.0.0.2.9999: UDP, length 6",
			"02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 50: 10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 1, length 16",
			"02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.0.0.2 tell 10.0.0.1, length 28",
			"02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype 802.1Q (0x8100), length 46: vlan 42, p 3, ethertype IPv4 (0x0800), 10.0.0.1.53 > 10.0.0.2.53: UDP, length 0",
			"02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv6 (0x86dd), length 78: fe80::1 > ff02::1:ff00:2: ICMP6, neighbor solicitation, who has fe80::2, length 24",
			"02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 62: 10.0.0.1 > 10.0.0.2: ip-proto-17",
			"02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 46: 10.0.0.1 > 10.0.0.2: ip-proto-89 12",
			"02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 74: 10.0.0.1.40000 > 10.0.0.2.22: Flags [F.], seq 1, ack 1, win 502, length 0",
		}},
		{Options{Time: TimeNone, Quiet: true}, []string{
			"IP 10.0.0.1.40000 > 10.0.0.2.22: tcp 0",
			"IP 10.0.0.2.22 > 10.0.0.1.40000: tcp 0",
			"IP 10.0.0.1.40000 > 10.0.0.2.22: tcp 5",
			"IP 10.0.0.1.5555 > 10.0.0.2.9999: UDP, length 6",
			"IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 1, length 16",
			"ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28",
			"IP 10.0.0.1.53 > 10.0.0.2.53: UDP, length 0",
			"IP6 fe80::1 > ff02::1:ff00:2: ICMP6, neighbor solicitation, who has fe80::2, length 24",
			"IP 10.0.0.1 > 10.0.0.2: ip-proto-17",
			"IP 10.0.0.1 > 10.0.0.2: ip-proto-89 12",
			"IP 10.0.0.1.40000 > 10.0.0.2.22: tcp 0",
		}},
	}
	for _, c := range cases {
		p := New(c.opts)
		if len(pkts) != len(c.want) {
			t.Fatalf("%d packets, %d lines", len(pkts), len(c.want))
		}
		for i, pkt := range pkts {
			if got := p.Line(pkt); got != c.want[i] {
				t.Errorf("%+v packet %d:\n got %s\nwant %s", c.opts, i, got, c.want[i])
			}
		}
	}
}

// TestTimeFormats checks the -t variants, including deltas.
func TestTimeFormats(t *testing.T) {
	pkts := []pcap.Packet{
		{Seconds: 1361796995, Nanoseconds: 701161000},
		{Seconds: 1361796995, Nanoseconds: 701661999},
		{Seconds: 1361800595, Nanoseconds: 0},
	}
	cases := []struct {
		tf   TimeFormat
		want []string
	}{
		{TimeOfDay, []string{"12:56:35.701161 ", "12:56:35.701661 ", "13:56:35.000000 "}},
		{TimeNone, []string{"", "", ""}},
		{TimeUnix, []string{"1361796995.701161 ", "1361796995.701661 ", "1361800595.000000 "}},
		{TimeDelta, []string{" 00:00:00.000000 ", " 00:00:00.000500 ", " 00:59:59.298339 "}},
		{TimeDate, []string{"2013-02-25 12:56:35.701161 ", "2013-02-25 12:56:35.701661 ", "2013-02-25 13:56:35.000000 "}},
		{TimeSinceFirst, []string{" 00:00:00.000000 ", " 00:00:00.000500 ", " 00:59:59.298839 "}},
	}
	for _, c := range cases {
		p := New(Options{Time: c.tf, Location: time.UTC})
		for i, pkt := range pkts {
			pkt.LinkType = pcap.LinkTypeEN10MB
			want := c.want[i] + "[|ether]"
			if got := p.Line(pkt); got != want {
				t.Errorf("format %d packet %d: %q, want %q", c.tf, i, got, want)
			}
		}
	}
}

// FuzzLine feeds arbitrary bytes as packets of each supported link type:
// no panic, and always a line.
func FuzzLine(f *testing.F) {
	for _, p := range readAllF(f, "testdata/basic.pcap") {
		f.Add(uint8(pcap.LinkTypeEN10MB), p.Data, uint16(p.Length))
		f.Add(uint8(pcap.LinkTypeRAW), p.Data[14:], uint16(p.Length-14))
	}
	f.Fuzz(func(t *testing.T, lt uint8, data []byte, wire uint16) {
		types := []pcap.LinkType{pcap.LinkTypeEN10MB, pcap.LinkTypeRAW, pcap.LinkTypeNULL, pcap.LinkTypeLOOP,
			pcap.LinkTypeLINUX_SLL, pcap.LinkTypeLINUX_SLL2, pcap.LinkTypePPP, pcap.LinkTypeIPV4, pcap.LinkTypeIPV6}
		p := New(Options{LinkHeader: lt&0x80 != 0, Quiet: lt&0x40 != 0, Time: TimeUnix})
		pkt := pcap.Packet{Data: data, CaptureLength: len(data), Length: int(wire), LinkType: types[int(lt&0x3f)%len(types)]}
		if p.Line(pkt) == "" {
			t.Fatal("empty line")
		}
		p.Line(pkt) // a second time: the TCP state is now set
	})
}

func readAllF(f *testing.F, name string) []pcap.Packet {
	fh, err := os.Open(name)
	if err != nil {
		f.Fatal(err)
	}
	defer fh.Close()
	r, err := pcap.NewReader(fh)
	if err != nil {
		f.Fatal(err)
	}
	var ps []pcap.Packet
	for {
		p, err := r.Next()
		if err != nil {
			return ps
		}
		p.Data = append([]byte(nil), p.Data...)
		ps = append(ps, p)
	}
}
