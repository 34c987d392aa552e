// Package lang is the front end of gbpf trace: the lexer, parser, abstract
// syntax tree, pretty-printer and semantic checks of the bpftrace language.
//
// Parse turns a program text into a *Program whose every node carries its
// position; Check resolves names and fills in types (integer widths and
// signedness, strings, tuples, map key and value types, aggregation kinds)
// so that a code generator can walk the tree without further analysis.
// Errors are reported in bpftrace's own shape:
//
//	stdin:1:9-17: ERROR: syntax error, unexpected }
//	BEGIN { printf(}
//	        ~~~~~~~~
package lang

import (
	"fmt"
	"strings"
)

// Pos is a position in a source text. Line and Column start at 1; Column
// counts bytes. Offset is the byte offset from the start of the text.
type Pos struct {
	Offset int
	Line   int
	Column int
}

// String formats the position as line:column.
func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Column) }

// Span is a half-open range [Start, End) of a source text.
type Span struct {
	Start Pos
	End   Pos
}

// Source is a program text with the name that errors show for it
// ("stdin" for a program given with -e, as bpftrace does).
type Source struct {
	Name string
	Text string
	// lead maps the byte offset of each token's start to the start of the
	// whitespace-delimited run holding it: bpftrace's lexer only advances its
	// location at whitespace, so the spans it reports for a token begin there.
	lead map[int]Pos
}

// NewSource returns a Source for text shown under name in diagnostics.
func NewSource(name, text string) *Source {
	return &Source{Name: name, Text: text, lead: map[int]Pos{}}
}

// Severity says whether a Diagnostic stops compilation.
type Severity int

const (
	// SeverityError is a fatal problem.
	SeverityError Severity = iota
	// SeverityWarning is reported but does not stop compilation.
	SeverityWarning
)

// Diagnostic is one error or warning with the span it concerns.
type Diagnostic struct {
	Severity Severity
	Span     Span
	Msg      string
}

// Error is the error returned by Parse and Check: one or more diagnostics
// against a source. Its Error method returns the first diagnostic in
// bpftrace's rendering; String renders all of them.
type Error struct {
	Source      *Source
	Diagnostics []Diagnostic
}

// Error renders the first diagnostic in bpftrace's format.
func (e *Error) Error() string {
	if len(e.Diagnostics) == 0 {
		return "no diagnostics"
	}
	return strings.TrimRight(e.Source.Render(e.Diagnostics[0]), "\n")
}

// String renders every diagnostic, each followed by a newline.
func (e *Error) String() string {
	var b strings.Builder
	for _, d := range e.Diagnostics {
		b.WriteString(e.Source.Render(d))
	}
	return b.String()
}

// bisonStart returns where bpftrace's location for a node starting at p
// begins: the start of the run of non-blank text holding p.
func (s *Source) bisonStart(p Pos) Pos {
	if q, ok := s.lead[p.Offset]; ok {
		return q
	}
	return p
}

// line returns the text of line n (1-based) without its newline.
func (s *Source) line(n int) string {
	lines := strings.Split(s.Text, "\n")
	if n < 1 || n > len(lines) {
		return ""
	}
	return lines[n-1]
}

// Render formats one diagnostic as bpftrace prints it: a header
// "NAME:LINE:COL-COL: ERROR: message", the source line, and a line of
// tildes under the span. A span over several lines prints only the
// header, "NAME:FIRST-LAST: ERROR: message", as bpftrace does.
func (s *Source) Render(d Diagnostic) string {
	kind := "ERROR"
	if d.Severity == SeverityWarning {
		kind = "WARNING"
	}
	start := s.bisonStart(d.Span.Start)
	end := d.Span.End
	var b strings.Builder
	if start.Line == 0 {
		fmt.Fprintf(&b, "%s: %s: %s\n", s.Name, kind, d.Msg)
		return b.String()
	}
	if end.Line > start.Line {
		fmt.Fprintf(&b, "%s:%d-%d: %s: %s\n", s.Name, start.Line, end.Line, kind, d.Msg)
		return b.String()
	}
	if end.Line < start.Line || (end.Line == start.Line && end.Column < start.Column) {
		end = start
	}
	fmt.Fprintf(&b, "%s:%d:%d-%d: %s: %s\n", s.Name, start.Line, start.Column, end.Column, kind, d.Msg)
	b.WriteString(s.line(start.Line))
	b.WriteByte('\n')
	b.WriteString(strings.Repeat(" ", start.Column-1))
	b.WriteString(strings.Repeat("~", end.Column-start.Column))
	b.WriteByte('\n')
	return b.String()
}
