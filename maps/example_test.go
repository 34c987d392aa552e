package maps_test

import (
	"errors"
	"fmt"

	"github.com/gbpf/gbpf/maps"
)

// A hash map driven from Go with the cilium/ebpf-shaped API.
func Example() {
	m, err := maps.New(&maps.Spec{Name: "counts", Type: maps.Hash, KeySize: 4, ValueSize: 8, MaxEntries: 2})
	if err != nil {
		panic(err)
	}
	fmt.Println(m.Update(uint32(1), uint64(10), maps.UpdateNoExist))
	fmt.Println(m.Update(uint32(1), uint64(11), maps.UpdateNoExist))
	m.Put(uint32(2), uint64(20))
	err = m.Put(uint32(3), uint64(30))
	fmt.Println(errors.Is(err, maps.ErrFull), maps.Errno(err))
	var v uint64
	fmt.Println(m.Lookup(uint32(1), &v), v)
	fmt.Println(errors.Is(m.Delete(uint32(7)), maps.ErrKeyNotExist))
	// Output:
	// <nil>
	// map "counts" (Hash): update: key already exists
	// true argument list too long
	// <nil> 10
	// true
}

// Per-CPU values are one slice element per possible CPU; programs write
// their slot's value in place through LookupPtr.
func ExampleMap_LookupPtr() {
	m, _ := maps.New(&maps.Spec{Type: maps.PerCPUArray, KeySize: 4, ValueSize: 8, MaxEntries: 1})
	key := []byte{0, 0, 0, 0}
	run := maps.EnterRun() // the VM brackets every program run
	v := m.LookupPtr(key, 0)
	v[0] = 42 // a program's store into CPU slot 0's value
	run.Exit()
	var per []uint64
	m.Lookup(uint32(0), &per)
	fmt.Println(len(per) == maps.PossibleCPUs(), per[0])
	// Output: true 42
}

// A ring buffer: the program side reserves and submits, a Go reader
// receives.
func ExampleNewRingBufReader() {
	m, _ := maps.New(&maps.Spec{Type: maps.RingBuf, MaxEntries: 4096})
	rd, _ := maps.NewRingBufReader(m)
	defer rd.Close()
	rec := m.RingBufReserve(5, 0)
	copy(rec, "hello")
	m.RingBufSubmit(rec, 0)
	m.RingBufOutput([]byte("world"), 0)
	for i := 0; i < 2; i++ {
		r, _ := rd.Read()
		fmt.Printf("%s ", r.RawSample)
	}
	fmt.Println(m.RingBufQuery(maps.RBAvailData))
	// Output: hello world 0
}
