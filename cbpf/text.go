package cbpf

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrSyntax is wrapped by every ParseError.
var ErrSyntax = errors.New("cbpf: syntax error")

// ParseError is a text-format error at a line and column (both from 1).
type ParseError struct {
	Line, Col int
	Msg       string
}

func (e *ParseError) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg) }

// Unwrap returns ErrSyntax.
func (e *ParseError) Unwrap() error { return ErrSyntax }

// ancillaryNames are the symbolic names libpcap's bpf_image prints for
// absolute loads of Linux ancillary data, indexed by SKF_AD_* / 4.
var ancillaryNames = [SKFAdMax / 4]string{
	"proto", "type", "ifidx", "nla", "nlan", "mark", "queue", "hatype",
	"rxhash", "cpu", "xor_x", "vlan_tci", "vlanp", "poff", "random", "vlan_tpid",
}

// mnemonic and operand of an instruction in libpcap's bpf_image form.
func imageParts(ins Instruction, n int) (op, operand string) {
	k := ins.K
	switch ins.Op {
	case OpRetK:
		return "ret", fmt.Sprintf("#%d", int32(k))
	case OpRetA:
		return "ret", ""
	case OpLdW:
		return "ld", absOperand(k)
	case OpLdH:
		return "ldh", absOperand(k)
	case OpLdB:
		return "ldb", absOperand(k)
	case OpLdLen:
		return "ld", "#pktlen"
	case OpLdIndW:
		return "ld", fmt.Sprintf("[x + %d]", int32(k))
	case OpLdIndH:
		return "ldh", fmt.Sprintf("[x + %d]", int32(k))
	case OpLdIndB:
		return "ldb", fmt.Sprintf("[x + %d]", int32(k))
	case OpLdImm:
		return "ld", fmt.Sprintf("#0x%x", k)
	case OpLdxImm:
		return "ldx", fmt.Sprintf("#0x%x", k)
	case OpLdxMsh:
		return "ldxb", fmt.Sprintf("4*([%d]&0xf)", int32(k))
	case OpLdMem:
		return "ld", fmt.Sprintf("M[%d]", int32(k))
	case OpLdxMem:
		return "ldx", fmt.Sprintf("M[%d]", int32(k))
	case OpSt:
		return "st", fmt.Sprintf("M[%d]", int32(k))
	case OpStx:
		return "stx", fmt.Sprintf("M[%d]", int32(k))
	case OpJA:
		return "ja", strconv.Itoa(int(int32(uint32(n) + 1 + k)))
	case OpJGTK:
		return "jgt", fmt.Sprintf("#0x%x", k)
	case OpJGEK:
		return "jge", fmt.Sprintf("#0x%x", k)
	case OpJEQK:
		return "jeq", fmt.Sprintf("#0x%x", k)
	case OpJSETK:
		return "jset", fmt.Sprintf("#0x%x", k)
	case OpJGTX:
		return "jgt", "x"
	case OpJGEX:
		return "jge", "x"
	case OpJEQX:
		return "jeq", "x"
	case OpJSETX:
		return "jset", "x"
	case OpAddX:
		return "add", "x"
	case OpSubX:
		return "sub", "x"
	case OpMulX:
		return "mul", "x"
	case OpDivX:
		return "div", "x"
	case OpModX:
		return "mod", "x"
	case OpAndX:
		return "and", "x"
	case OpOrX:
		return "or", "x"
	case OpXorX:
		return "xor", "x"
	case OpLshX:
		return "lsh", "x"
	case OpRshX:
		return "rsh", "x"
	case OpAddK:
		return "add", fmt.Sprintf("#%d", int32(k))
	case OpSubK:
		return "sub", fmt.Sprintf("#%d", int32(k))
	case OpMulK:
		return "mul", fmt.Sprintf("#%d", int32(k))
	case OpDivK:
		return "div", fmt.Sprintf("#%d", int32(k))
	case OpModK:
		return "mod", fmt.Sprintf("#%d", int32(k))
	case OpAndK:
		return "and", fmt.Sprintf("#0x%x", k)
	case OpOrK:
		return "or", fmt.Sprintf("#0x%x", k)
	case OpXorK:
		return "xor", fmt.Sprintf("#0x%x", k)
	case OpLshK:
		return "lsh", fmt.Sprintf("#%d", int32(k))
	case OpRshK:
		return "rsh", fmt.Sprintf("#%d", int32(k))
	case OpNeg:
		return "neg", ""
	case OpTAX:
		return "tax", ""
	case OpTXA:
		return "txa", ""
	}
	return "unimp", fmt.Sprintf("0x%x", ins.Op)
}

