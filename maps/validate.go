package maps

import "fmt"

// Limits of the kernel.
const (
	maxPerCPUValueSize = 32768 // PCPU_MIN_UNIT_SIZE
	maxValueSize       = 1<<25 - 1
	lpmKeyMin          = 5       // prefixlen + 1 byte of data
	lpmKeyMax          = 4 + 256 // prefixlen + LPM_DATA_SIZE_MAX
	lpmValueMax        = 1<<25 - 1 - 4 - 32
	pageSize           = 4096
)

// validate applies the kernel's map_alloc_check rules of each type.
func validate(s *Spec) error {
	inval := func(format string, args ...any) error {
		return fmt.Errorf(format+": %w", append(args, ErrInvalid)...)
	}
	flagsOK := func(allowed uint32) error {
		if bad := s.Flags &^ allowed; bad != 0 {
			return inval("flags %#x: %#x not allowed for this type", s.Flags, bad)
		}
		if s.Flags&FlagRdOnly != 0 && s.Flags&FlagWrOnly != 0 {
			return inval("flags %#x: both BPF_F_RDONLY and BPF_F_WRONLY", s.Flags)
		}
		if s.Flags&FlagRdOnlyProg != 0 && s.Flags&FlagWrOnlyProg != 0 {
			return inval("flags %#x: both BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG", s.Flags)
		}
		return nil
	}
	if s.MapExtra != 0 && s.Type != BloomFilter {
		return inval("map_extra %#x: only bloom filters take map_extra", s.MapExtra)
	}
	if s.InnerMap != nil && s.Type != ArrayOfMaps && s.Type != HashOfMaps {
		return inval("inner map given for a map that is not a map-in-map")
	}
	switch s.Type {
	case Array, PerCPUArray:
		if s.KeySize != 4 {
			return inval("key size %d: must be 4", s.KeySize)
		}
		if s.ValueSize == 0 {
			return inval("value size 0")
		}
		if s.MaxEntries == 0 {
			return inval("max entries 0")
		}
		allowed := FlagNUMANode | accessMask | FlagMmapable | FlagInnerMap
		if s.Type == PerCPUArray {
			allowed = FlagNUMANode | accessMask
		}
		if err := flagsOK(allowed); err != nil {
			return err
		}
		if s.Type == PerCPUArray && s.ValueSize > maxPerCPUValueSize {
			return fmt.Errorf("value size %d: per-CPU values are at most %d bytes: %w", s.ValueSize, maxPerCPUValueSize, ErrTooBig)
		}
		if s.ValueSize > maxValueSize {
			return fmt.Errorf("value size %d: %w", s.ValueSize, ErrTooBig)
		}
	case Hash, PerCPUHash, LRUHash, LRUPerCPUHash:
		lru := s.Type == LRUHash || s.Type == LRUPerCPUHash
		allowed := FlagNoPrealloc | FlagNoCommonLRU | FlagNUMANode | accessMask | FlagZeroSeed
		if err := flagsOK(allowed); err != nil {
			return err
		}
		if lru && s.Flags&FlagNoPrealloc != 0 {
			return fmt.Errorf("flags %#x: LRU maps are always preallocated (BPF_F_NO_PREALLOC): %w", s.Flags, ErrNotSupported)
		}
		if !lru && s.Flags&FlagNoCommonLRU != 0 {
			return inval("flags %#x: BPF_F_NO_COMMON_LRU on a map that is not LRU", s.Flags)
		}
		if s.MaxEntries == 0 || s.KeySize == 0 || s.ValueSize == 0 {
			return inval("key size %d, value size %d, max entries %d: none may be 0", s.KeySize, s.ValueSize, s.MaxEntries)
		}
		if s.Type.PerCPU() && s.ValueSize > maxPerCPUValueSize {
			return fmt.Errorf("value size %d: per-CPU values are at most %d bytes: %w", s.ValueSize, maxPerCPUValueSize, ErrTooBig)
		}
		if s.ValueSize > maxValueSize {
			return fmt.Errorf("value size %d: %w", s.ValueSize, ErrTooBig)
		}
	case LPMTrie:
		if s.MaxEntries == 0 {
			return inval("max entries 0")
		}
		if s.Flags&FlagNoPrealloc == 0 {
			return inval("flags %#x: LPM tries need BPF_F_NO_PREALLOC", s.Flags)
		}
		if err := flagsOK(FlagNoPrealloc | FlagNUMANode | accessMask); err != nil {
			return err
		}
		if s.KeySize < lpmKeyMin || s.KeySize > lpmKeyMax {
			return inval("key size %d: LPM keys are 4 bytes of prefix length and 1 to 256 bytes of data", s.KeySize)
		}
		if s.ValueSize < 1 || s.ValueSize > lpmValueMax {
			return inval("value size %d", s.ValueSize)
		}
	case Queue, Stack:
		if s.KeySize != 0 {
			return inval("key size %d: must be 0", s.KeySize)
		}
		if s.ValueSize == 0 || s.MaxEntries == 0 {
			return inval("value size %d, max entries %d: neither may be 0", s.ValueSize, s.MaxEntries)
		}
		if err := flagsOK(FlagNUMANode | accessMask); err != nil {
			return err
		}
		if s.ValueSize > maxValueSize {
			return fmt.Errorf("value size %d: %w", s.ValueSize, ErrTooBig)
		}
	case BloomFilter:
		if s.KeySize != 0 {
			return inval("key size %d: must be 0", s.KeySize)
		}
		if s.ValueSize == 0 || s.MaxEntries == 0 {
			return inval("value size %d, max entries %d: neither may be 0", s.ValueSize, s.MaxEntries)
		}
		if s.MapExtra&^0xf != 0 {
			return inval("map_extra %#x: only the low 4 bits (number of hash functions) may be set", s.MapExtra)
		}
		if err := flagsOK(FlagNUMANode | FlagZeroSeed | accessMask); err != nil {
			return err
		}
	case RingBuf:
		if s.KeySize != 0 || s.ValueSize != 0 {
			return inval("key size %d, value size %d: both must be 0", s.KeySize, s.ValueSize)
		}
		if s.MaxEntries == 0 || s.MaxEntries&(s.MaxEntries-1) != 0 || s.MaxEntries%pageSize != 0 {
			return inval("max entries %d: must be a power of 2 and a multiple of the page size %d", s.MaxEntries, pageSize)
		}
		if err := flagsOK(FlagNUMANode); err != nil {
			return err
		}
	case PerfEventArray, ProgArray:
		if s.KeySize != 4 || s.ValueSize != 4 {
			return inval("key size %d, value size %d: both must be 4", s.KeySize, s.ValueSize)
		}
		if s.MaxEntries == 0 {
			return inval("max entries 0")
		}
		allowed := FlagNUMANode | accessMask
		if s.Type == PerfEventArray {
			allowed |= FlagPreserveElem
		}
		if err := flagsOK(allowed); err != nil {
			return err
		}
	case ArrayOfMaps, HashOfMaps:
		if s.ValueSize != 4 {
			return inval("value size %d: must be 4 (a map file descriptor)", s.ValueSize)
		}
		if s.InnerMap == nil {
			return fmt.Errorf("no inner map spec: %w", ErrBadFD)
		}
		switch s.InnerMap.Type {
		case ProgArray, ArrayOfMaps, HashOfMaps:
			return inval("inner map type %v cannot be nested", s.InnerMap.Type)
		}
		if err := validate(s.InnerMap); err != nil {
			return fmt.Errorf("inner map: %w", err)
		}
		if s.MaxEntries == 0 {
			return inval("max entries 0")
		}
		if s.Type == ArrayOfMaps {
			if s.KeySize != 4 {
				return inval("key size %d: must be 4", s.KeySize)
			}
			if err := flagsOK(FlagNUMANode | accessMask); err != nil {
				return err
			}
		} else {
			if s.KeySize == 0 {
				return inval("key size 0")
			}
			if err := flagsOK(FlagNoPrealloc | FlagNUMANode | accessMask | FlagZeroSeed); err != nil {
				return err
			}
		}
	case DevMap, DevMapHash, CPUMap, XSKMap:
		okValue := s.ValueSize == 4 || s.ValueSize == 8 && s.Type != XSKMap
		if s.MaxEntries == 0 || s.KeySize != 4 || !okValue {
			return inval("key size %d, value size %d, max entries %d: keys are 4 bytes, values 4 or 8 (XSKMap: 4), max entries not 0", s.KeySize, s.ValueSize, s.MaxEntries)
		}
		allowed := FlagNUMANode | FlagRdOnly | FlagWrOnly
		if s.Type == CPUMap {
			allowed = FlagNUMANode
		}
		if bad := s.Flags &^ allowed; bad != 0 {
			return inval("flags %#x: %#x not allowed for this type", s.Flags, bad)
		}
		if s.Type == DevMapHash && s.MaxEntries > 1<<31 {
			return inval("max entries %d: more than 2^31", s.MaxEntries)
		}
		if s.Type == CPUMap && s.MaxEntries > nrCPUs() {
			return fmt.Errorf("max entries %d: more than the kernel's NR_CPUS (%d): %w", s.MaxEntries, nrCPUs(), ErrTooBig)
		}
	default:
		return fmt.Errorf("type %v: %w", s.Type, ErrNotSupported)
	}
	if s.SpinLockOff != 0 && (s.SpinLockOff-1)%4 != 0 || s.SpinLockOff != 0 && s.SpinLockOff-1+4 > s.ValueSize {
		return inval("spin lock at offset %d does not fit a %d-byte value", s.SpinLockOff-1, s.ValueSize)
	}
	return nil
}
