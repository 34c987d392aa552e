package vm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"syscall"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/maps"
)

// The kernel's helpers, implemented over the run's state. Each returns
// what the kernel's returns (negative errnos as two's complement); a
// misuse the kernel's verifier would have refused (an argument that is not
// a map, memory outside the run's regions) stops the run with an error.

// errno returns -e as the 64-bit value a helper returns.
func errno(e syscall.Errno) uint64 { return uint64(-int64(e)) }

// mapErr converts an error of package maps into the helper's return value.
func mapErr(err error) uint64 {
	if err == nil {
		return 0
	}
	return errno(maps.Errno(err))
}

// Errors of the kernel helpers, wrapped in the RunError of the call.
var (
	ErrNotMap     = errors.New("argument is not a map of the program")
	ErrNoContext  = errors.New("helper needs the program type's context")
	ErrNoCallback = errors.New("argument is not a callback (lddw src=4) of the program")
)

// mapArg returns the map whose handle is a, for argument n.
func (c *Call) mapArg(a uint64, n int) (*maps.Map, error) {
	m := c.prog.mapAt(a)
	if m == nil {
		return nil, fmt.Errorf("r%d = %#x: %w", n, a, ErrNotMap)
	}
	return m, nil
}

// Map returns the map whose handle is the register value a, or nil: how an
// embedder's helper finds the map a program passes it.
func (c *Call) Map(a uint64) *maps.Map { return c.prog.mapAt(a) }

// Slot returns the execution slot ("CPU") of the run.
func (c *Call) Slot() int { return c.st.slot }

// Program returns the program that made the call (after tail calls, the
// program they reached).
func (c *Call) Program() *Program { return c.prog }

// addValueRegion makes a value of m reachable for the rest of the run.
func (c *Call) addValueRegion(v []byte, m *maps.Map) uint64 {
	a := addrOf(v)
	if r := c.st.regions; len(r) > 0 && r[len(r)-1].lo == a {
		return a
	}
	r := c.st.newRegion(v, !m.ReadOnlyProg())
	if off := m.SpinLockOffset(); off >= 0 {
		r.lock = a + uint64(off) + 1
	}
	return a
}

// valueRegion is the region of a value v of m.
func valueRegion(v []byte, m *maps.Map) region {
	r := region{lo: addrOf(v), n: uint64(len(v)), writable: !m.ReadOnlyProg(), buf: v}
	if off := m.SpinLockOffset(); off >= 0 {
		r.lock = r.lo + uint64(off) + 1
	}
	return r
}

