package cbpf

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// missing skips the test with reason, or fails it under CI=true, where every
// tool and input is expected to be present.
func missing(t testing.TB, reason string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("required under CI=true: %s", reason)
	}
	t.Skip(reason)
}

// sharedDir is ../shared relative to the repository root.
func sharedDir(t testing.TB) string {
	t.Helper()
	for _, d := range []string{"../../shared", "/work/shared"} {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d
		}
	}
	missing(t, "../shared (captures and libpcap filter tests) not found")
	return ""
}

// needTcpdump returns the path of tcpdump or skips.
func needTcpdump(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("tcpdump")
	if err != nil {
		missing(t, "tcpdump not installed")
	}
	return p
}

// tcpdumpOut runs tcpdump with args and returns its stdout.
func tcpdumpOut(t testing.TB, args ...string) string {
	t.Helper()
	cmd := exec.Command(needTcpdump(t), args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tcpdump %q: %v: %s", args, err, stderr.String())
	}
	return string(out)
}

// readExpressions reads testdata/expressions.txt.
func readExpressions(t testing.TB) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "expressions.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// packet is one record of a capture file.
type packet struct {
	data    []byte
	wireLen uint32
}

// readPcap reads a classic pcap file (either byte order, microsecond or
// nanosecond timestamps). It is a minimal reader for tests only.
func readPcap(path string) (linkType uint32, pkts []packet, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, nil, err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	var hdr [24]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, nil, fmt.Errorf("%s: file header: %w", path, err)
	}
	var bo binary.ByteOrder
	switch binary.LittleEndian.Uint32(hdr[:4]) {
	case 0xa1b2c3d4, 0xa1b23c4d:
		bo = binary.LittleEndian
	case 0xd4c3b2a1, 0x4d3cb2a1:
		bo = binary.BigEndian
	default:
		return 0, nil, fmt.Errorf("%s: not a pcap file", path)
	}
	linkType = bo.Uint32(hdr[20:24]) & 0x0fffffff
	for {
		var rec [16]byte
		if _, err := io.ReadFull(r, rec[:]); err != nil {
			if errors.Is(err, io.EOF) {
				return linkType, pkts, nil
			}
			return 0, nil, fmt.Errorf("%s: record header: %w", path, err)
		}
		capLen := bo.Uint32(rec[8:12])
		if capLen > 1<<26 {
			return 0, nil, fmt.Errorf("%s: record of %d bytes", path, capLen)
		}
		data := make([]byte, capLen)
		if _, err := io.ReadFull(r, data); err != nil {
			return 0, nil, fmt.Errorf("%s: record data: %w", path, err)
		}
		pkts = append(pkts, packet{data: data, wireLen: bo.Uint32(rec[12:16])})
	}
}

// loadMerged returns the packets of captures/merged-en10mb.pcap.
func loadMerged(t testing.TB) []packet {
	t.Helper()
	path := filepath.Join(sharedDir(t), "pcap", "captures", "merged-en10mb.pcap")
	if _, err := os.Stat(path); err != nil {
		missing(t, "merged-en10mb.pcap not found")
	}
	lt, pkts, err := readPcap(path)
	if err != nil {
		t.Fatal(err)
	}
	if lt != 1 {
		t.Fatalf("%s: link type %d, want 1 (EN10MB)", path, lt)
	}
	return pkts
}

// compileTcpdump returns the program `tcpdump -dd -y EN10MB expr` prints.
func compileTcpdump(t testing.TB, expr string) []Instruction {
	t.Helper()
	insns, err := ParseC(tcpdumpOut(t, "-dd", "-y", "EN10MB", expr))
	if err != nil {
		t.Fatalf("%q: %v", expr, err)
	}
	return insns
}

// writePcap writes a little-endian microsecond pcap file with snaplen 262144.
func writePcap(path string, linkType uint32, pkts []packet) error {
	var b []byte
	b = binary.LittleEndian.AppendUint32(b, 0xa1b2c3d4)
	b = binary.LittleEndian.AppendUint16(b, 2)
	b = binary.LittleEndian.AppendUint16(b, 4)
	b = append(b, make([]byte, 8)...)
	b = binary.LittleEndian.AppendUint32(b, 262144)
	b = binary.LittleEndian.AppendUint32(b, linkType)
	for i, p := range pkts {
		b = binary.LittleEndian.AppendUint32(b, uint32(i))
		b = binary.LittleEndian.AppendUint32(b, 0)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(p.data)))
		b = binary.LittleEndian.AppendUint32(b, p.wireLen)
		b = append(b, p.data...)
	}
	return os.WriteFile(path, b, 0o600)
}

// craftedEN10MB writes the packets of every capture that manifest.tsv lists
// as classic pcap, EN10MB, readable, and named as crafted, into one file in a
// temporary directory, and returns its path.
func craftedEN10MB(t testing.TB, root string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "manifest.tsv"))
	if err != nil {
		missing(t, "captures/manifest.tsv: "+err.Error())
	}
	var all []packet
	files := 0
	for _, l := range strings.Split(string(data), "\n")[1:] {
		f := strings.Split(l, "\t")
		if len(f) < 10 || f[1] != "pcap" || f[2] != "EN10MB" || f[8] != "ok" || f[9] == "" {
			continue
		}
		_, pkts, err := readPcap(filepath.Join(root, f[0]))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pkts {
			if len(p.data) <= 262144 {
				all = append(all, p)
			}
		}
		files++
	}
	path := filepath.Join(t.TempDir(), "crafted-en10mb.pcap")
	if err := writePcap(path, 1, all); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d packets from %d crafted EN10MB captures", len(all), files)
	return path
}
