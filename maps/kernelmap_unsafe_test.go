//go:build linux

package maps

import (
	"unsafe"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

// rawKernelMap creates a kernel map with bpf(BPF_MAP_CREATE) itself, for
// specs cilium/ebpf would adjust first (it clamps a CPUMap's max entries
// to the possible CPUs), and wraps it.
func rawKernelMap(s *Spec) (*ebpf.Map, error) {
	var attr struct {
		mapType, keySize, valueSize, maxEntries, mapFlags uint32
		pad                                               [108]byte
	}
	attr.mapType, attr.keySize, attr.valueSize, attr.maxEntries, attr.mapFlags = uint32(s.Type), s.KeySize, s.ValueSize, s.MaxEntries, s.Flags
	fd, _, errno := unix.Syscall(unix.SYS_BPF, 0 /* BPF_MAP_CREATE */, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr))
	if errno != 0 {
		return nil, errno
	}
	return ebpf.NewMapFromFD(int(fd))
}
