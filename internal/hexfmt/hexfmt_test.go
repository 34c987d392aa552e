package hexfmt

import (
	"bytes"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want []byte
		err  string
	}{
		{in: "", want: []byte{}},
		{in: "00ff10", want: []byte{0x00, 0xff, 0x10}},
		{in: "b7  00  00  ", want: []byte{0xb7, 0, 0}},
		{in: " De AD\n be\tef ", want: []byte{0xde, 0xad, 0xbe, 0xef}},
		{in: "abc", err: "odd number of hex digits"},
		{in: "0x12", err: "invalid hex character 'x' at offset 1"},
		{in: "zz", err: "invalid hex character 'z' at offset 0"},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Parse(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, tt.want) {
			t.Errorf("Parse(%q) = %x, %v; want %x", tt.in, got, err, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("00 11 22")
	f.Add("b7  00  ")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := Parse(s)
		if err != nil {
			if b != nil {
				t.Fatalf("error with result")
			}
			return
		}
		// Re-encoding and parsing again gives the same bytes.
		var sb strings.Builder
		for _, c := range b {
			sb.WriteString(" ")
			sb.WriteString(string("0123456789abcdef"[c>>4]) + string("0123456789abcdef"[c&15]))
		}
		b2, err := Parse(sb.String())
		if err != nil || !bytes.Equal(b, b2) {
			t.Fatalf("round trip: %x vs %x (%v)", b, b2, err)
		}
	})
}
