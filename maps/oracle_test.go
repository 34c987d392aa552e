package maps

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"reflect"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cilium/ebpf"
)

// These tests apply the same random sequences of user-space operations to
// a kernel map (through cilium/ebpf) and to ours, and compare every
// result: the errno of each operation and the values returned.

// needKernel skips (or fails under CI=true) when bpf() cannot create maps.
func needKernel(t *testing.T) {
	t.Helper()
	m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 4, MaxEntries: 1})
	if err == nil {
		m.Close()
		return
	}
	msg := fmt.Sprintf("kernel maps unavailable (need root and the bpf() syscall): %v", err)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// errnoOf returns the errno of a kernel error (0 for nil).
func errnoOf(err error) syscall.Errno {
	if err == nil {
		return 0
	}
	var e syscall.Errno
	if errors.As(err, &e) {
		return e
	}
	return 0xffff
}

func seed(t *testing.T) int64 {
	s := time.Now().UnixNano()
	t.Logf("seed %d", s)
	return s
}

// oracle drives one kernel map and one of ours.
type oracle struct {
	t      *testing.T
	k      *ebpf.Map
	g      *Map
	spec   *Spec
	ops    int
	ncpu   int
	uvsize int
	log    []string
}

func newOracle(t *testing.T, s *Spec) *oracle {
	t.Helper()
	ks := &ebpf.MapSpec{Name: s.Name, Type: ebpf.MapType(s.Type), KeySize: s.KeySize, ValueSize: s.ValueSize,
		MaxEntries: s.MaxEntries, Flags: s.Flags, MapExtra: s.MapExtra}
	if s.InnerMap != nil {
		i := s.InnerMap
		ks.InnerMap = &ebpf.MapSpec{Type: ebpf.MapType(i.Type), KeySize: i.KeySize, ValueSize: i.ValueSize, MaxEntries: i.MaxEntries, Flags: i.Flags}
	}
	km, err := ebpf.NewMap(ks)
	if err != nil {
		t.Fatalf("kernel map %v: %v", s.Type, err)
	}
	return newOracleWith(t, s, km)
}

// newOracleWith is newOracle for a kernel map made by the caller.
func newOracleWith(t *testing.T, s *Spec, km *ebpf.Map) *oracle {
	t.Helper()
	t.Cleanup(func() { km.Close() })
	g, err := New(s)
	if err != nil {
		t.Fatalf("New(%v): %v", s.Type, err)
	}
	return &oracle{t: t, k: km, g: g, spec: s, ncpu: PossibleCPUs(), uvsize: g.UserValueSize()}
}

func (o *oracle) fail(format string, args ...any) {
	o.t.Helper()
	tail := o.log
	if len(tail) > 12 {
		tail = tail[len(tail)-12:]
	}
	o.t.Fatalf("op %d (%s): %s\nlast ops:\n  %s", o.ops, o.log[len(o.log)-1], fmt.Sprintf(format, args...), strings.Join(tail, "\n  "))
}

func (o *oracle) note(format string, args ...any) {
	o.ops++
	o.log = append(o.log, fmt.Sprintf(format, args...))
}

func (o *oracle) sameErr(op string, kerr, gerr error) bool {
	o.t.Helper()
	ke, ge := errnoOf(kerr), Errno(gerr)
	if ke != ge {
		o.fail("%s: kernel errno %d (%v), gbpf errno %d (%v)", op, ke, kerr, ge, gerr)
	}
	return ke == 0
}

// value helpers: per-CPU values travel as []uint64 (ValueSize 8).
func (o *oracle) perCPU() bool { return o.spec.Type.PerCPU() }

func (o *oracle) randValue(r *rand.Rand) any {
	if o.perCPU() {
		v := make([]uint64, o.ncpu)
		for i := range v {
			v[i] = r.Uint64()
		}
		return v
	}
	b := make([]byte, o.spec.ValueSize)
	r.Read(b)
	return b
}

