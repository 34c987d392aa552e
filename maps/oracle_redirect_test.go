//go:build linux

package maps

import (
	"encoding/binary"
	"errors"
	"math/rand"
	"net"
	"testing"
)

// TestOracleRedirectMaps applies random user-space operations to
// DevMap, DevMapHash, CPUMap and XSKMap in the kernel and in gbpf: every
// errno, value and next key must agree (devmap-hash iteration is ordered
// by key bucket in both).
func TestOracleRedirectMaps(t *testing.T) {
	needKernel(t)
	ifindexes := []uint32{0, 1, 1 << 20, 1<<31 + 5} // none, lo, absent, out of range
	if ifs, err := net.Interfaces(); err == nil {
		for _, i := range ifs {
			ifindexes = append(ifindexes, uint32(i.Index))
		}
	}
	ncpu := uint32(PossibleCPUs())
	specs := []struct {
		spec  Spec
		value func(r *rand.Rand) []byte
	}{
		{Spec{Name: "dev4", Type: DevMap, KeySize: 4, ValueSize: 4, MaxEntries: 6}, nil},
		{Spec{Name: "dev8", Type: DevMap, KeySize: 4, ValueSize: 8, MaxEntries: 6}, nil},
		{Spec{Name: "devh", Type: DevMapHash, KeySize: 4, ValueSize: 4, MaxEntries: 5}, nil},
		{Spec{Name: "devh8", Type: DevMapHash, KeySize: 4, ValueSize: 8, MaxEntries: 3}, nil},
		{Spec{Name: "cpu4", Type: CPUMap, KeySize: 4, ValueSize: 4, MaxEntries: ncpu + 2}, nil},
		{Spec{Name: "cpu8", Type: CPUMap, KeySize: 4, ValueSize: 8, MaxEntries: ncpu + 1}, nil},
		{Spec{Name: "xsk", Type: XSKMap, KeySize: 4, ValueSize: 4, MaxEntries: 4}, nil},
	}
	r := rand.New(rand.NewSource(seed(t)))
	for _, c := range specs {
		t.Run(c.spec.Name, func(t *testing.T) {
			s := c.spec
			km, err := rawKernelMap(&s) // cilium/ebpf would clamp a CPUMap's max entries
			if err != nil {
				t.Fatal(err)
			}
			o := newOracleWith(t, &s, km)
			value := func() []byte {
				v := make([]byte, s.ValueSize)
				first := ifindexes[r.Intn(len(ifindexes))]
				if s.Type == CPUMap {
					first = []uint32{0, 1, 64, cpumapMaxQsize, cpumapMaxQsize + 1}[r.Intn(5)]
				}
				binary.LittleEndian.PutUint32(v, first)
				if s.ValueSize == 8 && r.Intn(4) == 0 {
					binary.LittleEndian.PutUint32(v[4:], uint32(-1-r.Intn(3))) // a negative fd: no program
				}
				return v
			}
			key := func() []byte {
				k := make([]byte, 4)
				n := s.MaxEntries + 3
				if s.Type == DevMapHash {
					n = 40
				}
				binary.LittleEndian.PutUint32(k, uint32(r.Intn(int(n))))
				return k
			}
			for range 600 {
				switch op := r.Intn(10); {
				case op < 4 && s.Type == XSKMap:
					// The value is a socket fd, which gbpf cannot have: the
					// kernel's checks before the fd agree, after it gbpf
					// refuses the update.
					k, flags := key(), UpdateFlags(r.Intn(4))
					if flags > UpdateExist || binary.LittleEndian.Uint32(k) >= s.MaxEntries {
						o.update(k, value(), flags)
					} else if err := o.g.Update(k, value(), flags); !errors.Is(err, ErrNotSupported) {
						t.Fatalf("XSKMap update: %v, want ErrNotSupported", err)
					}
				case op < 4:
					o.update(key(), value(), UpdateFlags(r.Intn(4)))
				case op < 6:
					o.lookup(key())
				case op < 7:
					o.delete(key())
				case op < 9:
					if r.Intn(5) == 0 {
						o.nextKey(nil, true)
					} else {
						o.nextKey(key(), true)
					}
				default:
					if s.Type != XSKMap {
						o.contents()
					}
				}
			}
		})
	}
}

// TestOracleRedirectSpecs compares map creation checks.
func TestOracleRedirectSpecs(t *testing.T) {
	needKernel(t)
	specs := []Spec{
		{Type: DevMap, KeySize: 4, ValueSize: 4, MaxEntries: 1},
		{Type: DevMap, KeySize: 4, ValueSize: 12, MaxEntries: 1},
		{Type: DevMap, KeySize: 8, ValueSize: 4, MaxEntries: 1},
		{Type: DevMap, KeySize: 4, ValueSize: 4, MaxEntries: 0},
		{Type: DevMap, KeySize: 4, ValueSize: 4, MaxEntries: 1, Flags: FlagRdOnly},
		{Type: DevMap, KeySize: 4, ValueSize: 4, MaxEntries: 1, Flags: FlagRdOnlyProg},
		{Type: DevMap, KeySize: 4, ValueSize: 4, MaxEntries: 1, Flags: FlagNoPrealloc},
		{Type: DevMapHash, KeySize: 4, ValueSize: 8, MaxEntries: 1},
		{Type: DevMapHash, KeySize: 4, ValueSize: 8, MaxEntries: 1<<31 + 1},
		{Type: CPUMap, KeySize: 4, ValueSize: 4, MaxEntries: 1},
		{Type: CPUMap, KeySize: 4, ValueSize: 8, MaxEntries: nrCPUs()},
		{Type: CPUMap, KeySize: 4, ValueSize: 8, MaxEntries: nrCPUs() + 1},
		{Type: CPUMap, KeySize: 4, ValueSize: 4, MaxEntries: 1, Flags: FlagRdOnly},
		{Type: CPUMap, KeySize: 4, ValueSize: 2, MaxEntries: 1},
		{Type: XSKMap, KeySize: 4, ValueSize: 4, MaxEntries: 1},
		{Type: XSKMap, KeySize: 4, ValueSize: 8, MaxEntries: 1},
		{Type: XSKMap, KeySize: 4, ValueSize: 4, MaxEntries: 1, Flags: FlagWrOnly},
	}
	for i, s := range specs {
		km, kerr := rawKernelMap(&s)
		if kerr == nil {
			info, err := km.Info()
			km.Close()
			if err == nil && (s.Type == DevMap || s.Type == DevMapHash) && info.Flags&FlagRdOnlyProg == 0 {
				t.Errorf("spec %d: the kernel no longer marks devmaps BPF_F_RDONLY_PROG", i)
			}
		}
		g, gerr := New(&s)
		if ke, ge := errnoOf(kerr), Errno(gerr); ke != ge {
			t.Errorf("spec %d %+v: kernel errno %d (%v), gbpf %d (%v)", i, s, ke, kerr, ge, gerr)
		}
		if gerr == nil && (s.Type == DevMap || s.Type == DevMapHash) && (!g.ReadOnlyProg() || g.Spec().Flags&FlagRdOnlyProg == 0) {
			t.Errorf("spec %d: devmap not read-only to programs", i)
		}
	}
}
