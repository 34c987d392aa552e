package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gbpf/gbpf/pcap"
)

var updateFilterGolden = flag.Bool("update-filter", false, "rewrite testdata/filter golden files from tcpdump")

// capture returns the path of a capture in ../shared/pcap/captures.
func capture(t *testing.T, rel string) string {
	t.Helper()
	p := filepath.Join(sharedDir(t), "pcap", "captures", rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("capture %s is missing: %v", rel, err)
	}
	return p
}

// readPackets reads every packet of a capture file.
func readPackets(t *testing.T, data []byte) (pcap.Format, []pcap.Packet) {
	t.Helper()
	r, err := pcap.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("output is not a capture file: %v", err)
	}
	var ps []pcap.Packet
	for {
		p, err := r.Next()
		if err == io.EOF {
			return r.Format(), ps
		}
		if err != nil {
			t.Fatalf("output unreadable after %d packets: %v", len(ps), err)
		}
		p.Data = append([]byte(nil), p.Data...)
		ps = append(ps, p)
	}
}

// writeCases are (capture, expression) pairs for the -w comparison.
var writeCases = []struct{ file, expr string }{
	{"tcpdump/mptcp-v0.pcap", "tcp"},
	{"tcpdump/mptcp-v0.pcap", "tcp[tcpflags] & tcp-syn != 0"},
	{"tcpdump/mptcp-v0.pcap", "src host 10.2.1.2 and dst port 22"},
	{"tcpdump/mptcp-v0.pcap", "udp"}, // matches nothing
	{"tcpdump/mptcp-v0.pcap", ""},
	{"tcpdump/bgp-4byte-asn.pcap", "arp"},
	{"tcpdump/bgp-4byte-asn.pcap", "tcp port 179 and greater 100"},
	{"tcpdump/dhcp-rfc4388.pcap", "icmp or arp"},
	{"tcpdump/dhcp-rfc4388.pcap", "udp port 67"},
	{"tcpdump/dcb_ets.pcap", "ip6"},
	{"tcpdump/dcb_ets.pcap", "ether proto 0x88cc"},
	{"tcpdump/afs.pcap", "ip[6:2] & 0x1fff != 0"},
	{"tcpdump/afs.pcap", "udp and len > 1000"},
	{"tcpdump/various_gre.pcap", "vlan"},
	{"tcpdump/various_gre.pcap", "proto gre"},
	{"tcpdump/geneve.pcap", "udp port 6081 and ip[2:2] > 100"},
	{"tcpdump/forces2.pcap", "sctp"},
	{"tcpdump/babel_rtt.pcap", "ip6 and udp"},
	{"tcpdump/quic_vn.pcap", "ip6 and src port 443"},
	{"tcpdump/resp_1_benchmark.pcap", "tcp dst port 6379"},
	{"tcpdump/OSPFv2_Capture_FINAL.pcapng", "ip proto 89"},
	{"tcpdump/nhrp.pcapng", "host 100.1.2.27"},
	{"tcpdump/of13_ericsson.pcapng", "tcp[13] & 8 != 0"},
	{"tcpdump/of13_ericsson.pcapng", "icmp"}, // matches nothing
}

