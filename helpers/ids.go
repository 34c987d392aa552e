package helpers

// Code generated from the order of ___BPF_FUNC_MAPPER in the kernel's
// include/uapi/linux/bpf.h (Linux 6.18); the numbers are the kernel's.

// The helper ids, numbered as the kernel's enum bpf_func_id (BPF_FUNC_...).
const (
	Unspec                     ID = 0
	MapLookupElem              ID = 1
	MapUpdateElem              ID = 2
	MapDeleteElem              ID = 3
	ProbeRead                  ID = 4
	KtimeGetNS                 ID = 5
	TracePrintk                ID = 6
	GetPrandomU32              ID = 7
	GetSMPProcessorID          ID = 8
	SKBStoreBytes              ID = 9
	L3CsumReplace              ID = 10
	L4CsumReplace              ID = 11
	TailCall                   ID = 12
	CloneRedirect              ID = 13
	GetCurrentPIDTGID          ID = 14
	GetCurrentUIDGID           ID = 15
	GetCurrentComm             ID = 16
	GetCgroupClassid           ID = 17
	SKBVlanPush                ID = 18
	SKBVlanPop                 ID = 19
	SKBGetTunnelKey            ID = 20
	SKBSetTunnelKey            ID = 21
	PerfEventRead              ID = 22
	Redirect                   ID = 23
	GetRouteRealm              ID = 24
	PerfEventOutput            ID = 25
	SKBLoadBytes               ID = 26
	GetStackid                 ID = 27
	CsumDiff                   ID = 28
	SKBGetTunnelOpt            ID = 29
	SKBSetTunnelOpt            ID = 30
	SKBChangeProto             ID = 31
	SKBChangeType              ID = 32
	SKBUnderCgroup             ID = 33
	GetHashRecalc              ID = 34
	GetCurrentTask             ID = 35
	ProbeWriteUser             ID = 36
	CurrentTaskUnderCgroup     ID = 37
	SKBChangeTail              ID = 38
	SKBPullData                ID = 39
	CsumUpdate                 ID = 40
	SetHashInvalid             ID = 41
	GetNUMANodeID              ID = 42
	SKBChangeHead              ID = 43
	XDPAdjustHead              ID = 44
	ProbeReadStr               ID = 45
	GetSocketCookie            ID = 46
	GetSocketUID               ID = 47
	SetHash                    ID = 48
	Setsockopt                 ID = 49
	SKBAdjustRoom              ID = 50
	RedirectMap                ID = 51
	SKRedirectMap              ID = 52
	SockMapUpdate              ID = 53
	XDPAdjustMeta              ID = 54
	PerfEventReadValue         ID = 55
	PerfProgReadValue          ID = 56
	Getsockopt                 ID = 57
	OverrideReturn             ID = 58
	SockOpsCbFlagsSet          ID = 59
	MsgRedirectMap             ID = 60
	MsgApplyBytes              ID = 61
	MsgCorkBytes               ID = 62
	MsgPullData                ID = 63
	Bind                       ID = 64
	XDPAdjustTail              ID = 65
	SKBGetXfrmState            ID = 66
	GetStack                   ID = 67
	SKBLoadBytesRelative       ID = 68
	FIBLookup                  ID = 69
	SockHashUpdate             ID = 70
	MsgRedirectHash            ID = 71
	SKRedirectHash             ID = 72
	LWTPushEncap               ID = 73
	LWTSeg6StoreBytes          ID = 74
	LWTSeg6AdjustSrh           ID = 75
	LWTSeg6Action              ID = 76
	RcRepeat                   ID = 77
	RcKeydown                  ID = 78
	SKBCgroupID                ID = 79
	GetCurrentCgroupID         ID = 80
	GetLocalStorage            ID = 81
	SKSelectReuseport          ID = 82
	SKBAncestorCgroupID        ID = 83
	SKLookupTCP                ID = 84
	SKLookupUdp                ID = 85
	SKRelease                  ID = 86
	MapPushElem                ID = 87
	MapPopElem                 ID = 88
	MapPeekElem                ID = 89
	MsgPushData                ID = 90
	MsgPopData                 ID = 91
	RcPointerRel               ID = 92
	SpinLock                   ID = 93
	SpinUnlock                 ID = 94
	SKFullsock                 ID = 95
	TCPSock                    ID = 96
	SKBEcnSetCe                ID = 97
	GetListenerSock            ID = 98
	SkcLookupTCP               ID = 99
	TCPCheckSyncookie          ID = 100
	SysctlGetName              ID = 101
	SysctlGetCurrentValue      ID = 102
	SysctlGetNewValue          ID = 103
	SysctlSetNewValue          ID = 104
	Strtol                     ID = 105
	Strtoul                    ID = 106
	SKStorageGet               ID = 107
	SKStorageDelete            ID = 108
	SendSignal                 ID = 109
	TCPGenSyncookie            ID = 110
	SKBOutput                  ID = 111
	ProbeReadUser              ID = 112
	ProbeReadKernel            ID = 113
	ProbeReadUserStr           ID = 114
	ProbeReadKernelStr         ID = 115
	TCPSendAck                 ID = 116
	SendSignalThread           ID = 117
	Jiffies64                  ID = 118
	ReadBranchRecords          ID = 119
	GetNSCurrentPIDTGID        ID = 120
	XDPOutput                  ID = 121
	GetNetnsCookie             ID = 122
	GetCurrentAncestorCgroupID ID = 123
	SKAssign                   ID = 124
	KtimeGetBootNS             ID = 125
	SeqPrintf                  ID = 126
	SeqWrite                   ID = 127
	SKCgroupID                 ID = 128
	SKAncestorCgroupID         ID = 129
	RingbufOutput              ID = 130
	RingbufReserve             ID = 131
	RingbufSubmit              ID = 132
	RingbufDiscard             ID = 133
	RingbufQuery               ID = 134
	CsumLevel                  ID = 135
	SkcToTcp6Sock              ID = 136
	SkcToTCPSock               ID = 137
	SkcToTCPTimewaitSock       ID = 138
	SkcToTCPRequestSock        ID = 139
	SkcToUdp6Sock              ID = 140
	GetTaskStack               ID = 141
	LoadHdrOpt                 ID = 142
	StoreHdrOpt                ID = 143
	ReserveHdrOpt              ID = 144
	InodeStorageGet            ID = 145
	InodeStorageDelete         ID = 146
	DPath                      ID = 147
	CopyFromUser               ID = 148
	SnprintfBTF                ID = 149
	SeqPrintfBTF               ID = 150
	SKBCgroupClassid           ID = 151
	RedirectNeigh              ID = 152
	PerCPUPtr                  ID = 153
	ThisCPUPtr                 ID = 154
	RedirectPeer               ID = 155
	TaskStorageGet             ID = 156
	TaskStorageDelete          ID = 157
	GetCurrentTaskBTF          ID = 158
	BprmOptsSet                ID = 159
	KtimeGetCoarseNS           ID = 160
	ImaInodeHash               ID = 161
	SockFromFile               ID = 162
	CheckMtu                   ID = 163
	ForEachMapElem             ID = 164
	Snprintf                   ID = 165
	SysBpf                     ID = 166
	BTFFindByNameKind          ID = 167
	SysClose                   ID = 168
	TimerInit                  ID = 169
	TimerSetCallback           ID = 170
	TimerStart                 ID = 171
	TimerCancel                ID = 172
	GetFuncIP                  ID = 173
	GetAttachCookie            ID = 174
	TaskPtRegs                 ID = 175
	GetBranchSnapshot          ID = 176
	TraceVprintk               ID = 177
	SkcToUnixSock              ID = 178
	KallsymsLookupName         ID = 179
	FindVma                    ID = 180
	Loop                       ID = 181
	Strncmp                    ID = 182
	GetFuncArg                 ID = 183
	GetFuncRet                 ID = 184
	GetFuncArgCnt              ID = 185
	GetRetval                  ID = 186
	SetRetval                  ID = 187
	XDPGetBuffLen              ID = 188
	XDPLoadBytes               ID = 189
	XDPStoreBytes              ID = 190
	CopyFromUserTask           ID = 191
	SKBSetTstamp               ID = 192
	ImaFileHash                ID = 193
	KptrXchg                   ID = 194
	MapLookupPercpuElem        ID = 195
	SkcToMptcpSock             ID = 196
	DynptrFromMem              ID = 197
	RingbufReserveDynptr       ID = 198
	RingbufSubmitDynptr        ID = 199
	RingbufDiscardDynptr       ID = 200
	DynptrRead                 ID = 201
	DynptrWrite                ID = 202
	DynptrData                 ID = 203
	TCPRawGenSyncookieIpv4     ID = 204
	TCPRawGenSyncookieIpv6     ID = 205
	TCPRawCheckSyncookieIpv4   ID = 206
	TCPRawCheckSyncookieIpv6   ID = 207
	KtimeGetTAINS              ID = 208
	UserRingbufDrain           ID = 209
	X                          ID = 210
)