func (o *oracle) kLookup(key any) ([]byte, error) {
	if o.perCPU() {
		var v []uint64
		err := o.k.Lookup(key, &v)
		return u64bytes(v), err
	}
	b := make([]byte, o.spec.ValueSize)
	err := o.k.Lookup(key, b)
	return b, err
}

func (o *oracle) gLookup(key any) ([]byte, error) {
	if o.perCPU() {
		var v []uint64
		err := o.g.Lookup(key, &v)
		return u64bytes(v), err
	}
	b := make([]byte, o.spec.ValueSize)
	err := o.g.Lookup(key, b)
	return b, err
}

func u64bytes(v []uint64) []byte {
	var b []byte
	for _, x := range v {
		b = fmt.Appendf(b, "%016x", x)
	}
	return b
}

func (o *oracle) update(key, val any, flags UpdateFlags) {
	o.note("update %x %v flags %d", key, val, flags)
	kerr := o.k.Update(key, val, ebpf.MapUpdateFlags(flags))
	gerr := o.g.Update(key, val, flags)
	o.sameErr("update", kerr, gerr)
}

func (o *oracle) lookup(key any) {
	o.note("lookup %x", key)
	kv, kerr := o.kLookup(key)
	gv, gerr := o.gLookup(key)
	if o.sameErr("lookup", kerr, gerr) && !bytes.Equal(kv, gv) {
		o.fail("lookup %x: kernel %x, gbpf %x", key, kv, gv)
	}
}

func (o *oracle) delete(key any) {
	o.note("delete %x", key)
	o.sameErr("delete", o.k.Delete(key), o.g.Delete(key))
}

func (o *oracle) lookupAndDelete(key any) {
	o.note("lookup and delete %x", key)
	var kv, gv []byte
	var kerr, gerr error
	if o.perCPU() {
		var a, b []uint64
		kerr = o.k.LookupAndDelete(key, &a)
		gerr = o.g.LookupAndDelete(key, &b)
		kv, gv = u64bytes(a), u64bytes(b)
	} else {
		kv, gv = make([]byte, o.spec.ValueSize), make([]byte, o.spec.ValueSize)
		kerr = o.k.LookupAndDelete(key, kv)
		gerr = o.g.LookupAndDelete(key, gv)
	}
	if o.sameErr("lookup and delete", kerr, gerr) && !bytes.Equal(kv, gv) {
		o.fail("lookup and delete %x: kernel %x, gbpf %x", key, kv, gv)
	}
}

// nextKey compares next-key results exactly when ordered (arrays) and
// only the errno otherwise.
func (o *oracle) nextKey(key any, ordered bool) {
	o.note("next key %x", key)
	kk, gk := make([]byte, o.spec.KeySize), make([]byte, o.spec.KeySize)
	kerr := o.k.NextKey(key, kk)
	gerr := o.g.NextKey(key, gk)
	if !ordered {
		// Which key comes first or next depends on the hash order;
		// only errors are deterministic (ENOENT at the end is not).
		if errnoOf(kerr) != 0 && errnoOf(kerr) != syscall.ENOENT || Errno(gerr) != 0 && Errno(gerr) != syscall.ENOENT {
			o.sameErr("next key", kerr, gerr)
		}
		return
	}
	if o.sameErr("next key", kerr, gerr) && !bytes.Equal(kk, gk) {
		o.fail("next key %x: kernel %x, gbpf %x", key, kk, gk)
	}
}

