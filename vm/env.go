package vm

import (
	"encoding/binary"
	"fmt"
	"net"
	"syscall"
	"time"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/maps"
)

// Program types and their contexts.
//
// A program of a kernel type receives r1 = the address of its context
// structure (xdp_md, __sk_buff), as in the kernel. The structure is a
// region of the run that the interpreter's fast path never touches:
// every load and store there goes to the program type's access rules,
// which are the kernel's (*_is_valid_access: offsets, sizes, read or
// write), and produce the field's value. This is the kernel's context
// rewriting done at access time: a 32-bit load of data or data_end
// yields the full 64-bit address of the packet byte. The packet itself
// is the run's input memory, reached on the fast path.

// Sizes of the kernel structures and buffers the test runs mirror.
const (
	xdpMDSize      = 24   // struct xdp_md
	skBuffSize     = 192  // struct __sk_buff
	xdpHeadroom    = 256  // XDP_PACKET_HEADROOM
	xdpFrameSize   = 4096 // one page per frame
	xdpTailroom    = 320  // SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86-64
	xdpFrameStruct = 40   // sizeof(struct xdp_frame), below which data_meta cannot go
	xdpMaxMeta     = 255  // largest metadata area (skb_shared_info.meta_len is a u8)
	xdpMaxFrags    = 17   // MAX_SKB_FRAGS
	skbHeadroom    = 64   // NET_SKB_PAD + NET_IP_ALIGN on x86-64 (64 + 0)
	// skbMaxData is the largest skb test run (bpf_test_init refuses a
	// user_size over PAGE_SIZE - headroom - tailroom): 3712 bytes.
	skbMaxData      = xdpFrameSize - skbHeadroom - xdpTailroom
	ethHLen         = 14
	gsoLegacyMax    = 65536
	gsoMaxSegs      = 65535
	syscallMaxCtx   = 65535
	loopbackIfindex = 1
)

// knownType reports whether TestRun and Load support program type t.
func knownType(t helpers.ProgType) bool {
	switch t {
	case helpers.Raw, helpers.SocketFilter, helpers.SchedCLS, helpers.SchedACT, helpers.XDP, helpers.Syscall:
		return true
	}
	return false
}

// skbFields are the sk_buff state a program sees through __sk_buff.
type skbFields struct {
	pktType, mark, queueMapping, protocol, priority uint32
	ingressIfindex, ifindex, tcIndex, hash          uint32
	tcClassid, wireLen, gsoSegs, gsoSize            uint32
	cb                                              [20]byte
	tstamp, hwtstamp                                uint64
}

// env is the context of one test run of a kernel program type.
type env struct {
	typ     helpers.ProgType
	ctx     []byte // the memory r1 points at
	ctxAddr uint64
	buf     []byte // the packet buffer
	// Offsets into buf: XDP's data_meta, data and data_end; for sk_buff
	// types data and end delimit skb->data .. skb->data + skb->len.
	meta, data, end int
	macOff, netOff  int // sk_buff mac and network headers
	skb             skbFields
	xdpIngress      uint32
	xdpRxQueue      uint32
	frags           []byte // XDP data beyond the linear part (multi-buffer)
	sock            []byte // sk_buff types: the test run's socket as struct bpf_sock (__sk_buff.sk points here)
	redirect        Redirect
	reserved        []reservation
}

// reservation is a ring buffer record reserved by the run.
type reservation struct {
	addr uint64
	m    *maps.Map
}

// Redirect is what bpf_redirect or bpf_redirect_map recorded during a
// test run, as the kernel's per-CPU redirect info holds it.
type Redirect struct {
	Set     bool      // a redirect helper succeeded
	Ifindex uint32    // target interface (bpf_redirect) or key (bpf_redirect_map)
	Flags   uint64    // the helper's flags (bpf_redirect_map: only a broadcast's, as the kernel keeps them)
	Map     *maps.Map // the map of bpf_redirect_map, nil for bpf_redirect
}

// install makes the context and packet the regions of st.
func (e *env) install(st *runState) {
	st.env = e
	switch e.typ {
	case helpers.Syscall:
		st.setMem(e.ctx)
		st.ctxLo, st.ctxN = 0, 0
		return
	case helpers.XDP:
		st.setMem(e.buf[e.meta:e.end])
	case helpers.SocketFilter:
		st.setMem(nil) // no direct packet access
	default:
		st.setMem(e.buf[e.data:e.end])
	}
	st.ctxLo, st.ctxN = e.ctxAddr, uint64(len(e.ctx))
}

