package trace

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gbpf/gbpf/trace/lang"
)

// decodeValue renders bytes of type t as bpftrace prints them in map keys
// and values: integers in decimal, strings up to their NUL, tuples in
// parentheses.
func decodeValue(b []byte, t *lang.Type) string {
	if t != nil && t.Kind == lang.KindString {
		return cString(b)
	}
	if t != nil && t.Kind == lang.KindStack && !t.User && len(b) >= 8 {
		return activeStacks.Load().format(binary.LittleEndian.Uint64(b), "    ")
	}
	if t != nil && t.Kind == lang.KindStack && t.User && len(b) >= 16 {
		return activeStacks.Load().formatUser(binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:]), "    ")
	}
	if t != nil && t.Kind == lang.KindSymbol && t.User && len(b) >= 16 {
		return symbolName(newUserSymbols(int(binary.LittleEndian.Uint64(b[8:]))).resolve(binary.LittleEndian.Uint64(b)))
	}
	if t != nil && t.Kind == lang.KindSymbol && !t.User && len(b) >= 8 {
		return symbolName(kallsyms().resolve(binary.LittleEndian.Uint64(b)))
	}
	if t != nil && len(b) >= 8 {
		switch t.Kind {
		case lang.KindTimestamp:
			ns := int64(binary.LittleEndian.Uint64(b)) + monoToWall.Load()
			return strftime(t.Format, time.Unix(0, ns))
		case lang.KindMac:
			return fmt.Sprintf("%02X:%02X:%02X:%02X:%02X:%02X", b[0], b[1], b[2], b[3], b[4], b[5])
		case lang.KindInet:
			return formatInet(b)
		case lang.KindBuffer:
			n := int(binary.LittleEndian.Uint64(b))
			return escapeBuffer(b[8:min(len(b), 8+n)])
		}
	}
	if isByteArray(t) {
		var parts []string
		for i := 0; i < t.Len && i < len(b); i++ {
			parts = append(parts, strconv.Itoa(int(b[i])))
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	if t != nil && t.Kind == lang.KindTuple {
		var parts []string
		pos := 0
		for _, e := range t.Elems {
			n := typeSize(e)
			if pos+n > len(b) {
				break
			}
			parts = append(parts, decodeValue(b[pos:pos+n], e))
			pos += n
		}
		return "(" + strings.Join(parts, ", ") + ")"
	}
	if len(b) < 8 {
		return "0"
	}
	v := binary.LittleEndian.Uint64(b)
	if t != nil && t.Kind == lang.KindInt && !t.Signed {
		return strconv.FormatUint(v, 10)
	}
	return strconv.FormatInt(int64(v), 10)
}

// monoToWall converts CLOCK_MONOTONIC nanoseconds (nsecs) to Unix time
// for strftime: the difference of the two clocks when tracing starts.
var monoToWall atomic.Int64

// formatInet renders ntop's record: the address family, then the address.
func formatInet(b []byte) string {
	if len(b) < 24 {
		return ""
	}
	switch binary.LittleEndian.Uint64(b) {
	case 2:
		return net.IP(b[8:12]).String()
	case 10:
		return net.IP(b[8:24]).String()
	}
	return ""
}

// escapeBuffer renders buf's bytes as bpftrace's %r does: printable ASCII
// as it is, every other byte as \xNN.
func escapeBuffer(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		if c >= 0x20 && c < 0x7f {
			sb.WriteByte(c)
		} else {
			fmt.Fprintf(&sb, "\\x%02x", c)
		}
	}
	return sb.String()
}

