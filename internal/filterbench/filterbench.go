// Package filterbench measures gbpf's packet filter engines against libpcap's
// and golang.org/x/net/bpf's over one capture held in memory. Its tests check
// that every engine gives the same verdict on every packet, and its benchmarks
// report the time per packet of each (filter, engine) pair in one go test run:
//
//	go test -run '^$' -bench . -benchtime 2s ./internal/filterbench
//
// The engines are gbpf's classic BPF interpreter (cbpf.Program.Run), gbpf's
// eBPF interpreter running the filter translated by cbpf.ToEBPFMem
// (vm.Program.Run), libpcap's pcap_offline_filter (through the test-only
// package libpcap, one C call per pass over the capture) and
// golang.org/x/net/bpf's VM.
//
// This package holds the filter list and the loading of the capture; the
// tests and benchmarks live in its _test.go files.
package filterbench

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gbpf/gbpf/pcap"
)

// Filters are the benchmarked expressions, from 4 to about 45 instructions
// once compiled for Ethernet.
var Filters = []string{
	"tcp dst port 22",
	"host 10.0.0.1 and not udp",
	"tcp[tcpflags] & tcp-syn != 0",
	"(tcp port 80 or tcp port 443 or udp port 53) and not net 192.168.0.0/16",
	"vlan and ip6",
	"len > 1500",
}

// Snaplen is the snapshot length the filters are compiled for, that of
// tcpdump and of pcap_open_dead in the libpcap benchmark.
const Snaplen = 262144

// Capture is a capture file's packets held in memory, all in one buffer:
// packet i is Data[Offsets[i]:Offsets[i]+CapLens[i]] and was WireLens[i]
// bytes long on the wire.
type Capture struct {
	LinkType pcap.LinkType
	Data     []byte
	Offsets  []uint32
	CapLens  []uint32
	WireLens []uint32
}

// Len returns the number of packets.
func (c *Capture) Len() int { return len(c.Offsets) }

// Packet returns the captured bytes of packet i and its length on the wire.
func (c *Capture) Packet(i int) ([]byte, uint32) {
	off := c.Offsets[i]
	return c.Data[off : off+c.CapLens[i] : off+c.CapLens[i]], c.WireLens[i]
}

// Load reads every packet of the capture file at path into memory. It fails
// if the file cannot be read, or if its packets are not all of one link type.
func Load(path string) (*Capture, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := pcap.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c := &Capture{LinkType: r.LinkType()}
	for i := 0; ; i++ {
		p, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: packet %d: %w", path, i+1, err)
		}
		if p.LinkType != c.LinkType {
			return nil, fmt.Errorf("%s: packet %d: link type %d, the file's first is %d", path, i+1, p.LinkType, c.LinkType)
		}
		if uint64(len(c.Data))+uint64(len(p.Data)) > 1<<32-1 {
			return nil, fmt.Errorf("%s: packet %d: capture larger than 4 GiB", path, i+1)
		}
		c.Offsets = append(c.Offsets, uint32(len(c.Data)))
		c.CapLens = append(c.CapLens, uint32(len(p.Data)))
		c.WireLens = append(c.WireLens, uint32(p.Length))
		c.Data = append(c.Data, p.Data...)
	}
	return c, nil
}