// ctxAccess performs the load or store m of instruction i at address a,
// inside the context structure, with the program type's rules.
func (p *Program) ctxAccess(st *runState, i int, a uint64, m memOp) error {
	ins := &p.code[i]
	e := st.env
	off := a - st.ctxLo
	bad := func(why string) error {
		kind := "read"
		if m.write {
			kind = "write"
		}
		return p.runError(i, &AccessError{Addr: a, Size: m.size, Write: m.write,
			Err: fmt.Errorf("%w: invalid %s context %s off=%d size=%d%s", ErrBadAccess, e.typ, kind, off, m.size, why)})
	}
	if m.atomic || off+m.size > st.ctxN {
		return bad("")
	}
	signed := ins.op == opLdxSB || ins.op == opLdxSH || ins.op == opLdxSW
	if signed && ctxPointerField(e.typ, off) {
		// The field loads an address, which a sign extension would
		// corrupt; the verifier refuses these loads too.
		return bad(" (sign-extending load)")
	}
	var v uint64
	if m.write {
		v = st.regs[ins.src&15]
		if ins.op >= opStB && ins.op <= opStDW {
			v = uint64(int64(ins.imm))
		}
	}
	var r uint64
	var ok bool
	switch {
	case e.typ == helpers.XDP:
		r, ok = e.xdpAccess(off, m.size, m.write)
	case off == skbSkOff && m.size == 8 && !m.write && e.sock != nil:
		r, ok = e.skSock(st), true
	default:
		r, ok = e.skbAccess(off, m.size, m.write, v)
	}
	if !ok {
		return bad("")
	}
	if !m.write {
		if signed {
			sh := 64 - 8*m.size
			r = uint64(int64(r<<sh) >> sh)
		}
		st.regs[ins.dst&15] = r
	}
	return nil
}

// ctxPointerField reports whether the context field at off of a program
// of type t yields a packet address: xdp_md's data, data_end and
// data_meta, and __sk_buff's.
func ctxPointerField(t helpers.ProgType, off uint64) bool {
	if t == helpers.XDP {
		return off < 12
	}
	return off >= 76 && off < 84 || off >= 140 && off < 144
}

// skbSkOff is the offset of __sk_buff.sk.
const skbSkOff = 168

// skSock returns the address of the run's socket, the value of
// __sk_buff.sk, making it a read-only region of the run.
func (e *env) skSock(st *runState) uint64 {
	a := addrOf(e.sock)
	for i := range st.regions {
		if st.regions[i].lo == a {
			return a
		}
	}
	st.newRegion(e.sock, false)
	return a
}

// testRunSock is the socket bpf_prog_test_run_skb gives the packet, as
// struct bpf_sock reads it through the pointer __sk_buff.sk (a
// PTR_TO_SOCK_COMMON): a socket of the packet's family, AF_UNSPEC for
// other EtherTypes, bound to the packet's source and destination
// addresses (the IPv4 fields hold network-order bytes), no ports, state
// TCP_CLOSE, no receive queue.
func testRunSock(proto uint16, frame []byte) []byte {
	const (
		family, srcIP4, srcIP6, dstIP4, dstIP6, state, rxQueue = 4, 24, 28, 52, 56, 72, 76
		afInet, afInet6, tcpClose                              = 2, 10, 7
	)
	le := binary.LittleEndian
	s := make([]byte, 80) // sizeof(struct bpf_sock)
	ip := frame[ethHLen:]
	switch proto {
	case 0x0800:
		le.PutUint32(s[family:], afInet)
		copy(s[srcIP4:srcIP4+4], ip[12:16])
		copy(s[dstIP4:dstIP4+4], ip[16:20])
	case 0x86dd:
		le.PutUint32(s[family:], afInet6)
		copy(s[srcIP6:srcIP6+16], ip[8:24])
		copy(s[dstIP6:dstIP6+16], ip[24:40])
	}
	le.PutUint32(s[state:], tcpClose)
	le.PutUint32(s[rxQueue:], 0xffffffff) // -1: NO_QUEUE_MAPPING
	return s
}

