// The tc checksum and resizing helpers: l3_csum_replace, l4_csum_replace,
// skb_change_tail and skb_pull_data.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __s64);
} results SEC(".maps");

static __always_inline void add(__u32 key, __s64 n)
{
	__s64 *v = bpf_map_lookup_elem(&results, &key);
	if (v)
		*v += n;
}

SEC("tc")
int tc_csum(struct __sk_buff *skb)
{
	add(0, bpf_skb_pull_data(skb, 34));
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	if (data + 34 > end || *(__be16 *)(data + 12) != bpf_htons(0x0800))
		return TC_ACT_OK;
	__u8 proto = *(__u8 *)(data + 23);
	__u16 oldttl = *(__u16 *)(data + 22), newttl = oldttl ^ 0x0100;
	add(1, bpf_l3_csum_replace(skb, 24, oldttl, newttl, 2));
	add(2, bpf_skb_store_bytes(skb, 22, &newttl, 2, 0));
	if (proto == 6 || proto == 17) {
		__u8 ihl = 0;
		bpf_skb_load_bytes(skb, 14, &ihl, 1);
		__u32 off = 14 + (ihl & 0xf) * 4;
		__u16 port = 0, newport = bpf_htons(4242);
		if (bpf_skb_load_bytes(skb, off, &port, 2) == 0) {
			__u32 csum_off = off + (proto == 6 ? 16 : 6);
			add(3, bpf_l4_csum_replace(skb, csum_off, port, newport, 2));
			add(4, bpf_skb_store_bytes(skb, off, &newport, 2, 0));
		}
	}
	if (skb->len < 300)
		add(5, bpf_skb_change_tail(skb, skb->len + 10, 0));
	else
		add(5, bpf_skb_change_tail(skb, 200, 0));
	add(6, skb->len);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
