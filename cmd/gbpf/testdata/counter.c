// An XDP program for the command-line tests: counts packets per EtherType in
// a hash map, per-CPU totals in a per-CPU array, rewrites the destination MAC
// and returns XDP_TX for IPv4, XDP_PASS otherwise.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u16);
	__type(value, __u64);
} by_proto SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} total SEC(".maps");

__u64 seen = 0;

SEC("xdp")
int count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	unsigned char *eth = data;
	if (data + 14 > end)
		return XDP_ABORTED;
	__u16 proto = (__u16)(eth[12] << 8 | eth[13]);
	__u64 one = 1, *v = bpf_map_lookup_elem(&by_proto, &proto);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&by_proto, &proto, &one, BPF_ANY);
	__u32 k = 0;
	__u64 *t = bpf_map_lookup_elem(&total, &k);
	if (t)
		*t += 1;
	seen++;
	for (int i = 0; i < 6; i++)
		eth[i] = 0xaa;
	return proto == 0x0800 ? XDP_TX : XDP_PASS;
}

SEC("socket")
int accept_all(struct __sk_buff *skb)
{
	return skb->len;
}

char _license[] SEC("license") = "GPL";