func absOperand(k uint32) string {
	if k >= SKFAdOff && k < SKFAdOff+SKFAdMax && (k-SKFAdOff)%4 == 0 {
		return "[" + ancillaryNames[(k-SKFAdOff)/4] + "]"
	}
	return fmt.Sprintf("[%d]", int32(k))
}

// Image returns instruction ins at index n exactly as libpcap's bpf_image()
// prints it (one line of `tcpdump -d`, without the newline), e.g.
// "(001) jeq      #0x800           jt 2\tjf 5".
func Image(ins Instruction, n int) string {
	op, operand := imageParts(ins, n)
	if ins.IsConditionalJump() {
		return fmt.Sprintf("(%03d) %-8s %-16s jt %d\tjf %d", n, op, operand, n+1+int(ins.Jt), n+1+int(ins.Jf))
	}
	return fmt.Sprintf("(%03d) %-8s %s", n, op, operand)
}

// Disasm returns the program as `tcpdump -d` prints it: one Image line per
// instruction, each ending in a newline.
func Disasm(insns []Instruction) string {
	var b strings.Builder
	for i, ins := range insns {
		b.WriteString(Image(ins, i))
		b.WriteByte('\n')
	}
	return b.String()
}

// DumpC returns the program as `tcpdump -dd` prints it:
// "{ 0x28, 0, 0, 0x0000000c },", one line per instruction.
func DumpC(insns []Instruction) string {
	var b strings.Builder
	for _, ins := range insns {
		fmt.Fprintf(&b, "{ 0x%x, %d, %d, 0x%08x },\n", ins.Op, ins.Jt, ins.Jf, ins.K)
	}
	return b.String()
}

// DumpDecimal returns the program as `tcpdump -ddd` prints it: the count,
// then "code jt jf k" in decimal, one line per instruction.
func DumpDecimal(insns []Instruction) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d\n", len(insns))
	for _, ins := range insns {
		fmt.Fprintf(&b, "%d %d %d %d\n", ins.Op, ins.Jt, ins.Jf, ins.K)
	}
	return b.String()
}

// lineScanner walks text line by line, tracking line numbers, and offers
// small helpers that produce ParseErrors with columns.
type lineScanner struct {
	lines []string
	line  int // current line, from 1
}

func newLineScanner(text string) *lineScanner {
	return &lineScanner{lines: strings.Split(text, "\n")}
}

func (s *lineScanner) next() (string, bool) {
	for s.line < len(s.lines) {
		l := strings.TrimSuffix(s.lines[s.line], "\r")
		s.line++
		if strings.TrimSpace(l) != "" {
			return l, true
		}
	}
	return "", false
}

// cursor is a position inside one line.
type cursor struct {
	text string
	pos  int
	line int
}

func (c *cursor) errf(format string, args ...any) error {
	return &ParseError{Line: c.line, Col: c.pos + 1, Msg: fmt.Sprintf(format, args...)}
}

func (c *cursor) skipSpace() {
	for c.pos < len(c.text) && (c.text[c.pos] == ' ' || c.text[c.pos] == '\t') {
		c.pos++
	}
}

