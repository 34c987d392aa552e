package maps

import (
	"math/rand"
	"syscall"
	"testing"

	"github.com/cilium/ebpf"
)

// TestOracleMapOfMaps drives array- and hash-of-maps with inner maps
// chosen from a pool (one of them incompatible) in the kernel and here.
func TestOracleMapOfMaps(t *testing.T) {
	for _, typ := range []Type{ArrayOfMaps, HashOfMaps} {
		t.Run(typ.String(), func(t *testing.T) {
			needKernel(t)
			inner := &Spec{Type: Array, KeySize: 4, ValueSize: 4, MaxEntries: 2}
			s := &Spec{Name: "outer", Type: typ, KeySize: 4, ValueSize: 4, MaxEntries: 6, InnerMap: inner}
			o := newOracle(t, s)
			var kin []*ebpf.Map
			var gin []*Map
			ids := map[uint32]int{}
			for i, max := range []uint32{2, 2, 2, 3} { // the last is incompatible
				km, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 4, MaxEntries: max})
				if err != nil {
					t.Fatal(err)
				}
				defer km.Close()
				info, err := km.Info()
				if err != nil {
					t.Fatal(err)
				}
				id, _ := info.ID()
				ids[uint32(id)] = i
				gm, err := New(&Spec{Type: Array, KeySize: 4, ValueSize: 4, MaxEntries: max})
				if err != nil {
					t.Fatal(err)
				}
				kin, gin = append(kin, km), append(gin, gm)
			}
			index := func(m *Map) int {
				for i, g := range gin {
					if g == m {
						return i
					}
				}
				return -1
			}
			r := rand.New(rand.NewSource(seed(t)))
			for o.ops < oracleOps {
				k := uint32(r.Intn(8))
				switch p := r.Intn(10); {
				case p < 4:
					i := r.Intn(len(kin))
					f := []UpdateFlags{UpdateAny, UpdateAny, UpdateNoExist, UpdateExist, 5}[r.Intn(5)]
					o.note("update %d inner %d flags %d", k, i, f)
					o.sameErr("update", o.k.Update(k, kin[i], ebpf.MapUpdateFlags(f)), o.g.Update(k, gin[i], f))
				case p < 7:
					o.note("lookup %d", k)
					var id uint32
					var gm *Map
					kerr, gerr := o.k.Lookup(k, &id), o.g.Lookup(k, &gm)
					if o.sameErr("lookup", kerr, gerr) && ids[id] != index(gm) {
						o.fail("lookup %d: kernel inner %d, gbpf %d", k, ids[id], index(gm))
					}
				case p < 9:
					o.delete(k)
				default:
					o.nextKey(k, typ == ArrayOfMaps)
				}
			}
			t.Logf("%v: %d operations, 0 mismatches", typ, o.ops)
		})
	}
}