// xdpAccess reads a field of xdp_md (xdp_is_valid_access: reads only,
// four bytes, aligned; egress_ifindex only for devmap programs).
func (e *env) xdpAccess(off, size uint64, write bool) (uint64, bool) {
	if write || size != 4 || off%4 != 0 {
		return 0, false
	}
	base := addrOf(e.buf)
	switch off {
	case 0:
		return base + uint64(e.data), true
	case 4:
		return base + uint64(e.end), true
	case 8:
		return base + uint64(e.meta), true
	case 12:
		return uint64(e.xdpIngress), true
	case 16:
		return uint64(e.xdpRxQueue), true
	}
	return 0, false
}

// skbAccess reads or writes a field of __sk_buff with the rules of
// sk_filter_is_valid_access and tc_cls_act_is_valid_access (through
// bpf_skb_is_valid_access): narrow aligned reads of 32-bit fields,
// four-byte writes of the writable ones, eight bytes for tstamp and
// hwtstamp, data pointers for tc only.
func (e *env) skbAccess(off, size uint64, write bool, v uint64) (uint64, bool) {
	tc := e.typ == helpers.SchedCLS || e.typ == helpers.SchedACT
	if off >= skBuffSize || off%size != 0 {
		return 0, false
	}
	field := off &^ 3
	if off >= 48 && off < 68 { // cb[]: any size within it, read and write
		if off+size > 68 {
			return 0, false
		}
		b := e.skb.cb[off-48 : off-48+size]
		if write {
			for k := range b {
				b[k] = byte(v >> (8 * k))
			}
			return 0, true
		}
		var r uint64
		for k := range b {
			r |= uint64(b[k]) << (8 * k)
		}
		return r, true
	}
	if off == 180 && size == 1 && !write && tc {
		return 0, true // tstamp_type: SKB_CLOCK_REALTIME
	}
	switch {
	case off >= 88 && off < 140, off >= 144 && off < 152, off >= 172 && off < 176, off >= 180 && off < 184:
		return 0, false // family..local_port, flow_keys, padding, tstamp_type
	case off >= 168 && off < 176:
		return 0, false // sk: ctxAccess reads it (skSock)
	}
	if !tc {
		switch {
		case field == 72, field == 76, field == 80, field == 140, field == 160, off >= 152 && off < 160, off >= 184:
			return 0, false
		}
		if write && !(off >= 48 && off < 68) {
			return 0, false
		}
	} else if write {
		switch {
		case field == 8, field == 44, field == 32, field == 72, off >= 48 && off < 68, field == 12, off == 152:
		default:
			return 0, false
		}
	}
	switch {
	case field == 76 || field == 80 || field == 140:
		if size != 4 || write {
			return 0, false
		}
		base := addrOf(e.buf)
		if field == 80 {
			return base + uint64(e.end), true
		}
		return base + uint64(e.data), true
	case off >= 184:
		if write || size != 8 {
			return 0, false
		}
		return e.skb.hwtstamp, true
	case off >= 152 && off < 160:
		if size != 8 {
			return 0, false
		}
		if write {
			e.skb.tstamp = v
		}
		return e.skb.tstamp, true
	}
	if write {
		if size != 4 {
			return 0, false
		}
		s := &e.skb
		switch {
		case off == 8:
			s.mark = uint32(v)
		case off == 32:
			s.priority = uint32(v)
		case off == 44:
			s.tcIndex = uint32(uint16(v))
		case off == 72:
			s.tcClassid = uint32(uint16(v))
		case off == 12:
			if v < 0xffff { // NO_QUEUE_MAPPING and above leave it alone
				s.queueMapping = uint32(uint16(v))
			}
		}
		return 0, true
	}
	if size > 4 {
		return 0, false
	}
	f, ok := e.skbField(field)
	if !ok {
		return 0, false
	}
	f >>= 8 * (off - field)
	return f & (1<<(8*size) - 1), true
}

// skbField returns the value of the 32-bit __sk_buff field at off.
func (e *env) skbField(off uint64) (uint64, bool) {
	s := &e.skb
	var v uint32
	switch off {
	case 0:
		v = uint32(e.end - e.data)
	case 4:
		v = s.pktType
	case 8:
		v = s.mark
	case 12:
		v = s.queueMapping
	case 16:
		v = s.protocol
	case 20, 24, 28:
		v = 0 // no VLAN tag
	case 32:
		v = s.priority
	case 36:
		v = s.ingressIfindex
	case 40:
		v = s.ifindex
	case 44:
		v = s.tcIndex
	case 68:
		v = s.hash
	case 72:
		v = s.tcClassid
	case 84:
		v = 0 // napi_id
	case 160:
		v = s.wireLen
	case 164:
		v = s.gsoSegs
	case 176:
		v = s.gsoSize
	default:
		return 0, false
	}
	return uint64(v), true
}

