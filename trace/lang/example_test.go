package lang_test

import (
	"fmt"

	"github.com/gbpf/gbpf/trace/lang"
)

func Example() {
	prog, err := lang.Parse("stdin", `kprobe:vfs_read /pid > 100/ { @bytes[comm] = sum(arg2); }`)
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := lang.Check(prog, lang.Options{}); err != nil {
		fmt.Println(err)
		return
	}
	spec := prog.Probes[0].Specs[0]
	fmt.Println(spec.Provider, spec.Func)
	m := prog.Maps["bytes"]
	fmt.Println(m.Keys[0], m.Value)
	fmt.Print(lang.Format(prog))
	// Output:
	// kprobe vfs_read
	// string[16] sum
	// kprobe:vfs_read /pid > 100/
	// {
	// 	@bytes[comm] = sum(arg2);
	// }
}

func ExampleParse_error() {
	_, err := lang.Parse("stdin", `BEGIN { printf(}`)
	fmt.Println(err)
	// Output:
	// stdin:1:9-17: ERROR: syntax error, unexpected }
	// BEGIN { printf(}
	//         ~~~~~~~~
}

func ExampleCheck() {
	prog, _ := lang.Parse("stdin", `BEGIN { printf("%d %s\n", 1); }`)
	_, err := lang.Check(prog, lang.Options{})
	fmt.Println(err)
	// Output:
	// stdin:1:9-29: ERROR: printf: Not enough arguments for format string (1 supplied, 2 expected)
	// BEGIN { printf("%d %s\n", 1); }
	//         ~~~~~~~~~~~~~~~~~~~~
}

func ExampleParseFormat() {
	for _, v := range lang.ParseFormat("%-8d %s 100%% %llx\n") {
		fmt.Printf("%d %q %c\n", v.Offset, v.Spec, v.Verb)
	}
	// Output:
	// 0 "-8d" d
	// 5 "s" s
	// 14 "llx" x
}