// contents iterates both maps and compares them as sets.
func (o *oracle) contents() {
	o.note("iterate")
	kset, gset := map[string]string{}, map[string]string{}
	key := make([]byte, o.spec.KeySize)
	if o.perCPU() {
		var v []uint64
		it := o.k.Iterate()
		for it.Next(&key, &v) {
			kset[string(key)] = string(u64bytes(v))
		}
		if err := it.Err(); err != nil {
			o.fail("kernel iterate: %v", err)
		}
		gi := o.g.Iterate()
		for gi.Next(&key, &v) {
			gset[string(key)] = string(u64bytes(v))
		}
		if err := gi.Err(); err != nil {
			o.fail("gbpf iterate: %v", err)
		}
	} else {
		val := make([]byte, o.spec.ValueSize)
		it := o.k.Iterate()
		for it.Next(&key, &val) {
			kset[string(key)] = string(val)
		}
		if err := it.Err(); err != nil {
			o.fail("kernel iterate: %v", err)
		}
		gi := o.g.Iterate()
		for gi.Next(&key, &val) {
			gset[string(key)] = string(val)
		}
		if err := gi.Err(); err != nil {
			o.fail("gbpf iterate: %v", err)
		}
	}
	if !sameSet(kset, gset) {
		o.fail("contents differ:\nkernel %x\ngbpf   %x", sortedKV(kset), sortedKV(gset))
	}
}

