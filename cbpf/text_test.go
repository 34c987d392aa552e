package cbpf

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestImage(t *testing.T) {
	tests := []struct {
		ins  Instruction
		n    int
		want string
	}{
		{Stmt(OpLdH, 12), 0, "(000) ldh      [12]"},
		{Stmt(OpLdW, 26), 3, "(003) ld       [26]"},
		{Stmt(OpLdB, 23), 9, "(009) ldb      [23]"},
		{Stmt(OpLdB, 0xffffffff), 9, "(009) ldb      [-1]"},
		{Stmt(OpLdW, SKFAdOff+SKFAdProtocol), 1, "(001) ld       [proto]"},
		{Stmt(OpLdB, SKFAdOff+SKFAdVlanTagPresent), 1, "(001) ldb      [vlanp]"},
		{Stmt(OpLdH, SKFAdOff+SKFAdVlanTPID), 1, "(001) ldh      [vlan_tpid]"},
		{Stmt(OpLdW, SKFAdOff+2), 1, "(001) ld       [-4094]"},
		{Stmt(OpLdW, SKFNetOff), 1, "(001) ld       [-1048576]"},
		{Stmt(OpLdIndW, 14), 2, "(002) ld       [x + 14]"},
		{Stmt(OpLdIndH, 16), 2, "(002) ldh      [x + 16]"},
		{Stmt(OpLdIndB, 27), 2, "(002) ldb      [x + 27]"},
		{Stmt(OpLdLen, 0), 0, "(000) ld       #pktlen"},
		{Stmt(OpLdImm, 0x64), 0, "(000) ld       #0x64"},
		{Stmt(OpLdxImm, 0xffffffff), 0, "(000) ldx      #0xffffffff"},
		{Stmt(OpLdxMsh, 14), 13, "(013) ldxb     4*([14]&0xf)"},
		{Stmt(OpLdMem, 1), 5, "(005) ld       M[1]"},
		{Stmt(OpLdxMem, 15), 5, "(005) ldx      M[15]"},
		{Stmt(OpSt, 0), 1, "(001) st       M[0]"},
		{Stmt(OpStx, 3), 1, "(001) stx      M[3]"},
		{Stmt(OpJA, 4), 10, "(010) ja       15"},
		{Stmt(OpJA, 0xfffffffd), 10, "(010) ja       8"},
		{Jump(OpJEQK, 0x800, 0, 3), 1, "(001) jeq      #0x800           jt 2\tjf 5"},
		{Jump(OpJGTK, 0x5dc, 15, 0), 1, "(001) jgt      #0x5dc           jt 17\tjf 2"},
		{Jump(OpJGEK, 0x64, 0, 1), 1, "(001) jge      #0x64            jt 2\tjf 3"},
		{Jump(OpJSETK, 0x1fff, 6, 0), 12, "(012) jset     #0x1fff          jt 19\tjf 13"},
		{Jump(OpJEQX, 0, 1, 2), 6, "(006) jeq      x                jt 8\tjf 9"},
		{Jump(OpJGTX, 0, 1, 2), 6, "(006) jgt      x                jt 8\tjf 9"},
		{Jump(OpJGEX, 0, 1, 2), 6, "(006) jge      x                jt 8\tjf 9"},
		{Jump(OpJSETX, 0, 1, 2), 6, "(006) jset     x                jt 8\tjf 9"},
		{Jump(OpJEQK, 0xffffffff, 255, 255), 999, "(999) jeq      #0xffffffff      jt 1255\tjf 1255"},
		{Stmt(OpAddK, 14), 0, "(000) add      #14"},
		{Stmt(OpSubK, 0xfffffff2), 0, "(000) sub      #-14"},
		{Stmt(OpMulK, 4), 0, "(000) mul      #4"},
		{Stmt(OpDivK, 2), 0, "(000) div      #2"},
		{Stmt(OpModK, 7), 0, "(000) mod      #7"},
		{Stmt(OpAndK, 0xf0), 0, "(000) and      #0xf0"},
		{Stmt(OpOrK, 1), 0, "(000) or       #0x1"},
		{Stmt(OpXorK, 0x10), 0, "(000) xor      #0x10"},
		{Stmt(OpLshK, 2), 0, "(000) lsh      #2"},
		{Stmt(OpRshK, 4), 0, "(000) rsh      #4"},
		{Stmt(OpAddX, 0), 0, "(000) add      x"},
		{Stmt(OpSubX, 0), 0, "(000) sub      x"},
		{Stmt(OpMulX, 0), 0, "(000) mul      x"},
		{Stmt(OpDivX, 0), 0, "(000) div      x"},
		{Stmt(OpModX, 0), 0, "(000) mod      x"},
		{Stmt(OpAndX, 0), 0, "(000) and      x"},
		{Stmt(OpOrX, 0), 0, "(000) or       x"},
		{Stmt(OpXorX, 0), 0, "(000) xor      x"},
		{Stmt(OpLshX, 0), 0, "(000) lsh      x"},
		{Stmt(OpRshX, 0), 0, "(000) rsh      x"},
		{Stmt(OpNeg, 0), 0, "(000) neg      "},
		{Stmt(OpTAX, 0), 0, "(000) tax      "},
		{Stmt(OpTXA, 0), 0, "(000) txa      "},
		{Stmt(OpRetK, 262144), 18, "(018) ret      #262144"},
		{Stmt(OpRetK, 0xffffffff), 18, "(018) ret      #-1"},
		{Stmt(OpRetA, 0), 18, "(018) ret      "},
		{Stmt(OpRetX, 0), 18, "(018) unimp    0xe"},
		{Stmt(OpLdxLen, 0), 0, "(000) unimp    0x81"},
		{Jump(0x55, 7, 1, 2), 0, "(000) unimp    0x55             jt 2\tjf 3"},
	}
	for _, tt := range tests {
		got := Image(tt.ins, tt.n)
		if got != tt.want {
			t.Errorf("Image(%+v, %d) = %q, want %q", tt.ins, tt.n, got, tt.want)
		}
		var prefix strings.Builder
		for i := 0; i < tt.n; i++ {
			fmt.Fprintf(&prefix, "(%03d) ret      #0\n", i)
		}
		back, err := ParseDisasm(prefix.String() + got)
		if err != nil {
			t.Errorf("ParseDisasm(%q): %v", got, err)
			continue
		}
		if again := Image(back[tt.n], tt.n); again != got {
			t.Errorf("Image(ParseDisasm(%q)) = %q", got, again)
		}
		if want := hideInDisasm(tt.ins); back[tt.n] != want {
			{
				t.Errorf("ParseDisasm(%q) = %+v, want %+v", got, back[tt.n], tt.ins)
			}
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name  string
		parse func(string) ([]Instruction, error)
		text  string
		want  string
	}{
		{"d index", ParseDisasm, "(001) ret      #0\n", "1:5: instruction index 1, want 0"},
		{"d mnemonic", ParseDisasm, "(000) foo #1\n", "1:7: unknown mnemonic \"foo\""},
		{"d jt range", ParseDisasm, "(000) jeq #0x1 jt 0 jf 1\n", "1:19: jt target 0 out of range for instruction 0"},
		{"d trailing", ParseDisasm, "(000) ret #0 junk\n", "1:14: unexpected \"junk\""},
		{"d ancillary", ParseDisasm, "(000) ld [bogus]\n", "1:11: unknown ancillary name \"bogus\""},
		{"d second line", ParseDisasm, "(000) ldh [12]\n(001) ldh 12\n", "2:11: ldh needs [k] or [x + k]"},
		{"dd field", ParseC, "{ 0x28, 0, 0, 0x0000000c },\n{ 0x10000, 0, 0, 0 },\n", "2:3: field 1 value 65536 out of range"},
		{"dd brace", ParseC, "0x28, 0, 0, 12\n", "1:1: expected \"{\""},
		{"ddd count", ParseDecimal, "2\n6 0 0 0\n", "1:1: count 2, but 1 instructions follow"},
		{"ddd number", ParseDecimal, "1\n6 0 x 0\n", "2:5: bad number \"x\""},
	}
	for _, tt := range tests {
		got, err := tt.parse(tt.text)
		if err == nil {
			t.Errorf("%s: parsed %+v, want error %q", tt.name, got, tt.want)
			continue
		}
		if got != nil {
			t.Errorf("%s: error %v with a result", tt.name, err)
		}
		if err.Error() != tt.want || !errors.Is(err, ErrSyntax) {
			t.Errorf("%s: error %q, want %q", tt.name, err, tt.want)
		}
	}
}

// TestTcpdumpFormats compiles every expression of testdata/expressions.txt
// with the installed tcpdump in its three dump formats, parses each, checks
// that all three give the same program, and prints each back byte for byte.
func TestTcpdumpFormats(t *testing.T) {
	needTcpdump(t)
	count := 0
	for _, expr := range readExpressions(t) {
		d := tcpdumpOut(t, "-d", "-y", "EN10MB", expr)
		dd := tcpdumpOut(t, "-dd", "-y", "EN10MB", expr)
		ddd := tcpdumpOut(t, "-ddd", "-y", "EN10MB", expr)
		fromD, err := ParseDisasm(d)
		if err != nil {
			t.Errorf("%q: -d: %v", expr, err)
			continue
		}
		fromDD, err := ParseC(dd)
		if err != nil {
			t.Errorf("%q: -dd: %v", expr, err)
			continue
		}
		fromDDD, err := ParseDecimal(ddd)
		if err != nil {
			t.Errorf("%q: -ddd: %v", expr, err)
			continue
		}
		hidden := make([]Instruction, len(fromDD))
		for i, ins := range fromDD {
			hidden[i] = hideInDisasm(ins)
		}
		if !reflect.DeepEqual(fromD, hidden) || !reflect.DeepEqual(fromDD, fromDDD) {
			t.Errorf("%q: the three formats parse differently", expr)
		}
		if got := Disasm(fromDD); got != d {
			t.Errorf("%q: Disasm:\n%s\nwant:\n%s", expr, got, d)
		}
		if got := DumpC(fromDDD); got != dd {
			t.Errorf("%q: DumpC:\n%s\nwant:\n%s", expr, got, dd)
		}
		if got := DumpDecimal(fromDD); got != ddd {
			t.Errorf("%q: DumpDecimal:\n%s\nwant:\n%s", expr, got, ddd)
		}
		if _, err := NewProgram(fromDD); err != nil {
			t.Errorf("%q: NewProgram: %v", expr, err)
		}
		count++
	}
	t.Logf("%d expressions: -d, -dd and -ddd parsed and reprinted identically", count)
}

// TestLibpcapFilterTests parses the expected `tcpdump -d` text of every
// bytecode test of libpcap's suite and prints it back identically.
func TestLibpcapFilterTests(t *testing.T) {
	path := filepath.Join(sharedDir(t), "pcap", "libpcap-filter-tests", "portable.jsonl")
	f, err := os.Open(path)
	if err != nil {
		missing(t, "libpcap filter tests: "+err.Error())
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	count := 0
	for sc.Scan() {
		var tc struct {
			Kind     string `json:"kind"`
			Label    string `json:"label"`
			Expected string `json:"expected"`
		}
		if err := json.Unmarshal(sc.Bytes(), &tc); err != nil {
			t.Fatal(err)
		}
		if tc.Kind != "filter_accept" {
			continue
		}
		insns, err := ParseDisasm(tc.Expected)
		if err != nil {
			t.Errorf("%s: %v", tc.Label, err)
			continue
		}
		// The suite's expected text has trailing blanks trimmed ("tax"),
		// where bpf_image prints "tax      ".
		if got := trimLines(Disasm(insns)); got != tc.Expected {
			t.Errorf("%s: reprinted:\n%s\nwant:\n%s", tc.Label, got, tc.Expected)
		}
		if _, err := NewProgram(insns); err != nil {
			t.Errorf("%s: NewProgram: %v", tc.Label, err)
		}
		count++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if count < 3679 {
		t.Errorf("%d bytecode tests, want 3679", count)
	}
	t.Logf("%d libpcap bytecode tests parsed and reprinted identically", count)
}

func ExampleDisasm() {
	insns := []Instruction{
		Stmt(OpLdH, 12),
		Jump(OpJEQK, 0x800, 0, 1),
		Stmt(OpRetK, 262144),
		Stmt(OpRetK, 0),
	}
	fmt.Print(Disasm(insns))
	fmt.Print(DumpC(insns[:1]))
	fmt.Print(DumpDecimal(insns[:1]))
	// Output:
	// (000) ldh      [12]
	// (001) jeq      #0x800           jt 2	jf 3
	// (002) ret      #262144
	// (003) ret      #0
	// { 0x28, 0, 0, 0x0000000c },
	// 1
	// 40 0 0 12
}

// hideInDisasm clears the fields `tcpdump -d` does not print for ins, giving
// what ParseDisasm returns for its image.
func hideInDisasm(ins Instruction) Instruction {
	op, operand := imageParts(ins, 0)
	if op == "unimp" {
		return Instruction{Op: ins.Op, Jt: ins.Jt, Jf: ins.Jf}
	}
	if !ins.IsConditionalJump() {
		ins.Jt, ins.Jf = 0, 0
	}
	if operand == "" || operand == "x" || operand == "#pktlen" {
		ins.K = 0
	}
	return ins
}

// trimLines removes trailing blanks from every line.
func trimLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Join(lines, "\n")
}
