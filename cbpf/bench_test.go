package cbpf

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benchFilter is one of the committed benchmark filters under testdata/bench:
// the expression and the `tcpdump -d -y EN10MB` text of its bytecode.
type benchFilter struct {
	name, expr string
	insns      []Instruction
	disasm     string
}

func loadBenchFilters(t testing.TB) []benchFilter {
	t.Helper()
	var out []benchFilter
	for i := 1; ; i++ {
		base := filepath.Join("testdata", "bench", fmt.Sprintf("filter%d", i))
		expr, err := os.ReadFile(base + ".expr")
		if os.IsNotExist(err) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		d, err := os.ReadFile(base + ".d")
		if err != nil {
			t.Fatal(err)
		}
		insns, err := ParseDisasm(string(d))
		if err != nil {
			t.Fatalf("%s.d: %v", base, err)
		}
		out = append(out, benchFilter{
			name:   fmt.Sprintf("filter%d", i),
			expr:   strings.TrimSpace(string(expr)),
			insns:  insns,
			disasm: string(d),
		})
	}
	if len(out) != 6 {
		t.Fatalf("%d benchmark filters, want 6", len(out))
	}
	return out
}

// TestBenchFiltersGolden checks the committed benchmark bytecode against the
// installed tcpdump.
func TestBenchFiltersGolden(t *testing.T) {
	needTcpdump(t)
	for _, f := range loadBenchFilters(t) {
		if got := tcpdumpOut(t, "-d", "-y", "EN10MB", f.expr); got != f.disasm {
			t.Errorf("%s (%q): tcpdump -d now prints\n%s\nwant\n%s", f.name, f.expr, got, f.disasm)
		}
	}
}

// BenchmarkRun measures the interpreter per packet over every packet of
// merged-en10mb.pcap, held in memory, for the six benchmark filters.
// ns/op is per packet.
func BenchmarkRun(b *testing.B) {
	pkts := loadMerged(b)
	for _, f := range loadBenchFilters(b) {
		p := MustProgram(f.insns)
		b.Run(fmt.Sprintf("%s/%d-insns", f.name, len(f.insns)), func(b *testing.B) {
			b.ReportAllocs()
			accepted := 0
			i := 0
			for b.Loop() {
				pk := &pkts[i]
				if p.Run(pk.data, pk.wireLen) != 0 {
					accepted++
				}
				i++
				if i == len(pkts) {
					i = 0
				}
			}
			b.ReportMetric(float64(accepted)/float64(b.N), "accepted/op")
		})
	}
}
