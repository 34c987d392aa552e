package native

import (
	"bytes"
	"os"
	"testing"
)

func u32s(vs ...uint32) []byte {
	var b []byte
	for _, v := range vs {
		b = append(b, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
	}
	return b
}

func u64s(vs ...uint64) []byte {
	var b []byte
	for _, v := range vs {
		b = append(b, u32s(uint32(v), uint32(v>>32))...)
	}
	return b
}

// records builds the strcmp input: the first table holds a, the second b,
// each string in its own zero-padded 64-byte record.
func records(a, b []string) []byte {
	mem := make([]byte, 2*64*len(a))
	for i := range a {
		copy(mem[64*i:], a[i])
		copy(mem[64*(len(a)+i):], b[i])
	}
	return mem
}

// TestFunc runs each native workload on a small input whose result is worked
// out by hand.
func TestFunc(t *testing.T) {
	if !Available {
		if os.Getenv("CI") == "true" {
			t.Fatal("native code needs cgo (CGO_ENABLED=1 and gcc)")
		}
		t.Skip("native code needs cgo (CGO_ENABLED=1 and gcc)")
	}
	tests := []struct {
		name    string
		mem     []byte
		want    uint64
		wantMem []byte // nil = unchanged
	}{
		{name: "empty", mem: make([]byte, 5), want: 5},
		{name: "sum", mem: append(u32s(1, 2, 3, 0xffffffff), 9, 9), want: 6 + 0xffffffff},
		{name: "sum", mem: []byte{1, 2, 3}, want: 0},
		{name: "log2", mem: u64s(0, 1, 2, 3, 1<<40, 1<<63|5), want: 0 + 0 + 1 + 1 + 40 + 63},
		{name: "primes", mem: u32s(0, 1, 2, 3, 4, 9, 25, 97, 65521, 4294967291, 4294967295), want: 5},
		// Equal (1), "abc" < "abd" (0), "b" > "a" (2), "ab" > "a" (2):
		// h = ((1*3 + 0)*3 + 2)*3 + 2 = 35.
		{name: "strcmp", mem: records([]string{"same", "abc", "b", "ab"}, []string{"same", "abd", "a", "a"}), want: 35},
		{name: "switch64", mem: nil, want: 0},
		{name: "switch64", mem: []byte{64}, want: 1 + 12345}, // 64 & 63 = 0: acc += 12345
		{name: "memcpy", mem: []byte{1, 2, 3, 0, 0, 0, 7}, want: 3, wantMem: []byte{1, 2, 3, 1, 2, 3, 7}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, ok := Func(tc.name)
			if !ok {
				t.Fatalf("no native function %q", tc.name)
			}
			mem := bytes.Clone(tc.mem)
			if mem == nil {
				mem = []byte{}
			}
			if got := f(mem); got != tc.want {
				t.Errorf("r0 = %d, want %d", got, tc.want)
			}
			want := tc.wantMem
			if want == nil {
				want = tc.mem
			}
			if !bytes.Equal(mem, want) && len(want) > 0 {
				t.Errorf("memory % x, want % x", mem, want)
			}
		})
	}
	if _, ok := Func("nope"); ok {
		t.Error(`Func("nope") found a function`)
	}
}