func kernelHelpers(t helpers.ProgType) map[int32]helper {
	m := map[int32]helper{}
	add := func(id helpers.ID, fn HelperFunc) {
		p, ok := helpers.Lookup(id)
		if !ok || !p.AllowedIn(t) {
			return
		}
		m[int32(id)] = helper{name: id.String(), fn: fn}
	}
	add(helpers.MapLookupElem, hMapLookup)
	add(helpers.MapUpdateElem, hMapUpdate)
	add(helpers.MapDeleteElem, hMapDelete)
	add(helpers.MapPushElem, hMapPush)
	add(helpers.MapPopElem, func(c *Call, r1, r2, _, _, _ uint64) (uint64, error) { return hQueueOut(c, r1, r2, false) })
	add(helpers.MapPeekElem, func(c *Call, r1, r2, _, _, _ uint64) (uint64, error) { return hQueueOut(c, r1, r2, true) })
	add(helpers.ForEachMapElem, hForEach)
	add(helpers.Loop, hLoop)
	add(helpers.TailCall, hTailCall)
	add(helpers.KtimeGetNS, func(*Call, uint64, uint64, uint64, uint64, uint64) (uint64, error) {
		return clockNS(clockMonotonic), nil
	})
	add(helpers.KtimeGetBootNS, func(*Call, uint64, uint64, uint64, uint64, uint64) (uint64, error) {
		return clockNS(clockBoottime), nil
	})
	add(helpers.KtimeGetCoarseNS, func(*Call, uint64, uint64, uint64, uint64, uint64) (uint64, error) {
		return clockNS(clockMonotonicCoarse), nil
	})
	add(helpers.Jiffies64, func(*Call, uint64, uint64, uint64, uint64, uint64) (uint64, error) {
		return clockNS(clockBoottime) / (1e9 / jiffiesHZ), nil
	})
	add(helpers.GetPrandomU32, func(*Call, uint64, uint64, uint64, uint64, uint64) (uint64, error) { return uint64(rand.Uint32()), nil })
	add(helpers.GetSMPProcessorID, func(c *Call, _, _, _, _, _ uint64) (uint64, error) { return uint64(c.st.slot), nil })
	add(helpers.GetNUMANodeID, func(*Call, uint64, uint64, uint64, uint64, uint64) (uint64, error) { return 0, nil })
	add(helpers.GetCurrentPIDTGID, func(*Call, uint64, uint64, uint64, uint64, uint64) (uint64, error) {
		return uint64(os.Getpid())<<32 | uint64(gettid()), nil
	})
	add(helpers.GetCurrentUIDGID, func(*Call, uint64, uint64, uint64, uint64, uint64) (uint64, error) {
		return uint64(uint32(os.Getgid()))<<32 | uint64(uint32(os.Getuid())), nil
	})
	add(helpers.GetCurrentComm, hComm)
	add(helpers.ProbeReadKernel, hProbeRead)
	add(helpers.ProbeReadUser, hProbeRead)
	add(helpers.ProbeReadKernelStr, hProbeReadStr)
	add(helpers.ProbeReadUserStr, hProbeReadStr)
	add(helpers.TracePrintk, hTracePrintk)
	add(helpers.Snprintf, hSnprintf)
	add(helpers.RingbufOutput, hRingbufOutput)
	add(helpers.RingbufReserve, hRingbufReserve)
	add(helpers.RingbufSubmit, func(c *Call, r1, r2, _, _, _ uint64) (uint64, error) { return hRingbufCommit(c, r1, r2, false) })
	add(helpers.RingbufDiscard, func(c *Call, r1, r2, _, _, _ uint64) (uint64, error) { return hRingbufCommit(c, r1, r2, true) })
	add(helpers.RingbufQuery, func(c *Call, r1, r2, _, _, _ uint64) (uint64, error) {
		m, err := c.mapArg(r1, 1)
		if err != nil {
			return 0, err
		}
		return m.RingBufQuery(r2), nil
	})
	add(helpers.PerfEventOutput, hPerfEventOutput)
	add(helpers.SpinLock, func(c *Call, r1, _, _, _, _ uint64) (uint64, error) { return hSpin(c, r1, true) })
	add(helpers.SpinUnlock, func(c *Call, r1, _, _, _, _ uint64) (uint64, error) { return hSpin(c, r1, false) })
	add(helpers.Strncmp, hStrncmp)
	add(helpers.Strtol, func(c *Call, r1, r2, r3, r4, _ uint64) (uint64, error) { return hStrto(c, r1, r2, r3, r4, true) })
	add(helpers.Strtoul, func(c *Call, r1, r2, r3, r4, _ uint64) (uint64, error) { return hStrto(c, r1, r2, r3, r4, false) })
	add(helpers.CsumDiff, hCsumDiff)
	add(helpers.SKBLoadBytes, hSkbLoadBytes)
	add(helpers.SKBStoreBytes, hSkbStoreBytes)
	add(helpers.L3CsumReplace, hL3CsumReplace)
	add(helpers.L4CsumReplace, hL4CsumReplace)
	add(helpers.SKBPullData, hSkbPullData)
	add(helpers.SKBChangeTail, hSkbChangeTail)
	add(helpers.XDPAdjustHead, hXDPAdjustHead)
	add(helpers.XDPAdjustTail, hXDPAdjustTail)
	add(helpers.XDPAdjustMeta, hXDPAdjustMeta)
	add(helpers.Redirect, hRedirect)
	add(helpers.RedirectMap, hRedirectMap)
	return m
}

func hMapLookup(c *Call, r1, r2, _, _, _ uint64) (uint64, error) {
	m, err := c.mapArg(r1, 1)
	if err != nil {
		return 0, err
	}
	key, err := c.Memory(r2, uint64(m.KeySize()), false)
	if err != nil {
		return 0, err
	}
	switch m.Type() {
	case maps.ArrayOfMaps, maps.HashOfMaps:
		inner := m.LookupInner(key)
		if inner == nil {
			return 0, nil
		}
		return innerHandle(inner), nil
	}
	v := m.LookupPtr(key, c.st.slot)
	if v == nil {
		return 0, nil
	}
	return c.addValueRegion(v, m), nil
}

func hMapUpdate(c *Call, r1, r2, r3, r4, _ uint64) (uint64, error) {
	m, err := c.mapArg(r1, 1)
	if err != nil {
		return 0, err
	}
	key, err := c.Memory(r2, uint64(m.KeySize()), false)
	if err != nil {
		return 0, err
	}
	val, err := c.Memory(r3, uint64(m.ValueSize()), false)
	if err != nil {
		return 0, err
	}
	return mapErr(m.UpdateFromProg(key, val, r4, c.st.slot)), nil
}

func hMapDelete(c *Call, r1, r2, _, _, _ uint64) (uint64, error) {
	m, err := c.mapArg(r1, 1)
	if err != nil {
		return 0, err
	}
	key, err := c.Memory(r2, uint64(m.KeySize()), false)
	if err != nil {
		return 0, err
	}
	return mapErr(m.DeleteFromProg(key)), nil
}

func hMapPush(c *Call, r1, r2, r3, _, _ uint64) (uint64, error) {
	m, err := c.mapArg(r1, 1)
	if err != nil {
		return 0, err
	}
	val, err := c.Memory(r2, uint64(m.ValueSize()), false)
	if err != nil {
		return 0, err
	}
	return mapErr(m.Push(val, r3)), nil
}

