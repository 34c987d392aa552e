// Package hexfmt parses the hex byte strings the command line and the
// conformance plugin protocol accept: two hex digits per byte, with any
// whitespace between or inside byte groups ignored.
package hexfmt

import "fmt"

// Parse decodes s, ignoring spaces, tabs and newlines. An odd number of
// digits or a non-hex character is an error naming the offending position.
func Parse(s string) ([]byte, error) {
	out := make([]byte, 0, len(s)/2)
	var hi byte
	half := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		var v byte
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			continue
		case '0' <= c && c <= '9':
			v = c - '0'
		case 'a' <= c && c <= 'f':
			v = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			v = c - 'A' + 10
		default:
			return nil, fmt.Errorf("invalid hex character %q at offset %d", c, i)
		}
		if half {
			out = append(out, hi<<4|v)
		} else {
			hi = v
		}
		half = !half
	}
	if half {
		return nil, fmt.Errorf("odd number of hex digits (%d bytes and a half)", len(out))
	}
	return out, nil
}
