package maps

import (
	"errors"
	"testing"
)

// TestFreeze follows BPF_MAP_FREEZE: user space may read but no longer
// write a frozen map, programs keep their access, and a second freeze is
// refused.
func TestFreeze(t *testing.T) {
	m, err := New(&Spec{Name: ".rodata", Type: Array, KeySize: 4, ValueSize: 4, MaxEntries: 1, Flags: FlagRdOnlyProg})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Update(uint32(0), uint32(7), UpdateAny); err != nil {
		t.Fatal(err)
	}
	if m.Frozen() {
		t.Fatal("frozen before Freeze")
	}
	if err := m.Freeze(); err != nil {
		t.Fatal(err)
	}
	if !m.Frozen() {
		t.Fatal("not frozen after Freeze")
	}
	if err := m.Update(uint32(0), uint32(8), UpdateAny); !errors.Is(err, ErrPerm) {
		t.Errorf("update of a frozen map: %v, want ErrPerm", err)
	}
	var v uint32
	if err := m.Lookup(uint32(0), &v); err != nil || v != 7 {
		t.Errorf("lookup of a frozen map: %d, %v; want 7", v, err)
	}
	if err := m.Freeze(); !errors.Is(err, ErrBusy) {
		t.Errorf("second Freeze: %v, want ErrBusy", err)
	}
	ro, err := New(&Spec{Type: Array, KeySize: 4, ValueSize: 4, MaxEntries: 1, Flags: FlagRdOnly})
	if err != nil {
		t.Fatal(err)
	}
	if err := ro.Freeze(); !errors.Is(err, ErrPerm) {
		t.Errorf("Freeze of a map user space cannot write: %v, want ErrPerm", err)
	}
}
