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
	// pointee is the size of what a pointer field points to (0: not a
	// pointer, or to a struct), for the dereference *args->field.
	pointee       int
	pointeeSigned bool
	// decl is the declared C type without the name and array bounds:
	// "char", "struct __kernel_timespec *".
	decl string
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
				fd.decl = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(decl), words[len(words)-1]))
				if strings.HasSuffix(words[len(words)-1], "*") || strings.HasPrefix(words[len(words)-1], "*") {
					fd.decl = strings.TrimSpace(decl[:strings.LastIndex(decl, "*")+1])
				}
				if strings.Contains(decl, "*") && !fd.dataLoc {
					fd.pointee, fd.pointeeSigned = pointeeOf(decl[:strings.LastIndex(decl, "*")])
				}
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

// pointeeOf returns the size of the type a pointer field points to (0
// when it is not a plain integer) and whether it is signed, from the C
// declaration before the last '*'.
func pointeeOf(decl string) (int, bool) {
	if strings.Contains(decl, "*") { // a pointer to a pointer
		return 8, false
	}
	var words []string
	for _, w := range strings.Fields(decl) {
		switch w {
		case "const", "volatile", "__user", "struct", "enum", "union":
			if w == "struct" || w == "union" {
				return 0, false
			}
			continue
		}
		words = append(words, w)
	}
	t := strings.Join(words, " ")
	unsigned := strings.HasPrefix(t, "unsigned")
	t = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(t, "unsigned"), "signed"))
	switch t {
	case "char":
		return 1, !unsigned
	case "short", "short int":
		return 2, !unsigned
	case "int", "":
		return 4, !unsigned
	case "long", "long int", "long long", "long long int":
		return 8, !unsigned
	case "u8", "__u8", "uint8_t":
		return 1, false
	case "s8", "__s8", "int8_t":
		return 1, true
	case "u16", "__u16", "uint16_t", "umode_t":
		return 2, false
	case "s16", "__s16", "int16_t":
		return 2, true
	case "u32", "__u32", "uint32_t", "pid_t", "uid_t", "gid_t":
		return 4, t != "u32" && t != "__u32" && t != "uint32_t" && t != "uid_t" && t != "gid_t"
	case "s32", "__s32", "int32_t":
		return 4, true
	case "u64", "__u64", "uint64_t", "size_t", "loff_t", "off_t", "ssize_t", "s64", "__s64", "int64_t", "time64_t":
		return 8, strings.HasPrefix(t, "s") && t != "size_t" || strings.HasPrefix(t, "int") || t == "loff_t" || t == "off_t" || t == "time64_t"
	case "void":
		return 8, false
	}
	return 0, false
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
