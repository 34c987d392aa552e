package seccomp

import (
	"os"
	"testing"
)

func benchPolicy(b *testing.B) *Policy {
	src, err := os.ReadFile("testdata/policies/allowlist.json")
	if err != nil {
		b.Fatal(err)
	}
	p, err := ParsePolicy(src)
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkCompile compiles testdata/policies/allowlist.json.
func BenchmarkCompile(b *testing.B) {
	p := benchPolicy(b)
	for b.Loop() {
		if _, err := p.Compile(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluate evaluates the allowlist for an ioctl call, which runs
// through the whole dispatch chain and an argument test.
func BenchmarkEvaluate(b *testing.B) {
	insns, err := benchPolicy(b).Compile()
	if err != nil {
		b.Fatal(err)
	}
	f, err := NewFilter(insns)
	if err != nil {
		b.Fatal(err)
	}
	d := x86("ioctl", 1, 0x5401)
	if f.Evaluate(d) != Allow {
		b.Fatal("ioctl(1, TCGETS) not allowed")
	}
	for b.Loop() {
		f.Evaluate(d)
	}
}