// TestOracleSpecs creates maps from valid and invalid specs in the kernel
// and here and compares the errnos.
func TestOracleSpecs(t *testing.T) {
	needKernel(t)
	inner := &Spec{Type: Array, KeySize: 4, ValueSize: 4, MaxEntries: 1}
	specs := []Spec{
		{Type: Array, KeySize: 4, ValueSize: 4, MaxEntries: 1},
		{Type: Array, KeySize: 8, ValueSize: 4, MaxEntries: 1},
		{Type: Array, KeySize: 4, ValueSize: 0, MaxEntries: 1},
		{Type: Array, KeySize: 4, ValueSize: 4, MaxEntries: 0},
		{Type: Array, KeySize: 4, ValueSize: 4, MaxEntries: 1, Flags: FlagNoPrealloc},
		{Type: Array, KeySize: 4, ValueSize: 4, MaxEntries: 1, Flags: FlagRdOnlyProg},
		{Type: Array, KeySize: 4, ValueSize: 4, MaxEntries: 1, Flags: FlagRdOnly | FlagWrOnly},
		{Type: PerCPUArray, KeySize: 4, ValueSize: 40000, MaxEntries: 1},
		{Type: PerCPUArray, KeySize: 4, ValueSize: 8, MaxEntries: 1, Flags: FlagMmapable},
		{Type: Hash, KeySize: 4, ValueSize: 4, MaxEntries: 1},
		{Type: Hash, KeySize: 0, ValueSize: 4, MaxEntries: 1},
		{Type: Hash, KeySize: 600, ValueSize: 4, MaxEntries: 1},
		{Type: Hash, KeySize: 4, ValueSize: 4, MaxEntries: 1, Flags: FlagNoCommonLRU},
		{Type: Hash, KeySize: 4, ValueSize: 4, MaxEntries: 1, Flags: FlagMmapable},
		{Type: LRUHash, KeySize: 4, ValueSize: 4, MaxEntries: 1, Flags: FlagNoPrealloc},
		{Type: LRUHash, KeySize: 4, ValueSize: 4, MaxEntries: 1, Flags: FlagNoCommonLRU},
		{Type: PerCPUHash, KeySize: 4, ValueSize: 40000, MaxEntries: 1},
		{Type: LPMTrie, KeySize: 8, ValueSize: 4, MaxEntries: 1, Flags: FlagNoPrealloc},
		{Type: LPMTrie, KeySize: 8, ValueSize: 4, MaxEntries: 1},
		{Type: LPMTrie, KeySize: 4, ValueSize: 4, MaxEntries: 1, Flags: FlagNoPrealloc},
		{Type: LPMTrie, KeySize: 300, ValueSize: 4, MaxEntries: 1, Flags: FlagNoPrealloc},
		{Type: Queue, KeySize: 0, ValueSize: 4, MaxEntries: 1},
		{Type: Queue, KeySize: 4, ValueSize: 4, MaxEntries: 1},
		{Type: Stack, KeySize: 0, ValueSize: 0, MaxEntries: 1},
		{Type: BloomFilter, ValueSize: 4, MaxEntries: 1},
		{Type: BloomFilter, ValueSize: 4, MaxEntries: 1, MapExtra: 16},
		{Type: BloomFilter, KeySize: 4, ValueSize: 4, MaxEntries: 1},
		{Type: RingBuf, MaxEntries: 4096},
		{Type: RingBuf, MaxEntries: 4000},
		{Type: RingBuf, MaxEntries: 4096, ValueSize: 4},
		{Type: PerfEventArray, KeySize: 4, ValueSize: 4, MaxEntries: 2},
		{Type: PerfEventArray, KeySize: 4, ValueSize: 8, MaxEntries: 2},
		{Type: ProgArray, KeySize: 4, ValueSize: 4, MaxEntries: 2},
		{Type: ProgArray, KeySize: 4, ValueSize: 8, MaxEntries: 2},
		{Type: ArrayOfMaps, KeySize: 4, ValueSize: 4, MaxEntries: 2, InnerMap: inner},
		{Type: HashOfMaps, KeySize: 8, ValueSize: 4, MaxEntries: 2, InnerMap: inner},
		{Type: HashOfMaps, KeySize: 8, ValueSize: 8, MaxEntries: 2, InnerMap: inner},
	}
	for i, s := range specs {
		ks := &ebpf.MapSpec{Type: ebpf.MapType(s.Type), KeySize: s.KeySize, ValueSize: s.ValueSize, MaxEntries: s.MaxEntries, Flags: s.Flags, MapExtra: s.MapExtra}
		if s.InnerMap != nil {
			ks.InnerMap = &ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 4, MaxEntries: 1}
		}
		km, kerr := ebpf.NewMap(ks)
		if kerr == nil {
			km.Close()
		}
		_, gerr := New(&s)
		ke := errnoOf(kerr)
		if kerr != nil && ke == 0xffff {
			continue // refused by cilium/ebpf before bpf(): not comparable
		}
		ge := Errno(gerr)
		if ke == errnoENOTSUPP || ke == syscall.EOPNOTSUPP {
			ke = errnoENOTSUPP
		}
		if ge == syscall.EOPNOTSUPP {
			ge = errnoENOTSUPP
		}
		if ke != ge {
			t.Errorf("spec %d %+v: kernel errno %d (%v), gbpf %d (%v)", i, s, ke, kerr, ge, gerr)
		}
	}
}

// TestOracleAccessFlags compares user-space access to maps created with
// BPF_F_RDONLY and BPF_F_WRONLY.
func TestOracleAccessFlags(t *testing.T) {
	needKernel(t)
	for _, flags := range []uint32{FlagRdOnly, FlagWrOnly, FlagRdOnlyProg, FlagWrOnlyProg} {
		for _, typ := range []Type{Array, Hash} {
			s := &Spec{Name: "acc", Type: typ, KeySize: 4, ValueSize: 4, MaxEntries: 4, Flags: flags}
			o := newOracle(t, s)
			k, v := []byte{1, 0, 0, 0}, []byte{1, 2, 3, 4}
			o.update(k, v, UpdateAny)
			o.lookup(k)
			o.delete(k)
			o.lookupAndDelete(k)
			o.nextKey(nil, typ == Array)
			if typ == Hash {
				o.batchDelete([][]byte{k})
			}
			if ro := flags&FlagRdOnlyProg != 0; o.g.ReadOnlyProg() != ro {
				t.Errorf("flags %#x: ReadOnlyProg %v", flags, o.g.ReadOnlyProg())
			}
		}
	}
}
