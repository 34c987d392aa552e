package vm

import (
	"fmt"
	"net/netip"
	"strings"
	"syscall"
)

// maxBprintfBuf is the kernel's MAX_BPRINTF_BUF: the size of the
// formatted output of bpf_trace_printk and of the string arguments.
const maxBprintfBuf = 512

// jiffiesHZ is the tick rate bpf_jiffies64 counts in (the kernel's
// CONFIG_HZ, which user space cannot read; 1000 is the common value).
const jiffiesHZ = 1000

// bprintf checks format as the kernel's bpf_bprintf_prepare does and
// formats args with it as bstr_printf would. Conversions: %d %i %u %x %X
// with l or ll, %c, %s, %p (%px %pK %ps %pS %pB print the address in hex,
// as gbpf has no kernel symbols or pointer hashing), %pI4 %pi4 %pI6 %pi6,
// %pks %pus; flags 0 + - space and a width. Anything else, more
// conversions than args, or a character that is neither printable ASCII
// nor white space is EINVAL.
func (c *Call) bprintf(format []byte, args []uint64) (string, syscall.Errno) {
	var out strings.Builder
	num := 0
	f := format
	at := func(i int) byte {
		if i < len(f) {
			return f[i]
		}
		return 0
	}
	for i := 0; i < len(f); i++ {
		ch := f[i]
		if ch >= 0x80 || (!isPrint(ch) && !isSpace(ch)) {
			return "", syscall.EINVAL
		}
		if ch != '%' {
			out.WriteByte(ch)
			continue
		}
		if at(i+1) == '%' {
			out.WriteByte('%')
			i++
			continue
		}
		if num >= len(args) {
			return "", syscall.EINVAL
		}
		arg := args[num]
		num++
		i++
		start := i
		for at(i) == '0' || at(i) == '+' || at(i) == '-' || at(i) == ' ' {
			i++
		}
		if at(i) >= '1' && at(i) <= '9' {
			i++
			for at(i) >= '0' && at(i) <= '9' {
				i++
			}
		}
		flags := string(f[start:i])
		strFlags := strings.NewReplacer("0", "", "+", "", " ", "").Replace(flags)
		switch at(i) {
		case 'p':
			next := at(i + 1)
			switch {
			case (next == 'k' || next == 'u') && at(i+2) == 's':
				i += 2
				fmt.Fprintf(&out, "%"+strFlags+"s", c.printfString(arg))
			case next == 0 || isSpace(next) || isPunct(next) || next == 'K' || next == 'x':
				if next == 'K' || next == 'x' {
					i++
				}
				fmt.Fprintf(&out, "%016x", arg)
			case next == 's' || next == 'S' || next == 'B':
				i++
				fmt.Fprintf(&out, "%#x", arg)
			case (next == 'i' || next == 'I') && (at(i+2) == '4' || at(i+2) == '6'):
				n := uint64(4)
				if at(i+2) == '6' {
					n = 16
				}
				b := make([]byte, n)
				if src, err := c.Memory(arg, n, false); err == nil {
					copy(b, src)
				}
				out.WriteString(formatIP(b, next == 'i'))
				i += 2
			default:
				return "", syscall.EINVAL
			}
		case 's':
			fmt.Fprintf(&out, "%"+strFlags+"s", c.printfString(arg))
		case 'c':
			// The kernel writes the argument's low byte as it is, not the
			// UTF-8 encoding of a code point: pad a one-byte placeholder
			// and put the raw byte in its place.
			padded := fmt.Sprintf("%"+strFlags+"c", 'c')
			at := strings.IndexByte(padded, 'c')
			out.WriteString(padded[:at])
			out.WriteByte(byte(arg))
			out.WriteString(padded[at+1:])
		default:
			long := 0
			for at(i) == 'l' && long < 2 {
				long++
				i++
			}
			verb := at(i)
			unsignedFlags := strings.NewReplacer("+", "", " ", "").Replace(flags)
			switch verb {
			case 'd', 'i':
				v := int64(int32(arg))
				if long > 0 {
					v = int64(arg)
				}
				fmt.Fprintf(&out, "%"+flags+"d", v)
			case 'u', 'x', 'X':
				v := uint64(uint32(arg))
				if long > 0 {
					v = arg
				}
				if verb == 'u' {
					verb = 'd'
				}
				fmt.Fprintf(&out, "%"+unsignedFlags+string(verb), v)
			default:
				return "", syscall.EINVAL
			}
		}
	}
	return out.String(), 0
}

