package lang

import (
	"fmt"
	"strconv"
	"strings"
)

// ProbeSpec is one parsed probe specification such as
// `tracepoint:syscalls:sys_enter_openat` or `uprobe:/bin/bash:readline+0x10`.
// Wildcards (`*`) and alternations (`{a,b}`) are kept in the fields.
type ProbeSpec struct {
	Loc Span
	// Raw is the specification as written, aliases included.
	Raw string
	// Provider is the canonical probe type: BEGIN, END, kprobe, kretprobe,
	// uprobe, uretprobe, usdt, tracepoint, rawtracepoint, profile, interval,
	// software, hardware, watchpoint, asyncwatchpoint, fentry, fexit, iter.
	Provider string
	// Target is the binary or library (uprobe, uretprobe, usdt), the kernel
	// module (kprobe, kretprobe, fentry, fexit, rawtracepoint), the category
	// (tracepoint), the unit: hz, s, ms, us or ns (profile, interval), the
	// event (software, hardware), the address (watchpoint), the iterator
	// (iter).
	Target string
	// Func is the function (kprobe, uprobe, fentry...), the event name
	// (tracepoint, rawtracepoint, usdt), the access mode (watchpoint) or
	// the pin path (iter).
	Func string
	// Namespace is the USDT provider name or the uprobe language ("cpp").
	Namespace string
	// Offset is the +N offset into the function when HasOffset.
	Offset    uint64
	HasOffset bool
	// Address is the absolute address of `uprobe:path:0x...` when HasAddress.
	Address    uint64
	HasAddress bool
	// Count is the rate or period (profile, interval, software, hardware)
	// or the length (watchpoint); 0 when not written.
	Count uint64
	// Wildcard says whether the specification matches several probes.
	Wildcard bool
}

// probeAliases maps every accepted probe type name to its canonical name.
var probeAliases = map[string]string{
	"BEGIN": "BEGIN", "END": "END",
	"kprobe": "kprobe", "k": "kprobe", "kretprobe": "kretprobe", "kr": "kretprobe",
	"uprobe": "uprobe", "u": "uprobe", "uretprobe": "uretprobe", "ur": "uretprobe",
	"usdt": "usdt", "U": "usdt",
	"tracepoint": "tracepoint", "t": "tracepoint",
	"rawtracepoint": "rawtracepoint", "rt": "rawtracepoint",
	"profile": "profile", "p": "profile", "interval": "interval", "i": "interval",
	"software": "software", "s": "software", "hardware": "hardware", "h": "hardware",
	"watchpoint": "watchpoint", "w": "watchpoint", "asyncwatchpoint": "asyncwatchpoint", "aw": "asyncwatchpoint",
	"fentry": "fentry", "f": "fentry", "kfunc": "fentry",
	"fexit": "fexit", "fr": "fexit", "kretfunc": "fexit",
	"iter": "iter", "it": "iter",
}

// splitSpec splits a specification at ':' outside quotes and braces and
// removes the quotes.
func splitSpec(raw string) []string {
	var parts []string
	var cur strings.Builder
	depth := 0
	quoted := false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '"':
			quoted = !quoted
			continue
		case quoted:
		case c == '{':
			depth++
		case c == '}':
			depth--
		case c == ':' && depth == 0:
			parts = append(parts, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteByte(c)
	}
	return append(parts, cur.String())
}