func (c *cursor) eof() bool { c.skipSpace(); return c.pos >= len(c.text) }

// accept consumes lit (after optional spaces) if present.
func (c *cursor) accept(lit string) bool {
	save := c.pos
	c.skipSpace()
	if strings.HasPrefix(c.text[c.pos:], lit) {
		c.pos += len(lit)
		return true
	}
	c.pos = save
	return false
}

func (c *cursor) expect(lit string) error {
	if !c.accept(lit) {
		c.skipSpace()
		return c.errf("expected %q", lit)
	}
	return nil
}

// word consumes a run of letters, digits and underscores.
func (c *cursor) word() string {
	c.skipSpace()
	start := c.pos
	for c.pos < len(c.text) && isWordByte(c.text[c.pos]) {
		c.pos++
	}
	return c.text[start:c.pos]
}

func isWordByte(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// number consumes a C integer (optional sign, 0x hex, or decimal) that fits in
// 32 bits, signed or unsigned, and returns it as uint32.
func (c *cursor) number() (uint32, error) {
	c.skipSpace()
	start := c.pos
	if c.pos < len(c.text) && (c.text[c.pos] == '-' || c.text[c.pos] == '+') {
		c.pos++
	}
	for c.pos < len(c.text) && isWordByte(c.text[c.pos]) {
		c.pos++
	}
	lit := c.text[start:c.pos]
	v, err := parseCNumber(lit)
	if err != nil {
		c.pos = start
		return 0, c.errf("bad number %q", lit)
	}
	return v, nil
}

// parseCNumber parses decimal or 0x-hexadecimal text with an optional sign,
// accepting the range [-2^31, 2^32-1].
func parseCNumber(lit string) (uint32, error) {
	neg := false
	s := lit
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		neg = s[0] == '-'
		s = s[1:]
	}
	var v uint64
	var err error
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		v, err = strconv.ParseUint(s[2:], 16, 32)
	} else {
		v, err = strconv.ParseUint(s, 10, 32)
	}
	if err != nil || s == "" {
		return 0, fmt.Errorf("bad number %q", lit)
	}
	if neg {
		if v > 1<<31 {
			return 0, fmt.Errorf("number %q out of range", lit)
		}
		return uint32(-int64(v)), nil
	}
	return uint32(v), nil
}

// ParseDisasm parses `tcpdump -d` text (libpcap's bpf_image lines) back into
// instructions. Each non-empty line is "(NNN) mnemonic operand", with NNN the
// instruction's index; jump targets are absolute indexes as printed.
// Instructions printed as "unimp 0xNN" come back with opcode NN and K = 0.
func ParseDisasm(text string) ([]Instruction, error) {
	s := newLineScanner(text)
	out := []Instruction{}
	for {
		l, ok := s.next()
		if !ok {
			break
		}
		c := &cursor{text: l, line: s.line}
		ins, err := parseImage(c, len(out))
		if err != nil {
			return nil, err
		}
		out = append(out, ins)
	}
	return out, nil
}

