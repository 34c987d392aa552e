package trace

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/trace/lang"
)

func le64(vs ...uint64) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	return b
}

func TestFormatPrintf(t *testing.T) {
	i64 := &lang.Type{Kind: lang.KindInt, Size: 8, Signed: true}
	s16 := &lang.Type{Kind: lang.KindString, Size: 16}
	str := make([]byte, 16)
	copy(str, "bash")
	tests := []struct {
		format string
		types  []*lang.Type
		data   []byte
		want   string
	}{
		{"%d\n", []*lang.Type{i64}, le64(uint64(1<<64 - 3)), "-3\n"},
		// Without a length modifier C's printf, which bpftrace 0.17 calls,
		// reads 32 bits; l and ll read 64, h 16 and hh 8.
		{"%u\n", []*lang.Type{i64}, le64(uint64(1<<64 - 3)), "4294967293\n"},
		{"%lu %ld\n", []*lang.Type{i64, i64}, le64(uint64(1<<64-3), uint64(1<<64-3)), "18446744073709551613 -3\n"},
		{"%d|%x|%lx|%hd|%hhu", []*lang.Type{i64, i64, i64, i64, i64}, le64(0x1234567890, 0x1234567890, 0x1234567890, 0x18001, 0x1ff), "878082192|34567890|1234567890|-32767|255"},
		{"%5d|%-5d|%05d", []*lang.Type{i64, i64, i64}, le64(3, 4, 5), "    3|4    |00005"},
		{"%x %X %llx %lu", []*lang.Type{i64, i64, i64, i64}, le64(255, 255, 16, 7), "ff FF 10 7"},
		{"%c%c", []*lang.Type{i64, i64}, le64(65, 66), "AB"},
		{"%s: %d", []*lang.Type{s16, i64}, append(str, le64(9)...), "bash: 9"},
		{"%-8s|", []*lang.Type{s16}, str, "bash    |"},
		{"100%% %p", []*lang.Type{i64}, le64(0xffff), "100%% 0xffff"},
	}
	for _, tc := range tests {
		if got := formatPrintf(tc.format, tc.types, tc.data); got != tc.want {
			t.Errorf("formatPrintf(%q) = %q, want %q", tc.format, got, tc.want)
		}
	}
}

func TestHistLabels(t *testing.T) {
	want := []string{"(..., 0)", "[0]", "[1]", "[2, 4)", "[4, 8)"}
	for i, w := range want {
		if got := histLabel(i); got != w {
			t.Errorf("histLabel(%d) = %q, want %q", i, got, w)
		}
	}
	for _, tc := range []struct {
		i    int
		want string
	}{{11, "[512, 1K)"}, {12, "[1K, 2K)"}, {21, "[512K, 1M)"}, {22, "[1M, 2M)"}} {
		if got := histLabel(tc.i); got != tc.want {
			t.Errorf("histLabel(%d) = %q, want %q", tc.i, got, tc.want)
		}
	}
	if got := lhistLabel(0, 0, 100, 10); got != "(..., 0)" {
		t.Errorf("lhist below = %q", got)
	}
	if got := lhistLabel(11, 0, 100, 10); got != "[100, ...)" {
		t.Errorf("lhist above = %q", got)
	}
	if got := lhistLabel(4, 0, 100, 10); got != "[30, 40)" {
		t.Errorf("lhist inside = %q", got)
	}
}

