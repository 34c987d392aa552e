package object_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/object"
	"github.com/gbpf/gbpf/vm"
)

func loadCollection(t *testing.T, name string, opts object.CollectionOptions) (*object.Spec, *object.Collection) {
	t.Helper()
	spec, err := object.LoadSpec(compile(t, name))
	if err != nil {
		t.Fatal(err)
	}
	c, err := object.NewCollection(spec, opts)
	if err != nil {
		t.Fatal(err)
	}
	return spec, c
}

func lookupU64(t *testing.T, m *maps.Map, key uint32) uint64 {
	t.Helper()
	b, err := m.LookupBytes(key)
	if err != nil {
		t.Fatalf("%s[%d]: %v", m.Name(), key, err)
	}
	var v [8]byte
	copy(v[:], b)
	return binary.LittleEndian.Uint64(v[:])
}

// TestCollectionGlobals runs the bpf-to-bpf calls, the bpf_loop callback and
// the global data of globals.c in the VM.
func TestCollectionGlobals(t *testing.T) {
	var trace bytes.Buffer
	_, c := loadCollection(t, "globals", object.CollectionOptions{TraceOutput: &trace})
	for _, tt := range []struct {
		prog string
		want uint32
	}{
		// sum = (0+1+2+3) + 4*custom_data(3) = 18; counter becomes 6;
		// add_static(18, 6) = 18+6+limit(10) = 34; + greeting[1] 'e' = 135.
		{"with_calls", 135},
		{"with_static", 13},
	} {
		res, err := c.Programs[tt.prog].TestRun(vm.TestRunOptions{Context: make([]byte, 16)})
		if err != nil {
			t.Fatalf("%s: %v", tt.prog, err)
		}
		if res.Retval != tt.want {
			t.Errorf("%s returned %d, want %d", tt.prog, res.Retval, tt.want)
		}
	}
	for _, tt := range []struct {
		m     string
		width int // bytes of the variable at offset 0
		want  uint64
	}{
		{".data", 4, 6}, {".bss", 8, 18}, {".rodata", 4, 10}, {".data.custom", 4, 3},
	} {
		got := lookupU64(t, c.Maps[tt.m], 0)
		if tt.width < 8 {
			got &= 1<<(8*tt.width) - 1
		}
		if got != tt.want {
			t.Errorf("%s = %d after the run, want %d", tt.m, got, tt.want)
		}
	}
	if !strings.Contains(trace.String(), "sum 18") {
		t.Errorf("bpf_printk wrote %q, want it to contain \"sum 18\"", trace.String())
	}
	// Each collection starts from the object's initial state.
	_, c2 := loadCollection(t, "globals", object.CollectionOptions{})
	if got := lookupU64(t, c2.Maps[".data"], 0); got != 5 {
		t.Errorf("fresh .data = %d, want 5", got)
	}
}

// TestCollectionMaps runs btfmaps.c's XDP entry, which uses a per-CPU array, a spin lock, an LRU hash, an LPM trie, a ring buffer, a
// queue, a bloom filter, a perf event array and tail-calls into a prog array
// initialised from the object.
func TestCollectionMaps(t *testing.T) {
	spec, c := loadCollection(t, "btfmaps", object.CollectionOptions{Programs: []string{"entry"}})
	for _, want := range []string{"entry", "tail_a", "tail_b"} {
		if c.Programs[want] == nil {
			t.Errorf("program %s not loaded", want)
		}
	}
	if c.Programs["on_write"] != nil {
		t.Error("on_write loaded although not asked for")
	}
	for i, m := range spec.Maps {
		if c.MapList[i] != c.Maps[m.Name] || c.MapList[i].Name() != m.Name {
			t.Errorf("map %d: MapList and Maps disagree on %s", i, m.Name)
		}
	}
	res, err := c.Programs["entry"].TestRun(vm.TestRunOptions{Data: make([]byte, 64)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Retval != 2 { // tail_a: XDP_PASS
		t.Errorf("entry returned %d, want 2 (XDP_PASS from the tail call)", res.Retval)
	}
	inner := c.Maps["outer"].LookupInner([]byte{0, 0, 0, 0})
	if inner != c.Maps["inner1"] {
		t.Fatalf("outer[0] is %v, want inner1", inner)
	}
	if c.Maps["outer"].LookupInner([]byte{2, 0, 0, 0}) != c.Maps["inner2"] {
		t.Error("outer[2] is not inner2")
	}
	if got := c.Maps["jumps"].ProgArrayGet(1); got != c.Programs["tail_b"] {
		t.Errorf("jumps[1] = %v, want tail_b", got)
	}
	if got := c.Maps["perf"].MaxEntries(); got != uint32(maps.PossibleCPUs()) {
		t.Errorf("perf max entries %d, want %d CPUs", got, maps.PossibleCPUs())
	}
	q, err := c.Maps["queue"].QueueContents()
	if err != nil || len(q) != 1 {
		t.Errorf("queue %v, %v; want one element", q, err)
	}
	rb, err := c.Maps["events"].RingBufPending()
	if err != nil || len(rb) != 1 || !bytes.Equal(rb[0], []byte{0, 0, 0, 0}) {
		t.Errorf("ring buffer %x, %v; want one zero u32", rb, err)
	}
	if _, err := c.Maps["lru"].LookupBytes(uint64(7)); err != nil {
		t.Errorf("lru[7]: %v", err)
	}
}

func TestCollectionErrors(t *testing.T) {
	spec, err := object.LoadSpec(compile(t, "btfmaps"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = object.NewCollection(spec, object.CollectionOptions{Programs: []string{"nope"}})
	var oe *object.Error
	if !errors.As(err, &oe) || oe.Symbol != "nope" {
		t.Errorf("unknown program: %v", err)
	}
	// The VM does not run tracepoint programs: the error names the program.
	_, err = object.NewCollection(spec, object.CollectionOptions{Programs: []string{"on_write"}})
	if !errors.As(err, &oe) || oe.Symbol != "on_write" || oe.Section != "tracepoint/syscalls/sys_enter_write" {
		t.Errorf("tracepoint program: %v", err)
	}
}

// TestFuncBTF checks that the functions of a linked program carry their
// BTF, which the verifier reads (return types, for LD_ABS).
func TestFuncBTF(t *testing.T) {
	spec, c := loadCollection(t, "globals", object.CollectionOptions{})
	ps := spec.Programs["with_calls"]
	if len(ps.Funcs) < 2 {
		t.Fatalf("with_calls has %d functions, want the entry and its callees", len(ps.Funcs))
	}
	for _, f := range ps.Funcs {
		if f.BTF == nil || f.BTF.Name != f.Name {
			t.Errorf("function %s at %d: BTF %v", f.Name, f.Index, f.BTF)
		} else if !object.ReturnsScalar(f.BTF) {
			t.Errorf("function %s returns a scalar, ReturnsScalar says no", f.Name)
		}
	}
	if fs := c.Programs["with_calls"].Verification(); fs == nil {
		t.Error("with_calls was not verified")
	}
}
