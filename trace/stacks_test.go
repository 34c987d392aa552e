package trace

import "testing"

func TestKernelSymbolsResolve(t *testing.T) {
	ks := &kernelSymbols{addrs: []uint64{0x1000, 0x1100, 0x2000}, names: []string{"a", "b", "c"}}
	for _, tc := range []struct {
		ip   uint64
		want string
	}{
		{0xfff, "0xfff"}, {0x1000, "a+0"}, {0x10ff, "a+255"}, {0x1100, "b+0"}, {0x1fff, "b+3839"}, {0x2005, "c+5"},
	} {
		if got := ks.resolve(tc.ip); got != tc.want {
			t.Errorf("resolve(%#x) = %s, want %s", tc.ip, got, tc.want)
		}
	}
	var none *stackTable
	if got := none.format(3, "    "); got != "\n" {
		t.Errorf("a stack without a table renders %q", got)
	}
}