func TestPrintMap(t *testing.T) {
	i64 := &lang.Type{Kind: lang.KindInt, Size: 8, Signed: true}
	count := &mapDesc{Name: "@c", Class: classCounter, Info: &lang.MapInfo{Keys: []*lang.Type{i64}, Value: &lang.Type{Kind: lang.KindAgg, Agg: lang.AggCount}}}
	hist := &mapDesc{Name: "@h", Class: classHist, Info: &lang.MapInfo{Value: &lang.Type{Kind: lang.KindAgg, Agg: lang.AggHist}}}
	avg := &mapDesc{Name: "@a", Class: classAvg, Info: &lang.MapInfo{Value: &lang.Type{Kind: lang.KindAgg, Agg: lang.AggStats}}}
	tests := []struct {
		d       *mapDesc
		entries []*mapEntry
		top     uint64
		want    string
	}{
		{count, []*mapEntry{{keyText: "1", raw: []uint64{1}}, {keyText: "2", raw: []uint64{5}}}, 0, "@c[1]: 1\n@c[2]: 5\n"},
		{count, []*mapEntry{{keyText: "1", raw: []uint64{1}}, {keyText: "2", raw: []uint64{5}}}, 1, "@c[2]: 5\n"},
		{count, nil, 0, "\n"},
		{avg, []*mapEntry{{raw: []uint64{2, 11}}}, 0, "@a: count 2, average 5, total 11\n\n"},
		{hist, []*mapEntry{{buckets: []uint64{0, 0, 0, 0, 1, 0, 0, 0, 2}}}, 0, `@h: 
[4, 8)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |
[8, 16)                0 |                                                    |
[16, 32)               0 |                                                    |
[32, 64)               0 |                                                    |
[64, 128)              2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|

`},
	}
	for i, tc := range tests {
		var b strings.Builder
		printMap(&b, tc.d, tc.entries, tc.top, 1)
		if b.String() != tc.want {
			t.Errorf("case %d: got\n%q\nwant\n%q", i, b.String(), tc.want)
		}
	}
}

func TestParseFormat(t *testing.T) {
	text := `name: sys_enter_openat
ID: 782
format:
	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
	field:int common_pid;	offset:4;	size:4;	signed:1;

	field:int __syscall_nr;	offset:8;	size:4;	signed:1;
	field:const char * filename;	offset:24;	size:8;	signed:0;
	field:char comm[16];	offset:32;	size:16;	signed:0;
	field:__data_loc char[] name;	offset:48;	size:4;	signed:0;
`
	f, err := parseFormat(text)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name                   string
		offset, size           int
		signed, array, dataLoc bool
	}{
		{"common_pid", 4, 4, true, false, false},
		{"filename", 24, 8, false, false, false},
		{"comm", 32, 16, false, true, false},
		{"name", 48, 4, false, false, true},
	}
	for _, tc := range tests {
		fd := f.field(tc.name)
		if fd == nil {
			t.Errorf("field %s missing", tc.name)
			continue
		}
		if fd.offset != tc.offset || fd.size != tc.size || fd.signed != tc.signed || fd.array != tc.array || fd.dataLoc != tc.dataLoc {
			t.Errorf("field %s = %+v", tc.name, *fd)
		}
	}
	if f.field("nope") != nil {
		t.Error("unknown field found")
	}
}

func TestExpandAlternatives(t *testing.T) {
	got := strings.Join(expandAlternatives("sys_{enter,exit}_get{pid,uid}"), " ")
	want := "sys_enter_getpid sys_enter_getuid sys_exit_getpid sys_exit_getuid"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// FuzzParseFormat checks that any tracefs format text parses without panic,
// with a result exactly when there is no error.
func FuzzParseFormat(f *testing.F) {
	f.Add("format:\n\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n")
	f.Add("\tfield:__data_loc char[] name;\toffset:8;\tsize:4;\tsigned:0;\n")
	f.Fuzz(func(t *testing.T, text string) {
		fm, err := parseFormat(text)
		if (err == nil) == (fm == nil) {
			t.Fatalf("error %v with result %v", err, fm)
		}
	})
}

// FuzzFormatPrintf checks that any format with any event bytes renders
// without panic and keeps the text around conversions.
func FuzzFormatPrintf(f *testing.F) {
	f.Add("%d %s %x\n", []byte("0123456789abcdef0123456789abcdef"))
	f.Add("%-5.3s|%%|%llu", []byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, format string, data []byte) {
		types := []*lang.Type{{Kind: lang.KindInt, Size: 8, Signed: true}, {Kind: lang.KindString, Size: 16}}
		out := formatPrintf(format, types, data)
		if !strings.ContainsRune(format, '%') && out != format {
			t.Fatalf("format without conversions changed: %q -> %q", format, out)
		}
	})
}
