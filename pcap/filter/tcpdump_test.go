package filter

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/gbpf/gbpf/cbpf"
	"github.com/gbpf/gbpf/pcap"
)

// captureFile is one capture held in memory for the differential test.
type captureFile struct {
	path     string
	linktype pcap.LinkType
	snaplen  int
	swapped  bool
	pkts     [][]byte
	wire     []uint32
}

func loadCapture(path string) (*captureFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := pcap.NewReader(f)
	if err != nil {
		return nil, err
	}
	cf := &captureFile{path: path, linktype: r.LinkType(), snaplen: r.Snaplen(), swapped: r.ByteOrder() != binary.NativeEndian}
	for {
		p, err := r.Next()
		if errors.Is(err, io.EOF) {
			return cf, nil
		}
		if err != nil {
			return cf, nil // libpcap stops at a bad record too
		}
		if p.LinkType != cf.linktype {
			continue
		}
		cf.pkts = append(cf.pkts, append([]byte(nil), p.Data...))
		cf.wire = append(cf.wire, uint32(p.Length))
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// tcpdumpProgram asks the installed tcpdump for its program (-d) for expr
// on file's link type; ok is false when tcpdump rejects the expression.
func tcpdumpProgram(file, expr string) ([]cbpf.Instruction, bool, string) {
	cmd := exec.Command("tcpdump", "-r", file, "-d", "--", expr)
	var stdout, stderr strings.Builder
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, false, strings.TrimSpace(stderr.String())
	}
	prog, err := cbpf.ParseDisasm(stdout.String())
	if err != nil {
		return nil, false, "unparsable -d output: " + err.Error()
	}
	return prog, true, ""
}

// TestTcpdumpDifferential compiles our own expressions with this package
// and with the installed tcpdump (libpcap 1.10.3) for every link type of
// the core captures and merged-en10mb.pcap, and compares whether each
// expression is accepted and, packet by packet, which packets match.
func TestTcpdumpDifferential(t *testing.T) {
	if testing.Short() {
		t.Skip("differential test against tcpdump skipped in -short mode")
	}
	if _, err := exec.LookPath("tcpdump"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tcpdump is required under CI")
		}
		t.Skip("tcpdump not installed")
	}
	capDir := filepath.Join(sharedPcap, "captures")
	requireShared(t, filepath.Join(capDir, "core.tsv"))
	files := []string{filepath.Join(capDir, "merged-en10mb.pcap")}
	for i, l := range readLines(t, filepath.Join(capDir, "core.tsv")) {
		if i == 0 {
			continue
		}
		files = append(files, filepath.Join(capDir, strings.Split(l, "\t")[0]))
	}
	var caps []*captureFile
	byType := map[pcap.LinkType][]*captureFile{}
	for _, f := range files {
		cf, err := loadCapture(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		caps = append(caps, cf)
		byType[cf.linktype] = append(byType[cf.linktype], cf)
	}
	exprs := readLines(t, "testdata/tcpdump_exprs.txt")
	if len(exprs) < 300 {
		t.Fatalf("only %d expressions", len(exprs))
	}
	known := knownDifferences(t)

	type job struct {
		expr string
		lt   pcap.LinkType
	}
	jobs := make(chan job)
	var mu sync.Mutex
	var failures []string
	pairs, packets, agreeCompile, knownHit := 0, 0, 0, 0
	knownBy := map[string]int{}
	var wg sync.WaitGroup
	for w := 0; w < 2*runtime.NumCPU(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				rep := byType[j.lt][0]
				theirs, theirOK, theirErr := tcpdumpProgram(rep.path, j.expr)
				ours, ourErr := Compile(j.expr, Options{LinkType: j.lt, Snaplen: uint32(rep.snaplen), NetmaskSet: true, Optimize: true, Offline: true, Swapped: rep.swapped})
				var msgs []string
				n, p := 0, 0
				if theirOK != (ourErr == nil) {
					msgs = append(msgs, fmt.Sprintf("%q on %s: tcpdump ok=%v (%s), ours err=%v", j.expr, j.lt.Name(), theirOK, theirErr, ourErr))
				} else if theirOK {
					tp := cbpf.MustProgram(theirs)
					op, err := cbpf.NewProgram(ours)
					if err != nil {
						msgs = append(msgs, fmt.Sprintf("%q on %s: our program invalid: %v", j.expr, j.lt.Name(), err))
					} else {
						for _, cf := range byType[j.lt] {
							n++
							for i, pkt := range cf.pkts {
								p++
								a := tp.Run(pkt, cf.wire[i]) != 0
								b := op.Run(pkt, cf.wire[i]) != 0
								if a != b {
									msgs = append(msgs, fmt.Sprintf("%q on %s packet %d: tcpdump %v, ours %v", j.expr, cf.path, i+1, a, b))
									break
								}
							}
						}
					}
				}
				mu.Lock()
				pairs += n
				packets += p
				if len(msgs) == 0 {
					agreeCompile++
				}
				if len(msgs) > 0 {
					for _, k := range []string{j.lt.Name() + "\t" + j.expr, j.lt.Name() + "\t*", "*\t" + j.expr} {
						if known[k] {
							msgs = nil
							knownHit++
							knownBy[k]++
							break
						}
					}
				}
				failures = append(failures, msgs...)
				mu.Unlock()
			}
		}()
	}
	for _, e := range exprs {
		for lt := range byType {
			jobs <- job{e, lt}
		}
	}
	close(jobs)
	wg.Wait()
	t.Logf("%d expressions x %d link types (%d files): %d (expression, link type) agree, %d differ as listed in the known differences, %d differ otherwise; %d (file, expression) pairs, %d packet verdicts compared",
		len(exprs), len(byType), len(caps), agreeCompile, knownHit, len(exprs)*len(byType)-agreeCompile-knownHit, pairs, packets)
	for k, n := range knownBy {
		t.Logf("known difference %q: %d (expression, link type)", k, n)
	}
	for i, f := range failures {
		if i == 400 {
			t.Errorf("... and %d more", len(failures)-50)
			break
		}
		t.Error(f)
	}
}

// knownDifferences reads testdata/tcpdump_known_differences.txt: lines of
// "LINKTYPE<TAB>EXPR<TAB>reason" (either may be "*") for the places where
// libpcap 1.10.3 (tcpdump) and libpcap master, which this package follows,
// differ.
func knownDifferences(t *testing.T) map[string]bool {
	m := map[string]bool{}
	f, err := os.Open("testdata/tcpdump_known_differences.txt")
	if err != nil {
		return m
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		f := strings.SplitN(l, "\t", 3)
		if len(f) != 3 || strings.TrimSpace(f[2]) == "" {
			t.Fatalf("known difference without a reason: %q", l)
		}
		m[f[0]+"\t"+f[1]] = true
	}
	return m
}
