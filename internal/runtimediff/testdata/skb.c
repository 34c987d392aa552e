// Socket filter counting by protocol, and a tc classifier that reads and
// rewrites the packet with skb_load_bytes, skb_store_bytes and csum_diff.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__type(key, __u32);
	__type(value, __u64);
} by_proto SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} by_src SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} bytes_by_dst SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __s64);
} results SEC(".maps");

static __always_inline void add(void *map, __u32 key, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(map, &key);
	if (v)
		__sync_fetch_and_add(v, n);
	else
		bpf_map_update_elem(map, &key, &n, BPF_ANY);
}

SEC("socket")
int socket_count(struct __sk_buff *skb)
{
	__u8 proto = 0;
	__u32 key = bpf_ntohs(skb->protocol) << 8;

	/* The socket filter sees the packet from the network header. */
	if (skb->protocol == bpf_htons(0x0800)) {
		if (bpf_skb_load_bytes(skb, 9, &proto, 1) < 0)
			key |= 0xff;
		else
			key |= proto;
	} else if (skb->protocol == bpf_htons(0x86dd)) {
		if (bpf_skb_load_bytes(skb, 6, &proto, 1) < 0)
			key |= 0xff;
		else
			key |= proto;
	}
	add(&by_proto, key, 1);
	add(&by_proto, 0xffffffff, skb->len);
	return proto == 17 ? 0 : skb->len;
}

SEC("tc")
int tc_classify(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	__u32 key;
	__u8 hdr[20], tos;
	__s64 *r;

	if (data + 14 > end)
		return TC_ACT_SHOT;
	if (*(__be16 *)(data + 12) != bpf_htons(0x0800))
		return TC_ACT_UNSPEC;
	if (bpf_skb_load_bytes(skb, 14, hdr, sizeof(hdr)) < 0)
		return TC_ACT_SHOT;
	add(&by_src, *(__u32 *)&hdr[12], 1);
	add(&bytes_by_dst, *(__u32 *)&hdr[16], skb->len);

	/* Set the TOS to 0x10 and fix the checksum with csum_diff. */
	__be32 from = *(__be32 *)&hdr[0], to;
	hdr[1] = 0x10;
	to = *(__be32 *)&hdr[0];
	__s64 d = bpf_csum_diff(&from, 4, &to, 4, ~bpf_ntohs(*(__u16 *)&hdr[10]) & 0xffff);
	key = 0;
	r = bpf_map_lookup_elem(&results, &key);
	if (r)
		*r += d;
	tos = 0x10;
	long err = bpf_skb_store_bytes(skb, 15, &tos, 1, 0);
	key = 1;
	r = bpf_map_lookup_elem(&results, &key);
	if (r)
		*r += err;
	/* A store past the end fails the same way on both sides. */
	err = bpf_skb_store_bytes(skb, skb->len, &tos, 1, 0);
	key = 2;
	r = bpf_map_lookup_elem(&results, &key);
	if (r)
		*r = err;
	__u32 sum = (__u32)d;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	__u16 csum = bpf_htons(~sum & 0xffff);
	bpf_skb_store_bytes(skb, 24, &csum, 2, 0);
	switch (hdr[9]) {
	case 6: return TC_ACT_OK;
	case 17: return TC_ACT_PIPE;
	case 1: return TC_ACT_SHOT;
	}
	return TC_ACT_RECLASSIFY;
}

char LICENSE[] SEC("license") = "GPL";
