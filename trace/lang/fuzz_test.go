package lang

import (
	"errors"
	"testing"
)

// FuzzParse checks that Parse never panics and returns either a program
// or an *Error, never both; that a parsed program survives Check and
// formats to text that parses back to the same tree.
func FuzzParse(f *testing.F) {
	f.Add(`BEGIN { printf("hello\n"); }`)
	f.Add(`kprobe:f /pid == 1/ { @[comm] = count(); }`)
	f.Fuzz(func(t *testing.T, src string) {
		p, err := Parse("stdin", src)
		if (p == nil) == (err == nil) {
			t.Fatalf("Parse returned program %v and error %v", p != nil, err)
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || len(e.Diagnostics) == 0 {
				t.Fatalf("error is not a non-empty *Error: %v", err)
			}
			_ = e.String()
			return
		}
		if _, err := Check(p, Options{Params: []string{"1", "x"}}); err != nil {
			var e *Error
			if !errors.As(err, &e) || len(e.Diagnostics) == 0 {
				t.Fatalf("Check error is not a non-empty *Error: %v", err)
			}
		}
		out := Format(p)
		p2, err := Parse("stdin", out)
		if err != nil {
			t.Fatalf("formatted program does not parse: %v\n%s", err, out)
		}
		if Dump(p) != Dump(p2) {
			t.Fatalf("round trip changed the tree:\n%s", out)
		}
	})
}
