package maps

import (
	"fmt"
	"math/rand"
	"runtime"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"golang.org/x/sys/unix"
)

// The LRU oracles fill small LRU maps far past capacity, so that the
// kernel evicts all the time, and compare every result and the contents:
// gbpf's LRU follows the kernel's bpf_lru_list exactly, given the CPU of
// each operation.

// pinCPU runs the calling goroutine on CPU cpu until the returned
// function is called, so that the kernel performs its bpf() operations
// and test runs there.
func pinCPU(t *testing.T, cpu int) (unpin func()) {
	t.Helper()
	runtime.LockOSThread()
	var old, set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		runtime.UnlockOSThread()
		t.Fatalf("sched_getaffinity: %v", err)
	}
	set.Set(cpu)
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		runtime.UnlockOSThread()
		t.Fatalf("sched_setaffinity to CPU %d: %v", cpu, err)
	}
	return func() {
		unix.SchedSetaffinity(0, &old)
		runtime.UnlockOSThread()
	}
}

// lruSpecs are the LRU maps the oracles compare: both types, common and
// per-CPU LRU lists, capacities that do and do not divide by the CPUs.
func lruSpecs() []*Spec {
	var out []*Spec
	for _, typ := range []Type{LRUHash, LRUPerCPUHash} {
		for _, flags := range []uint32{0, FlagNoCommonLRU} {
			// cilium/ebpf's iterator stops past the MaxEntries asked
			// for, not the kernel's rounded one: per-CPU LRUs get
			// capacities that need no rounding here.
			// The smallest make CPUs steal nodes from each other.
			sizes := []uint32{16, 7, 1, 3}
			if flags != 0 {
				sizes = []uint32{16, 5 * uint32(PossibleCPUs()), uint32(PossibleCPUs())}
			}
			for _, max := range sizes {
				out = append(out, &Spec{Name: "lru", Type: typ, KeySize: 4, ValueSize: 8, MaxEntries: max, Flags: flags})
			}
		}
	}
	return out
}

func lruName(s *Spec) string {
	mode := "common"
	if s.Flags&FlagNoCommonLRU != 0 {
		mode = "percpu_lru"
	}
	return fmt.Sprintf("%v/%s/%d", s.Type, mode, s.MaxEntries)
}

// TestOracleLRUUser runs random user-space operations (batches included)
// on CPU LRUUserCPU with a key space several times the capacity.
func TestOracleLRUUser(t *testing.T) {
	for _, s := range lruSpecs() {
		t.Run(lruName(s), func(t *testing.T) {
			needKernel(t)
			defer pinCPU(t, LRUUserCPU)()
			keyedOracle(t, s, 3000, smallKey(4, 4*int(s.MaxEntries)), false, true, true)
		})
	}
}

// TestOracleLRUCPUs interleaves program-side updates, lookups (which set
// reference bits) and deletes on every CPU with user-space operations on
// CPU LRUUserCPU, comparing each result and, often, the contents.
func TestOracleLRUCPUs(t *testing.T) {
	needKernel(t)
	if _, err := ebpf.NewProgram(&ebpf.ProgramSpec{Type: ebpf.XDP, License: "GPL", Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, 0), asm.Return()}}); err != nil {
		needKernel(t)
		t.Skipf("cannot load programs: %v", err)
	}
	var online unix.CPUSet
	if err := unix.SchedGetaffinity(0, &online); err != nil {
		t.Fatal(err)
	}
	var cpus []int
	for c := 0; c < PossibleCPUs(); c++ {
		if online.IsSet(c) {
			cpus = append(cpus, c)
		}
	}
	if len(cpus) == 0 || cpus[0] != LRUUserCPU {
		t.Skipf("CPU %d is not available to this test", LRUUserCPU)
	}
	for _, s := range lruSpecs() {
		t.Run(lruName(s), func(t *testing.T) {
			o := newOracle(t, s)
			r := rand.New(rand.NewSource(seed(t)))
			keys := 3 * int(s.MaxEntries)
			for o.ops < 1200 {
				cpu := cpus[r.Intn(len(cpus))]
				if r.Intn(4) == 0 {
					cpu = LRUUserCPU
				}
				unpin := pinCPU(t, cpu)
				k := le32(uint32(r.Intn(keys)))
				if cpu == LRUUserCPU && r.Intn(3) == 0 {
					switch p := r.Intn(10); {
					case p < 6:
						o.update(k, o.randValue(r), []UpdateFlags{UpdateAny, UpdateNoExist, UpdateExist}[r.Intn(3)])
					case p < 8:
						o.delete(k)
					default:
						o.lookupAndDelete(k)
					}
				} else {
					op := progOp{key: k, value: le64(r.Uint64()), flags: []int32{0, 0, 1, 2}[r.Intn(4)]}
					op.kind = []string{"update", "update", "lookup", "lookup", "delete"}[r.Intn(5)]
					o.note("program %s %x %x flags %d on CPU %d", op.kind, op.key, op.value, op.flags, cpu)
					kr := o.runKernelOp(op)
					if got := int(kr>>8) & 0xff; got != cpu {
						o.fail("kernel test run on CPU %d, pinned to %d", got, cpu)
					}
					if gr := o.runOurOp(op, cpu); kr != gr {
						o.fail("program %s: kernel errno %d value %#x, gbpf errno %d value %#x (cpu %d)", op.kind, kr&0xff, kr>>16, gr&0xff, gr>>16, cpu)
					}
				}
				unpin()
				if o.ops%10 == 0 {
					o.contents()
				}
			}
			o.contents()
			checkLRU(t, o.g)
			t.Logf("%s: %d operations on CPUs %v, 0 mismatches", lruName(s), o.ops, cpus)
		})
	}
}

// TestOracleLRUMaxEntries compares the capacity the kernel reports for
// LRU maps with per-CPU LRU lists, which it rounds to a multiple of the
// CPU count.
func TestOracleLRUMaxEntries(t *testing.T) {
	needKernel(t)
	for _, max := range []uint32{1, 2, 3, 7, 16, 101} {
		for _, flags := range []uint32{0, FlagNoCommonLRU} {
			s := &Spec{Type: LRUHash, KeySize: 4, ValueSize: 4, MaxEntries: max, Flags: flags}
			km, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.LRUHash, KeySize: 4, ValueSize: 4, MaxEntries: max, Flags: flags})
			if err != nil {
				t.Fatal(err)
			}
			info, err := km.Info()
			km.Close()
			if err != nil {
				t.Fatal(err)
			}
			g := mustNew(t, s)
			if info.MaxEntries != g.MaxEntries() {
				t.Errorf("max entries %d, flags %#x: kernel %d, gbpf %d", max, flags, info.MaxEntries, g.MaxEntries())
			}
		}
	}
}
