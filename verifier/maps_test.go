package verifier_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cilium/ebpf"

	"github.com/gbpf/gbpf/internal/kerneldiff"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/verifier"
	"github.com/gbpf/gbpf/vm"
)

// FuzzMapSound is TestMapSoundness driven by the fuzzer: the seed picks a
// generated map program, which the fuzzer's bytes then patch (each 8 bytes
// overwrite one instruction).
func FuzzMapSound(f *testing.F) {
	f.Add(uint64(1), []byte{})
	f.Add(uint64(2), []byte{0x07, 0x00, 0, 0, 8, 0, 0, 0})
	ms := newSoundMaps(f)
	f.Fuzz(func(t *testing.T, seed uint64, patch []byte) {
		r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		prog := assemble(t, genMapProgram(r))
		for k := 0; k+8 <= len(patch) && k/8 < 4; k += 8 {
			dec, err := isa.Decode(patch[k : k+8])
			if err != nil || len(dec) != 1 || dec[0].IsLoadImm64() {
				continue
			}
			pos := int(binary.LittleEndian.Uint16(patch[k+2:])) % len(prog)
			if prog[pos].IsLoadImm64() {
				continue
			}
			prog[pos] = dec[0]
		}
		runMapAccepted(t, prog, ms)
	})
}

// runMapAccepted runs prog in the VM's checked mode with ms if the
// verifier accepts it (as a socket filter with soundMaps); a fault is a
// verifier bug.
func runMapAccepted(t *testing.T, prog []isa.Instruction, ms []*maps.Map) bool {
	if _, err := verifier.Verify(prog, verifier.Options{ProgType: verifier.SocketFilter, Maps: soundMaps}); err != nil {
		return false
	}
	p, err := vm.Load(prog, vm.Options{Maps: ms, MaxInsns: 50_000_000, Unverified: true}) // checked mode finds faults, the budget endless runs
	if err != nil {
		t.Fatalf("verified program does not load: %v\n%v", err, prog)
	}
	if _, err := p.Run(make([]byte, 8)); err != nil {
		t.Fatalf("verified program fails: %v\n%v", err, prog)
	}
	return true
}

// soundMaps are the maps of the generated map programs: a hash (8-byte
// keys, 48-byte values), an array (4-byte keys, 20-byte values, 4
// entries), a read-only one-element array (global data) and a ring buffer.
var soundMaps = []verifier.MapInfo{
	{Name: "hash", Type: maps.Hash, KeySize: 8, ValueSize: 48, MaxEntries: 8},
	{Name: "array", Type: maps.Array, KeySize: 4, ValueSize: 20, MaxEntries: 4},
	{Name: "rodata", Type: maps.Array, KeySize: 4, ValueSize: 16, MaxEntries: 1, Flags: maps.FlagRdOnlyProg},
	{Name: "ringbuf", Type: maps.RingBuf, MaxEntries: 4096},
}

