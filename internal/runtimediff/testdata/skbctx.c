// Context fields in and out: __sk_buff (mark, priority, cb, tc_index,
// tc_classid, the test run's socket through sk) for tc and socket
// filters, xdp_md with bpf_xdp_adjust_meta.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __s64);
} results SEC(".maps");

static __always_inline void add(__u32 key, __s64 n)
{
	__s64 *v = bpf_map_lookup_elem(&results, &key);
	if (v)
		*v += n;
}

/* The socket BPF_PROG_TEST_RUN gives the packet, through skb->sk. */
static __always_inline void sock(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;

	if (!sk) {
		add(7, -1);
		return;
	}
	add(7, sk->family);
	add(8, sk->src_ip4 ^ sk->dst_ip4);
	add(9, sk->src_ip6[0] + sk->src_ip6[3] + sk->dst_ip6[1] + sk->dst_ip6[2]);
	add(10, sk->state + sk->rx_queue_mapping * 100 + sk->bound_dev_if);
	add(11, sk->src_port + sk->dst_port);
}

SEC("tc")
int tc_ctx(struct __sk_buff *skb)
{
	sock(skb);
	add(0, skb->len);
	add(1, skb->pkt_type);
	add(2, skb->protocol);
	add(3, skb->ifindex + skb->ingress_ifindex * 100);
	add(4, skb->mark + skb->priority + skb->cb[0] + skb->cb[4]);
	add(5, skb->queue_mapping + skb->vlan_present * 10);
	skb->mark = skb->len * 3;
	skb->priority = skb->protocol;
	skb->cb[1] = skb->cb[0] + 1;
	skb->cb[4] = 0xdeadbeef;
	skb->tc_index = 7;
	skb->tc_classid = 0x10002;

	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	if (data + 34 > end || *(__be16 *)(data + 12) != bpf_htons(0x0800))
		return TC_ACT_OK;
	__u8 proto = *(__u8 *)(data + 23);
	*(__u8 *)(data + 22) ^= 1;	/* the TTL, checksum left wrong on purpose */
	return proto == 1 ? TC_ACT_SHOT : TC_ACT_OK;
}

/* The legacy packet loads (LD_ABS): out of bounds, they end the program
 * with 0. */
unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

SEC("socket")
int socket_ctx(struct __sk_buff *skb)
{
	sock(skb);
	add(0, skb->len);
	add(1, skb->pkt_type);
	add(2, skb->protocol);
	add(4, skb->mark + skb->priority + skb->cb[0] + skb->cb[4]);
	skb->cb[2] = skb->len;
	add(5, load_byte(skb, 9) + (load_half(skb, 2) << 8) + (load_word(skb, 12) << 24));
	add(6, load_word(skb, 140));
	return skb->len > 100 ? 100 : skb->len;
}

SEC("xdp")
int xdp_meta(struct xdp_md *ctx)
{
	long err = bpf_xdp_adjust_meta(ctx, -8);
	add(0, err);
	if (err)
		return XDP_ABORTED;
	void *meta = (void *)(long)ctx->data_meta, *data = (void *)(long)ctx->data;
	if (meta + 8 > data)
		return XDP_DROP;
	*(__u64 *)meta = 0x0102030405060708ULL ^ (ctx->data_end - ctx->data);
	add(1, ctx->ingress_ifindex);
	add(2, ctx->rx_queue_index);
	add(3, bpf_xdp_adjust_meta(ctx, 4));
	add(4, bpf_xdp_adjust_meta(ctx, -4096));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
