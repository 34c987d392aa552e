// bpf_xdp_adjust_head and bpf_xdp_adjust_tail: pushes a 4-byte tag after
// the MAC addresses, trims long packets and grows short ones.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

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

SEC("xdp")
int xdp_adjust(struct xdp_md *ctx)
{
	long err = bpf_xdp_adjust_head(ctx, -4);
	add(0, err);
	if (err)
		return XDP_ABORTED;
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	if (data + 18 > end)
		return XDP_DROP;
	__builtin_memmove(data, data + 4, 12);
	*(__u32 *)(data + 12) = 0x2a000081;	/* 81 00 00 2a: VLAN 42 */
	__u32 len = end - data;
	if (len > 200)
		err = bpf_xdp_adjust_tail(ctx, -(int)(len - 200));
	else if (len < 100)
		err = bpf_xdp_adjust_tail(ctx, 16);
	else
		err = bpf_xdp_adjust_tail(ctx, -(int)len);	/* below the minimum: refused */
	add(1, err);
	add(2, err ? 1 : 0);
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	add(3, end - data);
	/* Taking the tag off again and putting it back is a no-op on bytes. */
	add(4, bpf_xdp_adjust_head(ctx, 100000));
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