// ldAbs runs a legacy packet load (LD_ABS, LD_IND) at instruction i, as
// the kernel's bpf_skb_load_helper_*: offsets from skb->data, negative
// offsets from SKF_NET_OFF and SKF_LL_OFF; a load outside the packet
// ends the program with r0 = 0.
func (p *Program) ldAbs(st *runState, i int) (bool, error) {
	ins := &p.code[i]
	e := st.env
	off := int64(ins.imm)
	if ins.op >= opLdIndB {
		off = int64(int32(st.regs[ins.src&15] + uint64(int64(ins.imm))))
	}
	size := int64(1) << (ins.op - opLdAbsB)
	if ins.op >= opLdIndB {
		size = int64(1) << (ins.op - opLdIndB)
	}
	var start int64
	switch {
	case off >= 0:
		start = int64(e.data) + off
	case off >= -0x100000 && off < 0: // SKF_NET_OFF
		start = int64(e.netOff) + off + 0x100000
	case off >= -0x200000: // SKF_LL_OFF
		start = int64(e.macOff) + off + 0x200000
	default:
		return true, nil
	}
	if start < 0 || start+size > int64(e.end) {
		return true, nil
	}
	b := e.buf[start : start+size]
	var v uint64
	switch size {
	case 1:
		v = uint64(b[0])
	case 2:
		v = uint64(binary.BigEndian.Uint16(b))
	default:
		v = uint64(binary.BigEndian.Uint32(b))
	}
	st.regs[0] = v
	return false, nil
}

// TestRunOptions is the input of TestRun, as the kernel's
// BPF_PROG_TEST_RUN takes it.
type TestRunOptions struct {
	Data    []byte // packet (data_in); the memory for the raw type
	Context []byte // context structure (ctx_in); nil = none
	Repeat  int    // runs; 0 counts as 1
}

// TestRunResult is the output of TestRun.
type TestRunResult struct {
	Retval     uint32        // the return value as the kernel reports it (low 32 bits of r0)
	R0         uint64        // the full r0 (for the raw type)
	DataOut    []byte        // the packet after the run (data_out)
	ContextOut []byte        // the context after the run (ctx_out), when Context was given (syscall: always)
	Duration   time.Duration // average duration of one run
	Redirect   Redirect      // what a redirect helper recorded
}