func hQueueOut(c *Call, r1, r2 uint64, peek bool) (uint64, error) {
	m, err := c.mapArg(r1, 1)
	if err != nil {
		return 0, err
	}
	val, err := c.Memory(r2, uint64(m.ValueSize()), !peek || m.Type() != maps.BloomFilter)
	if err != nil {
		return 0, err
	}
	if peek {
		return mapErr(m.Peek(val)), nil
	}
	return mapErr(m.Pop(val)), nil
}

// callbackArg returns the instruction index of the callback pointer a.
func (c *Call) callbackArg(a uint64, n int) (int, error) {
	t := c.prog.funcAt(a)
	if t < 0 {
		return 0, fmt.Errorf("r%d = %#x: %w", n, a, ErrNoCallback)
	}
	return t, nil
}

func hForEach(c *Call, r1, r2, r3, r4, _ uint64) (uint64, error) {
	m, err := c.mapArg(r1, 1)
	if err != nil {
		return 0, err
	}
	t, err := c.callbackArg(r2, 2)
	if err != nil {
		return 0, err
	}
	if r4 != 0 {
		return errno(syscall.EINVAL), nil
	}
	var cbErr error
	n, err := m.ForEach(c.st.slot, func(key, value []byte) bool {
		ka := c.AddRegion(key, false)
		va := c.addValueRegion(value, m)
		r0, err := c.st.callback(t, r1, ka, va, r3, 0)
		if err != nil {
			cbErr = err
			return true
		}
		return r0 != 0
	})
	if cbErr != nil {
		return 0, cbErr
	}
	if err != nil {
		return mapErr(err), nil
	}
	return uint64(n), nil
}

// maxLoops is bpf_loop's limit on iterations (BPF_MAX_LOOPS).
const maxLoops = 1 << 23

func hLoop(c *Call, r1, r2, r3, r4, _ uint64) (uint64, error) {
	t, err := c.callbackArg(r2, 2)
	if err != nil {
		return 0, err
	}
	if r4 != 0 {
		return errno(syscall.EINVAL), nil
	}
	// With flags 0 (the verifier's known constant 0, approximated here by
	// the value at run time) the kernel does not call the helper: it
	// inlines the loop (inline_bpf_loop), whose code compares all 64 bits
	// of nr_loops with BPF_MAX_LOOPS and sets r0 = -E2BIG with a 32-bit
	// move, so the program sees 0x00000000fffffff9 and not the helper's
	// 64-bit -E2BIG. Other flags reach the helper, which refuses them above.
	if r1 > maxLoops {
		return uint64(uint32(errno(syscall.E2BIG))), nil
	}
	n := uint32(r1)
	for i := uint32(0); i < n; i++ {
		r0, err := c.st.callback(t, uint64(i), r3, 0, 0, 0)
		if err != nil {
			return 0, err
		}
		if r0 != 0 {
			return uint64(i) + 1, nil
		}
	}
	return uint64(n), nil
}

// MaxTailCalls is the kernel's limit on tail calls in one run
// (MAX_TAIL_CALL_CNT).
const MaxTailCalls = 33

func hTailCall(c *Call, _, r2, r3, _, _ uint64) (uint64, error) {
	m, err := c.mapArg(r2, 2)
	if err != nil {
		return 0, err
	}
	if m.Type() != maps.ProgArray {
		return 0, fmt.Errorf("r2: %s is not a prog array: %w", m, ErrNotMap)
	}
	st := c.st
	if st.baseDepth != 0 {
		return 0, fmt.Errorf("%w: tail call from a callback", ErrUnsupported)
	}
	idx := uint32(r3)
	if idx >= m.MaxEntries() || st.tailCalls >= MaxTailCalls {
		return 0, nil // falls through, as the kernel's
	}
	st.tailCalls++
	target, ok := m.ProgArrayGet(idx).(*Program)
	if !ok || target == nil {
		return 0, nil
	}
	if target.typ != c.prog.typ {
		return 0, fmt.Errorf("%w: tail call from a %s program to a %s program", ErrUnsupported, c.prog.typ, target.typ)
	}
	if target.needsEnv && !c.prog.needsEnv {
		return 0, fmt.Errorf("%w: tail call target uses maps but the caller holds no slot", ErrUnsupported)
	}
	st.tail = target
	return 0, nil
}

// commName is the host process's name, as the kernel's task->comm.
var commName = func() []byte {
	b, err := os.ReadFile("/proc/self/comm")
	if err != nil || len(b) == 0 {
		return []byte(os.Args[0])
	}
	if b[len(b)-1] == '\n' {
		b = b[:len(b)-1]
	}
	if len(b) > 15 {
		b = b[:15]
	}
	return b
}()

func hComm(c *Call, r1, r2, _, _, _ uint64) (uint64, error) {
	dst, err := c.Memory(r1, r2, true)
	if err != nil {
		return 0, err
	}
	if len(dst) == 0 {
		return 0, nil
	}
	clear(dst)
	copy(dst[:len(dst)-1], commName)
	return 0, nil
}

