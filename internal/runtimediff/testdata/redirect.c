// XDP redirects through every redirect map type and bpf_redirect, with
// the kernel's answers for present, absent and out-of-range keys, the
// verdict in the flags' low bits, BPF_F_BROADCAST and invalid flags; and
// program-side lookups of devmap values; and bpf_ktime_get_coarse_ns
// (whether it is positive). The test fills devs[1] and
// devh[7] with ifindex 1 (lo) and cpus[0] with a queue size before the
// runs. Each packet picks a case by its length and bytes; results[case*8+verdict]
// counts the outcomes.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} devs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} devh SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val);
} cpus SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 18 * 8);
	__type(key, __u32);
	__type(value, __u64);
} results SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

static void count(__u32 slot)
{
	__u64 *p = bpf_map_lookup_elem(&results, &slot);

	if (p)
		__sync_fetch_and_add(p, 1);
}

static void keep(__u32 slot, __u64 v)
{
	bpf_map_update_elem(&seen, &slot, &v, BPF_ANY);
}

SEC("xdp")
int xdp_redirect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 sel = end - data;
	__u32 key;
	long ret;

	if (data + 14 <= end)
		sel += ((__u8 *)data)[5] * 3 + ((__u8 *)data)[13];
	sel %= 18;

	switch (sel) {
	case 0: ret = bpf_redirect_map(&devs, 1, XDP_PASS); break;
	case 1: ret = bpf_redirect_map(&devs, 3, XDP_DROP); break;
	case 2: ret = bpf_redirect_map(&devs, 9, XDP_TX); break;
	case 3: ret = bpf_redirect_map(&devs, 3, BPF_F_BROADCAST); break;
	case 4: ret = bpf_redirect_map(&devs, 1, 1 << 5); break;
	case 5: ret = bpf_redirect_map(&devh, 7, XDP_PASS); break;
	case 6: ret = bpf_redirect_map(&devh, 8, XDP_PASS); break;
	case 7: ret = bpf_redirect_map(&cpus, 0, XDP_DROP); break;
	case 8: ret = bpf_redirect_map(&cpus, 1, XDP_PASS); break;
	case 9: ret = bpf_redirect_map(&cpus, 0, BPF_F_BROADCAST); break;
	case 10: ret = bpf_redirect_map(&xsks, 0, XDP_PASS); break;
	case 11: ret = bpf_redirect(1, 0); break;
	case 12: ret = bpf_redirect(1, 1); break;
	case 13: {
		__u32 *ifindex;

		key = 1;
		ifindex = bpf_map_lookup_elem(&devs, &key);
		ret = ifindex ? XDP_PASS : XDP_DROP;
		if (ifindex)
			keep(0, *ifindex);
		break;
	}
	case 14: {
		struct bpf_devmap_val *v;

		key = 7;
		v = bpf_map_lookup_elem(&devh, &key);
		ret = v ? XDP_PASS : XDP_DROP;
		if (v)
			keep(1, (__u64)v->ifindex << 32 | v->bpf_prog.id);
		break;
	}
	case 15: ret = bpf_redirect_map(&devs, (1ULL << 32) | 1, 0); break;
	case 16: ret = bpf_redirect_map(&devs, 1, BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS); break;
	default: {
		__u32 *ifindex;

		key = 2;
		ifindex = bpf_map_lookup_elem(&devs, &key);
		ret = ifindex ? XDP_DROP : XDP_PASS;
		keep(2, bpf_ktime_get_coarse_ns() > 0);
		break;
	}
	}
	count(sel * 8 + (ret & 7));
	return ret;
}

char LICENSE[] SEC("license") = "GPL";
