package trace

import (
	"reflect"
	"testing"
)

func TestParseUSDTArgs(t *testing.T) {
	sym := func(name string) (uint64, bool) { return 0x4010, name == "cell" }
	tests := []struct {
		in   string
		want []usdtArg
		err  bool
	}{
		{"-4@%eax -8@%rcx", []usdtArg{{Size: 4, Signed: true, Kind: 'r', Reg: 80}, {Size: 8, Signed: true, Kind: 'r', Reg: 88}}, false},
		{"2@%dx 8@%rsi", []usdtArg{{Size: 2, Kind: 'r', Reg: 96}, {Size: 8, Kind: 'r', Reg: 104}}, false},
		{"-4@$42", []usdtArg{{Size: 4, Signed: true, Kind: 'c', Disp: 42}}, false},
		{"8@-16(%rbp) 4@(%rdi)", []usdtArg{{Size: 8, Kind: 'm', Reg: 32, Disp: -16}, {Size: 4, Kind: 'm', Reg: 112}}, false},
		{"-8@cell(%rip)", []usdtArg{{Size: 8, Signed: true, Kind: 'm', Reg: 128, Disp: 0x4010 - 0x1000}}, false},
		{"8@cell+8(%rip)", []usdtArg{{Size: 8, Kind: 'm', Reg: 128, Disp: 0x4010 - 0x1000 + 8}}, false},
		{"", nil, false},
		{"8@nosuch(%rip)", nil, true},
		{"8@%xmm0", nil, true},
		{"16@%rax", nil, true},
		{"%rax", nil, true},
	}
	for _, tc := range tests {
		got, err := parseUSDTArgs(tc.in, 0x1000, sym)
		if (err != nil) != tc.err || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseUSDTArgs(%q) = %+v, %v; want %+v (error %v)", tc.in, got, err, tc.want, tc.err)
		}
	}
}

// FuzzParseUSDTArgs: any note text parses or fails, without panics, and
// what parses has sizes of 1 to 8 bytes.
func FuzzParseUSDTArgs(f *testing.F) {
	for _, s := range []string{"-4@%eax -8@%rcx", "8@-16(%rbp)", "-4@$42", "8@cell+8(%rip)", "1@(%r15b)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		args, err := parseUSDTArgs(s, 0x1000, func(string) (uint64, bool) { return 0x2000, true })
		if err != nil {
			return
		}
		for _, a := range args {
			if a.Size < 1 || a.Size > 8 || a.Kind != 'r' && a.Kind != 'm' && a.Kind != 'c' {
				t.Fatalf("%q: %+v", s, a)
			}
		}
	})
}
