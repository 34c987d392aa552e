// A prog array tail-call chain of three levels, a tail call to an empty
// slot that falls through, and a program that tail-calls itself until the
// limit.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

static __always_inline void hit(__u32 key)
{
	__u64 *v = bpf_map_lookup_elem(&hits, &key);
	if (v)
		*v += 1;
}

int stage1(struct xdp_md *ctx);
int stage2(struct xdp_md *ctx);
int stage3(struct xdp_md *ctx);
int self(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__array(values, int (void *));
} jumps SEC(".maps") = {
	.values = {
		[0] = (void *)&stage1,
		[1] = (void *)&stage2,
		[2] = (void *)&stage3,
		[3] = (void *)&self,
	},
};

SEC("xdp")
int stage3(struct xdp_md *ctx)
{
	hit(3);
	return (ctx->data_end - ctx->data) & 1 ? XDP_DROP : XDP_TX;
}

SEC("xdp")
int stage2(struct xdp_md *ctx)
{
	hit(2);
	if ((ctx->data_end - ctx->data) % 3 == 0)
		return XDP_PASS;
	bpf_tail_call(ctx, &jumps, 2);
	hit(6);
	return XDP_ABORTED;
}

SEC("xdp")
int stage1(struct xdp_md *ctx)
{
	hit(1);
	bpf_tail_call(ctx, &jumps, 1);
	hit(6);
	return XDP_ABORTED;
}

SEC("xdp")
int xdp_chain(struct xdp_md *ctx)
{
	hit(0);
	/* Slot 5 is empty: the call returns and the program goes on. */
	bpf_tail_call(ctx, &jumps, 5);
	hit(4);
	if ((ctx->data_end - ctx->data) % 5 == 0)
		return XDP_PASS;
	bpf_tail_call(ctx, &jumps, 0);
	hit(5);
	return XDP_ABORTED;
}

/* Tail-calls itself until the kernel's limit of 33 tail calls stops it. */
SEC("xdp")
int self(struct xdp_md *ctx)
{
	hit(7);
	bpf_tail_call(ctx, &jumps, 3);
	return XDP_PASS;
}

SEC("xdp")
int xdp_selfloop(struct xdp_md *ctx)
{
	hit(0);
	bpf_tail_call(ctx, &jumps, 3);
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
