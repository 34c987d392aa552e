package filter

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/cbpf"
	"github.com/gbpf/gbpf/pcap"
)

// requireShared skips (or, under CI=true, fails) when ../shared is missing.
func requireShared(t testing.TB, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required under CI: %v", path, err)
		}
		t.Skipf("%s not available: %v", path, err)
	}
}

const sharedPcap = "../../../shared/pcap"

type oracleCase struct {
	Kind     string  `json:"kind"`
	Label    string  `json:"label"`
	DLT      string  `json:"DLT"`
	Expr     *string `json:"expr"`
	Expected string  `json:"expected"`
	Optimize bool    `json:"optimize"`
	Snaplen  uint32  `json:"snaplen"`
	Netmask  string  `json:"netmask"`
	Savefile string  `json:"savefile"`
}

func loadOracle(t *testing.T) []oracleCase {
	path := filepath.Join(sharedPcap, "libpcap-filter-tests/portable.jsonl")
	requireShared(t, path)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []oracleCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var c oracleCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("portable.jsonl: %v", err)
		}
		cases = append(cases, c)
	}
	return cases
}

func parseNetmask(s string) uint32 {
	if s == "" {
		return 0
	}
	v, n := parseIPv4Prefix(s)
	if n != 32 {
		return 0
	}
	return v
}

func (c oracleCase) expr() string {
	if c.Expr == nil {
		return ""
	}
	return *c.Expr
}

// TestOracleBytecode compiles every filter_accept case and reports the
// share of programs whose `tcpdump -d` text equals libpcap master's.
func TestOracleBytecode(t *testing.T) {
	cases := loadOracle(t)
	var total, equal [2]int
	var fails [2][]string
	for _, c := range cases {
		if c.Kind != "filter_accept" {
			continue
		}
		lt, ok := pcap.LinkTypeByName(c.DLT)
		if !ok {
			t.Errorf("%s: unknown DLT %s", c.Label, c.DLT)
			continue
		}
		o := 0
		if c.Optimize {
			o = 1
		}
		total[o]++
		prog, err := Compile(c.expr(), Options{LinkType: lt, Snaplen: c.Snaplen, Netmask: parseNetmask(c.Netmask), NetmaskSet: c.Netmask != "", Optimize: c.Optimize})
		if err != nil {
			fails[o] = append(fails[o], fmt.Sprintf("%s [%s] %q: error %v", c.Label, c.DLT, c.expr(), err))
			continue
		}
		if got := cbpf.Disasm(prog); trimLines(got) == trimLines(c.Expected) {
			equal[o]++
		} else {
			fails[o] = append(fails[o], fmt.Sprintf("%s [%s] %q:\n--- got\n%s--- want\n%s", c.Label, c.DLT, c.expr(), got, c.Expected))
		}
	}
	for o, name := range []string{"unoptimized", "optimized"} {
		t.Logf("bytecode text equal, %s: %d/%d (%.1f%%)", name, equal[o], total[o], 100*float64(equal[o])/float64(max(total[o], 1)))
	}
	if path := os.Getenv("FILTER_ORACLE_DUMP"); path != "" {
		_ = os.WriteFile(path, []byte(strings.Join(append(fails[0], fails[1]...), "\n\n")), 0o644)
	}
	if equal[0]*100 < total[0]*minUnoptShare || equal[1]*100 < total[1]*minOptShare {
		t.Errorf("bytecode equality below the floor (%d%% unoptimized, %d%% optimized)", minUnoptShare, minOptShare)
	}
}

// Floors for the bytecode-equality shares, raised as the compiler grows.
const (
	minUnoptShare = 100
	minOptShare   = 100
)

// TestOracleApply runs every filter_apply case: the compiled program must
// give libpcap's return value on every packet of the savefile.
func TestOracleApply(t *testing.T) {
	cases := loadOracle(t)
	n, pass := 0, 0
	for _, c := range cases {
		if c.Kind != "filter_apply" {
			continue
		}
		n++
		file := filepath.Join(sharedPcap, "libpcap-filter-tests/savefiles", strings.TrimPrefix(c.Savefile, "filter/"))
		got, err := applyFile(file, c.expr(), c.Optimize, parseNetmask(c.Netmask))
		if err != nil {
			t.Errorf("%s %q on %s: %v", c.Label, c.expr(), c.Savefile, err)
			continue
		}
		if got != c.Expected {
			t.Errorf("%s %q on %s:\ngot  %q\nwant %q", c.Label, c.expr(), c.Savefile, got, c.Expected)
			continue
		}
		pass++
	}
	t.Logf("filter_apply: %d/%d pass", pass, n)
	if pass < minApplyPass {
		t.Errorf("filter_apply: %d pass, want at least %d", pass, minApplyPass)
	}
}

// minApplyPass is the floor for filter_apply passes; every case that
// compiles must also give libpcap's verdicts.
const minApplyPass = 360

func applyFile(file, expr string, opt bool, netmask uint32) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	r, err := pcap.NewReader(f)
	if err != nil {
		return "", err
	}
	swapped := r.ByteOrder() != binary.NativeEndian
	insns, err := Compile(expr, Options{LinkType: r.LinkType(), Snaplen: uint32(r.Snaplen()), Netmask: netmask, Optimize: opt, Offline: true, Swapped: swapped})
	if err != nil {
		return "", err
	}
	prog, err := cbpf.NewProgram(insns)
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	for {
		pkt, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&sb, "%d\n", prog.Run(pkt.Data, uint32(pkt.Length)))
	}
	return sb.String(), nil
}

// trimLines drops trailing blanks on each line: libpcap master prints
// operand-less instructions ("tax", "txa") without the padding that
// tcpdump 1.10's -d output (and cbpf.Disasm) has.
func trimLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}