func parseImage(c *cursor, n int) (Instruction, error) {
	if err := c.expect("("); err != nil {
		return Instruction{}, err
	}
	idx, err := c.number()
	if err != nil {
		return Instruction{}, err
	}
	if int64(idx) != int64(n) {
		return Instruction{}, c.errf("instruction index %d, want %d", idx, n)
	}
	if err := c.expect(")"); err != nil {
		return Instruction{}, err
	}
	mstart := c.pos
	m := c.word()
	if m == "" {
		return Instruction{}, c.errf("expected a mnemonic")
	}
	var ins Instruction
	switch m {
	case "ret":
		if c.eof() {
			ins.Op = OpRetA
		} else {
			ins.Op = OpRetK
			err = c.hashNumber(&ins.K)
		}
	case "ld", "ldh", "ldb":
		ins, err = parseLoadImage(c, m)
	case "ldx":
		switch {
		case c.accept("M["):
			ins.Op = OpLdxMem
			err = c.numberThen(&ins.K, "]")
		case c.accept("#pktlen"):
			ins.Op = OpLdxLen
		default:
			ins.Op = OpLdxImm
			err = c.hashNumber(&ins.K)
		}
	case "ldxb":
		ins.Op = OpLdxMsh
		if err = c.expect("4*(["); err == nil {
			err = c.numberThen(&ins.K, "]&0xf)")
		}
	case "st", "stx":
		ins.Op = OpSt
		if m == "stx" {
			ins.Op = OpStx
		}
		if err = c.expect("M["); err == nil {
			err = c.numberThen(&ins.K, "]")
		}
	case "ja":
		ins.Op = OpJA
		var t uint32
		if t, err = c.number(); err == nil {
			ins.K = t - uint32(n) - 1
		}
	case "jeq", "jgt", "jge", "jset":
		ins.Op = ClassJMP | map[string]uint16{"jeq": JmpJEQ, "jgt": JmpJGT, "jge": JmpJGE, "jset": JmpJSET}[m]
		if c.accept("x") {
			ins.Op |= SrcX
		} else {
			err = c.hashNumber(&ins.K)
		}
	case "add", "sub", "mul", "div", "mod", "and", "or", "xor", "lsh", "rsh":
		ins.Op = ClassALU | aluOps[m]
		if c.accept("x") {
			ins.Op |= SrcX
		} else {
			err = c.hashNumber(&ins.K)
		}
	case "neg":
		ins.Op = OpNeg
	case "tax":
		ins.Op = OpTAX
	case "txa":
		ins.Op = OpTXA
	case "unimp":
		var code uint32
		if code, err = c.number(); err == nil {
			if code > 0xffff {
				return ins, c.errf("opcode 0x%x out of range", code)
			}
			ins.Op = uint16(code)
		}
	default:
		c.pos = mstart
		c.skipSpace()
		return ins, c.errf("unknown mnemonic %q", m)
	}
	if err != nil {
		return ins, err
	}
	if ins.IsConditionalJump() {
		for _, f := range []struct {
			lit string
			dst *uint8
		}{{"jt", &ins.Jt}, {"jf", &ins.Jf}} {
			if err := c.expect(f.lit); err != nil {
				return ins, err
			}
			save := c.pos
			t, err := c.number()
			if err != nil {
				return ins, err
			}
			off := int64(int32(t)) - int64(n) - 1
			if off < 0 || off > 255 {
				c.pos = save
				c.skipSpace()
				return ins, c.errf("%s target %d out of range for instruction %d", f.lit, int32(t), n)
			}
			*f.dst = uint8(off)
		}
	}
	if !c.eof() {
		return ins, c.errf("unexpected %q", c.text[c.pos:])
	}
	return ins, nil
}

var aluOps = map[string]uint16{
	"add": ALUAdd, "sub": ALUSub, "mul": ALUMul, "div": ALUDiv, "mod": ALUMod,
	"and": ALUAnd, "or": ALUOr, "xor": ALUXor, "lsh": ALULsh, "rsh": ALURsh,
}

func (c *cursor) hashNumber(dst *uint32) error {
	if err := c.expect("#"); err != nil {
		return err
	}
	v, err := c.number()
	*dst = v
	return err
}

func (c *cursor) numberThen(dst *uint32, lit string) error {
	v, err := c.number()
	if err != nil {
		return err
	}
	*dst = v
	return c.expect(lit)
}