// genMapProgram writes a random program that looks up a key in one of
// soundMaps and then uses the result: null checks (or none), copies,
// spills, constant and bounded variable offsets, loads, stores and atomics
// at offsets around the value's bounds, and helper calls with the value.
func genMapProgram(r *rand.Rand) string {
	if r.IntN(4) == 0 {
		return genRingbufProgram(r)
	}
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	m := r.IntN(2)
	key := []int{0, 1, 3, 5}[r.IntN(4)]
	if m == 0 {
		w("r6 = %d", key)
		w("*(u64 *)(r10 -8) = r6")
	} else {
		w("r6 = %d", key)
		w("*(u32 *)(r10 -8) = r6")
	}
	w("r2 = r10")
	w("r2 += -8")
	w("r1 = map_fd(%d)", m)
	w("call 1")
	if r.IntN(8) == 0 {
		w("r8 = map_value(2, %d)", r.IntN(16))
	} else {
		w("r8 = r10")
		w("r8 += -32")
	}
	sizes := []string{"u8", "u16", "u32", "u64"}
	ptrs := []string{"r0", "r0", "r0", "r7", "r8"}
	// off is mostly inside any of the values, sometimes anywhere near.
	off := func() int {
		if r.IntN(5) == 0 {
			return r.IntN(60) - 6
		}
		return r.IntN(9)
	}
	if r.IntN(8) != 0 {
		w("if r0 == 0 goto out")
	}
	// Sometimes the body is a bounded loop, for pruning and for offsets
	// that grow with each iteration.
	loop := r.IntN(3) == 0
	if loop {
		w("r9 = 0")
		w("loop:")
	}
	for n := 3 + r.IntN(8); n > 0; n-- {
		p := ptrs[r.IntN(len(ptrs))]
		switch r.IntN(11) {
		case 0, 1:
			w("if %s == 0 goto out", []string{"r0", "r7"}[r.IntN(2)])
		case 2:
			w("r7 = r0")
		case 3:
			w("*(u64 *)(r10 -16) = r0")
			w("r0 = *(u64 *)(r10 -16)")
		case 4:
			w("%s += %d", p, off())
		case 5:
			w("r3 = *(%s *)(%s %+d)", sizes[r.IntN(4)], p, off())
			w("r3 &= %d", []int{3, 7, 15, 31, 63, 255}[r.IntN(6)])
			if r.IntN(4) == 0 {
				w("if r3 > %d goto out", r.IntN(40))
			}
			w("%s += r3", p)
		case 6, 7:
			w("r4 = *(%s *)(%s %+d)", sizes[r.IntN(4)], p, off())
		case 8:
			w("*(%s *)(%s %+d) = %d", sizes[r.IntN(4)], p, off(), r.IntN(100))
		case 9:
			w("r4 = 1")
			w("lock *(%s *)(%s %+d) += r4", []string{"u32", "u64"}[r.IntN(2)], p, 4*r.IntN(5)-4)
		case 10:
			// Update the map with the value (or whatever p is) as the
			// new value.
			w("r3 = %s", p)
			w("r2 = r10")
			w("r2 += -8")
			w("r1 = map_fd(%d)", m)
			w("r4 = 0")
			w("call 2")
		}
	}
	if loop {
		w("r9 += 1")
		w("if r9 < %d goto loop", 2+r.IntN(4))
	}
	w("out:")
	w("r0 = 0")
	w("exit")
	return b.String()
}

// genRingbufProgram writes a random program that reserves a ring buffer
// record, uses it (or a copy, maybe after releasing it), and submits,
// discards or leaks it.
func genRingbufProgram(r *rand.Rand) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	size := 8 * (1 + r.IntN(3))
	w("r1 = map_fd(3)")
	w("r2 = %d", size)
	w("r3 = 0")
	w("call 131")
	if r.IntN(8) != 0 {
		w("if r0 == 0 goto out")
	}
	w("r6 = r0")
	sizes := []string{"u8", "u16", "u32", "u64"}
	off := func() int {
		if r.IntN(5) == 0 {
			return r.IntN(40) - 4
		}
		return r.IntN(size)
	}
	released := false
	for n := 2 + r.IntN(6); n > 0; n-- {
		p := []string{"r0", "r6"}[r.IntN(2)]
		switch r.IntN(7) {
		case 0, 1:
			w("r4 = *(%s *)(%s %+d)", sizes[r.IntN(4)], p, off())
		case 2, 3:
			w("*(%s *)(%s %+d) = %d", sizes[r.IntN(4)], p, off(), r.IntN(100))
		case 4:
			w("%s += %d", p, r.IntN(size))
		case 5:
			w("*(u64 *)(r10 -8) = %s", p)
			w("%s = *(u64 *)(r10 -8)", p)
		case 6:
			if !released && r.IntN(3) == 0 {
				w("r1 = %s", p)
				w("r2 = 0")
				w("call %d", 132+r.IntN(2))
				released = true
			}
		}
	}
	if !released && r.IntN(6) != 0 {
		w("r1 = r0")
		w("r2 = 0")
		w("call %d", 132+r.IntN(2))
	}
	w("out:")
	w("r0 = 0")
	w("exit")
	return b.String()
}

