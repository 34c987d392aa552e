package pcap_test

import (
	"bytes"
	"fmt"
	"io"
	"log"

	"github.com/gbpf/gbpf/pcap"
)

// A capture written with Writer and read back with NewReader.
func ExampleNewReader() {
	var file bytes.Buffer
	w, err := pcap.NewWriter(&file, pcap.LinkTypeEN10MB, pcap.WriterOptions{Nanosecond: true})
	if err != nil {
		log.Fatal(err)
	}
	for i := range 3 {
		frame := make([]byte, 60)
		if err := w.WritePacket(pcap.Packet{Seconds: 1700000000 + int64(i), Nanoseconds: 5, Data: frame, Length: 1514}); err != nil {
			log.Fatal(err)
		}
	}

	r, err := pcap.NewReader(&file)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%v, link-type %v, snapshot length %d\n", r.Format(), r.LinkType(), r.Snaplen())
	for {
		p, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%d.%09d %d/%d bytes\n", p.Seconds, p.Nanoseconds, p.CaptureLength, p.Length)
	}
	// Output:
	// pcap-nsec, link-type EN10MB (Ethernet), snapshot length 262144
	// 1700000000.000000005 60/1514 bytes
	// 1700000001.000000005 60/1514 bytes
	// 1700000002.000000005 60/1514 bytes
}

// A Copier keeps some packets of a pcapng file, which stays pcapng with its
// section and interface blocks.
func ExampleCopier() {
	var in bytes.Buffer
	w, err := pcap.NewNgWriter(&in, pcap.NgWriterOptions{Application: "example"})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := w.AddInterface(pcap.LinkTypeRAW, 0); err != nil {
		log.Fatal(err)
	}
	for i := range 4 {
		if err := w.WritePacket(pcap.Packet{Seconds: int64(i), Data: []byte{0x45, byte(i)}}); err != nil {
			log.Fatal(err)
		}
	}

	r, err := pcap.NewReader(&in)
	if err != nil {
		log.Fatal(err)
	}
	var out bytes.Buffer
	c, err := pcap.NewCopier(&out, r)
	if err != nil {
		log.Fatal(err)
	}
	for {
		p, err := c.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		if p.Seconds%2 == 0 {
			if err := c.Keep(); err != nil {
				log.Fatal(err)
			}
		}
	}

	back, err := pcap.NewReader(&out)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(back.Format(), back.LinkType())
	for {
		p, err := back.Next()
		if err != nil {
			break
		}
		fmt.Println(p.Seconds, p.Data)
	}
	// Output:
	// pcapng RAW (Raw IP)
	// 0 [69 0]
	// 2 [69 2]
}

func ExampleLinkTypeByName() {
	lt, ok := pcap.LinkTypeByName("linux_sll2")
	fmt.Println(uint32(lt), ok, lt.Name(), lt.Description())
	fmt.Println(pcap.LinkType(3145728))
	// Output:
	// 276 true LINUX_SLL2 Linux cooked v2
	// 3145728
}
