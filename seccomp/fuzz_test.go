package seccomp

import (
	"reflect"
	"testing"
)

// FuzzParsePolicy: ParsePolicy either fails with no policy or returns one
// that compiles to a program the checker accepts (or is too long), and that
// MarshalPolicy writes back to text that parses to the same policy.
func FuzzParsePolicy(f *testing.F) {
	f.Add([]byte(`{"default": "errno:1", "rules": [{"syscalls": ["getpid"], "action": "errno:38"}]}`))
	f.Add([]byte(`{"arch": "aarch64", "default": "kill", "rules": [{"syscalls": ["read"], "action": "allow", "args": [{"index": 0, "op": "<=", "value": "0xffffffff00000000"}]}]}`))
	f.Add([]byte(`{"default": "allow", "bad_arch": "log", "rules": [{"syscalls": ["mmap"], "action": "trap", "args": [{"index": 2, "op": "&=", "mask": 4, "value": 4}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePolicy(data)
		if (p == nil) == (err == nil) {
			t.Fatalf("policy %v with error %v", p, err)
		}
		if err != nil {
			return
		}
		insns, err := p.Compile()
		if err != nil {
			if len(p.Rules) < 100 {
				t.Fatalf("a parsed policy of %d rules does not compile: %v", len(p.Rules), err)
			}
			return
		}
		if err := CheckFilter(insns); err != nil {
			t.Fatalf("compiled program fails the check: %v", err)
		}
		text, err := MarshalPolicy(p)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParsePolicy(text)
		if err != nil || !reflect.DeepEqual(back, p) {
			t.Fatalf("round trip: %v\n%s", err, text)
		}
	})
}