// hProbeRead reads size bytes at an address the run may reach; outside,
// the destination is zeroed and the result is -EFAULT, as the kernel's
// copy_from_kernel_nofault.
func hProbeRead(c *Call, r1, r2, r3, _, _ uint64) (uint64, error) {
	dst, err := c.Memory(r1, r2, true)
	if err != nil {
		return 0, err
	}
	src, err := c.Memory(r3, r2, false)
	if err != nil {
		clear(dst)
		return errno(syscall.EFAULT), nil
	}
	copy(dst, src)
	return 0, nil
}

// readableString returns the bytes at a up to and excluding a NUL, at
// most max bytes, and whether a NUL ended them; ok is false when a byte
// before that is not reachable.
func (c *Call) readableString(a, max uint64) (s []byte, nul, ok bool) {
	for n := uint64(0); n < max; n++ {
		b, err := c.Memory(a+n, 1, false)
		if err != nil {
			return nil, false, false
		}
		if b[0] == 0 {
			return bytesAt(a, n), true, true
		}
	}
	return bytesAt(a, max), false, true
}

func hProbeReadStr(c *Call, r1, r2, r3, _, _ uint64) (uint64, error) {
	dst, err := c.Memory(r1, r2, true)
	if err != nil {
		return 0, err
	}
	if len(dst) == 0 {
		return 0, nil
	}
	s, _, ok := c.readableString(r3, r2-1)
	if !ok {
		clear(dst)
		return errno(syscall.EFAULT), nil
	}
	copy(dst, s)
	dst[len(s)] = 0
	return uint64(len(s) + 1), nil
}

func hRingbufOutput(c *Call, r1, r2, r3, r4, _ uint64) (uint64, error) {
	m, err := c.mapArg(r1, 1)
	if err != nil {
		return 0, err
	}
	data, err := c.Memory(r2, r3, false)
	if err != nil {
		return 0, err
	}
	return mapErr(m.RingBufOutput(data, r4)), nil
}

func hRingbufReserve(c *Call, r1, r2, r3, _, _ uint64) (uint64, error) {
	m, err := c.mapArg(r1, 1)
	if err != nil {
		return 0, err
	}
	s := m.RingBufReserve(r2, r3)
	if s == nil {
		return 0, nil
	}
	a := c.AddRegion(s, true)
	e := c.st.reservations()
	*e = append(*e, reservation{addr: a, m: m})
	return a, nil
}

func hRingbufCommit(c *Call, r1, r2 uint64, discard bool) (uint64, error) {
	rs := c.st.reservations()
	for k, r := range *rs {
		if r.addr == r1 {
			*rs = append((*rs)[:k], (*rs)[k+1:]...)
			if err := r.m.RingBufCommitAddr(r1, r2, discard); err != nil {
				return 0, err
			}
			return 0, nil
		}
	}
	return 0, fmt.Errorf("%w: r1 = %#x is not a ring buffer record reserved by this run", ErrBadAccess, r1)
}

// reservations returns the run's list of reserved ring buffer records.
func (st *runState) reservations() *[]reservation {
	if st.env == nil {
		return &st.rawReserved
	}
	return &st.env.reserved
}

func hPerfEventOutput(c *Call, _, r2, r3, r4, r5 uint64) (uint64, error) {
	m, err := c.mapArg(r2, 2)
	if err != nil {
		return 0, err
	}
	data, err := c.Memory(r4, r5, false)
	if err != nil {
		return 0, err
	}
	if ctxLen := (r3 >> 32) & 0xfffff; ctxLen != 0 {
		e := c.st.env
		if e == nil || e.typ == helpers.Syscall {
			return errno(syscall.EINVAL), nil
		}
		pkt := e.buf[e.data:e.end]
		if e.typ == helpers.XDP {
			pkt = e.buf[e.data:e.end]
		}
		if ctxLen > uint64(len(pkt)) {
			return errno(syscall.EFAULT), nil
		}
		data = append(append([]byte(nil), data...), pkt[:ctxLen]...)
	}
	return mapErr(m.PerfEventOutput(c.st.slot, r3&0xffffffff, data)), nil
}

// hSpin is bpf_spin_lock and bpf_spin_unlock. What the kernel's verifier
// proves before a program runs, an unverified run checks as it goes, so
// that no program can spin forever: the lock is the bpf_spin_lock of a
// map value, a run holds at most one and unlocks only the lock it holds.
// A run that ends holding its lock fails (and the lock is released).
func hSpin(c *Call, r1 uint64, lock bool) (uint64, error) {
	st := c.st
	if !lock {
		if st.held == nil || addrOf(st.held) != r1 {
			return 0, fmt.Errorf("%w: bpf_spin_unlock of %#x, a lock the program does not hold", ErrSpinLock, r1)
		}
		maps.SpinUnlock(st.held)
		st.held, st.heldBy = nil, nil
		return 0, nil
	}
	if st.held != nil {
		return 0, fmt.Errorf("%w: bpf_spin_lock of %#x while holding the lock at %#x", ErrSpinLock, r1, addrOf(st.held))
	}
	b := st.lockAt(r1)
	if b == nil {
		return 0, fmt.Errorf("%w: %#x is not the struct bpf_spin_lock of a map value", ErrSpinLock, r1)
	}
	maps.SpinLock(b)
	st.held, st.heldBy, st.heldAt = b, c.prog, c.index
	return 0, nil
}