func sameSet(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func sortedKV(m map[string]string) []string {
	var s []string
	for k, v := range m {
		s = append(s, k+"="+v)
	}
	sort.Strings(s)
	return s
}

// batchScan reads the whole map with BatchLookup in chunks of n and
// compares the sets and the final errno.
func (o *oracle) batchScan(n int, del bool) {
	o.note("batch scan %d delete=%v", n, del)
	kset, gset := map[string]string{}, map[string]string{}
	var kerrLast, gerrLast error
	for pass := 0; pass < 2; pass++ {
		set := kset
		if pass == 1 {
			set = gset
		}
		var kc ebpf.MapBatchCursor
		var gc MapBatchCursor
		for round := 0; round < 1000; round++ {
			keys := o.typedKeys(make([][]byte, n))
			vals := o.typedVals(n)
			var got int
			var err error
			switch {
			case pass == 0 && !del:
				got, err = o.k.BatchLookup(&kc, keys, vals, nil)
			case pass == 0:
				got, err = o.k.BatchLookupAndDelete(&kc, keys, vals, nil)
			case !del:
				got, err = o.g.BatchLookup(&gc, keys, vals, nil)
			default:
				got, err = o.g.BatchLookupAndDelete(&gc, keys, vals, nil)
			}
			if pass == 0 && errnoOf(err) == syscall.ENOSPC {
				n *= 2 // a kernel bucket holds more than n (nothing was done): retry larger
				continue
			}
			kb, vb := o.untyped(keys), o.untyped(vals)
			ks, vs := int(o.spec.KeySize), len(vb)/n
			for i := 0; i < got; i++ {
				set[string(kb[i*ks:(i+1)*ks])] = fmt.Sprintf("%x", vb[i*vs:(i+1)*vs])
			}
			if err != nil {
				if pass == 0 {
					kerrLast = err
				} else {
					gerrLast = err
				}
				break
			}
		}
	}
	if errnoOf(kerrLast) != Errno(gerrLast) {
		o.fail("batch scan: kernel %v, gbpf %v", kerrLast, gerrLast)
	}
	if !sameSet(kset, gset) {
		o.fail("batch scan differs:\nkernel %x\ngbpf   %x", sortedKV(kset), sortedKV(gset))
	}
}

func (o *oracle) batchUpdate(keys [][]byte, vals []any, flags UpdateFlags) {
	o.note("batch update %x flags %d", keys, flags)
	kb := o.typedKeys(keys)
	vb := o.typedVals(len(keys))
	rv := reflect.ValueOf(vb)
	for i, v := range vals {
		switch x := v.(type) {
		case []byte:
			reflect.Copy(rv.Index(i).Slice(0, len(x)), reflect.ValueOf(x))
		case []uint64:
			for c, u := range x {
				rv.Index(i*o.ncpu + c).SetUint(u)
			}
		}
	}
	kn, kerr := o.k.BatchUpdate(kb, vb, &ebpf.BatchOptions{ElemFlags: uint64(flags)})
	gn, gerr := o.g.BatchUpdate(kb, vb, &BatchOptions{ElemFlags: uint64(flags)})
	// Early rejections (EINVAL, ENOTSUPP) leave the kernel's count at the
	// input count; ours reports 0.
	ok := o.sameErr("batch update", kerr, gerr)
	early := errnoOf(kerr) == syscall.EINVAL || errnoOf(kerr) == errnoENOTSUPP || errnoOf(kerr) == syscall.EPERM
	if (ok || !early) && kn != gn {
		o.fail("batch update: kernel count %d, gbpf %d", kn, gn)
	}
}

func (o *oracle) batchDelete(keys [][]byte) {
	o.note("batch delete %x", keys)
	kb := o.typedKeys(keys)
	kn, kerr := o.k.BatchDelete(kb, nil)
	gn, gerr := o.g.BatchDelete(kb, nil)
	ok := o.sameErr("batch delete", kerr, gerr)
	early := errnoOf(kerr) == syscall.EINVAL || errnoOf(kerr) == errnoENOTSUPP || errnoOf(kerr) == syscall.EPERM
	if (ok || !early) && kn != gn {
		o.fail("batch delete: kernel count %d, gbpf %d", kn, gn)
	}
}

// typedKeys returns keys as a slice of [KeySize]byte arrays, as
// cilium/ebpf's batch operations want them (nil keys stay zero).
func (o *oracle) typedKeys(keys [][]byte) any {
	at := reflect.ArrayOf(int(o.spec.KeySize), reflect.TypeOf(byte(0)))
	sl := reflect.MakeSlice(reflect.SliceOf(at), len(keys), len(keys))
	for i, k := range keys {
		reflect.Copy(sl.Index(i).Slice(0, len(k)), reflect.ValueOf(k))
	}
	return sl.Interface()
}

// typedVals returns room for n values: [ValueSize]byte arrays, or for
// per-CPU maps n*PossibleCPUs() uint64s.
func (o *oracle) typedVals(n int) any {
	if o.perCPU() {
		return make([]uint64, n*o.ncpu)
	}
	at := reflect.ArrayOf(int(o.spec.ValueSize), reflect.TypeOf(byte(0)))
	return reflect.MakeSlice(reflect.SliceOf(at), n, n).Interface()
}

// untyped returns the bytes of a typedKeys/typedVals slice.
func (o *oracle) untyped(v any) []byte {
	if u, ok := v.([]uint64); ok {
		return u64bytes(u)
	}
	rv := reflect.ValueOf(v)
	var b []byte
	for i := 0; i < rv.Len(); i++ {
		b = append(b, rv.Index(i).Slice(0, rv.Index(i).Len()).Bytes()...)
	}
	return b
}

var updateFlagChoices = []UpdateFlags{UpdateAny, UpdateAny, UpdateNoExist, UpdateExist, UpdateLock, 3, 8}

// keyedOracle runs random keyed operations; keyGen makes keys (as bytes).
func keyedOracle(t *testing.T, s *Spec, nops int, keyGen func(r *rand.Rand) []byte, ordered, lookupDelete, batch bool) {
	needKernel(t)
	o := newOracle(t, s)
	r := rand.New(rand.NewSource(seed(t)))
	for o.ops < nops {
		k := keyGen(r)
		switch p := r.Intn(100); {
		case p < 35:
			o.update(k, o.randValue(r), updateFlagChoices[r.Intn(len(updateFlagChoices))])
		case p < 55:
			o.lookup(k)
		case p < 70:
			o.delete(k)
		case p < 75:
			if lookupDelete {
				o.lookupAndDelete(k)
			} else {
				o.lookupAndDelete(k) // must fail alike
			}
		case p < 83:
			if r.Intn(3) == 0 {
				o.nextKey(nil, ordered)
			} else {
				o.nextKey(k, ordered)
			}
		case p < 88:
			o.contents()
		case p < 92:
			if batch {
				o.batchScan(1+r.Intn(8), false)
			}
		case p < 94:
			if batch && lookupDelete {
				o.batchScan(1+r.Intn(8), true)
			}
		case p < 97 && batch:
			n := 1 + r.Intn(4)
			var keys [][]byte
			var vals []any
			for i := 0; i < n; i++ {
				keys = append(keys, keyGen(r))
				vals = append(vals, o.randValue(r))
			}
			o.batchUpdate(keys, vals, updateFlagChoices[r.Intn(4)])
		case batch:
			var keys [][]byte
			for i := 0; i < 1+r.Intn(3); i++ {
				keys = append(keys, keyGen(r))
			}
			o.batchDelete(keys)
		}
	}
	o.contents()
	t.Logf("%v: %d operations, 0 mismatches", s.Type, o.ops)
}

const oracleOps = 5000

func u32key(r *rand.Rand, n int) []byte {
	i := uint32(r.Intn(n))
	return []byte{byte(i), byte(i >> 8), byte(i >> 16), byte(i >> 24)}
}

func TestOracleArray(t *testing.T) {
	s := &Spec{Name: "arr", Type: Array, KeySize: 4, ValueSize: 12, MaxEntries: 10}
	keyedOracle(t, s, oracleOps, func(r *rand.Rand) []byte { return u32key(r, 13) }, true, false, true)
}

func TestOraclePerCPUArray(t *testing.T) {
	s := &Spec{Name: "parr", Type: PerCPUArray, KeySize: 4, ValueSize: 8, MaxEntries: 10}
	keyedOracle(t, s, oracleOps, func(r *rand.Rand) []byte { return u32key(r, 13) }, true, false, true)
}

func smallKey(size, space int) func(r *rand.Rand) []byte {
	return func(r *rand.Rand) []byte {
		k := make([]byte, size)
		i := r.Intn(space)
		k[0], k[size-1] = byte(i), byte(i*7)
		return k
	}
}

func TestOracleHash(t *testing.T) {
	s := &Spec{Name: "h", Type: Hash, KeySize: 6, ValueSize: 12, MaxEntries: 16}
	keyedOracle(t, s, oracleOps, smallKey(6, 30), false, true, true)
}

func TestOracleHashNoPrealloc(t *testing.T) {
	s := &Spec{Name: "hnp", Type: Hash, KeySize: 4, ValueSize: 4, MaxEntries: 8, Flags: FlagNoPrealloc}
	keyedOracle(t, s, oracleOps, smallKey(4, 20), false, true, true)
}

func TestOraclePerCPUHash(t *testing.T) {
	s := &Spec{Name: "ph", Type: PerCPUHash, KeySize: 5, ValueSize: 8, MaxEntries: 16}
	keyedOracle(t, s, oracleOps, smallKey(5, 30), false, true, true)
}

// LRU maps below capacity (nothing is evicted, so the CPU does not
// matter); oracle_lru_test.go compares eviction.
func TestOracleLRUHash(t *testing.T) {
	s := &Spec{Name: "lru", Type: LRUHash, KeySize: 4, ValueSize: 8, MaxEntries: 1024}
	keyedOracle(t, s, oracleOps, smallKey(4, 40), false, true, true)
}

func TestOracleLRUPerCPUHash(t *testing.T) {
	s := &Spec{Name: "lrup", Type: LRUPerCPUHash, KeySize: 4, ValueSize: 8, MaxEntries: 1024}
	keyedOracle(t, s, oracleOps, smallKey(4, 40), false, true, true)
}

func TestOracleLPMTrie(t *testing.T) {
	s := &Spec{Name: "lpm", Type: LPMTrie, KeySize: 8, ValueSize: 8, MaxEntries: 40, Flags: FlagNoPrealloc}
	addrs := [][4]byte{{10, 0, 0, 1}, {10, 0, 1, 0}, {10, 1, 0, 0}, {192, 168, 1, 1}, {192, 168, 0, 0}, {10, 0, 0, 0}, {0, 0, 0, 0}, {255, 255, 255, 255}}
	keyGen := func(r *rand.Rand) []byte {
		plen := uint32(r.Intn(35))
		if r.Intn(4) == 0 {
			plen = 32
		}
		a := addrs[r.Intn(len(addrs))]
		if r.Intn(3) == 0 {
			a = [4]byte{10, byte(r.Intn(4)), byte(r.Intn(256)), byte(r.Intn(256))}
		}
		return []byte{byte(plen), 0, 0, 0, a[0], a[1], a[2], a[3]}
	}
	keyedOracle(t, s, oracleOps, keyGen, false, false, false)
}

func TestOracleQueueStack(t *testing.T) {
	for _, typ := range []Type{Queue, Stack} {
		t.Run(typ.String(), func(t *testing.T) {
			needKernel(t)
			s := &Spec{Name: "q", Type: typ, ValueSize: 6, MaxEntries: 8}
			o := newOracle(t, s)
			r := rand.New(rand.NewSource(seed(t)))
			for o.ops < oracleOps {
				switch p := r.Intn(10); {
				case p < 4:
					v := make([]byte, 6)
					r.Read(v)
					f := []UpdateFlags{UpdateAny, UpdateAny, UpdateExist, UpdateNoExist, 3}[r.Intn(5)]
					o.note("push %x flags %d", v, f)
					o.sameErr("push", o.k.Update(nil, v, ebpf.MapUpdateFlags(f)), o.g.Update(nil, v, f))
				case p < 7:
					o.lookupAndDelete(nil)
				case p < 9:
					o.lookup(nil)
				default:
					o.note("delete/next key")
					o.sameErr("delete", o.k.Delete(nil), o.g.Delete(nil))
					kk := make([]byte, 0)
					o.sameErr("next key", o.k.NextKey(nil, &kk), o.g.NextKey(nil, &kk))
				}
			}
			t.Logf("%v: %d operations, 0 mismatches", typ, o.ops)
		})
	}
}

func TestOracleBloomFilter(t *testing.T) {
	needKernel(t)
	s := &Spec{Name: "bloom", Type: BloomFilter, ValueSize: 4, MaxEntries: 64, MapExtra: 3}
	o := newOracle(t, s)
	r := rand.New(rand.NewSource(seed(t)))
	added := map[uint32]bool{}
	for o.ops < oracleOps {
		v := uint32(r.Intn(400))
		switch p := r.Intn(10); {
		case p < 3:
			f := []UpdateFlags{UpdateAny, UpdateAny, UpdateExist, UpdateNoExist}[r.Intn(4)]
			o.note("push %d flags %d", v, f)
			if o.sameErr("push", o.k.Update(nil, v, ebpf.MapUpdateFlags(f)), o.g.Update(nil, v, f)) {
				added[v] = true
			}
		case p < 8:
			o.note("peek %d", v)
			kv, gv := v, v
			kerr, gerr := o.k.Lookup(nil, &kv), o.g.Lookup(nil, &gv)
			if added[v] || Errno(gerr) != 0 && errnoOf(kerr) != 0 {
				// present values must be found by both; absent ones may be
				// false positives in either
				o.sameErr("peek", kerr, gerr)
			}
		default:
			o.note("delete/pop/next key")
			o.sameErr("delete", o.k.Delete(nil), o.g.Delete(nil))
			var a, b uint32
			o.sameErr("pop", o.k.LookupAndDelete(nil, &a), o.g.LookupAndDelete(nil, &b))
		}
	}
	t.Logf("bloom filter: %d operations, 0 mismatches", o.ops)
}
