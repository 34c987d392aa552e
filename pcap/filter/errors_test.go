package filter

import (
	"testing"

	"github.com/gbpf/gbpf/pcap"
)

// TestErrors checks libpcap's wording for rejected expressions.
func TestErrors(t *testing.T) {
	tests := []struct {
		expr string
		lt   pcap.LinkType
		opt  bool
		want string
	}{
		{"tcp and", pcap.LinkTypeEN10MB, false, "syntax error"},
		{"foo", pcap.LinkTypeEN10MB, false, "syntax error"},
		{"host nonexistent.invalid", pcap.LinkTypeEN10MB, false, "unknown host 'nonexistent.invalid'"},
		{"vlan", pcap.LinkTypeRAW, false, "'vlan' not supported on RAW"},
		{"tcp and udp", pcap.LinkTypeEN10MB, true, "expression rejects all packets"},
		{"port 1.2.3.4", pcap.LinkTypeEN10MB, false, "'port' qualifier applied to IPv4 address"},
		{"port 70000", pcap.LinkTypeEN10MB, false, "port number 70000 greater than maximum 65535"},
		{"ip proto 300", pcap.LinkTypeEN10MB, false, "protocol number 300 greater than maximum 255"},
		{"net 10.0.0.1/8", pcap.LinkTypeEN10MB, false, "non-network bits set in \"10.0.0.1/8\""},
		{"tcp[0:3] = 1", pcap.LinkTypeEN10MB, false, "data size must be 1, 2, or 4"},
		{"1 / 0 = 1", pcap.LinkTypeEN10MB, false, "division by zero"},
		{"ip broadcast", pcap.LinkTypeEN10MB, false, "netmask not known, so 'ip broadcast' not supported"},
		{"ip6 host 10.0.0.1", pcap.LinkTypeEN10MB, false, "'ip6' is not a valid qualifier for 'host <IPv4 address>'"},
		{"type foo", pcap.LinkTypeIEEE802_11, false, "unknown 802.11 type name \"foo\""},
		{"reason match", pcap.LinkTypeEN10MB, false, "'reason' supported only on PFLOG linktype"},
		{"sio 1", pcap.LinkTypeEN10MB, false, "'sio' supported only on SS7"},
		{"port nosuchport", pcap.LinkTypeEN10MB, false, "unknown port 'nosuchport'"},
		{"ether host 1:2:3", pcap.LinkTypeEN10MB, false, "invalid Ethernet address 1:2:"},
	}
	for _, tt := range tests {
		_, err := Compile(tt.expr, Options{LinkType: tt.lt, Optimize: tt.opt})
		if err == nil || err.Error() != tt.want {
			t.Errorf("%q on %s: got %v, want %q", tt.expr, tt.lt.Name(), err, tt.want)
		}
	}
}

// TestNames resolves hosts, MAC addresses and services from a test /etc.
func TestNames(t *testing.T) {
	db := loadNames("testdata/etc")
	compile := func(expr string) (err error) {
		c := newCompiler(pcap.LinkTypeEN10MB, DefaultSnaplen, netmaskUnknown, db)
		p := &parser{c: c}
		toks, lerr := lex(expr)
		if lerr != nil {
			return lerr
		}
		p.toks = toks
		defer func() {
			if r := recover(); r != nil {
				if ce, ok := r.(*compileError); ok {
					err = ce
					return
				}
				err = r.(error)
			}
		}()
		p.parseProg()
		_, err = toInstructions(c.root)
		return err
	}
	for _, e := range []string{"host gw.example", "host GW", "gateway gw.example", "ether host gw.example",
		"port web", "udp port web", "tcp port web", "udp port syslogx", "proto \\tcp", "host only4"} {
		if err := compile(e); err != nil {
			t.Errorf("%q: %v", e, err)
		}
	}
	for e, want := range map[string]string{
		"tcp port syslogx":    "port 'syslogx' is udp",
		"gateway only4":       "unknown Ethernet-like host 'only4'",
		"ip6 host only4":      "unknown host 'only4' for specified address family",
		"ether host nobody":   "unknown Ethernet-like host 'nobody'",
		"proto nosuchproto":   "unknown 'proto' value 'nosuchproto'",
		"portrange 10-nosuch": "'nosuch' is not a valid port",
	} {
		if err := compile(e); err == nil || err.Error() != want {
			t.Errorf("%q: got %v, want %q", e, err, want)
		}
	}
}
