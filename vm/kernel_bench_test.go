package vm_test

import (
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/ringbuf"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/vm"
)

// benchCase is an XDP program measured in gbpf and in the kernel, both
// through their test run with the same repeat count.
type benchCase struct {
	name  string
	src   string
	maps  []maps.Spec
	setup func(tb testing.TB, g []*maps.Map, gp *vm.Program, k []*ebpf.Map)
}

const benchRepeat = 1000

var benchCases = []benchCase{
	{name: "Empty", src: "r0 = 2\nexit"},
	{name: "HelperCall", src: "call 7\nr0 = 2\nexit"},
	{name: "ArrayLookup", maps: []maps.Spec{arrayU64}, src: `
		r1 = 1
		*(u32 *)(r10 - 4) = r1
		r1 = map_fd(0)
		r2 = r10
		r2 += -4
		call 1
		r0 = 2
		exit`},
	{name: "HashLookupUpdate", maps: []maps.Spec{hashU64}, src: `
		r1 = 5
		*(u32 *)(r10 - 4) = r1
		r1 = map_fd(0)
		r2 = r10
		r2 += -4
		call 1
		r1 = 9
		*(u64 *)(r10 - 16) = r1
		r1 = map_fd(0)
		r2 = r10
		r2 += -4
		r3 = r10
		r3 += -16
		r4 = 0
		call 2
		r0 = 2
		exit`},
	{name: "PerCPUHashIncrement", maps: []maps.Spec{{Name: "pch", Type: maps.PerCPUHash, KeySize: 4, ValueSize: 8, MaxEntries: 8}}, src: `
		r1 = 3
		*(u32 *)(r10 - 4) = r1
		r1 = map_fd(0)
		r2 = r10
		r2 += -4
		call 1
		if r0 == 0 goto out
		r1 = *(u64 *)(r0 + 0)
		r1 += 1
		*(u64 *)(r0 + 0) = r1
	out:
		r0 = 2
		exit`, setup: func(tb testing.TB, g []*maps.Map, _ *vm.Program, k []*ebpf.Map) {
		vals := make([]uint64, maps.PossibleCPUs())
		if err := g[0].Update(uint32(3), vals, maps.UpdateAny); err != nil {
			tb.Fatal(err)
		}
		if k != nil {
			if err := k[0].Update(uint32(3), make([]uint64, k[0].MaxEntries()*0+uint32(len(vals))), ebpf.UpdateAny); err != nil {
				tb.Fatal(err)
			}
		}
	}},
	{name: "RingbufOutput", maps: []maps.Spec{{Name: "rb", Type: maps.RingBuf, MaxEntries: 1 << 20}}, src: `
		r1 = 42
		*(u64 *)(r10 - 8) = r1
		r1 = map_fd(0)
		r2 = r10
		r2 += -8
		r3 = 8
		r4 = 0
		call 130
		r0 = 2
		exit`},
	{name: "TailCall", maps: []maps.Spec{{Name: "progs", Type: maps.ProgArray, KeySize: 4, ValueSize: 4, MaxEntries: 1}}, src: `
		r2 = map_fd(0)
		r3 = 0
		call 12
		r0 = 1
		exit`, setup: func(tb testing.TB, g []*maps.Map, gp *vm.Program, k []*ebpf.Map) {
		target, err := vm.Load(assemble(tb, "r0 = 2\nexit"), vm.Options{Unverified: true, Type: helpers.XDP})
		if err != nil {
			tb.Fatal(err)
		}
		if err := g[0].SetProg(uint32(0), target); err != nil {
			tb.Fatal(err)
		}
		if k != nil {
			kt := kernelProgram(tb, helpers.XDP, assemble(tb, "r0 = 2\nexit"), nil)
			if err := k[0].Put(uint32(0), kt); err != nil {
				tb.Fatal(err)
			}
		}
	}},
}

