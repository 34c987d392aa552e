package lang

import (
	"fmt"
	"reflect"
	"strings"
)

// Dump renders a syntax tree as an indented outline of node types and
// fields, leaving out positions and types. Two trees with the same Dump
// have the same structure; tests use it to compare parses.
func Dump(n Node) string {
	var b strings.Builder
	dumpValue(&b, reflect.ValueOf(n), 0)
	return b.String()
}

// dumpSkip are fields that hold positions, types or back references.
var dumpSkip = map[string]bool{
	"Loc": true, "Ty": true, "NameLoc": true, "OpLoc": true, "TypeLoc": true, "Head": true, "FieldLoc": true,
	"Source": true, "Maps": true, "Vars": true,
}

func dumpValue(b *strings.Builder, v reflect.Value, depth int) {
	pad := strings.Repeat("  ", depth)
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			b.WriteString("nil\n")
			return
		}
		dumpValue(b, v.Elem(), depth)
	case reflect.Struct:
		b.WriteString(v.Type().Name() + "\n")
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if dumpSkip[f.Name] {
				continue
			}
			if f.Anonymous {
				continue
			}
			b.WriteString(pad + "  " + f.Name + ": ")
			dumpValue(b, v.Field(i), depth+1)
		}
	case reflect.Slice:
		if v.Len() == 0 {
			b.WriteString("[]\n")
			return
		}
		b.WriteString("\n")
		for i := 0; i < v.Len(); i++ {
			b.WriteString(pad + "  - ")
			dumpValue(b, v.Index(i), depth+2)
		}
	case reflect.String:
		fmt.Fprintf(b, "%q\n", v.String())
	default:
		fmt.Fprintf(b, "%v\n", v.Interface())
	}
}