// TestRun runs the program as BPF_PROG_TEST_RUN runs it, with the same
// input checks, errors (wrapping syscall.Errno values such as EINVAL) and
// outputs:
//   - raw: Data is the memory (r1, r2), DataOut the memory after the run;
//   - XDP: 256 bytes of headroom, data under 14 bytes refused, data past
//     3520 bytes in page-sized fragments (multi-buffer), ingress_ifindex
//     1 (the loopback device), rx_queue_index 0, xdp_md in Context (data_meta 0, data_end = len(Data), data = the
//     metadata length); DataOut from data_meta to data_end;
//   - socket filter: data under 14 or over 3712 bytes refused, the packet
//     seen from the network header, len = frame length - 14, protocol = the EtherType (network order), pkt_type from
//     the destination MAC against the loopback device, DataOut with the
//     Ethernet header zeroed; __sk_buff in Context may set only mark,
//     priority, ingress_ifindex, ifindex, cb, tstamp, wire_len, gso_segs,
//     gso_size and hwtstamp;
//   - tc (sched_cls, sched_act): as socket filter, but the packet from the
//     Ethernet header, len = frame length, direct packet access;
//   - syscall: Context is the context buffer (DataOut none, ContextOut the
//     buffer after the run); Data and Repeat must be empty.
func (p *Program) TestRun(opts TestRunOptions) (TestRunResult, error) {
	var res TestRunResult
	if opts.Repeat < 0 {
		return res, fmt.Errorf("test run: repeat %d: %w", opts.Repeat, syscall.EINVAL)
	}
	if p.typ == helpers.Raw {
		if opts.Context != nil {
			return res, fmt.Errorf("test run: the raw program type takes no context: %w", syscall.EINVAL)
		}
		mem := append([]byte(nil), opts.Data...)
		r0, avg, err := p.RunRepeat(mem, opts.Repeat)
		if err != nil {
			return res, err
		}
		return TestRunResult{Retval: uint32(r0), R0: r0, DataOut: mem, Duration: avg}, nil
	}
	var e *env
	var err error
	switch p.typ {
	case helpers.XDP:
		e, err = newXDPEnv(opts.Data, opts.Context)
	case helpers.SocketFilter, helpers.SchedCLS, helpers.SchedACT:
		e, err = newSkbEnv(p.typ, opts.Data, opts.Context)
	case helpers.Syscall:
		if opts.Data != nil || opts.Repeat != 0 {
			return res, fmt.Errorf("test run: syscall programs take no data and no repeat: %w", syscall.EINVAL)
		}
		if len(opts.Context) > syscallMaxCtx {
			return res, fmt.Errorf("test run: syscall context of %d bytes, more than %d: %w", len(opts.Context), syscallMaxCtx, syscall.EINVAL)
		}
		if p.verified != nil && len(opts.Context) < p.verified.MaxCtxOffset {
			return res, fmt.Errorf("test run: syscall context of %d bytes, the program reads up to byte %d: %w", len(opts.Context), p.verified.MaxCtxOffset, syscall.EINVAL)
		}
		e = &env{typ: helpers.Syscall, ctx: append([]byte(nil), opts.Context...)}
		e.ctxAddr = addrOf(e.ctx)
	}
	if err != nil {
		return res, err
	}
	r0, avg, err := p.runEnv(e, opts.Repeat)
	if err != nil {
		return res, err
	}
	res = TestRunResult{Retval: uint32(r0), R0: r0, Duration: avg, Redirect: e.redirect}
	switch p.typ {
	case helpers.XDP:
		res.DataOut = append(append([]byte(nil), e.buf[e.meta:e.end]...), e.frags...)
		if opts.Context != nil {
			out := make([]byte, xdpMDSize)
			binary.LittleEndian.PutUint32(out[0:], uint32(e.data-e.meta))
			binary.LittleEndian.PutUint32(out[4:], uint32(e.end-e.meta))
			binary.LittleEndian.PutUint32(out[12:], e.ctxIngressIn())
			binary.LittleEndian.PutUint32(out[16:], e.xdpRxQueue)
			res.ContextOut = out
		}
	case helpers.Syscall:
		res.ContextOut = append([]byte(nil), e.ctx...)
	default:
		out := append([]byte(nil), e.buf[e.data:e.end]...)
		if p.typ == helpers.SocketFilter {
			out = append(make([]byte, ethHLen), out...)
		}
		res.DataOut = out
		if opts.Context != nil {
			res.ContextOut = e.skbContextOut(opts.Context)
		}
	}
	return res, nil
}

// runEnv runs the program repeat times in the context e.
func (p *Program) runEnv(e *env, repeat int) (r0 uint64, avg time.Duration, err error) {
	if repeat < 1 {
		repeat = 1
	}
	st := p.pool.get()
	e.install(st)
	start := time.Now()
	n := 0
	for n < repeat {
		if p.needsEnv && n%repeatHold == 0 {
			if n > 0 {
				st.exit()
			}
			st.enter()
		}
		n++
		r0, _, err = p.exec(st)
		if err != nil {
			break
		}
		st.resetRegions()
	}
	if st.slot >= 0 {
		st.exit()
	}
	elapsed := time.Since(start)
	st.release()
	p.pool.put(st)
	return r0, elapsed / time.Duration(n), err
}

// ctxIn copies a context given by the user into a structure of size n:
// bytes beyond n must be zero (E2BIG otherwise), as bpf_ctx_init checks.
func ctxIn(in []byte, n int, what string) ([]byte, error) {
	b := make([]byte, n)
	copy(b, in)
	for k := n; k < len(in); k++ {
		if in[k] != 0 {
			return nil, fmt.Errorf("test run: %s context of %d bytes has non-zero byte %d beyond the %d the kernel knows: %w", what, len(in), k, n, syscall.E2BIG)
		}
	}
	return b, nil
}

