//go:build linux

package main

import (
	"bufio"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gbpf/gbpf/cbpf"
	"github.com/gbpf/gbpf/internal/pktprint"
	"github.com/gbpf/gbpf/pcap"
	"github.com/gbpf/gbpf/pcap/filter"
)

// liveLinkType is the link type libpcap gives an interface, from its ARPHRD
// hardware type, and the socket type that delivers that link layer.
func liveLinkType(iface string) (pcap.LinkType, int, error) {
	b, err := os.ReadFile("/sys/class/net/" + iface + "/type")
	if err != nil {
		return 0, 0, fmt.Errorf("%s: No such device exists", iface)
	}
	hw, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, 0, fmt.Errorf("%s: unreadable hardware type %q", iface, b)
	}
	switch hw {
	case unix.ARPHRD_ETHER, unix.ARPHRD_LOOPBACK:
		return pcap.LinkTypeEN10MB, unix.SOCK_RAW, nil
	case unix.ARPHRD_NONE:
		return pcap.LinkTypeRAW, unix.SOCK_DGRAM, nil
	}
	return 0, 0, fmt.Errorf("%s: hardware type %d is not supported (Ethernet, loopback and raw IP are)", iface, hw)
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// filterLive captures on an interface through an AF_PACKET socket with the
// compiled filter attached in the kernel.
func filterLive(e *env, fa *filterArgs) error {
	lt, sockType, err := liveLinkType(fa.iface)
	if err != nil {
		return err
	}
	insns, err := filter.Compile(fa.expr, filter.Options{
		LinkType: lt, Snaplen: pcap.MaxSnaplen, NetmaskSet: true, Optimize: !fa.noOpt,
	})
	if err != nil {
		return err
	}
	if fa.dflag > 0 {
		return dumpProgram(e.stdout, insns, fa.dflag)
	}
	if err := cbpf.CheckKernel(insns); err != nil {
		return err
	}
	ifi, err := ifIndex(fa.iface)
	if err != nil {
		return err
	}
	fd, err := unix.Socket(unix.AF_PACKET, sockType|unix.SOCK_CLOEXEC, int(htons(unix.ETH_P_ALL)))
	if err != nil {
		return fmt.Errorf("%s: socket: %v (capturing needs root or CAP_NET_RAW)", fa.iface, err)
	}
	defer unix.Close(fd)
	// Attach the filter before binding, so no unfiltered packet is queued,
	// then drop what arrived before the bind finished.
	filt := make([]unix.SockFilter, len(insns))
	for i, in := range insns {
		filt[i] = unix.SockFilter{Code: in.Op, Jt: in.Jt, Jf: in.Jf, K: in.K}
	}
	if err := unix.SetsockoptSockFprog(fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER,
		&unix.SockFprog{Len: uint16(len(filt)), Filter: &filt[0]}); err != nil {
		return fmt.Errorf("%s: attaching the filter: %v", fa.iface, err)
	}
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: ifi}); err != nil {
		return fmt.Errorf("%s: bind: %v", fa.iface, err)
	}
	// Reset the statistics: they count from here.
	if _, err := unix.GetsockoptTpacketStats(fd, unix.SOL_PACKET, unix.PACKET_STATISTICS); err != nil {
		return fmt.Errorf("%s: packet statistics: %v", fa.iface, err)
	}

	var (
		out    *bufio.Writer
		finish func() error
		w      *pcap.Writer
		p      *pktprint.Printer
	)
	if fa.write != "" {
		out, finish, err = createOutput(e, fa.write)
		if err != nil {
			return err
		}
		if w, err = pcap.NewWriter(out, lt, pcap.WriterOptions{Snaplen: pcap.MaxSnaplen}); err != nil {
			finish()
			return err
		}
	} else {
		out = bufio.NewWriter(e.stdout)
		finish = out.Flush
		p = pktprint.New(fa.printOptions())
	}
	fmt.Fprintf(e.stderr, "listening on %s, link-type %s, snapshot length %d bytes\n", fa.iface, lt, pcap.MaxSnaplen)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	defer signal.Stop(sig)

	buf := make([]byte, pcap.MaxSnaplen)
	captured := 0
	var loopErr error
	for fa.count == 0 || captured < fa.count {
		select {
		case <-sig:
			goto done
		default:
		}
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(pfd, 100)
		if err == unix.EINTR || n == 0 {
			continue
		}
		if err != nil {
			loopErr = fmt.Errorf("%s: poll: %v", fa.iface, err)
			break
		}
		size, from, err := unix.Recvfrom(fd, buf, unix.MSG_TRUNC|unix.MSG_DONTWAIT)
		if err == unix.EAGAIN || err == unix.EINTR {
			continue
		}
		if err != nil {
			loopErr = fmt.Errorf("%s: recvfrom: %v", fa.iface, err)
			break
		}
		// libpcap skips the outgoing copy of loopback packets: each is
		// also received.
		if ll, ok := from.(*unix.SockaddrLinklayer); ok && ll.Pkttype == unix.PACKET_OUTGOING && ll.Hatype == unix.ARPHRD_LOOPBACK {
			continue
		}
		now := time.Now()
		pkt := pcap.Packet{
			Seconds: now.Unix(), Nanoseconds: int64(now.Nanosecond()),
			Length: size, Data: buf[:min(size, len(buf))], LinkType: lt,
		}
		pkt.CaptureLength = len(pkt.Data)
		captured++
		if w != nil {
			pkt.Nanoseconds -= pkt.Nanoseconds % 1000
			if err := w.WritePacket(pkt); err != nil {
				loopErr = err
				break
			}
			if fa.write == "-" {
				out.Flush()
			}
		} else {
			out.WriteString(p.Line(pkt))
			out.WriteByte('\n')
			out.Flush()
		}
	}
done:
	if err := finish(); loopErr == nil {
		loopErr = err
	}
	st, err := unix.GetsockoptTpacketStats(fd, unix.SOL_PACKET, unix.PACKET_STATISTICS)
	if err != nil {
		st = &unix.TpacketStats{}
	}
	fmt.Fprintf(e.stderr, "%d packet%s captured\n%d packet%s received by filter\n%d packet%s dropped by kernel\n",
		captured, plural(captured), st.Packets, plural(int(st.Packets)), st.Drops, plural(int(st.Drops)))
	return loopErr
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func ifIndex(name string) (int, error) {
	b, err := os.ReadFile("/sys/class/net/" + name + "/ifindex")
	if err != nil {
		return 0, fmt.Errorf("%s: No such device exists", name)
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}
