package trace

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// tracefsDir is where tracefs is (or gets) mounted.
const tracefsDir = "/sys/kernel/tracing"

// tpField is one field of a tracepoint's format.
type tpField struct {
	name    string
	offset  int
	size    int
	signed  bool
	array   bool // fixed-size array: the value is its address
	dataLoc bool // __data_loc: offset/length word
}

// tpFormat is the record layout of one tracepoint.
type tpFormat struct {
	fields []tpField
}

func (f *tpFormat) field(name string) *tpField {
	for i := range f.fields {
		if f.fields[i].name == name {
			return &f.fields[i]
		}
	}
	return nil
}

// parseFormat reads a tracefs format file.
func parseFormat(text string) (*tpFormat, error) {
	f := &tpFormat{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "field:") {
			continue
		}
		var fd tpField
		for _, part := range strings.Split(line, ";") {
			part = strings.TrimSpace(part)
			k, v, ok := strings.Cut(part, ":")
			if !ok {
				continue
			}
			switch k {
			case "field":
				decl := strings.TrimSpace(v)
				fd.dataLoc = strings.HasPrefix(decl, "__data_loc")
				if fd.dataLoc {
					decl = strings.ReplaceAll(decl, "[]", "")
				}
				if i := strings.Index(decl, "["); i >= 0 {
					fd.array = !fd.dataLoc
					decl = decl[:i]
				}
				words := strings.Fields(decl)
				if len(words) == 0 {
					return nil, fmt.Errorf("format line %q: no field name", line)
				}
				fd.name = strings.TrimLeft(words[len(words)-1], "*")
			case "offset":
				fd.offset, _ = strconv.Atoi(v)
			case "size":
				fd.size, _ = strconv.Atoi(v)
			case "signed":
				fd.signed = v == "1"
			}
		}
		f.fields = append(f.fields, fd)
	}
	return f, nil
}

func readFormat(dir, cat, name string) (*tpFormat, error) {
	b, err := os.ReadFile(filepath.Join(dir, "events", cat, name, "format"))
	if err != nil {
		return nil, fmt.Errorf("tracepoint %s:%s: %w", cat, name, err)
	}
	return parseFormat(string(b))
}

// expandAlternatives turns `a{b,c}d` into [abd acd].
func expandAlternatives(p string) []string {
	i := strings.Index(p, "{")
	j := strings.Index(p, "}")
	if i < 0 || j < i {
		return []string{p}
	}
	var out []string
	for _, alt := range strings.Split(p[i+1:j], ",") {
		out = append(out, expandAlternatives(p[:i]+alt+p[j+1:])...)
	}
	return out
}

// listTracepoints returns "cat:name" of every tracepoint whose category and
// name match the glob patterns, sorted.
func listTracepoints(dir, catPat, namePat string) ([]string, error) {
	if !strings.ContainsAny(catPat+namePat, "*?[{") {
		// A literal name: one stat instead of reading every category.
		if _, err := os.Stat(filepath.Join(dir, "events", catPat, namePat, "format")); err != nil {
			return nil, nil
		}
		return []string{catPat + ":" + namePat}, nil
	}
	cats, err := os.ReadDir(filepath.Join(dir, "events"))
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, cp := range expandAlternatives(catPat) {
		for _, np := range expandAlternatives(namePat) {
			for _, c := range cats {
				if !c.IsDir() {
					continue
				}
				if ok, _ := filepath.Match(cp, c.Name()); !ok {
					continue
				}
				evs, err := os.ReadDir(filepath.Join(dir, "events", c.Name()))
				if err != nil {
					continue
				}
				for _, e := range evs {
					if !e.IsDir() {
						continue
					}
					if ok, _ := filepath.Match(np, e.Name()); ok {
						k := c.Name() + ":" + e.Name()
						if !seen[k] {
							seen[k] = true
							out = append(out, k)
						}
					}
				}
			}
		}
	}
	sort.Strings(out)
	return out, nil
}
