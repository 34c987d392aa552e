package cbpf

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// asm builds a program from `tcpdump -d`-style lines without indexes.
func asm(t testing.TB, lines ...string) []Instruction {
	t.Helper()
	var b strings.Builder
	for i, l := range lines {
		b.WriteString("(" + strconv.Itoa(i) + ") " + l + "\n")
	}
	insns, err := ParseDisasm(b.String())
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	return insns
}

// runTestPacket is the packet of most runTests.
var runTestPacket = []byte{0x00, 0x01, 0x02, 0x03, 0x45, 0x05, 0x06, 0x07, 0x08, 0x09, 0xff, 0xfe}

// runTests are hand-written programs (in `tcpdump -d` syntax without
// indexes) with their expected verdicts; TestRun runs them with Run and
// TestKernelHandWritten in the kernel.
var runTests = func() []struct {
	name    string
	prog    []string
	pkt     []byte
	wireLen uint32
	want    uint32
} {
	pkt := runTestPacket
	return []struct {
		name    string
		prog    []string
		pkt     []byte
		wireLen uint32
		want    uint32
	}{
		{"ret k", []string{"ret #7"}, pkt, 12, 7},
		{"ret a after ld", []string{"ld [0]", "ret"}, pkt, 12, 0x00010203},
		{"ldh", []string{"ldh [10]", "ret"}, pkt, 12, 0xfffe},
		{"ldb", []string{"ldb [11]", "ret"}, pkt, 12, 0xfe},
		{"ld last word", []string{"ld [8]", "ret"}, pkt, 12, 0x0809fffe},
		{"ld oob by one", []string{"ld [9]", "ret"}, pkt, 12, 0},
		{"ldh oob", []string{"ldh [11]", "ret #1"}, pkt, 12, 0},
		{"ldb oob", []string{"ldb [12]", "ret #1"}, pkt, 12, 0},
		{"ld huge offset", []string{"ld [-1]", "ret #1"}, pkt, 12, 0},
		{"ancillary rejects", []string{"ld [proto]", "ret #1"}, pkt, 12, 0},
		{"len is wire length", []string{"ld #pktlen", "ret"}, pkt[:4], 1500, 1500},
		{"ldx len", []string{"ldx #0x0", "unimp 0x81", "txa", "ret"}, pkt, 99, 99}, // unimp 0x81 is ldx #pktlen
		{"loads see captured bytes only", []string{"ldb [5]", "ret"}, pkt[:4], 1500, 0},
		{"ind", []string{"ldx #0x2", "ldh [x + 2]", "ret"}, pkt, 12, 0x4505},
		{"ind oob", []string{"ldx #0xb", "ldb [x + 1]", "ret #1"}, pkt, 12, 0},
		{"ind wrap", []string{"ldx #0xffffffff", "ldb [x + 1]", "ret #1"}, pkt, 12, 0},
		{"msh", []string{"ldxb 4*([4]&0xf)", "txa", "ret"}, pkt, 12, 20},
		{"msh oob", []string{"ldxb 4*([12]&0xf)", "ret #1"}, pkt, 12, 0},
		{"imm", []string{"ld #0xdeadbeef", "ret"}, nil, 0, 0xdeadbeef},
		{"scratch", []string{"ld #0x5", "st M[15]", "ldx #0x0", "ld #0x0", "ldx M[15]", "stx M[0]", "ld M[0]", "ret"}, nil, 0, 5},
		{"scratch starts zero", []string{"ld M[3]", "add #1", "ret"}, nil, 0, 1},
		{"add sub", []string{"ld #0x5", "add #10", "sub #20", "ret"}, nil, 0, 0xfffffffb},
		{"mul overflow", []string{"ld #0x80000001", "mul #2", "ret"}, nil, 0, 2},
		{"div", []string{"ld #0x64", "div #7", "ret"}, nil, 0, 14},
		{"mod", []string{"ld #0x64", "mod #7", "ret"}, nil, 0, 2},
		{"div x zero", []string{"ld #0x64", "ldx #0x0", "div x", "ret #9"}, nil, 0, 0},
		{"mod x zero", []string{"ld #0x64", "ldx #0x0", "mod x", "ret #9"}, nil, 0, 0},
		{"div x", []string{"ld #0x64", "ldx #0x3", "div x", "ret"}, nil, 0, 33},
		{"mod x", []string{"ld #0x64", "ldx #0x3", "mod x", "ret"}, nil, 0, 1},
		{"and or xor", []string{"ld #0xf0f0", "and #0xff00", "or #0x1", "xor #0x3", "ret"}, nil, 0, 0xf002},
		{"x ops", []string{"ld #0xc", "ldx #0xa", "and x", "ldx #0x3", "or x", "xor x", "add x", "sub x", "ldx #0x5", "mul x", "ret"}, nil, 0, 40},
		{"lsh rsh k", []string{"ld #0x1", "lsh #31", "rsh #30", "ret"}, nil, 0, 2},
		{"lsh x 31", []string{"ld #0x1", "ldx #0x1f", "lsh x", "ret"}, nil, 0, 0x80000000},
		{"lsh x 32 is 0", []string{"ld #0x1", "ldx #0x20", "lsh x", "ret"}, nil, 0, 0},
		{"rsh x 40 is 0", []string{"ld #0xffffffff", "ldx #0x28", "rsh x", "ret"}, nil, 0, 0},
		{"neg", []string{"ld #0x1", "neg", "ret"}, nil, 0, 0xffffffff},
		{"tax txa", []string{"ld #0x7", "tax", "ld #0x0", "txa", "ret"}, nil, 0, 7},
		{"jeq", []string{"ld #0x5", "jeq #0x5 jt 2 jf 3", "ret #1", "ret #2"}, nil, 0, 1},
		{"jgt false", []string{"ld #0x5", "jgt #0x5 jt 2 jf 3", "ret #1", "ret #2"}, nil, 0, 2},
		{"jge", []string{"ld #0x5", "jge #0x5 jt 2 jf 3", "ret #1", "ret #2"}, nil, 0, 1},
		{"jset", []string{"ld #0x6", "jset #0x1 jt 2 jf 3", "ret #1", "ret #2"}, nil, 0, 2},
		{"jgt unsigned", []string{"ld #0xffffffff", "jgt #0x1 jt 2 jf 3", "ret #1", "ret #2"}, nil, 0, 1},
		{"jx", []string{"ld #0x5", "ldx #0x5", "jeq x jt 3 jf 6", "ret #0", "jge x jt 5 jf 6", "ret #0", "ret #1"}, nil, 0, 0},
		{"jx2", []string{"ld #0x5", "ldx #0x4", "jgt x jt 4 jf 3", "ret #0", "jset x jt 6 jf 5", "ret #0", "ret #1"}, nil, 0, 1},
		{"backward jumps grow with the packet", []string{"ld #0x0", "add #1", "jgt #0x50 jt 4 jf 3", "ja 1", "ret"}, make([]byte, 128), 128, 0x51},
		{"backward jump limit", []string{"ld #0x0", "add #1", "jgt #0x51 jt 4 jf 3", "ja 1", "ret"}, make([]byte, 128), 128, 0},
		{"ja", []string{"ja 2", "ret #1", "ret #2"}, nil, 0, 2},
		{"backward jumps bounded", []string{"ld #0x0", "add #1", "ja 1", "ret"}, nil, 0, 0},
		{"backward jump loop exits", []string{"ld #0x0", "add #1", "jgt #0x9 jt 4 jf 3", "ja 1", "ret"}, nil, 0, 10},
	}
}()

