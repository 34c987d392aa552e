//go:build linux

package cbpf

import (
	"errors"
	"math/rand"
	"syscall"
	"testing"
)

// kernelFilter is a Unix datagram socket pair whose receiving end carries a
// classic socket filter: the kernel runs the filter on every datagram sent
// and keeps min(verdict, length) bytes, dropping the datagram on 0.
type kernelFilter struct {
	send, recv int
	buf        []byte
}

func newKernelFilter(t testing.TB) *kernelFilter {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_DGRAM, 0)
	if err != nil {
		missing(t, "socketpair: "+err.Error())
	}
	kf := &kernelFilter{send: fds[0], recv: fds[1], buf: make([]byte, 1<<17)}
	t.Cleanup(func() {
		syscall.Close(kf.send)
		syscall.Close(kf.recv)
	})
	return kf
}

// attach installs insns with SO_ATTACH_FILTER, replacing any filter.
func (kf *kernelFilter) attach(insns []Instruction) error {
	f := make([]syscall.SockFilter, len(insns))
	for i, ins := range insns {
		f[i] = syscall.SockFilter{Code: ins.Op, Jt: ins.Jt, Jf: ins.Jf, K: ins.K}
	}
	return syscall.AttachLsf(kf.recv, f)
}

// run sends pkt and returns how many bytes of it the filter let through
// (0: dropped).
func (kf *kernelFilter) run(t testing.TB, pkt []byte) int {
	t.Helper()
	if _, err := syscall.Write(kf.send, pkt); err != nil {
		t.Fatalf("send: %v", err)
	}
	n, _, err := syscall.Recvfrom(kf.recv, kf.buf, syscall.MSG_DONTWAIT)
	if errors.Is(err, syscall.EAGAIN) {
		return 0
	}
	if err != nil {
		t.Fatalf("recv: %v", err)
	}
	return n
}

// kept is what the kernel keeps of a packet of n bytes for a filter verdict.
func kept(verdict uint32, n int) int {
	if uint64(verdict) < uint64(n) {
		return int(verdict)
	}
	return n
}

// TestKernelRandom runs random programs through the kernel's classic BPF
// (a socket filter) and through our interpreter on random packets.
func TestKernelRandom(t *testing.T) {
	kf := newKernelFilter(t)
	r := rand.New(rand.NewSource(1))
	progs, runs := 2000, 0
	if testing.Short() {
		progs = 200
	}
	for i := 0; i < progs; i++ {
		insns := genProgram(r, 40)
		if err := CheckKernel(insns); err != nil {
			t.Fatalf("generated program fails CheckKernel: %v\n%s", err, Disasm(insns))
		}
		p := MustProgram(insns)
		if err := kf.attach(insns); err != nil {
			t.Fatalf("kernel rejects a program CheckKernel accepts: %v\n%s", err, Disasm(insns))
		}
		for j := 0; j < 20; j++ {
			pkt := genPacket(r, 120)
			want := kf.run(t, pkt)
			if got := kept(p.Run(pkt, uint32(len(pkt))), len(pkt)); got != want {
				t.Fatalf("packet % x: we keep %d bytes, the kernel %d\n%s", pkt, got, want, Disasm(insns))
			}
			runs++
		}
	}
	t.Logf("%d random programs, %d runs: identical to the kernel", progs, runs)
}

// TestKernelTcpdump runs the tcpdump-compiled programs of
// testdata/expressions.txt in the kernel and in our interpreter over the
// packets of merged-en10mb.pcap, and checks that CheckKernel accepts exactly
// the programs the kernel accepts.
func TestKernelTcpdump(t *testing.T) {
	kf := newKernelFilter(t)
	pkts := loadMerged(t)
	if testing.Short() {
		pkts = pkts[:500]
	}
	progs, runs := 0, 0
	for _, expr := range readExpressions(t) {
		insns := compileTcpdump(t, expr)
		kerr := kf.attach(insns)
		cerr := CheckKernel(insns)
		if (kerr == nil) != (cerr == nil) {
			t.Errorf("%q: kernel says %v, CheckKernel says %v", expr, kerr, cerr)
			continue
		}
		if kerr != nil {
			continue
		}
		p := MustProgram(insns)
		for _, pk := range pkts {
			if len(pk.data) == 0 || len(pk.data) > 60000 {
				continue
			}
			// The kernel sees the captured bytes as the whole packet.
			want := kf.run(t, pk.data)
			if got := kept(p.Run(pk.data, uint32(len(pk.data))), len(pk.data)); got != want {
				t.Fatalf("%q: packet % x: we keep %d bytes, the kernel %d", expr, pk.data, got, want)
			}
			runs++
		}
		progs++
	}
	t.Logf("%d tcpdump programs, %d runs: identical to the kernel", progs, runs)
}

