package maps

// valueCopier copies values into and out of storage, leaving a
// bpf_spin_lock field alone as the kernel's copy_map_value does.
type valueCopier struct {
	vs      int
	lockOff int // -1: no lock
}

func newCopier(s *Spec) valueCopier {
	return valueCopier{vs: int(s.ValueSize), lockOff: int(s.SpinLockOff) - 1}
}

// in copies src into the value storage dst (both vs bytes).
func (c valueCopier) in(dst, src []byte) {
	if c.lockOff < 0 {
		copy(dst[:c.vs], src)
		return
	}
	copy(dst[:c.lockOff], src[:c.lockOff])
	copy(dst[c.lockOff+4:c.vs], src[c.lockOff+4:c.vs])
}

// out copies storage src to dst with the lock field reading as zero.
func (c valueCopier) out(dst, src []byte) {
	copy(dst[:c.vs], src[:c.vs])
	if c.lockOff >= 0 {
		clear(dst[c.lockOff : c.lockOff+4])
	}
}

// inLocked copies under the value's lock (UpdateLock).
func (c valueCopier) inLocked(dst, src []byte) {
	SpinLock(dst[c.lockOff:])
	c.in(dst, src)
	SpinUnlock(dst[c.lockOff:])
}

// checkFlags applies the kernel's checks of update flags: allowed are
// BPF_ANY, BPF_NOEXIST, BPF_EXIST, plus BPF_F_LOCK when lockOK.
func checkFlags(flags uint64, lockOK bool) error {
	f := flags
	if lockOK {
		f &^= uint64(UpdateLock)
	}
	if f > uint64(UpdateExist) {
		return ErrInvalid
	}
	return nil
}