// newXDPEnv prepares an XDP test run as bpf_prog_test_run_xdp does.
func newXDPEnv(data, ctx []byte) (*env, error) {
	size := len(data)
	headroom := xdpHeadroom
	e := &env{typ: helpers.XDP, xdpIngress: loopbackIfindex}
	var md [6]uint32
	if ctx != nil {
		c, err := ctxIn(ctx, xdpMDSize, "xdp_md")
		if err != nil {
			return nil, err
		}
		for k := range md {
			md[k] = binary.LittleEndian.Uint32(c[4*k:])
		}
		if md[2] != 0 || int(md[1]) > size || md[0] > md[1] || md[0]%4 != 0 || md[0] > xdpMaxMeta {
			return nil, fmt.Errorf("test run: xdp_md needs data_meta 0, data_end <= data size (%d), data <= data_end, a data (metadata length) multiple of 4 up to %d: %w", size, xdpMaxMeta, syscall.EINVAL)
		}
		headroom -= int(md[0])
	}
	// The linear part is data_end bytes (all the data without a
	// context), at most what fits the page; the rest goes to fragments,
	// which the program cannot reach directly but data out includes.
	linear := size
	if ctx != nil {
		linear = int(md[1])
	}
	if maxData := xdpFrameSize - headroom - xdpTailroom; linear > maxData {
		linear = maxData
	}
	if size < ethHLen {
		return nil, fmt.Errorf("test run: XDP data of %d bytes, shorter than an Ethernet header (14): %w", size, syscall.EINVAL)
	}
	if size-linear > xdpMaxFrags*xdpFrameSize {
		return nil, fmt.Errorf("test run: XDP data of %d bytes needs more than %d fragments: %w", size, xdpMaxFrags, syscall.ENOMEM)
	}
	e.frags = append([]byte(nil), data[linear:]...)
	size = linear
	if ctx != nil {
		if md[5] != 0 {
			return nil, fmt.Errorf("test run: xdp_md egress_ifindex must be 0: %w", syscall.EINVAL)
		}
		if md[3] == 0 && md[4] != 0 {
			return nil, fmt.Errorf("test run: xdp_md rx_queue_index without ingress_ifindex: %w", syscall.EINVAL)
		}
		if md[3] != 0 {
			e.xdpIngress = md[3]
			// The kernel wants a device whose receive queue has XDP
			// registered, which a test run cannot provide here.
			if _, err := net.InterfaceByIndex(int(md[3])); err != nil {
				return nil, fmt.Errorf("test run: xdp_md ingress_ifindex %d: %w", md[3], syscall.ENODEV)
			}
			return nil, fmt.Errorf("test run: xdp_md ingress_ifindex %d: no XDP receive queue registered: %w", md[3], syscall.EINVAL)
		}
	}
	e.buf = make([]byte, xdpFrameSize)
	e.meta = headroom
	e.data = headroom + int(md[0])
	e.end = headroom + size
	copy(e.buf[e.meta:], data)
	e.ctx = make([]byte, xdpMDSize)
	e.ctxAddr = addrOf(e.ctx)
	return e, nil
}

// ctxIngressIn is the ingress_ifindex written back to the user's xdp_md:
// the value the user gave (0 when the default device was used).
func (e *env) ctxIngressIn() uint32 {
	if e.xdpIngress == loopbackIfindex {
		return 0
	}
	return e.xdpIngress
}

// Byte ranges of __sk_buff a user's context may set, as
// convert___skb_to_skb allows; all else must be zero.
var skbCtxAllowed = [][2]int{
	{8, 12},    // mark
	{32, 44},   // priority, ingress_ifindex, ifindex
	{48, 68},   // cb
	{152, 168}, // tstamp, wire_len, gso_segs
	{176, 180}, // gso_size
	{184, 192}, // hwtstamp
}

