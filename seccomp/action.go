package seccomp

import (
	"fmt"
	"strconv"
	"strings"
)

// Action is a seccomp filter's return value: an action in the high 16 bits
// (SECCOMP_RET_ACTION_FULL) and data in the low 16 (SECCOMP_RET_DATA).
type Action uint32

// The SECCOMP_RET_* actions of linux/seccomp.h.
const (
	KillProcess Action = 0x80000000 // SECCOMP_RET_KILL_PROCESS: kill the whole process (SIGSYS, core dump)
	KillThread  Action = 0x00000000 // SECCOMP_RET_KILL_THREAD: kill the calling thread
	Trap        Action = 0x00030000 // SECCOMP_RET_TRAP: send SIGSYS to the thread, the call is not made
	errnoBase   Action = 0x00050000 // SECCOMP_RET_ERRNO
	UserNotif   Action = 0x7fc00000 // SECCOMP_RET_USER_NOTIF: ask a supervisor (ENOSYS without a listener)
	traceBase   Action = 0x7ff00000 // SECCOMP_RET_TRACE
	Log         Action = 0x7ffc0000 // SECCOMP_RET_LOG: allow and log
	Allow       Action = 0x7fff0000 // SECCOMP_RET_ALLOW

	// Kill is KillProcess. (The kernel's SECCOMP_RET_KILL is KillThread;
	// killing one thread of a multi-threaded Go program leaves it hung, so
	// here "kill" means the process.)
	Kill = KillProcess
)

// Masks of an Action's two parts.
const (
	ActionMask Action = 0xffff0000 // SECCOMP_RET_ACTION_FULL
	DataMask   Action = 0x0000ffff // SECCOMP_RET_DATA
)

// maxErrno is the kernel's MAX_ERRNO: larger errno data is clamped to it.
const maxErrno = 4095

// Errno returns the action that fails the call with errno n (low 16 bits).
func Errno(n uint16) Action { return errnoBase | Action(n) }

// Trace returns the action that notifies a ptrace tracer with message n
// (PTRACE_EVENT_SECCOMP); without a tracer the call fails with ENOSYS.
func Trace(n uint16) Action { return traceBase | Action(n) }

// Kind returns the action part of a (a with its data cleared), as the
// kernel reads it: an action value the kernel does not know acts as
// KillProcess, so Kind returns KillProcess for it.
func (a Action) Kind() Action {
	k := a & ActionMask
	switch k {
	case KillProcess, KillThread, Trap, errnoBase, UserNotif, traceBase, Log, Allow:
		return k
	}
	return KillProcess
}

// Data returns the low 16 bits of a: the errno of Errno, the message of Trace.
func (a Action) Data() uint16 { return uint16(a & DataMask) }

// ErrnoValue returns the errno a failed call sees under an Errno action
// (its data, at most 4095 as the kernel clamps it), and false for other actions.
func (a Action) ErrnoValue() (int, bool) {
	if a.Kind() != errnoBase {
		return 0, false
	}
	n := int(a.Data())
	if n > maxErrno {
		n = maxErrno
	}
	return n, true
}

// IsErrno reports whether a is an Errno action.
func (a Action) IsErrno() bool { return a.Kind() == errnoBase }

// IsTrace reports whether a is a Trace action.
func (a Action) IsTrace() bool { return a.Kind() == traceBase }

// String returns the action in the syntax ParseAction reads: "allow",
// "errno:38", "trace:7", "trap", "log", "kill_process", "kill_thread",
// "user_notif"; a value with an unknown action part prints as "0x%08x".
func (a Action) String() string {
	switch a & ActionMask {
	case KillProcess:
		if a == KillProcess {
			return "kill_process"
		}
	case KillThread:
		if a == KillThread {
			return "kill_thread"
		}
	case Trap:
		if a == Trap {
			return "trap"
		}
	case errnoBase:
		return "errno:" + strconv.Itoa(int(a.Data()))
	case UserNotif:
		if a == UserNotif {
			return "user_notif"
		}
	case traceBase:
		return "trace:" + strconv.Itoa(int(a.Data()))
	case Log:
		if a == Log {
			return "log"
		}
	case Allow:
		if a == Allow {
			return "allow"
		}
	}
	return fmt.Sprintf("%#08x", uint32(a))
}

// ParseAction reads an action: "allow", "log", "trap", "kill" (= kill_process),
// "kill_process", "kill_thread", "user_notif" (or "notify"), "errno:N" and
// "trace:N" with N a decimal number from 0 to 65535, or an errno name for
// errno ("errno:EPERM"). Case is ignored.
func ParseAction(s string) (Action, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	switch t {
	case "allow":
		return Allow, nil
	case "log":
		return Log, nil
	case "trap":
		return Trap, nil
	case "kill", "kill_process":
		return KillProcess, nil
	case "kill_thread":
		return KillThread, nil
	case "user_notif", "notify":
		return UserNotif, nil
	}
	kind, arg, ok := strings.Cut(t, ":")
	if ok && (kind == "errno" || kind == "trace") {
		n, err := strconv.ParseUint(arg, 10, 16)
		if err != nil && kind == "errno" {
			if e, known := errnoNames[strings.ToUpper(arg)]; known {
				n, err = uint64(e), nil
			}
		}
		if err != nil {
			return 0, fmt.Errorf("seccomp: action %q: %s data must be a number from 0 to 65535", s, kind)
		}
		if kind == "errno" {
			return Errno(uint16(n)), nil
		}
		return Trace(uint16(n)), nil
	}
	return 0, fmt.Errorf("seccomp: unknown action %q (want allow, log, trap, kill, kill_process, kill_thread, user_notif, errno:N or trace:N)", s)
}

// errnoNames are the errno names ParseAction accepts (Linux generic values).
var errnoNames = map[string]uint16{
	"EPERM": 1, "ENOENT": 2, "ESRCH": 3, "EINTR": 4, "EIO": 5, "ENXIO": 6, "E2BIG": 7, "ENOEXEC": 8,
	"EBADF": 9, "ECHILD": 10, "EAGAIN": 11, "ENOMEM": 12, "EACCES": 13, "EFAULT": 14, "EBUSY": 16,
	"EEXIST": 17, "EXDEV": 18, "ENODEV": 19, "ENOTDIR": 20, "EISDIR": 21, "EINVAL": 22, "ENFILE": 23,
	"EMFILE": 24, "ENOTTY": 25, "EFBIG": 27, "ENOSPC": 28, "ESPIPE": 29, "EROFS": 30, "EMLINK": 31,
	"EPIPE": 32, "ERANGE": 34, "ENOSYS": 38, "ENOTSUP": 95, "EOPNOTSUPP": 95, "EAFNOSUPPORT": 97,
}
