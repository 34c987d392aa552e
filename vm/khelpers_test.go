package vm_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/vm"
)

func TestHelperLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		typ  helpers.ProgType
		src  string
		err  error
		text string
	}{
		{"not allowed", helpers.SocketFilter, "call 44\nexit", vm.ErrHelperNotAllowed, "xdp_adjust_head (helper id 44) in a socket_filter program"},
		{"unknown", helpers.XDP, "call 35\nexit", vm.ErrUnknownHelper, "helper id 35 (get_current_task) is not registered"},
		{"ld_abs in xdp", helpers.XDP, "r0 = *(u8 *)skb[1]\nexit", vm.ErrUnsupported, "xdp program type does not have"},
		{"map index", helpers.XDP, "r1 = map_idx(2)\nexit", vm.ErrBadMap, "map index 2"},
		{"callback outside", helpers.XDP, "r1 = func(+5)\nexit", vm.ErrJumpOutOfRange, "callback at slot 6"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := vm.Load(assemble(t, tc.src), vm.Options{Unverified: true, Type: tc.typ})
			if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("error %v, want %v containing %q", err, tc.err, tc.text)
			}
		})
	}
}

// runRaw runs a raw program with maps and returns r0 and the memory.
func runRaw(t *testing.T, src string, mem []byte, ms ...*maps.Map) (uint64, []byte, error) {
	t.Helper()
	var trace bytes.Buffer
	p, err := vm.Load(assemble(t, src), vm.Options{Unverified: true, Maps: ms, TraceOutput: &trace})
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.TestRun(vm.TestRunOptions{Data: mem})
	if err != nil {
		return 0, nil, err
	}
	return res.R0, append(res.DataOut, trace.Bytes()...), nil
}

func TestStringHelpers(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    string
		flags int
		fn    int // 105 strtol, 106 strtoul
		r0    int64
		res   int64
	}{
		{"decimal", "  -1234x", 0, 105, 7, -1234},
		{"octal by prefix", "0755", 0, 105, 4, 0755},
		{"hex by prefix", "0x1F", 0, 106, 4, 0x1f},
		{"hex base without prefix", "ff", 16, 106, 2, 255},
		{"no digits", "  x", 0, 105, -22, 0},
		{"negative unsigned", "-5", 10, 106, -22, 0},
		{"bad base", "5", 7, 105, -22, 0},
		{"overflow", "99999999999999999999", 10, 106, -34, 0},
		{"signed overflow", "9223372036854775808", 10, 105, -34, 0},
		{"min int64", "-9223372036854775808", 10, 105, 20, -9223372036854775808},
		{"only sign", "-", 10, 105, -22, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := make([]byte, 64)
			copy(mem[8:], tc.in)
			src := "r6 = r1\nr1 += 8\nr2 = " + itoa(len(tc.in)) + "\nr3 = " + itoa(tc.flags) + "\nr4 = r6\ncall " + itoa(tc.fn) + "\nexit"
			r0, out, err := runRaw(t, src, mem)
			if err != nil {
				t.Fatal(err)
			}
			if int64(r0) != tc.r0 || int64(binary.LittleEndian.Uint64(out)) != tc.res {
				t.Fatalf("r0 %d res %d, want %d %d", int64(r0), int64(binary.LittleEndian.Uint64(out)), tc.r0, tc.res)
			}
		})
	}
}

func itoa(v int) string {
	if v < 0 {
		return "-" + itoa(-v)
	}
	if v < 10 {
		return string(rune('0' + v))
	}
	return itoa(v/10) + string(rune('0'+v%10))
}