// BenchmarkVsKernel measures each program per run in gbpf (the
// interpreter, and the JIT as gbpf-jit) and in the kernel's
// BPF_PROG_TEST_RUN (repeat 1000 per sample), in the same process. The kernel's rows also report ns/run-net: the run minus
// the kernel's empty-program test_run cost measured just before.
func BenchmarkVsKernel(b *testing.B) {
	var emptyKernel float64
	for _, c := range benchCases {
		for _, e := range vm.Engines() {
			name := c.name + "/gbpf"
			if e != vm.Interp {
				name += "-" + string(e)
			}
			b.Run(name, func(b *testing.B) { benchGbpf(b, c, e) })
		}
		b.Run(c.name+"/kernel", func(b *testing.B) {
			kernelOrSkip(b)
			var kms []*ebpf.Map
			for k := range c.maps {
				m, err := ebpf.NewMap(kernelMapSpec(&c.maps[k]))
				if err != nil {
					b.Fatal(err)
				}
				defer m.Close()
				kms = append(kms, m)
			}
			kp := kernelProgram(b, helpers.XDP, assemble(b, c.src), kms)
			if c.setup != nil {
				var gms []*maps.Map
				for k := range c.maps {
					m, err := maps.New(&c.maps[k])
					if err != nil {
						b.Fatal(err)
					}
					gms = append(gms, m)
				}
				c.setup(b, gms, nil, kms)
			}
			var total time.Duration
			runs := 0
			for b.Loop() {
				_, d, err := kp.Benchmark(ipv4UDP, benchRepeat, nil)
				if err != nil {
					b.Fatal(err)
				}
				total += d * benchRepeat
				runs += benchRepeat
				drainKernel(b, kms)
			}
			if c.name == "TailCall" {
				if err := kms[0].Delete(uint32(0)); err != nil {
					b.Fatal(err)
				}
			}
			perRun := float64(total.Nanoseconds()) / float64(runs)
			if c.name == "Empty" {
				emptyKernel = perRun
			}
			b.ReportMetric(perRun, "ns/run")
			b.ReportMetric(perRun-emptyKernel, "ns/run-net")
		})
	}
}

// benchGbpf measures one case in gbpf's test run on engine e.
func benchGbpf(b *testing.B, c benchCase, e vm.Engine) {
	var ms []*maps.Map
	for k := range c.maps {
		m, err := maps.New(&c.maps[k])
		if err != nil {
			b.Fatal(err)
		}
		ms = append(ms, m)
	}
	p, err := vm.Load(assemble(b, c.src), vm.Options{Unverified: true, Type: helpers.XDP, Maps: ms, Engine: e})
	if err != nil {
		b.Fatal(err)
	}
	if c.setup != nil {
		c.setup(b, ms, p, nil)
	}
	var total time.Duration
	runs := 0
	for b.Loop() {
		res, err := p.TestRun(vm.TestRunOptions{Data: ipv4UDP, Repeat: benchRepeat})
		if err != nil {
			b.Fatal(err)
		}
		total += res.Duration * benchRepeat
		runs += benchRepeat
		drainGbpf(b, ms)
	}
	b.ReportMetric(float64(total.Nanoseconds())/float64(runs), "ns/run")
}

// drainGbpf empties gbpf ring buffers between samples.
func drainGbpf(tb testing.TB, ms []*maps.Map) {
	for _, m := range ms {
		if m.Type() != maps.RingBuf {
			continue
		}
		rd, err := maps.NewRingBufReader(m)
		if err != nil {
			tb.Fatal(err)
		}
		rd.SetDeadline(time.Now())
		for {
			if _, err := rd.Read(); err != nil {
				break
			}
		}
		rd.Close()
	}
}

// drainKernel empties kernel ring buffers between samples.
func drainKernel(tb testing.TB, ms []*ebpf.Map) {
	for _, m := range ms {
		if m.Type() != ebpf.RingBuf {
			continue
		}
		rd, err := ringbuf.NewReader(m)
		if err != nil {
			tb.Fatal(err)
		}
		rd.SetDeadline(time.Now())
		for {
			if _, err := rd.Read(); err != nil {
				break
			}
		}
		rd.Close()
	}
}
