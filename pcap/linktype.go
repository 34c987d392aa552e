package pcap

import (
	"strconv"
	"strings"
)

// LinkType is a link-layer header type as libpcap reports it: a DLT_ value
// (pcap_datalink). Capture files store LINKTYPE_ values, which equal the DLT_
// values except for a few historical types; readers and writers convert
// between the two as libpcap does.
type LinkType uint32

type linkTypeInfo struct {
	lt          LinkType
	name        string
	description string
}

var linkTypeByValue = func() map[LinkType]int {
	m := make(map[LinkType]int, len(linkTypeTable))
	for i, e := range linkTypeTable {
		if _, dup := m[e.lt]; !dup {
			m[e.lt] = i
		}
	}
	return m
}()

// Name returns libpcap's name of the link type without the DLT_ prefix
// (pcap_datalink_val_to_name), for example "EN10MB", or "" when libpcap has
// no name for it.
func (lt LinkType) Name() string {
	if i, ok := linkTypeByValue[lt]; ok {
		return linkTypeTable[i].name
	}
	return ""
}

// Description returns libpcap's description of the link type
// (pcap_datalink_val_to_description), for example "Ethernet", or "" when
// libpcap has none.
func (lt LinkType) Description() string {
	if i, ok := linkTypeByValue[lt]; ok {
		return linkTypeTable[i].description
	}
	return ""
}

// String returns the link type as tcpdump prints it after "link-type":
// "EN10MB (Ethernet)", or the decimal number when libpcap has no name for it.
func (lt LinkType) String() string {
	if i, ok := linkTypeByValue[lt]; ok {
		return linkTypeTable[i].name + " (" + linkTypeTable[i].description + ")"
	}
	return strconv.FormatUint(uint64(lt), 10)
}

// LinkTypeByName returns the link type with the given libpcap name, with or
// without the DLT_ prefix, ignoring case, as pcap_datalink_name_to_val does
// (tcpdump -y). The second result is false for an unknown name.
func LinkTypeByName(name string) (LinkType, bool) {
	if len(name) > 4 && strings.EqualFold(name[:4], "DLT_") {
		name = name[4:]
	}
	for _, e := range linkTypeTable {
		if strings.EqualFold(e.name, name) {
			return e.lt, true
		}
	}
	return 0, false
}

// LINKTYPE_ values that differ from the DLT_ value they stand for on Linux.
const (
	linktypeATMRFC1483 = 100
	linktypeRaw        = 101
	linktypeSLIPBSDOS  = 102
	linktypePPPBSDOS   = 103
	linktypeATMClip    = 106
	linktypePFSync     = 246
	linktypePKTAP      = 258

	linktypeMatchingMin = 104
	linktypeMatchingMax = 289
)

// linkTypeFromFile converts a LINKTYPE_ value stored in a capture file to the
// DLT_ value libpcap reports (libpcap's linktype_to_dlt on Linux).
func linkTypeFromFile(v uint32) LinkType {
	switch v {
	case linktypePFSync:
		return LinkTypePFSYNC
	case linktypePKTAP:
		return LinkTypePKTAP
	}
	if v >= linktypeMatchingMin && v <= linktypeMatchingMax && v != linktypeATMClip {
		return LinkType(v)
	}
	switch v {
	case linktypeATMRFC1483:
		return LinkTypeATM_RFC1483
	case linktypeRaw:
		return LinkTypeRAW
	case linktypeSLIPBSDOS:
		return LinkTypeSLIP_BSDOS
	case linktypePPPBSDOS:
		return LinkTypePPP_BSDOS
	case linktypeATMClip:
		return LinkTypeATM_CLIP
	}
	return LinkType(v)
}

// FileValue returns the LINKTYPE_ value that a capture file stores for the
// link type (libpcap's dlt_to_linktype), and false when the type has none.
func (lt LinkType) FileValue() (uint32, bool) {
	switch lt {
	case LinkTypePFSYNC:
		return linktypePFSync, true
	case LinkTypePKTAP:
		return linktypePKTAP, true
	}
	if lt >= linktypeMatchingMin && lt <= linktypeMatchingMax {
		return uint32(lt), true
	}
	switch lt {
	case LinkTypeNULL, LinkTypeEN10MB, 2, 3, 4, 5, LinkTypeIEEE802, LinkTypeARCNET,
		LinkTypeSLIP, LinkTypePPP, LinkTypeFDDI, LinkTypeSYMANTEC_FIREWALL,
		LinkTypePPP_SERIAL, LinkTypePPP_ETHER:
		return uint32(lt), true
	case LinkTypeATM_RFC1483:
		return linktypeATMRFC1483, true
	case LinkTypeRAW:
		return linktypeRaw, true
	case LinkTypeSLIP_BSDOS:
		return linktypeSLIPBSDOS, true
	case LinkTypePPP_BSDOS:
		return linktypePPPBSDOS, true
	case LinkTypeATM_CLIP:
		return linktypeATMClip, true
	}
	return 0, false
}

// maxSnaplen returns the largest captured length libpcap accepts for a link
// type (max_snaplen_for_dlt): larger records are errors, not packets.
func maxSnaplen(lt LinkType) uint32 {
	switch lt {
	case LinkTypeDBUS:
		return 128 * 1024 * 1024
	case LinkTypeEBHSCR:
		return 8 * 1024 * 1024
	case LinkTypeUSBPCAP:
		return 1024 * 1024
	}
	return MaxSnaplen
}

// MaxSnaplen is libpcap's maximum snapshot length for most link types
// (MAXIMUM_SNAPLEN), and the snapshot length tcpdump uses by default.
const MaxSnaplen = 262144

// adjustSnaplen is libpcap's pcap_adjust_snapshot: a zero or negative (as an
// int) snapshot length in a file is replaced by the link type's maximum.
func adjustSnaplen(lt LinkType, snaplen uint32) uint32 {
	if snaplen == 0 || snaplen > 1<<31-1 {
		return maxSnaplen(lt)
	}
	return snaplen
}