func TestSnprintfFormats(t *testing.T) {
	for _, tc := range []struct {
		format string
		args   []uint64
		want   string // "" with r0 < 0 for errors
		r0     int64
	}{
		{"%d|%u", []uint64{uint64(1<<32 - 5), uint64(1<<32 - 5)}, "-5|4294967291", 14},
		{"%ld %lld", []uint64{^uint64(0), 1 << 40}, "-1 1099511627776", 17},
		{"%x %X %lx", []uint64{255, 255, 1 << 36}, "ff FF 1000000000", 17},
		{"%5d|%-4u|%05x", []uint64{42, 7, 0xab}, "   42|7   |000ab", 17},
		{"%c%c", []uint64{'o', 'k'}, "ok", 3},
		{"%c|%3c|%-2c.", []uint64{0x1234abcd, 0xe9, 0x80}, "\xcd|  \xe9|\x80 .", 10},
		{"100%%", nil, "100%", 5},
		{"%+d % d", []uint64{5, 5}, "+5  5", 6},
		{"%d", nil, "", -22},
		{"%f", []uint64{1}, "", -22},
		{"%#x", []uint64{1}, "", -22},
		{"%lu\x01", []uint64{1}, "", -22},
		{"%pZ", []uint64{1}, "", -22},
		{"%i", []uint64{uint64(1<<32 - 1)}, "-1", 3},
	} {
		t.Run(tc.format, func(t *testing.T) {
			// mem: 0..63 output, 64..127 format, 128.. args.
			mem := make([]byte, 256)
			copy(mem[64:], tc.format)
			for k, a := range tc.args {
				binary.LittleEndian.PutUint64(mem[128+8*k:], a)
			}
			src := "r6 = r1\nr3 = r1\nr3 += 64\nr4 = r1\nr4 += 128\nr5 = " + itoa(8*len(tc.args)) + "\nr2 = 64\ncall 165\nexit"
			r0, out, err := runRaw(t, src, mem)
			if err != nil {
				t.Fatal(err)
			}
			got := string(out[:bytes.IndexByte(out, 0)])
			if int64(r0) != tc.r0 || (tc.r0 > 0 && got != tc.want) {
				t.Fatalf("r0 %d %q, want %d %q", int64(r0), got, tc.r0, tc.want)
			}
		})
	}
}

func TestProbeReadAndTrace(t *testing.T) {
	mem := make([]byte, 64)
	copy(mem[16:], "hello\x00world")
	copy(mem[40:], "n=%d %s\n\x00")
	// probe_read_kernel of 8 bytes inside memory, then outside it.
	src := `
		r6 = r1
		r1 = r10
		r1 += -8
		r2 = 8
		r3 = r6
		r3 += 16
		call 113
		r7 = r0
		r1 = *(u64 *)(r10 - 8)
		*(u64 *)(r6 + 0) = r1
		r1 = r10
		r1 += -8
		r2 = 8
		r3 = 4096
		call 113
		r8 = r0
		r1 = *(u64 *)(r10 - 8)
		*(u64 *)(r6 + 8) = r1
		r1 = r10
		r1 += -16
		r2 = 16
		r3 = r6
		r3 += 16
		call 115
		r9 = r0
		r1 = r6
		r1 += 40
		r2 = 9
		r3 = 7
		r4 = r6
		r4 += 22
		call 6
		r0 <<= 16
		r9 <<= 8
		r0 |= r9
		r8 &= 0xff
		r0 |= r8
		r0 += r7
		exit`
	r0, out, err := runRaw(t, src, mem)
	if err != nil {
		t.Fatal(err)
	}
	// trace_printk wrote "n=7 world\n" (10 bytes), probe_read_str copied
	// "hello\0" (6), the read outside the regions failed (-14 = 0xf2).
	if r0 != 10<<16|6<<8|0xf2 {
		t.Errorf("r0 %#x", r0)
	}
	if string(out[0:5]) != "hello" || !bytes.Equal(out[8:16], make([]byte, 8)) {
		t.Errorf("memory %q", out[:16])
	}
	if !strings.HasSuffix(string(out), "n=7 world\n") {
		t.Errorf("trace output %q", out[64:])
	}
}

func TestEnvironmentHelpers(t *testing.T) {
	// ktime_get_ns twice: non-decreasing; pid_tgid; smp id < Slots; comm.
	src := `
		r6 = r1
		call 5
		r7 = r0
		call 5
		r0 -= r7
		*(u64 *)(r6 + 0) = r0
		call 14
		*(u64 *)(r6 + 8) = r0
		call 8
		*(u64 *)(r6 + 16) = r0
		r1 = r6
		r1 += 24
		r2 = 16
		call 16
		call 42
		exit`
	r0, out, err := runRaw(t, src, make([]byte, 40))
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	if r0 != 0 || int64(le.Uint64(out[0:])) < 0 || le.Uint64(out[8:])>>32 != uint64(os.Getpid()) || le.Uint64(out[16:]) >= uint64(vm.Slots()) {
		t.Errorf("r0 %d, memory %x", r0, out[:24])
	}
	comm, _ := os.ReadFile("/proc/self/comm")
	if n := bytes.IndexByte(out[24:40], 0); n < 0 || string(out[24:24+n]) != strings.TrimSpace(string(comm)) {
		t.Errorf("comm %q, /proc says %q", out[24:40], comm)
	}
}

func TestCallbackErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		r0   int64
	}{
		{"loop flags", "r1 = 3\nr2 = func(+5)\nr3 = 0\nr4 = 1\ncall 181\nexit\nr0 = 0\nexit", -22},
		{"loop too many", "r1 = 0x800001\nr2 = func(+5)\nr3 = 0\nr4 = 0\ncall 181\nexit\nr0 = 0\nexit", 0xfffffff9},
		{"loop too many flags", "r1 = 0x800001\nr2 = func(+5)\nr3 = 0\nr4 = 2\ncall 181\nexit\nr0 = 0\nexit", -22},
		{"loop 64-bit count", "r1 = 0x100000005 ll\nr2 = func(+6)\nr3 = 0\nr4 = 0\ncall 181\nexit\nr0 = 0\nexit", 0xfffffff9},
		{"loop at limit", "r1 = 0x800000\nr2 = func(+5)\nr3 = 0\nr4 = 0\ncall 181\nexit\nr0 = 1\nexit", 1},
		{"loop zero", "r1 = 0\nr2 = func(+5)\nr3 = 0\nr4 = 0\ncall 181\nexit\nr0 = 0\nexit", 0},
		{"loop stops", "r1 = 100\nr2 = func(+5)\nr3 = 0\nr4 = 0\ncall 181\nexit\nr0 = 0\nif r1 != 41 goto +1\nr0 = 1\nexit", 42},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r0, _, err := runRaw(t, tc.src, nil)
			if err != nil || int64(r0) != tc.r0 {
				t.Fatalf("r0 %d err %v, want %d", int64(r0), err, tc.r0)
			}
		})
	}
	// A callback that faults stops the run naming its own instruction.
	p, err := vm.Load(assemble(t, "r1 = 1\nr2 = func(+5)\nr3 = 0\nr4 = 0\ncall 181\nexit\nr0 = *(u64 *)(r3 + 0)\nexit"), vm.Options{Unverified: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Run(nil)
	var re *vm.RunError
	if !errors.As(err, &re) || re.Index != 6 || !errors.Is(err, vm.ErrBadAccess) {
		t.Fatalf("error %v, want a bad access at insn 6", err)
	}
}

func TestRawMapsAndTestRun(t *testing.T) {
	m, err := maps.New(&maps.Spec{Type: maps.Hash, KeySize: 4, ValueSize: 8, MaxEntries: 4})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Put(uint32(1), uint64(41)); err != nil {
		t.Fatal(err)
	}
	insns := assemble(t, "*(u32 *)(r10 - 4) = 1\nr1 = map_idx(0)\nr2 = r10\nr2 += -4\ncall 1\nr1 = *(u64 *)(r0 + 0)\nr1 += 1\n*(u64 *)(r0 + 0) = r1\nr0 = r1\nexit")
	if insns[1].Src != isa.PseudoMapIdx {
		t.Fatalf("map_idx assembled as %v", insns[1])
	}
	p, err := vm.Load(insns, vm.Options{Unverified: true, Maps: []*maps.Map{m}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.TestRun(vm.TestRunOptions{Repeat: 3})
	if err != nil || res.R0 != 44 {
		t.Fatalf("r0 %d, err %v", res.R0, err)
	}
	var v uint64
	if err := m.Lookup(uint32(1), &v); err != nil || v != 44 {
		t.Fatalf("map value %d, %v", v, err)
	}
	if _, err := p.TestRun(vm.TestRunOptions{Context: []byte{1}}); err == nil {
		t.Fatal("raw program accepted a context")
	}
}

func TestPerfEventOutput(t *testing.T) {
	m, err := maps.New(&maps.Spec{Type: maps.PerfEventArray, KeySize: 4, ValueSize: 4, MaxEntries: uint32(maps.PossibleCPUs())})
	if err != nil {
		t.Fatal(err)
	}
	rd, err := maps.NewPerfReader(m, 4096)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	src := `
		r1 = 0x0807060504030201 ll
		*(u64 *)(r10 - 8) = r1
		r2 = map_idx(0)
		r3 = 0xffffffff ll
		r4 = r10
		r4 += -8
		r5 = 8
		call 25
		exit`
	p, err := vm.Load(assemble(t, src), vm.Options{Unverified: true, Type: helpers.XDP, Maps: []*maps.Map{m}})
	if err != nil {
		t.Fatal(err)
	}
	// With BPF_F_CTXLEN (upper 32 bits of flags) the packet follows.
	src2 := strings.Replace(src, "r3 = 0xffffffff ll", "r3 = 0x4ffffffff ll", 1)
	p2, err := vm.Load(assemble(t, src2), vm.Options{Unverified: true, Type: helpers.XDP, Maps: []*maps.Map{m}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		p    *vm.Program
		want string
	}{{p, "0102030405060708"}, {p2, "0102030405060708aabbccdd"}} {
		res, err := tc.p.TestRun(vm.TestRunOptions{Data: append([]byte{0xaa, 0xbb, 0xcc, 0xdd}, make([]byte, 14)...)})
		if err != nil || res.Retval != 0 {
			t.Fatalf("retval %d, %v", int32(res.Retval), err)
		}
		rec, err := rd.Read()
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("%x", rec.RawSample); got != tc.want || rec.CPU != 0 {
			t.Errorf("sample %s on CPU %d, want %s on 0", got, rec.CPU, tc.want)
		}
	}
}

func TestReadOnlyProgMaps(t *testing.T) {
	m, err := maps.New(&maps.Spec{Name: ".rodata", Type: maps.Array, KeySize: 4, ValueSize: 8, MaxEntries: 1, Flags: 1 << 7,
		Contents: []maps.KV{{Key: uint32(0), Value: uint64(5)}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, src string
		r0        uint64
		err       error
	}{
		{"direct read", "r1 = map_value(0, 0)\nr0 = *(u64 *)(r1 + 0)\nexit", 5, nil},
		{"direct write", "r1 = map_value(0, 0)\n*(u64 *)(r1 + 0) = 1\nr0 = 0\nexit", 0, vm.ErrBadAccess},
		{"lookup write", "*(u32 *)(r10 - 4) = 0\nr1 = map_idx(0)\nr2 = r10\nr2 += -4\ncall 1\n*(u64 *)(r0 + 0) = 1\nexit", 0, vm.ErrBadAccess},
		{"update", "*(u32 *)(r10 - 4) = 0\n*(u64 *)(r10 - 16) = 0\nr1 = map_idx(0)\nr2 = r10\nr2 += -4\nr3 = r10\nr3 += -16\nr4 = 0\ncall 2\nexit", uint64(1<<64 - 1), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := vm.Load(assemble(t, tc.src), vm.Options{Unverified: true, Maps: []*maps.Map{m}})
			if err != nil {
				t.Fatal(err)
			}
			r0, err := p.Run(nil)
			if !errors.Is(err, tc.err) || (err == nil && r0 != tc.r0) {
				t.Fatalf("r0 %#x err %v, want %#x %v", r0, err, tc.r0, tc.err)
			}
		})
	}
}

func TestSyscallTestRun(t *testing.T) {
	p, err := vm.Load(assemble(t, "r2 = *(u64 *)(r1 + 0)\nr2 += 5\n*(u64 *)(r1 + 8) = r2\nr0 = r2\nexit"), vm.Options{Unverified: true, Type: helpers.Syscall})
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.TestRun(vm.TestRunOptions{Context: u64le(10, 0)})
	if err != nil || res.Retval != 15 || !bytes.Equal(res.ContextOut, u64le(10, 15)) {
		t.Fatalf("retval %d ctx %x err %v", res.Retval, res.ContextOut, err)
	}
	for _, opts := range []vm.TestRunOptions{{Data: []byte{1}}, {Repeat: 2}} {
		if _, err := p.TestRun(opts); !errors.Is(err, syscall.EINVAL) {
			t.Errorf("%+v: error %v, want EINVAL", opts, err)
		}
	}
}

// onesSum is the 16-bit one's complement sum of b's big-endian words.
func onesSum(sum uint32, b []byte) uint32 {
	for k := 0; k+1 < len(b); k += 2 {
		sum += uint32(b[k])<<8 | uint32(b[k+1])
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return sum
}

// udpPseudoSum is the one's complement sum of frame's IPv4 UDP pseudo
// header and UDP segment (the frame from its Ethernet header).
func udpPseudoSum(frame []byte) uint32 {
	ip := frame[14:]
	udp := ip[20:]
	s := onesSum(0, ip[12:20])
	s = onesSum(s+17+uint32(len(udp)), udp)
	return s
}

// validFrame returns ipv4UDP with a correct IPv4 header and UDP checksum.
func validFrame() []byte {
	b := bytes.Clone(ipv4UDPFrame)
	binary.BigEndian.PutUint16(b[24:], ^uint16(onesSum(0, b[14:34])))
	binary.BigEndian.PutUint16(b[40:], ^uint16(udpPseudoSum(b)))
	return b
}

// ipv4UDPFrame is an Ethernet frame of an IPv4 UDP packet
// 10.0.0.1:1000 -> 10.0.0.2:53 with checksums 0.
var ipv4UDPFrame = []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0,
	0x45, 0, 0, 32, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
	0x03, 0xe8, 0, 53, 0, 12, 0, 0, 'a', 'b', 'c', 'd'}

// TestChecksumReplace rewrites a header field of a tc packet with
// bpf_skb_store_bytes after fixing the checksum covering it with
// bpf_l3_csum_replace or bpf_l4_csum_replace: the checksums must verify
// afterwards (the kernel-differential cases are in TestKernelDiff).
func TestChecksumReplace(t *testing.T) {
	for _, tc := range []struct {
		name             string
		helper           int
		csumOff, field   int
		width            int
		flags            uint64
		checkIP, checkL4 bool
	}{
		{"l3 ttl and protocol", 10, 24, 22, 2, 2, true, false},
		{"l3 source address", 10, 24, 26, 4, 4, true, false},
		{"l4 source port", 11, 40, 34, 2, 2, false, true},
		{"l4 destination port mangled", 11, 40, 36, 2, 0x22, false, true},
		{"l4 source address pseudo header", 11, 40, 26, 4, 0x14, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			frame := validFrame()
			var old uint64
			for k := tc.width - 1; k >= 0; k-- {
				old = old<<8 | uint64(frame[tc.field+k])
			}
			repl := old ^ 0x5a5a
			src := fmt.Sprintf(`r6 = r1
				r2 = %d
				r3 = %d
				r4 = %d
				r5 = %d
				call %d
				r7 = r0
				r1 = %d
				*(u32 *)(r10 - 8) = r1
				r1 = r6
				r2 = %d
				r3 = r10
				r3 += -8
				r4 = %d
				r5 = 0
				call 9
				r0 = r7
				exit`, tc.csumOff, old, repl, tc.flags, tc.helper, repl, tc.field, tc.width)
			p, err := vm.Load(assemble(t, src), vm.Options{Unverified: true, Type: helpers.SchedCLS})
			if err != nil {
				t.Fatal(err)
			}
			res, err := p.TestRun(vm.TestRunOptions{Data: frame})
			if err != nil || res.Retval != 0 {
				t.Fatalf("retval %d, err %v", int32(res.Retval), err)
			}
			out := res.DataOut
			if bytes.Equal(out, frame) {
				t.Fatal("the field was not rewritten")
			}
			if s := onesSum(0, out[14:34]); tc.checkIP && s != 0xffff {
				t.Errorf("IPv4 header sums to %#x, want 0xffff: % x", s, out[14:34])
			}
			if s := udpPseudoSum(out); tc.checkL4 && s != 0xffff {
				t.Errorf("UDP segment sums to %#x, want 0xffff: % x", s, out[14:])
			}
		})
	}
}

// TestResizeHelpers runs bpf_skb_pull_data and bpf_skb_change_tail on a
// 46-byte tc packet: r0 = the helper's result, then the packet length.
func TestResizeHelpers(t *testing.T) {
	for _, tc := range []struct {
		name   string
		call   string
		r0     int32
		length int
	}{
		{"pull nothing", "r2 = 0\ncall 39", 0, 46},
		{"pull all", "r2 = 46\ncall 39", 0, 46},
		{"pull past the end", "r2 = 47\ncall 39", -12, 46},
		{"grow", "r2 = 100\nr3 = 0\ncall 38", 0, 100},
		{"grow past the page", "r2 = 5000\nr3 = 0\ncall 38", 0, 5000},
		{"shrink", "r2 = 20\nr3 = 0\ncall 38", 0, 20},
		{"to the network header", "r2 = 14\nr3 = 0\ncall 38", 0, 14},
		{"below the network header", "r2 = 13\nr3 = 0\ncall 38", -22, 46},
		{"flags", "r2 = 50\nr3 = 1\ncall 38", -22, 46},
		{"maximum", "r2 = 16064\nr3 = 0\ncall 38", 0, 16064},
		{"over the maximum", "r2 = 16065\nr3 = 0\ncall 38", -22, 46},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := "r6 = r1\n" + tc.call + "\n*(u32 *)(r6 + 48) = r0\nexit"
			p, err := vm.Load(assemble(t, src), vm.Options{Unverified: true, Type: helpers.SchedCLS})
			if err != nil {
				t.Fatal(err)
			}
			res, err := p.TestRun(vm.TestRunOptions{Data: validFrame(), Context: make([]byte, 192)})
			if err != nil {
				t.Fatal(err)
			}
			r0 := int32(binary.LittleEndian.Uint32(res.ContextOut[48:]))
			if r0 != tc.r0 || len(res.DataOut) != tc.length {
				t.Fatalf("r0 %d, %d bytes; want %d, %d bytes", r0, len(res.DataOut), tc.r0, tc.length)
			}
			if tc.length > 46 && !bytes.Equal(res.DataOut[46:], make([]byte, tc.length-46)) {
				t.Fatal("grown bytes are not zero")
			}
		})
	}
}
