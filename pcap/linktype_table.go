// The link-type table below transcribes libpcap 1.10.3's dlt_choices: the names and
// descriptions that pcap_datalink_val_to_name and pcap_datalink_val_to_description return.

package pcap

// Link-layer header types known to libpcap 1.10.3, named as libpcap names them
// (the DLT_ prefix replaced by LinkType). The values are the DLT_ numbers of
// Linux, which are what a Reader reports.
const (
	// LinkTypeNULL is DLT_NULL: BSD loopback.
	LinkTypeNULL LinkType = 0
	// LinkTypeEN10MB is DLT_EN10MB: Ethernet.
	LinkTypeEN10MB LinkType = 1
	// LinkTypeIEEE802 is DLT_IEEE802: Token ring.
	LinkTypeIEEE802 LinkType = 6
	// LinkTypeARCNET is DLT_ARCNET: BSD ARCNET.
	LinkTypeARCNET LinkType = 7
	// LinkTypeSLIP is DLT_SLIP: SLIP.
	LinkTypeSLIP LinkType = 8
	// LinkTypePPP is DLT_PPP: PPP.
	LinkTypePPP LinkType = 9
	// LinkTypeFDDI is DLT_FDDI: FDDI.
	LinkTypeFDDI LinkType = 10
	// LinkTypeATM_RFC1483 is DLT_ATM_RFC1483: RFC 1483 LLC-encapsulated ATM.
	LinkTypeATM_RFC1483 LinkType = 11
	// LinkTypeRAW is DLT_RAW: Raw IP.
	LinkTypeRAW LinkType = 12
	// LinkTypeSLIP_BSDOS is DLT_SLIP_BSDOS: BSD/OS SLIP.
	LinkTypeSLIP_BSDOS LinkType = 15
	// LinkTypePPP_BSDOS is DLT_PPP_BSDOS: BSD/OS PPP.
	LinkTypePPP_BSDOS LinkType = 16
	// LinkTypeATM_CLIP is DLT_ATM_CLIP: Linux Classical IP over ATM.
	LinkTypeATM_CLIP LinkType = 19
	// LinkTypePPP_SERIAL is DLT_PPP_SERIAL: PPP over serial.
	LinkTypePPP_SERIAL LinkType = 50
	// LinkTypePPP_ETHER is DLT_PPP_ETHER: PPPoE.
	LinkTypePPP_ETHER LinkType = 51
	// LinkTypeSYMANTEC_FIREWALL is DLT_SYMANTEC_FIREWALL: Symantec Firewall.
	LinkTypeSYMANTEC_FIREWALL LinkType = 99
	// LinkTypeC_HDLC is DLT_C_HDLC: Cisco HDLC.
	LinkTypeC_HDLC LinkType = 104
	// LinkTypeIEEE802_11 is DLT_IEEE802_11: 802.11.
	LinkTypeIEEE802_11 LinkType = 105
	// LinkTypeFRELAY is DLT_FRELAY: Frame Relay.
	LinkTypeFRELAY LinkType = 107
	// LinkTypeLOOP is DLT_LOOP: OpenBSD loopback.
	LinkTypeLOOP LinkType = 108
	// LinkTypeENC is DLT_ENC: OpenBSD encapsulated IP.
	LinkTypeENC LinkType = 109
	// LinkTypeLINUX_SLL is DLT_LINUX_SLL: Linux cooked v1.
	LinkTypeLINUX_SLL LinkType = 113
	// LinkTypeLTALK is DLT_LTALK: Localtalk.
	LinkTypeLTALK LinkType = 114
	// LinkTypePFLOG is DLT_PFLOG: OpenBSD pflog file.
	LinkTypePFLOG LinkType = 117
	// LinkTypePRISM_HEADER is DLT_PRISM_HEADER: 802.11 plus Prism header.
	LinkTypePRISM_HEADER LinkType = 119
	// LinkTypeIP_OVER_FC is DLT_IP_OVER_FC: RFC 2625 IP-over-Fibre Channel.
	LinkTypeIP_OVER_FC LinkType = 122
	// LinkTypeSUNATM is DLT_SUNATM: Sun raw ATM.
	LinkTypeSUNATM LinkType = 123
	// LinkTypeIEEE802_11_RADIO is DLT_IEEE802_11_RADIO: 802.11 plus radiotap header.
	LinkTypeIEEE802_11_RADIO LinkType = 127
	// LinkTypeARCNET_LINUX is DLT_ARCNET_LINUX: Linux ARCNET.
	LinkTypeARCNET_LINUX LinkType = 129
	// LinkTypeJUNIPER_MLPPP is DLT_JUNIPER_MLPPP: Juniper Multi-Link PPP.
	LinkTypeJUNIPER_MLPPP LinkType = 130
	// LinkTypeJUNIPER_MLFR is DLT_JUNIPER_MLFR: Juniper Multi-Link Frame Relay.
	LinkTypeJUNIPER_MLFR LinkType = 131
	// LinkTypeJUNIPER_ES is DLT_JUNIPER_ES: Juniper Encryption Services PIC.
	LinkTypeJUNIPER_ES LinkType = 132
	// LinkTypeJUNIPER_GGSN is DLT_JUNIPER_GGSN: Juniper GGSN PIC.
	LinkTypeJUNIPER_GGSN LinkType = 133
	// LinkTypeJUNIPER_MFR is DLT_JUNIPER_MFR: Juniper FRF.16 Frame Relay.
	LinkTypeJUNIPER_MFR LinkType = 134
	// LinkTypeJUNIPER_ATM2 is DLT_JUNIPER_ATM2: Juniper ATM2 PIC.
	LinkTypeJUNIPER_ATM2 LinkType = 135
	// LinkTypeJUNIPER_SERVICES is DLT_JUNIPER_SERVICES: Juniper Advanced Services PIC.
	LinkTypeJUNIPER_SERVICES LinkType = 136
	// LinkTypeJUNIPER_ATM1 is DLT_JUNIPER_ATM1: Juniper ATM1 PIC.
	LinkTypeJUNIPER_ATM1 LinkType = 137
	// LinkTypeAPPLE_IP_OVER_IEEE1394 is DLT_APPLE_IP_OVER_IEEE1394: Apple IP-over-IEEE 1394.
	LinkTypeAPPLE_IP_OVER_IEEE1394 LinkType = 138
	// LinkTypeMTP2_WITH_PHDR is DLT_MTP2_WITH_PHDR: SS7 MTP2 with Pseudo-header.
	LinkTypeMTP2_WITH_PHDR LinkType = 139
	// LinkTypeMTP2 is DLT_MTP2: SS7 MTP2.
	LinkTypeMTP2 LinkType = 140
	// LinkTypeMTP3 is DLT_MTP3: SS7 MTP3.
	LinkTypeMTP3 LinkType = 141
	// LinkTypeSCCP is DLT_SCCP: SS7 SCCP.
	LinkTypeSCCP LinkType = 142
	// LinkTypeDOCSIS is DLT_DOCSIS: DOCSIS.
	LinkTypeDOCSIS LinkType = 143
	// LinkTypeLINUX_IRDA is DLT_LINUX_IRDA: Linux IrDA.
	LinkTypeLINUX_IRDA LinkType = 144
	// LinkTypeIEEE802_11_RADIO_AVS is DLT_IEEE802_11_RADIO_AVS: 802.11 plus AVS radio information header.
	LinkTypeIEEE802_11_RADIO_AVS LinkType = 163
	// LinkTypeJUNIPER_MONITOR is DLT_JUNIPER_MONITOR: Juniper Passive Monitor PIC.
	LinkTypeJUNIPER_MONITOR LinkType = 164
	// LinkTypeBACNET_MS_TP is DLT_BACNET_MS_TP: BACnet MS/TP.
	LinkTypeBACNET_MS_TP LinkType = 165
	// LinkTypePPP_PPPD is DLT_PPP_PPPD: PPP for pppd, with direction flag.
	LinkTypePPP_PPPD LinkType = 166
	// LinkTypeJUNIPER_PPPOE is DLT_JUNIPER_PPPOE: Juniper PPPoE.
	LinkTypeJUNIPER_PPPOE LinkType = 167
	// LinkTypeJUNIPER_PPPOE_ATM is DLT_JUNIPER_PPPOE_ATM: Juniper PPPoE/ATM.
	LinkTypeJUNIPER_PPPOE_ATM LinkType = 168
	// LinkTypeGPRS_LLC is DLT_GPRS_LLC: GPRS LLC.
	LinkTypeGPRS_LLC LinkType = 169
	// LinkTypeGPF_T is DLT_GPF_T: GPF-T.
	LinkTypeGPF_T LinkType = 170
	// LinkTypeGPF_F is DLT_GPF_F: GPF-F.
	LinkTypeGPF_F LinkType = 171
	// LinkTypeJUNIPER_PIC_PEER is DLT_JUNIPER_PIC_PEER: Juniper PIC Peer.
	LinkTypeJUNIPER_PIC_PEER LinkType = 174
	// LinkTypeERF_ETH is DLT_ERF_ETH: Ethernet with Endace ERF header.
	LinkTypeERF_ETH LinkType = 175
	// LinkTypeERF_POS is DLT_ERF_POS: Packet-over-SONET with Endace ERF header.
	LinkTypeERF_POS LinkType = 176
	// LinkTypeLINUX_LAPD is DLT_LINUX_LAPD: Linux vISDN LAPD.
	LinkTypeLINUX_LAPD LinkType = 177
	// LinkTypeJUNIPER_ETHER is DLT_JUNIPER_ETHER: Juniper Ethernet.
	LinkTypeJUNIPER_ETHER LinkType = 178
	// LinkTypeJUNIPER_PPP is DLT_JUNIPER_PPP: Juniper PPP.
	LinkTypeJUNIPER_PPP LinkType = 179
	// LinkTypeJUNIPER_FRELAY is DLT_JUNIPER_FRELAY: Juniper Frame Relay.
	LinkTypeJUNIPER_FRELAY LinkType = 180
	// LinkTypeJUNIPER_CHDLC is DLT_JUNIPER_CHDLC: Juniper C-HDLC.
	LinkTypeJUNIPER_CHDLC LinkType = 181
	// LinkTypeMFR is DLT_MFR: FRF.16 Frame Relay.
	LinkTypeMFR LinkType = 182
	// LinkTypeJUNIPER_VP is DLT_JUNIPER_VP: Juniper Voice PIC.
	LinkTypeJUNIPER_VP LinkType = 183
	// LinkTypeA429 is DLT_A429: Arinc 429.
	LinkTypeA429 LinkType = 184
	// LinkTypeA653_ICM is DLT_A653_ICM: Arinc 653 Interpartition Communication.
	LinkTypeA653_ICM LinkType = 185
	// LinkTypeUSB_FREEBSD is DLT_USB_FREEBSD: USB with FreeBSD header.
	LinkTypeUSB_FREEBSD LinkType = 186
	// LinkTypeBLUETOOTH_HCI_H4 is DLT_BLUETOOTH_HCI_H4: Bluetooth HCI UART transport layer.
	LinkTypeBLUETOOTH_HCI_H4 LinkType = 187
	// LinkTypeIEEE802_16_MAC_CPS is DLT_IEEE802_16_MAC_CPS: IEEE 802.16 MAC Common Part Sublayer.
	LinkTypeIEEE802_16_MAC_CPS LinkType = 188
	// LinkTypeUSB_LINUX is DLT_USB_LINUX: USB with Linux header.
	LinkTypeUSB_LINUX LinkType = 189
	// LinkTypeCAN20B is DLT_CAN20B: Controller Area Network (CAN) v. 2.0B.
	LinkTypeCAN20B LinkType = 190
	// LinkTypeIEEE802_15_4_LINUX is DLT_IEEE802_15_4_LINUX: IEEE 802.15.4 with Linux padding.
	LinkTypeIEEE802_15_4_LINUX LinkType = 191
	// LinkTypePPI is DLT_PPI: Per-Packet Information.
	LinkTypePPI LinkType = 192
	// LinkTypeIEEE802_16_MAC_CPS_RADIO is DLT_IEEE802_16_MAC_CPS_RADIO: IEEE 802.16 MAC Common Part Sublayer plus radiotap header.
	LinkTypeIEEE802_16_MAC_CPS_RADIO LinkType = 193
	// LinkTypeJUNIPER_ISM is DLT_JUNIPER_ISM: Juniper Integrated Service Module.
	LinkTypeJUNIPER_ISM LinkType = 194
	// LinkTypeIEEE802_15_4 is DLT_IEEE802_15_4: IEEE 802.15.4 with FCS.
	LinkTypeIEEE802_15_4 LinkType = 195
	// LinkTypeSITA is DLT_SITA: SITA pseudo-header.
	LinkTypeSITA LinkType = 196
	// LinkTypeERF is DLT_ERF: Endace ERF header.
	LinkTypeERF LinkType = 197
	// LinkTypeRAIF1 is DLT_RAIF1: Ethernet with u10 Networks pseudo-header.
	LinkTypeRAIF1 LinkType = 198
	// LinkTypeIPMB_KONTRON is DLT_IPMB_KONTRON: IPMB with Kontron pseudo-header.
	LinkTypeIPMB_KONTRON LinkType = 199
	// LinkTypeJUNIPER_ST is DLT_JUNIPER_ST: Juniper Secure Tunnel.
	LinkTypeJUNIPER_ST LinkType = 200
	// LinkTypeBLUETOOTH_HCI_H4_WITH_PHDR is DLT_BLUETOOTH_HCI_H4_WITH_PHDR: Bluetooth HCI UART transport layer plus pseudo-header.
	LinkTypeBLUETOOTH_HCI_H4_WITH_PHDR LinkType = 201
	// LinkTypeAX25_KISS is DLT_AX25_KISS: AX.25 with KISS header.
	LinkTypeAX25_KISS LinkType = 202
	// LinkTypeIPMB_LINUX is DLT_IPMB_LINUX: IPMB with Linux/Pigeon Point pseudo-header.
	LinkTypeIPMB_LINUX LinkType = 209
	// LinkTypeIEEE802_15_4_NONASK_PHY is DLT_IEEE802_15_4_NONASK_PHY: IEEE 802.15.4 with non-ASK PHY data.
	LinkTypeIEEE802_15_4_NONASK_PHY LinkType = 215
	// LinkTypeLINUX_EVDEV is DLT_LINUX_EVDEV: Linux evdev events.
	LinkTypeLINUX_EVDEV LinkType = 216
	// LinkTypeMPLS is DLT_MPLS: MPLS with label as link-layer header.
	LinkTypeMPLS LinkType = 219
	// LinkTypeUSB_LINUX_MMAPPED is DLT_USB_LINUX_MMAPPED: USB with padded Linux header.
	LinkTypeUSB_LINUX_MMAPPED LinkType = 220
	// LinkTypeDECT is DLT_DECT: DECT.
	LinkTypeDECT LinkType = 221
	// LinkTypeAOS is DLT_AOS: AOS Space Data Link protocol.
	LinkTypeAOS LinkType = 222
	// LinkTypeWIHART is DLT_WIHART: Wireless HART.
	LinkTypeWIHART LinkType = 223
	// LinkTypeFC_2 is DLT_FC_2: Fibre Channel FC-2.
	LinkTypeFC_2 LinkType = 224
	// LinkTypeFC_2_WITH_FRAME_DELIMS is DLT_FC_2_WITH_FRAME_DELIMS: Fibre Channel FC-2 with frame delimiters.
	LinkTypeFC_2_WITH_FRAME_DELIMS LinkType = 225
	// LinkTypeIPNET is DLT_IPNET: Solaris ipnet.
	LinkTypeIPNET LinkType = 226
	// LinkTypeCAN_SOCKETCAN is DLT_CAN_SOCKETCAN: CAN-bus with SocketCAN headers.
	LinkTypeCAN_SOCKETCAN LinkType = 227
	// LinkTypeIPV4 is DLT_IPV4: Raw IPv4.
	LinkTypeIPV4 LinkType = 228
	// LinkTypeIPV6 is DLT_IPV6: Raw IPv6.
	LinkTypeIPV6 LinkType = 229
	// LinkTypeIEEE802_15_4_NOFCS is DLT_IEEE802_15_4_NOFCS: IEEE 802.15.4 without FCS.
	LinkTypeIEEE802_15_4_NOFCS LinkType = 230
	// LinkTypeDBUS is DLT_DBUS: D-Bus.
	LinkTypeDBUS LinkType = 231
	// LinkTypeJUNIPER_VS is DLT_JUNIPER_VS: Juniper Virtual Server.
	LinkTypeJUNIPER_VS LinkType = 232
	// LinkTypeJUNIPER_SRX_E2E is DLT_JUNIPER_SRX_E2E: Juniper SRX E2E.
	LinkTypeJUNIPER_SRX_E2E LinkType = 233
	// LinkTypeJUNIPER_FIBRECHANNEL is DLT_JUNIPER_FIBRECHANNEL: Juniper Fibre Channel.
	LinkTypeJUNIPER_FIBRECHANNEL LinkType = 234
	// LinkTypeDVB_CI is DLT_DVB_CI: DVB-CI.
	LinkTypeDVB_CI LinkType = 235
	// LinkTypeMUX27010 is DLT_MUX27010: MUX27010.
	LinkTypeMUX27010 LinkType = 236
	// LinkTypeSTANAG_5066_D_PDU is DLT_STANAG_5066_D_PDU: STANAG 5066 D_PDUs.
	LinkTypeSTANAG_5066_D_PDU LinkType = 237
	// LinkTypeJUNIPER_ATM_CEMIC is DLT_JUNIPER_ATM_CEMIC: Juniper ATM CEMIC.
	LinkTypeJUNIPER_ATM_CEMIC LinkType = 238
	// LinkTypeNFLOG is DLT_NFLOG: Linux netfilter log messages.
	LinkTypeNFLOG LinkType = 239
	// LinkTypeNETANALYZER is DLT_NETANALYZER: Ethernet with Hilscher netANALYZER pseudo-header.
	LinkTypeNETANALYZER LinkType = 240
	// LinkTypeNETANALYZER_TRANSPARENT is DLT_NETANALYZER_TRANSPARENT: Ethernet with Hilscher netANALYZER pseudo-header and with preamble and SFD.
	LinkTypeNETANALYZER_TRANSPARENT LinkType = 241
	// LinkTypeIPOIB is DLT_IPOIB: RFC 4391 IP-over-Infiniband.
	LinkTypeIPOIB LinkType = 242
	// LinkTypeMPEG_2_TS is DLT_MPEG_2_TS: MPEG-2 transport stream.
	LinkTypeMPEG_2_TS LinkType = 243
	// LinkTypeNG40 is DLT_NG40: ng40 protocol tester Iub/Iur.
	LinkTypeNG40 LinkType = 244
	// LinkTypeNFC_LLCP is DLT_NFC_LLCP: NFC LLCP PDUs with pseudo-header.
	LinkTypeNFC_LLCP LinkType = 245
	// LinkTypePFSYNC is DLT_PFSYNC: Packet filter state syncing.
	LinkTypePFSYNC LinkType = 246
	// LinkTypeINFINIBAND is DLT_INFINIBAND: InfiniBand.
	LinkTypeINFINIBAND LinkType = 247
	// LinkTypeSCTP is DLT_SCTP: SCTP.
	LinkTypeSCTP LinkType = 248
	// LinkTypeUSBPCAP is DLT_USBPCAP: USB with USBPcap header.
	LinkTypeUSBPCAP LinkType = 249
	// LinkTypeRTAC_SERIAL is DLT_RTAC_SERIAL: Schweitzer Engineering Laboratories RTAC packets.
	LinkTypeRTAC_SERIAL LinkType = 250
	// LinkTypeBLUETOOTH_LE_LL is DLT_BLUETOOTH_LE_LL: Bluetooth Low Energy air interface.
	LinkTypeBLUETOOTH_LE_LL LinkType = 251
	// LinkTypeNETLINK is DLT_NETLINK: Linux netlink.
	LinkTypeNETLINK LinkType = 253
	// LinkTypeBLUETOOTH_LINUX_MONITOR is DLT_BLUETOOTH_LINUX_MONITOR: Bluetooth Linux Monitor.
	LinkTypeBLUETOOTH_LINUX_MONITOR LinkType = 254
	// LinkTypeBLUETOOTH_BREDR_BB is DLT_BLUETOOTH_BREDR_BB: Bluetooth Basic Rate/Enhanced Data Rate baseband packets.
	LinkTypeBLUETOOTH_BREDR_BB LinkType = 255
	// LinkTypeBLUETOOTH_LE_LL_WITH_PHDR is DLT_BLUETOOTH_LE_LL_WITH_PHDR: Bluetooth Low Energy air interface with pseudo-header.
	LinkTypeBLUETOOTH_LE_LL_WITH_PHDR LinkType = 256
	// LinkTypePROFIBUS_DL is DLT_PROFIBUS_DL: PROFIBUS data link layer.
	LinkTypePROFIBUS_DL LinkType = 257
	// LinkTypePKTAP is DLT_PKTAP: Apple DLT_PKTAP.
	LinkTypePKTAP LinkType = 258
	// LinkTypeEPON is DLT_EPON: Ethernet with 802.3 Clause 65 EPON preamble.
	LinkTypeEPON LinkType = 259
	// LinkTypeIPMI_HPM_2 is DLT_IPMI_HPM_2: IPMI trace packets.
	LinkTypeIPMI_HPM_2 LinkType = 260
	// LinkTypeZWAVE_R1_R2 is DLT_ZWAVE_R1_R2: Z-Wave RF profile R1 and R2 packets.
	LinkTypeZWAVE_R1_R2 LinkType = 261
	// LinkTypeZWAVE_R3 is DLT_ZWAVE_R3: Z-Wave RF profile R3 packets.
	LinkTypeZWAVE_R3 LinkType = 262
	// LinkTypeWATTSTOPPER_DLM is DLT_WATTSTOPPER_DLM: WattStopper Digital Lighting Management (DLM) and Legrand Nitoo Open protocol.
	LinkTypeWATTSTOPPER_DLM LinkType = 263
	// LinkTypeISO_14443 is DLT_ISO_14443: ISO 14443 messages.
	LinkTypeISO_14443 LinkType = 264
	// LinkTypeRDS is DLT_RDS: IEC 62106 Radio Data System groups.
	LinkTypeRDS LinkType = 265
	// LinkTypeUSB_DARWIN is DLT_USB_DARWIN: USB with Darwin header.
	LinkTypeUSB_DARWIN LinkType = 266
	// LinkTypeOPENFLOW is DLT_OPENFLOW: OpenBSD DLT_OPENFLOW.
	LinkTypeOPENFLOW LinkType = 267
	// LinkTypeSDLC is DLT_SDLC: IBM SDLC frames.
	LinkTypeSDLC LinkType = 268
	// LinkTypeTI_LLN_SNIFFER is DLT_TI_LLN_SNIFFER: TI LLN sniffer frames.
	LinkTypeTI_LLN_SNIFFER LinkType = 269
	// LinkTypeVSOCK is DLT_VSOCK: Linux vsock.
	LinkTypeVSOCK LinkType = 271
	// LinkTypeNORDIC_BLE is DLT_NORDIC_BLE: Nordic Semiconductor Bluetooth LE sniffer frames.
	LinkTypeNORDIC_BLE LinkType = 272
	// LinkTypeDOCSIS31_XRA31 is DLT_DOCSIS31_XRA31: Excentis XRA-31 DOCSIS 3.1 RF sniffer frames.
	LinkTypeDOCSIS31_XRA31 LinkType = 273
	// LinkTypeETHERNET_MPACKET is DLT_ETHERNET_MPACKET: 802.3br mPackets.
	LinkTypeETHERNET_MPACKET LinkType = 274
	// LinkTypeDISPLAYPORT_AUX is DLT_DISPLAYPORT_AUX: DisplayPort AUX channel monitoring data.
	LinkTypeDISPLAYPORT_AUX LinkType = 275
	// LinkTypeLINUX_SLL2 is DLT_LINUX_SLL2: Linux cooked v2.
	LinkTypeLINUX_SLL2 LinkType = 276
	// LinkTypeOPENVIZSLA is DLT_OPENVIZSLA: OpenVizsla USB.
	LinkTypeOPENVIZSLA LinkType = 278
	// LinkTypeEBHSCR is DLT_EBHSCR: Elektrobit High Speed Capture and Replay (EBHSCR).
	LinkTypeEBHSCR LinkType = 279
	// LinkTypeVPP_DISPATCH is DLT_VPP_DISPATCH: VPP graph dispatch tracer.
	LinkTypeVPP_DISPATCH LinkType = 280
	// LinkTypeDSA_TAG_BRCM is DLT_DSA_TAG_BRCM: Broadcom tag.
	LinkTypeDSA_TAG_BRCM LinkType = 281
	// LinkTypeDSA_TAG_BRCM_PREPEND is DLT_DSA_TAG_BRCM_PREPEND: Broadcom tag (prepended).
	LinkTypeDSA_TAG_BRCM_PREPEND LinkType = 282
	// LinkTypeIEEE802_15_4_TAP is DLT_IEEE802_15_4_TAP: IEEE 802.15.4 with pseudo-header.
	LinkTypeIEEE802_15_4_TAP LinkType = 283
	// LinkTypeDSA_TAG_DSA is DLT_DSA_TAG_DSA: Marvell DSA.
	LinkTypeDSA_TAG_DSA LinkType = 284
	// LinkTypeDSA_TAG_EDSA is DLT_DSA_TAG_EDSA: Marvell EDSA.
	LinkTypeDSA_TAG_EDSA LinkType = 285
	// LinkTypeELEE is DLT_ELEE: ELEE lawful intercept packets.
	LinkTypeELEE LinkType = 286
	// LinkTypeZ_WAVE_SERIAL is DLT_Z_WAVE_SERIAL: Z-Wave serial frames between host and chip.
	LinkTypeZ_WAVE_SERIAL LinkType = 287
	// LinkTypeUSB_2_0 is DLT_USB_2_0: USB 2.0/1.1/1.0 as transmitted over the cable.
	LinkTypeUSB_2_0 LinkType = 288
	// LinkTypeATSC_ALP is DLT_ATSC_ALP: ATSC Link-Layer Protocol packets.
	LinkTypeATSC_ALP LinkType = 289
)