func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// formatPrintf renders a bpftrace printf format with arguments decoded from data.
func formatPrintf(format string, types []*lang.Type, data []byte) string {
	var out strings.Builder
	arg, pos := 0, 0
	next := func() ([]byte, *lang.Type) {
		if arg >= len(types) {
			return nil, nil
		}
		t := types[arg]
		n := typeSize(t)
		arg++
		if pos+n > len(data) {
			pos = len(data)
			return make([]byte, n), t
		}
		b := data[pos : pos+n]
		pos += n
		return b, t
	}
	for i := 0; i < len(format); i++ {
		ch := format[i]
		if ch != '%' {
			out.WriteByte(ch)
			continue
		}
		if i+1 < len(format) && format[i+1] == '%' {
			// bpftrace 0.17 prints "%%" as it is written.
			out.WriteString("%%")
			i++
			continue
		}
		j := i + 1
		for j < len(format) && strings.IndexByte("-+ #0", format[j]) >= 0 {
			j++
		}
		for j < len(format) && (format[j] >= '0' && format[j] <= '9' || format[j] == '.') {
			j++
		}
		spec := format[i+1 : j]
		lenStart := j
		for j < len(format) && strings.IndexByte("hlzjqL", format[j]) >= 0 {
			j++
		}
		// bpftrace 0.17 hands the value to C's printf: without a length
		// modifier the integer conversions read 32 bits, h 16, hh 8.
		bits := 32
		switch mod := format[lenStart:j]; {
		case strings.ContainsAny(mod, "lzjqL"):
			bits = 64
		case mod == "hh":
			bits = 8
		case mod == "h":
			bits = 16
		}
		if j >= len(format) {
			out.WriteString(format[i:])
			break
		}
		verb := format[j]
		if strings.IndexByte("diouxXcspr", verb) < 0 {
			out.WriteString(format[i : j+1])
			i = j
			continue
		}
		b, t := next()
		i = j
		var iv uint64
		if len(b) >= 8 && (t == nil || t.Kind != lang.KindString) {
			iv = binary.LittleEndian.Uint64(b)
		}
		uv := iv
		sv := int64(iv)
		if bits < 64 {
			uv &= 1<<bits - 1
			sv = int64(uv<<(64-bits)) >> (64 - bits)
		}
		switch verb {
		case 'd', 'i':
			fmt.Fprintf(&out, "%"+spec+"d", sv)
		case 'u':
			fmt.Fprintf(&out, "%"+spec+"d", uv)
		case 'o', 'x', 'X':
			fmt.Fprintf(&out, "%"+spec+string(verb), uv)
		case 'c':
			fmt.Fprintf(&out, "%"+spec+"c", rune(byte(iv)))
		case 'p':
			fmt.Fprintf(&out, "%"+spec+"s", "0x"+strconv.FormatUint(iv, 16))
		case 's', 'r':
			s := decodeValue(b, t)
			if t != nil && t.Kind == lang.KindStack && !t.User && len(b) >= 8 {
				s = activeStacks.Load().format(binary.LittleEndian.Uint64(b), "        ")
			}
			if t != nil && t.Kind == lang.KindStack && t.User && len(b) >= 16 {
				s = activeStacks.Load().formatUser(binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:]), "        ")
			}
			fmt.Fprintf(&out, "%"+spec+"s", s)
		}
	}
	return out.String()
}

// mapEntry is one element of a map as read from the kernel, summed over CPUs.
type mapEntry struct {
	key     []byte
	keyText string
	sortVal int64
	text    string   // for scalar kinds: the value as printed
	buckets []uint64 // for histograms, by bucket index
	raw     []uint64 // integer value(s): count/sum, avg {count,sum}
}

// formatKey renders a map key as inside @name[...].
func formatKey(d *mapDesc, key []byte) string {
	if len(d.Info.Keys) == 0 {
		return ""
	}
	var parts []string
	pos := 0
	for _, t := range d.Info.Keys {
		n := typeSize(t)
		if pos+n > len(key) {
			break
		}
		parts = append(parts, decodeValue(key[pos:pos+n], t))
		pos += n
	}
	return strings.Join(parts, ", ")
}

func (d *mapDesc) header(e *mapEntry) string {
	if len(d.Info.Keys) == 0 {
		return d.Name
	}
	return d.Name + "[" + e.keyText + "]"
}

// numberSuffix writes n with K, M, G, T, P, E suffixes when it is an exact
// power-of-1024 multiple, as bpftrace's histogram labels do.
func numberSuffix(n uint64) string {
	suffixes := []string{"", "K", "M", "G", "T", "P", "E"}
	i := 0
	for n >= 1024 && n%1024 == 0 && i < len(suffixes)-1 {
		n /= 1024
		i++
	}
	return strconv.FormatUint(n, 10) + suffixes[i]
}

func signedSuffix(v int64) string {
	if v < 0 {
		return strconv.FormatInt(v, 10)
	}
	return numberSuffix(uint64(v))
}