// TestKernelCheck compares CheckKernel with the kernel's own verdict on
// mutated programs, valid and invalid.
func TestKernelCheck(t *testing.T) {
	kf := newKernelFilter(t)
	r := rand.New(rand.NewSource(2))
	accepted, rejected := 0, 0
	for i := 0; i < 5000; i++ {
		insns := genProgram(r, 20)
		for m := r.Intn(3); m >= 0; m-- {
			j := r.Intn(len(insns))
			switch r.Intn(5) {
			case 0:
				insns[j].Op = uint16(r.Intn(0x100))
			case 1:
				insns[j].K = randK(r)
			case 2:
				insns[j].Jt = uint8(r.Intn(256))
			case 3:
				insns[j].K = SKFAdOff + uint32(r.Intn(80))
				insns[j].Op = []uint16{OpLdW, OpLdH, OpLdB}[r.Intn(3)]
			case 4:
				insns = insns[:1+r.Intn(len(insns))]
			}
		}
		kerr := kf.attach(insns)
		cerr := CheckKernel(insns)
		if (kerr == nil) != (cerr == nil) {
			t.Fatalf("kernel says %v, CheckKernel says %v\n%s", kerr, cerr, DumpC(insns))
		}
		if cerr == nil {
			if err := Validate(insns); err != nil {
				t.Fatalf("the kernel accepts a program Validate rejects: %v\n%s", err, DumpC(insns))
			}
			accepted++
		} else {
			rejected++
		}
	}
	t.Logf("CheckKernel agrees with the kernel on %d accepted and %d rejected programs", accepted, rejected)
}

// TestKernelShiftDifference pins down the one place where the kernel and
// libpcap disagree on a valid program: a shift by X of 32 or more. libpcap
// (and Run) gives 0; the kernel masks the amount to 5 bits.
func TestKernelShiftDifference(t *testing.T) {
	kf := newKernelFilter(t)
	insns := []Instruction{Stmt(OpLdImm, 1), Stmt(OpLdxImm, 33), Stmt(OpLshX, 0), Stmt(OpRetA, 0)}
	if err := kf.attach(insns); err != nil {
		t.Fatal(err)
	}
	pkt := make([]byte, 10)
	if got := kf.run(t, pkt); got != 2 {
		t.Errorf("kernel keeps %d bytes, want 2 (1 << (33 & 31))", got)
	}
	if got := MustProgram(insns).Run(pkt, 10); got != 0 {
		t.Errorf("Run = %d, want 0 (libpcap: shift by 32 or more is 0)", got)
	}
}

// TestKernelHandWritten runs the hand-written programs of runTests that the
// kernel accepts in the kernel and with Run, on their packet (the kernel's
// wire length is the packet's length) and on random packets.
func TestKernelHandWritten(t *testing.T) {
	kf := newKernelFilter(t)
	r := newRand(6)
	// Programs on which libpcap (and Run) and the kernel differ by design.
	differ := map[string]string{
		"lsh x 32 is 0":     "the kernel masks a shift by X to 5 bits",
		"rsh x 40 is 0":     "the kernel masks a shift by X to 5 bits",
		"ind wrap":          "the kernel adds X + k in 32 bits, wrapping around",
		"ancillary rejects": "the kernel loads skb->protocol",
	}
	ran := 0
	for _, tt := range runTests {
		if why, ok := differ[tt.name]; ok {
			t.Logf("%s: not compared: %s", tt.name, why)
			continue
		}
		insns := asm(t, tt.prog...)
		kerr := kf.attach(insns)
		if cerr := CheckKernel(insns); (kerr == nil) != (cerr == nil) {
			t.Errorf("%s: kernel says %v, CheckKernel says %v", tt.name, kerr, cerr)
			continue
		}
		if kerr != nil {
			continue
		}
		p := MustProgram(insns)
		pkts := [][]byte{runTestPacket, make([]byte, 128)}
		if len(tt.pkt) > 0 {
			pkts = append(pkts, tt.pkt)
		}
		for i := 0; i < 20; i++ {
			pkts = append(pkts, genPacket(r, 16))
		}
		for _, pkt := range pkts {
			want := kf.run(t, pkt)
			if got := kept(p.Run(pkt, uint32(len(pkt))), len(pkt)); got != want {
				t.Errorf("%s on % x: we keep %d bytes, the kernel %d", tt.name, pkt, got, want)
			}
		}
		ran++
	}
	t.Logf("%d of %d hand-written programs accepted by the kernel and compared, all identical", ran, len(runTests))
}
