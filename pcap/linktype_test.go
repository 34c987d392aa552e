package pcap

import (
	"encoding/binary"
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

func TestLinkTypeNames(t *testing.T) {
	for _, c := range []struct {
		lt          LinkType
		name, desc  string
		str         string
		lookup      string
		fileValue   uint32
		hasFileType bool
	}{
		{LinkTypeEN10MB, "EN10MB", "Ethernet", "EN10MB (Ethernet)", "en10mb", 1, true},
		{LinkTypeLINUX_SLL, "LINUX_SLL", "Linux cooked v1", "LINUX_SLL (Linux cooked v1)", "DLT_LINUX_SLL", 113, true},
		{LinkTypeRAW, "RAW", "Raw IP", "RAW (Raw IP)", "raw", 101, true},
		{LinkTypeATM_RFC1483, "ATM_RFC1483", "RFC 1483 LLC-encapsulated ATM", "ATM_RFC1483 (RFC 1483 LLC-encapsulated ATM)", "atm_rfc1483", 100, true},
		{LinkTypeATM_CLIP, "ATM_CLIP", "Linux Classical IP over ATM", "ATM_CLIP (Linux Classical IP over ATM)", "ATM_CLIP", 106, true},
		{LinkTypePKTAP, "PKTAP", "Apple DLT_PKTAP", "PKTAP (Apple DLT_PKTAP)", "pktap", 258, true},
		{LinkType(3145728), "", "", "3145728", "", 0, false},
		{LinkType(14), "", "", "14", "", 0, false},
	} {
		if c.lt.Name() != c.name || c.lt.Description() != c.desc || c.lt.String() != c.str {
			t.Errorf("%d: %q %q %q, want %q %q %q", uint32(c.lt), c.lt.Name(), c.lt.Description(), c.lt.String(), c.name, c.desc, c.str)
		}
		if c.lookup != "" {
			if lt, ok := LinkTypeByName(c.lookup); !ok || lt != c.lt {
				t.Errorf("LinkTypeByName(%q) = %v, %v", c.lookup, lt, ok)
			}
		}
		if v, ok := c.lt.FileValue(); v != c.fileValue || ok != c.hasFileType {
			t.Errorf("%v.FileValue() = %d, %v, want %d, %v", c.lt, v, ok, c.fileValue, c.hasFileType)
		}
	}
	if _, ok := LinkTypeByName("no such type"); ok {
		t.Errorf("LinkTypeByName found a type for an unknown name")
	}
	// Every named type that has a file value converts back to itself.
	for _, e := range linkTypeTable {
		if v, ok := e.lt.FileValue(); ok && linkTypeFromFile(v) != e.lt {
			t.Errorf("%v: file value %d reads back as %v", e.lt, v, linkTypeFromFile(v))
		}
	}
}

// TestLinkTypeTableMatchesLibpcap compares the name table with libpcap's
// pcap_datalink_val_to_name and pcap_datalink_val_to_description.
func TestLinkTypeTableMatchesLibpcap(t *testing.T) {
	bin := buildOracle(t)
	out, err := exec.Command(bin, "names").Output()
	if err != nil {
		t.Fatal(err)
	}
	var want, got strings.Builder
	want.Write(out)
	for v := range 65536 {
		lt := LinkType(v)
		if lt.Name() != "" {
			fmt.Fprintf(&got, "%d\t%s\t%s\n", v, lt.Name(), lt.Description())
		}
	}
	if want.String() != got.String() {
		t.Errorf("link type names differ from libpcap at %s", firstDifference(want.String(), got.String()))
	}
}

// TestOracleLinkTypeValues checks the LINKTYPE_ to DLT_ conversion of pcap
// and pcapng headers against libpcap for every 16-bit value and some larger.
func TestOracleLinkTypeValues(t *testing.T) {
	bin := buildOracle(t)
	var names []string
	var blobs [][]byte
	values := []uint32{1 << 16, 0x300000, 0x03FFFFFF, 0x04000001, 0xF0000069, 0xFFFFFFFF}
	for v := range uint32(1 << 16) {
		if v < 1024 || v%97 == 0 {
			values = append(values, v)
		}
	}
	for _, v := range values {
		names = append(names, fmt.Sprintf("pcap-%d", v))
		blobs = append(blobs, newPcap(binary.LittleEndian, magicMicro, 2, 4, 100, v).buf)
		if v <= 0xFFFF {
			names = append(names, fmt.Sprintf("pcapng-%d", v))
			blobs = append(blobs, be().shb(1, 0).idb(uint16(v), 0).buf)
		}
	}
	want := runOracleBlobs(t, bin, names, blobs)
	for i, n := range names {
		if got := describeReader(strings.NewReader(string(blobs[i]))); got != want[n] {
			t.Errorf("%s: libpcap %q, pcap %q", n, want[n], got)
		}
	}
}