// TestFilterWriteMatchesTcpdump checks that -w writes exactly the packets
// tcpdump -w writes. For pcap input the files are byte-identical (tcpdump
// writes the same header and records); nanosecond input is produced and
// compared with tcpdump --time-stamp-precision=nano. tcpdump writes pcapng
// input as pcap, so there the output must stay pcapng and hold the same
// packets.
func TestFilterWriteMatchesTcpdump(t *testing.T) {
	tcpdump := requireTool(t, "tcpdump")
	dir := t.TempDir()
	n := 0
	for _, nano := range []bool{false, true} {
		for i, c := range writeCases {
			if nano && i%3 != 0 {
				continue
			}
			n++
			name := fmt.Sprintf("%s %q nano=%v", c.file, c.expr, nano)
			in := capture(t, c.file)
			var prec []string
			if nano {
				if strings.HasSuffix(in, ".pcapng") {
					continue
				}
				prec = []string{"--time-stamp-precision=nano"}
				conv := filepath.Join(dir, fmt.Sprintf("nano%d.pcap", i))
				if out, err := exec.Command(tcpdump, append(prec, "-r", in, "-w", conv)...).CombinedOutput(); err != nil {
					t.Fatalf("tcpdump nano conversion: %v\n%s", err, out)
				}
				in = conv
			}
			want := filepath.Join(dir, fmt.Sprintf("want%d-%v.pcap", i, nano))
			args := append(append([]string{}, prec...), "-r", in, "-w", want)
			if c.expr != "" {
				args = append(args, c.expr)
			}
			if out, err := exec.Command(tcpdump, args...).CombinedOutput(); err != nil {
				t.Fatalf("%s: tcpdump: %v\n%s", name, err, out)
			}
			wantData, err := os.ReadFile(want)
			if err != nil {
				t.Fatal(err)
			}
			got := filepath.Join(dir, fmt.Sprintf("got%d-%v", i, nano))
			_, errs, st := gbpf(t, "filter", "-r", in, "-w", got, c.expr)
			if st != 0 || !strings.HasPrefix(errs, "reading from file "+in+", link-type ") {
				t.Fatalf("%s: status %d, stderr %q", name, st, errs)
			}
			gotData, err := os.ReadFile(got)
			if err != nil {
				t.Fatal(err)
			}
			// -w - gives the same bytes on stdout.
			if out, _, st := gbpf(t, "filter", "-w", "-", "-r", in, c.expr); st != 0 || out != string(gotData) {
				t.Errorf("%s: -w - differs from -w FILE (status %d)", name, st)
			}
			format, gotPkts := readPackets(t, gotData)
			_, wantPkts := readPackets(t, wantData)
			if strings.HasSuffix(in, ".pcapng") {
				if format != pcap.FormatPcapNG {
					t.Errorf("%s: output format %v, want pcapng", name, format)
				}
				if len(gotPkts) != len(wantPkts) {
					t.Errorf("%s: %d packets, tcpdump wrote %d", name, len(gotPkts), len(wantPkts))
					continue
				}
				for k := range gotPkts {
					g, w := gotPkts[k], wantPkts[k]
					if !bytes.Equal(g.Data, w.Data) || g.Length != w.Length || g.Seconds != w.Seconds || g.Nanoseconds/1000 != w.Nanoseconds/1000 {
						t.Errorf("%s: packet %d differs from tcpdump's", name, k)
						break
					}
				}
				continue
			}
			if !bytes.Equal(gotData, wantData) {
				t.Errorf("%s: %d bytes (%d packets), tcpdump wrote %d bytes (%d packets)", name, len(gotData), len(gotPkts), len(wantData), len(wantPkts))
			}
		}
	}
	if n < 20 {
		t.Fatalf("only %d comparisons", n)
	}
}

// TestFilterWriteKeepsFormat checks -w without tcpdump: every packet kept
// gives the input back byte for byte (pcapng too), -c limits the count,
// and a filter matching nothing still gives a readable file.
func TestFilterWriteKeepsFormat(t *testing.T) {
	for _, f := range []string{"tcpdump/mptcp-v0.pcap", "tcpdump/nhrp.pcapng", "tcpdump/OSPFv2_Capture_FINAL.pcapng", "tcpdump/ikev2four.pcap"} {
		in := capture(t, f)
		data, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		out, errs, st := gbpf(t, "filter", "-r", in, "-w", "-")
		if st != 0 || out != string(data) {
			t.Errorf("%s: all packets: status %d, stderr %q, identical %v", f, st, errs, out == string(data))
		}
		out, _, st = gbpf(t, "filter", "-c2", "-r", in, "-w", "-")
		if format, ps := readPackets(t, []byte(out)); st != 0 || len(ps) != 2 || (strings.HasSuffix(f, ".pcapng") != (format == pcap.FormatPcapNG)) {
			t.Errorf("%s -c2: status %d, %d packets, format %v", f, st, len(ps), format)
		}
		out, _, st = gbpf(t, "filter", "-r", in, "-w", "-", "len = 1")
		if format, ps := readPackets(t, []byte(out)); st != 0 || len(ps) != 0 || (strings.HasSuffix(f, ".pcapng") != (format == pcap.FormatPcapNG)) {
			t.Errorf("%s matching nothing: status %d, %d packets, format %v", f, st, len(ps), format)
		}
		if _, errs, st := gbpf(t, "filter", "-r", in, "-w", "/dev/null", "tcp"); st != 0 {
			t.Errorf("%s -w /dev/null: status %d, stderr %q", f, st, errs)
		}
	}
	// Standard input.
	in := capture(t, "tcpdump/mptcp-v0.pcap")
	data, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	st := run([]string{"filter", "-r", "-", "-c", "1", "-nn", "-t"}, &env{stdin: bytes.NewReader(data), stdout: &out, stderr: &errb})
	if st != 0 || strings.Count(out.String(), "\n") != 1 || !strings.HasPrefix(errb.String(), "reading from file -, link-type EN10MB (Ethernet), snapshot length 65535") {
		t.Errorf("-r -: status %d, stdout %q, stderr %q", st, out.String(), errb.String())
	}
}

