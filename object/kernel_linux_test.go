package object_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sort"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/object"
	"github.com/gbpf/gbpf/vm"
)

// kernelMaps creates the maps of spec in the kernel, in index order, with
// global data and map-in-map contents.
// BTF types of keys and values come from cilium's spec cs, since the kernel
// wants them for spin locks.
func kernelMaps(t *testing.T, spec *object.Spec, cs *ebpf.CollectionSpec) []*ebpf.Map {
	t.Helper()
	var toKernel func(m *object.MapSpec, c *ebpf.MapSpec) *ebpf.MapSpec
	toKernel = func(m *object.MapSpec, c *ebpf.MapSpec) *ebpf.MapSpec {
		ks := &ebpf.MapSpec{
			Name:       "", // the kernel restricts names; identity comes from the index
			Type:       ebpf.MapType(m.Type),
			KeySize:    m.KeySize,
			ValueSize:  m.ValueSize,
			MaxEntries: m.MaxEntries,
			Flags:      m.Flags,
			MapExtra:   m.MapExtra,
		}
		if c != nil {
			ks.Key, ks.Value = c.Key, c.Value
		}
		if m.InnerMap != nil {
			ks.InnerMap = toKernel(m.InnerMap, c.InnerMap)
		}
		for _, kv := range m.Contents {
			if v, ok := kv.Value.([]byte); ok {
				ks.Contents = append(ks.Contents, ebpf.MapKV{Key: kv.Key, Value: v})
			}
		}
		return ks
	}
	out := make([]*ebpf.Map, len(spec.Maps))
	for i, m := range spec.Maps {
		km, err := ebpf.NewMap(toKernel(m, cs.Maps[m.Name]))
		if err != nil {
			if errors.Is(err, os.ErrPermission) || errors.Is(err, ebpf.ErrNotSupported) {
				missing(t, "kernel maps unavailable: %v", err)
			}
			t.Fatalf("map %s: %v", m.Name, err)
		}
		t.Cleanup(func() { km.Close() })
		out[i] = km
	}
	for i, m := range spec.Maps {
		for _, kv := range m.Contents {
			if ref, ok := kv.Value.(object.MapRef); ok {
				if err := out[i].Put(kv.Key, out[spec.MapIndex(string(ref))]); err != nil {
					t.Fatalf("map %s[%d] = %s: %v", m.Name, kv.Key, ref, err)
				}
			}
		}
	}
	return out
}

// kernelInsns turns a linked program into what the kernel takes: map
// indexes become file descriptors, and the functions get the BTF func_info
// the kernel wants for callbacks (from the object's BTF, types).
func kernelInsns(t *testing.T, p *object.ProgramSpec, kmaps []*ebpf.Map, types *btf.Spec) asm.Instructions {
	t.Helper()
	out := make([]isa.Instruction, len(p.Insns))
	copy(out, p.Insns)
	for i := range out {
		ins := &out[i]
		if !ins.IsLoadImm64() {
			continue
		}
		switch ins.Src {
		case isa.PseudoMapIdx:
			ins.Src = isa.PseudoMapFD
			ins.Constant = int64(kmaps[uint32(ins.Constant)].FD())
		case isa.PseudoMapIdxValue:
			ins.Src = isa.PseudoMapValue
			ins.Constant = int64(uint64(ins.Constant)&^0xffffffff | uint64(uint32(kmaps[uint32(ins.Constant)].FD())))
		}
	}
	kins, err := asm.AppendInstructions(nil, bytes.NewReader(isa.Encode(nil, out)), binary.LittleEndian, "linux")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range p.Funcs {
		var fn *btf.Func
		if err := types.TypeByName(f.Name, &fn); err != nil {
			t.Fatalf("BTF of %s: %v", f.Name, err)
		}
		kins[f.Index] = btf.WithFuncMetadata(kins[f.Index], fn)
	}
	return kins
}

func xlatedLen(t *testing.T, p *ebpf.Program) int {
	t.Helper()
	info, err := p.Info()
	if err != nil {
		t.Fatal(err)
	}
	insns, err := info.Instructions()
	if err != nil {
		missing(t, "translated instructions unavailable: %v", err)
	}
	n := 0
	for _, ins := range insns {
		n += int(ins.Width())
	}
	return n
}