func hStrncmp(c *Call, r1, r2, r3, _, _ uint64) (uint64, error) {
	s1, err := c.Memory(r1, r2, false)
	if err != nil {
		return 0, err
	}
	s2, nul, ok := c.readableString(r3, 1<<16)
	if !ok || !nul {
		return 0, fmt.Errorf("%w: r3 is not a NUL-terminated string", ErrBadAccess)
	}
	for k := 0; k < len(s1); k++ {
		var b byte
		if k < len(s2) {
			b = s2[k]
		}
		if s1[k] != b {
			if s1[k] < b {
				return errno(1), nil
			}
			return 1, nil
		}
		if b == 0 {
			break
		}
	}
	return 0, nil
}

// hStrto is bpf_strtol and bpf_strtoul (__bpf_strtoull).
func hStrto(c *Call, r1, r2, r3, r4 uint64, signed bool) (uint64, error) {
	buf, err := c.Memory(r1, r2, false)
	if err != nil {
		return 0, err
	}
	res, err := c.Memory(r4, 8, true)
	if err != nil {
		return 0, err
	}
	v, neg, consumed, e := parseStrto(buf, r3)
	if e != 0 {
		return errno(e), nil
	}
	if signed {
		if neg {
			if int64(-v) > 0 {
				return errno(syscall.ERANGE), nil
			}
			v = -v
		} else if int64(v) < 0 {
			return errno(syscall.ERANGE), nil
		}
	} else if neg {
		return errno(syscall.EINVAL), nil
	}
	binary.LittleEndian.PutUint64(res, v)
	return uint64(consumed), nil
}

// parseStrto parses an integer as the kernel's __bpf_strtoull: leading
// white space, an optional '-', then digits of base flags&0x1f (0 = by
// prefix, 8, 10 or 16); at most 63 characters after the sign.
func parseStrto(buf []byte, flags uint64) (v uint64, neg bool, consumed int, e syscall.Errno) {
	base := flags & 0x1f
	if len(buf) == 0 || (base != 0 && base != 8 && base != 10 && base != 16) || flags&^0x1f != 0 {
		return 0, false, 0, syscall.EINVAL
	}
	i := 0
	for i < len(buf) && isSpace(buf[i]) {
		i++
	}
	neg = i < len(buf) && buf[i] == '-'
	if neg {
		i++
	}
	consumed = i
	rest := buf[i:]
	if len(rest) == 0 {
		return 0, neg, 0, syscall.EINVAL
	}
	if len(rest) > 63 {
		rest = rest[:63]
	}
	str := make([]byte, len(rest)+1)
	copy(str, rest)
	s := 0
	if base == 0 {
		switch {
		case str[0] == '0' && lower(str[1]) == 'x' && len(str) > 2 && isXDigit(str[2]):
			base = 16
		case str[0] == '0':
			base = 8
		default:
			base = 10
		}
	}
	if base == 16 && str[0] == '0' && lower(str[1]) == 'x' {
		s = 2
	}
	overflow := false
	n := 0
	for ; s+n < len(str); n++ {
		ch := str[s+n]
		var d uint64
		switch {
		case ch >= '0' && ch <= '9':
			d = uint64(ch - '0')
		case lower(ch) >= 'a' && lower(ch) <= 'f':
			d = uint64(lower(ch)-'a') + 10
		default:
			d = 16
		}
		if d >= base {
			break
		}
		if v&(0xf<<60) != 0 && v > (^uint64(0)-d)/base {
			overflow = true
		}
		v = v*base + d
	}
	if overflow {
		return 0, neg, 0, syscall.ERANGE
	}
	if n == 0 {
		return 0, neg, 0, syscall.EINVAL
	}
	return v, neg, consumed + s + n, 0
}

func isSpace(b byte) bool { return b == ' ' || (b >= '\t' && b <= '\r') }
func isXDigit(b byte) bool {
	return (b >= '0' && b <= '9') || (lower(b) >= 'a' && lower(b) <= 'f')
}
func lower(b byte) byte { return b | 0x20 }

// hCsumDiff is bpf_csum_diff as Linux 6.18 computes it: the one's
// complement sums of the to words (with seed) minus the from words,
// folded to 16 bits.
func hCsumDiff(c *Call, r1, r2, r3, r4, r5 uint64) (uint64, error) {
	if (r2|r4)&3 != 0 || r2 > 512 || r4 > 512 {
		return errno(syscall.EINVAL), nil
	}
	var from, to []byte
	var err error
	if r2 > 0 {
		if from, err = c.Memory(r1, r2, false); err != nil {
			return 0, err
		}
	}
	if r4 > 0 {
		if to, err = c.Memory(r3, r4, false); err != nil {
			return 0, err
		}
	}
	seed := uint32(r5)
	switch {
	case r2 > 0 && r4 > 0:
		return uint64(csumFrom32To16(csumAdd(csumPartial(to, seed), ^csumPartial(from, 0)))), nil
	case r4 > 0:
		return uint64(csumFrom32To16(csumPartial(to, seed))), nil
	case r2 > 0:
		return uint64(csumFrom32To16(^csumPartial(from, ^seed))), nil
	}
	return uint64(seed), nil
}