// newSkbEnv prepares a socket filter or tc test run as
// bpf_prog_test_run_skb does.
func newSkbEnv(typ helpers.ProgType, data, ctx []byte) (*env, error) {
	size := len(data)
	if size < ethHLen {
		return nil, fmt.Errorf("test run: data of %d bytes, shorter than an Ethernet header (14): %w", size, syscall.EINVAL)
	}
	if size > skbMaxData {
		return nil, fmt.Errorf("test run: data of %d bytes, over the %d a socket buffer test run holds: %w", size, skbMaxData, syscall.EINVAL)
	}
	e := &env{typ: typ, buf: append([]byte(nil), data...)}
	var c []byte
	if ctx != nil {
		var err error
		if c, err = ctxIn(ctx, skBuffSize, "__sk_buff"); err != nil {
			return nil, err
		}
		allowed := make([]bool, skBuffSize)
		for _, r := range skbCtxAllowed {
			for k := r[0]; k < r[1]; k++ {
				allowed[k] = true
			}
		}
		for k, b := range c {
			if b != 0 && !allowed[k] {
				return nil, fmt.Errorf("test run: __sk_buff byte %d may not be set: %w", k, syscall.EINVAL)
			}
		}
	}
	le := binary.LittleEndian
	s := &e.skb
	s.ifindex = loopbackIfindex
	devAddr := net.HardwareAddr(make([]byte, 6))
	bcast := "\x00\x00\x00\x00\x00\x00" // the loopback device's broadcast address
	if c != nil {
		if ifx := le.Uint32(c[40:]); ifx > 1 {
			iface, err := net.InterfaceByIndex(int(ifx))
			if err != nil {
				return nil, fmt.Errorf("test run: __sk_buff ifindex %d: %w", ifx, syscall.ENODEV)
			}
			s.ifindex = ifx
			if len(iface.HardwareAddr) == 6 {
				devAddr = iface.HardwareAddr
				bcast = "\xff\xff\xff\xff\xff\xff"
			}
		}
	}
	// eth_type_trans.
	dst := data[0:6]
	switch {
	case string(dst) == string(devAddr):
		s.pktType = 0 // PACKET_HOST
	case dst[0]&1 != 0 && string(dst) == bcast:
		s.pktType = 1 // PACKET_BROADCAST
	case dst[0]&1 != 0:
		s.pktType = 2 // PACKET_MULTICAST
	default:
		s.pktType = 3 // PACKET_OTHERHOST
	}
	proto := uint16(data[12])<<8 | uint16(data[13])
	switch {
	case proto == 0x0800 && size-ethHLen < 20, proto == 0x86dd && size-ethHLen < 40:
		return nil, fmt.Errorf("test run: %d bytes after the Ethernet header, too short for the IP header of EtherType %#04x: %w", size-ethHLen, proto, syscall.EINVAL)
	}
	if proto < 0x600 {
		if size >= ethHLen+2 && data[14] == 0xff && data[15] == 0xff {
			proto = 0x0001 // ETH_P_802_3
		} else {
			proto = 0x0004 // ETH_P_802_2
		}
	}
	s.protocol = uint32(proto>>8 | proto<<8) // stored in network order
	e.sock = testRunSock(proto, data)
	e.macOff, e.netOff = 0, ethHLen
	e.data, e.end = ethHLen, size
	if typ != helpers.SocketFilter {
		e.data = 0 // tc sees the frame from the Ethernet header
	}
	if c != nil {
		s.mark = le.Uint32(c[8:])
		s.priority = le.Uint32(c[32:])
		s.ingressIfindex = le.Uint32(c[36:])
		s.tstamp = le.Uint64(c[152:])
		copy(s.cb[:], c[48:68])
		wire := le.Uint32(c[160:])
		if wire != 0 && (int(wire) < e.end-e.data || wire > gsoLegacyMax) {
			return nil, fmt.Errorf("test run: __sk_buff wire_len %d outside %d to %d: %w", wire, e.end-e.data, gsoLegacyMax, syscall.EINVAL)
		}
		s.wireLen = wire
		s.gsoSegs = le.Uint32(c[164:])
		if s.gsoSegs > gsoMaxSegs {
			return nil, fmt.Errorf("test run: __sk_buff gso_segs %d over %d: %w", s.gsoSegs, gsoMaxSegs, syscall.EINVAL)
		}
		s.gsoSize = le.Uint32(c[176:])
		s.hwtstamp = le.Uint64(c[184:])
	}
	if s.wireLen == 0 {
		s.wireLen = uint32(e.end - e.data)
	}
	e.ctx = make([]byte, skBuffSize)
	e.ctxAddr = addrOf(e.ctx)
	return e, nil
}

// skbContextOut is the __sk_buff the kernel writes back
// (convert_skb_to___skb) over the user's context.
func (e *env) skbContextOut(in []byte) []byte {
	out := make([]byte, skBuffSize)
	copy(out, in)
	le := binary.LittleEndian
	s := &e.skb
	le.PutUint32(out[8:], s.mark)
	le.PutUint32(out[32:], s.priority)
	le.PutUint32(out[36:], s.ingressIfindex)
	le.PutUint32(out[40:], s.ifindex)
	le.PutUint64(out[152:], s.tstamp)
	copy(out[48:68], s.cb[:])
	le.PutUint32(out[160:], s.wireLen)
	le.PutUint32(out[164:], s.gsoSegs)
	le.PutUint64(out[184:], s.hwtstamp)
	return out
}