// names holds the kernel's name of each id, without the bpf_ prefix.
var names = [...]string{
	"unspec",
	"map_lookup_elem",
	"map_update_elem",
	"map_delete_elem",
	"probe_read",
	"ktime_get_ns",
	"trace_printk",
	"get_prandom_u32",
	"get_smp_processor_id",
	"skb_store_bytes",
	"l3_csum_replace",
	"l4_csum_replace",
	"tail_call",
	"clone_redirect",
	"get_current_pid_tgid",
	"get_current_uid_gid",
	"get_current_comm",
	"get_cgroup_classid",
	"skb_vlan_push",
	"skb_vlan_pop",
	"skb_get_tunnel_key",
	"skb_set_tunnel_key",
	"perf_event_read",
	"redirect",
	"get_route_realm",
	"perf_event_output",
	"skb_load_bytes",
	"get_stackid",
	"csum_diff",
	"skb_get_tunnel_opt",
	"skb_set_tunnel_opt",
	"skb_change_proto",
	"skb_change_type",
	"skb_under_cgroup",
	"get_hash_recalc",
	"get_current_task",
	"probe_write_user",
	"current_task_under_cgroup",
	"skb_change_tail",
	"skb_pull_data",
	"csum_update",
	"set_hash_invalid",
	"get_numa_node_id",
	"skb_change_head",
	"xdp_adjust_head",
	"probe_read_str",
	"get_socket_cookie",
	"get_socket_uid",
	"set_hash",
	"setsockopt",
	"skb_adjust_room",
	"redirect_map",
	"sk_redirect_map",
	"sock_map_update",
	"xdp_adjust_meta",
	"perf_event_read_value",
	"perf_prog_read_value",
	"getsockopt",
	"override_return",
	"sock_ops_cb_flags_set",
	"msg_redirect_map",
	"msg_apply_bytes",
	"msg_cork_bytes",
	"msg_pull_data",
	"bind",
	"xdp_adjust_tail",
	"skb_get_xfrm_state",
	"get_stack",
	"skb_load_bytes_relative",
	"fib_lookup",
	"sock_hash_update",
	"msg_redirect_hash",
	"sk_redirect_hash",
	"lwt_push_encap",
	"lwt_seg6_store_bytes",
	"lwt_seg6_adjust_srh",
	"lwt_seg6_action",
	"rc_repeat",
	"rc_keydown",
	"skb_cgroup_id",
	"get_current_cgroup_id",
	"get_local_storage",
	"sk_select_reuseport",
	"skb_ancestor_cgroup_id",
	"sk_lookup_tcp",
	"sk_lookup_udp",
	"sk_release",
	"map_push_elem",
	"map_pop_elem",
	"map_peek_elem",
	"msg_push_data",
	"msg_pop_data",
	"rc_pointer_rel",
	"spin_lock",
	"spin_unlock",
	"sk_fullsock",
	"tcp_sock",
	"skb_ecn_set_ce",
	"get_listener_sock",
	"skc_lookup_tcp",
	"tcp_check_syncookie",
	"sysctl_get_name",
	"sysctl_get_current_value",
	"sysctl_get_new_value",
	"sysctl_set_new_value",
	"strtol",
	"strtoul",
	"sk_storage_get",
	"sk_storage_delete",
	"send_signal",
	"tcp_gen_syncookie",
	"skb_output",
	"probe_read_user",
	"probe_read_kernel",
	"probe_read_user_str",
	"probe_read_kernel_str",
	"tcp_send_ack",
	"send_signal_thread",
	"jiffies64",
	"read_branch_records",
	"get_ns_current_pid_tgid",
	"xdp_output",
	"get_netns_cookie",
	"get_current_ancestor_cgroup_id",
	"sk_assign",
	"ktime_get_boot_ns",
	"seq_printf",
	"seq_write",
	"sk_cgroup_id",
	"sk_ancestor_cgroup_id",
	"ringbuf_output",
	"ringbuf_reserve",
	"ringbuf_submit",
	"ringbuf_discard",
	"ringbuf_query",
	"csum_level",
	"skc_to_tcp6_sock",
	"skc_to_tcp_sock",
	"skc_to_tcp_timewait_sock",
	"skc_to_tcp_request_sock",
	"skc_to_udp6_sock",
	"get_task_stack",
	"load_hdr_opt",
	"store_hdr_opt",
	"reserve_hdr_opt",
	"inode_storage_get",
	"inode_storage_delete",
	"d_path",
	"copy_from_user",
	"snprintf_btf",
	"seq_printf_btf",
	"skb_cgroup_classid",
	"redirect_neigh",
	"per_cpu_ptr",
	"this_cpu_ptr",
	"redirect_peer",
	"task_storage_get",
	"task_storage_delete",
	"get_current_task_btf",
	"bprm_opts_set",
	"ktime_get_coarse_ns",
	"ima_inode_hash",
	"sock_from_file",
	"check_mtu",
	"for_each_map_elem",
	"snprintf",
	"sys_bpf",
	"btf_find_by_name_kind",
	"sys_close",
	"timer_init",
	"timer_set_callback",
	"timer_start",
	"timer_cancel",
	"get_func_ip",
	"get_attach_cookie",
	"task_pt_regs",
	"get_branch_snapshot",
	"trace_vprintk",
	"skc_to_unix_sock",
	"kallsyms_lookup_name",
	"find_vma",
	"loop",
	"strncmp",
	"get_func_arg",
	"get_func_ret",
	"get_func_arg_cnt",
	"get_retval",
	"set_retval",
	"xdp_get_buff_len",
	"xdp_load_bytes",
	"xdp_store_bytes",
	"copy_from_user_task",
	"skb_set_tstamp",
	"ima_file_hash",
	"kptr_xchg",
	"map_lookup_percpu_elem",
	"skc_to_mptcp_sock",
	"dynptr_from_mem",
	"ringbuf_reserve_dynptr",
	"ringbuf_submit_dynptr",
	"ringbuf_discard_dynptr",
	"dynptr_read",
	"dynptr_write",
	"dynptr_data",
	"tcp_raw_gen_syncookie_ipv4",
	"tcp_raw_gen_syncookie_ipv6",
	"tcp_raw_check_syncookie_ipv4",
	"tcp_raw_check_syncookie_ipv6",
	"ktime_get_tai_ns",
	"user_ringbuf_drain",
	"x",
}