// csumPartial is the 32-bit one's complement sum of b's 32-bit words and sum.
func csumPartial(b []byte, sum uint32) uint32 {
	s := uint64(sum)
	for k := 0; k+4 <= len(b); k += 4 {
		s += uint64(binary.LittleEndian.Uint32(b[k:]))
	}
	for s>>32 != 0 {
		s = s&0xffffffff + s>>32
	}
	return uint32(s)
}

// csumAdd adds two 32-bit one's complement sums.
func csumAdd(a, b uint32) uint32 {
	s := a + b
	if s < b {
		s++
	}
	return s
}

// csumFrom32To16 folds a 32-bit sum into 16 bits.
func csumFrom32To16(s uint32) uint16 {
	s += s>>16 | s<<16
	return uint16(s >> 16)
}

// skbEnv returns the run's sk_buff context.
func (c *Call) skbEnv() (*env, error) {
	e := c.st.env
	if e == nil || (e.typ != helpers.SocketFilter && e.typ != helpers.SchedCLS && e.typ != helpers.SchedACT) {
		return nil, ErrNoContext
	}
	return e, nil
}

func hSkbLoadBytes(c *Call, _, r2, r3, r4, _ uint64) (uint64, error) {
	e, err := c.skbEnv()
	if err != nil {
		return 0, err
	}
	dst, err := c.Memory(r3, r4, true)
	if err != nil {
		return 0, err
	}
	off := uint64(uint32(r2))
	if off > 0x7fffffff || off+r4 > uint64(e.end-e.data) {
		clear(dst)
		return errno(syscall.EFAULT), nil
	}
	copy(dst, e.buf[e.data+int(off):])
	return 0, nil
}

func hSkbStoreBytes(c *Call, _, r2, r3, r4, r5 uint64) (uint64, error) {
	e, err := c.skbEnv()
	if err != nil {
		return 0, err
	}
	src, err := c.Memory(r3, r4, false)
	if err != nil {
		return 0, err
	}
	if r5&^3 != 0 { // BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH
		return errno(syscall.EINVAL), nil
	}
	off := uint64(uint32(r2))
	if off > 0x7fffffff {
		return errno(syscall.EFAULT), nil
	}
	if off+r4 > uint64(e.end-e.data) {
		return errno(syscall.EFAULT), nil
	}
	copy(e.buf[e.data+int(off):], src)
	if r5&2 != 0 {
		e.skb.hash = 0
	}
	return 0, nil
}

// xdpEnv returns the run's XDP context.
func (c *Call) xdpEnv() (*env, error) {
	e := c.st.env
	if e == nil || e.typ != helpers.XDP {
		return nil, ErrNoContext
	}
	return e, nil
}

func hXDPAdjustHead(c *Call, _, r2, _, _, _ uint64) (uint64, error) {
	e, err := c.xdpEnv()
	if err != nil {
		return 0, err
	}
	off := int(int32(r2))
	metalen := e.data - e.meta
	data := e.data + off
	if data < xdpFrameStruct+metalen || data > e.end-ethHLen {
		return errno(syscall.EINVAL), nil
	}
	if metalen > 0 {
		copy(e.buf[e.meta+off:], e.buf[e.meta:e.data])
	}
	e.meta += off
	e.data = data
	e.install(c.st)
	return 0, nil
}

func hXDPAdjustTail(c *Call, _, r2, _, _, _ uint64) (uint64, error) {
	e, err := c.xdpEnv()
	if err != nil {
		return 0, err
	}
	if len(e.frags) > 0 {
		return xdpAdjustFragsTail(e, c.st, int32(r2)), nil
	}
	off := int(int32(r2))
	end := e.end + off
	if end > xdpFrameSize-xdpTailroom || end < e.data+ethHLen {
		return errno(syscall.EINVAL), nil
	}
	if off > 0 {
		clear(e.buf[e.end:end])
	}
	e.end = end
	e.install(c.st)
	return 0, nil
}

// xdpAdjustFragsTail moves the tail of a multi-buffer packet as the
// kernel's bpf_xdp_frags_increase_tail and bpf_xdp_frags_shrink_tail do.
// A test run's fragments are pages filled from offset 0, all full but the
// last (and none empty), so e.frags alone gives their layout: growing
// fills the last page's tailroom (the test run's rxq frag_size is a
// page), shrinking frees fragments from the end and, when none is left,
// takes the rest from the linear part.
func xdpAdjustFragsTail(e *env, st *runState, off int32) uint64 {
	if off >= 0 {
		last := len(e.frags) % xdpFrameSize
		if last == 0 {
			last = xdpFrameSize
		}
		if int(off) > xdpFrameSize-last {
			return errno(syscall.EINVAL)
		}
		e.frags = append(e.frags, make([]byte, off)...)
		return 0
	}
	// The kernel negates the int offset: -INT_MIN stays negative and
	// shrinks nothing.
	shrink := int(-off)
	if shrink > e.end-e.data+len(e.frags)-ethHLen {
		return errno(syscall.EINVAL)
	}
	if shrink <= 0 {
		return 0
	}
	if shrink < len(e.frags) {
		e.frags = e.frags[:len(e.frags)-shrink]
		return 0
	}
	e.end -= shrink - len(e.frags)
	e.frags = nil
	e.install(st)
	return 0
}

