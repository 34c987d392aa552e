package maps

import (
	"bytes"
	"math/rand"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
)

// TestOracleLRUFull overfills LRU maps from CPU LRUUserCPU and compares
// every update and lookup and, every 500 operations, the whole contents:
// which keys were evicted is the same on both sides.
func TestOracleLRUFull(t *testing.T) {
	for _, typ := range []Type{LRUHash, LRUPerCPUHash} {
		t.Run(typ.String(), func(t *testing.T) {
			needKernel(t)
			defer pinCPU(t, LRUUserCPU)()
			o := newOracle(t, &Spec{Name: "lrufull", Type: typ, KeySize: 4, ValueSize: 8, MaxEntries: 64})
			r := rand.New(rand.NewSource(seed(t)))
			for o.ops < oracleOps {
				k := u32key(r, 300)
				o.update(k, o.randValue(r), UpdateAny)
				o.lookup(k)
				if o.ops%500 == 0 {
					n := 0
					key := make([]byte, 4)
					var val any = new(uint64)
					if typ.PerCPU() {
						val = new([]uint64)
					}
					it := o.k.Iterate()
					for it.Next(&key, val) {
						n++
					}
					if err := it.Err(); err != nil {
						o.fail("kernel iterate: %v", err)
					}
					if n > 64 || o.g.Len() > 64 {
						o.fail("over capacity: kernel %d, gbpf %d", n, o.g.Len())
					}
					o.contents()
				}
			}
			t.Logf("%v overfilled: %d operations, 0 mismatches", typ, o.ops)
		})
	}
}

// TestOracleSpinLock compares BPF_F_LOCK updates and lookups of values
// holding a struct bpf_spin_lock (described by BTF for the kernel).
func TestOracleSpinLock(t *testing.T) {
	needKernel(t)
	u32 := &btf.Int{Name: "unsigned int", Size: 4}
	lock := &btf.Struct{Name: "bpf_spin_lock", Size: 4, Members: []btf.Member{{Name: "val", Type: u32}}}
	val := &btf.Struct{Name: "val", Size: 12, Members: []btf.Member{
		{Name: "a", Type: u32}, {Name: "lock", Type: lock, Offset: 32}, {Name: "b", Type: u32, Offset: 64}}}
	for _, typ := range []Type{Array, Hash} {
		t.Run(typ.String(), func(t *testing.T) {
			km, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.MapType(typ), KeySize: 4, ValueSize: 12, MaxEntries: 4, Key: u32, Value: val})
			if err != nil {
				t.Fatalf("kernel map with a spin lock: %v", err)
			}
			defer km.Close()
			g := mustNew(t, &Spec{Type: typ, KeySize: 4, ValueSize: 12, MaxEntries: 4, SpinLockOff: 4 + 1})
			o := &oracle{t: t, k: km, g: g, spec: g.Spec(), ncpu: PossibleCPUs(), uvsize: g.UserValueSize()}
			r := rand.New(rand.NewSource(seed(t)))
			for o.ops < oracleOps {
				k := u32key(r, 6)
				switch r.Intn(4) {
				case 0, 1:
					v := make([]byte, 12)
					r.Read(v)
					o.update(k, v, []UpdateFlags{UpdateAny, UpdateLock, UpdateLock | UpdateExist, UpdateLock | UpdateNoExist, 8}[r.Intn(5)])
				case 2:
					o.lookup(k)
					o.note("lookup with lock %x", k)
					kv, gv := make([]byte, 12), make([]byte, 12)
					kerr := km.LookupWithFlags(k, kv, ebpf.LookupLock)
					gerr := g.LookupWithFlags(k, gv, UpdateLock)
					if o.sameErr("lookup with lock", kerr, gerr) && !bytes.Equal(kv, gv) {
						o.fail("lookup with lock %x: kernel %x, gbpf %x", k, kv, gv)
					}
				default:
					o.delete(k)
				}
			}
			t.Logf("%v with bpf_spin_lock: %d operations, 0 mismatches", typ, o.ops)
		})
	}
}