// printfString reads the NUL-terminated string argument of %s: empty when
// the address cannot be read, as the kernel's bpf_trace_copy_string.
func (c *Call) printfString(a uint64) string {
	s, _, ok := c.readableString(a, maxBprintfBuf-1)
	if !ok {
		return ""
	}
	return string(s)
}

// formatIP prints an address as %pI4/%pI6 (or, leading zeros kept and no
// separators for IPv6, %pi4/%pi6).
func formatIP(b []byte, padded bool) string {
	if len(b) == 4 {
		if padded {
			return fmt.Sprintf("%03d.%03d.%03d.%03d", b[0], b[1], b[2], b[3])
		}
		return netip.AddrFrom4([4]byte(b)).String()
	}
	if padded {
		return fmt.Sprintf("%x", b)
	}
	var s strings.Builder
	for k := 0; k < 16; k += 2 {
		if k > 0 {
			s.WriteByte(':')
		}
		fmt.Fprintf(&s, "%02x%02x", b[k], b[k+1])
	}
	return s.String()
}

func isPrint(b byte) bool { return b >= 0x20 && b < 0x7f }
func isPunct(b byte) bool {
	return isPrint(b) && b != ' ' && !(b >= '0' && b <= '9') && !(lower(b) >= 'a' && lower(b) <= 'z')
}

// formatArg returns the format string of a printf helper: the bytes at a
// up to the first NUL within size; EINVAL without one.
func (c *Call) formatArg(a, size uint64) ([]byte, syscall.Errno, error) {
	b, err := c.Memory(a, size, false)
	if err != nil {
		return nil, 0, err
	}
	for k, ch := range b {
		if ch == 0 {
			return b[:k], 0, nil
		}
	}
	return nil, syscall.EINVAL, nil
}

func hTracePrintk(c *Call, r1, r2, r3, r4, r5 uint64) (uint64, error) {
	f, e, err := c.formatArg(r1, r2)
	if err != nil {
		return 0, err
	}
	if e != 0 {
		return errno(e), nil
	}
	s, e := c.bprintf(f, []uint64{r3, r4, r5})
	if e != 0 {
		return errno(e), nil
	}
	n := len(s)
	if len(s) > maxBprintfBuf-1 {
		s = s[:maxBprintfBuf-1]
	}
	if w := c.prog.trace; w != nil {
		if _, err := w.Write([]byte(s)); err != nil {
			return 0, err
		}
	}
	return uint64(n), nil
}

func hSnprintf(c *Call, r1, r2, r3, r4, r5 uint64) (uint64, error) {
	if r5%8 != 0 || r5 > 12*8 {
		return errno(syscall.EINVAL), nil
	}
	f, e, err := c.formatArg(r3, 1<<16)
	if err != nil {
		s, _, ok := c.readableString(r3, 1<<16)
		if !ok {
			return 0, err
		}
		f = s
	}
	if e != 0 {
		return errno(e), nil
	}
	args := make([]uint64, r5/8)
	if r5 > 0 {
		d, err := c.Memory(r4, r5, false)
		if err != nil {
			return 0, err
		}
		for k := range args {
			args[k] = uint64(d[8*k]) | uint64(d[8*k+1])<<8 | uint64(d[8*k+2])<<16 | uint64(d[8*k+3])<<24 |
				uint64(d[8*k+4])<<32 | uint64(d[8*k+5])<<40 | uint64(d[8*k+6])<<48 | uint64(d[8*k+7])<<56
		}
	}
	s, e := c.bprintf(f, args)
	if e != 0 {
		return errno(e), nil
	}
	if r2 > 0 {
		out, err := c.Memory(r1, r2, true)
		if err != nil {
			return 0, err
		}
		n := copy(out[:len(out)-1], s)
		out[n] = 0
	}
	return uint64(len(s) + 1), nil
}