// newSoundMaps creates soundMaps for the VM, with the keys 0 and 1 present.
func newSoundMaps(t testing.TB) []*maps.Map {
	var ms []*maps.Map
	for _, mi := range soundMaps {
		m, err := maps.New(&maps.Spec{Name: mi.Name, Type: mi.Type, KeySize: mi.KeySize, ValueSize: mi.ValueSize,
			MaxEntries: mi.MaxEntries, Flags: mi.Flags})
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	for k := uint64(0); k < 2; k++ {
		if err := ms[0].Update(k, make([]byte, 48), maps.UpdateAny); err != nil {
			t.Fatal(err)
		}
	}
	return ms
}

// TestMapSoundness verifies generated map programs and runs those gbpf
// accepts in the VM's checked mode: none may make a bad access.
func TestMapSoundness(t *testing.T) {
	n := 10000
	if testing.Short() {
		n = 1000
	}
	ms := newSoundMaps(t)
	r := rand.New(rand.NewPCG(12, 2026))
	accepted := 0
	for k := 0; k < n; k++ {
		src := genMapProgram(r)
		prog := assemble(t, src)
		if _, err := verifier.Verify(prog, verifier.Options{ProgType: verifier.SocketFilter, Maps: soundMaps}); errors.Is(err, verifier.ErrUnsupported) {
			t.Fatalf("program %d unsupported: %v\n%s", k, err, src)
		}
		if runMapAccepted(t, prog, ms) {
			accepted++
		}
	}
	t.Logf("%d of %d generated map programs accepted and run", accepted, n)
	if accepted < n/10 {
		t.Errorf("only %d of %d programs accepted: the generator tests little", accepted, n)
	}
}

// TestMapKernelDifferential gives generated map programs to this
// machine's kernel (as socket filters with real maps) and to gbpf: every
// program gbpf accepts must be accepted by the kernel. The kernel may
// accept more: since Linux 6.13 a lookup in an array with a constant key in
// range is not NULL, while gbpf follows 6.12.
func TestMapKernelDifferential(t *testing.T) {
	if err := kerneldiff.Available(); err != nil {
		skipOrFail(t, err.Error())
	}
	var kmaps []*ebpf.Map
	for _, mi := range soundMaps {
		m, err := ebpf.NewMap(&ebpf.MapSpec{Name: mi.Name, Type: ebpf.MapType(mi.Type), KeySize: mi.KeySize,
			ValueSize: mi.ValueSize, MaxEntries: mi.MaxEntries, Flags: mi.Flags})
		if err != nil {
			skipOrFail(t, "creating kernel maps: "+err.Error())
		}
		defer m.Close()
		kmaps = append(kmaps, m)
	}
	n := 1500
	if testing.Short() {
		n = 200
	}
	r := rand.New(rand.NewPCG(5, 2026))
	var agree, total, rejAcc int
	for k := 0; k < n; k++ {
		src := genMapProgram(r)
		prog := assemble(t, src)
		_, err := verifier.Verify(prog, verifier.Options{ProgType: verifier.SocketFilter, Maps: soundMaps})
		kerr := kernelLoadWithMaps(t, prog, kmaps)
		total++
		switch {
		case (err == nil) == (kerr == nil):
			agree++
		case err == nil:
			t.Errorf("program %d: gbpf accepts, the kernel rejects: %v\n%s", k, kerr, src)
		default:
			rejAcc++
			t.Logf("program %d: gbpf rejects (%v), the kernel accepts", k, err)
		}
	}
	t.Logf("verdict agreement %d/%d; gbpf-rejects-kernel-accepts %d", agree, total, rejAcc)
}

// kernelLoadWithMaps loads prog as a socket filter whose map references
// (lddw src=1 and 2, immediate = index) name kmaps; it returns the last
// line of the verifier log if the kernel rejects it.
func kernelLoadWithMaps(t *testing.T, prog []isa.Instruction, kmaps []*ebpf.Map) error {
	insns, err := kerneldiff.ToCilium(prog)
	if err != nil {
		t.Fatal(err)
	}
	for k := range insns {
		ins := &insns[k]
		if ins.IsLoadFromMap() {
			if err := ins.AssociateMap(kmaps[uint32(ins.Constant)]); err != nil {
				t.Fatal(err)
			}
		}
	}
	p, err := ebpf.NewProgramWithOptions(&ebpf.ProgramSpec{Type: ebpf.SocketFilter, Instructions: insns, License: "GPL"},
		ebpf.ProgramOptions{LogSizeStart: 1 << 16})
	if err != nil {
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) {
			for j := len(ve.Log) - 1; j >= 0; j-- {
				if l := ve.Log[j]; l != "" && !strings.HasPrefix(l, "processed ") {
					return errors.New(l)
				}
			}
		}
		return err
	}
	p.Close()
	return nil
}