func hXDPAdjustMeta(c *Call, _, r2, _, _, _ uint64) (uint64, error) {
	e, err := c.xdpEnv()
	if err != nil {
		return 0, err
	}
	meta := e.meta + int(int32(r2))
	if meta < xdpFrameStruct || meta > e.data {
		return errno(syscall.EINVAL), nil
	}
	if l := e.data - meta; l%4 != 0 || l > xdpMaxMeta {
		return errno(syscall.EACCES), nil
	}
	e.meta = meta
	e.install(c.st)
	return 0, nil
}

// Return codes of the redirect helpers.
const (
	xdpAborted  = 0
	xdpRedirect = 4
	tcActShot   = 2
	tcActRedir  = 7
)

func hRedirect(c *Call, r1, r2, _, _, _ uint64) (uint64, error) {
	e := c.st.env
	if e == nil {
		return 0, ErrNoContext
	}
	if e.typ == helpers.XDP {
		if r2 != 0 {
			return xdpAborted, nil
		}
		e.redirect = Redirect{Set: true, Ifindex: uint32(r1)}
		return xdpRedirect, nil
	}
	if r2&^1 != 0 { // only BPF_F_INGRESS
		return tcActShot, nil
	}
	e.redirect = Redirect{Set: true, Ifindex: uint32(r1), Flags: r2}
	return tcActRedir, nil
}

func hRedirectMap(c *Call, r1, r2, r3, _, _ uint64) (uint64, error) {
	e, err := c.xdpEnv()
	if err != nil {
		return 0, err
	}
	m, err := c.mapArg(r1, 1)
	if err != nil {
		return 0, err
	}
	// As __bpf_xdp_redirect_map: the low bits of flags are the verdict
	// when the lookup fails; devmaps also take BPF_F_BROADCAST (which
	// redirects whatever the lookup finds) and BPF_F_EXCLUDE_INGRESS.
	const actionMask, broadcast, excludeIngress = 3, 1 << 3, 1 << 4
	var flagMask uint64
	switch m.Type() {
	case maps.DevMap, maps.DevMapHash:
		flagMask = broadcast | excludeIngress
	case maps.CPUMap, maps.XSKMap:
	default:
		return 0, fmt.Errorf("%w: redirect_map needs a devmap, cpumap or xskmap, not %s", ErrNotMap, m)
	}
	if r3&^(actionMask|flagMask) != 0 {
		return xdpAborted, nil
	}
	if !m.RedirectTarget(r2) && r3&broadcast == 0 {
		e.redirect = Redirect{}
		return r3 & actionMask, nil
	}
	e.redirect = Redirect{Set: true, Ifindex: uint32(r2), Map: m}
	if r3&broadcast != 0 { // the kernel keeps the flags only for a broadcast
		e.redirect.Flags = r3
	}
	return xdpRedirect, nil
}

// Flags of bpf_l3_csum_replace and bpf_l4_csum_replace.
const (
	csumHdrFieldMask = 0xf    // BPF_F_HDR_FIELD_MASK: the field's size, 0, 2 or 4
	csumPseudoHdr    = 1 << 4 // BPF_F_PSEUDO_HDR
	csumMarkMangled0 = 1 << 5 // BPF_F_MARK_MANGLED_0
	csumMarkEnforce  = 1 << 6 // BPF_F_MARK_ENFORCE
	csumIPv6         = 1 << 7 // BPF_F_IPV6
)

// csumField returns the packet's 16-bit checksum field at offset r2 for
// the checksum replacing helpers, or the errno they return: offsets past
// 0xffff or odd are EFAULT, as is a field past the packet's end
// (bpf_try_make_writable fails).
func csumField(e *env, r2 uint64) ([]byte, uint64) {
	off := uint32(r2)
	if off > 0xffff || off&1 != 0 || int(off)+2 > e.end-e.data {
		return nil, errno(syscall.EFAULT)
	}
	return e.buf[e.data+int(off):][:2], 0
}

// csumFold folds a 32-bit one's complement sum to the 16-bit checksum
// (the complement of the folded sum), as csum_fold.
func csumFold(s uint32) uint16 { return ^csumFrom32To16(s) }

// csumReplaceDiff applies a 32-bit checksum difference to the checksum
// sum, as csum_replace_by_diff.
func csumReplaceDiff(sum uint16, diff uint32) uint16 {
	return csumFold(csumAdd(diff, ^uint32(sum)))
}

// csumReplace4 replaces the 32-bit word from by to under the checksum
// sum, as csum_replace4 and (for a packet without CHECKSUM_PARTIAL, as a
// test run's) inet_proto_csum_replace4 compute it.
func csumReplace4(sum uint16, from, to uint32) uint16 {
	return csumFold(csumAdd(csumAdd(^uint32(sum), ^from), to))
}