// parseProbeSpec parses one probe specification.
func parseProbeSpec(raw string) (*ProbeSpec, error) {
	parts := splitSpec(raw)
	prov, ok := probeAliases[parts[0]]
	if !ok {
		return nil, fmt.Errorf("Invalid probe type: %s", parts[0])
	}
	s := &ProbeSpec{Raw: raw, Provider: prov, Wildcard: strings.ContainsAny(raw, "*{")}
	args := parts[1:]
	bad := func(want string) error {
		return fmt.Errorf("%s probe type requires %s (%q given)", prov, want, raw)
	}
	for _, a := range args {
		if a == "" && prov != "uprobe" && prov != "uretprobe" && prov != "usdt" {
			return nil, fmt.Errorf("%s probe has an empty field: %s", prov, raw)
		}
	}
	switch prov {
	case "BEGIN", "END":
		if len(args) != 0 {
			return nil, bad("no arguments")
		}
	case "kprobe", "kretprobe", "fentry", "fexit", "rawtracepoint":
		switch len(args) {
		case 1:
			s.Func = args[0]
		case 2:
			s.Target, s.Func = args[0], args[1]
		default:
			return nil, bad("1 or 2 arguments")
		}
		if prov == "kprobe" {
			if err := s.splitOffset(); err != nil {
				return nil, err
			}
		}
	case "uprobe", "uretprobe":
		switch len(args) {
		case 1:
			s.Func = args[0]
		case 2:
			s.Target, s.Func = args[0], args[1]
		default:
			if len(args) < 2 {
				return nil, bad("1 to 3 arguments")
			}
			// uprobe:path:lang:func, or a C++ name holding "::".
			if args[1] == "cpp" || args[1] == "c" {
				s.Target, s.Namespace, s.Func = args[0], args[1], strings.Join(args[2:], ":")
			} else {
				s.Target, s.Func = args[0], strings.Join(args[1:], ":")
			}
		}
		if s.Func == "" {
			return nil, bad("a function name")
		}
		if strings.HasPrefix(s.Func, "0x") || (s.Func != "" && allDigits(s.Func)) {
			v, err := strconv.ParseUint(s.Func, 0, 64)
			if err != nil {
				return nil, fmt.Errorf("invalid probe address %q", s.Func)
			}
			s.Address, s.HasAddress = v, true
		} else if err := s.splitOffset(); err != nil {
			return nil, err
		}
	case "usdt":
		switch len(args) {
		case 1:
			s.Func = args[0]
		case 2:
			s.Target, s.Func = args[0], args[1]
		case 3:
			s.Target, s.Namespace, s.Func = args[0], args[1], args[2]
		default:
			return nil, bad("1 to 3 arguments")
		}
	case "tracepoint":
		if len(args) != 2 {
			return nil, bad("2 arguments")
		}
		s.Target, s.Func = args[0], args[1]
	case "profile", "interval":
		var unit, num string
		switch len(args) {
		case 1:
			i := 0
			for i < len(args[0]) && args[0][i] >= '0' && args[0][i] <= '9' {
				i++
			}
			num, unit = args[0][:i], args[0][i:]
			if unit == "" {
				unit = "hz"
			}
		case 2:
			unit, num = args[0], args[1]
		default:
			return nil, bad("1 or 2 arguments")
		}
		switch unit {
		case "hz", "s", "ms", "us", "ns":
		default:
			return nil, fmt.Errorf("%s: invalid unit %q (expected hz, s, ms, us or ns)", raw, unit)
		}
		n, err := strconv.ParseUint(num, 10, 64)
		if err != nil || n == 0 {
			return nil, fmt.Errorf("%s: invalid rate %q", raw, num)
		}
		s.Target, s.Count = unit, n
	case "software", "hardware":
		switch len(args) {
		case 1:
			s.Target = args[0]
		case 2:
			s.Target = args[0]
			n, err := strconv.ParseUint(args[1], 0, 64)
			if err != nil {
				return nil, fmt.Errorf("%s: invalid count %q", raw, args[1])
			}
			s.Count = n
		default:
			return nil, bad("1 or 2 arguments")
		}
	case "watchpoint", "asyncwatchpoint":
		if len(args) != 3 {
			return nil, bad("3 arguments")
		}
		n, err := strconv.ParseUint(args[1], 0, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: invalid length %q", raw, args[1])
		}
		s.Target, s.Count, s.Func = args[0], n, args[2]
	case "iter":
		switch len(args) {
		case 1:
			s.Target = args[0]
		case 2:
			s.Target, s.Func = args[0], args[1]
		default:
			return nil, bad("1 or 2 arguments")
		}
	}
	return s, nil
}

// splitOffset moves a "+N" suffix of Func into Offset.
func (s *ProbeSpec) splitOffset() error {
	i := strings.LastIndexByte(s.Func, '+')
	if i < 0 {
		return nil
	}
	v, err := strconv.ParseUint(s.Func[i+1:], 0, 64)
	if err != nil {
		return fmt.Errorf("invalid offset %q in %s", s.Func[i+1:], s.Raw)
	}
	s.Func, s.Offset, s.HasOffset = s.Func[:i], v, true
	return nil
}

// String formats the specification in canonical form (full provider
// names), which parses back to the same ProbeSpec apart from Raw.
func (s *ProbeSpec) String() string {
	quote := func(x string) string {
		if strings.ContainsAny(x, ": \t\"") {
			return `"` + x + `"`
		}
		return x
	}
	fn := quote(s.Func)
	if s.HasOffset {
		fn += "+" + strconv.FormatUint(s.Offset, 10)
	}
	if s.HasAddress {
		fn = "0x" + strconv.FormatUint(s.Address, 16)
	}
	switch s.Provider {
	case "BEGIN", "END":
		return s.Provider
	case "kprobe", "kretprobe", "fentry", "fexit", "rawtracepoint":
		if s.Target != "" {
			return s.Provider + ":" + s.Target + ":" + fn
		}
		return s.Provider + ":" + fn
	case "uprobe", "uretprobe", "usdt":
		out := s.Provider
		if s.Target != "" {
			out += ":" + quote(s.Target)
		}
		if s.Namespace != "" {
			out += ":" + s.Namespace
		}
		return out + ":" + fn
	case "tracepoint":
		return s.Provider + ":" + s.Target + ":" + s.Func
	case "profile", "interval":
		return s.Provider + ":" + s.Target + ":" + strconv.FormatUint(s.Count, 10)
	case "software", "hardware":
		if s.Count != 0 {
			return s.Provider + ":" + s.Target + ":" + strconv.FormatUint(s.Count, 10)
		}
		return s.Provider + ":" + s.Target
	case "watchpoint", "asyncwatchpoint":
		return s.Provider + ":" + s.Target + ":" + strconv.FormatUint(s.Count, 10) + ":" + s.Func
	case "iter":
		if s.Func != "" {
			return s.Provider + ":" + s.Target + ":" + s.Func
		}
		return s.Provider + ":" + s.Target
	}
	return s.Raw
}
