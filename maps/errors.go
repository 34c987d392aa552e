package maps

import (
	"errors"
	"syscall"
)

// Error is a sentinel error of this package; it carries the errno the
// kernel returns in the same situation.
type Error struct {
	msg   string
	errno syscall.Errno
}

// Error returns the message.
func (e *Error) Error() string { return e.msg }

// Errno returns the kernel's errno for e (positive).
func (e *Error) Errno() syscall.Errno { return e.errno }

// errnoENOTSUPP is the kernel-internal ENOTSUPP (524), which bpf() returns
// for operations a map type lacks.
const errnoENOTSUPP syscall.Errno = 524

// The sentinel errors. Program-side operations return them bare (no
// allocation); Go-side operations wrap them with context (errors.Is works).
var (
	ErrKeyNotExist  = &Error{"key does not exist", syscall.ENOENT}        // ENOENT
	ErrKeyExist     = &Error{"key already exists", syscall.EEXIST}        // EEXIST
	ErrFull         = &Error{"map is full", syscall.E2BIG}                // E2BIG
	ErrInvalid      = &Error{"invalid argument", syscall.EINVAL}          // EINVAL
	ErrNotSupported = &Error{"operation not supported", errnoENOTSUPP}    // ENOTSUPP
	ErrTooBig       = &Error{"size too big", syscall.E2BIG}               // E2BIG (specs)
	ErrPerm         = &Error{"operation not permitted", syscall.EPERM}    // EPERM (read-only maps)
	ErrBusy         = &Error{"resource busy", syscall.EBUSY}              // EBUSY
	ErrNoSpace      = &Error{"no space left in buffer", syscall.ENOSPC}   // ENOSPC
	ErrClosed       = &Error{"reader closed", syscall.EBADF}              // EBADF (closed readers)
	ErrNoMemory     = &Error{"cannot allocate memory", syscall.ENOMEM}    // ENOMEM
	ErrBadFD        = &Error{"not a valid map or program", syscall.EBADF} // EBADF
	ErrNoDevice     = &Error{"no such device", syscall.ENODEV}            // ENODEV (cpumap: not a possible CPU)
	ErrOverflow     = &Error{"value too large", syscall.EOVERFLOW}        // EOVERFLOW (cpumap: queue size)
	// ErrOpNotSupported is the EOPNOTSUPP flavour of ErrNotSupported some
	// map types return (bloom filters); errors.Is matches either.
	ErrOpNotSupported = &Error{"operation not supported", syscall.EOPNOTSUPP}
)

// Is makes ErrOpNotSupported match ErrNotSupported.
func (e *Error) Is(target error) bool {
	return e == ErrOpNotSupported && target == ErrNotSupported
}

// Errno returns the kernel errno (positive) matching err: the errno of the
// package sentinel err wraps, 0 for nil, EINVAL for anything else.
func Errno(err error) syscall.Errno {
	if err == nil {
		return 0
	}
	var e *Error
	if errors.As(err, &e) {
		return e.errno
	}
	return syscall.EINVAL
}
