package libpcap

import (
	"os"
	"strings"
	"testing"
)

// need skips the test with reason, or fails it under CI=true, where libpcap
// must be available.
func need(t *testing.T) {
	t.Helper()
	if Available {
		return
	}
	reason := "libpcap needs cgo, gcc and libpcap-dev (built without cgo)"
	if os.Getenv("CI") == "true" {
		t.Fatalf("required under CI=true: %s", reason)
	}
	t.Skip(reason)
}

// frame returns an Ethernet frame of n bytes with the given EtherType.
func frame(etherType uint16, n int) []byte {
	p := make([]byte, n)
	p[12], p[13] = byte(etherType>>8), byte(etherType)
	return p
}

func TestRun(t *testing.T) {
	need(t)
	ipv4 := frame(0x0800, 60)
	arp := frame(0x0806, 42)
	var data []byte
	var offs, caps, wires []uint32
	for _, p := range []struct {
		b    []byte
		wire uint32
	}{{ipv4, 60}, {arp, 42}, {ipv4[:10], 60}, {ipv4, 2000}} {
		offs = append(offs, uint32(len(data)))
		caps = append(caps, uint32(len(p.b)))
		wires = append(wires, p.wire)
		data = append(data, p.b...)
	}
	b, err := NewBatch(data, offs, caps, wires)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		expr string
		want []bool
	}{
		{"ip", []bool{true, false, false, true}},
		{"arp", []bool{false, true, false, false}},
		{"len > 1500", []bool{false, false, false, true}},
		{"", []bool{true, true, true, true}},
	}
	for _, tt := range tests {
		f, err := Compile(tt.expr, 262144, true)
		if err != nil {
			t.Fatalf("%q: %v", tt.expr, err)
		}
		if f.Len() == 0 {
			t.Errorf("%q: empty program", tt.expr)
		}
		verdicts := make([]uint32, b.Len())
		n := f.Run(b, verdicts)
		wantN := 0
		for i, w := range tt.want {
			if w {
				wantN++
			}
			if (verdicts[i] != 0) != w {
				t.Errorf("%q: packet %d: verdict %d, want accept=%v", tt.expr, i, verdicts[i], w)
			}
		}
		if n != wantN {
			t.Errorf("%q: %d accepted, want %d", tt.expr, n, wantN)
		}
		if got := f.Run(b, nil); got != n {
			t.Errorf("%q: %d accepted without verdicts, %d with", tt.expr, got, n)
		}
		f.Close()
	}
}

func TestCompileError(t *testing.T) {
	need(t)
	_, err := Compile("tcp port", 262144, true)
	if err == nil || !strings.Contains(err.Error(), "syntax error") {
		t.Fatalf("got %v, want libpcap's syntax error", err)
	}
}

func TestNewBatchErrors(t *testing.T) {
	tests := []struct {
		name              string
		data              []byte
		offs, caps, wires []uint32
		want              string
	}{
		{"lengths", make([]byte, 10), []uint32{0}, []uint32{1, 2}, []uint32{1}, "1 offsets, 2 captured lengths"},
		{"outside", make([]byte, 10), []uint32{5}, []uint32{6}, []uint32{6}, "packet 0 (offset 5, 6 bytes)"},
	}
	for _, tt := range tests {
		_, err := NewBatch(tt.data, tt.offs, tt.caps, tt.wires)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}