// TestKernelAcceptsLinkedPrograms loads every linked program of the test
// objects into the kernel, beside cilium/ebpf's own loading of the same
// object: the kernel must accept ours, translate it to as many instructions
// as cilium's, and syscall programs must return the same value.
func TestKernelAcceptsLinkedPrograms(t *testing.T) {
	for _, name := range []string{"legacy", "btfmaps", "globals"} {
		t.Run(name, func(t *testing.T) {
			path := compile(t, name)
			spec, err := object.LoadSpec(path)
			if err != nil {
				t.Fatal(err)
			}
			cspec, err := ebpf.LoadCollectionSpec(path)
			if err != nil {
				t.Fatal(err)
			}
			coll, err := ebpf.NewCollection(cspec)
			if err != nil {
				missing(t, "cannot load %s into the kernel: %v", name, err)
			}
			defer coll.Close()
			kmaps := kernelMaps(t, spec, cspec)

			names := make([]string, 0, len(spec.Programs))
			for n := range spec.Programs {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, pn := range names {
				p := spec.Programs[pn]
				ours, err := ebpf.NewProgram(&ebpf.ProgramSpec{
					Name:         "",
					Type:         ebpf.ProgramType(p.Type),
					Flags:        p.Flags,
					AttachType:   cspec.Programs[pn].AttachType,
					AttachTo:     cspec.Programs[pn].AttachTo,
					Instructions: kernelInsns(t, p, kmaps, cspec.Types),
					License:      p.License,
				})
				if err != nil {
					t.Errorf("%s: kernel refuses the linked program: %v", pn, err)
					continue
				}
				defer ours.Close()
				theirs := coll.Programs[pn]
				if a, b := xlatedLen(t, ours), xlatedLen(t, theirs); a != b {
					t.Errorf("%s: kernel translates ours to %d instructions, cilium's to %d", pn, a, b)
				}
				if p.Type != object.Syscall {
					continue
				}
				run := func(prog *ebpf.Program) string {
					ret, err := prog.Run(&ebpf.RunOptions{Context: make([]byte, 16)})
					return fmt.Sprint(ret, err)
				}
				if a, b := run(ours), run(theirs); a != b {
					t.Errorf("%s: test run of ours gives %s, cilium's %s", pn, a, b)
				}
			}
		})
	}
}

// kernelEntries lists a kernel map's elements as "key=value" in key order.
func kernelEntries(t *testing.T, m *ebpf.Map) []string {
	t.Helper()
	var out []string
	var k, v []byte
	it := m.Iterate()
	for it.Next(&k, &v) {
		out = append(out, fmt.Sprintf("%x=%x", k, v))
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func vmEntries(t *testing.T, m *maps.Map) []string {
	t.Helper()
	es, err := m.Entries()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, fmt.Sprintf("%x=%x", e.Key, e.Value))
	}
	sort.Strings(out)
	return out
}

// TestCollectionMatchesKernel runs programs of the test objects in the VM
// (through NewCollection) and in the kernel (cilium/ebpf's loading of the
// same object) on the same input: the return values and the contents of the
// shared-value maps after the runs must be identical.
func TestCollectionMatchesKernel(t *testing.T) {
	packet := make([]byte, 64)
	for i := range packet {
		packet[i] = byte(i)
	}
	for _, tt := range []struct {
		object string
		prog   string
		data   []byte
		ctx    []byte
	}{
		{"globals", "with_calls", nil, make([]byte, 16)},
		{"globals", "with_static", nil, make([]byte, 16)},
		{"legacy", "count_packets", packet, nil},
		{"btfmaps", "entry", packet, nil},
		{"btfmaps", "classify", packet, nil},
	} {
		t.Run(tt.object+"/"+tt.prog, func(t *testing.T) {
			path := compile(t, tt.object)
			spec, err := object.LoadSpec(path)
			if err != nil {
				t.Fatal(err)
			}
			cspec, err := ebpf.LoadCollectionSpec(path)
			if err != nil {
				t.Fatal(err)
			}
			kc, err := ebpf.NewCollection(cspec)
			if err != nil {
				missing(t, "cannot load %s into the kernel: %v", tt.object, err)
			}
			defer kc.Close()
			gc, err := object.NewCollection(spec, object.CollectionOptions{Programs: []string{tt.prog}})
			if err != nil {
				t.Fatal(err)
			}

			kret, err := kc.Programs[tt.prog].Run(&ebpf.RunOptions{Data: tt.data, Context: tt.ctx})
			if err != nil {
				t.Fatalf("kernel run: %v", err)
			}
			res, err := gc.Programs[tt.prog].TestRun(vm.TestRunOptions{Data: tt.data, Context: tt.ctx})
			if err != nil {
				t.Fatalf("VM run: %v", err)
			}
			if res.Retval != kret {
				t.Errorf("return value: VM %d, kernel %d", res.Retval, kret)
			}
			for _, m := range spec.Maps {
				switch m.Type {
				case maps.Array, maps.Hash, maps.LRUHash:
				default:
					continue
				}
				km := kc.Maps[m.Name]
				if km == nil {
					t.Fatalf("kernel collection has no map %s", m.Name)
				}
				if a, b := vmEntries(t, gc.Maps[m.Name]), kernelEntries(t, km); fmt.Sprint(a) != fmt.Sprint(b) {
					t.Errorf("map %s: VM %v, kernel %v", m.Name, a, b)
				}
			}
		})
	}
}
