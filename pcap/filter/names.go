package filter

import (
	"bufio"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
)

// nameDB holds the host, service, protocol and network names of the
// machine, read from /etc as libpcap's resolver functions see them.
type nameDB struct {
	hosts     map[string][]netip.Addr
	tcp, udp  map[string]int
	sctp      map[string]int
	protocols map[string]int
	networks  map[string]uint32
	ethers    map[string][]byte
}

var (
	systemNamesOnce sync.Once
	systemNamesDB   *nameDB
)

// systemNames returns the names of this machine, read once.
func systemNames() *nameDB {
	systemNamesOnce.Do(func() {
		systemNamesDB = loadNames("/etc")
	})
	return systemNamesDB
}

func eachLine(path string, f func(fields []string)) {
	fh, err := os.Open(path)
	if err != nil {
		return
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		if fields := strings.Fields(line); len(fields) > 0 {
			f(fields)
		}
	}
}

func loadNames(dir string) *nameDB {
	db := &nameDB{
		hosts: map[string][]netip.Addr{}, tcp: map[string]int{}, udp: map[string]int{},
		sctp: map[string]int{}, protocols: map[string]int{}, networks: map[string]uint32{},
		ethers: map[string][]byte{},
	}
	eachLine(dir+"/ethers", func(f []string) {
		if len(f) < 2 {
			return
		}
		if mac, ok := parseMAC48(f[0]); ok {
			if _, dup := db.ethers[f[1]]; !dup {
				db.ethers[f[1]] = mac
			}
		}
	})
	eachLine(dir+"/hosts", func(f []string) {
		a, err := netip.ParseAddr(f[0])
		if err != nil {
			return
		}
		a = a.WithZone("")
		for _, n := range f[1:] {
			n = strings.ToLower(n)
			if !containsAddr(db.hosts[n], a) {
				db.hosts[n] = append(db.hosts[n], a)
			}
		}
	})
	eachLine(dir+"/services", func(f []string) {
		if len(f) < 2 {
			return
		}
		pp := strings.SplitN(f[1], "/", 2)
		if len(pp) != 2 {
			return
		}
		port, err := strconv.Atoi(pp[0])
		if err != nil {
			return
		}
		var m map[string]int
		switch pp[1] {
		case "tcp":
			m = db.tcp
		case "udp":
			m = db.udp
		case "sctp":
			m = db.sctp
		default:
			return
		}
		for _, n := range append([]string{f[0]}, f[2:]...) {
			if _, ok := m[n]; !ok {
				m[n] = port
			}
		}
	})
	eachLine(dir+"/protocols", func(f []string) {
		if len(f) < 2 {
			return
		}
		v, err := strconv.Atoi(f[1])
		if err != nil {
			return
		}
		for _, n := range append([]string{f[0]}, f[2:]...) {
			if _, ok := db.protocols[n]; !ok {
				db.protocols[n] = v
			}
		}
	})
	eachLine(dir+"/networks", func(f []string) {
		if len(f) < 2 {
			return
		}
		var v uint32
		if n, ok := parseIPv4Prefix(f[1]); ok >= 0 {
			v = n
		} else {
			return
		}
		for _, n := range append([]string{f[0]}, f[2:]...) {
			if _, ok := db.networks[n]; !ok {
				db.networks[n] = v
			}
		}
	})
	return db
}

func containsAddr(l []netip.Addr, a netip.Addr) bool {
	for _, x := range l {
		if x == a {
			return true
		}
	}
	return false
}

// port resolves a service name the way pcap_nametoport does: TCP first,
// then UDP; a name that is both with the same number matches either.
func (db *nameDB) port(name string) (port, proto int, ok bool) {
	tp, tok := db.tcp[name]
	up, uok := db.udp[name]
	if tok {
		proto = ipprotoTCP
		if uok && up == tp {
			proto = protoUndef
		}
		return tp, proto, true
	}
	if uok {
		return up, ipprotoUDP, true
	}
	if sp, ok := db.sctp[name]; ok {
		return sp, ipprotoSCTP, true
	}
	return 0, 0, false
}

// parseIPv4Prefix parses 1 to 4 dotted numbers as pcapint_atoin does and
// returns the value and the number of bits given (8 per part), or -1.
func parseIPv4Prefix(s string) (uint32, int) {
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return 0, -1
	}
	var addr uint32
	n := 0
	for _, p := range parts {
		if p == "" {
			return 0, -1
		}
		v, err := strconv.ParseUint(p, 10, 32)
		if err != nil || v > 255 {
			return 0, -1
		}
		if false {
			// libpcap accepts larger values and shifts them in; refuse
			// only what cannot be a number.
			if err != nil {
				return 0, -1
			}
		}
		addr = addr<<8 | uint32(v)
		n += 8
	}
	return addr, n
}