func TestRun(t *testing.T) {
	for _, tt := range runTests {
		p, err := NewProgram(asm(t, tt.prog...))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got := p.Run(tt.pkt, tt.wireLen); got != tt.want {
			t.Errorf("%s: Run = %#x, want %#x", tt.name, got, tt.want)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		insns []Instruction
		want  string
	}{
		{"empty", nil, "cbpf: empty program"},
		{"unknown opcode", []Instruction{Stmt(OpRetX, 0)}, "cbpf: insn 0: unknown opcode 0x0e"},
		{"scratch", []Instruction{Stmt(OpSt, 16), Stmt(OpRetK, 0)}, "cbpf: insn 0: scratch memory index 16 out of range"},
		{"div zero", []Instruction{Stmt(OpDivK, 0), Stmt(OpRetK, 0)}, "cbpf: insn 0: division by constant zero"},
		{"mod zero", []Instruction{Stmt(OpLdImm, 1), Stmt(OpModK, 0), Stmt(OpRetK, 0)}, "cbpf: insn 1: division by constant zero"},
		{"shift", []Instruction{Stmt(OpLshK, 32), Stmt(OpRetK, 0)}, "cbpf: insn 0: constant shift by 32"},
		{"ja out", []Instruction{Stmt(OpJA, 1), Stmt(OpRetK, 0)}, "cbpf: insn 0: jump out of range (ja 1)"},
		{"ja before start", []Instruction{Stmt(OpJA, 0xfffffffe), Stmt(OpRetK, 0)}, "cbpf: insn 0: jump out of range (ja -2)"},
		{"ja self", []Instruction{Stmt(OpRetK, 0), Stmt(OpJA, 0xffffffff), Stmt(OpRetK, 0)}, "cbpf: insn 1: jump to itself"},
		{"jt out", []Instruction{Jump(OpJEQK, 0, 1, 0), Stmt(OpRetK, 0)}, "cbpf: insn 0: jump out of range (jt 1, jf 0)"},
		{"no ret", []Instruction{Stmt(OpLdImm, 0)}, "cbpf: insn 0: last instruction is not a return"},
	}
	for _, tt := range tests {
		p, err := NewProgram(tt.insns)
		if err == nil {
			t.Errorf("%s: accepted", tt.name)
			continue
		}
		if p != nil || err.Error() != tt.want || !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
	if _, err := NewProgram(make([]Instruction, MaxProgramLen+1)); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("too long: %v", err)
	}
}

func TestCheckKernel(t *testing.T) {
	ok := []Instruction{Stmt(OpLdW, SKFAdOff+SKFAdProtocol), Stmt(OpLdB, SKFNetOff+9), Stmt(OpSt, 2), Stmt(OpLdMem, 2), Stmt(OpRetA, 0)}
	if err := CheckKernel(ok); err != nil {
		t.Errorf("valid program: %v", err)
	}
	tests := []struct {
		name  string
		insns []Instruction
		want  string
	}{
		{"empty", nil, "cbpf: flen 0 not in 1..BPF_MAXINSNS (4096)"},
		{"too long", make([]Instruction, MaxInsns+1), "cbpf: flen 4097 not in 1..BPF_MAXINSNS (4096)"},
		{"code", []Instruction{Stmt(OpLdxLen, 0), Stmt(OpLdxImm, 0), Stmt(OpRetX, 0)}, "cbpf: insn 2: code 0x0e not allowed (chk_code_allowed)"},
		{"div", []Instruction{Stmt(OpDivK, 0), Stmt(OpRetK, 0)}, "cbpf: insn 0: division by zero (BPF_ALU|BPF_DIV/BPF_MOD|BPF_K, k == 0)"},
		{"shift", []Instruction{Stmt(OpRshK, 40), Stmt(OpRetK, 0)}, "cbpf: insn 0: shift by k = 40 >= 32"},
		{"mem", []Instruction{Stmt(OpStx, 16), Stmt(OpRetK, 0)}, "cbpf: insn 0: invalid memory address M[16] (k >= BPF_MEMWORDS)"},
		{"ja", []Instruction{Stmt(OpJA, 0xfffffffe), Stmt(OpRetK, 0), Stmt(OpRetK, 0)}, "cbpf: insn 0: BPF_JA k = 4294967294 out of range"},
		{"jt", []Instruction{Jump(OpJGTX, 0, 0, 1), Stmt(OpRetK, 0)}, "cbpf: insn 0: conditional jump out of range (jt 0, jf 1)"},
		{"ancillary", []Instruction{Stmt(OpLdW, SKFAdOff+SKFAdMax), Stmt(OpRetK, 0)}, "cbpf: insn 0: unknown ancillary operation at k = 0xfffff040 (SKF_AD_OFF+64)"},
		{"ancillary unaligned", []Instruction{Stmt(OpLdH, SKFAdOff+2), Stmt(OpRetK, 0)}, "cbpf: insn 0: unknown ancillary operation at k = 0xfffff002 (SKF_AD_OFF+2)"},
		{"last", []Instruction{Stmt(OpRetK, 0), Stmt(OpTAX, 0)}, "cbpf: insn 1: last instruction is not BPF_RET|BPF_K or BPF_RET|BPF_A"},
		{"uninit", []Instruction{Stmt(OpLdxMem, 3), Stmt(OpRetK, 0)}, "cbpf: insn 0: M[3] read before it is written (check_load_and_stores)"},
		{"uninit on one path", []Instruction{Jump(OpJEQK, 0, 0, 1), Stmt(OpSt, 1), Stmt(OpLdMem, 1), Stmt(OpRetA, 0)}, "cbpf: insn 2: M[1] read before it is written (check_load_and_stores)"},
	}
	for _, tt := range tests {
		err := CheckKernel(tt.insns)
		if err == nil || err.Error() != tt.want || !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestRunAllocs(t *testing.T) {
	p := MustProgram(asm(t, "ldh [12]", "jeq #0x800 jt 2 jf 3", "ld #pktlen", "st M[1]", "ret"))
	pkt := make([]byte, 60)
	if n := testing.AllocsPerRun(100, func() { p.Run(pkt, 60) }); n != 0 {
		t.Errorf("Run allocates %v times", n)
	}
}

// TestLibpcapApply runs the filter_apply tests of libpcap's suite: the
// expression is compiled by the installed tcpdump for the savefile's link
// type, and our interpreter must return exactly the expected value for every
// packet. Tests that libpcap 1.10.3 itself does not reproduce are skipped.
func TestLibpcapApply(t *testing.T) {
	needTcpdump(t)
	dir := filepath.Join(sharedDir(t), "pcap", "libpcap-filter-tests")
	f, err := os.Open(filepath.Join(dir, "portable.jsonl"))
	if err != nil {
		missing(t, "libpcap filter tests: "+err.Error())
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	ran, skipped := 0, 0
	for sc.Scan() {
		var tc struct {
			Kind      string `json:"kind"`
			Label     string `json:"label"`
			Expr      string `json:"expr"`
			Expected  string `json:"expected"`
			Optimize  bool   `json:"optimize"`
			Savefile  string `json:"savefile"`
			Passes110 bool   `json:"passes_libpcap_1_10_3"`
		}
		if err := json.Unmarshal(sc.Bytes(), &tc); err != nil {
			t.Fatal(err)
		}
		if tc.Kind != "filter_apply" {
			continue
		}
		path := filepath.Join(dir, "savefiles", strings.TrimPrefix(tc.Savefile, "filter/"))
		if !tc.Passes110 || strings.HasSuffix(path, ".pcapng") {
			skipped++
			continue
		}
		args := []string{"-dd", "-r", path}
		if !tc.Optimize {
			args = append(args, "-O")
		}
		cmd := exec.Command(needTcpdump(t), append(args, tc.Expr)...)
		out, err := cmd.Output()
		if err != nil {
			t.Errorf("%s: tcpdump: %v", tc.Label, err)
			continue
		}
		insns, err := ParseC(string(out))
		if err != nil {
			t.Errorf("%s: %v", tc.Label, err)
			continue
		}
		p, err := NewProgram(insns)
		if err != nil {
			t.Errorf("%s: %v", tc.Label, err)
			continue
		}
		_, pkts, err := readPcap(path)
		if err != nil {
			t.Errorf("%s: %v", tc.Label, err)
			continue
		}
		var got strings.Builder
		for _, pk := range pkts {
			got.WriteString(strconv.FormatUint(uint64(p.Run(pk.data, pk.wireLen)), 10) + "\n")
		}
		if got.String() != tc.Expected {
			t.Errorf("%s (%q on %s): got\n%s\nwant\n%s", tc.Label, tc.Expr, tc.Savefile, got.String(), tc.Expected)
		}
		ran++
	}
	if ran < 200 {
		t.Errorf("only %d filter_apply tests ran", ran)
	}
	t.Logf("%d filter_apply tests: every per-packet return value matches (%d skipped: not reproduced by libpcap 1.10.3, or pcapng)", ran, skipped)
}

// TestTcpdumpVerdicts compares our interpreter with libpcap: for each
// expression, over merged-en10mb.pcap and over one file holding the packets
// of every crafted (malformed) Ethernet capture, the packets `tcpdump -r FILE -w - EXPR` writes
// must be exactly those our interpreter accepts with tcpdump's bytecode.
func TestTcpdumpVerdicts(t *testing.T) {
	needTcpdump(t)
	root := filepath.Join(sharedDir(t), "pcap", "captures")
	files := []string{filepath.Join(root, "merged-en10mb.pcap"), craftedEN10MB(t, root)}
	exprs := readExpressions(t)
	if testing.Short() {
		exprs = exprs[:8]
	}
	pairs, total := 0, 0
	for _, file := range files {
		path := file
		lt, pkts, err := readPcap(path)
		if err != nil {
			t.Fatal(err)
		}
		if lt != 1 {
			t.Fatalf("%s: link type %d", file, lt)
		}
		for _, expr := range exprs {
			p := MustProgram(compileTcpdump(t, expr))
			cmd := exec.Command(needTcpdump(t), "-r", path, "-w", "-", expr)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("tcpdump -r %s %q: %v", file, expr, err)
			}
			tmp := filepath.Join(t.TempDir(), "out.pcap")
			if err := os.WriteFile(tmp, out, 0o600); err != nil {
				t.Fatal(err)
			}
			_, want, err := readPcap(tmp)
			if err != nil {
				t.Fatal(err)
			}
			var got []packet
			for _, pk := range pkts {
				if p.Run(pk.data, pk.wireLen) != 0 {
					got = append(got, pk)
				}
			}
			if !samePackets(got, want) {
				t.Errorf("%s %q: we accept %d packets, libpcap %d", file, expr, len(got), len(want))
			}
			pairs++
			total += len(got)
		}
	}
	t.Logf("%d (file, expression) pairs, %d accepted packets, all identical to libpcap", pairs, total)
}

func samePackets(a, b []packet) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].wireLen != b[i].wireLen || !bytes.Equal(a[i].data, b[i].data) {
			return false
		}
	}
	return true
}