// csum16Add adds two 16-bit one's complement values, as csum16_add.
func csum16Add(a, b uint16) uint16 {
	r := a + b
	if r < b {
		r++
	}
	return r
}

func hL3CsumReplace(c *Call, _, r2, r3, r4, r5 uint64) (uint64, error) {
	e, err := c.skbEnv()
	if err != nil {
		return 0, err
	}
	if r5&^csumHdrFieldMask != 0 {
		return errno(syscall.EINVAL), nil
	}
	field, ret := csumField(e, r2)
	if field == nil {
		return ret, nil
	}
	le := binary.LittleEndian
	sum := le.Uint16(field)
	switch r5 & csumHdrFieldMask {
	case 0:
		if r3 != 0 {
			return errno(syscall.EINVAL), nil
		}
		sum = csumReplaceDiff(sum, uint32(r4))
	case 2: // csum_replace2
		sum = ^csum16Add(csum16Add(^sum, ^uint16(r3)), uint16(r4))
	case 4:
		sum = csumReplace4(sum, uint32(r3), uint32(r4))
	default:
		return errno(syscall.EINVAL), nil
	}
	le.PutUint16(field, sum)
	return 0, nil
}

// hL4CsumReplace is bpf_l4_csum_replace on a test run's packet, whose
// ip_summed is CHECKSUM_NONE: BPF_F_PSEUDO_HDR (which only changes
// CHECKSUM_PARTIAL and CHECKSUM_COMPLETE packets) and BPF_F_IPV6 are
// accepted and change nothing; BPF_F_MARK_MANGLED_0 leaves a zero
// checksum alone (unless BPF_F_MARK_ENFORCE) and writes a computed zero
// as 0xffff (CSUM_MANGLED_0).
func hL4CsumReplace(c *Call, _, r2, r3, r4, r5 uint64) (uint64, error) {
	e, err := c.skbEnv()
	if err != nil {
		return 0, err
	}
	if r5&^(csumHdrFieldMask|csumPseudoHdr|csumMarkMangled0|csumMarkEnforce|csumIPv6) != 0 {
		return errno(syscall.EINVAL), nil
	}
	field, ret := csumField(e, r2)
	if field == nil {
		return ret, nil
	}
	le := binary.LittleEndian
	sum := le.Uint16(field)
	mangled := r5&csumMarkMangled0 != 0
	if mangled && r5&csumMarkEnforce == 0 && sum == 0 {
		return 0, nil
	}
	switch r5 & csumHdrFieldMask {
	case 0:
		if r3 != 0 {
			return errno(syscall.EINVAL), nil
		}
		sum = csumReplaceDiff(sum, uint32(r4))
	case 2: // inet_proto_csum_replace2: the 16-bit values as 32-bit words
		sum = csumReplace4(sum, uint32(uint16(r3)), uint32(uint16(r4)))
	case 4:
		sum = csumReplace4(sum, uint32(r3), uint32(r4))
	default:
		return errno(syscall.EINVAL), nil
	}
	if mangled && sum == 0 {
		sum = 0xffff // CSUM_MANGLED_0
	}
	le.PutUint16(field, sum)
	return 0, nil
}

// hSkbPullData is bpf_skb_pull_data: a test run's packet is all linear,
// so pulling succeeds up to its length (0 pulls the linear part).
func hSkbPullData(c *Call, _, r2, _, _, _ uint64) (uint64, error) {
	e, err := c.skbEnv()
	if err != nil {
		return 0, err
	}
	if int64(uint32(r2)) > int64(e.end-e.data) {
		return errno(syscall.ENOMEM), nil
	}
	e.install(c.st)
	return 0, nil
}

// skbMaxLen is BPF_SKB_MAX_LEN (SKB_MAX_ALLOC: four pages less the
// shared info), the longest bpf_skb_change_tail makes a packet.
const skbMaxLen = 4*xdpFrameSize - xdpTailroom

// hSkbChangeTail is bpf_skb_change_tail: the packet trimmed or grown
// with zeros to new_len, which must lie between the network header's
// offset (__bpf_skb_min_len) and BPF_SKB_MAX_LEN; flags must be 0. A
// GSO packet loses its GSO size and segments (skb_gso_reset).
func hSkbChangeTail(c *Call, _, r2, r3, _, _ uint64) (uint64, error) {
	e, err := c.skbEnv()
	if err != nil {
		return 0, err
	}
	n := int64(uint32(r2))
	minLen := int64(0)
	if off := e.netOff - e.data; off > 0 {
		minLen = int64(off)
	}
	if r3 != 0 || n > skbMaxLen || n < minLen {
		return errno(syscall.EINVAL), nil
	}
	end := e.data + int(n)
	if end > len(e.buf) {
		buf := make([]byte, end)
		copy(buf, e.buf[:e.end])
		e.buf = buf
	} else if end > e.end {
		clear(e.buf[e.end:end])
	}
	e.end = end
	if e.skb.gsoSize != 0 {
		e.skb.gsoSize, e.skb.gsoSegs = 0, 0
	}
	e.install(c.st)
	return 0, nil
}