// dumpExprs are compiled with -d/-dd/-ddd -y EN10MB. The golden file holds
// tcpdump 4.99.3 (libpcap 1.10.3)'s output; every expression here is one on
// which 1.10.3 and libpcap master generate the same code.
var dumpExprs = []string{
	"",
	"tcp",
	"tcp port 22",
	"tcp dst port 22",
	"udp port 53",
	"host 10.0.0.1",
	"host 10.0.0.1 and not udp",
	"src net 192.168.0.0/16",
	"ip broadcast",
	"arp",
	"icmp",
	"icmp6",
	"ip6",
	"tcp portrange 1000-2000", // bare portrange differs: 1.10.3 tests sctp first, master tcp
	"tcp[tcpflags] & tcp-syn != 0",
	"len > 1500",
	"less 100",
	"ether host 01:02:03:04:05:06",
	"ether broadcast",
	"(tcp port 80 or tcp port 443 or udp port 53) and not net 192.168.0.0/16",
	"ip[8] < 64",
	"ip proto 89",
	"ip6 and tcp",
}

// TestFilterDump checks -d, -dd and -ddd against the golden output of
// tcpdump, and against the installed tcpdump when there is one.
func TestFilterDump(t *testing.T) {
	golden := filepath.Join("testdata", "filter", "dump.golden")
	var b strings.Builder
	for _, e := range dumpExprs {
		for _, d := range []string{"-d", "-dd", "-ddd"} {
			out, errs, st := gbpf(t, "filter", d, "-y", "EN10MB", e)
			if st != 0 || errs != "" {
				t.Errorf("%s %q: status %d, stderr %q", d, e, st, errs)
			}
			fmt.Fprintf(&b, "== %s %q\n%s", d, e, out)
		}
	}
	got := b.String()
	_, lookErr := exec.LookPath("tcpdump")
	if *updateFilterGolden || lookErr == nil || os.Getenv("CI") == "true" {
		tcpdump := requireTool(t, "tcpdump")
		var w strings.Builder
		for _, e := range dumpExprs {
			for _, d := range []string{"-d", "-dd", "-ddd"} {
				args := []string{d, "-y", "EN10MB"}
				if e != "" {
					args = append(args, e)
				}
				out, err := exec.Command(tcpdump, args...).Output()
				if err != nil {
					t.Fatalf("tcpdump %q: %v", args, err)
				}
				fmt.Fprintf(&w, "== %s %q\n%s", d, e, out)
			}
		}
		if *updateFilterGolden {
			if err := os.WriteFile(golden, []byte(w.String()), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		// The golden file is what the installed tcpdump prints.
		if cur, err := os.ReadFile(golden); err != nil || string(cur) != w.String() {
			t.Errorf("%s differs from the installed tcpdump's output (%v)", golden, err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("line %d: got %q, tcpdump %q", i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("got %d lines, tcpdump %d", len(gl), len(wl))
	}
}

// TestFilterErrors checks that mistakes give one line on stderr, nothing on
// stdout and the right status.
func TestFilterErrors(t *testing.T) {
	in := capture(t, "tcpdump/mptcp-v0.pcap")
	garbage := writeFile(t, "garbage.pcap", "this is not a capture file")
	cases := []struct {
		name   string
		args   []string
		status int
		msg    string
	}{
		{"syntax", []string{"filter", "-r", in, "tcp and"}, 1, "gbpf filter: syntax error"},
		{"rejects all", []string{"filter", "-r", in, "ip and not ip"}, 1, "expression rejects all packets"},
		{"unknown host", []string{"filter", "-d", "-y", "EN10MB", "host no.such.host.invalid"}, 1, "unknown host"},
		{"missing file", []string{"filter", "-r", "/nonexistent.pcap"}, 1, "no such file"},
		{"not a capture", []string{"filter", "-r", garbage}, 1, "gbpf filter: "},
		{"bad dlt", []string{"filter", "-d", "-y", "NOSUCH", "tcp"}, 1, "invalid data link type NOSUCH"},
		{"unknown option", []string{"filter", "-Z", "-r", in}, 2, "unknown option -Z"},
		{"missing value", []string{"filter", "-r"}, 2, "needs a value"},
		{"bad count", []string{"filter", "-c", "x", "-r", in}, 2, "invalid packet count x"},
		{"no input", []string{"filter", "tcp"}, 2, "-r FILE or -i IFACE"},
		{"both inputs", []string{"filter", "-r", in, "-i", "lo"}, 2, "exclude"},
		{"no device", []string{"filter", "-i", "nosuchdev0"}, 1, "nosuchdev0"},
		{"bad output", []string{"filter", "-r", in, "-w", "/nonexistent/dir/out.pcap"}, 1, "no such file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errs, st := gbpf(t, c.args...)
			if st != c.status || out != "" || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, c.msg) {
				t.Errorf("status %d (want %d), stdout %q, stderr %q (want one line with %q)", st, c.status, out, errs, c.msg)
			}
		})
	}
}

// TestFilterOptions checks tcpdump's option syntax: combined letters,
// attached values, options after the expression.
func TestFilterOptions(t *testing.T) {
	cases := []struct {
		args []string
		want filterArgs
	}{
		{[]string{"-nn", "-tttt", "-c5", "-r", "f", "tcp", "port", "22"}, filterArgs{read: "f", count: 5, nflag: 2, tflag: 4, expr: "tcp port 22"}},
		{[]string{"-nnr", "f", "-e", "udp", "-q"}, filterArgs{read: "f", nflag: 2, eflag: 1, qflag: 1, expr: "udp"}},
		{[]string{"-ddd", "-Oy", "RAW", "--", "-x"}, filterArgs{dflag: 3, noOpt: true, dlt: "RAW", expr: "-x"}},
		{[]string{"-i", "lo", "-w-", "-c", "3"}, filterArgs{iface: "lo", write: "-", count: 3}},
	}
	for _, c := range cases {
		got, err := parseFilterArgs(c.args)
		if err != nil || *got != c.want {
			t.Errorf("%q: %+v, %v; want %+v", c.args, got, err, c.want)
		}
	}
}

// summaryFiles are compared line by line with tcpdump -nn; minShare is the
// share of identical lines measured when this test was written (a lower
// bound, so regressions fail).
var summaryFiles = []struct {
	file     string
	minShare float64
}{
	{"tcpdump/bgp-4byte-asn.pcap", 0.60},
	{"tcpdump/resp_1_benchmark.pcap", 0.75},
	{"tcpdump/quic_vn.pcap", 0.99},
	{"tcpdump/dhcp-rfc4388.pcap", 0.30},
	{"tcpdump/of10_s4810.pcap", 0.25},
	{"synthetic/lo-any-sll2.pcap", 0.85},
}

// TestFilterSummaryLines compares the summary lines with tcpdump -nn's and
// keeps our own output as a golden file, so that the printer is tested
// without tcpdump too.
func TestFilterSummaryLines(t *testing.T) {
	for _, sf := range summaryFiles {
		in := capture(t, sf.file)
		t.Run(filepath.Base(sf.file), func(t *testing.T) {
			out, errs, st := gbpf(t, "filter", "-nn", "-r", in)
			if st != 0 {
				t.Fatalf("status %d, stderr %q", st, errs)
			}
			// The golden file has -tt time stamps: it must not depend on
			// the time zone.
			unix, _, _ := gbpf(t, "filter", "-nn", "-tt", "-r", in)
			golden := filepath.Join("testdata", "filter", filepath.Base(sf.file)+".txt")
			if *updateFilterGolden {
				if err := os.WriteFile(golden, []byte(unix), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if unix != string(want) {
				t.Errorf("output differs from %s", golden)
			}
			if _, err := exec.LookPath("tcpdump"); err != nil && os.Getenv("CI") != "true" {
				return
			}
			tcpdump := requireTool(t, "tcpdump")
			tdOut, err := exec.Command(tcpdump, "-nn", "-r", in).Output()
			if err != nil {
				t.Fatalf("tcpdump: %v", err)
			}
			td := summaryLines(string(tdOut))
			got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if len(got) != len(td) {
				t.Fatalf("%d lines, tcpdump printed %d", len(got), len(td))
			}
			same := 0
			for i := range got {
				if got[i] == td[i] {
					same++
				}
			}
			share := float64(same) / float64(len(got))
			t.Logf("%s: %d of %d lines identical (%.1f%%)", sf.file, same, len(got), 100*share)
			if share < sf.minShare {
				t.Errorf("%.1f%% identical lines, want at least %.0f%%", 100*share, 100*sf.minShare)
			}
		})
	}
}

// summaryLines drops tcpdump's continuation lines (hex and multi-line
// protocol detail, which start with white space).
func summaryLines(s string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		if l == "" || l[0] == ' ' || l[0] == '\t' {
			continue
		}
		out = append(out, l)
	}
	return out
}

// lockedBuffer is a bytes.Buffer safe for a writer and a reader in
// different goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestFilterLive captures on the loopback interface with the filter in the
// kernel: of the UDP packets sent to ports 40000 and 40001, exactly the
// three matching ones come out.
func TestFilterLive(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("live capture needs root, which CI=true provides")
		}
		t.Skip("live capture needs root")
	}
	var out, errb lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"filter", "-i", "lo", "-c", "3", "-nn", "udp port 40000"}, &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb})
	}()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(errb.String(), "listening on lo") {
		if time.Now().After(deadline) {
			t.Fatalf("capture did not start: stderr %q", errb.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Receivers on both ports, so that no ICMP error interferes.
	var dsts [2]*net.UDPAddr
	for i, port := range []string{"40000", "40001"} {
		l, err := net.ListenPacket("udp4", "127.0.0.1:"+port)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		dsts[i] = l.LocalAddr().(*net.UDPAddr)
	}
	src, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	for i := 0; i < 3; i++ {
		src.WriteTo([]byte("no"), dsts[1])
		src.WriteTo([]byte("yes!"), dsts[0])
		src.WriteTo([]byte("no"), dsts[1])
	}
	var st int
	select {
	case st = <-done:
	case <-time.After(10 * time.Second):
		syscall.Kill(os.Getpid(), syscall.SIGINT)
		st = <-done
		t.Errorf("capture did not end after 3 packets")
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if st != 0 || len(lines) != 3 {
		t.Fatalf("status %d, stdout %q, stderr %q", st, out.String(), errb.String())
	}
	for _, l := range lines {
		if !strings.Contains(l, " > 127.0.0.1.40000: UDP, length 4") {
			t.Errorf("line %q is not a matching packet", l)
		}
	}
	if !strings.Contains(errb.String(), "3 packets captured\n") || !strings.Contains(errb.String(), "packets received by filter\n") || !strings.Contains(errb.String(), "dropped by kernel\n") {
		t.Errorf("stderr %q lacks the statistics", errb.String())
	}
}