func parseLoadImage(c *cursor, m string) (Instruction, error) {
	size := map[string]uint16{"ld": SizeW, "ldh": SizeH, "ldb": SizeB}[m]
	var ins Instruction
	switch {
	case c.accept("[x"):
		ins.Op = ClassLD | size | ModeIND
		if err := c.expect("+"); err != nil {
			return ins, err
		}
		return ins, c.numberThen(&ins.K, "]")
	case c.accept("["):
		ins.Op = ClassLD | size | ModeABS
		save := c.pos
		if w := c.word(); w != "" && (w[0] < '0' || w[0] > '9') {
			for i, name := range ancillaryNames {
				if name == w {
					ins.K = SKFAdOff + uint32(i)*4
					return ins, c.expect("]")
				}
			}
			c.pos = save
			c.skipSpace()
			return ins, c.errf("unknown ancillary name %q", w)
		}
		c.pos = save
		return ins, c.numberThen(&ins.K, "]")
	}
	if m != "ld" {
		c.skipSpace()
		return ins, c.errf("%s needs [k] or [x + k]", m)
	}
	switch {
	case c.accept("#pktlen"):
		ins.Op = OpLdLen
		return ins, nil
	case c.accept("M["):
		ins.Op = OpLdMem
		return ins, c.numberThen(&ins.K, "]")
	}
	ins.Op = OpLdImm
	return ins, c.hashNumber(&ins.K)
}

// ParseC parses `tcpdump -dd` text: lines "{ code, jt, jf, k }," with C
// integer literals. A trailing comma after the brace is optional.
func ParseC(text string) ([]Instruction, error) {
	s := newLineScanner(text)
	out := []Instruction{}
	for {
		l, ok := s.next()
		if !ok {
			break
		}
		c := &cursor{text: l, line: s.line}
		if err := c.expect("{"); err != nil {
			return nil, err
		}
		var f [4]uint32
		for i := range f {
			if i > 0 {
				if err := c.expect(","); err != nil {
					return nil, err
				}
			}
			save := c.pos
			v, err := c.number()
			if err != nil {
				return nil, err
			}
			if i < 3 && (i == 0 && v > 0xffff || i > 0 && v > 0xff) {
				c.pos = save
				c.skipSpace()
				return nil, c.errf("field %d value %d out of range", i+1, v)
			}
			f[i] = v
		}
		if err := c.expect("}"); err != nil {
			return nil, err
		}
		c.accept(",")
		if !c.eof() {
			return nil, c.errf("unexpected %q", c.text[c.pos:])
		}
		out = append(out, Instruction{Op: uint16(f[0]), Jt: uint8(f[1]), Jf: uint8(f[2]), K: f[3]})
	}
	return out, nil
}

// ParseDecimal parses `tcpdump -ddd` text: the instruction count on the first
// line, then "code jt jf k" in decimal per line. The count must match.
func ParseDecimal(text string) ([]Instruction, error) {
	s := newLineScanner(text)
	l, ok := s.next()
	if !ok {
		return nil, &ParseError{Line: 1, Col: 1, Msg: "missing instruction count"}
	}
	c := &cursor{text: l, line: s.line}
	count, err := c.number()
	if err != nil {
		return nil, err
	}
	if !c.eof() {
		return nil, c.errf("unexpected %q after the count", c.text[c.pos:])
	}
	out := []Instruction{}
	for {
		l, ok := s.next()
		if !ok {
			break
		}
		c := &cursor{text: l, line: s.line}
		var f [4]uint32
		for i := range f {
			save := c.pos
			v, err := c.number()
			if err != nil {
				return nil, err
			}
			if i == 0 && v > 0xffff || (i == 1 || i == 2) && v > 0xff {
				c.pos = save
				c.skipSpace()
				return nil, c.errf("field %d value %d out of range", i+1, v)
			}
			f[i] = v
		}
		if !c.eof() {
			return nil, c.errf("unexpected %q", c.text[c.pos:])
		}
		out = append(out, Instruction{Op: uint16(f[0]), Jt: uint8(f[1]), Jf: uint8(f[2]), K: f[3]})
	}
	if uint64(count) != uint64(len(out)) {
		return nil, &ParseError{Line: 1, Col: 1, Msg: fmt.Sprintf("count %d, but %d instructions follow", count, len(out))}
	}
	return out, nil
}
