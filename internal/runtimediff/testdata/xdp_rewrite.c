// XDP parser that rewrites headers: swaps the MAC addresses, decrements the
// IPv4 TTL (fixing the checksum incrementally) or the IPv6 hop limit, and
// picks the action by protocol. Counts actions and protocols.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct eth { unsigned char dst[6], src[6]; __be16 proto; };
struct ip4 { __u8 vihl, tos; __be16 len, id, frag; __u8 ttl, proto; __u16 csum; __be32 saddr, daddr; };
struct ip6 { __be32 vtcfl; __be16 plen; __u8 next, hlim; __u8 saddr[16], daddr[16]; };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} actions SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} protos SEC(".maps");

static __always_inline void count(void *map, __u32 key)
{
	__u64 one = 1, *v = bpf_map_lookup_elem(map, &key);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(map, &key, &one, BPF_NOEXIST);
}

static __always_inline int rewrite(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct eth *eth = data;
	unsigned char tmp[6];

	if ((void *)(eth + 1) > end)
		return XDP_ABORTED;
	__builtin_memcpy(tmp, eth->dst, 6);
	__builtin_memcpy(eth->dst, eth->src, 6);
	__builtin_memcpy(eth->src, tmp, 6);
	if (eth->proto == bpf_htons(0x0800)) {
		struct ip4 *ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > end)
			return XDP_DROP;
		count(&protos, ip->proto);
		if (ip->ttl <= 1)
			return XDP_DROP;
		/* RFC 1624: HC' = ~(~HC + ~m + m') on the 16-bit word holding TTL. */
		__u32 old = bpf_ntohs(*(__u16 *)&ip->ttl);
		ip->ttl--;
		__u32 new = bpf_ntohs(*(__u16 *)&ip->ttl);
		__u32 sum = (__u16)~bpf_ntohs(ip->csum) + (__u16)~old + new;
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		ip->csum = bpf_htons(~sum & 0xffff);
		switch (ip->proto) {
		case 6: return XDP_TX;
		case 17: return XDP_PASS;
		case 1: return XDP_DROP;
		}
		return XDP_PASS;
	}
	if (eth->proto == bpf_htons(0x86dd)) {
		struct ip6 *ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > end)
			return XDP_DROP;
		count(&protos, 0x10000 | ip6->next);
		if (ip6->hlim <= 1)
			return XDP_DROP;
		ip6->hlim--;
		return ip6->next == 58 ? XDP_DROP : XDP_TX;
	}
	count(&protos, 0x20000 | bpf_ntohs(eth->proto));
	return XDP_PASS;
}

SEC("xdp")
int xdp_rewrite(struct xdp_md *ctx)
{
	int act = rewrite(ctx);
	count(&actions, act);
	return act;
}

char LICENSE[] SEC("license") = "GPL";