// linkTypeTable lists the link types in the order of libpcap's dlt_choices table.
var linkTypeTable = []linkTypeInfo{
	{LinkTypeNULL, "NULL", "BSD loopback"},
	{LinkTypeEN10MB, "EN10MB", "Ethernet"},
	{LinkTypeIEEE802, "IEEE802", "Token ring"},
	{LinkTypeARCNET, "ARCNET", "BSD ARCNET"},
	{LinkTypeSLIP, "SLIP", "SLIP"},
	{LinkTypePPP, "PPP", "PPP"},
	{LinkTypeFDDI, "FDDI", "FDDI"},
	{LinkTypeATM_RFC1483, "ATM_RFC1483", "RFC 1483 LLC-encapsulated ATM"},
	{LinkTypeRAW, "RAW", "Raw IP"},
	{LinkTypeSLIP_BSDOS, "SLIP_BSDOS", "BSD/OS SLIP"},
	{LinkTypePPP_BSDOS, "PPP_BSDOS", "BSD/OS PPP"},
	{LinkTypeATM_CLIP, "ATM_CLIP", "Linux Classical IP over ATM"},
	{LinkTypePPP_SERIAL, "PPP_SERIAL", "PPP over serial"},
	{LinkTypePPP_ETHER, "PPP_ETHER", "PPPoE"},
	{LinkTypeSYMANTEC_FIREWALL, "SYMANTEC_FIREWALL", "Symantec Firewall"},
	{LinkTypeC_HDLC, "C_HDLC", "Cisco HDLC"},
	{LinkTypeIEEE802_11, "IEEE802_11", "802.11"},
	{LinkTypeFRELAY, "FRELAY", "Frame Relay"},
	{LinkTypeLOOP, "LOOP", "OpenBSD loopback"},
	{LinkTypeENC, "ENC", "OpenBSD encapsulated IP"},
	{LinkTypeLINUX_SLL, "LINUX_SLL", "Linux cooked v1"},
	{LinkTypeLTALK, "LTALK", "Localtalk"},
	{LinkTypePFLOG, "PFLOG", "OpenBSD pflog file"},
	{LinkTypePRISM_HEADER, "PRISM_HEADER", "802.11 plus Prism header"},
	{LinkTypeIP_OVER_FC, "IP_OVER_FC", "RFC 2625 IP-over-Fibre Channel"},
	{LinkTypeSUNATM, "SUNATM", "Sun raw ATM"},
	{LinkTypeIEEE802_11_RADIO, "IEEE802_11_RADIO", "802.11 plus radiotap header"},
	{LinkTypeARCNET_LINUX, "ARCNET_LINUX", "Linux ARCNET"},
	{LinkTypeJUNIPER_MLPPP, "JUNIPER_MLPPP", "Juniper Multi-Link PPP"},
	{LinkTypeJUNIPER_MLFR, "JUNIPER_MLFR", "Juniper Multi-Link Frame Relay"},
	{LinkTypeJUNIPER_ES, "JUNIPER_ES", "Juniper Encryption Services PIC"},
	{LinkTypeJUNIPER_GGSN, "JUNIPER_GGSN", "Juniper GGSN PIC"},
	{LinkTypeJUNIPER_MFR, "JUNIPER_MFR", "Juniper FRF.16 Frame Relay"},
	{LinkTypeJUNIPER_ATM2, "JUNIPER_ATM2", "Juniper ATM2 PIC"},
	{LinkTypeJUNIPER_SERVICES, "JUNIPER_SERVICES", "Juniper Advanced Services PIC"},
	{LinkTypeJUNIPER_ATM1, "JUNIPER_ATM1", "Juniper ATM1 PIC"},
	{LinkTypeAPPLE_IP_OVER_IEEE1394, "APPLE_IP_OVER_IEEE1394", "Apple IP-over-IEEE 1394"},
	{LinkTypeMTP2_WITH_PHDR, "MTP2_WITH_PHDR", "SS7 MTP2 with Pseudo-header"},
	{LinkTypeMTP2, "MTP2", "SS7 MTP2"},
	{LinkTypeMTP3, "MTP3", "SS7 MTP3"},
	{LinkTypeSCCP, "SCCP", "SS7 SCCP"},
	{LinkTypeDOCSIS, "DOCSIS", "DOCSIS"},
	{LinkTypeLINUX_IRDA, "LINUX_IRDA", "Linux IrDA"},
	{LinkTypeIEEE802_11_RADIO_AVS, "IEEE802_11_RADIO_AVS", "802.11 plus AVS radio information header"},
	{LinkTypeJUNIPER_MONITOR, "JUNIPER_MONITOR", "Juniper Passive Monitor PIC"},
	{LinkTypeBACNET_MS_TP, "BACNET_MS_TP", "BACnet MS/TP"},
	{LinkTypePPP_PPPD, "PPP_PPPD", "PPP for pppd, with direction flag"},
	{LinkTypeJUNIPER_PPPOE, "JUNIPER_PPPOE", "Juniper PPPoE"},
	{LinkTypeJUNIPER_PPPOE_ATM, "JUNIPER_PPPOE_ATM", "Juniper PPPoE/ATM"},
	{LinkTypeGPRS_LLC, "GPRS_LLC", "GPRS LLC"},
	{LinkTypeGPF_T, "GPF_T", "GPF-T"},
	{LinkTypeGPF_F, "GPF_F", "GPF-F"},
	{LinkTypeJUNIPER_PIC_PEER, "JUNIPER_PIC_PEER", "Juniper PIC Peer"},
	{LinkTypeERF_ETH, "ERF_ETH", "Ethernet with Endace ERF header"},
	{LinkTypeERF_POS, "ERF_POS", "Packet-over-SONET with Endace ERF header"},
	{LinkTypeLINUX_LAPD, "LINUX_LAPD", "Linux vISDN LAPD"},
	{LinkTypeJUNIPER_ETHER, "JUNIPER_ETHER", "Juniper Ethernet"},
	{LinkTypeJUNIPER_PPP, "JUNIPER_PPP", "Juniper PPP"},
	{LinkTypeJUNIPER_FRELAY, "JUNIPER_FRELAY", "Juniper Frame Relay"},
	{LinkTypeJUNIPER_CHDLC, "JUNIPER_CHDLC", "Juniper C-HDLC"},
	{LinkTypeMFR, "MFR", "FRF.16 Frame Relay"},
	{LinkTypeJUNIPER_VP, "JUNIPER_VP", "Juniper Voice PIC"},
	{LinkTypeA429, "A429", "Arinc 429"},
	{LinkTypeA653_ICM, "A653_ICM", "Arinc 653 Interpartition Communication"},
	{LinkTypeUSB_FREEBSD, "USB_FREEBSD", "USB with FreeBSD header"},
	{LinkTypeBLUETOOTH_HCI_H4, "BLUETOOTH_HCI_H4", "Bluetooth HCI UART transport layer"},
	{LinkTypeIEEE802_16_MAC_CPS, "IEEE802_16_MAC_CPS", "IEEE 802.16 MAC Common Part Sublayer"},
	{LinkTypeUSB_LINUX, "USB_LINUX", "USB with Linux header"},
	{LinkTypeCAN20B, "CAN20B", "Controller Area Network (CAN) v. 2.0B"},
	{LinkTypeIEEE802_15_4_LINUX, "IEEE802_15_4_LINUX", "IEEE 802.15.4 with Linux padding"},
	{LinkTypePPI, "PPI", "Per-Packet Information"},
	{LinkTypeIEEE802_16_MAC_CPS_RADIO, "IEEE802_16_MAC_CPS_RADIO", "IEEE 802.16 MAC Common Part Sublayer plus radiotap header"},
	{LinkTypeJUNIPER_ISM, "JUNIPER_ISM", "Juniper Integrated Service Module"},
	{LinkTypeIEEE802_15_4, "IEEE802_15_4", "IEEE 802.15.4 with FCS"},
	{LinkTypeSITA, "SITA", "SITA pseudo-header"},
	{LinkTypeERF, "ERF", "Endace ERF header"},
	{LinkTypeRAIF1, "RAIF1", "Ethernet with u10 Networks pseudo-header"},
	{LinkTypeIPMB_KONTRON, "IPMB_KONTRON", "IPMB with Kontron pseudo-header"},
	{LinkTypeJUNIPER_ST, "JUNIPER_ST", "Juniper Secure Tunnel"},
	{LinkTypeBLUETOOTH_HCI_H4_WITH_PHDR, "BLUETOOTH_HCI_H4_WITH_PHDR", "Bluetooth HCI UART transport layer plus pseudo-header"},
	{LinkTypeAX25_KISS, "AX25_KISS", "AX.25 with KISS header"},
	{LinkTypeIPMB_LINUX, "IPMB_LINUX", "IPMB with Linux/Pigeon Point pseudo-header"},
	{LinkTypeIEEE802_15_4_NONASK_PHY, "IEEE802_15_4_NONASK_PHY", "IEEE 802.15.4 with non-ASK PHY data"},
	{LinkTypeLINUX_EVDEV, "LINUX_EVDEV", "Linux evdev events"},
	{LinkTypeMPLS, "MPLS", "MPLS with label as link-layer header"},
	{LinkTypeUSB_LINUX_MMAPPED, "USB_LINUX_MMAPPED", "USB with padded Linux header"},
	{LinkTypeDECT, "DECT", "DECT"},
	{LinkTypeAOS, "AOS", "AOS Space Data Link protocol"},
	{LinkTypeWIHART, "WIHART", "Wireless HART"},
	{LinkTypeFC_2, "FC_2", "Fibre Channel FC-2"},
	{LinkTypeFC_2_WITH_FRAME_DELIMS, "FC_2_WITH_FRAME_DELIMS", "Fibre Channel FC-2 with frame delimiters"},
	{LinkTypeIPNET, "IPNET", "Solaris ipnet"},
	{LinkTypeCAN_SOCKETCAN, "CAN_SOCKETCAN", "CAN-bus with SocketCAN headers"},
	{LinkTypeIPV4, "IPV4", "Raw IPv4"},
	{LinkTypeIPV6, "IPV6", "Raw IPv6"},
	{LinkTypeIEEE802_15_4_NOFCS, "IEEE802_15_4_NOFCS", "IEEE 802.15.4 without FCS"},
	{LinkTypeDBUS, "DBUS", "D-Bus"},
	{LinkTypeJUNIPER_VS, "JUNIPER_VS", "Juniper Virtual Server"},
	{LinkTypeJUNIPER_SRX_E2E, "JUNIPER_SRX_E2E", "Juniper SRX E2E"},
	{LinkTypeJUNIPER_FIBRECHANNEL, "JUNIPER_FIBRECHANNEL", "Juniper Fibre Channel"},
	{LinkTypeDVB_CI, "DVB_CI", "DVB-CI"},
	{LinkTypeMUX27010, "MUX27010", "MUX27010"},
	{LinkTypeSTANAG_5066_D_PDU, "STANAG_5066_D_PDU", "STANAG 5066 D_PDUs"},
	{LinkTypeJUNIPER_ATM_CEMIC, "JUNIPER_ATM_CEMIC", "Juniper ATM CEMIC"},
	{LinkTypeNFLOG, "NFLOG", "Linux netfilter log messages"},
	{LinkTypeNETANALYZER, "NETANALYZER", "Ethernet with Hilscher netANALYZER pseudo-header"},
	{LinkTypeNETANALYZER_TRANSPARENT, "NETANALYZER_TRANSPARENT", "Ethernet with Hilscher netANALYZER pseudo-header and with preamble and SFD"},
	{LinkTypeIPOIB, "IPOIB", "RFC 4391 IP-over-Infiniband"},
	{LinkTypeMPEG_2_TS, "MPEG_2_TS", "MPEG-2 transport stream"},
	{LinkTypeNG40, "NG40", "ng40 protocol tester Iub/Iur"},
	{LinkTypeNFC_LLCP, "NFC_LLCP", "NFC LLCP PDUs with pseudo-header"},
	{LinkTypePFSYNC, "PFSYNC", "Packet filter state syncing"},
	{LinkTypeINFINIBAND, "INFINIBAND", "InfiniBand"},
	{LinkTypeSCTP, "SCTP", "SCTP"},
	{LinkTypeUSBPCAP, "USBPCAP", "USB with USBPcap header"},
	{LinkTypeRTAC_SERIAL, "RTAC_SERIAL", "Schweitzer Engineering Laboratories RTAC packets"},
	{LinkTypeBLUETOOTH_LE_LL, "BLUETOOTH_LE_LL", "Bluetooth Low Energy air interface"},
	{LinkTypeNETLINK, "NETLINK", "Linux netlink"},
	{LinkTypeBLUETOOTH_LINUX_MONITOR, "BLUETOOTH_LINUX_MONITOR", "Bluetooth Linux Monitor"},
	{LinkTypeBLUETOOTH_BREDR_BB, "BLUETOOTH_BREDR_BB", "Bluetooth Basic Rate/Enhanced Data Rate baseband packets"},
	{LinkTypeBLUETOOTH_LE_LL_WITH_PHDR, "BLUETOOTH_LE_LL_WITH_PHDR", "Bluetooth Low Energy air interface with pseudo-header"},
	{LinkTypePROFIBUS_DL, "PROFIBUS_DL", "PROFIBUS data link layer"},
	{LinkTypePKTAP, "PKTAP", "Apple DLT_PKTAP"},
	{LinkTypeEPON, "EPON", "Ethernet with 802.3 Clause 65 EPON preamble"},
	{LinkTypeIPMI_HPM_2, "IPMI_HPM_2", "IPMI trace packets"},
	{LinkTypeZWAVE_R1_R2, "ZWAVE_R1_R2", "Z-Wave RF profile R1 and R2 packets"},
	{LinkTypeZWAVE_R3, "ZWAVE_R3", "Z-Wave RF profile R3 packets"},
	{LinkTypeWATTSTOPPER_DLM, "WATTSTOPPER_DLM", "WattStopper Digital Lighting Management (DLM) and Legrand Nitoo Open protocol"},
	{LinkTypeISO_14443, "ISO_14443", "ISO 14443 messages"},
	{LinkTypeRDS, "RDS", "IEC 62106 Radio Data System groups"},
	{LinkTypeUSB_DARWIN, "USB_DARWIN", "USB with Darwin header"},
	{LinkTypeOPENFLOW, "OPENFLOW", "OpenBSD DLT_OPENFLOW"},
	{LinkTypeSDLC, "SDLC", "IBM SDLC frames"},
	{LinkTypeTI_LLN_SNIFFER, "TI_LLN_SNIFFER", "TI LLN sniffer frames"},
	{LinkTypeVSOCK, "VSOCK", "Linux vsock"},
	{LinkTypeNORDIC_BLE, "NORDIC_BLE", "Nordic Semiconductor Bluetooth LE sniffer frames"},
	{LinkTypeDOCSIS31_XRA31, "DOCSIS31_XRA31", "Excentis XRA-31 DOCSIS 3.1 RF sniffer frames"},
	{LinkTypeETHERNET_MPACKET, "ETHERNET_MPACKET", "802.3br mPackets"},
	{LinkTypeDISPLAYPORT_AUX, "DISPLAYPORT_AUX", "DisplayPort AUX channel monitoring data"},
	{LinkTypeLINUX_SLL2, "LINUX_SLL2", "Linux cooked v2"},
	{LinkTypeOPENVIZSLA, "OPENVIZSLA", "OpenVizsla USB"},
	{LinkTypeEBHSCR, "EBHSCR", "Elektrobit High Speed Capture and Replay (EBHSCR)"},
	{LinkTypeVPP_DISPATCH, "VPP_DISPATCH", "VPP graph dispatch tracer"},
	{LinkTypeDSA_TAG_BRCM, "DSA_TAG_BRCM", "Broadcom tag"},
	{LinkTypeDSA_TAG_BRCM_PREPEND, "DSA_TAG_BRCM_PREPEND", "Broadcom tag (prepended)"},
	{LinkTypeIEEE802_15_4_TAP, "IEEE802_15_4_TAP", "IEEE 802.15.4 with pseudo-header"},
	{LinkTypeDSA_TAG_DSA, "DSA_TAG_DSA", "Marvell DSA"},
	{LinkTypeDSA_TAG_EDSA, "DSA_TAG_EDSA", "Marvell EDSA"},
	{LinkTypeELEE, "ELEE", "ELEE lawful intercept packets"},
	{LinkTypeZ_WAVE_SERIAL, "Z_WAVE_SERIAL", "Z-Wave serial frames between host and chip"},
	{LinkTypeUSB_2_0, "USB_2_0", "USB 2.0/1.1/1.0 as transmitted over the cable"},
	{LinkTypeATSC_ALP, "ATSC_ALP", "ATSC Link-Layer Protocol packets"},
}