func histLabel(i int) string {
	switch {
	case i == 0:
		return "(..., 0)"
	case i == 1:
		return "[0]"
	case i == 2:
		return "[1]"
	}
	lo := uint64(1) << uint(i-2)
	hi := lo << 1
	if i-1 >= 64 {
		return "[" + numberSuffix(lo) + ", ...)"
	}
	return "[" + numberSuffix(lo) + ", " + numberSuffix(hi) + ")"
}

func lhistLabel(i int, min, max, step int64) string {
	n := (max - min) / step
	switch {
	case i == 0:
		return fmt.Sprintf("(..., %d)", min)
	case int64(i) > n:
		return "[" + signedSuffix(max) + ", ...)"
	}
	lo := min + int64(i-1)*step
	return "[" + signedSuffix(lo) + ", " + signedSuffix(lo+step) + ")"
}

// writeHist draws the buckets between the first and last non-zero one.
func writeHist(w io.Writer, d *mapDesc, b []uint64, div uint64) {
	first, last := -1, -1
	var max uint64
	for i, v := range b {
		v /= div
		if v != 0 {
			if first < 0 {
				first = i
			}
			last = i
		}
		if v > max {
			max = v
		}
	}
	if first < 0 {
		return
	}
	var args []uint64
	if d.Info.Value.Agg == lang.AggLhist {
		args = d.Info.HistArgs
	}
	for i := first; i <= last; i++ {
		v := b[i] / div
		var label string
		if args != nil {
			label = lhistLabel(i, int64(args[0]), int64(args[1]), int64(args[2]))
		} else {
			label = histLabel(i)
		}
		bar := 0
		if max > 0 {
			bar = int(v * 52 / max)
		}
		fmt.Fprintf(w, "%-16s%8d |%s%s|\n", label, v, strings.Repeat("@", bar), strings.Repeat(" ", 52-bar))
	}
}

// printMap writes one map in bpftrace's text format: the top entries (all
// when top is 0) with values divided by div.
func printMap(w io.Writer, d *mapDesc, entries []*mapEntry, top, div uint64) {
	if div == 0 {
		div = 1
	}
	if len(entries) == 0 {
		io.WriteString(w, "\n")
		return
	}
	if top > 0 && uint64(len(entries)) > top {
		entries = entries[uint64(len(entries))-top:]
	}
	var b strings.Builder
	for _, e := range entries {
		switch d.Class {
		case classHist:
			fmt.Fprintf(&b, "%s: \n", d.header(e))
			writeHist(&b, d, e.buckets, div)
			b.WriteString("\n")
		case classAvg:
			count, sum := int64(e.raw[0]), int64(e.raw[1])
			avg := int64(0)
			if count != 0 {
				avg = sum / count
			}
			if d.Info.Value.Agg == lang.AggStats {
				fmt.Fprintf(&b, "%s: count %d, average %d, total %d\n", d.header(e), count/int64(div), avg/int64(div), sum/int64(div))
			} else {
				fmt.Fprintf(&b, "%s: %d\n", d.header(e), avg/int64(div))
			}
		case classCounter, classMinMax:
			v := int64(e.raw[0])
			if d.Info.Value.Agg == lang.AggCount {
				fmt.Fprintf(&b, "%s: %d\n", d.header(e), e.raw[0]/div)
			} else {
				fmt.Fprintf(&b, "%s: %d\n", d.header(e), v/int64(div))
			}
		default:
			if d.Info.Value.Kind == lang.KindInt && div > 1 {
				fmt.Fprintf(&b, "%s: %d\n", d.header(e), e.sortVal/int64(div))
			} else {
				fmt.Fprintf(&b, "%s: %s\n", d.header(e), e.text)
			}
		}
	}
	if d.Class == classAvg {
		b.WriteString("\n")
	}
	io.WriteString(w, b.String())
}

// sortEntries orders entries by value ascending, ties by key.
func sortEntries(entries []*mapEntry) {
	sort.SliceStable(entries, func(i, j int) bool {
		if entries[i].sortVal != entries[j].sortVal {
			return entries[i].sortVal < entries[j].sortVal
		}
		return entries[i].keyText < entries[j].keyText
	})
}
